//! A small provider of the test suite's own, so the scenario engine can be tested over HTTP before (and
//! independently of) the real providers: `tp` has items, sessions, jobs with a lifecycle, a slow operation and
//! an error table; `tq` exists so that codes of one provider can be refused for another's operations.
//!
//! Callers name themselves with headers: `x-tenant`, `x-group` (a scope wider than the tenant) and
//! `x-token` (a session from `POST /tp/login`).

use std::sync::Arc;
use std::time::Duration;

use hyper::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use mockcloud::core::call::{Call, Reply};
use mockcloud::core::credentials::CredentialState;
use mockcloud::core::fixtures::FixtureFiles;
use mockcloud::core::lifecycle::{LifecycleEvent, LifecycleSpec, Outcome, Step};
use mockcloud::core::provider::{CoreError, ErrorSpec, LifecycleVocabulary, Provider, Route, Routes};
use mockcloud::core::store::{Store, Table};
use mockcloud::core::Core;

pub const JOB_STEPS: [(&str, u64); 2] = [("queued", 5_000), ("running", 30_000)];

#[derive(Clone, Serialize, Deserialize)]
pub struct Job {
    id: String,
    status: String,
    error: Option<String>,
    message: Option<String>,
}

pub struct Tp {
    jobs: Arc<Table<Job>>,
}

/// `tp` and `tq`, as a `ProviderFactory`.
pub fn providers(store: &Store) -> Vec<Arc<dyn Provider>> {
    vec![Arc::new(Tp { jobs: store.table("tp.jobs") }), Arc::new(Tq)]
}

const CODES: [(&str, u16, &str); 5] = [
    ("TP.BAD", 400, "The request is not valid."),
    ("TP.EXPIRED", 401, "The session has expired."),
    ("TP.NOT_FOUND", 404, "No such thing."),
    ("TP.THROTTLED", 429, "Too many requests."),
    ("TP.BUSY", 503, "The service is busy."),
];

/// Codes are also accepted with a class prefix (`tp.errors.TP.BUSY`), as vCenter takes full error class names.
fn tp_error(code: &str, message: Option<&str>, details: Option<&Value>) -> Option<Reply> {
    let code = code.strip_prefix("tp.errors.").unwrap_or(code);
    let (code, status, default) = CODES.iter().find(|(c, _, _)| *c == code)?;
    let status = StatusCode::from_u16(*status).ok()?;
    Some(Reply::json(
        status,
        &json!({"code": code, "message": message.unwrap_or(default), "details": details.cloned().unwrap_or(Value::Null)}),
    ))
}

fn tenant(call: &Call) -> String {
    call.tenant.clone().unwrap_or_else(|| "anonymous".into())
}

impl Tp {
    fn item_list(&self, _call: &mut Call) -> Reply {
        Reply::json(StatusCode::OK, &json!({"items": ["a", "b"]}))
    }

    fn item_get(&self, call: &mut Call) -> Reply {
        Reply::json(StatusCode::OK, &json!({"id": call.param("id")}))
    }

    fn item_create(&self, call: &mut Call) -> Reply {
        let body: Value = call.json().unwrap_or(Value::Null);
        Reply::json(StatusCode::CREATED, &json!({"created": body}))
    }

    fn login(&self, call: &mut Call) -> Reply {
        let core = call.core.clone();
        let who: Value = call.json().unwrap_or(Value::Null);
        let Some(tenant) = who["tenant"].as_str() else {
            return tp_error("TP.BAD", Some("field tenant is required"), None).expect("known code");
        };
        let token = core.ids.hex32();
        core.credentials.issue(&core.clock, "tp", tenant, &token, Duration::from_secs(3600), false);
        Reply::json(StatusCode::OK, &json!({"token": token}))
    }

    fn whoami(&self, call: &mut Call) -> Reply {
        let core = call.core.clone();
        let token = call.header("x-token").unwrap_or("");
        match core.credentials.check(&core.clock, token) {
            CredentialState::Valid { tenant } => Reply::json(StatusCode::OK, &json!({"tenant": tenant})),
            CredentialState::Expired => tp_error("TP.EXPIRED", None, None).expect("known code"),
            _ => tp_error("TP.BAD", Some("unknown session"), None).expect("known code"),
        }
    }

    fn job_create(&self, call: &mut Call) -> Reply {
        let core = call.core.clone();
        let id = core.ids.uuid();
        let tenant = tenant(call);
        let lc = core.lifecycles.start(
            &core,
            LifecycleSpec {
                provider: "tp".into(),
                operation: "tp.job.create".into(),
                tenant: tenant.clone(),
                group: call.header("x-group").map(str::to_string),
                resource: id.clone(),
                steps: JOB_STEPS.iter().map(|(s, d)| Step::new(*s, *d)).collect(),
                outcome: Outcome::Success,
                data: json!({"tenant": tenant}),
            },
        );
        let job = Job { id: id.clone(), status: lc.status().to_string(), error: None, message: None };
        self.jobs.insert(&tenant, &id, job.clone());
        Reply::json(StatusCode::ACCEPTED, &job)
    }

    fn job_get(&self, call: &mut Call) -> Reply {
        match self.jobs.get(&tenant(call), call.param("id")) {
            Some(job) => Reply::json(StatusCode::OK, &job),
            None => tp_error("TP.NOT_FOUND", None, None).expect("known code"),
        }
    }

    /// One path, several operations named by the body's `method` (like JSON-RPC).
    fn rpc(&self, call: &mut Call) -> Reply {
        Reply::json(StatusCode::OK, &json!({"operation": call.operation}))
    }

    /// Takes ten product seconds, like a synchronous deploy.
    fn slow(&self, _call: &mut Call) -> Reply {
        Reply::json(StatusCode::OK, &json!({"done": true})).hold(Duration::from_secs(10))
    }
}

fn refine_rpc(call: &Call) -> Option<&'static str> {
    match call.json::<Value>().ok()?["method"].as_str()? {
        "ping" => Some("tp.rpc.ping"),
        "echo" => Some("tp.rpc.echo"),
        _ => None,
    }
}

impl Provider for Tp {
    fn name(&self) -> &'static str {
        "tp"
    }

    fn prefixes(&self) -> Vec<&'static str> {
        vec!["/tp/"]
    }

    fn routes(self: Arc<Self>) -> Vec<Route> {
        Routes::new(self)
            .add(Method::GET, "/tp/items", "tp.item.list", Tp::item_list)
            .add(Method::GET, "/tp/items/{id}", "tp.item.get", Tp::item_get)
            .add(Method::POST, "/tp/items", "tp.item.create", Tp::item_create)
            .add(Method::POST, "/tp/login", "tp.session.create", Tp::login)
            .add(Method::GET, "/tp/whoami", "tp.session.get", Tp::whoami)
            .add(Method::POST, "/tp/jobs", "tp.job.create", Tp::job_create)
            .add(Method::GET, "/tp/jobs/{id}", "tp.job.get", Tp::job_get)
            .add(Method::POST, "/tp/slow", "tp.slow.run", Tp::slow)
            .add_refined(Method::POST, "/tp/rpc", "tp.rpc.call", refine_rpc, Tp::rpc)
            .build()
    }

    fn refined_operations(&self) -> Vec<&'static str> {
        vec!["tp.rpc.ping", "tp.rpc.echo"]
    }

    fn identify(&self, core: &Core, call: &mut Call) {
        if let Some(t) = call.header("x-tenant").map(str::to_string) {
            call.set_tenant(t);
        }
        if let Some(token) = call.header("x-token").map(str::to_string) {
            if let CredentialState::Valid { tenant } = core.credentials.check(&core.clock, &token) {
                call.set_tenant(tenant);
            }
            call.credential = Some(token);
        }
    }

    fn group(&self, _core: &Core, call: &Call) -> Option<String> {
        call.header("x-group").map(str::to_string)
    }

    fn core_error(&self, err: &CoreError, _call: &Call) -> Reply {
        match err {
            CoreError::NotFound => tp_error("TP.NOT_FOUND", None, None),
            _ => tp_error("TP.BAD", Some(&format!("{err:?}")), None),
        }
        .expect("known code")
    }

    fn error_codes(&self) -> Vec<&'static str> {
        CODES.iter().map(|(c, _, _)| *c).collect()
    }

    fn error_reply(&self, spec: &ErrorSpec, _call: &Call) -> Option<Reply> {
        tp_error(spec.code, spec.message, spec.details)
    }

    fn lifecycle_vocabulary(&self, operation: &str) -> Option<LifecycleVocabulary> {
        (operation == "tp.job.create").then(|| LifecycleVocabulary {
            statuses: vec!["queued", "running", "verifying"],
            failure_codes: vec!["TP.JOB_TIMEOUT"],
        })
    }

    fn load_fixtures(&self, _core: &Core, _files: &FixtureFiles) -> Result<(), String> {
        Ok(())
    }

    fn on_lifecycle(&self, _core: &Core, event: &LifecycleEvent) {
        let (lc, status, error, message) = match event {
            LifecycleEvent::Step { lifecycle, index } => {
                (*lifecycle, lifecycle.spec.steps[*index].status.clone(), None, None)
            }
            LifecycleEvent::Finished { lifecycle } => match &lifecycle.spec.outcome {
                Outcome::Success => (*lifecycle, "done".to_string(), None, None),
                Outcome::Failure { code, message, .. } => {
                    (*lifecycle, "failed".to_string(), Some(code.clone()), message.clone())
                }
            },
        };
        self.jobs.update(&lc.spec.tenant, &lc.spec.resource, |job| {
            job.status = status;
            job.error = error;
            job.message = message;
        });
    }

    fn identities(&self, _core: &Core) -> Value {
        json!({})
    }
}

pub struct Tq;

impl Tq {
    fn ping(&self, _call: &mut Call) -> Reply {
        Reply::json(StatusCode::OK, &json!({"pong": true}))
    }
}

impl Provider for Tq {
    fn name(&self) -> &'static str {
        "tq"
    }

    fn prefixes(&self) -> Vec<&'static str> {
        vec!["/tq/"]
    }

    fn routes(self: Arc<Self>) -> Vec<Route> {
        Routes::new(self).add(Method::GET, "/tq/ping", "tq.ping.get", Tq::ping).build()
    }

    fn core_error(&self, _err: &CoreError, _call: &Call) -> Reply {
        Reply::json(StatusCode::NOT_FOUND, &json!({"oops": "not found"}))
    }

    fn error_codes(&self) -> Vec<&'static str> {
        vec!["TQ.OOPS"]
    }

    fn error_reply(&self, spec: &ErrorSpec, _call: &Call) -> Option<Reply> {
        (spec.code == "TQ.OOPS").then(|| Reply::json(StatusCode::INTERNAL_SERVER_ERROR, &json!({"oops": spec.message})))
    }

    fn load_fixtures(&self, _core: &Core, _files: &FixtureFiles) -> Result<(), String> {
        Ok(())
    }

    fn on_lifecycle(&self, _core: &Core, _event: &LifecycleEvent) {}

    fn identities(&self, _core: &Core) -> Value {
        json!({})
    }
}
