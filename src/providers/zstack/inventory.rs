//! Inventories as the API prints them, and which rows an account may see.

use serde_json::{Map, Value};

use super::model::{Resource, GLOBAL};
use super::query_eval::Row;
use super::{Caller, ZStack};

/// A VM's inventory: its stored fields plus `allVolumes` (root first, then data volumes by device id).
pub fn vm(p: &ZStack, tenant: &str, vm: &Resource) -> Map<String, Value> {
    let mut inv = vm.inventory.clone();
    let vm_uuid = vm.uuid().to_string();
    let mut volumes = p.volumes.filter(tenant, |v| v.is("vmInstanceUuid", &vm_uuid));
    volumes.sort_by_key(|v| v.i64("deviceId").unwrap_or(i64::MAX));
    inv.insert("allVolumes".into(), Value::Array(volumes.into_iter().map(|v| Value::Object(v.inventory)).collect()));
    inv
}

/// The tenants whose VMs and volumes an account sees: an admin sees every account's, others their own.
fn visible_tenants(p: &ZStack, caller: &Caller) -> Vec<String> {
    if caller.account.is_admin() {
        p.vms.tenants().into_iter().chain(p.volumes.tenants()).fold(Vec::new(), |mut acc, t| {
            if !acc.contains(&t) {
                acc.push(t);
            }
            acc
        })
    } else {
        vec![caller.tenant().to_string()]
    }
}

fn row(inventory: Map<String, Value>, r: &Resource) -> Row {
    Row { inventory, system_tags: r.system_tags.clone(), user_tags: r.user_tags.clone() }
}

pub fn vm_rows(p: &ZStack, caller: &Caller) -> Vec<Row> {
    let mut rows = Vec::new();
    for t in visible_tenants(p, caller) {
        for v in p.vms.list(&t) {
            rows.push(row(vm(p, &t, &v), &v));
        }
    }
    rows
}

pub fn volume_rows(p: &ZStack, caller: &Caller) -> Vec<Row> {
    let mut rows = Vec::new();
    for t in visible_tenants(p, caller) {
        for v in p.volumes.list(&t) {
            rows.push(row(v.inventory.clone(), &v));
        }
    }
    rows
}

/// Images and infrastructure are shared by every account in the fixture world.
pub fn shared_rows(table: &crate::core::store::Table<Resource>) -> Vec<Row> {
    table.list(GLOBAL).into_iter().map(|r| row(r.inventory.clone(), &r)).collect()
}
