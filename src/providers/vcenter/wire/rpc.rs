//! JSON-RPC value encoding of the vAPI runtime (`vmware/vapi/data/serializers/jsonrpc.py`):
//! `STRUCTURE`, `OPTIONAL`, `SECRET`, `ERROR`, `map-entry`. Decoding strips the wrappers into the
//! canonical form; encoding re-wraps a canonical value by its schema type.

use serde_json::{json, Map, Value};

use super::schema::{Schema, Ty};

/// Removes the wrappers. Every `STRUCTURE` becomes an object carrying its name in `@class` (normalisation
/// drops it again for non-dynamic fields); `map-entry` lists become `{"key","value"}` arrays.
pub fn unwrap(v: &Value) -> Value {
    match v {
        Value::Object(m) if m.len() == 1 => {
            let (k, inner) = m.iter().next().expect("one key");
            match k.as_str() {
                "OPTIONAL" => unwrap(inner),
                "SECRET" | "BINARY" => inner.clone(),
                "STRUCTURE" | "ERROR" => match inner {
                    Value::Object(s) if s.len() == 1 => {
                        let (name, fields) = s.iter().next().expect("one key");
                        let mut out = Map::new();
                        if let Value::Object(f) = fields {
                            for (fk, fv) in f {
                                let u = unwrap(fv);
                                if !u.is_null() {
                                    out.insert(fk.clone(), u);
                                }
                            }
                        }
                        if name != "map-entry" && name != "operation-input" {
                            out.insert("@class".into(), Value::String(name.clone()));
                        }
                        Value::Object(out)
                    }
                    other => unwrap(other),
                },
                _ => Value::Object(m.iter().map(|(k, v)| (k.clone(), unwrap(v))).collect()),
            }
        }
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), unwrap(v))).collect()),
        Value::Array(a) => Value::Array(a.iter().map(unwrap).collect()),
        other => other.clone(),
    }
}

/// Encodes a canonical value as the SDK expects it: every optional present and wrapped, every structure named.
pub fn wrap(v: &Value, ty: &Ty) -> Value {
    match ty {
        Ty::Opt(inner) => json!({"OPTIONAL": if v.is_null() { Value::Null } else { wrap(v, inner) }}),
        Ty::Secret => json!({"SECRET": v}),
        Ty::Binary => json!({"BINARY": v}),
        Ty::List(inner) | Ty::Set(inner) => match v {
            Value::Array(a) => Value::Array(a.iter().map(|x| wrap(x, inner)).collect()),
            _ => Value::Array(vec![]),
        },
        Ty::Map(kt, vt) => {
            let entries: Vec<Value> = match v {
                Value::Array(a) => a
                    .iter()
                    .map(|e| json!({"STRUCTURE": {"map-entry": {"key": wrap(&e["key"], kt), "value": wrap(&e["value"], vt)}}}))
                    .collect(),
                Value::Object(m) => m
                    .iter()
                    .map(|(k, val)| json!({"STRUCTURE": {"map-entry": {"key": k, "value": wrap(val, vt)}}}))
                    .collect(),
                _ => vec![],
            };
            Value::Array(entries)
        }
        Ty::Struct(name) => wrap_struct(v, name),
        Ty::Dynamic => {
            let class =
                v.get("@class").and_then(Value::as_str).unwrap_or("com.vmware.vapi.std.dynamic_value").to_string();
            wrap_struct(v, &class)
        }
        Ty::Void => Value::Null,
        _ => v.clone(),
    }
}

fn wrap_struct(v: &Value, name: &str) -> Value {
    let mut fields = Map::new();
    // Every std error class shares the one std error structure.
    let shape = if name.starts_with("com.vmware.vapi.std.errors.") { "com.vmware.vapi.std.errors.error" } else { name };
    match Schema::get().fields(shape) {
        Some(fs) => {
            for (fname, fty) in fs {
                fields.insert(fname.clone(), wrap(v.get(fname).unwrap_or(&Value::Null), fty));
            }
        }
        None => {
            if let Value::Object(m) = v {
                for (k, val) in m.iter().filter(|(k, _)| *k != "@class") {
                    fields.insert(k.clone(), val.clone());
                }
            }
        }
    }
    let mut named = Map::new();
    named.insert(name.to_string(), Value::Object(fields));
    json!({"STRUCTURE": named})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deploy_input_unwraps_to_the_rest_form() {
        let captured = json!({"STRUCTURE": {"operation-input": {"client_token": {"OPTIONAL": "tok"}, "ovf_library_item_id": "item",
            "target": {"STRUCTURE": {"com.vmware.vcenter.ovf.library_item.deployment_target": {"resource_pool_id": "resgroup-8", "host_id": {"OPTIONAL": null}, "folder_id": {"OPTIONAL": "group-v3"}}}},
            "deployment_spec": {"STRUCTURE": {"com.vmware.vcenter.ovf.library_item.resource_pool_deployment_spec": {"name": {"OPTIONAL": "web"}, "accept_all_EULA": true,
                "network_mappings": {"OPTIONAL": [{"STRUCTURE": {"map-entry": {"key": "nat", "value": "network-7"}}}]}, "flags": {"OPTIONAL": null}}}}}}});
        let u = unwrap(&captured);
        assert_eq!(u["client_token"], "tok");
        assert_eq!(u["target"]["folder_id"], "group-v3");
        assert!(u["target"].get("host_id").is_none());
        assert_eq!(u["deployment_spec"]["network_mappings"], json!([{"key": "nat", "value": "network-7"}]));
        let n = crate::providers::vcenter::wire::normalize::normalize_input(
            "com.vmware.vcenter.ovf.library_item",
            "deploy",
            &u,
            crate::providers::vcenter::wire::normalize::Mode::Json,
        )
        .unwrap();
        assert!(n["target"].get("@class").is_none());
    }

    #[test]
    fn deploy_result_wraps_like_the_sdk_expects() {
        let v = json!({"succeeded": true, "resource_id": {"type": "VirtualMachine", "id": "vm-1001"}});
        let ty = Ty::Struct("com.vmware.vcenter.ovf.library_item.deployment_result".into());
        assert_eq!(
            wrap(&v, &ty),
            json!({"STRUCTURE": {"com.vmware.vcenter.ovf.library_item.deployment_result": {"succeeded": true,
                "resource_id": {"OPTIONAL": {"STRUCTURE": {"com.vmware.vcenter.ovf.library_item.deployable_identity": {"type": "VirtualMachine", "id": "vm-1001"}}}},
                "error": {"OPTIONAL": null}}}})
        );
    }

    #[test]
    fn secrets_maps_and_dynamic_structures() {
        assert_eq!(wrap(&json!("abc"), &Ty::Secret), json!({"SECRET": "abc"}));
        let ty = Ty::Map(Box::new(Ty::Str), Box::new(Ty::Str));
        assert_eq!(
            wrap(&json!([{"key": "a", "value": "b"}]), &ty),
            json!([{"STRUCTURE": {"map-entry": {"key": "a", "value": "b"}}}])
        );
        let d = wrap(
            &json!({"@class": "com.vmware.vcenter.ovf.size_params", "type": "SizeParams", "approximate_download_size": 5}),
            &Ty::Dynamic,
        );
        assert_eq!(
            d["STRUCTURE"]["com.vmware.vcenter.ovf.size_params"]["approximate_download_size"],
            json!({"OPTIONAL": 5})
        );
        assert_eq!(
            d["STRUCTURE"]["com.vmware.vcenter.ovf.size_params"]["variable_disk_size"],
            json!({"OPTIONAL": null})
        );
    }
}
