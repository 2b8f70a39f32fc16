//! ZStack Cloud `/zstack/v1`: login and sessions, queries, VM actions (stop, start, reboot, changeVmImage) as
//! async API jobs polled at `/zstack/v1/api-jobs/{uuid}`. See docs/zstack.md.

mod change_image;
pub mod dates;
pub mod errors;
mod fixtures;
mod handlers;
mod inventory;
mod jobs;
pub mod model;
pub mod query_eval;
pub mod query_string;
mod routes;
mod shapes;
mod wire;

use std::sync::{Arc, Mutex};

use hyper::Method;
use serde_json::{json, Value};

use self::errors::ErrorCode;
use self::model::{Account, Job, Resource, Session, GLOBAL};
use crate::core::call::{Call, Reply};
use crate::core::credentials::CredentialState;
use crate::core::fixtures::FixtureFiles;
use crate::core::lifecycle::LifecycleEvent;
use crate::core::provider::{CoreError, ErrorSpec, LifecycleVocabulary, Provider, Route};
use crate::core::store::{Store, Table};
use crate::core::Core;

pub struct ZStack {
    /// Under `GLOBAL`, keyed by account uuid.
    pub accounts: Arc<Table<Account>>,
    /// Under the account name, keyed by session uuid; the credential registry decides validity.
    pub sessions: Arc<Table<Session>>,
    /// Under the owner's account name.
    pub vms: Arc<Table<Resource>>,
    pub volumes: Arc<Table<Resource>>,
    /// Shared rows, under `GLOBAL`.
    pub images: Arc<Table<Resource>>,
    pub zones: Arc<Table<Resource>>,
    pub clusters: Arc<Table<Resource>>,
    pub hosts: Arc<Table<Resource>>,
    pub l3_networks: Arc<Table<Resource>>,
    pub primary_storages: Arc<Table<Resource>>,
    pub backup_storages: Arc<Table<Resource>>,
    /// Under the submitting account's name (`GLOBAL` when the session was not valid), keyed by job uuid.
    pub jobs: Arc<Table<Job>>,
    /// Serialises the job engine (submission, per-VM queues, lifecycle callbacks); holds no state itself.
    engine: Mutex<()>,
}

pub fn provider(store: &Store) -> Arc<dyn Provider> {
    Arc::new(ZStack {
        accounts: store.table("zstack.accounts"),
        sessions: store.table("zstack.sessions"),
        vms: store.table("zstack.vms"),
        volumes: store.table("zstack.volumes"),
        images: store.table("zstack.images"),
        zones: store.table("zstack.zones"),
        clusters: store.table("zstack.clusters"),
        hosts: store.table("zstack.hosts"),
        l3_networks: store.table("zstack.l3Networks"),
        primary_storages: store.table("zstack.primaryStorages"),
        backup_storages: store.table("zstack.backupStorages"),
        jobs: store.table("zstack.jobs"),
        engine: Mutex::new(()),
    })
}

/// Who is calling, once a session has been found valid.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account: Account,
}

impl Caller {
    pub fn tenant(&self) -> &str {
        &self.account.name
    }
}

impl ZStack {
    pub fn account_by_uuid(&self, uuid: &str) -> Option<Account> {
        self.accounts.get(GLOBAL, uuid)
    }

    pub fn account_by_name(&self, name: &str) -> Option<Account> {
        self.accounts.find_any(|_, a| a.name == name).map(|(_, _, a)| a)
    }

    /// The session check of the API pipeline: unknown, expired or logged out is ID.1001. A valid session is
    /// renewed by the use (sliding expiry, done by the registry for idle credentials).
    pub fn authenticate(&self, core: &Core, session_uuid: &str) -> Result<Caller, ErrorCode> {
        match core.credentials.check(&core.clock, session_uuid) {
            CredentialState::Valid { tenant } => {
                let session = self.sessions.get(&tenant, session_uuid).ok_or_else(ErrorCode::invalid_session)?;
                let account = self.account_by_uuid(&session.account_uuid).ok_or_else(ErrorCode::invalid_session)?;
                Ok(Caller { account })
            }
            CredentialState::Expired | CredentialState::Revoked | CredentialState::Unknown => {
                Err(ErrorCode::invalid_session())
            }
        }
    }

    /// A VM by uuid in any tenant, with the tenant it lives under.
    pub fn find_vm(&self, uuid: &str) -> Option<(String, Resource)> {
        self.vms.find_any(|_, v| v.uuid() == uuid).map(|(t, _, v)| (t, v))
    }

    pub fn new_uuid(&self, core: &Core) -> String {
        core.ids.uuid().replace('-', "")
    }

    pub fn now(&self, core: &Core) -> String {
        dates::format_date(core.clock.now())
    }
}

impl Provider for ZStack {
    fn name(&self) -> &'static str {
        "zstack"
    }

    fn prefixes(&self) -> Vec<&'static str> {
        vec!["/zstack/"]
    }

    fn routes(self: Arc<Self>) -> Vec<Route> {
        routes::table(self)
    }

    fn refined_operations(&self) -> Vec<&'static str> {
        routes::REFINED_ACTION_OPERATIONS.to_vec()
    }

    /// Each VM action's api-job runs one step named after the VM's transition state; failures are error codes.
    fn lifecycle_vocabulary(&self, operation: &str) -> Option<LifecycleVocabulary> {
        let status = match operation {
            "zstack.vm.stop" => "Stopping",
            "zstack.vm.start" => "Starting",
            "zstack.vm.reboot" => "Rebooting",
            "zstack.vm.changeImage" => "ChangingImage",
            _ => return None,
        };
        Some(LifecycleVocabulary { statuses: vec![status], failure_codes: Vec::new() })
    }

    fn identify(&self, _core: &Core, call: &mut Call) {
        if let Ok(sid) = wire::session_id(call) {
            if let Some((tenant, _, _)) = self.sessions.find_any(|_, s| s.uuid == sid) {
                call.set_tenant(tenant);
            }
            call.credential = Some(sid);
        } else if call.operation == "zstack.session.login" {
            let name = wire::body_map(call)
                .ok()
                .flatten()
                .and_then(|b| b.get("logInByAccount")?.get("accountName")?.as_str().map(str::to_string));
            if let Some(account) = name.and_then(|n| self.account_by_name(&n)) {
                call.set_tenant(account.name);
            }
        }
    }

    fn core_error(&self, err: &CoreError, call: &Call) -> Reply {
        let uri = percent_encoding::percent_decode_str(&call.path).decode_utf8_lossy().into_owned();
        match err {
            CoreError::NotFound => wire::text(404, format!("no api mapping to {}", wire::api_path(call))),
            CoreError::MethodNotAllowed(_) if wire::api_path(call).starts_with("/v1/api-jobs/") => {
                wire::text(405, "only GET method is allowed for querying job status")
            }
            // The server's answers for a path whose APIs do not include one for this method.
            CoreError::MethodNotAllowed(_) => match call.method {
                Method::GET => wire::text(500, format!("No query API found for the path[{uri}]")),
                Method::POST => wire::text(500, format!("No creational API found for the path[{uri}]")),
                Method::DELETE => wire::text(500, format!("No delete API found for the path[{uri}]")),
                Method::PUT => wire::text(
                    400,
                    format!("the body doesn't contain action mapping to the URL[{}]", wire::api_path(call)),
                ),
                _ => wire::text(405, format!("The method[{}] is not allowed for the path[{uri}]", call.method)),
            },
            CoreError::PayloadTooLarge { limit } => {
                wire::text(413, format!("the request body is larger than the limit of {limit} bytes"))
            }
            CoreError::BadBody(e) => wire::text(400, format!("cannot read the request body: {e}")),
        }
    }

    fn error_codes(&self) -> Vec<&'static str> {
        errors::CODE_TABLE.iter().map(|(c, _)| *c).collect()
    }

    fn error_reply(&self, spec: &ErrorSpec, call: &Call) -> Option<Reply> {
        errors::description_of(spec.code)?;
        let error = errors::from_spec(spec);
        if jobs::is_async_operation(call.operation) {
            // Async APIs never fail on the PUT: the error is what the job poll answers.
            return Some(jobs::refused_job_reply(self, call, error));
        }
        Some(wire::failed(&error))
    }

    fn load_fixtures(&self, core: &Core, files: &FixtureFiles) -> Result<(), String> {
        fixtures::load(self, core, files)
    }

    fn on_lifecycle(&self, core: &Core, event: &LifecycleEvent) {
        jobs::on_lifecycle(self, core, event);
    }

    fn identities(&self, _core: &Core) -> Value {
        let accounts: Vec<Value> = self
            .accounts
            .list(GLOBAL)
            .into_iter()
            .map(|a| {
                json!({
                    "accountName": a.name,
                    "password": a.password,
                    "accountUuid": a.uuid,
                    "type": a.kind,
                    "tenant": a.name,
                })
            })
            .collect();
        json!({
            "login": "PUT /zstack/v1/accounts/login {\"logInByAccount\": {\"accountName\", \"password\": sha512-hex}}",
            "accounts": accounts,
        })
    }
}
