//! The query APIs (`GET /zstack/v1/<resources>[/{uuid}]`) and GetImageCandidatesForVmToChange.

use serde_json::{json, Map, Value};

use super::super::errors::ErrorCode;
use super::super::query_eval::{build_schema, run_query, Row, Shape};
use super::super::query_string::{parse_query, Condition, QueryOp, QueryParams};
use super::super::{change_image, inventory, shapes, wire, Caller, ZStack};
use crate::core::call::{Call, Reply};

/// The REST layer's handling of a query, then the session check, then the query itself.
fn query(
    p: &ZStack,
    call: &mut Call,
    shape: &'static Shape,
    rows: fn(&ZStack, &Caller, Option<&str>) -> Vec<Row>,
) -> Reply {
    let sid = match wire::session_id(call) {
        Ok(s) => s,
        Err(e) => return wire::rest_error(e),
    };
    // `/{uuid}` is the same query with the single condition uuid=<uuid>; its query string is ignored.
    let params = if call.params.iter().any(|(k, _)| *k == "uuid") {
        QueryParams {
            conditions: vec![Condition {
                name: "uuid".into(),
                op: QueryOp::Eq,
                value: Some(call.param("uuid").into()),
            }],
            ..QueryParams::default()
        }
    } else {
        match parse_query(call.query.as_deref().unwrap_or("")) {
            Ok(q) => q,
            Err(e) => return wire::rest_error(e),
        }
    };
    let core = call.core.clone();
    let caller = match p.authenticate(&core, &sid) {
        Ok(c) => c,
        Err(e) => return wire::failed(&e),
    };
    call.set_tenant(caller.tenant().to_string());
    let only = call.params.iter().find(|(k, _)| *k == "uuid").map(|(_, v)| v.as_str());
    let result = match run_query(shape, rows(p, &caller, only), &params) {
        Ok(r) => r,
        Err(e) => return wire::failed(&ErrorCode::invalid_argument(e.0)),
    };
    let mut out = Map::new();
    if params.count {
        out.insert("total".into(), json!(result.total.unwrap_or(0)));
        out.insert("schema".into(), json!({}));
    } else {
        let schema = build_schema("inventories", shape, &result.inventories, true);
        out.insert("inventories".into(), Value::Array(result.inventories.into_iter().map(Value::Object).collect()));
        if let Some(total) = result.total {
            out.insert("total".into(), json!(total));
        }
        out.insert("schema".into(), Value::Object(schema));
    }
    wire::ok(&Value::Object(out))
}

pub fn vms(p: &ZStack, call: &mut Call) -> Reply {
    query(p, call, &shapes::VM, inventory::vm_rows)
}

pub fn volumes(p: &ZStack, call: &mut Call) -> Reply {
    query(p, call, &shapes::VOLUME, inventory::volume_rows)
}

pub fn images(p: &ZStack, call: &mut Call) -> Reply {
    query(p, call, &shapes::IMAGE, |p, _, only| inventory::shared_rows(&p.images, only))
}

pub fn zones(p: &ZStack, call: &mut Call) -> Reply {
    query(p, call, &shapes::ZONE, |p, _, only| inventory::shared_rows(&p.zones, only))
}

pub fn clusters(p: &ZStack, call: &mut Call) -> Reply {
    query(p, call, &shapes::CLUSTER, |p, _, only| inventory::shared_rows(&p.clusters, only))
}

pub fn hosts(p: &ZStack, call: &mut Call) -> Reply {
    query(p, call, &shapes::HOST, |p, _, only| inventory::shared_rows(&p.hosts, only))
}

pub fn l3_networks(p: &ZStack, call: &mut Call) -> Reply {
    query(p, call, &shapes::L3_NETWORK, |p, _, only| inventory::shared_rows(&p.l3_networks, only))
}

pub fn primary_storages(p: &ZStack, call: &mut Call) -> Reply {
    query(p, call, &shapes::PRIMARY_STORAGE, |p, _, only| inventory::shared_rows(&p.primary_storages, only))
}

pub fn backup_storages(p: &ZStack, call: &mut Call) -> Reply {
    query(p, call, &shapes::BACKUP_STORAGE, |p, _, only| inventory::shared_rows(&p.backup_storages, only))
}

/// `GET /v1/vm-instances/{vmInstanceUuid}/image-candidates`: a sync, non-query API, so parameter checks
/// (the VM must exist) come before the session check.
pub fn image_candidates(p: &ZStack, call: &mut Call) -> Reply {
    let sid = match wire::session_id(call) {
        Ok(s) => s,
        Err(e) => return wire::rest_error(e),
    };
    if let Err(e) = wire::job_uuid_header(call) {
        return wire::rest_error(e);
    }
    let vm_uuid = call.param("vmInstanceUuid").trim().to_string();
    let Some((_, vm)) = p.find_vm(&vm_uuid) else {
        return wire::failed(&ErrorCode::resource_not_found("vmInstanceUuid", &vm_uuid, "VmInstanceVO"));
    };
    let core = call.core.clone();
    let caller = match p.authenticate(&core, &sid) {
        Ok(c) => c,
        Err(e) => return wire::failed(&e),
    };
    call.set_tenant(caller.tenant().to_string());
    let images: Vec<Value> = change_image::candidates(p, &vm).into_iter().map(|i| Value::Object(i.inventory)).collect();
    let mut out = json!({ "inventories": images });
    if call.headers.contains_key(wire::HEADER_JSON_SCHEMA) {
        let items: Vec<Map<String, Value>> =
            out["inventories"].as_array().into_iter().flatten().filter_map(|v| v.as_object().cloned()).collect();
        out["schema"] = Value::Object(build_schema("inventories", &shapes::IMAGE, &items, true));
    }
    wire::ok(&out)
}
