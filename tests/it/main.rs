//! The whole HTTP test suite, as one test binary (one link instead of one per file).

mod common;
mod core;
mod horizon;
mod k5;
mod scenario;
mod vcenter;
mod zstack;
