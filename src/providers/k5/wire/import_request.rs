//! `POST /v1/imageimport` body validation: everything the seed's error table decides from the request alone.
//!
//! Checks that need the store (object exists, image id already taken, size limit, concurrency) run after this,
//! in the order documented in docs/k5.md; this module owns the field-level rules and their order.

use serde_json::{Map, Value};

use super::ids::{is_hex32, is_sha1_hex, is_uuid};

/// One row of the seed's "Detailed error information list" for Register image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportError {
    NameMissing,
    LocationMissing,
    OsTypeMissing,
    OsTypeInvalid,
    NoProject,
    NotJson,
    LocationInvalid,
    ConversionInvalid,
    IdInvalid,
    NameInvalid,
    ChecksumInvalid,
    MinRamInvalid,
    MinDiskInvalid,
    KmsInvalid,
    TooLarge,
    Forbidden,
    Internal50001,
    Internal50002,
    Internal50003,
    TooMany,
}

impl ImportError {
    pub fn status(self) -> u16 {
        match self {
            ImportError::Forbidden => 403,
            ImportError::Internal50001 | ImportError::Internal50002 | ImportError::Internal50003 => 500,
            ImportError::TooMany => 503,
            _ => 400,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ImportError::NameMissing => "40001",
            ImportError::LocationMissing => "40002",
            ImportError::OsTypeMissing => "40005",
            ImportError::OsTypeInvalid => "40006",
            ImportError::NoProject => "40011",
            ImportError::NotJson => "40014",
            ImportError::LocationInvalid => "40025",
            ImportError::ConversionInvalid => "40026",
            ImportError::IdInvalid => "40027",
            ImportError::NameInvalid => "40028",
            ImportError::ChecksumInvalid => "40031",
            ImportError::MinRamInvalid => "40032",
            ImportError::MinDiskInvalid => "40033",
            ImportError::KmsInvalid => "40034",
            ImportError::TooLarge => "40037",
            ImportError::Forbidden => "40301",
            ImportError::Internal50001 => "50001",
            ImportError::Internal50002 => "50002",
            ImportError::Internal50003 => "50003",
            ImportError::TooMany => "50301",
        }
    }

    /// The seed's "Detailed error message" column, verbatim.
    pub fn message(self) -> &'static str {
        match self {
            ImportError::NameMissing => "Required parameter 'name' is not specified.",
            ImportError::LocationMissing => "Required parameter 'location' is not specified.",
            ImportError::OsTypeMissing => "Required parameter 'os_type' is not specified.",
            ImportError::OsTypeInvalid => "Parameter 'os_type' has invalid value.",
            ImportError::NoProject => "Project_id does not exist.",
            ImportError::NotJson => "Request body is not a json format.",
            ImportError::LocationInvalid => "Parameter 'location' has invalid value.",
            ImportError::ConversionInvalid => "Parameter 'conversion' has invalid value.",
            ImportError::IdInvalid => "Parameter 'id' has invalid value.",
            ImportError::NameInvalid => "Parameter 'name' has invalid value.",
            ImportError::ChecksumInvalid => "Parameter 'checksum' has invalid value.",
            ImportError::MinRamInvalid => "Parameter 'min_ram' has invalid value.",
            ImportError::MinDiskInvalid => "Parameter 'min_disk' has invalid value.",
            ImportError::KmsInvalid => "Parameter 'kms' has invalid value.",
            ImportError::TooLarge => "The size of the import image is too large.",
            ImportError::Forbidden => "You cannot execute this API.",
            ImportError::Internal50001 | ImportError::Internal50002 | ImportError::Internal50003 => {
                "Internal server error."
            }
            ImportError::TooMany => "Too many requests.",
        }
    }

    pub fn from_code(code: &str) -> Option<ImportError> {
        ALL.iter().copied().find(|e| e.code() == code)
    }

    pub fn body(self) -> Value {
        serde_json::json!({"error_code": self.code(), "message": self.message()})
    }
}

pub const ALL: [ImportError; 20] = [
    ImportError::NameMissing,
    ImportError::LocationMissing,
    ImportError::OsTypeMissing,
    ImportError::OsTypeInvalid,
    ImportError::NoProject,
    ImportError::NotJson,
    ImportError::LocationInvalid,
    ImportError::ConversionInvalid,
    ImportError::IdInvalid,
    ImportError::NameInvalid,
    ImportError::ChecksumInvalid,
    ImportError::MinRamInvalid,
    ImportError::MinDiskInvalid,
    ImportError::KmsInvalid,
    ImportError::TooLarge,
    ImportError::Forbidden,
    ImportError::Internal50001,
    ImportError::Internal50002,
    ImportError::Internal50003,
    ImportError::TooMany,
];

/// The os_type keywords of the seed, matched case-sensitively.
pub const OS_TYPES: [&str; 10] = [
    "win2008R2SE",
    "win2008R2EE",
    "win2012SE",
    "win2012R2SE",
    "win2016SE_ja",
    "win2016SE_en",
    "rhel6",
    "rhel7",
    "centos",
    "ubuntu",
];

pub const MAX_NAME_CHARS: usize = 255;

/// `location` split into the Swift account, container and object it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub raw: String,
    pub project_id: String,
    pub container: String,
    pub object: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kms {
    pub server_info: Option<String>,
    pub activate: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterRequest {
    pub name: String,
    pub location: Location,
    pub os_type: String,
    /// Lower-cased SHA1 hex.
    pub checksum: Option<String>,
    /// Lower-cased UUID.
    pub id: Option<String>,
    pub min_ram: u32,
    pub min_disk: u32,
    /// Only kept for Windows os_types; the seed says it is ignored otherwise.
    pub kms: Option<Kms>,
}

/// Validates a register body for a token scoped to `token_project`, in the documented check order.
pub fn parse_register(body: &[u8], token_project: &str) -> Result<RegisterRequest, ImportError> {
    let value: Value = serde_json::from_slice(body).map_err(|_| ImportError::NotJson)?;
    let obj = value.as_object().ok_or(ImportError::NotJson)?;

    let name = present(obj, "name").ok_or(ImportError::NameMissing)?;
    let location = present(obj, "location").ok_or(ImportError::LocationMissing)?;
    let os_type = present(obj, "os_type").ok_or(ImportError::OsTypeMissing)?;

    let os_type = match os_type.as_str() {
        Some(s) if OS_TYPES.contains(&s) => s.to_string(),
        _ => return Err(ImportError::OsTypeInvalid),
    };
    let location = location
        .as_str()
        .and_then(parse_location)
        .filter(|l| l.project_id == token_project)
        .ok_or(ImportError::LocationInvalid)?;
    let id = match present(obj, "id") {
        None => None,
        Some(Value::String(s)) if is_uuid(s) => Some(s.to_ascii_lowercase()),
        Some(_) => return Err(ImportError::IdInvalid),
    };
    let name = match name.as_str() {
        Some(s) if !s.is_empty() && s.chars().count() <= MAX_NAME_CHARS => s.to_string(),
        _ => return Err(ImportError::NameInvalid),
    };
    let checksum = match present(obj, "checksum") {
        None => None,
        Some(Value::String(s)) if is_sha1_hex(s) => Some(s.to_ascii_lowercase()),
        Some(_) => return Err(ImportError::ChecksumInvalid),
    };
    let min_ram = match present(obj, "min_ram") {
        None => 0,
        Some(v) => non_negative_int(v).ok_or(ImportError::MinRamInvalid)?,
    };
    let min_disk = match present(obj, "min_disk") {
        None => 0,
        Some(v) => non_negative_int(v).ok_or(ImportError::MinDiskInvalid)?,
    };
    match present(obj, "conversion") {
        None | Some(Value::Bool(_)) => {}
        Some(Value::String(s)) if s == "true" || s == "false" => {}
        Some(_) => return Err(ImportError::ConversionInvalid),
    }
    let kms = if os_type.starts_with("win") {
        match obj.get("kms") {
            None => None,
            Some(v) => Some(parse_kms(v).ok_or(ImportError::KmsInvalid)?),
        }
    } else {
        None
    };

    Ok(RegisterRequest { name, location, os_type, checksum, id, min_ram, min_disk, kms })
}

/// A key counts as given when it is present and not JSON null.
fn present<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).filter(|v| !v.is_null())
}

/// Ints up to i32::MAX, as JSON numbers or strings of digits (public shell samples send `"min_ram":"0"`).
fn non_negative_int(v: &Value) -> Option<u32> {
    let n = match v {
        Value::Number(n) => n.as_u64()?,
        Value::String(s) if !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse::<u64>().ok()?
        }
        _ => return None,
    };
    (n <= i32::MAX as u64).then_some(n as u32)
}

/// Parses `/v1/AUTH_<32 hex>/<container>/<object ending .vmdk>`; container and object are percent-decoded.
pub fn parse_location(raw: &str) -> Option<Location> {
    let rest = raw.strip_prefix("/v1/AUTH_")?;
    let (project_id, rest) = rest.split_once('/')?;
    if !is_hex32(project_id) {
        return None;
    }
    let (container, object) = rest.split_once('/')?;
    let container = percent_decode(container)?;
    let object = percent_decode(object)?;
    if container.is_empty() || container.len() > 256 || object.len() > 1024 {
        return None;
    }
    let stem = object.strip_suffix(".vmdk")?;
    if stem.is_empty() || stem.ends_with('/') {
        return None;
    }
    Some(Location { raw: raw.to_string(), project_id: project_id.to_string(), container, object })
}

/// Strict percent-decoding of a path segment into UTF-8; a malformed escape makes the whole value invalid.
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `{"server_info":"FQDN:port","activate":true}`; `activate` must be the JSON literal true.
fn parse_kms(v: &Value) -> Option<Kms> {
    let obj = v.as_object()?;
    if obj.get("activate") != Some(&Value::Bool(true)) {
        return None;
    }
    let server_info = match obj.get("server_info") {
        None => None,
        Some(Value::String(s)) if is_server_info(s) => Some(s.clone()),
        Some(_) => return None,
    };
    Some(Kms { server_info, activate: true })
}

/// `FQDN:port` or `FQDN: port` (the doc's template has a space), port 1–65535.
pub fn is_server_info(s: &str) -> bool {
    let Some((host, port)) = s.rsplit_once(':') else {
        return false;
    };
    let port = port.strip_prefix(' ').unwrap_or(port);
    let port_ok = !port.is_empty()
        && port.len() <= 5
        && port.bytes().all(|b| b.is_ascii_digit())
        && matches!(port.parse::<u32>(), Ok(1..=65535));
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    port_ok && host_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = "73734414ba00e310cc645e118b6a6c4a";

    fn body(v: Value) -> Vec<u8> {
        serde_json::to_vec(&v).unwrap()
    }

    fn good() -> Value {
        serde_json::json!({
            "name": "img",
            "location": format!("/v1/AUTH_{P}/images/ubuntu-small.vmdk"),
            "os_type": "ubuntu"
        })
    }

    fn with(key: &str, v: Value) -> Vec<u8> {
        let mut g = good();
        g[key] = v;
        body(g)
    }

    fn without(key: &str) -> Vec<u8> {
        let mut g = good();
        g.as_object_mut().unwrap().remove(key);
        body(g)
    }

    fn err(b: &[u8]) -> &'static str {
        parse_register(b, P).unwrap_err().code()
    }

    #[test]
    fn minimal_request_gets_defaults() {
        let r = parse_register(&body(good()), P).unwrap();
        assert_eq!(r.name, "img");
        assert_eq!(r.location.container, "images");
        assert_eq!(r.location.object, "ubuntu-small.vmdk");
        assert_eq!((r.min_ram, r.min_disk), (0, 0));
        assert_eq!(r.id, None);
        assert_eq!(r.checksum, None);
    }

    #[test]
    fn not_json() {
        assert_eq!(err(b""), "40014");
        assert_eq!(err(b"{"), "40014");
        assert_eq!(err(b"[]"), "40014");
        assert_eq!(err(b"\"x\""), "40014");
        assert_eq!(err(b"name=x"), "40014");
    }

    #[test]
    fn missing_fields_in_order() {
        assert_eq!(err(b"{}"), "40001");
        assert_eq!(err(&without("name")), "40001");
        assert_eq!(err(&with("name", Value::Null)), "40001");
        assert_eq!(err(&without("location")), "40002");
        assert_eq!(err(&without("os_type")), "40005");
        assert_eq!(err(&body(serde_json::json!({"name": "a", "os_type": "x"}))), "40002");
    }

    #[test]
    fn os_type() {
        assert_eq!(err(&with("os_type", "windows".into())), "40006");
        assert_eq!(err(&with("os_type", "Ubuntu".into())), "40006");
        assert_eq!(err(&with("os_type", 3.into())), "40006");
        for os in OS_TYPES {
            assert!(parse_register(&with("os_type", os.into()), P).is_ok(), "{os}");
        }
    }

    #[test]
    fn location() {
        for bad in [
            "images/ubuntu-small.vmdk".to_string(),
            format!("/v1/AUTH_{P}/images/disk.qcow2"),
            format!("/v1/AUTH_{P}/images/disk.VMDK"),
            format!("/v1/AUTH_{P}/images"),
            format!("/v1/AUTH_{P}//disk.vmdk"),
            format!("/v1/AUTH_{P}/images/.vmdk"),
            format!("/v2/AUTH_{P}/images/disk.vmdk"),
            format!(" /v1/AUTH_{P}/images/disk.vmdk"),
            "/v1/AUTH_0ef12ccceae86af268b1a9554cdfaa7d/vmdk/centos-small.vmdk".to_string(),
            format!("/v1/AUTH_{P}/images/bad%zz.vmdk"),
        ] {
            assert_eq!(err(&with("location", bad.clone().into())), "40025", "{bad}");
        }
        assert_eq!(err(&with("location", 5.into())), "40025");
        let r = parse_register(&with("location", format!("/v1/AUTH_{P}/img/dir/my%20disk.vmdk").into()), P).unwrap();
        assert_eq!(r.location.container, "img");
        assert_eq!(r.location.object, "dir/my disk.vmdk");
    }

    #[test]
    fn id() {
        assert_eq!(err(&with("id", "abc".into())), "40027");
        assert_eq!(err(&with("id", 1.into())), "40027");
        let r = parse_register(&with("id", "6BF65660-70EE-4A75-B61A-36AC040C289C".into()), P).unwrap();
        assert_eq!(r.id.as_deref(), Some("6bf65660-70ee-4a75-b61a-36ac040c289c"));
    }

    #[test]
    fn name() {
        assert_eq!(err(&with("name", "".into())), "40028");
        assert_eq!(err(&with("name", 12.into())), "40028");
        assert_eq!(err(&with("name", "x".repeat(256).into())), "40028");
        assert!(parse_register(&with("name", "é".repeat(255).into()), P).is_ok());
    }

    #[test]
    fn checksum() {
        assert_eq!(err(&with("checksum", "a".repeat(39).into())), "40031");
        assert_eq!(err(&with("checksum", "g".repeat(40).into())), "40031");
        let r = parse_register(&with("checksum", "A".repeat(40).into()), P).unwrap();
        assert_eq!(r.checksum.unwrap(), "a".repeat(40));
    }

    #[test]
    fn min_ram_and_disk() {
        for bad in [Value::from(-1), "abc".into(), Value::from(1.5), Value::Bool(true), "-1".into(), "".into()] {
            assert_eq!(err(&with("min_ram", bad.clone())), "40032", "{bad}");
            assert_eq!(err(&with("min_disk", bad.clone())), "40033", "{bad}");
        }
        assert_eq!(err(&with("min_ram", Value::from(3_000_000_000u64))), "40032");
        let r = parse_register(&with("min_ram", "1024".into()), P).unwrap();
        assert_eq!(r.min_ram, 1024);
        let r = parse_register(&with("min_disk", 30.into()), P).unwrap();
        assert_eq!(r.min_disk, 30);
    }

    #[test]
    fn conversion_and_legacy_fields() {
        assert_eq!(err(&with("conversion", "maybe".into())), "40026");
        assert_eq!(err(&with("conversion", 1.into())), "40026");
        for ok in [Value::Bool(true), Value::Bool(false), "true".into(), "false".into()] {
            assert!(parse_register(&with("conversion", ok), P).is_ok());
        }
        let mut g = good();
        g["disk_format"] = "raw".into();
        g["container_format"] = "bare".into();
        g["user_name"] = "alice".into();
        g["password"] = "YWxpY2U=".into();
        g["domain_name"] = "K5DEMO01".into();
        g["ovf_location"] = "".into();
        assert!(parse_register(&body(g), P).is_ok());
    }

    #[test]
    fn kms() {
        let win = |kms: Value| {
            let mut g = good();
            g["os_type"] = "win2012R2SE".into();
            g["kms"] = kms;
            body(g)
        };
        for bad in [
            Value::from("x"),
            serde_json::json!({}),
            serde_json::json!({"activate": "true"}),
            serde_json::json!({"server_info": "kms.example.com:1688"}),
            serde_json::json!({"server_info": "kms", "activate": true}),
            serde_json::json!({"server_info": "kms.example.com:0", "activate": true}),
            serde_json::json!({"server_info": "kms.example.com:70000", "activate": true}),
            serde_json::json!({"activate": false}),
        ] {
            assert_eq!(err(&win(bad.clone())), "40034", "{bad}");
        }
        let r = parse_register(&win(serde_json::json!({"server_info": "kms.example.com: 1688", "activate": true})), P)
            .unwrap();
        assert_eq!(r.kms.unwrap().server_info.as_deref(), Some("kms.example.com: 1688"));
        assert!(parse_register(&win(serde_json::json!({"activate": true})), P).is_ok());
        // Ignored for Linux.
        assert!(parse_register(&with("kms", "x".into()), P).is_ok());
    }

    #[test]
    fn codes_round_trip() {
        for e in ALL {
            assert_eq!(ImportError::from_code(e.code()), Some(e));
        }
        assert_eq!(ImportError::TooMany.status(), 503);
        assert_eq!(ImportError::Forbidden.status(), 403);
        assert_eq!(ImportError::Internal50002.status(), 500);
        assert_eq!(
            ImportError::NotJson.body().to_string(),
            r#"{"error_code":"40014","message":"Request body is not a json format."}"#
        );
    }
}
