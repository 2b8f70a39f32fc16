//! Resources and their rules: the identity world and tokens, object storage, import/export jobs and images.

pub mod fixtures;
pub mod identity;
pub mod images;
pub mod storage;
