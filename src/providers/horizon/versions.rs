//! Versions: Add Version (seed 000), version reads and a version's copies; the numbering and row-making that
//! clone shares. Publish, clone and delete live in their own files.

use hyper::StatusCode;
use serde_json::{json, Value};

use super::auth::{self, check_org};
use super::catalog::{add_markers, answer, copy_page, truthy};
use super::errors::{ApiError, ApiResult};
use super::lifecycle::{self, Kind, Work};
use super::listing::{searched_page, ListSpec};
use super::model::{Asset, Image, Version, GPU_TYPES, OS_TYPES, PROVIDER_LABELS, SOURCE_TYPES, VERSION_TYPES};
use super::version_name::{next_major, next_minor, VersionNumber, VersionType};
use super::wire::{self, check_asset_details, marker_names, required, Body, Fields};
use super::Horizon;
use crate::core::call::{Call, Reply};
use crate::core::Core;

/// The source types Add Version accepts, on the image and in the body.
const ADD_VERSION_SOURCES: &[&str] = &["AZURE_SIG", "AZURE_CUSTOM_VM"];

fn numbers(versions: &[Version]) -> Vec<VersionNumber> {
    versions.iter().filter_map(|v| VersionNumber::parse(&v.name)).collect()
}

/// The image's newest version by number (its history is the lineage a new MAJOR continues).
fn newest(versions: &[Version]) -> Option<&Version> {
    versions.iter().max_by_key(|v| VersionNumber::parse(&v.name).unwrap_or(VersionNumber::new(0, 0, 0)))
}

/// Name and history of a new version of an image: MAJOR after the highest major, MINOR under the source.
pub(super) fn next_name(existing: &[Version], kind: VersionType, source: Option<&Version>) -> (String, Vec<String>) {
    let nums = numbers(existing);
    let (name, base) = match (kind, source) {
        (VersionType::Minor, Some(s)) => {
            let n = VersionNumber::parse(&s.name).unwrap_or(VersionNumber::new(1, 0, 0));
            (next_minor(n, &nums), Some(s))
        }
        (VersionType::Patch, Some(s)) => {
            let n = VersionNumber::parse(&s.name).unwrap_or(VersionNumber::new(1, 0, 0));
            let top = nums
                .iter()
                .filter(|v| v.major == n.major && v.minor == n.minor)
                .map(|v| v.patch)
                .max()
                .unwrap_or(n.patch);
            (VersionNumber::new(n.major, n.minor, top.saturating_add(1)), Some(s))
        }
        _ => (next_major(&nums), source.or_else(|| newest(existing))),
    };
    let name = name.to_string();
    let mut history = base.map(|b| b.version_history.clone()).unwrap_or_default();
    history.push(name.clone());
    (name, history)
}

pub(super) struct NewVersion<'a> {
    pub(super) image: &'a Image,
    pub(super) name: String,
    pub(super) history: Vec<String>,
    pub(super) description: Option<String>,
    pub(super) version_type: String,
    pub(super) source_type: String,
    pub(super) source_version_id: Option<String>,
    pub(super) instance_id: String,
    pub(super) instance_label: String,
    pub(super) action: &'static str,
    pub(super) asset_type: &'static str,
    pub(super) asset_status: &'static str,
    pub(super) data: Value,
    pub(super) source_asset_id: Option<String>,
}

/// Stores a new version with its asset and markers; returns (version id, asset id).
pub(super) fn insert_version(
    h: &Horizon,
    core: &Core,
    org: &str,
    nv: NewVersion,
    markers: &[String],
) -> (String, String) {
    let now = wire::timestamp(core);
    let version_id = Horizon::new_id(core);
    let asset_id = Horizon::new_id(core);
    let version = Version {
        id: version_id.clone(),
        stream_id: nv.image.id.clone(),
        org_id: org.to_string(),
        name: nv.name,
        description: nv.description,
        os: None,
        source_type: nv.source_type,
        source_version_id: nv.source_version_id,
        state: "NOT_READY".into(),
        status: "PENDING".into(),
        last_triggered_action: nv.action.into(),
        version_type: nv.version_type,
        options: json!({}),
        version_validation_details: json!({}),
        version_history: nv.history,
        provider_instance_id: nv.instance_id.clone(),
        publish: None,
        created_at: now.clone(),
        updated_at: now.clone(),
        version: 0,
    };
    let asset = Asset {
        id: asset_id.clone(),
        image_id: nv.image.id.clone(),
        version_id: version_id.clone(),
        org_id: org.to_string(),
        provider_instance_id: nv.instance_id,
        provider_label: nv.instance_label,
        credential_id: None,
        gpu_type: nv.image.gpu_type.clone(),
        os_type: nv.image.os_type.clone(),
        multi_session: nv.image.multi_session,
        state: "NOT_READY".into(),
        status: nv.asset_status.into(),
        asset_type: nv.asset_type.into(),
        data: nv.data,
        source_asset_id: nv.source_asset_id,
        created_at: now.clone(),
        updated_at: now.clone(),
        ..Default::default()
    };
    h.versions.insert(org, &version_id, version);
    h.assets.insert(org, &asset_id, asset);
    add_markers(h, core, org, &nv.image.id, &version_id, markers, &now);
    (version_id, asset_id)
}

/// `VersionCreateResponseTO` (also the shape of `VersionCloneTO`).
pub(super) fn version_response(h: &Horizon, org: &str, image_id: &str, version_id: &str) -> ApiResult<Value> {
    let (Some(img), Some(ver)) = (h.images.get(org, image_id), h.versions.get(org, version_id)) else {
        return Err(ApiError::new("INTERNAL_ERROR", "The version vanished while it was being created"));
    };
    let asset = h.assets.filter(org, |a| a.version_id == ver.id && !a.is_replica()).into_iter().next();
    let markers = h.markers_of_version(org, &ver);
    Ok(json!({
        "assetDetails": asset.as_ref().map(|a| json!({"assetType": a.asset_type, "data": a.data})),
        "assetId": asset.as_ref().map(|a| a.id.clone()),
        "assetStatus": asset.as_ref().map(|a| a.status.clone()),
        "assetType": asset.as_ref().map(|a| a.asset_type.clone()),
        "imageDescription": img.description,
        "imageId": img.id,
        "imageName": img.name,
        "imageStatus": img.status,
        "markers": markers,
        "orgId": org,
        "sourceAssetId": asset.as_ref().and_then(|a| a.source_asset_id.clone()),
        "sourceImageId": img.source_stream_id,
        "sourceImageType": img.source_type,
        "sourceType": ver.source_type,
        "sourceVersionId": ver.source_version_id,
        "versionDescription": ver.description,
        "versionHistory": ver.version_history,
        "versionId": ver.id,
        "versionName": ver.name,
        "versionStatus": ver.status,
        "versionType": ver.version_type,
    }))
}

pub(super) fn body_org(f: &Fields, org: &str) -> ApiResult<()> {
    match f.str("orgId")?.filter(|o| !o.is_empty()) {
        Some(named) => check_org(org, &named),
        None => Ok(()),
    }
}

pub fn create(h: &Horizon, call: &mut Call) -> Reply {
    let result = add_version(h, call);
    answer(call, result)
}

fn add_version(h: &Horizon, call: &Call) -> ApiResult<Reply> {
    let caller = auth::caller(call, true)?;
    let org = caller.org.as_str();
    let body = Body::parse(call)?;
    let f = body.fields();
    let description = f.str("description")?;
    let gpu_type = f.enumeration("gpuType", GPU_TYPES)?;
    let os_type = f.enumeration("osType", OS_TYPES)?;
    f.str("os")?;
    let instance_id = f.str("providerInstanceId")?;
    let label = f.enumeration("providerLabel", PROVIDER_LABELS)?;
    let source_type = f.enumeration("sourceType", SOURCE_TYPES)?;
    let source_version_id = f.str("sourceVersionId")?;
    let version_type = f.enumeration("versionType", VERSION_TYPES)?;
    let details = check_asset_details(&f)?;
    let marker_list = marker_names(&f)?;
    body_org(&f, org)?;

    let img = h.image(org, call.param("imageId")).map_err(|_| {
        ApiError::new(
            "IMAGE_NOT_FOUND",
            format!("Source Image or Version is not found for given imageId {}", call.param("imageId")),
        )
    })?;
    if !ADD_VERSION_SOURCES.contains(&img.source_type.as_str()) {
        return Err(ApiError::new(
            "UNSUPPORTED_SOURCE_TYPE",
            format!("Add version is allowed only for an image having source type AZURE_SIG or AZURE_CUSTOM_VM; image {} has {}", img.id, img.source_type),
        ));
    }
    let source_type = source_type.unwrap_or_else(|| img.source_type.clone());
    if !ADD_VERSION_SOURCES.contains(&source_type.as_str()) {
        return Err(ApiError::new(
            "UNSUPPORTED_SOURCE_TYPE",
            format!("sourceType {source_type} is not supported; use AZURE_SIG or AZURE_CUSTOM_VM"),
        ));
    }
    let version_type = required(version_type, "versionType")?;
    let kind = match VersionType::parse(&version_type) {
        Some(VersionType::Patch) | None => {
            return Err(ApiError::new(
                "UNSUPPORTED_VERSION_TYPE",
                format!("versionType {version_type} is not supported; only MAJOR and MINOR are"),
            ))
        }
        Some(k) => k,
    };
    if let Some(g) = gpu_type.filter(|g| *g != img.gpu_type) {
        return Err(ApiError::new(
            "GPU_TYPE_MISMATCH",
            format!("gpuType {g} does not match the image's gpuType {}", img.gpu_type),
        ));
    }
    if let Some(o) = os_type.filter(|o| *o != img.os_type) {
        return Err(ApiError::new(
            "OS_TYPE_MISMATCH",
            format!("osType {o} does not match the image's osType {}", img.os_type),
        ));
    }
    if kind == VersionType::Minor && source_version_id.is_none() {
        return Err(ApiError::new("SOURCE_VERSION_REQUIRED", "sourceVersionId is needed when versionType is MINOR"));
    }
    let source = match &source_version_id {
        Some(id) => Some(h.version(org, &img.id, id).map_err(|_| {
            ApiError::new(
                "VERSION_NOT_FOUND",
                format!("Source Image or Version is not found for given imageId {} and versionId {id}", img.id),
            )
        })?),
        None => None,
    };
    let instance = h.instance(org, instance_id.as_deref().unwrap_or(&img.provider_instance_id))?;
    if let Some(l) = label.as_deref().filter(|l| *l != instance.provider_label) {
        return Err(ApiError::new(
            "INVALID_PROVIDER_INSTANCE",
            format!("providerLabel {l} does not match provider instance {} ({})", instance.id, instance.provider_label),
        ));
    }

    let core = call.core.clone();
    let _guard = h.write_guard();
    let img = h.image(org, &img.id)?;
    if let Some(e) = h.busy(org, &img) {
        return Err(e);
    }
    if instance.status != "READY" {
        return Err(ApiError::new(
            "ADD_VERSION_SUBMIT_FAILED",
            format!(
                "Failed to submit add version request: provider instance {} is in status {}",
                instance.id, instance.status
            ),
        ));
    }
    let existing = h.versions_of(org, &img.id);
    let (name, history) = next_name(&existing, kind, source.as_ref());
    let sig = source_type == "AZURE_SIG";
    let (asset_type, asset_status, work_kind) = if sig {
        ("AZURE_IMAGE_IN_SIG", "COPYING_IMAGE", Kind::Copy)
    } else {
        ("AZURE_VM_IN_RG", "IMPORT_PENDING", Kind::Import)
    };
    let data = details.map(|(_, d)| d).unwrap_or_else(|| json!({}));
    let nv = NewVersion {
        image: &img,
        name,
        history,
        description,
        version_type,
        source_type,
        source_version_id,
        instance_id: instance.id.clone(),
        instance_label: instance.provider_label.clone(),
        action: "IMPORT",
        asset_type,
        asset_status,
        data,
        source_asset_id: None,
    };
    let (version_id, asset_id) = insert_version(h, &core, org, nv, &marker_list);
    let work = Work {
        kind: work_kind,
        image_id: img.id.clone(),
        version_id: version_id.clone(),
        asset_id: Some(asset_id),
        replicas: Vec::new(),
        last_version: false,
    };
    lifecycle::begin(h, &core, call.operation, org, work);
    Ok(Reply::json(StatusCode::CREATED, &version_response(h, org, &img.id, &version_id)?))
}

const VERSION_LIST: ListSpec = ListSpec {
    searchable: &["name", "status", "versionType", "sourceType", "state", "id", "lastTriggeredAction"],
    sortable: &["name", "createdAt", "updatedAt", "status", "id", "versionType"],
};

pub fn list(h: &Horizon, call: &mut Call) -> Reply {
    let result = (|| {
        let (org, img) = h.read_image(call)?;
        let org = org.as_str();
        let items: Vec<Value> = h.versions_of(org, &img.id).iter().map(|v| h.render_version(v)).collect();
        Ok(Reply::json(StatusCode::OK, &searched_page(items, &call.query_pairs(), &VERSION_LIST)?))
    })();
    answer(call, result)
}

pub fn get(h: &Horizon, call: &mut Call) -> Reply {
    let result = (|| {
        let (org, img) = h.read_image(call)?;
        let org = org.as_str();
        let v = h.version(org, &img.id, call.param("versionId"))?;
        Ok(Reply::json(StatusCode::OK, &h.render_version(&v)))
    })();
    answer(call, result)
}

pub fn copies(h: &Horizon, call: &mut Call) -> Reply {
    let result = (|| {
        let (org, img) = h.read_image(call)?;
        let org = org.as_str();
        let ver = h.version(org, &img.id, call.param("versionId"))?;
        let assets = h.assets.filter(org, |a| a.version_id == ver.id);
        copy_page(h, call, org, assets)
    })();
    answer(call, result)
}

pub fn copy(h: &Horizon, call: &mut Call) -> Reply {
    let result = (|| {
        let (org, img) = h.read_image(call)?;
        let org = org.as_str();
        let ver = h.version(org, &img.id, call.param("versionId"))?;
        let id = call.param("copyId");
        let a = h.assets.get(org, id).filter(|a| a.version_id == ver.id).ok_or_else(|| {
            ApiError::new("COPY_NOT_FOUND", format!("Image copy {id} is not found for version {}", ver.id))
        })?;
        let catalog = truthy(call, "include_catalog_details").then_some((&img, &ver));
        Ok(Reply::json(StatusCode::OK, &wire::asset_to(&a, catalog)))
    })();
    answer(call, result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(name: &str, history: &[&str]) -> Version {
        serde_json::from_value(json!({
            "id": name, "streamId": "i", "orgId": "o", "name": name, "description": null, "os": null,
            "sourceType": "AZURE_SIG", "sourceVersionId": null, "state": "PUBLISHED", "status": "AVAILABLE",
            "lastTriggeredAction": "IMPORT", "versionType": "MAJOR", "options": {}, "versionValidationDetails": {},
            "versionHistory": history, "providerInstanceId": "p", "createdAt": "", "updatedAt": "", "version": 0
        }))
        .unwrap()
    }

    #[test]
    fn major_continues_the_newest_lineage() {
        let have = vec![v("1.0.0", &["1.0.0"]), v("1.1.0", &["1.0.0", "1.1.0"])];
        assert_eq!(
            next_name(&have, VersionType::Major, None),
            ("2.0.0".into(), vec!["1.0.0".into(), "1.1.0".into(), "2.0.0".into()])
        );
    }

    #[test]
    fn minor_follows_its_source() {
        let have = vec![v("1.0.0", &["1.0.0"]), v("1.1.0", &["1.0.0", "1.1.0"]), v("2.0.0", &["1.0.0", "2.0.0"])];
        let (name, history) = next_name(&have, VersionType::Minor, Some(&have[0]));
        assert_eq!(name, "1.2.0");
        assert_eq!(history, vec!["1.0.0", "1.2.0"]);
    }
}
