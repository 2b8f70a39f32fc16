//! Images ("streams"): Create Image Catalog (seed 001), image reads, the org-wide copy list and markers.

use hyper::StatusCode;
use serde_json::{json, Value};

use super::auth::{self, check_org};
use super::errors::{ApiError, ApiResult};
use super::lifecycle::{self, Kind, Work};
use super::listing::{field_matches, page, search_clause, searched_page, ListSpec};
use super::model::{Asset, Image, Marker, Version, GPU_TYPES, OS_TYPES, PROVIDER_LABELS, SOURCE_TYPES, VERSION_TYPES};
use super::version_name::{VersionNumber, VersionType};
use super::wire::{self, check_asset_details, marker_names, required, Body};
use super::Horizon;
use crate::core::call::{Call, Reply};

pub(super) fn answer(call: &Call, result: ApiResult<Reply>) -> Reply {
    result.unwrap_or_else(|e| e.reply(call))
}

/// What each `action` of Create Image Catalog imports, and the asset it makes.
fn action_source(action: &str) -> ApiResult<(&'static str, &'static str, Kind)> {
    match action {
        "import" => Ok(("AZURE_MARKET_PLACE", "AZURE_VM_IN_RG", Kind::Import)),
        "copy-existing-image" => Ok(("AZURE_SIG", "AZURE_IMAGE_IN_SIG", Kind::Copy)),
        "import-custom-vm" => Ok(("AZURE_CUSTOM_VM", "AZURE_VM_IN_RG", Kind::Import)),
        other => Err(ApiError::new(
            "INVALID_ACTION",
            format!("Unsupported action '{other}'; supported: import, copy-existing-image, import-custom-vm"),
        )),
    }
}

pub fn create(h: &Horizon, call: &mut Call) -> Reply {
    let result = create_image(h, call);
    answer(call, result)
}

fn create_image(h: &Horizon, call: &Call) -> ApiResult<Reply> {
    let caller = auth::caller(call, true)?;
    let org = caller.org.as_str();
    let action = call.query_param("action").filter(|a| !a.is_empty()).unwrap_or_else(|| "import".to_string());
    let (expected_source, asset_type, kind) = action_source(&action)?;

    let body = Body::parse(call)?;
    let f = body.fields();
    let body_org = f.str("orgId")?;
    let stream_name = f.name("streamName")?;
    let stream_description = f.str("streamDescription")?;
    let version_description = f.str("versionDescription")?;
    let version_source = f.string_or_number("versionSource")?;
    let version_type = f.enumeration("versionType", VERSION_TYPES)?;
    let source_type = f.enumeration("sourceStreamType", SOURCE_TYPES)?;
    let source_stream_id = f.str("sourceStreamId")?;
    let source_version_id = f.str("sourceVersionId")?;
    let gpu_type = f.enumeration("gpuType", GPU_TYPES)?;
    let os_type = f.enumeration("osType", OS_TYPES)?;
    let os = f.str("os")?;
    let instance_id = f.str("providerInstanceId")?;
    let label = f.enumeration("providerLabel", PROVIDER_LABELS)?;
    let details = check_asset_details(&f)?;
    let marker_list = marker_names(&f)?;
    if let Some(named) = body_org.filter(|o| !o.is_empty()) {
        check_org(org, &named)?;
    }

    let name = required(stream_name, "streamName")?;
    let version_source = required(version_source, "versionSource")?;
    let version_type = required(version_type, "versionType")?;
    let os_type = required(os_type, "osType")?;
    let instance_id = required(instance_id, "providerInstanceId")?;
    let start = VersionNumber::parse_json(version_source).ok_or_else(|| {
        ApiError::new(
            "INVALID_VERSION_SOURCE",
            format!("Invalid versionSource {version_source}: expected X, X.Y or X.Y.Z, e.g. \"0.0\""),
        )
    })?;
    let source = source_type.unwrap_or_else(|| expected_source.to_string());
    if source != expected_source {
        return Err(ApiError::new(
            "SOURCE_TYPE_ACTION_MISMATCH",
            format!("sourceStreamType {source} cannot be used with action={action}; expected {expected_source}"),
        ));
    }
    let (detail_type, data) = details.unwrap_or((None, json!({})));
    if let Some(t) = detail_type.as_deref().filter(|t| *t != asset_type) {
        return Err(ApiError::new(
            "SOURCE_TYPE_ACTION_MISMATCH",
            format!("assetDetails.type {t} cannot be used with action={action}; expected {asset_type}"),
        ));
    }
    let instance = h.instance(org, &instance_id)?;
    if let Some(l) = label.as_deref().filter(|l| *l != instance.provider_label) {
        return Err(ApiError::new(
            "INVALID_PROVIDER_INSTANCE",
            format!("providerLabel {l} does not match provider instance {instance_id} ({})", instance.provider_label),
        ));
    }
    let msp_org = f.object("assetDetails")?.and_then(|d| d.str("mspOrgId").ok().flatten());
    let mut source_asset_id = None;
    if kind == Kind::Copy {
        match &source_stream_id {
            Some(sid) => {
                let src_org = msp_org.as_deref().unwrap_or(org);
                let src = h.images.get(src_org, sid).ok_or_else(|| {
                    ApiError::new("IMAGE_NOT_FOUND", format!("Source image is not found for given sourceStreamId {sid}"))
                })?;
                if let Some(svid) = &source_version_id {
                    h.versions.get(src_org, svid).filter(|v| v.stream_id == src.id).ok_or_else(|| {
                        ApiError::new("VERSION_NOT_FOUND", format!("Source version is not found for given sourceVersionId {svid}"))
                    })?;
                    source_asset_id = h.assets.filter(src_org, |a| &a.version_id == svid && !a.is_replica()).into_iter().next().map(|a| a.id);
                }
            }
            None if data.as_object().is_none_or(|m| m.is_empty()) => {
                return Err(ApiError::new(
                    "MISSING_FIELD",
                    "Field 'assetDetails.data' is mandatory for copy-existing-image without sourceStreamId: it names the SIG image to copy",
                ))
            }
            None => {}
        }
    }

    let core = call.core.clone();
    let _guard = h.write_guard();
    if h.name_taken(org, &name) {
        return Err(ApiError::new(
            "IMAGE_NAME_ALREADY_EXISTS",
            format!("An image named '{name}' already exists in org {org}"),
        ));
    }
    if instance.status != "READY" {
        return Err(ApiError::new(
            "CREATE_IMAGE_SUBMIT_FAILED",
            format!(
                "Failed to submit create image catalog request: provider instance {instance_id} is in status {}",
                instance.status
            ),
        ));
    }

    let now = wire::timestamp(&core);
    let multi_session = f
        .object("assetDetails")?
        .and_then(|d| d.bool("multiSession").ok().flatten())
        .unwrap_or_else(|| os.as_deref().is_some_and(|o| o.to_lowercase().contains("multi-session")));
    let image_id = Horizon::new_id(&core);
    let version_id = Horizon::new_id(&core);
    let asset_id = Horizon::new_id(&core);
    let version_name = start.bump(VersionType::parse(&version_type).unwrap_or(VersionType::Major)).to_string();
    let image = Image {
        id: image_id.clone(),
        org_id: org.to_string(),
        name,
        description: stream_description,
        os,
        os_type,
        gpu_type: gpu_type.unwrap_or_else(|| "NONE".to_string()),
        multi_session,
        source_type: source.clone(),
        source_stream_id: source_stream_id.clone(),
        source_version_id: source_version_id.clone(),
        status: "PENDING".into(),
        provider_instance_id: instance.id.clone(),
        provider_label: instance.provider_label.clone(),
        created_at: now.clone(),
        updated_at: now.clone(),
        version: 0,
    };
    let version = Version {
        id: version_id.clone(),
        stream_id: image_id.clone(),
        org_id: org.to_string(),
        name: version_name.clone(),
        description: version_description,
        os: None,
        source_type: source.clone(),
        source_version_id: source_version_id.clone(),
        state: "NOT_READY".into(),
        status: "PENDING".into(),
        last_triggered_action: "IMPORT".into(),
        version_type,
        options: json!({}),
        version_validation_details: json!({}),
        version_history: vec![version_name],
        provider_instance_id: instance.id.clone(),
        publish: None,
        created_at: now.clone(),
        updated_at: now.clone(),
        version: 0,
    };
    let asset = Asset {
        id: asset_id.clone(),
        image_id: image_id.clone(),
        version_id: version_id.clone(),
        org_id: org.to_string(),
        provider_instance_id: instance.id.clone(),
        provider_label: instance.provider_label.clone(),
        credential_id: None,
        gpu_type: image.gpu_type.clone(),
        os_type: image.os_type.clone(),
        multi_session,
        state: "NOT_READY".into(),
        status: "IMPORT_PENDING".into(),
        asset_type: asset_type.into(),
        data,
        source_asset_id: source_asset_id.clone(),
        created_at: now.clone(),
        updated_at: now.clone(),
        ..Default::default()
    };
    h.images.insert(org, &image_id, image);
    h.versions.insert(org, &version_id, version);
    h.assets.insert(org, &asset_id, asset);
    add_markers(h, &core, org, &image_id, &version_id, &marker_list, &now);
    let work = Work {
        kind,
        image_id: image_id.clone(),
        version_id: version_id.clone(),
        asset_id: Some(asset_id),
        replicas: Vec::new(),
        last_version: false,
    };
    lifecycle::begin(h, &core, call.operation, org, work);

    let (Some(img), Some(ver)) = (h.images.get(org, &image_id), h.versions.get(org, &version_id)) else {
        return Err(ApiError::new("INTERNAL_ERROR", "The image vanished while it was being created"));
    };
    let asset = h.assets.filter(org, |a| a.version_id == version_id).into_iter().next();
    let version_source_text = match version_source {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let body = json!({
        "assetDetails": asset.as_ref().map(|a| json!({"assetType": a.asset_type, "data": a.data})),
        "assetId": asset.as_ref().map(|a| a.id.clone()),
        "assetStatus": asset.as_ref().map(|a| a.status.clone()),
        "assetType": asset_type,
        "orgId": org,
        "os": img.os,
        "sourceAssetId": source_asset_id,
        "sourceStreamId": source_stream_id,
        "sourceStreamType": source,
        "sourceVersionId": source_version_id,
        "streamDescription": img.description,
        "streamId": img.id,
        "streamName": img.name,
        "streamStatus": img.status,
        "versionDescription": ver.description,
        "versionHistory": ver.version_history,
        "versionId": ver.id,
        "versionName": ver.name,
        "versionSource": version_source_text,
        "versionStatus": ver.status,
        "versionType": ver.version_type,
    });
    Ok(Reply::json(StatusCode::CREATED, &body))
}

pub(super) fn add_markers(
    h: &Horizon,
    core: &crate::core::Core,
    org: &str,
    image_id: &str,
    version_id: &str,
    names: &[String],
    now: &str,
) {
    for name in names {
        let id = Horizon::new_id(core);
        let marker = Marker {
            id: id.clone(),
            name: name.clone(),
            image_id: image_id.to_string(),
            version_id: version_id.to_string(),
            next_version_id: None,
            org_id: org.to_string(),
            template_count: 0,
            created_at: now.to_string(),
            updated_at: now.to_string(),
        };
        h.markers.insert(org, &id, marker);
    }
}

const IMAGE_LIST: ListSpec = ListSpec {
    searchable: &[
        "name",
        "os",
        "multiSession",
        "osType",
        "sourceType",
        "gpuType",
        "sourceStreamId",
        "sourceVersionId",
        "status",
        "providerInstanceId",
        "id",
    ],
    sortable: &[
        "name",
        "createdAt",
        "updatedAt",
        "status",
        "id",
        "os",
        "osType",
        "sourceType",
        "gpuType",
        "versionCount",
    ],
};

pub fn list(h: &Horizon, call: &mut Call) -> Reply {
    let result = list_images(h, call);
    answer(call, result)
}

fn list_images(h: &Horizon, call: &Call) -> ApiResult<Reply> {
    let caller = auth::caller(call, false)?;
    let org = caller.org.as_str();
    let pairs = call.query_pairs();
    let mut clause = search_clause(&pairs, &IMAGE_LIST)?;
    let os = call.query_param("os").filter(|v| !v.is_empty());
    let os_type = call.query_param("os_type").filter(|v| !v.is_empty());
    // The documented rule: a query parameter wins over a search clause on the same field.
    if clause.as_ref().is_some_and(|c| (c.field == "os" && os.is_some()) || (c.field == "osType" && os_type.is_some()))
    {
        clause = None;
    }
    let mut items = Vec::new();
    for img in h.images.list(org) {
        if os.as_ref().is_some_and(|o| img.os.as_deref() != Some(o.as_str()))
            || os_type.as_ref().is_some_and(|t| img.os_type != *t)
        {
            continue;
        }
        let rendered = h.render_image(&img);
        let keep = match &clause {
            None => true,
            // An image is "in" a provider instance when it has a copy there.
            Some(c) if c.field == "providerInstanceId" => {
                img.provider_instance_id == c.value
                    || !h.assets.filter(org, |a| a.image_id == img.id && a.provider_instance_id == c.value).is_empty()
            }
            Some(c) => field_matches(&rendered, c),
        };
        if keep {
            items.push(rendered);
        }
    }
    Ok(Reply::json(StatusCode::OK, &page(items, &pairs, &IMAGE_LIST)?))
}

pub fn get(h: &Horizon, call: &mut Call) -> Reply {
    let result = (|| {
        let caller = auth::caller(call, false)?;
        let img = h.image(&caller.org, call.param("imageId"))?;
        Ok(Reply::json(StatusCode::OK, &h.render_image(&img)))
    })();
    answer(call, result)
}

const COPY_LIST: ListSpec = ListSpec {
    searchable: &["providerInstanceId", "imageId", "versionId", "status", "providerLabel", "state", "id"],
    sortable: &["createdAt", "updatedAt", "status", "id", "providerInstanceId", "imageId", "versionId"],
};

pub(super) fn truthy(call: &Call, key: &str) -> bool {
    call.query_param(key).is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// Renders copies and pages them; `with_catalog` adds `catalogDetails` (hcs-cli asks for it).
pub(super) fn copy_page(h: &Horizon, call: &Call, org: &str, assets: Vec<Asset>) -> ApiResult<Reply> {
    let pairs = call.query_pairs();
    let clause = search_clause(&pairs, &COPY_LIST)?;
    let with_catalog = truthy(call, "include_catalog_details");
    let pi_filter = call.query_param("provider_instance_id").filter(|v| !v.is_empty());
    let mut items = Vec::new();
    for a in assets {
        if pi_filter.as_ref().is_some_and(|p| a.provider_instance_id != *p) {
            continue;
        }
        let catalog =
            if with_catalog { h.images.get(org, &a.image_id).zip(h.versions.get(org, &a.version_id)) } else { None };
        let rendered = wire::asset_to(&a, catalog.as_ref().map(|(i, v)| (i, v)));
        if clause.as_ref().is_none_or(|c| field_matches(&rendered, c)) {
            items.push(rendered);
        }
    }
    Ok(Reply::json(StatusCode::OK, &page(items, &pairs, &COPY_LIST)?))
}

pub fn image_copies(h: &Horizon, call: &mut Call) -> Reply {
    let result = (|| {
        let caller = auth::caller(call, false)?;
        let assets = h.assets.list(&caller.org);
        copy_page(h, call, &caller.org, assets)
    })();
    answer(call, result)
}

const MARKER_LIST: ListSpec = ListSpec {
    searchable: &["versionId", "name", "status", "id", "imageId"],
    sortable: &["name", "createdAt", "updatedAt", "id", "templateCount"],
};

fn marker_value(h: &Horizon, org: &str, m: &Marker) -> Value {
    let status = h.versions.get(org, &m.version_id).map(|v| v.status).unwrap_or_default();
    wire::marker_to(m, &status)
}

pub fn markers(h: &Horizon, call: &mut Call) -> Reply {
    let result = (|| {
        let (org, img) = h.read_image(call)?;
        let org = org.as_str();
        let markers = h.markers.filter(org, |m| m.image_id == img.id);
        let items: Vec<Value> = markers.iter().map(|m| marker_value(h, org, m)).collect();
        Ok(Reply::json(StatusCode::OK, &searched_page(items, &call.query_pairs(), &MARKER_LIST)?))
    })();
    answer(call, result)
}

pub fn marker(h: &Horizon, call: &mut Call) -> Reply {
    let result = (|| {
        let (org, img) = h.read_image(call)?;
        let org = org.as_str();
        let id = call.param("markerId");
        let m = h.markers.get(org, id).filter(|m| m.image_id == img.id).ok_or_else(|| {
            ApiError::new(
                "MARKER_NOT_FOUND",
                format!("Marker is not found for given imageId {} and markerId {id}", img.id),
            )
        })?;
        Ok(Reply::json(StatusCode::OK, &marker_value(h, org, &m)))
    })();
    answer(call, result)
}
