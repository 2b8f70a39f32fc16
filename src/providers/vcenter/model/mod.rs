//! The vCenter world as store rows. Every row is per tenant, and the tenant is the session's user: each fixture
//! user gets its own copy of the inventory and content library, so parallel tests never see each other.

pub mod ovf;

use serde::{Deserialize, Serialize};

/// An inventory object other than a VM: datacenter, folder, cluster, resource pool, host, datastore, network.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InvObject {
    pub id: String,
    pub kind: Kind,
    pub name: String,
    #[serde(default)]
    pub datacenter: Option<String>,
    /// Folder the object sits in (datacenters, hosts, datastores, networks, clusters, folders).
    #[serde(default)]
    pub folder: Option<String>,
    /// Folder type (`VIRTUAL_MACHINE`, `HOST`...), datastore type (`VMFS`...) or network type.
    #[serde(default, rename = "type")]
    pub subtype: Option<String>,
    /// Parent pool of a resource pool.
    #[serde(default)]
    pub parent: Option<String>,
    /// Cluster of a host or of a resource pool.
    #[serde(default)]
    pub cluster: Option<String>,
    /// Hosts a resource pool can place VMs on.
    #[serde(default)]
    pub hosts: Vec<String>,
    /// A cluster's root resource pool.
    #[serde(default)]
    pub resource_pool: Option<String>,
    #[serde(default)]
    pub ha_enabled: bool,
    #[serde(default)]
    pub drs_enabled: bool,
    #[serde(default)]
    pub connection_state: Option<String>,
    #[serde(default)]
    pub power_state: Option<String>,
    #[serde(default)]
    pub capacity: i64,
    #[serde(default)]
    pub free_space: i64,
    /// Datacenter special folders (datacenters only).
    #[serde(default)]
    pub vm_folder: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Datacenter,
    Folder,
    Cluster,
    ResourcePool,
    Host,
    Datastore,
    Network,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Vm {
    pub id: String,
    pub name: String,
    pub power_state: String,
    pub cpu_count: i64,
    #[serde(rename = "memory_size_MiB")]
    pub memory_mib: i64,
    #[serde(rename = "guest_OS")]
    pub guest_os: String,
    pub folder: String,
    pub host: String,
    pub resource_pool: String,
    pub datastore: String,
    /// Network ids, one NIC each.
    #[serde(default)]
    pub networks: Vec<String>,
    /// Capacities in bytes, one disk each.
    #[serde(default)]
    pub disks: Vec<i64>,
    #[serde(default)]
    pub annotation: String,
    /// Library item it was deployed from.
    #[serde(default)]
    pub source_item: Option<String>,
    /// An export (OVF create) or deploy is running on it.
    #[serde(default)]
    pub busy: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Library {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub datastore_id: String,
    pub creation_time: String,
    pub last_modified_time: String,
    pub version: u64,
    pub server_guid: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredFile {
    pub name: String,
    pub size: i64,
    /// Descriptors are kept as text; disk bytes are not kept, only their size and SHA-1.
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub sha1: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Item {
    pub id: String,
    pub library_id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(rename = "type")]
    pub item_type: String,
    pub creation_time: String,
    pub last_modified_time: String,
    pub content_version: u64,
    pub metadata_version: u64,
    #[serde(default)]
    pub files: Vec<StoredFile>,
    /// Parsed `.ovf`, when the item holds one that parses.
    #[serde(default)]
    pub ovf: Option<ovf::OvfDescriptor>,
    #[serde(default)]
    pub source_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UpdateFile {
    pub name: String,
    pub source_type: String,
    #[serde(default)]
    pub size: Option<i64>,
    /// Upload slot id in `/cls/data/{slot}/{name}`.
    pub slot: String,
    pub bytes_transferred: i64,
    /// WAITING_FOR_TRANSFER | READY | ERROR
    pub status: String,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub sha1: Option<String>,
    #[serde(default)]
    pub checksum: Option<(String, String)>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UpdateSession {
    pub id: String,
    pub library_item_id: String,
    pub content_version: u64,
    /// ACTIVE | DONE | ERROR | CANCELED
    pub state: String,
    pub client_progress: i64,
    pub expiration_time: String,
    #[serde(default)]
    pub error_message: Option<String>,
    #[serde(default)]
    pub files: Vec<UpdateFile>,
    /// `complete` was called; the content is committed, the state flips to DONE on the clock.
    #[serde(default)]
    pub completed: bool,
}

/// A login session's own data; validity lives in the core credential registry.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Session {
    pub user: String,
    pub created_time: String,
    pub last_accessed_time: String,
}

/// A fixture login.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct User {
    pub user: String,
    pub password: String,
    pub role: String,
    pub privileges: Vec<String>,
}

/// What a `client_token` already produced, so a replay returns it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Replay {
    pub result: serde_json::Value,
}

/// vAPI date-time: RFC 3339 UTC with milliseconds.
pub fn vapi_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}
