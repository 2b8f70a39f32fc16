//! Glance v2 image update (`PATCH /v2/images/{id}`, `application/openstack-images-v2.1-json-patch`).
//! Applies to the image's JSON view; core fields keep their types, extra properties must be strings.

use serde_json::{Map, Value};

pub const PATCH_CONTENT_TYPE: &str = "application/openstack-images-v2.1-json-patch";

const READ_ONLY: [&str; 12] = [
    "id",
    "status",
    "owner",
    "checksum",
    "size",
    "virtual_size",
    "created_at",
    "updated_at",
    "self",
    "file",
    "schema",
    "direct_url",
];
const IMMUTABLE_WHEN_ACTIVE: [&str; 2] = ["disk_format", "container_format"];
const VISIBILITIES: [&str; 4] = ["public", "private", "shared", "community"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatchError {
    /// 400 with Glance's explanation.
    BadRequest(String),
    /// 403, e.g. `Attribute 'id' is read-only.`
    Forbidden(String),
}

/// Applies the patch document to `image` (the full JSON view); nothing changes unless every operation is valid.
pub fn apply_patch(image: &Map<String, Value>, body: &[u8]) -> Result<Map<String, Value>, PatchError> {
    let doc: Value =
        serde_json::from_slice(body).map_err(|_| PatchError::BadRequest("Malformed JSON in request body.".into()))?;
    let ops = doc
        .as_array()
        .ok_or_else(|| PatchError::BadRequest("Request body must be a JSON array of operation objects.".into()))?;
    let mut out = image.clone();
    for op in ops {
        let op = op.as_object().ok_or_else(|| PatchError::BadRequest("Operations must be JSON objects.".into()))?;
        let kind = op
            .get("op")
            .and_then(Value::as_str)
            .ok_or_else(|| PatchError::BadRequest("Unable to find 'op' in JSON Schema change".into()))?;
        let path = op
            .get("path")
            .and_then(Value::as_str)
            .ok_or_else(|| PatchError::BadRequest("Unable to find 'path' in JSON Schema change".into()))?;
        let attr = path
            .strip_prefix('/')
            .filter(|a| !a.is_empty() && !a.contains('/'))
            .ok_or_else(|| PatchError::BadRequest(format!("Invalid JSON pointer for this resource: '{path}'")))?;
        if READ_ONLY.contains(&attr) {
            return Err(PatchError::Forbidden(format!("Attribute '{attr}' is read-only.")));
        }
        if IMMUTABLE_WHEN_ACTIVE.contains(&attr) && out.get("status").and_then(Value::as_str) == Some("active") {
            return Err(PatchError::Forbidden(format!("Attribute {attr} can be only replaced for a queued image.")));
        }
        match kind {
            "add" | "replace" => {
                let value = op
                    .get("value")
                    .ok_or_else(|| PatchError::BadRequest("Unable to find 'value' in JSON Schema change".into()))?;
                if kind == "replace" && !out.contains_key(attr) {
                    return Err(PatchError::BadRequest(format!("Property {attr} does not exist.")));
                }
                check_value(attr, value)?;
                out.insert(attr.to_string(), value.clone());
            }
            "remove" => {
                if is_core(attr) {
                    return Err(PatchError::Forbidden(format!("Properties {attr} must be set prior to saving data.")));
                }
                if out.remove(attr).is_none() {
                    return Err(PatchError::BadRequest(format!("Property {attr} does not exist.")));
                }
            }
            other => {
                return Err(PatchError::BadRequest(format!("Invalid operation: `{other}`: Unsupported operation")));
            }
        }
    }
    Ok(out)
}

fn is_core(attr: &str) -> bool {
    matches!(
        attr,
        "name" | "min_ram" | "min_disk" | "visibility" | "protected" | "tags" | "disk_format" | "container_format"
    )
}

fn check_value(attr: &str, v: &Value) -> Result<(), PatchError> {
    let ok = match attr {
        "name" => v.is_null() || v.as_str().is_some_and(|s| s.chars().count() <= 255),
        "min_ram" | "min_disk" => v.as_u64().is_some_and(|n| n <= i32::MAX as u64),
        "visibility" => v.as_str().is_some_and(|s| VISIBILITIES.contains(&s)),
        "protected" => v.is_boolean(),
        "tags" => {
            v.as_array().is_some_and(|a| a.iter().all(|t| t.as_str().is_some_and(|s| !s.is_empty() && s.len() <= 255)))
        }
        _ => v.as_str().is_some_and(|s| s.len() <= 65535),
    };
    if ok {
        Ok(())
    } else {
        Err(PatchError::BadRequest(format!("Invalid value for attribute '{attr}': {v}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn image() -> Map<String, Value> {
        json!({"id": "i", "name": "a", "status": "active", "min_ram": 0, "visibility": "private", "tags": [],
               "disk_format": "raw", "os_type": "ubuntu"})
        .as_object()
        .unwrap()
        .clone()
    }

    #[test]
    fn applies_ops() {
        let out = apply_patch(
            &image(),
            br#"[{"op":"replace","path":"/name","value":"b"},{"op":"add","path":"/min_ram","value":512},
                {"op":"add","path":"/note","value":"x"},{"op":"remove","path":"/os_type"}]"#,
        )
        .unwrap();
        assert_eq!(out["name"], "b");
        assert_eq!(out["min_ram"], 512);
        assert_eq!(out["note"], "x");
        assert!(!out.contains_key("os_type"));
    }

    #[test]
    fn refuses() {
        let err = |b: &str| apply_patch(&image(), b.as_bytes()).unwrap_err();
        assert_eq!(
            err(r#"[{"op":"replace","path":"/id","value":"x"}]"#),
            PatchError::Forbidden("Attribute 'id' is read-only.".into())
        );
        assert!(matches!(err(r#"[{"op":"replace","path":"/disk_format","value":"qcow2"}]"#), PatchError::Forbidden(_)));
        assert!(matches!(err("nope"), PatchError::BadRequest(_)));
        assert!(matches!(err("{}"), PatchError::BadRequest(_)));
        assert!(matches!(err(r#"[{"op":"move","path":"/name"}]"#), PatchError::BadRequest(_)));
        assert!(matches!(err(r#"[{"op":"replace","path":"/min_ram","value":-1}]"#), PatchError::BadRequest(_)));
        assert!(matches!(
            err(r#"[{"op":"replace","path":"/visibility","value":"everyone"}]"#),
            PatchError::BadRequest(_)
        ));
        assert!(matches!(err(r#"[{"op":"remove","path":"/nothing"}]"#), PatchError::BadRequest(_)));
        assert!(matches!(err(r#"[{"op":"replace","path":"/nothing","value":"x"}]"#), PatchError::BadRequest(_)));
        assert!(matches!(err(r#"[{"op":"add","path":"/prop","value":5}]"#), PatchError::BadRequest(_)));
        // A failed patch leaves nothing half-applied: the input is untouched by construction.
        assert!(matches!(
            err(r#"[{"op":"replace","path":"/name","value":"b"},{"op":"replace","path":"/id","value":"x"}]"#),
            PatchError::Forbidden(_)
        ));
    }
}
