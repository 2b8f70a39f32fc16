//! `fixtures/k5/*.json`: identity.json (required), swift.json, images.json, settings.json.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::core::fixtures::FixtureFiles;
use crate::core::Core;
use crate::providers::k5::wire::slo::md5_hex;
use crate::providers::k5::K5;

use super::identity::{IdentityFile, World};
use super::images::Image;
use super::storage::{object_key, Blob, Container, Object};

/// Limits of the import service; configurable because the real ones are per contract (and 40037's is unpublished).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Imports `queued` or `processing` per contract before 503 50301.
    #[serde(default = "default_concurrent")]
    pub max_concurrent_imports_per_contract: usize,
    /// Largest importable object in bytes (40037); none by default.
    #[serde(default)]
    pub max_import_image_bytes: Option<u64>,
}

fn default_concurrent() -> usize {
    100
}

impl Default for Settings {
    fn default() -> Settings {
        Settings { max_concurrent_imports_per_contract: default_concurrent(), max_import_image_bytes: None }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SwiftFile {
    #[serde(default)]
    accounts: Vec<FixtureAccount>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureAccount {
    project_id: String,
    #[serde(default)]
    containers: Vec<FixtureContainer>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureContainer {
    name: String,
    #[serde(default)]
    objects: Vec<FixtureObject>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureObject {
    name: String,
    #[serde(default)]
    content_type: Option<String>,
    /// UTF-8 content; `base64` for binary content.
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    base64: Option<String>,
    #[serde(default)]
    meta: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImagesFile {
    #[serde(default)]
    images: Vec<FixtureImage>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureImage {
    id: String,
    name: String,
    owner: String,
    visibility: String,
    #[serde(default)]
    protected: bool,
    disk_format: String,
    container_format: String,
    #[serde(default)]
    min_ram: u32,
    #[serde(default)]
    min_disk: u32,
    size: u64,
    checksum: String,
    #[serde(default)]
    os_type: Option<String>,
    created_at: String,
}

pub fn load(k5: &K5, core: &Core, files: &FixtureFiles) -> Result<(), String> {
    let identity: IdentityFile = files.parse("identity.json")?;
    let world = World::from_file(identity).map_err(|e| files.error("identity.json", "contracts", &e))?;
    let settings: Settings = files.parse_or_default("settings.json")?;
    let swift: SwiftFile = files.parse_or_default("swift.json")?;
    let images: ImagesFile = files.parse_or_default("images.json")?;

    let now_us = core.clock.now().timestamp_micros();
    for (ai, a) in swift.accounts.iter().enumerate() {
        if world.project(&a.project_id).is_none() {
            return Err(files.error(
                "swift.json",
                &format!("accounts[{ai}].project_id"),
                "no such project in identity.json",
            ));
        }
        for c in &a.containers {
            k5.containers.insert(
                &a.project_id,
                &c.name,
                Container { name: c.name.clone(), created_us: now_us, meta: BTreeMap::new() },
            );
            for (oi, o) in c.objects.iter().enumerate() {
                let data = match (&o.text, &o.base64) {
                    (Some(t), None) => Bytes::from(t.clone().into_bytes()),
                    (None, Some(b)) => {
                        use base64::Engine;
                        let v = base64::engine::general_purpose::STANDARD.decode(b).map_err(|e| {
                            files.error(
                                "swift.json",
                                &format!("accounts[{ai}].{}.objects[{oi}].base64", c.name),
                                &e.to_string(),
                            )
                        })?;
                        Bytes::from(v)
                    }
                    _ => {
                        return Err(files.error(
                            "swift.json",
                            &format!("accounts[{ai}].{}.objects[{oi}]", c.name),
                            "exactly one of `text` and `base64` is required",
                        ))
                    }
                };
                let obj = Object {
                    container: c.name.clone(),
                    name: o.name.clone(),
                    etag: md5_hex(&data),
                    data: Blob(data),
                    content_type: o
                        .content_type
                        .clone()
                        .unwrap_or_else(|| super::storage::guess_content_type(&o.name).to_string()),
                    modified_us: now_us,
                    meta: o.meta.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.clone())).collect(),
                    manifest: None,
                };
                k5.objects.insert(&a.project_id, &object_key(&c.name, &o.name), obj);
            }
        }
    }
    for (ii, i) in images.images.iter().enumerate() {
        let mut properties = Map::new();
        if let Some(os) = &i.os_type {
            properties.insert("os_type".into(), Value::String(os.clone()));
        }
        if !super::super::wire::ids::is_uuid(&i.id) {
            return Err(files.error("images.json", &format!("images[{ii}].id"), "not a UUID"));
        }
        k5.images.insert(
            &i.owner,
            &i.id,
            Image {
                id: i.id.clone(),
                name: Some(i.name.clone()),
                status: "active".into(),
                visibility: i.visibility.clone(),
                protected: i.protected,
                tags: Vec::new(),
                disk_format: i.disk_format.clone(),
                container_format: i.container_format.clone(),
                min_ram: i.min_ram,
                min_disk: i.min_disk,
                size: i.size,
                checksum: i.checksum.clone(),
                owner: i.owner.clone(),
                created_at: i.created_at.clone(),
                updated_at: i.created_at.clone(),
                properties,
                data: Blob::default(),
            },
        );
    }
    *k5.world.write().unwrap_or_else(|e| e.into_inner()) = world;
    *k5.settings.write().unwrap_or_else(|e| e.into_inner()) = settings;
    Ok(())
}
