//! vAPI binding types of the served operations, dumped from the official Python SDK 9.1.1.0
//! (`vapi_schema.json`, produced from the SDK's own type objects by `dump_schema.py`; rerun it with the SDK
//! installed to add operations). One schema drives every codec:
//! input normalisation, JSON-RPC wrapping and `/api` map shapes.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    Str,
    Bool,
    Long,
    Double,
    Secret,
    DateTime,
    Uri,
    Id,
    Enum,
    Void,
    Binary,
    Dynamic,
    Opaque,
    AnyError,
    Opt(Box<Ty>),
    List(Box<Ty>),
    Set(Box<Ty>),
    Map(Box<Ty>, Box<Ty>),
    Struct(String),
}

impl Ty {
    fn parse(v: &Value) -> Ty {
        match v {
            Value::String(s) => match s.as_str() {
                "string" => Ty::Str,
                "bool" => Ty::Bool,
                "long" => Ty::Long,
                "double" => Ty::Double,
                "secret" => Ty::Secret,
                "datetime" => Ty::DateTime,
                "uri" => Ty::Uri,
                "id" => Ty::Id,
                "enum" => Ty::Enum,
                "void" => Ty::Void,
                "binary" => Ty::Binary,
                "dynamic" => Ty::Dynamic,
                "error" => Ty::AnyError,
                _ => Ty::Opaque,
            },
            Value::Object(m) => {
                if let Some(t) = m.get("opt") {
                    Ty::Opt(Box::new(Ty::parse(t)))
                } else if let Some(t) = m.get("list") {
                    Ty::List(Box::new(Ty::parse(t)))
                } else if let Some(t) = m.get("set") {
                    Ty::Set(Box::new(Ty::parse(t)))
                } else if let Some(Value::Array(kv)) = m.get("map") {
                    Ty::Map(Box::new(Ty::parse(&kv[0])), Box::new(Ty::parse(&kv[1])))
                } else if let Some(Value::String(n)) = m.get("struct") {
                    Ty::Struct(n.clone())
                } else {
                    Ty::Opaque
                }
            }
            _ => Ty::Opaque,
        }
    }

    pub fn name(&self) -> String {
        match self {
            Ty::Str | Ty::Id | Ty::Enum | Ty::Uri | Ty::DateTime | Ty::Secret => "string".into(),
            Ty::Bool => "boolean".into(),
            Ty::Long => "long".into(),
            Ty::Double => "double".into(),
            Ty::List(_) | Ty::Set(_) => "list".into(),
            Ty::Map(..) => "map".into(),
            Ty::Struct(n) => format!("structure '{n}'"),
            Ty::Dynamic => "dynamic structure".into(),
            Ty::Opt(t) => t.name(),
            _ => "value".into(),
        }
    }
}

pub struct OpSchema {
    pub input: Vec<(String, Ty)>,
    pub output: Ty,
}

pub struct Schema {
    pub ops: HashMap<String, OpSchema>,
    pub structs: HashMap<String, Vec<(String, Ty)>>,
}

fn fields(v: &Value) -> Vec<(String, Ty)> {
    v.as_array()
        .map(|a| a.iter().filter_map(|f| Some((f.get(0)?.as_str()?.to_string(), Ty::parse(f.get(1)?)))).collect())
        .unwrap_or_default()
}

impl Schema {
    fn load() -> Schema {
        let raw: Value =
            serde_json::from_str(include_str!("vapi_schema.json")).expect("embedded vAPI schema is valid JSON");
        let mut ops = HashMap::new();
        for (k, v) in raw["ops"].as_object().into_iter().flatten() {
            let input = v["in"]
                .as_object()
                .map(|m| m.iter().map(|(f, t)| (f.clone(), Ty::parse(t))).collect())
                .unwrap_or_default();
            ops.insert(k.clone(), OpSchema { input, output: Ty::parse(&v["out"]) });
        }
        let structs = raw["structs"].as_object().into_iter().flatten().map(|(k, v)| (k.clone(), fields(v))).collect();
        Schema { ops, structs }
    }

    pub fn get() -> &'static Schema {
        static S: OnceLock<Schema> = OnceLock::new();
        S.get_or_init(Schema::load)
    }

    /// `service` is the vAPI service id (`com.vmware.vcenter.ovf.library_item`), `op` the IDL name (`keep_alive`).
    pub fn op(&self, service: &str, op: &str) -> Option<&OpSchema> {
        self.ops.get(&format!("{service}#{op}"))
    }

    pub fn fields(&self, structure: &str) -> Option<&[(String, Ty)]> {
        self.structs.get(structure).map(|v| v.as_slice())
    }

    /// Dynamic-structure class named by the `/api` `type` discriminator (`SizeParams` → `com.vmware.vcenter.ovf.size_params`).
    pub fn class_for_type(&self, type_name: &str) -> Option<String> {
        let snake = to_snake(type_name);
        let cand = format!("com.vmware.vcenter.ovf.{snake}");
        self.structs.contains_key(&cand).then_some(cand)
    }
}

pub fn to_snake(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deploy_schema_is_loaded() {
        let s = Schema::get();
        let op = s.op("com.vmware.vcenter.ovf.library_item", "deploy").unwrap();
        assert_eq!(op.input.len(), 4);
        assert_eq!(op.output, Ty::Struct("com.vmware.vcenter.ovf.library_item.deployment_result".into()));
        let spec = s.fields("com.vmware.vcenter.ovf.library_item.resource_pool_deployment_spec").unwrap();
        assert!(spec.iter().any(|(n, t)| n == "accept_all_EULA" && *t == Ty::Bool));
    }

    #[test]
    fn type_discriminator_maps_to_class() {
        assert_eq!(Schema::get().class_for_type("SizeParams").as_deref(), Some("com.vmware.vcenter.ovf.size_params"));
        assert_eq!(Schema::get().class_for_type("Nope"), None);
    }
}
