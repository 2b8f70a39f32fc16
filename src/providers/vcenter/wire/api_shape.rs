//! The `/api` (7.0 U2+) result shape: maps are JSON objects and dynamic structures drop `@class`
//! (the `/api` docs keep only their `type` discriminator).

use serde_json::{Map, Value};

use super::schema::{Schema, Ty};

pub fn to_api(v: &Value, ty: &Ty) -> Value {
    match ty {
        Ty::Opt(inner) => {
            if v.is_null() {
                Value::Null
            } else {
                to_api(v, inner)
            }
        }
        Ty::List(inner) | Ty::Set(inner) => match v {
            Value::Array(a) => Value::Array(a.iter().map(|x| to_api(x, inner)).collect()),
            other => other.clone(),
        },
        Ty::Map(_, vt) => match v {
            Value::Array(a) => {
                let mut m = Map::new();
                for e in a {
                    let k = match &e["key"] {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    m.insert(k, to_api(&e["value"], vt));
                }
                Value::Object(m)
            }
            other => other.clone(),
        },
        Ty::Struct(name) => struct_to_api(v, Some(name)),
        Ty::Dynamic => {
            let class = v.get("@class").and_then(Value::as_str).map(str::to_string);
            struct_to_api(v, class.as_deref())
        }
        _ => v.clone(),
    }
}

fn struct_to_api(v: &Value, name: Option<&str>) -> Value {
    let Value::Object(m) = v else { return v.clone() };
    let fields = name.and_then(|n| Schema::get().fields(n));
    let mut out = Map::new();
    for (k, val) in m.iter().filter(|(k, val)| *k != "@class" && !val.is_null()) {
        let ty = fields.and_then(|fs| fs.iter().find(|(n, _)| n == k)).map(|(_, t)| t);
        out.insert(
            k.clone(),
            match ty {
                Some(t) => to_api(val, t),
                None => val.clone(),
            },
        );
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn vm_device_maps_become_objects() {
        let v = json!({"name": "x", "disks": [{"key": "2000", "value": {"label": "Hard disk 1"}}], "nics": []});
        let out = to_api(&v, &Ty::Struct("com.vmware.vcenter.VM.info".into()));
        assert_eq!(out["disks"], json!({"2000": {"label": "Hard disk 1"}}));
        assert_eq!(out["nics"], json!({}));
    }

    #[test]
    fn dynamic_structures_lose_class() {
        let v = json!({"additional_params": [{"@class": "com.vmware.vcenter.ovf.size_params", "type": "SizeParams"}], "EULAs": []});
        let out = to_api(&v, &Ty::Struct("com.vmware.vcenter.ovf.library_item.ovf_summary".into()));
        assert_eq!(out["additional_params"], json!([{"type": "SizeParams"}]));
    }
}
