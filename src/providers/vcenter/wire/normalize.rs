//! Turns a decoded request (from any codec) into the canonical `/rest` JSON form of the operation input,
//! checking it against the SDK schema. Canonical form: structures are objects without unset optionals,
//! maps are `[{"key","value"}]`, dynamic structures carry `@class`.

use serde_json::{Map, Value};

use super::schema::{Schema, Ty};
use crate::providers::vcenter::errors::VapiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `/rest` JSON or unwrapped JSON-RPC: values already typed.
    Json,
    /// XML and query string: every leaf is a string, parsed by the target type.
    Stringly,
    /// `/api` JSON: maps are objects, dynamic structures may lack `@class`.
    Api,
}

fn mismatch(path: &str, ty: &Ty) -> VapiError {
    VapiError::new(
        "invalid_argument",
        "vapi.data.value.type.mismatch",
        format!("Expected {} at '{}'.", ty.name(), path),
        vec![ty.name(), path.to_string()],
    )
}

fn join(path: &str, seg: &str) -> String {
    if path.is_empty() {
        seg.to_string()
    } else {
        format!("{path}.{seg}")
    }
}

/// Normalises the operation input. `input` must be an object of parameter name → value.
pub fn normalize_input(service: &str, op: &str, input: &Value, mode: Mode) -> Result<Value, VapiError> {
    let schema = Schema::get();
    let Some(op_schema) = schema.op(service, op) else {
        return Err(VapiError::new(
            "operation_not_found",
            "vapi.method.input.invalid.method",
            format!("Cannot find operation '{op}' in service '{service}'."),
            vec![op.to_string(), service.to_string()],
        ));
    };
    let empty = Map::new();
    let obj = match input {
        Value::Object(m) => m,
        Value::Null => &empty,
        Value::String(s) if s.trim().is_empty() => &empty,
        _ => return Err(mismatch("", &Ty::Struct("operation-input".into()))),
    };
    for k in obj.keys() {
        if !op_schema.input.iter().any(|(n, _)| n == k) {
            return Err(VapiError::new(
                "invalid_argument",
                "vapi.data.structure.field.unexpected",
                format!("Unexpected field '{k}' in the input of operation '{service}.{op}'."),
                vec![k.clone(), format!("{service}.{op}")],
            ));
        }
    }
    normalize_fields(&op_schema.input, obj, "", &format!("{service}.{op} input"), mode)
}

fn normalize_fields(
    fields: &[(String, Ty)],
    obj: &Map<String, Value>,
    path: &str,
    sname: &str,
    mode: Mode,
) -> Result<Value, VapiError> {
    let mut out = Map::new();
    for (name, ty) in fields {
        let v = obj.get(name).unwrap_or(&Value::Null);
        let p = join(path, name);
        match ty {
            Ty::Opt(inner) => {
                if !v.is_null() {
                    out.insert(name.clone(), normalize(v, inner, &p, mode)?);
                }
            }
            _ if v.is_null() => {
                return Err(VapiError::new(
                    "invalid_argument",
                    "vapi.data.structure.field.missing",
                    format!("Field '{name}' missing from structure '{sname}'."),
                    vec![name.clone(), sname.to_string()],
                ))
            }
            _ => {
                out.insert(name.clone(), normalize(v, ty, &p, mode)?);
            }
        }
    }
    Ok(Value::Object(out))
}

pub fn normalize(v: &Value, ty: &Ty, path: &str, mode: Mode) -> Result<Value, VapiError> {
    let stringly = mode == Mode::Stringly;
    match ty {
        Ty::Opt(inner) => {
            if v.is_null() {
                Ok(Value::Null)
            } else {
                normalize(v, inner, path, mode)
            }
        }
        Ty::Str | Ty::Id | Ty::Enum | Ty::Uri | Ty::DateTime | Ty::Secret | Ty::Binary => match v {
            Value::String(_) => Ok(v.clone()),
            _ => Err(mismatch(path, ty)),
        },
        Ty::Bool => match v {
            Value::Bool(_) => Ok(v.clone()),
            Value::String(s) if stringly && (s == "true" || s == "false") => Ok(Value::Bool(s == "true")),
            _ => Err(mismatch(path, ty)),
        },
        Ty::Long => match v {
            Value::Number(n) if n.is_i64() => Ok(v.clone()),
            Value::String(s) if stringly => s.trim().parse::<i64>().map(Value::from).map_err(|_| mismatch(path, ty)),
            _ => Err(mismatch(path, ty)),
        },
        Ty::Double => match v {
            Value::Number(_) => Ok(v.clone()),
            Value::String(s) if stringly => s
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .ok_or_else(|| mismatch(path, ty)),
            _ => Err(mismatch(path, ty)),
        },
        Ty::List(inner) | Ty::Set(inner) => match v {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, it)| normalize(it, inner, &join(path, &(i + 1).to_string()), mode))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            Value::String(s) if stringly && s.trim().is_empty() => Ok(Value::Array(vec![])),
            _ => Err(mismatch(path, ty)),
        },
        Ty::Map(kt, vt) => {
            let entries: Vec<(Value, &Value)> = match v {
                Value::Array(items) => {
                    let mut es = vec![];
                    for (i, it) in items.iter().enumerate() {
                        let p = join(path, &(i + 1).to_string());
                        let (Some(k), Some(val)) = (it.get("key"), it.get("value")) else {
                            return Err(mismatch(&p, &Ty::Struct("map-entry".into())));
                        };
                        es.push((normalize(k, kt, &join(&p, "key"), mode)?, val));
                    }
                    es
                }
                Value::Object(m) if mode == Mode::Api => {
                    m.iter().map(|(k, val)| (Value::String(k.clone()), val)).collect()
                }
                Value::String(s) if stringly && s.trim().is_empty() => vec![],
                _ => return Err(mismatch(path, ty)),
            };
            let mut out = vec![];
            for (k, val) in entries {
                let p = join(path, k.as_str().unwrap_or("value"));
                let mut e = Map::new();
                e.insert("key".into(), k);
                e.insert("value".into(), normalize(val, vt, &p, mode)?);
                out.push(Value::Object(e));
            }
            Ok(Value::Array(out))
        }
        Ty::Struct(name) => {
            let obj = match v {
                Value::Object(m) => m.clone(),
                Value::String(s) if stringly && s.trim().is_empty() => Map::new(),
                _ => return Err(mismatch(path, ty)),
            };
            match Schema::get().fields(name) {
                Some(fields) => normalize_fields(fields, &obj, path, name, mode),
                None => Ok(Value::Object(obj)),
            }
        }
        Ty::Dynamic => {
            let Value::Object(obj) = v else { return Err(mismatch(path, ty)) };
            let class = match obj.get("@class").and_then(Value::as_str) {
                Some(c) => c.to_string(),
                None => {
                    match (mode, obj.get("type").and_then(Value::as_str).and_then(|t| Schema::get().class_for_type(t)))
                    {
                        (Mode::Api, Some(c)) => c,
                        _ => {
                            return Err(VapiError::new(
                                "invalid_argument",
                                "vapi.data.dynamicstructure.class.missing",
                                format!("Dynamic structure at '{path}' has no '@class'."),
                                vec![path.to_string()],
                            ))
                        }
                    }
                }
            };
            // An unknown class is kept as sent: the operation decides (deploy reports it as an OVF input error).
            let mut out = match Schema::get().fields(&class) {
                Some(fields) => match normalize_fields(fields, obj, path, &class, mode)? {
                    Value::Object(m) => m,
                    _ => Map::new(),
                },
                None => obj.clone(),
            };
            out.insert("@class".into(), Value::String(class));
            Ok(Value::Object(out))
        }
        Ty::Void => Ok(Value::Null),
        Ty::Opaque | Ty::AnyError => Ok(v.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const OVF: &str = "com.vmware.vcenter.ovf.library_item";

    #[test]
    fn missing_accept_all_eula_is_invalid_argument() {
        let input = json!({"ovf_library_item_id": "i", "target": {"resource_pool_id": "resgroup-8"}, "deployment_spec": {"name": "x"}});
        let e = normalize_input(OVF, "deploy", &input, Mode::Json).unwrap_err();
        assert_eq!(e.kind, "invalid_argument");
        assert_eq!(e.id, "vapi.data.structure.field.missing");
        assert!(e.message.contains("accept_all_EULA"));
    }

    #[test]
    fn stringly_values_are_typed_and_maps_kept() {
        let input = json!({"ovf_library_item_id": "i", "target": {"resource_pool_id": "resgroup-8"},
            "deployment_spec": {"accept_all_EULA": "true", "network_mappings": [{"key": "nat", "value": "network-17"}],
              "additional_parameters": [{"@class": "com.vmware.vcenter.ovf.size_params", "type": "SizeParams", "approximate_download_size": "12"}]}});
        let out = normalize_input(OVF, "deploy", &input, Mode::Stringly).unwrap();
        assert_eq!(out["deployment_spec"]["accept_all_EULA"], json!(true));
        assert_eq!(out["deployment_spec"]["network_mappings"][0]["value"], "network-17");
        assert_eq!(out["deployment_spec"]["additional_parameters"][0]["approximate_download_size"], json!(12));
        assert_eq!(out["deployment_spec"]["additional_parameters"][0]["@class"], "com.vmware.vcenter.ovf.size_params");
    }

    #[test]
    fn json_mode_refuses_string_booleans() {
        let input = json!({"ovf_library_item_id": "i", "target": {"resource_pool_id": "r"}, "deployment_spec": {"accept_all_EULA": "true"}});
        let e = normalize_input(OVF, "deploy", &input, Mode::Json).unwrap_err();
        assert_eq!(e.id, "vapi.data.value.type.mismatch");
        assert!(e.message.contains("deployment_spec.accept_all_EULA"));
    }

    #[test]
    fn api_maps_are_objects_and_classes_come_from_type() {
        let input = json!({"ovf_library_item_id": "i", "target": {"resource_pool_id": "r"},
            "deployment_spec": {"accept_all_EULA": false, "network_mappings": {"nat": "network-17"},
              "additional_parameters": [{"type": "PropertyParams", "properties": [{"id": "hostname", "value": "web"}]}]}});
        let out = normalize_input(OVF, "deploy", &input, Mode::Api).unwrap();
        assert_eq!(out["deployment_spec"]["network_mappings"], json!([{"key": "nat", "value": "network-17"}]));
        assert_eq!(
            out["deployment_spec"]["additional_parameters"][0]["@class"],
            "com.vmware.vcenter.ovf.property_params"
        );
    }

    #[test]
    fn unexpected_top_level_field_is_refused() {
        let e = normalize_input(
            OVF,
            "filter",
            &json!({"ovf_library_item_id": "i", "target": {"resource_pool_id": "r"}, "deployment_spec": {}}),
            Mode::Json,
        )
        .unwrap_err();
        assert_eq!(e.id, "vapi.data.structure.field.unexpected");
    }

    #[test]
    fn dynamic_without_class_is_refused_on_rest() {
        let input = json!({"ovf_library_item_id": "i", "target": {"resource_pool_id": "r"},
            "deployment_spec": {"accept_all_EULA": true, "additional_parameters": [{"type": "SizeParams"}]}});
        assert_eq!(normalize_input(OVF, "deploy", &input, Mode::Json).unwrap_err().kind, "invalid_argument");
    }
}
