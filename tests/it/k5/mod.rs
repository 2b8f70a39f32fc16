//! Tests of the k5 provider.

mod util;

mod clients;
mod exports;
mod identity;
mod images;
mod imports;
mod storage;
mod world;
