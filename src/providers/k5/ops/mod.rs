//! Request handlers, one file per K5 service.

pub mod exports;
pub mod glance;
pub mod identity;
pub mod imports;
pub mod swift;
