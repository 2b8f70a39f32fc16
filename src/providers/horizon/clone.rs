//! Clone (`?action=clone-version|clone-image`): a new version, or a new image, from an existing version.

use hyper::StatusCode;
use serde_json::json;

use super::auth;
use super::catalog::answer;
use super::errors::{ApiError, ApiResult};
use super::lifecycle::{self, Kind, Work};
use super::model::{version_in_transition, Image, VERSION_TYPES};
use super::version_name::{VersionNumber, VersionType};
use super::versions::{body_org, insert_version, next_name, version_response, NewVersion};
use super::wire::{self, check_asset_details, marker_names, required, Body};
use super::Horizon;
use crate::core::call::{Call, Reply};

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
