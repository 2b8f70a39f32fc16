//! Tests of the k5 provider.

pub mod util;

mod clients;
mod exports;
mod identity;
mod images;
mod imports;
mod robustness;
mod storage;
mod world;
