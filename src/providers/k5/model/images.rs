//! Import and export jobs of the virtual server import API, and the Glance v2 images an import creates.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::storage::Blob;

/// One `POST /v1/imageimport`, as the status API reports it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Import {
    pub import_id: String,
    /// Position in request order, for the newest-first list.
    pub seq: u64,
    pub project_id: String,
    pub contract_id: String,
    pub status: String,
    /// Last progress written by the lifecycle (the status API computes the live value while processing).
    pub progress: u8,
    pub name: String,
    /// `location` exactly as the client sent it.
    pub location: String,
    pub image_id: String,
    pub min_ram: u32,
    pub min_disk: u32,
    pub os_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    pub request_time: String,
    /// The object's assembled bytes when the import was accepted: the import owns its copy, so a later
    /// overwrite or delete of the object does not change what gets registered.
    pub source: Blob,
}

impl Import {
    pub fn is_active(&self) -> bool {
        self.status == "queued" || self.status == "processing"
    }

    /// The status body, in the documented field order.
    pub fn status_body(&self, progress: u8) -> Value {
        let mut m = Map::new();
        m.insert("import_status".into(), json!(self.status));
        m.insert("progress".into(), json!(progress));
        m.insert("name".into(), json!(self.name));
        m.insert("disk_format".into(), json!("raw"));
        m.insert("container_format".into(), json!("bare"));
        m.insert("location".into(), json!(self.location));
        m.insert("id".into(), json!(self.image_id));
        m.insert("min_ram".into(), json!(self.min_ram));
        m.insert("min_disk".into(), json!(self.min_disk));
        if let Some(e) = &self.error_message {
            m.insert("error_message".into(), json!(e));
        }
        Value::Object(m)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Export {
    pub export_id: String,
    pub seq: u64,
    pub project_id: String,
    pub status: String,
    pub progress: u8,
    pub image_id: String,
    pub image_name: String,
    pub storage_container: String,
    /// The container (decoded) the export writes `<image_id>.vmdk` into.
    pub container: String,
    pub request_time: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

impl Export {
    pub fn is_finished(&self) -> bool {
        matches!(self.status.as_str(), "succeeded" | "failed" | "canceled")
    }

    pub fn status_body(&self, progress: u8) -> Value {
        let mut m = Map::new();
        m.insert("export_status".into(), json!(self.status));
        m.insert("progress".into(), json!(progress));
        m.insert("image_id".into(), json!(self.image_id));
        m.insert("image_name".into(), json!(self.image_name));
        m.insert("storage_container".into(), json!(self.storage_container));
        m.insert("request_time".into(), json!(self.request_time));
        if let Some(e) = &self.error_message {
            m.insert("error_message".into(), json!(e));
        }
        Value::Object(m)
    }
}

/// A Glance v2 image. Stored under the owner's project as tenant; public fixture images under their owner too.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Image {
    pub id: String,
    pub name: Option<String>,
    pub status: String,
    pub visibility: String,
    pub protected: bool,
    pub tags: Vec<String>,
    pub disk_format: String,
    pub container_format: String,
    pub min_ram: u32,
    pub min_disk: u32,
    pub size: u64,
    pub checksum: String,
    pub owner: String,
    pub created_at: String,
    pub updated_at: String,
    /// Free-form string properties (`os_type`, and whatever PATCH adds).
    pub properties: Map<String, Value>,
    /// The image bytes (the imported object), for export. Fixture images have none.
    #[serde(default)]
    pub data: Blob,
}

impl Image {
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        m.insert("name".into(), json!(self.name));
        m.insert("status".into(), json!(self.status));
        m.insert("visibility".into(), json!(self.visibility));
        m.insert("protected".into(), json!(self.protected));
        m.insert("tags".into(), json!(self.tags));
        m.insert("disk_format".into(), json!(self.disk_format));
        m.insert("container_format".into(), json!(self.container_format));
        m.insert("min_ram".into(), json!(self.min_ram));
        m.insert("min_disk".into(), json!(self.min_disk));
        m.insert("size".into(), json!(self.size));
        m.insert("virtual_size".into(), Value::Null);
        m.insert("checksum".into(), json!(self.checksum));
        m.insert("owner".into(), json!(self.owner));
        m.insert("created_at".into(), json!(self.created_at));
        m.insert("updated_at".into(), json!(self.updated_at));
        for (k, v) in &self.properties {
            m.insert(k.clone(), v.clone());
        }
        m.insert("self".into(), json!(format!("/v2/images/{}", self.id)));
        m.insert("file".into(), json!(format!("/v2/images/{}/file", self.id)));
        m.insert("schema".into(), json!("/v2/schemas/image"));
        Value::Object(m)
    }

    /// The JSON view written straight to bytes: the same bytes as serializing `to_json()`, without building
    /// a map of cloned strings first (that was the largest cost of a Glance GET). Falls back to `to_json()`
    /// when a property shadows a core key, whose value `to_json()` overwrites in place.
    pub fn json_view(&self) -> ImageView<'_> {
        ImageView(self)
    }

    /// Takes back the mutable fields from a patched JSON view.
    pub fn apply_json(&mut self, v: &Map<String, Value>) {
        self.name = v.get("name").and_then(Value::as_str).map(str::to_string);
        self.visibility = v.get("visibility").and_then(Value::as_str).unwrap_or(&self.visibility).to_string();
        self.protected = v.get("protected").and_then(Value::as_bool).unwrap_or(self.protected);
        self.tags = v
            .get("tags")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|t| t.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        self.min_ram = v.get("min_ram").and_then(Value::as_u64).unwrap_or(0) as u32;
        self.min_disk = v.get("min_disk").and_then(Value::as_u64).unwrap_or(0) as u32;
        self.properties =
            v.iter().filter(|(k, _)| !IMAGE_KEYS.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect();
    }
}

/// An image member (sharing an image with another project).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Member {
    pub image_id: String,
    pub member_id: String,
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
}

impl Member {
    pub fn to_json(&self) -> Value {
        json!({
            "image_id": self.image_id,
            "member_id": self.member_id,
            "status": self.status,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "schema": "/v2/schemas/member",
        })
    }
}

/// Keys `Image::to_json` writes itself (so never extra properties); a property with one of these names would
/// change where and what it prints.
const IMAGE_KEYS: [&str; 19] = [
    "id",
    "name",
    "status",
    "visibility",
    "protected",
    "tags",
    "disk_format",
    "container_format",
    "min_ram",
    "min_disk",
    "size",
    "virtual_size",
    "checksum",
    "owner",
    "created_at",
    "updated_at",
    "self",
    "file",
    "schema",
];

pub struct ImageView<'a>(&'a Image);

impl Serialize for ImageView<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let i = self.0;
        if i.properties.keys().any(|k| IMAGE_KEYS.contains(&k.as_str())) {
            return i.to_json().serialize(s);
        }
        let mut m = s.serialize_map(Some(IMAGE_KEYS.len() + i.properties.len()))?;
        m.serialize_entry("id", &i.id)?;
        m.serialize_entry("name", &i.name)?;
        m.serialize_entry("status", &i.status)?;
        m.serialize_entry("visibility", &i.visibility)?;
        m.serialize_entry("protected", &i.protected)?;
        m.serialize_entry("tags", &i.tags)?;
        m.serialize_entry("disk_format", &i.disk_format)?;
        m.serialize_entry("container_format", &i.container_format)?;
        m.serialize_entry("min_ram", &i.min_ram)?;
        m.serialize_entry("min_disk", &i.min_disk)?;
        m.serialize_entry("size", &i.size)?;
        m.serialize_entry("virtual_size", &())?;
        m.serialize_entry("checksum", &i.checksum)?;
        m.serialize_entry("owner", &i.owner)?;
        m.serialize_entry("created_at", &i.created_at)?;
        m.serialize_entry("updated_at", &i.updated_at)?;
        for (k, v) in &i.properties {
            m.serialize_entry(k, v)?;
        }
        m.serialize_entry("self", &format_args!("/v2/images/{}", i.id))?;
        m.serialize_entry("file", &format_args!("/v2/images/{}/file", i.id))?;
        m.serialize_entry("schema", "/v2/schemas/image")?;
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(properties: Value) -> Image {
        Image {
            id: "b137\"56b4".into(),
            name: None,
            status: "active".into(),
            visibility: "public".into(),
            protected: false,
            tags: vec!["a".into()],
            disk_format: "raw".into(),
            container_format: "bare".into(),
            min_ram: 1,
            min_disk: 2,
            size: 3,
            checksum: "c".into(),
            owner: "o".into(),
            created_at: "t0".into(),
            updated_at: "t1".into(),
            properties: properties.as_object().cloned().unwrap_or_default(),
            data: Blob::default(),
        }
    }

    #[test]
    fn json_view_writes_the_bytes_of_to_json() {
        for props in [json!({}), json!({"os_type": "linux", "x": 1}), json!({"name": "shadow", "self": "s"})] {
            let i = image(props);
            let view = serde_json::to_string(&i.json_view()).unwrap();
            assert_eq!(view, serde_json::to_string(&i.to_json()).unwrap());
        }
    }
}
