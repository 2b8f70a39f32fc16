//! Horizon Cloud Service next-gen Image Management (`/imagemgmt/v1`, reads also under `/ims-catalog/v1`) and the
//! CSP token service in front of it. Tenancy is the org: every table is keyed by org id.
//!
//! Layout: `routes` (the route table), `auth` (token service and Bearer check), `catalog` (images, copies,
//! markers), `versions` (add version and version reads), `publish` (publish, republish), `clone`, `delete`,
//! `lifecycle` (background work),
//! `wire` (bodies and transfer objects), `model` (rows and enums), `errors` (error format and codes),
//! `listing`/`paging`/`search` (Spring pages), `version_name`, `jwt`, `fixtures`.

mod auth;
mod catalog;
mod clone;
mod delete;
mod errors;
mod fixtures;
mod jwt;
mod lifecycle;
mod listing;
mod model;
mod paging;
mod publish;
mod routes;
mod search;
mod version_name;
mod versions;
mod wire;

use std::sync::{Arc, Mutex, MutexGuard};

use hyper::StatusCode;
use serde_json::{json, Value};

use self::errors::{csp_error, default_message, render, status_of, ApiError, CODES};
use self::model::{Asset, Image, Marker, Principal, ProviderInstance, RefreshGrant, Version};
use crate::core::call::{Call, Reply};
use crate::core::fixtures::FixtureFiles;
use crate::core::lifecycle::LifecycleEvent;
use crate::core::provider::{CoreError, ErrorSpec, LifecycleVocabulary, Provider, Route};
use crate::core::store::{Store, Table};
use crate::core::Core;

pub struct Horizon {
    instances: Arc<Table<ProviderInstance>>,
    principals: Arc<Table<Principal>>,
    refresh: Arc<Table<RefreshGrant>>,
    images: Arc<Table<Image>>,
    versions: Arc<Table<Version>>,
    assets: Arc<Table<Asset>>,
    markers: Arc<Table<Marker>>,
    /// Writes check then change several tables (duplicate names, busy images); one lock makes that atomic
    /// with respect to other writes and lifecycle steps.
    write_lock: Mutex<()>,
}

pub fn provider(store: &Store) -> Arc<dyn Provider> {
    Arc::new(Horizon {
        instances: store.table("horizon.provider_instances"),
        principals: store.table("horizon.principals"),
        refresh: store.table("horizon.refresh_tokens"),
        images: store.table("horizon.images"),
        versions: store.table("horizon.versions"),
        assets: store.table("horizon.assets"),
        markers: store.table("horizon.markers"),
        write_lock: Mutex::new(()),
    })
}

impl Horizon {
    fn write_guard(&self) -> MutexGuard<'_, ()> {
        self.write_lock.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// 24 lowercase hex characters, Mongo ObjectId style, like the real ids.
    fn new_id(core: &Core) -> String {
        hex::encode(core.ids.bytes::<12>())
    }

    fn image(&self, org: &str, id: &str) -> Result<Image, ApiError> {
        self.images
            .get(org, id)
            .ok_or_else(|| ApiError::new("IMAGE_NOT_FOUND", format!("Image is not found for given imageId {id}")))
    }

    /// The prelude of every read under `/images/{imageId}`: the caller's org and the path's image in it.
    fn read_image(&self, call: &Call) -> Result<(String, Image), ApiError> {
        let org = auth::caller(call, false)?.org;
        let image = self.image(&org, call.param("imageId"))?;
        Ok((org, image))
    }

    /// A version of that image (a version id of another image is not found).
    fn version(&self, org: &str, image_id: &str, id: &str) -> Result<Version, ApiError> {
        self.versions.get(org, id).filter(|v| v.stream_id == image_id).ok_or_else(|| {
            ApiError::new(
                "VERSION_NOT_FOUND",
                format!("Version is not found for given imageId {image_id} and versionId {id}"),
            )
        })
    }

    fn versions_of(&self, org: &str, image_id: &str) -> Vec<Version> {
        self.versions.filter(org, |v| v.stream_id == image_id)
    }

    fn markers_of_version(&self, org: &str, v: &Version) -> Vec<Value> {
        self.markers.filter(org, |m| m.version_id == v.id).iter().map(|m| wire::marker_to(m, &v.status)).collect()
    }

    fn render_image(&self, img: &Image) -> Value {
        let versions = self.versions_of(&img.org_id, &img.id);
        let mut markers = Vec::new();
        for v in &versions {
            markers.extend(self.markers_of_version(&img.org_id, v));
        }
        wire::image_to(img, markers, versions.len())
    }

    fn render_version(&self, v: &Version) -> Value {
        wire::version_to(v, self.markers_of_version(&v.org_id, v))
    }

    /// Image busy: deleting, or one of its versions has background work running.
    fn busy(&self, org: &str, image: &Image) -> Option<ApiError> {
        let busy = image.status == "DELETING"
            || self.versions_of(org, &image.id).iter().any(|v| model::version_in_transition(&v.status));
        busy.then(|| {
            ApiError::new(
                "IMAGE_OPERATION_IN_PROGRESS",
                format!("Another operation is in progress on image {}", image.id),
            )
        })
    }

    /// Image names are unique per org, ignoring case (clients look images up by `name $eq`).
    fn name_taken(&self, org: &str, name: &str) -> bool {
        let lower = name.to_lowercase();
        !self.images.filter(org, |i| i.name.to_lowercase() == lower).is_empty()
    }

    fn instance(&self, org: &str, id: &str) -> Result<ProviderInstance, ApiError> {
        self.instances.get(org, id).ok_or_else(|| {
            ApiError::new("INVALID_PROVIDER_INSTANCE", format!("Provider instance {id} is not found in the org"))
        })
    }

    /// One replica copy per provider instance on a version.
    fn add_replicas(&self, core: &Core, org: &str, version_id: &str, instances: &[String], status: &str) {
        let Some(v) = self.versions.get(org, version_id) else { return };
        let Some(img) = self.images.get(org, &v.stream_id) else { return };
        let source = self.assets.filter(org, |a| a.version_id == version_id && !a.is_replica()).into_iter().next();
        let now = wire::timestamp(core);
        for pi in instances {
            let id = Self::new_id(core);
            let label = self.instances.get(org, pi).map(|i| i.provider_label).unwrap_or_else(|| "AZURE".into());
            let asset = Asset {
                id: id.clone(),
                image_id: img.id.clone(),
                version_id: version_id.to_string(),
                org_id: org.to_string(),
                provider_instance_id: pi.clone(),
                provider_label: label,
                credential_id: None,
                gpu_type: img.gpu_type.clone(),
                os_type: img.os_type.clone(),
                multi_session: img.multi_session,
                state: "NOT_READY".into(),
                status: status.into(),
                asset_type: "AZURE_IMAGE_REPLICA_IN_SIG".into(),
                data: json!({}),
                source_asset_id: source.as_ref().map(|a| a.id.clone()),
                created_at: now.clone(),
                updated_at: now.clone(),
                ..Default::default()
            };
            self.assets.insert(org, &id, asset);
        }
    }

    /// Removes a version with its copies and markers, and the image with it when it was the last one. Otherwise
    /// the image's status follows the version acted on most recently among those left (a failed version that is
    /// deleted no longer makes the image FAILED).
    fn remove_version(&self, core: &Core, org: &str, image_id: &str, version_id: &str) {
        for a in self.assets.filter(org, |a| a.version_id == version_id) {
            self.assets.remove(org, &a.id);
        }
        for m in self.markers.filter(org, |m| m.version_id == version_id) {
            self.markers.remove(org, &m.id);
        }
        self.versions.remove(org, version_id);
        let left = self.versions_of(org, image_id);
        let Some(latest) = left.iter().max_by(|a, b| (&a.updated_at, &a.id).cmp(&(&b.updated_at, &b.id))) else {
            self.images.remove(org, image_id);
            return;
        };
        if let Some(status) = model::image_status_for(&latest.status) {
            self.set_image_status(core, org, image_id, status);
        }
    }

    fn set_image_status(&self, core: &Core, org: &str, image_id: &str, status: &str) {
        let now = wire::timestamp(core);
        self.images.update(org, image_id, |i| {
            if i.status != status {
                i.status = status.to_string();
                i.updated_at = now;
                i.version += 1;
            }
        });
    }
}

fn is_token_path(path: &str) -> bool {
    path.starts_with("/csp/") || path.starts_with("/auth/")
}

/// The operations whose work runs as a lifecycle of asset statuses.
const LIFECYCLE_OPERATIONS: [&str; 6] = [
    "horizon.image.create",
    "horizon.version.create",
    "horizon.version.publish",
    "horizon.version.republish",
    "horizon.version.clone",
    "horizon.version.delete",
];

impl Provider for Horizon {
    fn name(&self) -> &'static str {
        "horizon"
    }

    /// Steps are asset statuses; a failure ends with a failed asset status (`IMPORT_FAILED_TIMEOUT`), which
    /// `on_lifecycle` records on the asset.
    fn lifecycle_vocabulary(&self, operation: &str) -> Option<LifecycleVocabulary> {
        LIFECYCLE_OPERATIONS.contains(&operation).then(|| {
            let (failure_codes, statuses) = model::ASSET_STATUSES.iter().partition(|s| model::asset_failed(s));
            LifecycleVocabulary { statuses, failure_codes }
        })
    }

    fn prefixes(&self) -> Vec<&'static str> {
        vec!["/imagemgmt/", "/ims-catalog/", "/csp/gateway/am/api/", "/auth/v1/"]
    }

    fn routes(self: Arc<Self>) -> Vec<Route> {
        routes::table(self)
    }

    fn identify(&self, _core: &Core, call: &mut Call) {
        auth::identify(self, call);
    }

    fn core_error(&self, err: &CoreError, call: &Call) -> Reply {
        if is_token_path(&call.path) {
            let (status, code) = match err {
                CoreError::NotFound | CoreError::MethodNotAllowed(_) => (StatusCode::NOT_FOUND, "not_found"),
                CoreError::PayloadTooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "invalid_request"),
                CoreError::BadBody(_) => (StatusCode::BAD_REQUEST, "invalid_request"),
            };
            return csp_error(status, code, &format!("{} {} cannot be served", call.method, call.path), call);
        }
        match err {
            CoreError::NotFound => {
                ApiError::new("NOT_FOUND", format!("No handler found for {} {}", call.method, call.path)).reply(call)
            }
            // The read-only catalog service has no write mappings at all.
            CoreError::MethodNotAllowed(_) if call.path.starts_with("/ims-catalog/") => {
                ApiError::new("NOT_FOUND", format!("No handler found for {} {}", call.method, call.path)).reply(call)
            }
            CoreError::MethodNotAllowed(allowed) => {
                let list: Vec<&str> = allowed.iter().map(|m| m.as_str()).collect();
                ApiError::new("METHOD_NOT_ALLOWED", format!("Request method '{}' is not supported", call.method))
                    .reply(call)
                    .header("allow", &list.join(", "))
            }
            CoreError::PayloadTooLarge { limit } => {
                ApiError::new("PAYLOAD_TOO_LARGE", format!("Request body is larger than {limit} bytes")).reply(call)
            }
            CoreError::BadBody(m) => {
                ApiError::new("MALFORMED_REQUEST", format!("Could not read the request body: {m}")).reply(call)
            }
        }
    }

    fn error_codes(&self) -> Vec<&'static str> {
        CODES.iter().map(|(c, _, _)| *c).collect()
    }

    fn error_reply(&self, spec: &ErrorSpec, call: &Call) -> Option<Reply> {
        let status = status_of(spec.code)?;
        let message = spec.message.or_else(|| default_message(spec.code)).unwrap_or("");
        let mut reply = render(status, spec.code, message, call);
        if let Some(details) = spec.details {
            if let Ok(mut body) = serde_json::from_slice::<Value>(&reply.body) {
                body["details"] = details.clone();
                reply = Reply::json(status, &body);
            }
        }
        Some(reply)
    }

    fn load_fixtures(&self, core: &Core, files: &FixtureFiles) -> Result<(), String> {
        fixtures::load(self, core, files)
    }

    fn on_lifecycle(&self, core: &Core, event: &LifecycleEvent) {
        lifecycle::on_event(self, core, event);
    }

    fn identities(&self, _core: &Core) -> Value {
        auth::identities(self)
    }
}
