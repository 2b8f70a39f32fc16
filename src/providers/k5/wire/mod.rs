//! Wire types and codecs: request parsers and validators that need no store, each with its own unit tests.

pub mod glance_patch;
pub mod ids;
pub mod import_request;
pub mod keystone_auth;
pub mod listing;
pub mod range;
pub mod slo;
pub mod time;
pub mod window;
