//! The scenario engine's hooks into the request path and the lifecycle engine.
//!
//! The server asks `decide` about every routed request (after the provider has identified the caller) and the
//! lifecycle engine asks `override_lifecycle` about every lifecycle it starts.

use std::path::Path;
use std::time::Duration;

use super::call::{Call, Reply};
use super::lifecycle::LifecycleSpec;
use super::Core;

/// What the scenario rules want done with one request.
#[derive(Debug, Default)]
pub struct Decision {
    /// Names of the rules that acted, for the journal.
    pub rule: Option<String>,
    /// Product time to wait before going on.
    pub latency: Option<Duration>,
    pub action: Action,
}

#[derive(Debug, Default)]
pub enum Action {
    /// Let the handler answer.
    #[default]
    Pass,
    /// Answer with this instead of calling the handler.
    Respond(Reply),
    /// Close the connection without an answer.
    Drop,
    /// Never answer (until the client gives up or the server shuts down).
    Stall,
}

#[derive(Default)]
pub struct Scenarios {}

impl Scenarios {
    pub fn decide(&self, _core: &Core, _call: &Call) -> Decision {
        Decision::default()
    }

    /// Rewrites a lifecycle's steps or outcome; returns the name of the rule that did.
    pub fn override_lifecycle(&self, _core: &Core, _spec: &mut LifecycleSpec) -> Option<String> {
        None
    }

    pub fn load_file(&self, _core: &Core, path: &Path) -> Result<(), String> {
        Err(format!("{}: the scenario engine is not built yet", path.display()))
    }
}
