//! The 6.0-era XML representation of `/rest` inputs and results (seed 003): `<Op>-Input` / `<Op>-Result`,
//! `<f-array><array-item>`, `class="..."` for dynamic structures. Decoding yields a stringly tree that
//! `normalize` types by the schema; the root's name and namespace are ignored.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use serde_json::{Map, Value};

use crate::providers::vcenter::errors::VapiError;

struct Node {
    name: String,
    class: Option<String>,
    text: String,
    children: Vec<Node>,
}

/// No vAPI input nests this deep; the bound keeps the recursive conversion off the end of the stack.
const MAX_DEPTH: usize = 64;

fn malformed(msg: impl std::fmt::Display) -> VapiError {
    VapiError::new(
        "invalid_argument",
        "vapi.rest.request.malformed",
        format!("Invalid XML in request body: {msg}"),
        vec![msg.to_string()],
    )
}

fn start_node(e: &BytesStart) -> Result<Node, VapiError> {
    let name = String::from_utf8_lossy(e.local_name().as_ref()).to_string();
    let mut class = None;
    for a in e.attributes() {
        let a = a.map_err(malformed)?;
        if a.key.local_name().as_ref() == b"class" {
            class = Some(a.unescape_value().map_err(malformed)?.to_string());
        }
    }
    Ok(Node { name, class, text: String::new(), children: vec![] })
}

fn parse_tree(body: &str) -> Result<Node, VapiError> {
    let mut reader = Reader::from_str(body);
    let mut stack: Vec<Node> = vec![];
    let mut root: Option<Node> = None;
    loop {
        match reader.read_event().map_err(malformed)? {
            Event::Start(e) => {
                if root.is_some() {
                    return Err(malformed("content after the root element"));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(malformed(format!("elements nested deeper than {MAX_DEPTH} levels")));
                }
                stack.push(start_node(&e)?);
            }
            Event::Empty(e) => {
                let n = start_node(&e)?;
                match stack.last_mut() {
                    Some(p) => p.children.push(n),
                    None if root.is_none() => root = Some(n),
                    None => return Err(malformed("content after the root element")),
                }
            }
            Event::End(_) => {
                let n = stack.pop().ok_or_else(|| malformed("unbalanced end tag"))?;
                match stack.last_mut() {
                    Some(p) => p.children.push(n),
                    None => root = Some(n),
                }
            }
            Event::Text(t) => {
                let s = t.unescape().map_err(malformed)?;
                match stack.last_mut() {
                    Some(p) => p.text.push_str(&s),
                    None if s.trim().is_empty() => {}
                    None => return Err(malformed("text outside the root element")),
                }
            }
            Event::CData(t) => {
                if let Some(p) = stack.last_mut() {
                    p.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(malformed("unexpected end of document"));
    }
    root.ok_or_else(|| malformed("no root element"))
}

fn to_value(n: &Node) -> Value {
    if n.children.is_empty() {
        return match &n.class {
            Some(c) => {
                let mut m = Map::new();
                m.insert("@class".into(), Value::String(c.clone()));
                Value::Object(m)
            }
            None => Value::String(n.text.clone()),
        };
    }
    let mut m = Map::new();
    if let Some(c) = &n.class {
        m.insert("@class".into(), Value::String(c.clone()));
    }
    for c in &n.children {
        if let Some(field) = c.name.strip_suffix("-array") {
            let items = c.children.iter().filter(|i| i.name == "array-item").map(to_value).collect();
            m.insert(field.to_string(), Value::Array(items));
        } else {
            m.insert(c.name.clone(), to_value(c));
        }
    }
    Value::Object(m)
}

/// Decodes an `<Op>-Input` document into an object of parameter name → stringly value.
pub fn decode(body: &str) -> Result<Value, VapiError> {
    let root = parse_tree(body)?;
    Ok(match to_value(&root) {
        Value::String(s) if s.trim().is_empty() => Value::Object(Map::new()),
        Value::String(_) => return Err(malformed("the root element must hold the operation parameters")),
        v => v,
    })
}

/// XML namespace of a service: `com.vmware.vcenter.ovf.library_item` → `http://vmware.com/vcenter/ovf/library_item`.
pub fn namespace(service: &str) -> String {
    format!("http://vmware.com/{}", service.strip_prefix("com.vmware.").unwrap_or(service).replace('.', "/"))
}

fn escape(s: &str) -> String {
    quick_xml::escape::escape(s).to_string()
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => escape(s),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn write_elem(out: &mut String, name: &str, v: &Value, indent: usize) {
    let pad = "  ".repeat(indent);
    match v {
        Value::Array(items) => {
            out.push_str(&format!("{pad}<{name}-array>\n"));
            for it in items {
                write_elem(out, "array-item", it, indent + 1);
            }
            out.push_str(&format!("{pad}</{name}-array>\n"));
        }
        Value::Object(m) => {
            let class = m
                .get("@class")
                .and_then(Value::as_str)
                .map(|c| format!(" class=\"{}\"", escape(c)))
                .unwrap_or_default();
            out.push_str(&format!("{pad}<{name}{class}>\n"));
            for (k, val) in m.iter().filter(|(k, val)| *k != "@class" && !val.is_null()) {
                write_elem(out, k, val, indent + 1);
            }
            out.push_str(&format!("{pad}</{name}>\n"));
        }
        Value::Null => {}
        other => out.push_str(&format!("{pad}<{name}>{}</{name}>\n", scalar(other))),
    }
}

/// `keep_alive` → `Keep_alive`: the operation name with its first letter capitalised.
pub fn op_element(op: &str) -> String {
    let mut c = op.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

fn document(root: &str, ns: &str, inner: &str) -> String {
    format!(
        "<?xml version=\"1.0\" ?>\n<ns0:{root} xmlns:ns0=\"{ns}\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n{inner}</ns0:{root}>\n"
    )
}

/// Encodes a canonical result as `<ns0:<Op>-Result>` with `<value>` or `<value-array>`.
pub fn encode_result(service: &str, op: &str, value: &Value) -> String {
    let mut inner = String::new();
    write_elem(&mut inner, "value", value, 1);
    document(&format!("{}-Result", op_element(op)), &namespace(service), &inner)
}

/// A std error in XML, mirroring the JSON `{"type","value"}` body (the docs never show one).
pub fn encode_error(rest_body: &Value) -> String {
    let mut inner = String::new();
    write_elem(&mut inner, "type", &rest_body["type"], 1);
    write_elem(&mut inner, "value", &rest_body["value"], 1);
    document("Error", "http://vmware.com/vapi/std/errors", &inner)
}

#[cfg(test)]
pub mod tests_support {
    /// The seed's XML deploy example, verbatim (shared with the HTTP tests).
    pub const SEED_XML: &str = include_str!("../../../../tests/data/vcenter/seed_deploy.xml");
}

#[cfg(test)]
mod tests {
    use super::tests_support::SEED_XML;
    use super::*;
    use crate::providers::vcenter::wire::normalize::{normalize_input, Mode};
    use serde_json::json;

    #[test]
    fn seed_xml_decodes_to_the_seed_json() {
        let v = decode(SEED_XML).unwrap();
        let n = normalize_input("com.vmware.vcenter.ovf.library_item", "deploy", &v, Mode::Stringly).unwrap();
        let spec = &n["deployment_spec"];
        assert_eq!(spec["accept_all_EULA"], json!(true));
        assert_eq!(spec["flags"], json!(["string", "string"]));
        assert_eq!(spec["network_mappings"], json!([{"key": "string", "value": "obj-103"}]));
        assert_eq!(spec["storage_mappings"][0]["value"]["type"], "DATASTORE");
        assert_eq!(spec["additional_parameters"][1]["@class"], "com.vmware.vcenter.ovf.ovf_params");
        assert_eq!(n["target"]["host_id"], "obj-103");
        assert_eq!(n["client_token"], "string");
    }

    #[test]
    fn absurd_nesting_is_refused() {
        let deep = "<a>".repeat(100_000);
        assert_eq!(decode(&deep).unwrap_err().kind, "invalid_argument");
    }

    #[test]
    fn malformed_xml_is_invalid_argument() {
        for bad in ["<a><b></a>", "<a>", "not xml at all", "<a/><b/>"] {
            let e = decode(bad).unwrap_err();
            assert_eq!(e.kind, "invalid_argument", "{bad}");
        }
    }

    #[test]
    fn results_use_the_op_name_and_service_namespace() {
        let x = encode_result(
            "com.vmware.vcenter.ovf.library_item",
            "deploy",
            &json!({"succeeded": true, "resource_id": {"id": "vm-1", "type": "VirtualMachine"}}),
        );
        assert!(x.contains("<ns0:Deploy-Result xmlns:ns0=\"http://vmware.com/vcenter/ovf/library_item\""));
        assert!(x.contains("<succeeded>true</succeeded>"));
        let l = encode_result("com.vmware.content.library", "find", &json!(["a<b"]));
        assert!(l.contains("<value-array>") && l.contains("<array-item>a&lt;b</array-item>"));
    }
}
