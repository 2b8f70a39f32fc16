//! `com.vmware.vcenter.*` lists with their filter specs, and `VM` get/delete.

use serde_json::{json, Value};

use super::{s, strings, Ctx};
use crate::providers::vcenter::errors::VapiError;
use crate::providers::vcenter::model::{InvObject, Kind, Vm};

/// Every filter field is an optional set; an empty or unset one matches everything.
fn matches(filter: &Value, field: &str, value: Option<&str>) -> bool {
    let want = strings(filter, field);
    want.is_empty() || value.is_some_and(|v| want.iter().any(|w| w == v))
}

fn matches_any(filter: &Value, field: &str, values: &[String]) -> bool {
    let want = strings(filter, field);
    want.is_empty() || values.iter().any(|v| want.contains(v))
}

fn check_limit(n: usize, limit: usize, what: &str) -> Result<(), VapiError> {
    if n > limit {
        return Err(VapiError::new(
            "unable_to_allocate_resource",
            "com.vmware.api.vcenter.list.limit_exceeded",
            format!("Too many {what} ({n}); the limit is {limit}. Narrow the filter."),
            vec![n.to_string(), limit.to_string()],
        ));
    }
    Ok(())
}

fn objects(ctx: &Ctx, kind: Kind) -> Vec<InvObject> {
    ctx.p.objects.filter(&ctx.user, |o| o.kind == kind)
}

/// The datacenter an object or folder belongs to.
fn dc_of(o: &InvObject) -> Option<&str> {
    o.datacenter.as_deref()
}

/// Every pool up the parent chain and the cluster: what `resource_pools`/`clusters` filters on a VM see.
fn pool_chain(ctx: &Ctx, pool: &str) -> Vec<String> {
    let mut out = vec![];
    let mut cur = Some(pool.to_string());
    while let Some(id) = cur {
        if out.contains(&id) {
            break;
        }
        out.push(id.clone());
        cur = ctx.p.objects.get(&ctx.user, &id).and_then(|o| o.parent);
    }
    out
}

pub fn vm_summary(vm: &Vm) -> Value {
    json!({"vm": vm.id, "name": vm.name, "power_state": vm.power_state, "cpu_count": vm.cpu_count, "memory_size_MiB": vm.memory_mib})
}

pub fn vm_list(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let f = input.get("filter").cloned().unwrap_or(Value::Null);
    let vms: Vec<Value> = ctx
        .p
        .vms
        .list(&ctx.user)
        .iter()
        .filter(|vm| {
            let host = ctx.p.objects.get(&ctx.user, &vm.host);
            let cluster = host.as_ref().and_then(|h| h.cluster.clone());
            let dc = host.as_ref().and_then(|h| h.datacenter.clone());
            matches(&f, "vms", Some(&vm.id))
                && matches(&f, "names", Some(&vm.name))
                && matches(&f, "folders", Some(&vm.folder))
                && matches(&f, "datacenters", dc.as_deref())
                && matches(&f, "hosts", Some(&vm.host))
                && matches(&f, "clusters", cluster.as_deref())
                && matches_any(&f, "resource_pools", &pool_chain(ctx, &vm.resource_pool))
                && matches(&f, "power_states", Some(&vm.power_state))
        })
        .map(vm_summary)
        .collect();
    check_limit(vms.len(), 4000, "virtual machines")?;
    Ok(Value::Array(vms))
}

fn vm_not_found(id: &str) -> VapiError {
    VapiError::not_found(
        "com.vmware.api.vcenter.vm.not_found",
        format!("Virtual machine with identifier '{id}:VirtualMachine' does not exist."),
        id,
    )
}

pub fn vm_get(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let id = s(input, "vm");
    let vm = ctx.p.vms.get(&ctx.user, id).ok_or_else(|| vm_not_found(id))?;
    Ok(vm_info(ctx, &vm))
}

pub fn vm_delete(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let id = s(input, "vm");
    let vm = ctx.p.vms.get(&ctx.user, id).ok_or_else(|| vm_not_found(id))?;
    if vm.power_state == "POWERED_ON" {
        return Err(VapiError::new(
            "resource_in_use",
            "com.vmware.api.vcenter.vm.powered_on",
            format!("Virtual machine '{id}' is powered on; power it off before deleting it."),
            vec![id.to_string()],
        ));
    }
    ctx.p.vms.remove(&ctx.user, id);
    Ok(Value::Null)
}

/// `VM.Info` in a shape the SDK's union validator accepts: BIOS boot (no EFI fields), VMXNET3 NICs with
/// `upt_compatibility_enabled`, standard-portgroup backings with `network_name`.
pub fn vm_info(ctx: &Ctx, vm: &Vm) -> Value {
    let ds_name = ctx.p.objects.get(&ctx.user, &vm.datastore).map(|d| d.name).unwrap_or_else(|| vm.datastore.clone());
    let disks: Vec<Value> = vm
        .disks
        .iter()
        .enumerate()
        .map(|(i, cap)| {
            json!({"key": (2000 + i).to_string(), "value": {
                "label": format!("Hard disk {}", i + 1), "type": "SCSI",
                "scsi": {"bus": 0, "unit": i},
                "backing": {"type": "VMDK_FILE", "vmdk_file": format!("[{ds_name}] {}/{}{}.vmdk", vm.name, vm.name, if i == 0 { String::new() } else { format!("_{i}") })},
                "capacity": cap}})
        })
        .collect();
    let nics: Vec<Value> = vm
        .networks
        .iter()
        .enumerate()
        .map(|(i, net)| {
            let n = ctx.p.objects.get(&ctx.user, net);
            let distributed = n.as_ref().and_then(|n| n.subtype.as_deref()) == Some("DISTRIBUTED_PORTGROUP");
            let backing = if distributed {
                json!({"type": "DISTRIBUTED_PORTGROUP", "network": net, "distributed_switch_uuid": "50 2e 6f 5a 7d 1c 4b 0e-9a 3f 71 c2 88 e4 1d 05", "distributed_port": (i + 1).to_string(), "connection_cookie": 1})
            } else {
                json!({"type": "STANDARD_PORTGROUP", "network": net, "network_name": n.map(|n| n.name).unwrap_or_default()})
            };
            json!({"key": (4000 + i).to_string(), "value": {
                "label": format!("Network adapter {}", i + 1), "type": "VMXNET3", "upt_compatibility_enabled": false,
                "mac_type": "ASSIGNED", "mac_address": format!("00:50:56:{:02x}:{:02x}:{:02x}", (i % 256), vm_num(&vm.id) / 256 % 256, vm_num(&vm.id) % 256),
                "pci_slot_number": 160 + i, "wake_on_lan_enabled": false, "backing": backing,
                "state": if vm.power_state == "POWERED_ON" { "CONNECTED" } else { "NOT_CONNECTED" },
                "start_connected": true, "allow_guest_control": true}})
        })
        .collect();
    json!({
        "guest_OS": vm.guest_os, "name": vm.name, "power_state": vm.power_state,
        "identity": {"name": vm.name, "bios_uuid": uuid_of(&vm.id, 1), "instance_uuid": uuid_of(&vm.id, 2)},
        "hardware": {"version": "VMX_19", "upgrade_policy": "NEVER", "upgrade_status": "NONE"},
        "boot": {"type": "BIOS", "delay": 0, "retry": false, "retry_delay": 10000, "enter_setup_mode": false},
        "boot_devices": [],
        "cpu": {"count": vm.cpu_count, "cores_per_socket": 1, "hot_add_enabled": false, "hot_remove_enabled": false},
        "memory": {"size_MiB": vm.memory_mib, "hot_add_enabled": false},
        "disks": disks, "nics": nics, "cdroms": [], "floppies": [], "parallel_ports": [], "serial_ports": [],
        "sata_adapters": [],
        "scsi_adapters": [{"key": "1000", "value": {"label": "SCSI controller 0", "type": "PVSCSI", "scsi": {"bus": 0, "unit": 7}, "sharing": "NONE", "pci_slot_number": 160}}]
    })
}

fn vm_num(id: &str) -> usize {
    id.rsplit('-').next().and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// A stable UUID per VM, so repeated reads agree.
fn uuid_of(id: &str, salt: u8) -> String {
    use sha1::{Digest, Sha1};
    let h = hex::encode(Sha1::digest(format!("{salt}:{id}").as_bytes()));
    format!("{}-{}-4{}-a{}-{}", &h[0..8], &h[8..12], &h[13..16], &h[17..20], &h[20..32])
}

pub fn datacenter_list(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let f = input.get("filter").cloned().unwrap_or(Value::Null);
    let out: Vec<Value> = objects(ctx, Kind::Datacenter)
        .iter()
        .filter(|o| {
            matches(&f, "datacenters", Some(&o.id))
                && matches(&f, "names", Some(&o.name))
                && matches(&f, "folders", o.folder.as_deref())
        })
        .map(|o| json!({"datacenter": o.id, "name": o.name}))
        .collect();
    check_limit(out.len(), 1000, "datacenters")?;
    Ok(Value::Array(out))
}

pub fn folder_list(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let f = input.get("filter").cloned().unwrap_or(Value::Null);
    let want_type = f.get("type").and_then(Value::as_str);
    let out: Vec<Value> = objects(ctx, Kind::Folder)
        .iter()
        .filter(|o| {
            matches(&f, "folders", Some(&o.id))
                && matches(&f, "names", Some(&o.name))
                && want_type.is_none_or(|t| o.subtype.as_deref() == Some(t))
                && matches(&f, "parent_folders", o.folder.as_deref())
                && matches(&f, "datacenters", dc_of(o))
        })
        .map(|o| json!({"folder": o.id, "name": o.name, "type": o.subtype}))
        .collect();
    check_limit(out.len(), 1000, "folders")?;
    Ok(Value::Array(out))
}

pub fn resource_pool_list(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let f = input.get("filter").cloned().unwrap_or(Value::Null);
    let out: Vec<Value> = objects(ctx, Kind::ResourcePool)
        .iter()
        .filter(|o| {
            matches(&f, "resource_pools", Some(&o.id))
                && matches(&f, "names", Some(&o.name))
                && matches(&f, "parent_resource_pools", o.parent.as_deref())
                && matches(&f, "datacenters", dc_of(o))
                && matches_any(&f, "hosts", &o.hosts)
                && matches(&f, "clusters", o.cluster.as_deref())
        })
        .map(|o| json!({"resource_pool": o.id, "name": o.name}))
        .collect();
    check_limit(out.len(), 1000, "resource pools")?;
    Ok(Value::Array(out))
}

pub fn host_list(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let f = input.get("filter").cloned().unwrap_or(Value::Null);
    let standalone = f.get("standalone").and_then(Value::as_bool);
    let out: Vec<Value> = objects(ctx, Kind::Host)
        .iter()
        .filter(|o| {
            matches(&f, "hosts", Some(&o.id))
                && matches(&f, "names", Some(&o.name))
                && matches(&f, "folders", o.folder.as_deref())
                && matches(&f, "datacenters", dc_of(o))
                && standalone.is_none_or(|s| s == o.cluster.is_none())
                && matches(&f, "clusters", o.cluster.as_deref())
                && matches(&f, "connection_states", o.connection_state.as_deref())
        })
        .map(|o| json!({"host": o.id, "name": o.name, "connection_state": o.connection_state, "power_state": o.power_state}))
        .collect();
    check_limit(out.len(), 2500, "hosts")?;
    Ok(Value::Array(out))
}

pub fn datastore_list(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let f = input.get("filter").cloned().unwrap_or(Value::Null);
    let out: Vec<Value> = objects(ctx, Kind::Datastore)
        .iter()
        .filter(|o| {
            matches(&f, "datastores", Some(&o.id))
                && matches(&f, "names", Some(&o.name))
                && matches(&f, "types", o.subtype.as_deref())
                && matches(&f, "folders", o.folder.as_deref())
                && matches(&f, "datacenters", dc_of(o))
        })
        .map(|o| json!({"datastore": o.id, "name": o.name, "type": o.subtype, "free_space": o.free_space, "capacity": o.capacity}))
        .collect();
    check_limit(out.len(), 2500, "datastores")?;
    Ok(Value::Array(out))
}

pub fn network_list(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let f = input.get("filter").cloned().unwrap_or(Value::Null);
    let out: Vec<Value> = objects(ctx, Kind::Network)
        .iter()
        .filter(|o| {
            matches(&f, "networks", Some(&o.id))
                && matches(&f, "names", Some(&o.name))
                && matches(&f, "types", o.subtype.as_deref())
                && matches(&f, "folders", o.folder.as_deref())
                && matches(&f, "datacenters", dc_of(o))
        })
        .map(|o| json!({"network": o.id, "name": o.name, "type": o.subtype}))
        .collect();
    check_limit(out.len(), 1000, "networks")?;
    Ok(Value::Array(out))
}

pub fn cluster_list(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let f = input.get("filter").cloned().unwrap_or(Value::Null);
    let out: Vec<Value> = objects(ctx, Kind::Cluster)
        .iter()
        .filter(|o| {
            matches(&f, "clusters", Some(&o.id))
                && matches(&f, "names", Some(&o.name))
                && matches(&f, "folders", o.folder.as_deref())
                && matches(&f, "datacenters", dc_of(o))
        })
        .map(|o| json!({"cluster": o.id, "name": o.name, "ha_enabled": o.ha_enabled, "drs_enabled": o.drs_enabled}))
        .collect();
    check_limit(out.len(), 1000, "clusters")?;
    Ok(Value::Array(out))
}
