//! Versions: Add Version (seed 000), reads, publish, republish, clone, delete, and a version's copies.

use hyper::StatusCode;
use serde_json::{json, Value};

use super::auth::{self, check_org};
use super::catalog::{add_markers, answer, copy_page, truthy};
use super::errors::{ApiError, ApiResult};
use super::lifecycle::{self, Kind, Work};
use super::listing::{field_matches, page, search_clause, ListSpec};
use super::model::{
    version_in_transition, Asset, Image, Version, GPU_TYPES, OS_TYPES, PROVIDER_LABELS, SOURCE_TYPES, VERSION_TYPES,
};
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
fn next_name(existing: &[Version], kind: VersionType, source: Option<&Version>) -> (String, Vec<String>) {
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
            (VersionNumber::new(n.major, n.minor, top + 1), Some(s))
        }
        _ => (next_major(&nums), source.or_else(|| newest(existing))),
    };
    let name = name.to_string();
    let mut history = base.map(|b| b.version_history.clone()).unwrap_or_default();
    history.push(name.clone());
    (name, history)
}

struct NewVersion<'a> {
    image: &'a Image,
    name: String,
    history: Vec<String>,
    description: Option<String>,
    version_type: String,
    source_type: String,
    source_version_id: Option<String>,
    instance_id: String,
    instance_label: String,
    action: &'static str,
    asset_type: &'static str,
    asset_status: &'static str,
    data: Value,
    source_asset_id: Option<String>,
}

/// Stores a new version with its asset and markers; returns (version id, asset id).
fn insert_version(h: &Horizon, core: &Core, org: &str, nv: NewVersion, markers: &[String]) -> (String, String) {
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
        error_code: None,
        error_details: None,
        errors_history: Vec::new(),
        created_at: now.clone(),
        updated_at: now.clone(),
        version: 0,
    };
    h.versions.insert(org, &version_id, version);
    h.assets.insert(org, &asset_id, asset);
    add_markers(h, core, org, &nv.image.id, &version_id, markers, &now);
    (version_id, asset_id)
}

/// `VersionCreateResponseTO` (also the shape of `VersionCloneTO`).
fn version_response(h: &Horizon, org: &str, image_id: &str, version_id: &str) -> ApiResult<Value> {
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

fn body_org(f: &Fields, org: &str) -> ApiResult<()> {
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
        let caller = auth::caller(call, false)?;
        let org = caller.org.as_str();
        let img = h.image(org, call.param("imageId"))?;
        let pairs = call.query_pairs();
        let clause = search_clause(&pairs, &VERSION_LIST)?;
        let items: Vec<Value> = h
            .versions_of(org, &img.id)
            .iter()
            .map(|v| h.render_version(v))
            .filter(|v| clause.as_ref().is_none_or(|c| field_matches(v, c)))
            .collect();
        Ok(Reply::json(StatusCode::OK, &page(items, &pairs, &VERSION_LIST)?))
    })();
    answer(call, result)
}

pub fn get(h: &Horizon, call: &mut Call) -> Reply {
    let result = (|| {
        let caller = auth::caller(call, false)?;
        let org = caller.org.as_str();
        let img = h.image(org, call.param("imageId"))?;
        let v = h.version(org, &img.id, call.param("versionId"))?;
        Ok(Reply::json(StatusCode::OK, &h.render_version(&v)))
    })();
    answer(call, result)
}

/// `replicas[]` / `additionalReplicas[]`: each names a provider instance of the org.
fn replica_list(h: &Horizon, org: &str, f: &Fields, field: &str) -> ApiResult<Option<(Vec<String>, Value)>> {
    let Some(list) = f.array(field)? else { return Ok(None) };
    let mut ids = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let path = format!("{field}[{i}]");
        let Some(obj) = item.as_object() else {
            return Err(ApiError::new("INVALID_FIELD", format!("Field '{path}' must be an object")));
        };
        let id = match obj.get("providerInstanceId") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            None | Some(Value::Null) => {
                return Err(ApiError::new("MISSING_FIELD", format!("Field '{path}.providerInstanceId' is mandatory")))
            }
            Some(_) => {
                return Err(ApiError::new(
                    "INVALID_FIELD",
                    format!("Field '{path}.providerInstanceId' must be a string"),
                ))
            }
        };
        if let Some(l) = obj.get("providerLabel").filter(|v| !v.is_null()) {
            if !l.as_str().is_some_and(|s| PROVIDER_LABELS.contains(&s)) {
                return Err(ApiError::new(
                    "INVALID_ENUM_VALUE",
                    format!(
                        "Invalid value {l} for field '{path}.providerLabel'; allowed values: {}",
                        PROVIDER_LABELS.join(", ")
                    ),
                ));
            }
        }
        h.instance(org, &id)?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(Some((ids, Value::Array(list.clone()))))
}

pub fn publish(h: &Horizon, call: &mut Call) -> Reply {
    let result = publish_version(h, call);
    answer(call, result)
}

fn publish_version(h: &Horizon, call: &Call) -> ApiResult<Reply> {
    let caller = auth::caller(call, true)?;
    let org = caller.org.as_str();
    match call.query_param("action").as_deref() {
        Some("publish") => {}
        None | Some("") => {
            return Err(ApiError::new("INVALID_ACTION", "Required request parameter 'action' is not present"))
        }
        Some(other) => {
            return Err(ApiError::new("INVALID_ACTION", format!("Unsupported action '{other}'; supported: publish")))
        }
    }
    let body = Body::parse_optional(call)?;
    let f = body.fields();
    let description = f.str("description")?;
    let company = f.str("companyName")?;
    let time_zone = f.str("timeZone")?;
    f.str("versionName")?;
    f.enumeration("providerLabel", PROVIDER_LABELS)?;
    let options = f.object("options")?.map(|o| o.to_value());
    f.bool("publishWithResiliency")?;
    f.bool("validateImage")?;
    f.object("applicationScan")?;
    f.object("validationInfraResourceDetails")?;
    f.array("osCustomizations")?;
    body_org(&f, org)?;
    let img = h.image(org, call.param("imageId"))?;
    let ver = h.version(org, &img.id, call.param("versionId"))?;
    let replicas = replica_list(h, org, &f, "replicas")?;

    let core = call.core.clone();
    let _guard = h.write_guard();
    let ver = h.version(org, &img.id, &ver.id)?;
    if ver.status != "IMPORT_COMPLETE" {
        return Err(ApiError::new(
            "PRECONDITION_FAILED",
            format!(
                "Precondition failed: version {} is {}; only an IMPORT_COMPLETE version can be published",
                ver.id, ver.status
            ),
        ));
    }
    if let Some(other) = h.versions_of(org, &img.id).iter().find(|v| v.id != ver.id && version_in_transition(&v.status))
    {
        return Err(ApiError::new(
            "PRECONDITION_FAILED",
            format!("Precondition failed: version {} of the image is {}", other.id, other.status),
        ));
    }
    let home = h.instance(org, &ver.provider_instance_id)?;
    if home.status != "READY" {
        return Err(ApiError::new(
            "PUBLISH_SUBMIT_FAILED",
            format!(
                "Failed to submit Image publish request: provider instance {} is in status {}",
                home.id, home.status
            ),
        ));
    }
    let (replica_ids, replicas_value) = replicas.unwrap_or_else(|| {
        (
            vec![home.id.clone()],
            json!([{"providerInstanceId": home.id, "providerLabel": home.provider_label, "edgeDeploymentId": null}]),
        )
    });
    let publish = json!({
        "description": description,
        "timeZone": time_zone,
        "companyName": company,
        "orgId": org,
        "options": options.clone().unwrap_or_else(|| json!({})),
        "replicas": replicas_value,
    });
    let now = wire::timestamp(&core);
    h.versions.update(org, &ver.id, |v| {
        v.last_triggered_action = "PUBLISH".into();
        v.publish = Some(publish.clone());
        if let Some(o) = &options {
            v.options = o.clone();
        }
        v.updated_at = now;
        v.version += 1;
    });
    let asset_id = h.assets.filter(org, |a| a.version_id == ver.id && !a.is_replica()).into_iter().next().map(|a| a.id);
    let work = Work {
        kind: Kind::Publish,
        image_id: img.id.clone(),
        version_id: ver.id.clone(),
        asset_id,
        replicas: replica_ids,
        last_version: false,
    };
    lifecycle::begin(h, &core, call.operation, org, work);
    let ver = h.version(org, &img.id, &ver.id)?;
    let mut reply = publish.clone();
    reply["versionId"] = json!(ver.id);
    reply["versionName"] = json!(ver.name);
    reply["versionStatus"] = json!(ver.status);
    Ok(Reply::json(StatusCode::CREATED, &reply))
}

pub fn republish(h: &Horizon, call: &mut Call) -> Reply {
    let result = republish_version(h, call);
    answer(call, result)
}

fn republish_version(h: &Horizon, call: &Call) -> ApiResult<Reply> {
    let caller = auth::caller(call, true)?;
    let org = caller.org.as_str();
    let body = Body::parse_optional(call)?;
    let f = body.fields();
    body_org(&f, org)?;
    let img = h.image(org, call.param("imageId"))?;
    let ver = h.version(org, &img.id, call.param("versionId"))?;
    let (ids, list) = required(replica_list(h, org, &f, "additionalReplicas")?, "additionalReplicas")?;
    if ids.is_empty() {
        return Err(ApiError::new(
            "MISSING_FIELD",
            "Field 'additionalReplicas' must name at least one provider instance",
        ));
    }

    let core = call.core.clone();
    let _guard = h.write_guard();
    let ver = h.version(org, &img.id, &ver.id)?;
    if version_in_transition(&ver.status) {
        return Err(ApiError::new(
            "IMAGE_OPERATION_IN_PROGRESS",
            format!("Version {} is {}; wait for it to finish", ver.id, ver.status),
        ));
    }
    if !matches!(ver.status.as_str(), "AVAILABLE" | "PARTIALLY_AVAILABLE") {
        return Err(ApiError::new(
            "REPUBLISH_DEPENDENCY_FAILED",
            format!("Failed Dependency for Republish: version {} is {}, not published", ver.id, ver.status),
        ));
    }
    if let Some(bad) = ids.iter().filter_map(|id| h.instances.get(org, id)).find(|i| i.status != "READY") {
        return Err(ApiError::new(
            "REPUBLISH_SUBMIT_FAILED",
            format!(
                "Failed to submit Image republish request: provider instance {} is in status {}",
                bad.id, bad.status
            ),
        ));
    }
    h.add_replicas(&core, org, &ver.id, &ids, "REPLICATING");
    let work = Work {
        kind: Kind::Republish,
        image_id: img.id.clone(),
        version_id: ver.id.clone(),
        asset_id: None,
        replicas: ids,
        last_version: false,
    };
    lifecycle::begin(h, &core, call.operation, org, work);
    let ver = h.version(org, &img.id, &ver.id)?;
    let publish = ver.publish.clone().unwrap_or_else(|| json!({}));
    let reply = json!({
        "versionId": ver.id,
        "versionName": ver.name,
        "versionStatus": ver.status,
        "description": publish.get("description"),
        "timeZone": publish.get("timeZone"),
        "companyName": publish.get("companyName"),
        "orgId": org,
        "options": ver.options,
        "replicas": list,
    });
    Ok(Reply::json(StatusCode::ACCEPTED, &reply))
}

pub fn clone(h: &Horizon, call: &mut Call) -> Reply {
    let result = clone_version(h, call);
    answer(call, result)
}

fn clone_version(h: &Horizon, call: &Call) -> ApiResult<Reply> {
    let caller = auth::caller(call, true)?;
    let org = caller.org.as_str();
    let to_new_image = match call.query_param("action").as_deref() {
        Some("clone-image") => true,
        Some("clone-version") => false,
        None | Some("") => {
            return Err(ApiError::new("INVALID_ACTION", "Required request parameter 'action' is not present"))
        }
        Some(other) => {
            return Err(ApiError::new(
                "INVALID_ACTION",
                format!("Unsupported action '{other}'; supported: clone-image, clone-version"),
            ))
        }
    };
    let body = Body::parse(call)?;
    let f = body.fields();
    let version_type = f.enumeration("versionType", VERSION_TYPES)?;
    let image_name = f.name("imageName")?;
    let image_description = f.str("imageDescription")?;
    let version_description = f.str("versionDescription")?;
    let details = check_asset_details(&f)?;
    let marker_list = marker_names(&f)?;
    body_org(&f, org)?;
    let version_type = required(version_type, "versionType")?;
    let kind = VersionType::parse(&version_type).unwrap_or(VersionType::Major);
    if to_new_image && image_name.is_none() {
        return Err(ApiError::new("MISSING_FIELD", "Field 'imageName' is mandatory for action=clone-image"));
    }
    if !to_new_image && kind == VersionType::Patch {
        return Err(ApiError::new(
            "UNSUPPORTED_VERSION_TYPE",
            "versionType PATCH is not supported for clone-version; only MAJOR and MINOR are",
        ));
    }
    let img = h.image(org, call.param("imageId"))?;
    let src = h.version(org, &img.id, call.param("versionId"))?;

    let core = call.core.clone();
    let _guard = h.write_guard();
    let src = h.version(org, &img.id, &src.id)?;
    if version_in_transition(&src.status) {
        return Err(ApiError::new(
            "IMAGE_OPERATION_IN_PROGRESS",
            format!("Version {} is {}; wait for it to finish", src.id, src.status),
        ));
    }
    if !matches!(src.status.as_str(), "IMPORT_COMPLETE" | "AVAILABLE" | "PARTIALLY_AVAILABLE") {
        return Err(ApiError::new(
            "PRECONDITION_FAILED",
            format!("Precondition failed: version {} is {} and cannot be cloned", src.id, src.status),
        ));
    }
    let home = h.instance(org, &src.provider_instance_id)?;
    let source_asset =
        h.assets.filter(org, |a| a.version_id == src.id && !a.is_replica()).into_iter().next().map(|a| a.id);
    let data = details.map(|(_, d)| d).unwrap_or_else(|| json!({}));
    let now = wire::timestamp(&core);
    let target = if to_new_image {
        let name = image_name.unwrap_or_default();
        if h.name_taken(org, &name) {
            return Err(ApiError::new(
                "IMAGE_NAME_ALREADY_EXISTS",
                format!("An image named '{name}' already exists in org {org}"),
            ));
        }
        let image = Image {
            id: Horizon::new_id(&core),
            org_id: org.to_string(),
            name,
            description: image_description,
            os: img.os.clone(),
            os_type: img.os_type.clone(),
            gpu_type: img.gpu_type.clone(),
            multi_session: img.multi_session,
            source_type: "COPIED_FROM_VERSION".into(),
            source_stream_id: Some(img.id.clone()),
            source_version_id: Some(src.id.clone()),
            status: "PENDING".into(),
            provider_instance_id: home.id.clone(),
            provider_label: home.provider_label.clone(),
            created_at: now.clone(),
            updated_at: now,
            version: 0,
        };
        h.images.insert(org, &image.id.clone(), image.clone());
        image
    } else {
        if let Some(e) = h.busy(org, &img) {
            return Err(e);
        }
        img.clone()
    };
    let (name, history) = if to_new_image {
        let n = VersionNumber::new(0, 0, 0).bump(kind).to_string();
        (n.clone(), vec![n])
    } else {
        next_name(&h.versions_of(org, &img.id), kind, Some(&src))
    };
    let nv = NewVersion {
        image: &target,
        name,
        history,
        description: version_description,
        version_type,
        source_type: "COPIED_FROM_VERSION".into(),
        source_version_id: Some(src.id.clone()),
        instance_id: home.id.clone(),
        instance_label: home.provider_label.clone(),
        action: "CLONE",
        asset_type: "AZURE_VM_IN_RG",
        asset_status: "DEPLOYING_VM",
        data,
        source_asset_id: source_asset,
    };
    let (version_id, asset_id) = insert_version(h, &core, org, nv, &marker_list);
    let work = Work {
        kind: Kind::Clone,
        image_id: target.id.clone(),
        version_id: version_id.clone(),
        asset_id: Some(asset_id),
        replicas: Vec::new(),
        last_version: false,
    };
    lifecycle::begin(h, &core, call.operation, org, work);
    Ok(Reply::json(StatusCode::CREATED, &version_response(h, org, &target.id, &version_id)?))
}

pub fn delete(h: &Horizon, call: &mut Call) -> Reply {
    let result = delete_version(h, call);
    answer(call, result)
}

fn delete_version(h: &Horizon, call: &Call) -> ApiResult<Reply> {
    let caller = auth::caller(call, true)?;
    let org = caller.org.as_str();
    let force = match call.query_param("force") {
        None => false,
        Some(v) if v.eq_ignore_ascii_case("true") => true,
        Some(v) if v.eq_ignore_ascii_case("false") || v.is_empty() => false,
        Some(v) => {
            return Err(ApiError::new(
                "INVALID_PARAMETER",
                format!("Parameter 'force' must be true or false, got '{v}'"),
            ))
        }
    };
    let core = call.core.clone();
    let _guard = h.write_guard();
    let not_found = |_| {
        ApiError::new(
            "VERSION_NOT_FOUND",
            format!("Unable to find the image version {} of image {}", call.param("versionId"), call.param("imageId")),
        )
    };
    let img = h.image(org, call.param("imageId")).map_err(not_found)?;
    let ver = h.version(org, &img.id, call.param("versionId")).map_err(not_found)?;
    if ver.status == "DELETING" {
        return Ok(Reply::empty(StatusCode::ACCEPTED));
    }
    if let Some(m) = h.markers.filter(org, |m| m.version_id == ver.id && m.template_count > 0).first() {
        return Err(ApiError::new(
            "VERSION_IN_USE",
            format!(
                "Template in admin is using version {}: marker '{}' has {} template(s)",
                ver.id, m.name, m.template_count
            ),
        ));
    }
    if version_in_transition(&ver.status) {
        if !force {
            return Err(ApiError::new(
                "VERSION_DELETE_NOT_ALLOWED",
                format!("Current version status {} is not allowed for deletion; retry with force=true", ver.status),
            ));
        }
        lifecycle::cancel_for(&core, &ver.id);
    }
    if h.assets.filter(org, |a| a.version_id == ver.id).is_empty() {
        // Nothing was provisioned, so nothing runs in the background.
        h.remove_version(&core, org, &img.id, &ver.id);
        return Ok(Reply::empty(StatusCode::NO_CONTENT));
    }
    let last_version = h.versions_of(org, &img.id).iter().all(|v| v.id == ver.id || v.status == "DELETING");
    let now = wire::timestamp(&core);
    h.versions.update(org, &ver.id, |v| {
        v.last_triggered_action = "DELETE".into();
        v.updated_at = now;
        v.version += 1;
    });
    let work = Work {
        kind: Kind::Delete,
        image_id: img.id.clone(),
        version_id: ver.id.clone(),
        asset_id: None,
        replicas: Vec::new(),
        last_version,
    };
    lifecycle::begin(h, &core, call.operation, org, work);
    Ok(Reply::empty(StatusCode::ACCEPTED))
}

pub fn copies(h: &Horizon, call: &mut Call) -> Reply {
    let result = (|| {
        let caller = auth::caller(call, false)?;
        let org = caller.org.as_str();
        let img = h.image(org, call.param("imageId"))?;
        let ver = h.version(org, &img.id, call.param("versionId"))?;
        let assets = h.assets.filter(org, |a| a.version_id == ver.id);
        copy_page(h, call, org, assets)
    })();
    answer(call, result)
}

pub fn copy(h: &Horizon, call: &mut Call) -> Reply {
    let result = (|| {
        let caller = auth::caller(call, false)?;
        let org = caller.org.as_str();
        let img = h.image(org, call.param("imageId"))?;
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
