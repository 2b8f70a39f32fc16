//! Swift large objects: Static Large Object manifests (`?multipart-manifest=put`) and the Dynamic Large Object
//! `X-Object-Manifest` header, with the ETag rules real clients verify.

use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::import_request::percent_decode;

pub const MAX_MANIFEST_SEGMENTS: usize = 1000;
pub const MAX_MANIFEST_SIZE: usize = 8 * 1024 * 1024;

/// A segment as the client names it in the PUT manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentRef {
    pub path: String,
    pub container: String,
    pub object: String,
    pub etag: Option<String>,
    pub size_bytes: Option<u64>,
}

/// What the store knows about a segment object when the manifest is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentFacts {
    pub etag: String,
    pub bytes: u64,
    pub content_type: String,
    pub last_modified: String,
}

/// A segment as Swift stores it and returns it for `?multipart-manifest=get`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSegment {
    pub name: String,
    pub container: String,
    pub object: String,
    pub hash: String,
    pub bytes: u64,
    pub content_type: String,
    pub last_modified: String,
}

impl StoredSegment {
    pub fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "hash": self.hash,
            "bytes": self.bytes,
            "content_type": self.content_type,
            "last_modified": self.last_modified,
        })
    }
}

/// Parses a PUT manifest body; the error text is Swift's 400 plain-text body.
pub fn parse_put_manifest(body: &[u8]) -> Result<Vec<SegmentRef>, String> {
    if body.len() > MAX_MANIFEST_SIZE {
        return Err(format!("Manifest File > {MAX_MANIFEST_SIZE} bytes\n"));
    }
    let value: Value = serde_json::from_slice(body).map_err(|_| "Manifest must be valid JSON.\n".to_string())?;
    let list = value.as_array().ok_or_else(|| "Manifest must be a list.\n".to_string())?;
    if list.is_empty() {
        return Err("Manifest must have at least one segment.\n".into());
    }
    if list.len() > MAX_MANIFEST_SEGMENTS {
        return Err(format!("Number of segments must be <= {MAX_MANIFEST_SEGMENTS}\n"));
    }
    let mut out = Vec::with_capacity(list.len());
    for (i, entry) in list.iter().enumerate() {
        let obj = entry.as_object().ok_or_else(|| format!("Index {i}: not a JSON object\n"))?;
        let path =
            obj.get("path").and_then(Value::as_str).ok_or_else(|| format!("Index {i}: \"path\" must be a string\n"))?;
        let (container, object) = split_segment_path(path).ok_or_else(|| {
            format!("Index {i}: path does not refer to an object. Path must be of the form /container/object.\n")
        })?;
        let etag = match obj.get("etag") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.trim_matches('"').to_ascii_lowercase()),
            Some(_) => return Err(format!("Index {i}: \"etag\" must be a string or null (if provided)\n")),
        };
        let size_bytes = match obj.get("size_bytes") {
            None | Some(Value::Null) => None,
            Some(v) => Some(v.as_u64().ok_or_else(|| format!("Index {i}: invalid size_bytes\n"))?),
        };
        out.push(SegmentRef { path: path.to_string(), container, object, etag, size_bytes });
    }
    Ok(out)
}

/// `/container/object` (leading slash optional), percent-decoded.
fn split_segment_path(path: &str) -> Option<(String, String)> {
    let p = path.strip_prefix('/').unwrap_or(path);
    let (c, o) = p.split_once('/')?;
    let (c, o) = (percent_decode(c)?, percent_decode(o)?);
    (!c.is_empty() && !o.is_empty()).then_some((c, o))
}

/// Checks every segment against the store; on failure returns Swift's "Errors:" body listing each problem.
pub fn check_segments(
    refs: &[SegmentRef],
    lookup: impl Fn(&str, &str) -> Option<SegmentFacts>,
) -> Result<Vec<StoredSegment>, String> {
    let mut problems = Vec::new();
    let mut stored = Vec::with_capacity(refs.len());
    for r in refs {
        match lookup(&r.container, &r.object) {
            None => problems.push(format!("{}, 404 Not Found", r.path)),
            Some(f) => {
                if r.etag.as_deref().is_some_and(|e| e != f.etag) {
                    problems.push(format!("{}, Etag Mismatch", r.path));
                } else if r.size_bytes.is_some_and(|s| s != f.bytes) {
                    problems.push(format!("{}, Size Mismatch", r.path));
                } else {
                    stored.push(StoredSegment {
                        name: format!("/{}/{}", r.container, r.object),
                        container: r.container.clone(),
                        object: r.object.clone(),
                        hash: f.etag,
                        bytes: f.bytes,
                        content_type: f.content_type,
                        last_modified: f.last_modified,
                    });
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(stored)
    } else {
        Err(format!("Errors:\n{}\n", problems.join("\n")))
    }
}

/// ETag of a large object: MD5 over the concatenated segment MD5 hex strings (unquoted here; quote on the wire).
pub fn large_object_etag<'a>(segment_etags: impl IntoIterator<Item = &'a str>) -> String {
    let mut h = Md5::new();
    for e in segment_etags {
        h.update(e.as_bytes());
    }
    hex::encode(h.finalize())
}

pub fn md5_hex(bytes: &[u8]) -> String {
    hex::encode(Md5::digest(bytes))
}

/// `X-Object-Manifest: <container>/<prefix>` (percent-encoded, as Swift unquotes it).
pub fn parse_dlo_manifest(value: &str) -> Option<(String, String)> {
    let decoded = percent_decode(value)?;
    let (c, p) = decoded.split_once('/')?;
    (!c.is_empty()).then(|| (c.to_string(), p.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(etag: &str, bytes: u64) -> SegmentFacts {
        SegmentFacts {
            etag: etag.into(),
            bytes,
            content_type: "application/octet-stream".into(),
            last_modified: "2026-01-01T00:00:00.000000".into(),
        }
    }

    #[test]
    fn parses_client_manifest() {
        let body = br#"[{"path":"/c_segments/f/slo/1/10/5/00000000","etag":"ABC","size_bytes":5},{"path":"c_segments/x","etag":null,"size_bytes":null}]"#;
        let refs = parse_put_manifest(body).unwrap();
        assert_eq!(refs[0].container, "c_segments");
        assert_eq!(refs[0].object, "f/slo/1/10/5/00000000");
        assert_eq!(refs[0].etag.as_deref(), Some("abc"));
        assert_eq!(refs[1].etag, None);
        assert_eq!(refs[1].size_bytes, None);
    }

    #[test]
    fn rejects_bad_manifests() {
        assert!(parse_put_manifest(b"nope").unwrap_err().contains("valid JSON"));
        assert!(parse_put_manifest(b"{}").unwrap_err().contains("must be a list"));
        assert!(parse_put_manifest(b"[]").is_err());
        assert!(parse_put_manifest(br#"[{"path":"/onlycontainer"}]"#).unwrap_err().contains("/container/object"));
        assert!(parse_put_manifest(br#"[{"path":"/c/o","size_bytes":-1}]"#).is_err());
        assert!(parse_put_manifest(br#"[{"path":"/c/o","etag":5}]"#).is_err());
    }

    #[test]
    fn checks_segments() {
        let refs = parse_put_manifest(
            br#"[{"path":"/s/1","etag":"aa","size_bytes":2},{"path":"/s/2","etag":"bb","size_bytes":3}]"#,
        )
        .unwrap();
        let ok = check_segments(&refs, |_, o| Some(if o == "1" { facts("aa", 2) } else { facts("bb", 3) })).unwrap();
        assert_eq!(ok[1].name, "/s/2");
        let err = check_segments(&refs, |_, o| (o == "1").then(|| facts("zz", 2))).unwrap_err();
        assert_eq!(err, "Errors:\n/s/1, Etag Mismatch\n/s/2, 404 Not Found\n");
        let err = check_segments(&refs, |_, _| Some(facts("aa", 9))).unwrap_err();
        assert!(err.contains("/s/1, Size Mismatch"));
    }

    #[test]
    fn etags() {
        let a = md5_hex(b"hello");
        let b = md5_hex(b"world");
        assert_eq!(a, "5d41402abc4b2a76b9719d911017c592");
        assert_eq!(large_object_etag([a.as_str(), b.as_str()]), md5_hex(format!("{a}{b}").as_bytes()));
    }

    #[test]
    fn dlo_header() {
        assert_eq!(parse_dlo_manifest("c_segments/f/"), Some(("c_segments".into(), "f/".into())));
        assert_eq!(parse_dlo_manifest("c%20s/p"), Some(("c s".into(), "p".into())));
        assert_eq!(parse_dlo_manifest("nocontainer"), None);
    }
}
