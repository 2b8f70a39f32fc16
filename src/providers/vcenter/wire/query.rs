//! The query-string representation (seed 003 and `/rest` list filters): dotted paths, 1-based list
//! indexes, `N~class` for a dynamic element's class. Produces the same stringly tree as the XML decoder.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::providers::vcenter::errors::VapiError;

enum Node {
    Leaf(String),
    Branch(BTreeMap<String, Node>),
}

fn bad(key: &str, why: &str) -> VapiError {
    VapiError::new(
        "invalid_argument",
        "vapi.rest.request.query.invalid",
        format!("Invalid query parameter '{key}': {why}."),
        vec![key.to_string()],
    )
}

/// No vAPI input nests this deep; the bound keeps the recursive tree building off the end of the stack.
const MAX_SEGMENTS: usize = 32;

/// Splits `additional_parameters.1~class` into `["additional_parameters", "1", "@class"]`.
fn segments(key: &str) -> Result<Vec<String>, VapiError> {
    if key.split('.').count() > MAX_SEGMENTS {
        return Err(bad(key, "the path is too deep"));
    }
    let mut out = vec![];
    for seg in key.split('.') {
        if seg.is_empty() {
            return Err(bad(key, "empty path segment"));
        }
        match seg.split_once('~') {
            Some((idx, "class")) if !idx.is_empty() => {
                out.push(idx.to_string());
                out.push("@class".to_string());
            }
            Some(_) => return Err(bad(key, "only '~class' may follow an index")),
            None => out.push(seg.to_string()),
        }
    }
    Ok(out)
}

fn is_index(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn insert(node: &mut BTreeMap<String, Node>, segs: &[String], value: &str, key: &str) -> Result<(), VapiError> {
    let (head, rest) = segs.split_first().expect("non-empty");
    if rest.is_empty() {
        if node.contains_key(head) {
            return Err(bad(key, "given more than once"));
        }
        node.insert(head.clone(), Node::Leaf(value.to_string()));
        return Ok(());
    }
    let child = node.entry(head.clone()).or_insert_with(|| Node::Branch(BTreeMap::new()));
    match child {
        Node::Branch(m) => insert(m, rest, value, key),
        Node::Leaf(_) => Err(bad(key, "a value and a structure at the same path")),
    }
}

fn to_value(node: Node, key: &str) -> Result<Value, VapiError> {
    match node {
        Node::Leaf(s) => Ok(Value::String(s)),
        Node::Branch(m) => {
            let numeric = m.keys().filter(|k| *k != "@class").all(|k| is_index(k)) && m.keys().any(|k| is_index(k));
            if numeric {
                let mut items: Vec<(u64, Node)> = vec![];
                for (k, v) in m {
                    let i: u64 = k.parse().map_err(|_| bad(key, "index out of range"))?;
                    if i == 0 {
                        return Err(bad(&format!("{key}.0"), "list indexes start at 1"));
                    }
                    items.push((i, v));
                }
                items.sort_by_key(|(i, _)| *i);
                return items
                    .into_iter()
                    .map(|(i, v)| to_value(v, &format!("{key}.{i}")))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Value::Array);
            }
            if let Some(k) = m.keys().find(|k| k.starts_with('-')) {
                return Err(bad(&format!("{key}.{k}"), "list indexes start at 1"));
            }
            let mut out = Map::new();
            for (k, v) in m {
                let p = if key.is_empty() { k.clone() } else { format!("{key}.{k}") };
                out.insert(k, to_value(v, &p)?);
            }
            Ok(Value::Object(out))
        }
    }
}

/// Decodes the input parameters from a query string. Keys starting with `~` (`~action`, `~method`) are routing,
/// not input. `list_fields` names the dotted paths that are lists, so an unindexed key becomes index 1.
pub fn decode(query: &str, list_fields: &[&str]) -> Result<Value, VapiError> {
    let mut root = BTreeMap::new();
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        if k.starts_with('~') {
            continue;
        }
        let mut segs = segments(&k)?;
        if list_fields.contains(&k.as_ref()) {
            segs.push("1".into());
        }
        insert(&mut root, &segs, &v, &k)?;
    }
    to_value(Node::Branch(root), "")
}

/// True when the query carries input parameters (anything but the `~` routing keys).
pub fn has_input(query: &str) -> bool {
    form_urlencoded::parse(query.as_bytes()).any(|(k, _)| !k.starts_with('~'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::vcenter::wire::normalize::{normalize_input, Mode};
    use serde_json::json;

    const SEED_QUERY: &str = "~action=deploy&deployment_spec.annotation=string&deployment_spec.network_mappings.1.value=obj-103&deployment_spec.network_mappings.1.key=string&deployment_spec.flags.1=string&deployment_spec.flags.2=string&deployment_spec.storage_provisioning=thin&deployment_spec.storage_mappings.1.value.datastore_id=obj-103&deployment_spec.storage_mappings.1.value.storage_profile_id=obj-103&deployment_spec.storage_mappings.1.value.type=DATASTORE&deployment_spec.storage_mappings.1.value.provisioning=thin&deployment_spec.storage_mappings.1.key=string&deployment_spec.locale=string&deployment_spec.name=string&deployment_spec.default_datastore_id=obj-103&deployment_spec.additional_parameters.1~class=com.vmware.vcenter.ovf.ovf_params&deployment_spec.additional_parameters.1.type=string&deployment_spec.additional_parameters.2~class=com.vmware.vcenter.ovf.ovf_params&deployment_spec.additional_parameters.2.type=string&deployment_spec.storage_profile_id=obj-103&deployment_spec.accept_all_EULA=true&client_token=string&target.folder_id=obj-103&target.host_id=obj-103&target.resource_pool_id=obj-103&ovf_library_item_id=obj-103";

    #[test]
    fn seed_query_equals_seed_xml() {
        let q = normalize_input(
            "com.vmware.vcenter.ovf.library_item",
            "deploy",
            &decode(SEED_QUERY, &[]).unwrap(),
            Mode::Stringly,
        )
        .unwrap();
        let x = normalize_input(
            "com.vmware.vcenter.ovf.library_item",
            "deploy",
            &crate::providers::vcenter::wire::xml::decode(
                crate::providers::vcenter::wire::xml::tests_support::SEED_XML,
            )
            .unwrap(),
            Mode::Stringly,
        )
        .unwrap();
        assert_eq!(q, x);
        assert_eq!(q["deployment_spec"]["additional_parameters"][0]["@class"], "com.vmware.vcenter.ovf.ovf_params");
    }

    #[test]
    fn indexes_order_numerically_and_gaps_are_ignored() {
        let v = decode("f.10=c&f.2=b&f.1=a", &[]).unwrap();
        assert_eq!(v["f"], json!(["a", "b", "c"]));
    }

    #[test]
    fn absurd_paths_are_refused() {
        let key = vec!["a"; 10_000].join(".");
        assert_eq!(decode(&format!("{key}=1"), &[]).unwrap_err().kind, "invalid_argument");
    }

    #[test]
    fn zero_and_negative_indexes_are_refused() {
        assert_eq!(decode("f.0=a", &[]).unwrap_err().kind, "invalid_argument");
        assert_eq!(decode("f.-1=a", &[]).unwrap_err().kind, "invalid_argument");
        assert_eq!(decode("f..a=1", &[]).unwrap_err().kind, "invalid_argument");
        assert_eq!(decode("f=1&f.a=2", &[]).unwrap_err().kind, "invalid_argument");
    }

    #[test]
    fn unindexed_list_filter_is_index_one() {
        let v = decode("filter.names=web&filter.power_states.1=POWERED_ON", &["filter.names", "filter.power_states"])
            .unwrap();
        assert_eq!(v["filter"]["names"], json!(["web"]));
        assert_eq!(v["filter"]["power_states"], json!(["POWERED_ON"]));
        assert!(has_input("~action=x&a=1") && !has_input("~action=deploy"));
    }
}
