//! Tests of the vcenter provider: sessions and credentials, the seed deploy in every encoding and each of its
//! errors, the content-library upload flow, OVF create-from-VM, inventory lists, `/api`, JSON-RPC, and the
//! official Python SDK.

mod api;
mod client;
mod deploy;
mod encodings;
mod inventory;
mod library;
mod ovf_create;
mod rpc;
mod session;
pub mod support;
