//! vCenter vAPI: session, content library, OVF library-item create/filter/deploy, VM and inventory lists,
//! served on `/rest` (and the seed's bare `/com/vmware/...`), `/api`, and JSON-RPC on `POST /api`.
//!
//! Layout: `routes` (the operation table), `wire` (the three front doors and their codecs, driven by the
//! official SDK's binding types), `ops` (the operations), `model` (store rows and the OVF descriptor),
//! `errors` (the vAPI std error), `fixtures` (the default world).

pub mod errors;
mod fixtures;
pub mod model;
pub mod ops;
pub mod routes;
pub mod wire;

use std::sync::Arc;

use serde_json::{json, Value};

use self::errors::VapiError;
use self::model::{InvObject, Item, Kind, Library, Replay, Session, UpdateSession, User, Vm};
use crate::core::call::{Call, Reply};
use crate::core::fixtures::FixtureFiles;
use crate::core::lifecycle::{LifecycleEvent, LifecycleSpec, Outcome, Step};
use crate::core::provider::{CoreError, ErrorSpec, LifecycleVocabulary, Provider, Route};
use crate::core::store::{Store, Table};
use crate::core::Core;

/// Tenant key of data that belongs to no user (the fixture logins).
const GLOBAL: &str = "_global";

pub struct Vcenter {
    pub users: Arc<Table<User>>,
    pub sessions: Arc<Table<Session>>,
    pub objects: Arc<Table<InvObject>>,
    pub vms: Arc<Table<Vm>>,
    pub libraries: Arc<Table<Library>>,
    pub items: Arc<Table<Item>>,
    pub update_sessions: Arc<Table<UpdateSession>>,
    pub replays: Arc<Table<Replay>>,
    /// Fixture settings: `vm_floor` (highest fixture VM number) and the server GUID.
    pub settings: Arc<Table<Value>>,
}

pub fn provider(store: &Store) -> Arc<dyn Provider> {
    Arc::new(Vcenter {
        users: store.table("vcenter.users"),
        sessions: store.table("vcenter.sessions"),
        objects: store.table("vcenter.objects"),
        vms: store.table("vcenter.vms"),
        libraries: store.table("vcenter.libraries"),
        items: store.table("vcenter.items"),
        update_sessions: store.table("vcenter.update_sessions"),
        replays: store.table("vcenter.replays"),
        settings: store.table("vcenter.settings"),
    })
}

/// What the deploy lifecycle (possibly rewritten by a scenario) asks of one deploy.
pub struct DeployPlan {
    pub hold_ms: Option<u64>,
    pub failure: Option<(String, Option<String>)>,
}

impl Vcenter {
    /// A fixture login by user name (case-insensitive, as vCenter treats `user@domain`).
    pub fn find_user(&self, name: &str) -> Option<User> {
        let n = name.trim().to_ascii_lowercase();
        self.users.get(GLOBAL, &n)
    }

    pub fn is_kind(&self, tenant: &str, id: &str, kind: Kind) -> bool {
        self.objects.with(tenant, id, |o| o.kind == kind).unwrap_or(false)
    }

    /// The ACTIVE, not completed update session of an item, if any.
    pub fn active_update_session(&self, tenant: &str, item: &str) -> Option<String> {
        self.update_sessions
            .filter(tenant, |u| u.library_item_id == item && u.state == "ACTIVE" && !u.completed)
            .first()
            .map(|u| u.id.clone())
    }

    pub fn server_guid(&self) -> String {
        self.settings.get(GLOBAL, "server_guid").and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
    }

    pub fn vm_floor(&self) -> u64 {
        self.settings.get(GLOBAL, "vm_floor").and_then(|v| v.as_u64()).unwrap_or(1000)
    }

    /// Deploy latency is a lifecycle (`vcenter.ovf.deploy`, one `DEPLOYING` step) that a scenario may rewrite.
    /// Deploy answers synchronously, so the lifecycle is only planned, never started: under the virtual clock
    /// the answer is held only when a scenario asked for it (SDK calls have no timeout).
    pub fn deploy_plan(&self, core: &Core, tenant: &str, item: &str) -> DeployPlan {
        let mut spec = LifecycleSpec {
            provider: "vcenter".into(),
            operation: "vcenter.ovf.deploy".into(),
            tenant: tenant.into(),
            group: None,
            resource: item.into(),
            steps: vec![Step::new("DEPLOYING", ops::ovf::DEPLOY_MS)],
            outcome: Outcome::Success,
            data: Value::Null,
        };
        let overridden = core.scenarios.override_lifecycle(core, &mut spec).is_some();
        let total: u64 = match &spec.outcome {
            Outcome::Failure { after_step: Some(k), .. } => spec.steps.iter().take(k + 1).map(|s| s.duration_ms).sum(),
            _ => spec.steps.iter().map(|s| s.duration_ms).sum(),
        };
        let virtual_clock = matches!(core.clock.mode(), crate::core::clock::ClockMode::Virtual);
        let hold_ms = if overridden || !virtual_clock { Some(total).filter(|t| *t > 0) } else { None };
        let failure = match spec.outcome {
            Outcome::Failure { code, message, .. } => Some((code, message)),
            Outcome::Success => None,
        };
        DeployPlan { hold_ms, failure }
    }
}

impl Provider for Vcenter {
    fn name(&self) -> &'static str {
        "vcenter"
    }

    fn prefixes(&self) -> Vec<&'static str> {
        vec!["/rest/", "/rest", "/api/", "/api", "/com/vmware/", "/cls/"]
    }

    fn routes(self: Arc<Self>) -> Vec<Route> {
        routes::table(self)
    }

    fn identify(&self, core: &Core, call: &mut Call) {
        let sid = match wire::front_of(call) {
            wire::Front::Rpc { .. } => serde_json::from_slice::<Value>(&call.body).ok().and_then(|v| {
                v.pointer("/params/ctx/securityCtx/sessionId").and_then(Value::as_str).map(str::to_string)
            }),
            wire::Front::Api => wire::session_id(call, false),
            wire::Front::Rest { .. } => wire::session_id(call, true),
        };
        if let Some(sid) = sid {
            if let crate::core::credentials::CredentialState::Valid { tenant } =
                core.credentials.check(&core.clock, &sid)
            {
                call.set_tenant(tenant);
            }
            call.credential = Some(sid);
        }
    }

    fn core_error(&self, err: &CoreError, call: &Call) -> Reply {
        let front = wire::front_of(call);
        match err {
            CoreError::NotFound | CoreError::MethodNotAllowed(_) => wire::unknown_url(call),
            CoreError::PayloadTooLarge { limit } => {
                let mut reply = wire::error_reply(
                    &front,
                    &VapiError::new(
                        "invalid_request",
                        "com.vmware.vapi.rest.request.tooLarge",
                        format!("The request body is larger than {limit} bytes."),
                        vec![limit.to_string()],
                    ),
                );
                // The HTTP layer refuses the body before the vAPI layer sees it: 413 with the vAPI error body
                // (JSON-RPC errors always travel in a 200).
                if reply.status != hyper::StatusCode::OK {
                    reply.status = hyper::StatusCode::PAYLOAD_TOO_LARGE;
                }
                reply
            }
            CoreError::BadBody(e) => wire::error_reply(
                &front,
                &VapiError::invalid_argument(
                    "vapi.rest.request.malformed",
                    format!("The request body could not be read: {e}"),
                ),
            ),
        }
    }

    /// Deploy latency is one DEPLOYING step; a completed update session stays ACTIVE for a while. Failures are
    /// std error kinds (short or full class names).
    fn lifecycle_vocabulary(&self, operation: &str) -> Option<LifecycleVocabulary> {
        let status = match operation {
            "vcenter.ovf.deploy" => "DEPLOYING",
            "vcenter.update_session.complete" => "ACTIVE",
            _ => return None,
        };
        Some(LifecycleVocabulary { statuses: vec![status], failure_codes: Vec::new() })
    }

    fn error_codes(&self) -> Vec<&'static str> {
        errors::KINDS.to_vec()
    }

    fn error_reply(&self, spec: &ErrorSpec, call: &Call) -> Option<Reply> {
        let kind = errors::known_kind(spec.code)?;
        let message = spec
            .message
            .map(str::to_string)
            .unwrap_or_else(|| format!("The operation failed with {kind} (injected by a scenario)."));
        let e = VapiError::new(kind, &format!("com.vmware.vapi.std.errors.{kind}"), message, vec![]);
        Some(wire::error_reply(&wire::front_of(call), &e))
    }

    fn load_fixtures(&self, _core: &Core, files: &FixtureFiles) -> Result<(), String> {
        fixtures::load(self, files)
    }

    fn on_lifecycle(&self, _core: &Core, event: &LifecycleEvent) {
        // Only update-session completion runs as a background lifecycle: ACTIVE → DONE (or ERROR on failure).
        if let LifecycleEvent::Finished { lifecycle } = event {
            let state = match lifecycle.spec.outcome {
                Outcome::Success => ("DONE", None),
                Outcome::Failure { ref message, ref code, .. } => {
                    ("ERROR", Some(message.clone().unwrap_or_else(|| code.clone())))
                }
            };
            self.update_sessions.update(&lifecycle.spec.tenant, &lifecycle.spec.resource, |u| {
                if u.state == "ACTIVE" {
                    u.state = state.0.into();
                    u.error_message = state.1.clone();
                }
            });
        }
    }

    fn identities(&self, _core: &Core) -> Value {
        let users: Vec<Value> = self
            .users
            .list(GLOBAL)
            .iter()
            .map(|u| json!({"user": u.user, "password": u.password, "role": u.role}))
            .collect();
        json!({"users": users, "login": "POST /rest/com/vmware/cis/session with Basic auth, or POST /api/session"})
    }
}
