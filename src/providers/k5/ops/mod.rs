//! Request handlers, one file per K5 service.

// Checks return `Err(Reply)`: the ready answer, moved once per request, so its size does not matter here.
#![allow(clippy::result_large_err)]

pub mod exports;
pub mod glance;
pub mod identity;
pub mod imports;
pub mod swift;
