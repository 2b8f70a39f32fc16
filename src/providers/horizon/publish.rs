//! Publish (`?action=publish`) and republish: replicate a version to provider instances.

use hyper::StatusCode;
use serde_json::{json, Value};

use super::auth;
use super::catalog::answer;
use super::errors::{ApiError, ApiResult};
use super::lifecycle::{self, Kind, Work};
use super::model::{version_in_transition, PROVIDER_LABELS};
use super::versions::body_org;
use super::wire::{self, required, Body, Fields};
use super::Horizon;
use crate::core::call::{Call, Reply};

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
