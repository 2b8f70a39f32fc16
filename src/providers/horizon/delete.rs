//! Delete Version: the version and its copies go in the background; the image goes with its last version.

use hyper::StatusCode;

use super::auth;
use super::catalog::answer;
use super::errors::{ApiError, ApiResult};
use super::lifecycle::{self, Kind, Work};
use super::model::version_in_transition;
use super::wire;
use super::Horizon;
use crate::core::call::{Call, Reply};

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
