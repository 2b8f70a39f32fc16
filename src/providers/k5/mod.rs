//! Fujitsu K5 / FJcloud-O on one port: Keystone v3 identity at the root, Swift object storage under
//! `/objectstorage` (and `/v1/AUTH_*`, the form import `location`s use), the virtual server import/export API at
//! `/v1/imageimport` (and under `/vmimport` and `/import-export`), and the Glance v2 image service under
//! `/image`. docs/k5.md describes the layout, the check orders and the decisions.

mod errors;
mod model;
mod ops;
mod routes;
mod wire;

use hyper::StatusCode;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex, RwLock};

use crate::core::call::{Call, Reply};
use crate::core::credentials::CredentialState;
use crate::core::fixtures::FixtureFiles;
use crate::core::lifecycle::LifecycleEvent;
use crate::core::provider::{CoreError, ErrorSpec, LifecycleVocabulary, Provider, Route};
use crate::core::store::{Store, Table};
use crate::core::Core;

use model::fixtures::Settings;
use model::identity::{Token, World};
use model::images::{Export, Image, Import, Member};
use model::storage::{Account, Container, Object};

pub const NAME: &str = "k5";

/// Which K5 service a route belongs to, for rendering errors the core finds before a handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    Identity,
    Swift,
    Import,
    Export,
    Image,
}

impl Service {
    pub(crate) fn of_operation(op: &str) -> Option<Service> {
        let rest = op.strip_prefix("k5.")?;
        Some(match rest.split('.').next()? {
            "identity" | "token" | "catalog" | "project" => Service::Identity,
            "swift" | "account" | "container" | "object" => Service::Swift,
            "imageimport" => Service::Import,
            "imageexport" => Service::Export,
            "image" | "imageMember" => Service::Image,
            _ => return None,
        })
    }

    pub(crate) fn of_path(path: &str) -> Service {
        if path.starts_with("/objectstorage") || path.starts_with("/v1/AUTH_") || path == "/info" {
            Service::Swift
        } else if path.starts_with("/image/") || path == "/image" {
            Service::Image
        } else if path.contains("/imageexport") {
            Service::Export
        } else if path.contains("/imageimport") {
            Service::Import
        } else {
            Service::Identity
        }
    }
}

pub struct K5 {
    pub(crate) world: RwLock<World>,
    pub(crate) settings: RwLock<Settings>,
    pub(crate) tokens: Arc<Table<Token>>,
    pub(crate) accounts: Arc<Table<Account>>,
    pub(crate) containers: Arc<Table<Container>>,
    pub(crate) objects: Arc<Table<Object>>,
    pub(crate) imports: Arc<Table<Import>>,
    pub(crate) exports: Arc<Table<Export>>,
    pub(crate) images: Arc<Table<Image>>,
    pub(crate) members: Arc<Table<Member>>,
    /// Recent password failures per user id, as wall-clock Unix milliseconds (only kept when lockout is on).
    pub(crate) failures: Arc<Table<Vec<i64>>>,
    /// Serialises the register checks that read then write (image id in use, the contract's concurrency
    /// count), so parallel requests cannot both take the last slot or the same id.
    pub(crate) register_lock: Mutex<()>,
}

pub fn provider(store: &Store) -> Arc<dyn Provider> {
    Arc::new(K5 {
        world: RwLock::new(World::default()),
        settings: RwLock::new(Settings::default()),
        tokens: store.table("k5.tokens"),
        accounts: store.table("k5.accounts"),
        containers: store.table("k5.containers"),
        objects: store.table("k5.objects"),
        imports: store.table("k5.imports"),
        exports: store.table("k5.exports"),
        images: store.table("k5.images"),
        members: store.table("k5.image_members"),
        failures: store.table("k5.login_failures"),
        register_lock: Mutex::new(()),
    })
}

impl K5 {
    pub(crate) fn world(&self) -> std::sync::RwLockReadGuard<'_, World> {
        self.world.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn settings(&self) -> Settings {
        self.settings.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The valid token a request presents (K5 tells clients to strip CR/LF from it; we strip it too).
    pub(crate) fn caller(&self, call: &Call) -> Option<Token> {
        let presented = presented_token(call)?;
        self.valid_token(&call.core, &presented)
    }

    pub(crate) fn valid_token(&self, core: &Core, id: &str) -> Option<Token> {
        match core.credentials.check(&core.clock, id) {
            CredentialState::Valid { tenant } => self.tokens.get(&tenant, id),
            _ => None,
        }
    }
}

/// `X-Auth-Token`, or Swift's older `X-Storage-Token`.
fn presented_token(call: &Call) -> Option<String> {
    call.header("x-auth-token").or_else(|| call.header("x-storage-token")).map(|t| t.trim().to_string())
}

impl Provider for K5 {
    fn name(&self) -> &'static str {
        NAME
    }

    fn prefixes(&self) -> Vec<&'static str> {
        vec![
            "/v3",
            "/objectstorage",
            "/v1/AUTH_",
            "/info",
            "/image/",
            "/vmimport",
            "/import-export",
            "/v1/imageimport",
            "/v1/imageexport",
        ]
    }

    fn routes(self: Arc<Self>) -> Vec<Route> {
        routes::table(self)
    }

    fn identify(&self, core: &Core, call: &mut Call) {
        let Some(presented) = presented_token(call) else { return };
        if let Some(tok) = self.valid_token(core, &presented) {
            let tenant = match &tok.scope {
                model::identity::TokenScope::Project { id } => id.clone(),
                _ => tok.domain_id.clone(),
            };
            call.set_tenant(tenant);
        }
        call.credential = Some(presented);
    }

    /// The contract: imports are limited per contract, across its projects (scenario limits `per: group`).
    fn group(&self, core: &Core, call: &Call) -> Option<String> {
        let presented = presented_token(call)?;
        self.valid_token(core, &presented).map(|tok| tok.domain_id)
    }

    fn lifecycle_vocabulary(&self, operation: &str) -> Option<LifecycleVocabulary> {
        (operation == ops::imports::OPERATION).then(|| LifecycleVocabulary {
            statuses: vec!["queued", "processing"],
            // `on_lifecycle` reports this one with the seed's checksum message.
            failure_codes: vec!["checksum"],
        })
    }

    fn core_error(&self, err: &CoreError, call: &Call) -> Reply {
        let service = Service::of_operation(call.operation).unwrap_or_else(|| Service::of_path(&call.path));
        let (status, text) = match err {
            CoreError::NotFound => (StatusCode::NOT_FOUND, "The resource could not be found.".to_string()),
            CoreError::MethodNotAllowed(_) => {
                (StatusCode::METHOD_NOT_ALLOWED, "The method is not allowed for the requested URL.".into())
            }
            CoreError::PayloadTooLarge { limit } => {
                (StatusCode::PAYLOAD_TOO_LARGE, format!("Request is too large (limit {limit} bytes)."))
            }
            CoreError::BadBody(e) => (StatusCode::BAD_REQUEST, format!("The request body could not be read: {e}")),
        };
        let mut reply = match service {
            Service::Identity => errors::keystone(status, &text, &call.base_url),
            Service::Swift => ops::swift::decorate(call, errors::swift(status)),
            Service::Image => errors::glance(status, &text, call.header("accept")),
            Service::Import => match err {
                // The seed's 40037 is about the image object; a body too large to read is simply not JSON we accept.
                CoreError::PayloadTooLarge { .. } | CoreError::BadBody(_)
                    if call.operation == "k5.imageimport.create" =>
                {
                    errors::import(wire::import_request::ImportError::NotJson)
                }
                _ => errors::import_other(status, &status.as_u16().to_string(), &text),
            },
            Service::Export => errors::export(status, &status.as_u16().to_string(), &text),
        };
        if let CoreError::MethodNotAllowed(allowed) = err {
            let list: Vec<&str> = allowed.iter().map(|m| m.as_str()).collect();
            reply = reply.header("Allow", &list.join(", "));
        }
        reply
    }

    fn error_codes(&self) -> Vec<&'static str> {
        let mut v: Vec<&'static str> = wire::import_request::ALL.iter().map(|e| e.code()).collect();
        v.extend(errors::IMPORT_OTHER_CODES.iter().map(|(c, _, _)| *c));
        v.extend(errors::EXPORT_CODES.iter().map(|(c, _, _)| *c));
        v.extend(["400", "401", "403", "404", "409", "413", "422", "429", "500", "503"]);
        v.sort_unstable();
        v.dedup();
        v
    }

    fn error_reply(&self, spec: &ErrorSpec, call: &Call) -> Option<Reply> {
        let service = Service::of_operation(call.operation).unwrap_or_else(|| Service::of_path(&call.path));
        let http_status =
            spec.code.parse::<u16>().ok().filter(|c| (400..600).contains(c)).and_then(|c| StatusCode::from_u16(c).ok());
        let mut reply = match service {
            Service::Import => match errors::import_code(spec.code) {
                Some(r) => r,
                None => {
                    let status = http_status?;
                    errors::import_other(status, spec.code, status.canonical_reason().unwrap_or("Error"))
                }
            },
            Service::Export => {
                if errors::EXPORT_CODES.iter().any(|(c, _, _)| *c == spec.code) {
                    errors::export_code(spec.code)
                } else {
                    let status = http_status?;
                    errors::export(status, spec.code, status.canonical_reason().unwrap_or("Error"))
                }
            }
            Service::Identity => {
                let status = http_status?;
                let msg = if status == StatusCode::UNAUTHORIZED {
                    errors::AUTH_REQUIRED
                } else {
                    status.canonical_reason().unwrap_or("Error")
                };
                errors::keystone(status, msg, &call.base_url)
            }
            Service::Swift => ops::swift::decorate(call, errors::swift(http_status?)),
            Service::Image => {
                let status = http_status?;
                errors::glance(status, status.canonical_reason().unwrap_or("Error"), call.header("accept"))
            }
        };
        if let Some(message) = spec.message {
            // Scenario messages replace the text but keep each family's envelope.
            let body: Option<Value> = serde_json::from_slice(&reply.body).ok();
            if let Some(mut body) = body {
                for key in ["message", "error_message"] {
                    if body.get(key).is_some() {
                        body[key] = json!(message);
                    }
                }
                if body.get("error").is_some() {
                    body["error"]["message"] = json!(message);
                }
                let status = reply.status;
                let headers = reply.headers.clone();
                reply = errors::json_line(status, &body);
                for (k, v) in headers.iter() {
                    reply.headers.insert(k.clone(), v.clone());
                }
            }
        }
        Some(reply)
    }

    fn load_fixtures(&self, core: &Core, files: &FixtureFiles) -> Result<(), String> {
        model::fixtures::load(self, core, files)
    }

    fn on_lifecycle(&self, core: &Core, event: &LifecycleEvent) {
        let lc = match event {
            LifecycleEvent::Step { lifecycle, .. } | LifecycleEvent::Finished { lifecycle } => lifecycle,
        };
        match lc.spec.operation.as_str() {
            "k5.imageimport.create" => ops::imports::on_lifecycle(self, core, event),
            "k5.imageexport.create" | "k5.imageexport.cancel" => ops::exports::on_lifecycle(self, core, event),
            _ => {}
        }
    }

    fn identities(&self, _core: &Core) -> Value {
        let w = self.world();
        let contracts: Vec<Value> = w
            .contracts
            .iter()
            .map(|c| {
                json!({
                    "contract": c.name,
                    "domain_id": c.domain_id,
                    "projects": c.projects.iter().map(|p| json!({"name": p.name, "id": p.id})).collect::<Vec<_>>(),
                    "users": c.users.iter().map(|u| json!({
                        "name": u.name,
                        "id": u.id,
                        "password": u.password,
                        "default_project_id": u.default_project_id,
                        "project_roles": u.project_roles,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({
            "auth_url": "<base>/v3",
            "region": w.region,
            "contracts": contracts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::config::ServeArgs;

    fn call_for(core: &Arc<Core>, operation: &'static str, path: &str) -> Call {
        Call {
            method: hyper::Method::POST,
            path: path.into(),
            query: None,
            headers: hyper::HeaderMap::new(),
            body: bytes::Bytes::new(),
            params: Vec::new(),
            operation,
            tenant: None,
            credential: None,
            base_url: "http://h:1".into(),
            core: core.clone(),
        }
    }

    fn reply(core: &Arc<Core>, op: &'static str, path: &str, code: &str) -> (u16, String) {
        let k5 = core.provider(NAME).expect("k5 registered");
        let spec = ErrorSpec { code, message: None, details: None };
        let r = k5.error_reply(&spec, &call_for(core, op, path)).unwrap_or_else(|| panic!("no reply for {code}"));
        (r.status.as_u16(), String::from_utf8_lossy(&r.body).into_owned())
    }

    /// Scenario fault rules name errors by code: every code of the seed table renders in the import format, the
    /// same numbers in the export format under export operations, and HTTP statuses in each service's format.
    #[test]
    fn every_error_code_renders_in_its_family_format() {
        let core = Core::build(ServeArgs::parse_args(["--clock", "virtual"]).unwrap(), crate::providers::all).unwrap();
        for code in ["50001", "50002", "50003"] {
            assert_eq!(
                reply(&core, "k5.imageimport.create", "/v1/imageimport", code),
                (500, format!("{{\"error_code\":\"{code}\",\"message\":\"Internal server error.\"}}\n"))
            );
        }
        assert_eq!(
            reply(&core, "k5.imageimport.create", "/v1/imageimport", "50301"),
            (503, "{\"error_code\":\"50301\",\"message\":\"Too many requests.\"}\n".into())
        );
        for e in wire::import_request::ALL {
            let (status, body) = reply(&core, "k5.imageimport.create", "/v1/imageimport", e.code());
            assert_eq!(status, e.status());
            assert!(body.contains(e.message()));
        }
        let (status, body) = reply(&core, "k5.imageexport.create", "/v1/imageexport", "40002");
        assert_eq!(
            (status, body.as_str()),
            (400, "{\"error_code\":\"40002\",\"error_message\":\"Parameter 'image_id' has invalid value.\"}\n")
        );
        let (status, body) = reply(&core, "k5.object.get", "/v1/AUTH_x/c/o", "503");
        assert_eq!(status, 503);
        assert!(body.starts_with("<html><h1>Service Unavailable</h1>"));
        let (status, body) = reply(&core, "k5.token.create", "/v3/auth/tokens", "401");
        assert_eq!(status, 401);
        assert!(body.contains("requires authentication"));
        let (status, _) = reply(&core, "k5.image.get", "/image/v2/images/x", "500");
        assert_eq!(status, 500);
        let k5 = core.provider(NAME).unwrap();
        let spec = ErrorSpec { code: "NOPE", message: None, details: None };
        assert!(k5.error_reply(&spec, &call_for(&core, "k5.imageimport.create", "/v1/imageimport")).is_none());
        // A scenario's message replaces the text inside the same envelope.
        let spec = ErrorSpec { code: "50002", message: Some("Conversion backend down."), details: None };
        let r = k5.error_reply(&spec, &call_for(&core, "k5.imageimport.create", "/v1/imageimport")).unwrap();
        assert_eq!(&r.body[..], b"{\"error_code\":\"50002\",\"message\":\"Conversion backend down.\"}\n");
        let codes = k5.error_codes();
        for c in ["40001", "40037", "40301", "50001", "50002", "50003", "50301", "40401", "40402", "401"] {
            assert!(codes.contains(&c), "{c}");
        }
    }
}
