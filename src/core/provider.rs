//! What a provider gives the core: its routes, its error format, its fixtures and its lifecycle callback.
//! The core holds providers only as `dyn Provider` and never names one.

use std::sync::Arc;

use hyper::Method;
use serde_json::Value;

use super::call::{Call, Reply};
use super::fixtures::FixtureFiles;
use super::lifecycle::LifecycleEvent;
use super::Core;

pub type Handler = Arc<dyn Fn(&mut Call) -> Reply + Send + Sync>;

/// One row of a provider's route table.
#[derive(Clone)]
pub struct Route {
    pub method: Method,
    /// `/segment/{var}/id:{var}/{rest+}` with an optional `?key=value` that the query must carry
    /// (vCenter's `?~action=deploy`, Horizon's `?action=import`).
    pub pattern: &'static str,
    pub operation: &'static str,
    pub handler: Handler,
    /// For routes whose operation depends on the body (JSON-RPC): returns the finer operation id, which the
    /// journal and scenario rules then see.
    pub refine: Option<fn(&Call) -> Option<&'static str>>,
}

/// Builds a provider's route table from plain `fn(&P, &mut Call) -> Reply` handlers.
pub struct Routes<P> {
    provider: Arc<P>,
    list: Vec<Route>,
}

impl<P: Send + Sync + 'static> Routes<P> {
    pub fn new(provider: Arc<P>) -> Routes<P> {
        Routes { provider, list: Vec::new() }
    }

    pub fn add(
        mut self,
        method: Method,
        pattern: &'static str,
        operation: &'static str,
        h: fn(&P, &mut Call) -> Reply,
    ) -> Self {
        let p = self.provider.clone();
        self.list.push(Route { method, pattern, operation, handler: Arc::new(move |c| h(&p, c)), refine: None });
        self
    }

    /// Like `add`, with a function that names the finer operation from the request (see `Route::refine`).
    pub fn add_refined(
        mut self,
        method: Method,
        pattern: &'static str,
        operation: &'static str,
        refine: fn(&Call) -> Option<&'static str>,
        h: fn(&P, &mut Call) -> Reply,
    ) -> Self {
        let p = self.provider.clone();
        self.list.push(Route {
            method,
            pattern,
            operation,
            handler: Arc::new(move |c| h(&p, c)),
            refine: Some(refine),
        });
        self
    }

    pub fn build(self) -> Vec<Route> {
        self.list
    }
}

/// A problem the core finds before any handler runs; the owning provider renders it in its own format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoreError {
    /// No route matches the path.
    NotFound,
    /// The path matches, the method does not; carries the methods that would match.
    MethodNotAllowed(Vec<Method>),
    /// The body is over `--max-body-bytes` (or the provider's own limit).
    PayloadTooLarge { limit: u64 },
    /// The body could not be read (client went away, broken chunking).
    BadBody(String),
}

/// A provider error requested by code (scenario fault rules and lifecycle failures name errors this way).
#[derive(Debug, Clone)]
pub struct ErrorSpec<'a> {
    pub code: &'a str,
    /// Overrides the provider's default message for that code.
    pub message: Option<&'a str>,
    /// Provider-specific extras (a ZStack `cause`, a Horizon field name).
    pub details: Option<&'a Value>,
}

/// What a scenario may name for the lifecycles one operation starts (see `Provider::lifecycle_vocabulary`).
#[derive(Debug, Clone, Default)]
pub struct LifecycleVocabulary {
    /// Statuses a step may have (an alternative path may use any of them, in any order).
    pub statuses: Vec<&'static str>,
    /// Terminal failure codes `on_lifecycle` understands besides `error_codes()` (Horizon's
    /// `IMPORT_FAILED_TIMEOUT`).
    pub failure_codes: Vec<&'static str>,
}

pub trait Provider: Send + Sync + 'static {
    /// Short lowercase name (`zstack`), the first part of every operation id it owns.
    fn name(&self) -> &'static str;

    /// Path prefixes this provider owns, so an unknown path under them gets the provider's 404.
    fn prefixes(&self) -> Vec<&'static str>;

    fn routes(self: Arc<Self>) -> Vec<Route>;

    /// The finer operation ids that `Route::refine` functions may name, so journal filters and scenario rules
    /// can use them although no route declares them directly.
    fn refined_operations(&self) -> Vec<&'static str> {
        Vec::new()
    }

    /// Reads who is calling (sets `call.tenant` and `call.credential`) without answering, so that scenario
    /// rules can match on the tenant before the handler runs. The handler still does the real auth checks.
    fn identify(&self, _core: &Core, _call: &mut Call) {}

    /// Renders a core-detected problem in the provider's own error format.
    fn core_error(&self, err: &CoreError, call: &Call) -> Reply;

    /// Every error code `error_reply` knows, for validating scenario files.
    fn error_codes(&self) -> Vec<&'static str>;

    /// The provider's own error answer for a code (`50301`, `SYS.1007`, ...); None for a code it does not know.
    fn error_reply(&self, spec: &ErrorSpec, call: &Call) -> Option<Reply>;

    /// The scope wider than the tenant a call belongs to, when the provider has one (a K5 contract holding
    /// projects): scenario limits `per: group` count by it, as `LifecycleSpec::group` does for lifecycles.
    fn group(&self, _core: &Core, _call: &Call) -> Option<String> {
        None
    }

    /// The statuses and failure codes of the lifecycles `operation` starts, so that scenario files naming an
    /// impossible status or an unknown failure are refused. None when the operation starts no lifecycle or the
    /// provider does not say: then statuses are not checked and failures must be `error_codes()`.
    fn lifecycle_vocabulary(&self, _operation: &str) -> Option<LifecycleVocabulary> {
        None
    }

    /// Loads the provider's fixture files (`fixtures/<name>/*.json`) into its store tables. Errors name the
    /// file and the field.
    fn load_fixtures(&self, core: &Core, files: &FixtureFiles) -> Result<(), String>;

    /// Applies one lifecycle step or outcome to the store. Called by the lifecycle engine, never concurrently
    /// for the same lifecycle.
    fn on_lifecycle(&self, core: &Core, event: &LifecycleEvent);

    /// The fixture identities clients log in with (this is an emulator: fixture secrets are not secrets),
    /// shown by `GET /_mockcloud/state`.
    fn identities(&self, core: &Core) -> Value;
}
