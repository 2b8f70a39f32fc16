//! ChangeVmImage (the seed operation): its interceptor checks, the checks made when the job's turn comes,
//! and the change itself. Nothing is written until the job succeeds, so a failure leaves VM and volumes as
//! they were (the real server rolls back; here there is nothing to roll back).

use serde_json::{Map, Value};

use super::errors::ErrorCode;
use super::model::{JobRequest, Resource, GLOBAL};
use super::wire::ApiParams;
use super::{inventory, Caller, ZStack};
use crate::core::Core;

const ROOT_POOL_TAG: &str = "ceph::rootPoolName::";

fn enabled_and_connected(r: &Resource) -> bool {
    r.is("state", "Enabled") && r.is("status", "Connected")
}

fn root_volume(p: &ZStack, vm_tenant: &str, vm: &Resource) -> Option<Resource> {
    p.volumes.get(vm_tenant, vm.str("rootVolumeUuid")?)
}

fn root_storage(p: &ZStack, vm_tenant: &str, vm: &Resource) -> Option<Resource> {
    let root = root_volume(p, vm_tenant, vm)?;
    p.primary_storages.get(GLOBAL, root.str("primaryStorageUuid")?)
}

/// Images a VM may change to (GetImageCandidatesForVmToChange): enabled, ready, non-system root-volume
/// templates of the VM's cluster architecture, on a backup storage attached to the VM's zone.
pub fn candidates(p: &ZStack, vm: &Resource) -> Vec<Resource> {
    let arch = vm
        .str("clusterUuid")
        .and_then(|c| p.clusters.get(GLOBAL, c))
        .and_then(|c| c.str("architecture").map(str::to_string))
        .or_else(|| vm.str("architecture").map(str::to_string));
    let zone = vm.str("zoneUuid").unwrap_or("");
    p.images
        .list(GLOBAL)
        .into_iter()
        .filter(|i| {
            i.is("mediaType", "RootVolumeTemplate")
                && i.is("state", "Enabled")
                && i.is("status", "Ready")
                && !i.bool("system")
                && arch.as_deref().is_none_or(|a| i.is("architecture", a))
                && on_zone_backup_storage(p, i, zone)
        })
        .collect()
}

fn on_zone_backup_storage(p: &ZStack, image: &Resource, zone: &str) -> bool {
    let refs = image.inventory.get("backupStorageRefs").and_then(Value::as_array);
    refs.into_iter().flatten().filter_map(|r| r.get("backupStorageUuid").and_then(Value::as_str)).any(|bs| {
        p.backup_storages.get(GLOBAL, bs).is_some_and(|b| {
            b.inventory
                .get("attachedZoneUuids")
                .and_then(Value::as_array)
                .is_some_and(|zones| zones.iter().any(|z| z.as_str() == Some(zone)))
        })
    })
}

/// The interceptor checks, in the order of the reference (all SYS.1007 unless noted).
pub fn validate(
    p: &ZStack,
    caller: &Caller,
    vm_tenant: &str,
    vm: &Resource,
    image: &Resource,
    params: &ApiParams,
) -> Result<JobRequest, ErrorCode> {
    let vm_uuid = vm.uuid();
    let image_uuid = image.uuid();
    if !caller.account.is_admin() && vm.owner != caller.account.uuid {
        return Err(ErrorCode::invalid_argument(format!("user has no privilege to change image of vm {vm_uuid}")));
    }
    if !vm.is("state", "Stopped") {
        return Err(ErrorCode::invalid_argument("do not change vm image when it's not stopped"));
    }
    let storage = root_storage(p, vm_tenant, vm);
    if !storage.as_ref().is_some_and(enabled_and_connected) {
        return Err(ErrorCode::invalid_argument(format!(
            "make sure the primary storage vm[uuid:{vm_uuid}] was on is Enabled and Connected"
        )));
    }
    if storage.as_ref().is_some_and(|s| s.is("type", "LocalStorage")) {
        let last_host = vm.str("lastHostUuid").and_then(|h| p.hosts.get(GLOBAL, h));
        if !last_host.as_ref().is_some_and(enabled_and_connected) {
            return Err(ErrorCode::invalid_argument(format!(
                "make sure the last host vm[uuid:{vm_uuid}] was on is Enabled and Connected"
            )));
        }
        if vm.str("defaultL3NetworkUuid").is_none() {
            return Err(ErrorCode::invalid_argument(format!(
                "vm[uuid:{vm_uuid}] has no default l3, cannot change image for it"
            )));
        }
    }
    if !candidates(p, vm).iter().any(|c| c.uuid() == image_uuid) {
        return Err(ErrorCode::invalid_argument(format!(
            "instance[uuid:{vm_uuid}] cannot be changed image to image[uuid:{image_uuid}]"
        )));
    }
    let mut root_pool = None;
    for tag in &params.system_tags {
        if tag.starts_with("ephemeral") {
            continue;
        }
        match tag.strip_prefix(ROOT_POOL_TAG) {
            Some(pool) if !pool.is_empty() => root_pool = Some(pool.to_string()),
            _ => return Err(ErrorCode::invalid_argument(format!("no system tag matches {tag}"))),
        }
    }
    let resource_uuid = params.string("resourceUuid").filter(|u| !u.is_empty());
    if let Some(u) = &resource_uuid {
        if uuid_in_use(p, u) {
            return Err(ErrorCode::internal(format!("resourceUuid[{u}] is already used by another resource")));
        }
    }
    Ok(JobRequest::ChangeImage { image_uuid: image_uuid.to_string(), resource_uuid, root_pool })
}

fn uuid_in_use(p: &ZStack, uuid: &str) -> bool {
    p.vms.find_any(|_, r| r.uuid() == uuid).is_some()
        || p.volumes.find_any(|_, r| r.uuid() == uuid).is_some()
        || [&p.images, &p.zones, &p.clusters, &p.hosts, &p.l3_networks, &p.primary_storages, &p.backup_storages]
            .iter()
            .any(|t| t.contains(GLOBAL, uuid))
}

/// Checks made when the job's turn on the VM comes (SYS.1006).
pub fn check_at_execution(p: &ZStack, vm_tenant: &str, vm: &Resource) -> Result<(), ErrorCode> {
    let vm_uuid = vm.uuid();
    if !vm.is("state", "Stopped") {
        // The VM handlers' state refusal (SYS.1006 wrapping VM.1010), with ChangeVmImage's own message on top.
        let state = vm.str("state").unwrap_or("");
        let mut e = ErrorCode::operation_failed(format!(
            "vm[uuid: {vm_uuid}]'s state is not Stopped now, cannot operate 'changevmimage' action"
        ));
        e.cause = Some(Box::new(ErrorCode::new(
            "VM.1010",
            format!(
                "current vm instance state[{state}] doesn't allow to proceed message[org.zstack.header.vm.APIChangeVmImageMsg], allowed states are [Stopped]"
            ),
        )));
        return Err(e);
    }
    let Some(cluster) = vm.str("clusterUuid") else {
        return Err(ErrorCode::operation_failed(format!(
            "vm[uuid:{vm_uuid}] cluster uuid is null, cannot change image for it"
        )));
    };
    let local = root_storage(p, vm_tenant, vm).is_some_and(|s| s.is("type", "LocalStorage"));
    let hypervisor = vm.str("hypervisorType").unwrap_or("KVM");
    let usable =
        |h: &Resource| enabled_and_connected(h) && h.is("clusterUuid", cluster) && h.is("hypervisorType", hypervisor);
    let available = if local {
        vm.str("lastHostUuid").and_then(|h| p.hosts.get(GLOBAL, h)).is_some_and(|h| usable(&h))
    } else {
        p.hosts.list(GLOBAL).iter().any(usable)
    };
    if !available {
        return Err(ErrorCode::operation_failed(format!(
            "vm[uuid:{vm_uuid}] is in cluster[uuid:{cluster}], but there is no available host in the cluster, cannot change image for the vm"
        )));
    }
    Ok(())
}

/// Applies a successful change: the root volume keeps its uuid and takes the new disk (the temporary volume's
/// path, image and sizes), the VM takes the image's platform and loses its host. Returns the VM inventory.
pub fn apply(
    p: &ZStack,
    core: &Core,
    vm_tenant: &str,
    vm_uuid: &str,
    image_uuid: &str,
    resource_uuid: Option<&str>,
    root_pool: Option<&str>,
) -> Result<Map<String, Value>, ErrorCode> {
    let vm = p.vms.get(vm_tenant, vm_uuid).ok_or_else(|| ErrorCode::operation_failed("the vm has been deleted"))?;
    check_at_execution(p, vm_tenant, &vm)?;
    let image = p
        .images
        .get(GLOBAL, image_uuid)
        .ok_or_else(|| ErrorCode::resource_not_found("imageUuid", image_uuid, "ImageVO"))?;
    let root =
        root_volume(p, vm_tenant, &vm).ok_or_else(|| ErrorCode::operation_failed("the vm has no root volume"))?;
    let storage = root_storage(p, vm_tenant, &vm).ok_or_else(|| ErrorCode::operation_failed("no primary storage"))?;
    if let Some(u) = resource_uuid {
        if uuid_in_use(p, u) {
            return Err(ErrorCode::internal(format!("resourceUuid[{u}] is already used by another resource")));
        }
    }
    let temp = resource_uuid.map(str::to_string).unwrap_or_else(|| p.new_uuid(core));
    let old_pool = root.system_tags.iter().find_map(|t| t.strip_prefix(ROOT_POOL_TAG)).map(str::to_string);
    let is_ceph = storage.is("type", "Ceph");
    let install_path = if is_ceph {
        let pool = root_pool
            .map(str::to_string)
            .or(old_pool)
            .or_else(|| storage.str("url").and_then(|u| u.strip_prefix("ceph://")).map(str::to_string))
            .unwrap_or_default();
        format!("ceph://{pool}/{temp}")
    } else {
        let mount = storage.str("mountPath").or_else(|| storage.str("url")).unwrap_or("");
        format!("{mount}/rootVolumes/acct-{}/vol-{temp}/{temp}.qcow2", vm.owner)
    };
    let now = p.now(core);
    p.volumes.update(vm_tenant, root.uuid(), |v| {
        v.set("rootImageUuid", image_uuid);
        v.set("installPath", install_path.clone());
        if let Some(size) = image.inventory.get("size") {
            v.set("size", size.clone());
        }
        if let Some(actual) = image.inventory.get("actualSize") {
            v.set("actualSize", actual.clone());
        }
        v.set("lastOpDate", now.clone());
        v.system_tags.retain(|t| !t.starts_with("overwriteBy::volume::"));
        v.system_tags.push(format!("overwriteBy::volume::{temp}"));
        if let (true, Some(pool)) = (is_ceph, root_pool) {
            v.system_tags.retain(|t| !t.starts_with(ROOT_POOL_TAG));
            v.system_tags.push(format!("{ROOT_POOL_TAG}{pool}"));
        }
    });
    p.vms.update(vm_tenant, vm_uuid, |v| {
        v.set("imageUuid", image_uuid);
        v.clear("hostUuid");
        for field in ["platform", "guestOsType"] {
            if let Some(value) = image.inventory.get(field) {
                v.set(field, value.clone());
            }
        }
        v.set("lastOpDate", now.clone());
    });
    let vm = p.vms.get(vm_tenant, vm_uuid).ok_or_else(|| ErrorCode::operation_failed("the vm has been deleted"))?;
    Ok(inventory::vm(p, vm_tenant, &vm))
}
