//! Loads `fixtures/zstack/*.json` (one file per resource kind, inventories in their wire shape) and checks
//! that the world holds together: 32-hex uuids, known owners, VMs whose root volume, image and cluster exist.

use serde::de::DeserializeOwned;

use super::model::{Account, Resource, GLOBAL};
use super::ZStack;
use crate::core::fixtures::FixtureFiles;
use crate::core::store::Table;
use crate::core::Core;

fn is_uuid(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn rows<T: DeserializeOwned>(files: &FixtureFiles, name: &str) -> Result<Vec<T>, String> {
    files.parse_or_default::<Vec<T>>(name)
}

fn check_uuids(files: &FixtureFiles, name: &str, rows: &[Resource]) -> Result<(), String> {
    for (i, r) in rows.iter().enumerate() {
        if !is_uuid(r.uuid()) {
            return Err(files.error(name, &format!("[{i}].uuid"), "must be 32 lowercase hex characters"));
        }
    }
    Ok(())
}

fn load_shared(files: &FixtureFiles, name: &str, table: &Table<Resource>) -> Result<Vec<Resource>, String> {
    let list: Vec<Resource> = rows(files, name)?;
    check_uuids(files, name, &list)?;
    for r in &list {
        table.insert(GLOBAL, r.uuid(), r.clone());
    }
    Ok(list)
}

pub fn load(p: &ZStack, _core: &Core, files: &FixtureFiles) -> Result<(), String> {
    let accounts: Vec<Account> = rows(files, "accounts.json")?;
    for (i, a) in accounts.iter().enumerate() {
        if !is_uuid(&a.uuid) {
            return Err(files.error("accounts.json", &format!("[{i}].uuid"), "must be 32 lowercase hex characters"));
        }
        p.accounts.insert(GLOBAL, &a.uuid, a.clone());
    }
    let tenant_of = |owner: &str| accounts.iter().find(|a| a.uuid == owner).map(|a| a.name.clone());

    load_shared(files, "zones.json", &p.zones)?;
    let clusters = load_shared(files, "clusters.json", &p.clusters)?;
    load_shared(files, "hosts.json", &p.hosts)?;
    load_shared(files, "l3-networks.json", &p.l3_networks)?;
    load_shared(files, "primary-storage.json", &p.primary_storages)?;
    load_shared(files, "backup-storage.json", &p.backup_storages)?;
    let images = load_shared(files, "images.json", &p.images)?;

    let volumes: Vec<Resource> = rows(files, "volumes.json")?;
    check_uuids(files, "volumes.json", &volumes)?;
    for (i, v) in volumes.iter().enumerate() {
        let tenant = tenant_of(&v.owner)
            .ok_or_else(|| files.error("volumes.json", &format!("[{i}].owner"), "names no account of accounts.json"))?;
        p.volumes.insert(&tenant, v.uuid(), v.clone());
    }

    let vms: Vec<Resource> = rows(files, "vms.json")?;
    check_uuids(files, "vms.json", &vms)?;
    for (i, vm) in vms.iter().enumerate() {
        let field = |f: &str| format!("[{i}].{f}");
        let tenant = tenant_of(&vm.owner)
            .ok_or_else(|| files.error("vms.json", &field("owner"), "names no account of accounts.json"))?;
        let root = vm.str("rootVolumeUuid").unwrap_or("");
        if !volumes.iter().any(|v| v.uuid() == root && v.owner == vm.owner) {
            return Err(files.error(
                "vms.json",
                &field("rootVolumeUuid"),
                "names no volume of the same owner in volumes.json",
            ));
        }
        if let Some(img) = vm.str("imageUuid") {
            if !images.iter().any(|i| i.uuid() == img) {
                return Err(files.error("vms.json", &field("imageUuid"), "names no image of images.json"));
            }
        }
        if let Some(c) = vm.str("clusterUuid") {
            if !clusters.iter().any(|x| x.uuid() == c) {
                return Err(files.error("vms.json", &field("clusterUuid"), "names no cluster of clusters.json"));
            }
        }
        p.vms.insert(&tenant, vm.uuid(), vm.clone());
    }
    Ok(())
}
