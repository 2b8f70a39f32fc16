//! Stored resources (one store table each, keyed by org id) and the documented enums.
//!
//! The catalog calls images "streams" and copies "assets"; rows keep the API's names so a state dump reads
//! like the API.

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub const SOURCE_TYPES: &[&str] = &[
    "AKKA_CUSTOM_VM",
    "AKKA_MARKET_PLACE",
    "AKKA_SIG",
    "AZURE_CUSTOM_VM",
    "AZURE_MARKET_PLACE",
    "AZURE_SIG",
    "COPIED_FROM_VERSION",
    "IMPORTED_VMS",
    "UPLOADED",
    "VSPHERE_CATALOG",
];
pub const GPU_TYPES: &[&str] = &["AMD", "NONE", "NVIDIA"];
pub const OS_TYPES: &[&str] = &["CLIENT", "LINUX", "SERVER", "WINDOWS", "WVD"];
pub const PROVIDER_LABELS: &[&str] = &["AKKA", "AZURE", "VSPHERE", "ZEROCLOUD"];
pub const VERSION_TYPES: &[&str] = &["MAJOR", "MINOR", "PATCH"];
pub const ASSET_TYPES: &[&str] = &[
    "AKKA_IMAGE_IN_RG",
    "AKKA_VM_IN_RG",
    "AZURE_IMAGE_IN_RG",
    "AZURE_IMAGE_IN_SIG",
    "AZURE_IMAGE_REPLICA_IN_SIG",
    "AZURE_VM_IN_RG",
    "VSPHERE_MASTER_VM",
    "AZURE_NETWORK_RESOURCE",
];
pub const IMAGE_STATUSES: &[&str] = &[
    "AVAILABLE",
    "DELETING",
    "DISABLED",
    "FAILED",
    "IMPORT_COMPLETE",
    "IN_PROGRESS",
    "PARTIALLY_AVAILABLE",
    "PENDING",
];
pub const VERSION_STATUSES: &[&str] = &[
    "AVAILABLE",
    "DELETING",
    "DISABLED",
    "FAILED",
    "FAILED_UNRECOVERABLE",
    "IMPORT_COMPLETE",
    "IMPORT_IN_PROGRESS",
    "PARTIALLY_AVAILABLE",
    "PENDING",
    "PUBLISH_IN_PROGRESS",
    "REPLICATION_IN_PROGRESS",
    "VALIDATION_FAILED",
    "VALIDATION_IN_PROGRESS",
];
pub const ASSET_STATUSES: &[&str] = &[
    "AGENT_INSTALLATION_FAILED",
    "ALLOW_RDP_FAILED",
    "AVAILABLE",
    "CAPTURE_AND_IMAGE_UPLOAD_FAILED",
    "CAPTURING_AND_UPLOADING_IMAGE_TO_SIG",
    "CLONE_FAILED",
    "COPYING_IMAGE",
    "DELETING",
    "DELETION_FAILED",
    "DELETION_RETRY_PENDING",
    "DEPLOYING_VM",
    "DISABLED",
    "ENABLING_RDS_AND_ALLOW_RDP_FAILED",
    "GENERALIZING",
    "GENERALIZING_FAILED",
    "IMPORT_COMPLETE",
    "IMPORT_FAILED",
    "IMPORT_FAILED_TIMEOUT",
    "IMPORT_PENDING",
    "IMPORT_RETRY_PENDING",
    "INSTALLING_AGENTS",
    "PUBLISH_BACKUP_FAILED",
    "PUBLISH_BACKUP_IN_PROGRESS",
    "PUBLISH_CLEANUP_FAILED",
    "PUBLISH_CLEANUP_IN_PROGRESS",
    "PUBLISH_COMPLETE",
    "PUBLISH_FAILED",
    "PUBLISH_IN_PROGRESS",
    "PUBLISH_RETRY_PENDING",
    "REPLICATING",
    "REPLICATION_COMPLETE",
    "REPLICATION_FAILED",
    "REPLICATION_FAILED_TIMEOUT",
    "RESTARTING_VM",
    "SCANNING_APPS",
    "SHUTTING_DOWN_VM",
    "SYSPREPING",
    "SYSPREP_FAILED",
    "VALIDATION_FAILED",
    "VALIDATION_IN_PROGRESS",
];

/// Version statuses during which the version (and so its image) is busy.
pub fn version_in_transition(status: &str) -> bool {
    matches!(
        status,
        "PENDING"
            | "IMPORT_IN_PROGRESS"
            | "PUBLISH_IN_PROGRESS"
            | "REPLICATION_IN_PROGRESS"
            | "VALIDATION_IN_PROGRESS"
            | "DELETING"
    )
}

/// The image status a version's status stands for (reference §10: the image follows the version acted on
/// last); None when the version is being deleted, which says nothing about the image.
pub fn image_status_for(version_status: &str) -> Option<&'static str> {
    match version_status {
        "PENDING" => Some("PENDING"),
        "IMPORT_IN_PROGRESS" | "PUBLISH_IN_PROGRESS" | "REPLICATION_IN_PROGRESS" | "VALIDATION_IN_PROGRESS" => {
            Some("IN_PROGRESS")
        }
        "IMPORT_COMPLETE" => Some("IMPORT_COMPLETE"),
        "AVAILABLE" => Some("AVAILABLE"),
        "PARTIALLY_AVAILABLE" => Some("PARTIALLY_AVAILABLE"),
        "DISABLED" => Some("DISABLED"),
        "FAILED" | "FAILED_UNRECOVERABLE" | "VALIDATION_FAILED" => Some("FAILED"),
        _ => None,
    }
}

/// Asset statuses that end a failed background operation.
pub fn asset_failed(status: &str) -> bool {
    status.ends_with("_FAILED") || status == "IMPORT_FAILED_TIMEOUT" || status == "REPLICATION_FAILED_TIMEOUT"
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderInstance {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub provider_label: String,
    pub region: String,
    /// `READY`, or `ERROR` for an instance whose credentials Azure refuses: work submitted there fails with 500.
    pub status: String,
}

/// A fixture API token (CSP "refresh token" of an API-token login) or OAuth client, with what its access
/// tokens carry.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Principal {
    /// The API token, or the OAuth client id.
    pub key: String,
    /// The OAuth client secret; None for API tokens.
    #[serde(default)]
    pub secret: Option<String>,
    pub org_id: String,
    pub username: String,
    pub perms: Vec<String>,
}

/// An issued refresh token and whom it stands for; its lifetime is kept by the credential registry.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshGrant {
    pub token: String,
    pub org_id: String,
    pub username: String,
    pub perms: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub description: Option<String>,
    pub os: Option<String>,
    pub os_type: String,
    pub gpu_type: String,
    pub multi_session: bool,
    pub source_type: String,
    pub source_stream_id: Option<String>,
    pub source_version_id: Option<String>,
    pub status: String,
    /// Where the image's source VM or SIG image lives; versions default to it.
    pub provider_instance_id: String,
    pub provider_label: String,
    pub created_at: String,
    pub updated_at: String,
    /// Spring Data's optimistic-lock counter, bumped on every change.
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Version {
    pub id: String,
    pub stream_id: String,
    pub org_id: String,
    pub name: String,
    pub description: Option<String>,
    /// Null means "the image's".
    pub os: Option<String>,
    pub source_type: String,
    pub source_version_id: Option<String>,
    pub state: String,
    pub status: String,
    pub last_triggered_action: String,
    pub version_type: String,
    pub options: Value,
    pub version_validation_details: Value,
    pub version_history: Vec<String>,
    pub provider_instance_id: String,
    /// The last accepted publish request (`VersionPublishTO` fields), echoed by reads.
    #[serde(default)]
    pub publish: Option<Value>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

/// `Default` gives a fresh copy's bookkeeping (no errors, version 0); creators fill in the rest.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Asset {
    pub id: String,
    pub image_id: String,
    pub version_id: String,
    pub org_id: String,
    pub provider_instance_id: String,
    pub provider_label: String,
    pub credential_id: Option<String>,
    pub gpu_type: String,
    pub os_type: String,
    pub multi_session: bool,
    pub state: String,
    pub status: String,
    pub asset_type: String,
    pub data: Value,
    /// The source asset's id for replicas and copies.
    pub source_asset_id: Option<String>,
    pub error_code: Option<String>,
    pub error_details: Option<String>,
    pub errors_history: Vec<Value>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

impl Asset {
    pub fn is_replica(&self) -> bool {
        self.asset_type == "AZURE_IMAGE_REPLICA_IN_SIG"
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Marker {
    pub id: String,
    pub name: String,
    pub image_id: String,
    pub version_id: String,
    pub next_version_id: Option<String>,
    pub org_id: String,
    /// Templates (pools) built on this marker; a version whose marker has any cannot be deleted.
    pub template_count: i64,
    pub created_at: String,
    pub updated_at: String,
}
