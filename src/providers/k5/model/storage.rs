//! Object storage rows: containers and objects per project (the Swift account), and large-object manifests.
//!
//! Object bytes are kept in memory as `Bytes` (cheap to clone); the core refuses bodies above
//! `--max-body-bytes` before a handler runs, and an upload cut off mid-body never reaches a handler, so no
//! partial object can be stored.

use std::collections::BTreeMap;

use base64::Engine;
use bytes::Bytes;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::providers::k5::wire::slo::StoredSegment;

/// Object bytes; serialised as base64 in snapshots and state files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Blob(pub Bytes);

impl Serialize for Blob {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Blob, D::Error> {
        let s = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(s.as_bytes())
            .map(|v| Blob(Bytes::from(v)))
            .map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Account {
    /// `X-Account-Meta-<key>` values, keys lower-cased without the prefix.
    pub meta: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Container {
    pub name: String,
    /// Creation time, Unix microseconds.
    pub created_us: i64,
    pub meta: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Manifest {
    /// Static Large Object: the segments as checked at manifest PUT.
    Slo { segments: Vec<StoredSegment> },
    /// Dynamic Large Object: every object of `container` whose name starts with `prefix`, in name order.
    Dlo { container: String, prefix: String },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Object {
    pub container: String,
    pub name: String,
    /// The stored bytes (empty for a large-object manifest).
    pub data: Blob,
    /// MD5 hex of `data` (for an SLO: of the concatenated segment MD5s).
    pub etag: String,
    pub content_type: String,
    /// Last modification, Unix microseconds.
    pub modified_us: i64,
    pub meta: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<Manifest>,
}

/// Store key of an object: container names cannot hold `/`, so `container/object` is unique and sorts the
/// objects of one container together, by name in byte order.
pub fn object_key(container: &str, object: &str) -> String {
    format!("{container}/{object}")
}

/// The Swift limit on a single object: 5 GiB + 2 bytes.
pub const MAX_FILE_SIZE: u64 = 5 * 1024 * 1024 * 1024 + 2;
pub const MAX_OBJECT_NAME: usize = 1024;
pub const MAX_CONTAINER_NAME: usize = 256;

/// Content type Swift's proxy guesses from the object name when the client sends none.
pub fn guess_content_type(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "txt" | "log" => "text/plain",
        "json" => "application/json",
        "xml" => "application/xml",
        "html" | "htm" => "text/html",
        "gz" | "tgz" => "application/gzip",
        "zip" => "application/zip",
        "tar" => "application/x-tar",
        "iso" => "application/x-iso9660-image",
        "ovf" => "application/xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        _ => "application/octet-stream",
    }
}
