//! Inventories as the API prints them, and which rows an account may see.

use serde_json::{Map, Value};

use super::model::{Resource, GLOBAL};
use super::query_eval::Row;
use super::{Caller, ZStack};
use crate::core::store::Table;

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

/// The rows a query starts from: every row of `tenant`, or only the one with uuid `only` (`GET .../{uuid}`
/// reads one row instead of building every inventory and filtering them).
fn rows_of(table: &Table<Resource>, tenant: &str, only: Option<&str>, f: impl FnMut(&Resource) -> Row) -> Vec<Row> {
    match only {
        Some(uuid) => table.with(tenant, uuid, f).into_iter().collect(),
        None => table.map(tenant, f),
    }
}

pub fn vm_rows(p: &ZStack, caller: &Caller, only: Option<&str>) -> Vec<Row> {
    let mut rows = Vec::new();
    for t in visible_tenants(p, caller) {
        // `vm()` reads the volumes table, so the VM rows are cloned out before their inventories are built.
        let vms = match only {
            Some(uuid) => p.vms.get(&t, uuid).into_iter().collect(),
            None => p.vms.list(&t),
        };
        rows.extend(vms.iter().map(|v| row(vm(p, &t, v), v)));
    }
    rows
}

pub fn volume_rows(p: &ZStack, caller: &Caller, only: Option<&str>) -> Vec<Row> {
    let mut rows = Vec::new();
    for t in visible_tenants(p, caller) {
        rows.extend(rows_of(&p.volumes, &t, only, |v| row(v.inventory.clone(), v)));
    }
    rows
}

/// Images and infrastructure are shared by every account in the fixture world.
pub fn shared_rows(table: &Table<Resource>, only: Option<&str>) -> Vec<Row> {
    rows_of(table, GLOBAL, only, |r| row(r.inventory.clone(), r))
}
