//! The ZStack world: accounts, sessions, inventories (VMs, volumes, images and the infrastructure they sit on)
//! and async API jobs.
//!
//! Inventories are kept in their wire shape (a JSON map with ZStack's field names), so queries can filter any
//! field and nested list the real server exposes; the few fields the emulator reasons about are read through
//! typed accessors. Tenancy is the account: VMs, volumes, sessions and jobs live under the owning account's
//! name; images and infrastructure are shared and live under `GLOBAL`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Tenant key of the shared rows (images, zones, clusters, hosts, networks, storage).
pub const GLOBAL: &str = "_global";

pub const SESSION_TIMEOUT_SECS: u64 = 7200;
pub const MAX_SESSIONS_PER_ACCOUNT: usize = 500;
/// `rest.completedApi.expiredPeriod`: finished jobs can be polled this long (product time).
pub const JOB_RETENTION_MS: u64 = 10_800_000;
/// Finished jobs kept at most; the oldest finished go first past it.
pub const MAX_JOBS: usize = 10_000;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub uuid: String,
    pub name: String,
    /// Plain text (fixture secrets are not secrets); clients send its SHA-512 hex.
    pub password: String,
    /// `SystemAdmin` or `Normal`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub description: String,
    pub create_date: String,
    pub last_op_date: String,
}

impl Account {
    pub fn is_admin(&self) -> bool {
        self.kind == "SystemAdmin"
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub uuid: String,
    pub account_uuid: String,
    pub account_name: String,
    pub create_date: String,
}

/// An inventory row: the wire fields plus who owns it and its tags (queryable as `__systemTag__`/`__userTag__`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    /// Account uuid of the owner.
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub system_tags: Vec<String>,
    #[serde(default)]
    pub user_tags: Vec<String>,
    #[serde(flatten)]
    pub inventory: Map<String, Value>,
}

impl Resource {
    pub fn uuid(&self) -> &str {
        self.str("uuid").unwrap_or("")
    }

    pub fn str(&self, field: &str) -> Option<&str> {
        self.inventory.get(field).and_then(Value::as_str)
    }

    pub fn i64(&self, field: &str) -> Option<i64> {
        self.inventory.get(field).and_then(Value::as_i64)
    }

    pub fn bool(&self, field: &str) -> bool {
        self.inventory.get(field).and_then(Value::as_bool).unwrap_or(false)
    }

    pub fn set(&mut self, field: &str, value: impl Into<Value>) {
        self.inventory.insert(field.to_string(), value.into());
    }

    /// Nulls are never written on the wire, so a cleared field is removed.
    pub fn clear(&mut self, field: &str) {
        self.inventory.shift_remove(field);
    }

    pub fn is(&self, field: &str, value: &str) -> bool {
        self.str(field) == Some(value)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobState {
    /// Waiting for earlier jobs on the same VM (ZStack runs a VM's operations one at a time, in order).
    Queued,
    Running,
    Succeeded,
    Failed,
}

/// What an async API asked for, kept until the job's turn on the VM comes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "action")]
pub enum JobRequest {
    Stop {
        cold: bool,
    },
    Start {
        host_uuid: Option<String>,
        cluster_uuid: Option<String>,
    },
    Reboot,
    ChangeImage {
        image_uuid: String,
        resource_uuid: Option<String>,
        root_pool: Option<String>,
    },
    /// Refused before it ran (validation, session, scenario fault): only the error is kept.
    Refused,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    pub uuid: String,
    /// The operation id (`zstack.vm.stop`, ...), for lifecycles and scenarios.
    pub operation: String,
    pub vm_uuid: String,
    /// Tenant of the VM (the queue is per VM, the VM lives under its owner's tenant).
    pub vm_tenant: String,
    pub request: JobRequest,
    pub state: JobState,
    /// Submission order, so a VM's queue runs first come, first served.
    pub seq: u64,
    /// VM state when the job started, restored if it fails mid-way.
    #[serde(default)]
    pub state_before: Option<String>,
    #[serde(default)]
    pub result: Option<Value>,
    #[serde(default)]
    pub error: Option<Value>,
    /// Product ticks when the job ended (for retention).
    #[serde(default)]
    pub finished_at: Option<u64>,
}

impl Job {
    pub fn is_finished(&self) -> bool {
        matches!(self.state, JobState::Succeeded | JobState::Failed)
    }
}
