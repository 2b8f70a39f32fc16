//! STUB — the k5 provider is being built on its own branch; this placeholder only reserves the module.

use std::sync::Arc;

use hyper::StatusCode;
use serde_json::{json, Value};

use crate::core::call::{Call, Reply};
use crate::core::fixtures::FixtureFiles;
use crate::core::lifecycle::LifecycleEvent;
use crate::core::provider::{CoreError, ErrorSpec, Provider, Route};
use crate::core::store::Store;
use crate::core::Core;

pub struct Stub;

pub fn provider(_store: &Store) -> Arc<dyn Provider> {
    Arc::new(Stub)
}

impl Provider for Stub {
    fn name(&self) -> &'static str {
        "k5"
    }
    fn prefixes(&self) -> Vec<&'static str> {
        vec!["/v1/imageimport"]
    }
    fn routes(self: Arc<Self>) -> Vec<Route> {
        Vec::new()
    }
    fn core_error(&self, err: &CoreError, _call: &Call) -> Reply {
        Reply::json(StatusCode::NOT_FOUND, &json!({"error": format!("{err:?}")}))
    }
    fn error_codes(&self) -> Vec<&'static str> {
        Vec::new()
    }
    fn error_reply(&self, _spec: &ErrorSpec, _call: &Call) -> Option<Reply> {
        None
    }
    fn load_fixtures(&self, _core: &Core, _files: &FixtureFiles) -> Result<(), String> {
        Ok(())
    }
    fn on_lifecycle(&self, _core: &Core, _event: &LifecycleEvent) {}
    fn identities(&self, _core: &Core) -> Value {
        json!({})
    }
}
