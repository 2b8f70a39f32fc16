//! One module per emulated cloud, each with the same inner layout: `routes` (the route table), `wire`
//! (request/response types and codecs), `model` (resources, rules, lifecycles), `errors` (the provider's error
//! format and code table).

pub mod horizon;
pub mod k5;
pub mod vcenter;
pub mod zstack;

use std::sync::Arc;

use crate::core::provider::Provider;
use crate::core::store::Store;

/// Every provider, in the order `mockcloud routes` lists them.
pub fn all(store: &Store) -> Vec<Arc<dyn Provider>> {
    vec![horizon::provider(store), k5::provider(store), vcenter::provider(store), zstack::provider(store)]
}
