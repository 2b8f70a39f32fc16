//! The default world (`fixtures/vcenter/world.json`): logins, an inventory in real vCenter id and naming
//! style, and a content library with OVF items. Each user gets its own copy (tenancy is the session's user).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::json;

use super::model::{ovf, InvObject, Item, Kind, Library, StoredFile, User, Vm};
use super::{Vcenter, GLOBAL};
use crate::core::fixtures::FixtureFiles;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct World {
    server_guid: String,
    created: String,
    users: Vec<FixtureUser>,
    roles: BTreeMap<String, Vec<String>>,
    objects: Vec<InvObject>,
    vms: Vec<Vm>,
    libraries: Vec<FixtureLibrary>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureUser {
    user: String,
    password: String,
    role: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureLibrary {
    id: String,
    name: String,
    #[serde(default)]
    description: String,
    datastore_id: String,
    items: Vec<FixtureItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureItem {
    id: String,
    name: String,
    #[serde(default)]
    description: String,
    /// The `.ovf` descriptor text.
    ovf: String,
    /// Other files of the package: name and size.
    #[serde(default)]
    files: Vec<(String, i64)>,
}

const FILE: &str = "world.json";

pub fn load(p: &Vcenter, files: &FixtureFiles) -> Result<(), String> {
    if !files.files.contains_key(FILE) {
        return Ok(());
    }
    let w: World = files.parse(FILE)?;
    let mut vm_floor = 0u64;
    for (i, u) in w.users.iter().enumerate() {
        let privileges =
            w.roles.get(&u.role).ok_or_else(|| files.error(FILE, &format!("users[{i}].role"), "no such role"))?;
        let key = u.user.to_ascii_lowercase();
        p.users.insert(
            GLOBAL,
            &key,
            User {
                user: key.clone(),
                password: u.password.clone(),
                role: u.role.clone(),
                privileges: privileges.clone(),
            },
        );
    }
    for (i, vm) in w.vms.iter().enumerate() {
        let n: u64 = vm
            .id
            .strip_prefix("vm-")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| files.error(FILE, &format!("vms[{i}].id"), "must be vm-<number>"))?;
        vm_floor = vm_floor.max(n);
        for (field, id, kind) in [
            ("host", &vm.host, Kind::Host),
            ("resource_pool", &vm.resource_pool, Kind::ResourcePool),
            ("folder", &vm.folder, Kind::Folder),
            ("datastore", &vm.datastore, Kind::Datastore),
        ] {
            if !w.objects.iter().any(|o| &o.id == id && o.kind == kind) {
                return Err(files.error(
                    FILE,
                    &format!("vms[{i}].{field}"),
                    &format!("'{id}' is not a {kind:?} of the inventory"),
                ));
            }
        }
    }
    let mut items = vec![];
    for (li, l) in w.libraries.iter().enumerate() {
        for (ii, it) in l.items.iter().enumerate() {
            let d =
                ovf::parse(&it.ovf).map_err(|e| files.error(FILE, &format!("libraries[{li}].items[{ii}].ovf"), &e))?;
            let mut stored = vec![StoredFile {
                name: format!("{}.ovf", it.name),
                size: it.ovf.len() as i64,
                text: Some(it.ovf.clone()),
                sha1: None,
            }];
            stored.extend(it.files.iter().map(|(n, s)| StoredFile {
                name: n.clone(),
                size: *s,
                text: None,
                sha1: None,
            }));
            items.push(Item {
                id: it.id.clone(),
                library_id: l.id.clone(),
                name: it.name.clone(),
                description: it.description.clone(),
                item_type: "ovf".into(),
                creation_time: w.created.clone(),
                last_modified_time: w.created.clone(),
                content_version: 2,
                metadata_version: 1,
                files: stored,
                ovf: Some(d),
                source_id: None,
            });
        }
    }
    for u in w.users.iter() {
        let t = u.user.to_ascii_lowercase();
        for o in &w.objects {
            p.objects.insert(&t, &o.id, o.clone());
        }
        for vm in &w.vms {
            p.vms.insert(&t, &vm.id, vm.clone());
        }
        for l in &w.libraries {
            let lib = Library {
                id: l.id.clone(),
                name: l.name.clone(),
                description: l.description.clone(),
                datastore_id: l.datastore_id.clone(),
                creation_time: w.created.clone(),
                last_modified_time: w.created.clone(),
                version: 2,
                server_guid: w.server_guid.clone(),
            };
            p.libraries.insert(&t, &l.id, lib);
        }
        for it in &items {
            p.items.insert(&t, &it.id, it.clone());
        }
    }
    p.settings.insert(GLOBAL, "vm_floor", json!(vm_floor.max(1000)));
    p.settings.insert(GLOBAL, "server_guid", json!(w.server_guid));
    Ok(())
}
