//! Request handlers, one file per API family.

pub mod actions;
pub mod queries;
pub mod session;
