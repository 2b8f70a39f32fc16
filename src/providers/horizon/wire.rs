//! Wire types: reading request bodies field by field (so each refusal names its field) and rendering the
//! stored rows as the API's transfer objects (`StreamTO`, `VersionTO`, `AssetTO`, `MarkerTO`).

use serde_json::{json, Map, Value};

use super::errors::{ApiError, ApiResult};
use super::model::{Asset, Image, Marker, Version};
use crate::core::call::Call;
use crate::core::Core;

/// Dates as the API prints them: ISO-8601 UTC with milliseconds.
pub fn timestamp(core: &Core) -> String {
    core.clock.now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// A JSON object body, read field by field. Jackson ignores unknown fields, and so does this.
pub struct Body {
    map: Map<String, Value>,
}

impl Body {
    pub fn parse(call: &Call) -> ApiResult<Body> {
        if call.body.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(ApiError::new("MALFORMED_REQUEST", "Required request body is missing"));
        }
        match serde_json::from_slice::<Value>(&call.body) {
            Ok(Value::Object(map)) => Ok(Body { map }),
            Ok(_) => Err(ApiError::new("MALFORMED_REQUEST", "Malformed JSON request: the body must be a JSON object")),
            Err(e) => Err(ApiError::new("MALFORMED_REQUEST", format!("Malformed JSON request: {e}"))),
        }
    }

    /// An absent body reads as `{}` (publish and republish bodies are optional for some clients).
    pub fn parse_optional(call: &Call) -> ApiResult<Body> {
        if call.body.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(Body { map: Map::new() });
        }
        Body::parse(call)
    }

    pub fn fields(&self) -> Fields<'_> {
        Fields { map: &self.map, prefix: String::new() }
    }
}

/// A view of one JSON object with the path used in messages (`assetDetails.vmInfo`).
pub struct Fields<'a> {
    map: &'a Map<String, Value>,
    prefix: String,
}

impl<'a> Fields<'a> {
    pub fn path(&self, field: &str) -> String {
        if self.prefix.is_empty() {
            field.to_string()
        } else {
            format!("{}.{field}", self.prefix)
        }
    }

    fn wrong_type(&self, field: &str, want: &str) -> ApiError {
        ApiError::new("INVALID_FIELD", format!("Field '{}' must be {want}", self.path(field)))
    }

    pub fn raw(&self, field: &str) -> Option<&'a Value> {
        self.map.get(field).filter(|v| !v.is_null())
    }

    pub fn str(&self, field: &str) -> ApiResult<Option<String>> {
        match self.raw(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.wrong_type(field, "a string")),
        }
    }

    /// A string that must not be blank when present.
    pub fn name(&self, field: &str) -> ApiResult<Option<String>> {
        match self.str(field)? {
            Some(s) if s.trim().is_empty() => {
                Err(ApiError::new("MISSING_FIELD", format!("Field '{}' must not be blank", self.path(field))))
            }
            other => Ok(other),
        }
    }

    pub fn enumeration(&self, field: &str, allowed: &[&str]) -> ApiResult<Option<String>> {
        let Some(v) = self.str(field)? else { return Ok(None) };
        if allowed.contains(&v.as_str()) {
            Ok(Some(v))
        } else {
            Err(ApiError::new(
                "INVALID_ENUM_VALUE",
                format!("Invalid value '{v}' for field '{}'; allowed values: {}", self.path(field), allowed.join(", ")),
            ))
        }
    }

    pub fn bool(&self, field: &str) -> ApiResult<Option<bool>> {
        match self.raw(field) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(self.wrong_type(field, "a boolean")),
        }
    }

    pub fn object(&self, field: &str) -> ApiResult<Option<Fields<'a>>> {
        match self.raw(field) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Fields { map, prefix: self.path(field) })),
            Some(_) => Err(self.wrong_type(field, "an object")),
        }
    }

    pub fn array(&self, field: &str) -> ApiResult<Option<&'a Vec<Value>>> {
        match self.raw(field) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(_) => Err(self.wrong_type(field, "an array")),
        }
    }

    /// A field that may be a string or a number (`versionSource`: hcs-cli sends the number `0.0`).
    pub fn string_or_number(&self, field: &str) -> ApiResult<Option<&'a Value>> {
        match self.raw(field) {
            None => Ok(None),
            Some(v @ (Value::String(_) | Value::Number(_))) => Ok(Some(v)),
            Some(_) => Err(self.wrong_type(field, "a string or a number")),
        }
    }

    /// A string or an array of strings (`vmInfo.password`: the schema says array, hcs-cli sends a string).
    pub fn string_or_strings(&self, field: &str) -> ApiResult<()> {
        match self.raw(field) {
            None | Some(Value::String(_)) => Ok(()),
            Some(Value::Array(a)) if a.iter().all(Value::is_string) => Ok(()),
            Some(_) => Err(self.wrong_type(field, "a string or an array of strings")),
        }
    }

    pub fn to_value(&self) -> Value {
        Value::Object(self.map.clone())
    }
}

pub fn required<T>(value: Option<T>, path: &str) -> ApiResult<T> {
    value.ok_or_else(|| ApiError::new("MISSING_FIELD", format!("Field '{path}' is mandatory")))
}

/// Marker names from a body's `markers` (`[{"name": "default"}]`); none given means one named "default".
pub fn marker_names(fields: &Fields) -> ApiResult<Vec<String>> {
    let Some(list) = fields.array("markers")? else { return Ok(vec!["default".to_string()]) };
    let mut names = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let name = item.get("name").and_then(Value::as_str).filter(|s| !s.trim().is_empty()).ok_or_else(|| {
            ApiError::new("INVALID_FIELD", format!("Field 'markers[{i}].name' must be a non-blank string"))
        })?;
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    if names.is_empty() {
        names.push("default".to_string());
    }
    Ok(names)
}

/// `assetDetails` checks shared by create and add version: the object shapes, the request-side `type`, and the
/// lenient password.
pub fn check_asset_details(fields: &Fields) -> ApiResult<Option<(Option<String>, Value)>> {
    let Some(details) = fields.object("assetDetails")? else { return Ok(None) };
    let kind = details.enumeration("type", super::model::ASSET_TYPES)?;
    let data = details.object("data")?.map(|d| d.to_value()).unwrap_or_else(|| json!({}));
    details.object("options")?;
    if let Some(vm) = details.object("vmInfo")? {
        vm.str("username")?;
        vm.string_or_strings("password")?;
    }
    details.str("mspOrgId")?;
    details.bool("isClientAccessLicenseApplicable")?;
    details.bool("multiSession")?;
    Ok(Some((kind, data)))
}

pub fn marker_status(version_status: &str) -> &'static str {
    if super::model::version_in_transition(version_status) {
        "IN_PROGRESS"
    } else if matches!(version_status, "FAILED" | "FAILED_UNRECOVERABLE" | "VALIDATION_FAILED") {
        "FAILED"
    } else {
        "AVAILABLE"
    }
}

pub fn marker_to(m: &Marker, version_status: &str) -> Value {
    json!({
        "id": m.id,
        "name": m.name,
        "imageId": m.image_id,
        "versionId": m.version_id,
        "nextVersionId": m.next_version_id,
        "orgId": m.org_id,
        "status": marker_status(version_status),
        "errorCode": null,
        "errorDetails": null,
        "errorDetailsParameters": {},
        "templateCount": m.template_count,
        "createdAt": m.created_at,
        "updatedAt": m.updated_at,
    })
}

pub fn image_to(i: &Image, markers: Vec<Value>, version_count: usize) -> Value {
    json!({
        "id": i.id,
        "name": i.name,
        "description": i.description,
        "orgId": i.org_id,
        "os": i.os,
        "osType": i.os_type,
        "gpuType": i.gpu_type,
        "multiSession": i.multi_session,
        "sourceType": i.source_type,
        "sourceStreamId": i.source_stream_id,
        "sourceVersionId": i.source_version_id,
        "providerInstanceId": i.provider_instance_id,
        "providerLabel": i.provider_label,
        "status": i.status,
        "markers": markers,
        "createdAt": i.created_at,
        "updatedAt": i.updated_at,
        "version": i.version,
        "versionCount": version_count,
    })
}

pub fn version_to(v: &Version, markers: Vec<Value>) -> Value {
    json!({
        "id": v.id,
        "streamId": v.stream_id,
        "orgId": v.org_id,
        "name": v.name,
        "description": v.description,
        "os": v.os,
        "sourceType": v.source_type,
        "sourceVersionId": v.source_version_id,
        "state": v.state,
        "status": v.status,
        "lastTriggeredAction": v.last_triggered_action,
        "versionType": v.version_type,
        "markers": markers,
        "options": v.options,
        "versionValidationDetails": v.version_validation_details,
        "versionHistory": v.version_history,
        "createdAt": v.created_at,
        "updatedAt": v.updated_at,
        "version": v.version,
    })
}

pub fn asset_to(a: &Asset, catalog: Option<(&Image, &Version)>) -> Value {
    let mut v = json!({
        "id": a.id,
        "imageId": a.image_id,
        "versionId": a.version_id,
        "orgId": a.org_id,
        "providerInstanceId": a.provider_instance_id,
        "providerLabel": a.provider_label,
        "credentialId": a.credential_id,
        "gpuType": a.gpu_type,
        "osType": a.os_type,
        "multiSession": a.multi_session,
        "state": a.state,
        "status": a.status,
        "assetDetails": {"assetType": a.asset_type, "data": a.data},
        "errorCode": a.error_code,
        "errorDetails": a.error_details,
        "errorDetailsParameters": {},
        "warningDetails": null,
        "warningDetailsParameters": {},
        "errorsHistory": a.errors_history,
        "createdAt": a.created_at,
        "updatedAt": a.updated_at,
        "version": a.version,
    });
    if let Some((image, version)) = catalog {
        v["catalogDetails"] = json!({
            "imageId": image.id,
            "imageName": image.name,
            "versionId": version.id,
            "versionName": version.name,
        });
    }
    v
}
