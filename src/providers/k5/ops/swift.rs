//! Swift object storage for one project's account: containers, objects, listings, metadata and large objects
//! (SLO manifests and DLO `X-Object-Manifest`), answered with Swift's headers and HTML error pages.

use std::collections::BTreeMap;

use bytes::{Bytes, BytesMut};
use hyper::StatusCode;
use serde_json::{json, Value};

use crate::core::call::{Call, Reply};
use crate::providers::k5::errors;
use crate::providers::k5::model::identity::Token;
use crate::providers::k5::model::storage::{
    guess_content_type, object_key, Blob, Container, Manifest, Object, MAX_CONTAINER_NAME, MAX_FILE_SIZE,
    MAX_OBJECT_NAME,
};
use crate::providers::k5::wire::listing::{self, negotiate, parse_query, select, Entry, Format};
use crate::providers::k5::wire::range::{parse_range, RangeAnswer};
use crate::providers::k5::wire::slo::{
    self, check_segments, large_object_etag, md5_hex, parse_put_manifest, SegmentFacts,
};
use crate::providers::k5::wire::time;
use crate::providers::k5::K5;

const HEX: &[u8] = b"0123456789abcdef";
/// How deep large objects may nest (an SLO whose segments are SLOs), as Swift bounds recursion.
const MAX_NESTING: usize = 10;

/// Every Swift answer carries a transaction id (`tx` + 21 hex + `-` + 10 hex of the time).
pub fn decorate(call: &Call, reply: Reply) -> Reply {
    let tx = format!("tx{}-{:010x}", call.core.ids.token(HEX, 21), call.core.clock.now().timestamp());
    reply.header("X-Trans-Id", &tx).header("X-Openstack-Request-Id", &tx)
}

fn err(call: &Call, status: StatusCode) -> Reply {
    decorate(call, errors::swift(status))
}

fn text(call: &Call, status: StatusCode, t: impl Into<String>) -> Reply {
    decorate(call, errors::swift_text(status, t))
}

#[derive(PartialEq, Eq)]
enum Access {
    Read,
    Write,
}

/// Token valid (401), scoped to this account's project (403), and for writes a role that may write (403).
fn authorize(k5: &K5, call: &Call, access: Access) -> Result<(Token, String), Reply> {
    let Some(tok) = k5.caller(call) else { return Err(err(call, StatusCode::UNAUTHORIZED)) };
    let project = call.param("project").to_string();
    if tok.project_id() != Some(project.as_str()) {
        return Err(err(call, StatusCode::FORBIDDEN));
    }
    if access == Access::Write {
        let world = k5.world();
        if !tok.roles.iter().any(|r| world.role(r).is_some_and(|r| r.can_write_storage)) {
            return Err(err(call, StatusCode::FORBIDDEN));
        }
    }
    Ok((tok, project))
}

pub fn info(_k5: &K5, call: &mut Call) -> Reply {
    let body = json!({
        "swift": {
            "version": "2.15.2",
            "max_file_size": MAX_FILE_SIZE,
            "max_meta_name_length": 128,
            "max_meta_value_length": 256,
            "max_meta_count": 90,
            "max_meta_overall_size": 4096,
            "max_header_size": 8192,
            "max_object_name_length": MAX_OBJECT_NAME,
            "container_listing_limit": listing::MAX_LISTING_LIMIT,
            "account_listing_limit": listing::MAX_LISTING_LIMIT,
            "max_account_name_length": 256,
            "max_container_name_length": MAX_CONTAINER_NAME,
            "extra_header_count": 0,
            "account_autocreate": true,
            "allow_account_management": false,
            "strict_cors_mode": true,
            "policies": [{"name": "Policy-0", "aliases": "Policy-0", "default": true}],
        },
        "slo": {
            "max_manifest_segments": slo::MAX_MANIFEST_SEGMENTS,
            "max_manifest_size": slo::MAX_MANIFEST_SIZE,
            "min_segment_size": 1,
            "yield_frequency": 10,
            "max_get_time": 86400,
        },
        "dlo": {"max_segments": 10000},
    });
    decorate(call, errors::json_line(StatusCode::OK, &body))
}

/// `X-<Kind>-Meta-*` request headers (lower-cased keys without the prefix) and `X-Remove-<Kind>-Meta-*` names.
fn meta_headers(call: &Call, kind: &str) -> (BTreeMap<String, String>, Vec<String>) {
    let set_prefix = format!("x-{kind}-meta-");
    let remove_prefix = format!("x-remove-{kind}-meta-");
    let mut set = BTreeMap::new();
    let mut remove = Vec::new();
    for (name, value) in call.headers.iter() {
        let n = name.as_str();
        if let Some(k) = n.strip_prefix(&set_prefix) {
            let v = value.to_str().unwrap_or("").to_string();
            if v.is_empty() {
                remove.push(k.to_string());
            } else {
                set.insert(k.to_string(), v);
            }
        } else if let Some(k) = n.strip_prefix(&remove_prefix) {
            remove.push(k.to_string());
        }
    }
    (set, remove)
}

fn with_meta(mut r: Reply, kind: &str, meta: &BTreeMap<String, String>) -> Reply {
    for (k, v) in meta {
        r = r.header(&format!("X-{kind}-Meta-{k}"), v);
    }
    r
}

fn now_us(call: &Call) -> i64 {
    call.core.clock.now().timestamp_micros()
}

fn date(us: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_micros(us).unwrap_or_default()
}

// ---------------------------------------------------------------- account

struct Usage {
    containers: usize,
    objects: usize,
    bytes: u64,
}

fn container_usage(k5: &K5, project: &str, container: &str) -> (usize, u64) {
    let objs = k5.objects.filter(project, |o| o.container == container);
    (objs.len(), objs.iter().map(|o| o.data.0.len() as u64).sum())
}

fn account_usage(k5: &K5, project: &str) -> Usage {
    let objs = k5.objects.list(project);
    Usage {
        containers: k5.containers.count(project),
        objects: objs.len(),
        bytes: objs.iter().map(|o| o.data.0.len() as u64).sum(),
    }
}

fn account_headers(k5: &K5, call: &Call, project: &str, r: Reply) -> Reply {
    let u = account_usage(k5, project);
    let meta = k5.accounts.get(project, "account").unwrap_or_default().meta;
    let r = r
        .header("X-Account-Container-Count", &u.containers.to_string())
        .header("X-Account-Object-Count", &u.objects.to_string())
        .header("X-Account-Bytes-Used", &u.bytes.to_string())
        .header("X-Timestamp", &time::swift_timestamp(call.core.clock.started_at()))
        .header("X-Account-Storage-Policy-Policy-0-Object-Count", &u.objects.to_string())
        .header("X-Account-Storage-Policy-Policy-0-Bytes-Used", &u.bytes.to_string());
    with_meta(r, "Account", &meta)
}

pub fn account_head(k5: &K5, call: &mut Call) -> Reply {
    let (_, project) = match authorize(k5, call, Access::Read) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let r = Reply::empty(StatusCode::NO_CONTENT).content_type("text/plain; charset=utf-8");
    decorate(call, account_headers(k5, call, &project, r))
}

pub fn account_list(k5: &K5, call: &mut Call) -> Reply {
    let (_, project) = match authorize(k5, call, Access::Read) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let pairs = call.query_pairs();
    let q = match parse_query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
        Ok(q) => q,
        Err(e) => return text(call, StatusCode::PRECONDITION_FAILED, e.0),
    };
    let format = negotiate(call.query_param("format").as_deref(), call.header("accept"));
    let containers = k5.containers.list(&project);
    let entries = select(containers.iter().map(|c| (c.name.as_str(), c)), &q);
    let rows: Vec<Value> = entries
        .iter()
        .map(|e| match e {
            Entry::Item(c) => {
                let (count, bytes) = container_usage(k5, &project, &c.name);
                json!({"name": c.name, "count": count, "bytes": bytes,
                       "last_modified": time::swift_listing(date(c.created_us))})
            }
            Entry::Subdir(s) => json!({"subdir": s}),
        })
        .collect();
    let r = render_listing(format, &format!("AUTH_{project}"), "account", "container", &rows, &entries, |c| &c.name);
    decorate(call, account_headers(k5, call, &project, r))
}

pub fn account_update(k5: &K5, call: &mut Call) -> Reply {
    let (_, project) = match authorize(k5, call, Access::Write) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let (set, remove) = meta_headers(call, "account");
    let mut acc = k5.accounts.get(&project, "account").unwrap_or_default();
    acc.meta.extend(set);
    for k in remove {
        acc.meta.remove(&k);
    }
    k5.accounts.insert(&project, "account", acc);
    decorate(call, Reply::empty(StatusCode::NO_CONTENT).content_type("text/html; charset=UTF-8"))
}

/// Renders a listing in the negotiated format; an empty plain listing is 204.
fn render_listing<T>(
    format: Format,
    owner: &str,
    root: &str,
    element: &str,
    rows: &[Value],
    entries: &[Entry<T>],
    name_of: impl Fn(&T) -> &str,
) -> Reply {
    match format {
        Format::Json => {
            let body = serde_json::to_vec(rows).unwrap_or_else(|_| b"[]".to_vec());
            Reply::new(StatusCode::OK).body(body).content_type(format.content_type())
        }
        Format::Xml => {
            let mut s =
                format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{root} name=\"{}\">", listing::xml_escape(owner));
            for row in rows {
                if let Some(sub) = row.get("subdir").and_then(Value::as_str) {
                    let e = listing::xml_escape(sub);
                    s.push_str(&format!("<subdir name=\"{e}\"><name>{e}</name></subdir>"));
                    continue;
                }
                s.push_str(&format!("<{element}>"));
                if let Some(m) = row.as_object() {
                    for (k, v) in m {
                        let v = match v {
                            Value::String(x) => x.clone(),
                            other => other.to_string(),
                        };
                        s.push_str(&format!("<{k}>{}</{k}>", listing::xml_escape(&v)));
                    }
                }
                s.push_str(&format!("</{element}>"));
            }
            s.push_str(&format!("</{root}>"));
            Reply::new(StatusCode::OK).body(s).content_type(format.content_type())
        }
        Format::Plain => {
            if entries.is_empty() {
                return Reply::empty(StatusCode::NO_CONTENT).content_type(format.content_type());
            }
            Reply::new(StatusCode::OK).body(listing::plain(entries, name_of)).content_type(format.content_type())
        }
    }
}

// ---------------------------------------------------------------- containers

fn container_headers(k5: &K5, project: &str, c: &Container, r: Reply) -> Reply {
    let (count, bytes) = container_usage(k5, project, &c.name);
    let r = r
        .header("X-Container-Object-Count", &count.to_string())
        .header("X-Container-Bytes-Used", &bytes.to_string())
        .header("X-Timestamp", &time::swift_timestamp(date(c.created_us)))
        .header("X-Storage-Policy", "Policy-0")
        .header("Last-Modified", &time::http(date(c.created_us)));
    with_meta(r, "Container", &c.meta)
}

pub fn container_put(k5: &K5, call: &mut Call) -> Reply {
    let (_, project) = match authorize(k5, call, Access::Write) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let name = call.param("container").to_string();
    if name.len() > MAX_CONTAINER_NAME {
        return text(
            call,
            StatusCode::BAD_REQUEST,
            format!("Container name length of {} longer than {MAX_CONTAINER_NAME}", name.len()),
        );
    }
    let (set, remove) = meta_headers(call, "container");
    let created = k5.containers.insert_new(
        &project,
        &name,
        Container { name: name.clone(), created_us: now_us(call), meta: set.clone() },
    );
    if !created {
        k5.containers.update(&project, &name, |c| {
            c.meta.extend(set);
            for k in &remove {
                c.meta.remove(k);
            }
        });
    }
    let status = if created { StatusCode::CREATED } else { StatusCode::ACCEPTED };
    decorate(call, Reply::empty(status).content_type("text/html; charset=UTF-8"))
}

fn existing_container(k5: &K5, call: &Call, project: &str) -> Result<Container, Reply> {
    k5.containers.get(project, call.param("container")).ok_or_else(|| err(call, StatusCode::NOT_FOUND))
}

pub fn container_head(k5: &K5, call: &mut Call) -> Reply {
    let (_, project) = match authorize(k5, call, Access::Read) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let c = match existing_container(k5, call, &project) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let r = Reply::empty(StatusCode::NO_CONTENT).content_type("text/plain; charset=utf-8");
    decorate(call, container_headers(k5, &project, &c, r))
}

/// Size and ETag a listing shows: the logical size and large-object ETag for an SLO.
fn listed_size_and_hash(o: &Object) -> (u64, String) {
    match &o.manifest {
        Some(Manifest::Slo { segments }) => (segments.iter().map(|s| s.bytes).sum(), o.etag.clone()),
        _ => (o.data.0.len() as u64, o.etag.clone()),
    }
}

pub fn container_list(k5: &K5, call: &mut Call) -> Reply {
    let (_, project) = match authorize(k5, call, Access::Read) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let c = match existing_container(k5, call, &project) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let pairs = call.query_pairs();
    let q = match parse_query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
        Ok(q) => q,
        Err(e) => return text(call, StatusCode::PRECONDITION_FAILED, e.0),
    };
    let format = negotiate(call.query_param("format").as_deref(), call.header("accept"));
    let objects = k5.objects.filter(&project, |o| o.container == c.name);
    let entries = select(objects.iter().map(|o| (o.name.as_str(), o)), &q);
    let rows: Vec<Value> = entries
        .iter()
        .map(|e| match e {
            Entry::Item(o) => {
                let (bytes, hash) = listed_size_and_hash(o);
                json!({"hash": hash, "last_modified": time::swift_listing(date(o.modified_us)), "bytes": bytes,
                       "name": o.name, "content_type": o.content_type})
            }
            Entry::Subdir(s) => json!({"subdir": s}),
        })
        .collect();
    let r = render_listing(format, &c.name, "container", "object", &rows, &entries, |o| &o.name);
    decorate(call, container_headers(k5, &project, &c, r))
}

pub fn container_post(k5: &K5, call: &mut Call) -> Reply {
    let (_, project) = match authorize(k5, call, Access::Write) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let (set, remove) = meta_headers(call, "container");
    let found = k5.containers.update(&project, call.param("container"), |c| {
        c.meta.extend(set);
        for k in &remove {
            c.meta.remove(k);
        }
    });
    match found {
        Some(()) => decorate(call, Reply::empty(StatusCode::NO_CONTENT).content_type("text/html; charset=UTF-8")),
        None => err(call, StatusCode::NOT_FOUND),
    }
}

pub fn container_delete(k5: &K5, call: &mut Call) -> Reply {
    let (_, project) = match authorize(k5, call, Access::Write) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let c = match existing_container(k5, call, &project) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !k5.objects.filter(&project, |o| o.container == c.name).is_empty() {
        return err(call, StatusCode::CONFLICT);
    }
    k5.containers.remove(&project, &c.name);
    decorate(call, Reply::empty(StatusCode::NO_CONTENT).content_type("text/html; charset=UTF-8"))
}

// ---------------------------------------------------------------- objects

/// The bytes a GET of `o` returns: the object itself, or its large-object segments concatenated. None when a
/// segment is missing (Swift answers 409 then) or nesting is too deep.
pub fn assemble(k5: &K5, project: &str, o: &Object, depth: usize) -> Option<Bytes> {
    if depth > MAX_NESTING {
        return None;
    }
    match &o.manifest {
        None => Some(o.data.0.clone()),
        Some(Manifest::Slo { segments }) => {
            let mut out = BytesMut::new();
            for s in segments {
                let seg = k5.objects.get(project, &object_key(&s.container, &s.object))?;
                out.extend_from_slice(&assemble(k5, project, &seg, depth + 1)?);
            }
            Some(out.freeze())
        }
        Some(Manifest::Dlo { container, prefix }) => {
            let mut out = BytesMut::new();
            for seg in dlo_segments(k5, project, container, prefix) {
                out.extend_from_slice(&assemble(k5, project, &seg, depth + 1)?);
            }
            Some(out.freeze())
        }
    }
}

fn dlo_segments(k5: &K5, project: &str, container: &str, prefix: &str) -> Vec<Object> {
    k5.objects.filter(project, |s| s.container == container && s.name.starts_with(prefix) && s.manifest.is_none())
}

/// The ETag header of an object: plain MD5 unquoted; large objects quoted, as Swift sends them.
fn etag_header(k5: &K5, project: &str, o: &Object) -> String {
    match &o.manifest {
        None => o.etag.clone(),
        Some(Manifest::Slo { .. }) => format!("\"{}\"", o.etag),
        Some(Manifest::Dlo { container, prefix }) => {
            let segs = dlo_segments(k5, project, container, prefix);
            format!("\"{}\"", large_object_etag(segs.iter().map(|s| s.etag.as_str())))
        }
    }
}

fn existing_object(k5: &K5, call: &Call, project: &str) -> Result<Object, Reply> {
    let container = call.param("container");
    if !k5.containers.contains(project, container) {
        return Err(err(call, StatusCode::NOT_FOUND));
    }
    k5.objects
        .get(project, &object_key(container, call.param("object")))
        .ok_or_else(|| err(call, StatusCode::NOT_FOUND))
}

fn object_headers(k5: &K5, project: &str, o: &Object, r: Reply) -> Reply {
    let mut r = r
        .header("ETag", &etag_header(k5, project, o))
        .header("Content-Type", &o.content_type)
        .header("Last-Modified", &time::http(date(o.modified_us)))
        .header("X-Timestamp", &time::swift_timestamp(date(o.modified_us)))
        .header("Accept-Ranges", "bytes");
    match &o.manifest {
        Some(Manifest::Slo { .. }) => r = r.header("X-Static-Large-Object", "True"),
        Some(Manifest::Dlo { container, prefix }) => {
            r = r.header("X-Object-Manifest", &format!("{container}/{prefix}"))
        }
        None => {}
    }
    with_meta(r, "Object", &o.meta)
}

fn wants_manifest(call: &Call, value: &str) -> bool {
    call.query_param("multipart-manifest").as_deref() == Some(value)
}

pub fn object_get(k5: &K5, call: &mut Call) -> Reply {
    get_or_head(k5, call, false)
}

pub fn object_head(k5: &K5, call: &mut Call) -> Reply {
    get_or_head(k5, call, true)
}

fn get_or_head(k5: &K5, call: &Call, head: bool) -> Reply {
    let (_, project) = match authorize(k5, call, Access::Read) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let o = match existing_object(k5, call, &project) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let (true, Some(Manifest::Slo { segments })) = (wants_manifest(call, "get"), &o.manifest) {
        let stored: Vec<Value> = segments.iter().map(|s| s.to_json()).collect();
        let body = serde_json::to_vec(&stored).unwrap_or_default();
        let len = body.len();
        let r = Reply::new(StatusCode::OK)
            .header("Content-Type", "application/json; charset=utf-8")
            .header("ETag", &md5_hex(&body))
            .header("X-Static-Large-Object", "True")
            .header("Last-Modified", &time::http(date(o.modified_us)));
        let r = if head { r.header("Content-Length", &len.to_string()) } else { r.body(body) };
        return decorate(call, r);
    }
    let Some(data) = assemble(k5, &project, &o, 0) else { return err(call, StatusCode::CONFLICT) };
    let total = data.len() as u64;
    let (status, body, range) = match parse_range(call.header("range"), total) {
        RangeAnswer::Full => (StatusCode::OK, data, None),
        RangeAnswer::Partial { start, end } => (
            StatusCode::PARTIAL_CONTENT,
            data.slice(start as usize..=end as usize),
            Some(format!("bytes {start}-{end}/{total}")),
        ),
        RangeAnswer::Unsatisfiable => {
            return decorate(
                call,
                errors::swift(StatusCode::RANGE_NOT_SATISFIABLE).header("Content-Range", &format!("bytes */{total}")),
            );
        }
    };
    let mut r = object_headers(k5, &project, &o, Reply::new(status));
    if let Some(cr) = range {
        r = r.header("Content-Range", &cr);
    }
    r = if head { r.header("Content-Length", &body.len().to_string()) } else { r.body(body) };
    decorate(call, r)
}

fn content_type_for(call: &Call, name: &str) -> String {
    match call.header("content-type").map(str::trim).filter(|s| !s.is_empty()) {
        Some(ct) => ct.to_string(),
        None => guess_content_type(name).to_string(),
    }
}

fn created(call: &Call, etag: &str, modified_us: i64) -> Reply {
    decorate(
        call,
        Reply::empty(StatusCode::CREATED)
            .content_type("text/html; charset=UTF-8")
            .header("ETag", etag)
            .header("Last-Modified", &time::http(date(modified_us))),
    )
}

pub fn object_put(k5: &K5, call: &mut Call) -> Reply {
    let (_, project) = match authorize(k5, call, Access::Write) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let container = call.param("container").to_string();
    let name = call.param("object").to_string();
    if !k5.containers.contains(&project, &container) {
        return err(call, StatusCode::NOT_FOUND);
    }
    if name.len() > MAX_OBJECT_NAME {
        return text(
            call,
            StatusCode::BAD_REQUEST,
            format!("Object name length of {} longer than {MAX_OBJECT_NAME}", name.len()),
        );
    }
    let chunked = call.header("transfer-encoding").is_some_and(|t| t.to_ascii_lowercase().contains("chunked"));
    let declared = call.header("content-length").and_then(|v| v.trim().parse::<u64>().ok());
    let copy_from = call.header("x-copy-from").map(str::to_string);
    if declared.is_none() && !chunked && copy_from.is_none() {
        return err(call, StatusCode::LENGTH_REQUIRED);
    }
    if declared.unwrap_or(0) > MAX_FILE_SIZE || call.body.len() as u64 > MAX_FILE_SIZE {
        return err(call, StatusCode::PAYLOAD_TOO_LARGE);
    }
    let (meta, _) = meta_headers(call, "object");
    let modified_us = now_us(call);
    let content_type = content_type_for(call, &name);

    if wants_manifest(call, "put") {
        let refs = match parse_put_manifest(&call.body) {
            Ok(r) => r,
            Err(t) => return text(call, StatusCode::BAD_REQUEST, t),
        };
        let segments = match check_segments(&refs, |c, o| {
            let seg = k5.objects.get(&project, &object_key(c, o))?;
            let bytes = assemble(k5, &project, &seg, 1)?.len() as u64;
            Some(SegmentFacts {
                etag: seg.etag.clone(),
                bytes,
                content_type: seg.content_type.clone(),
                last_modified: time::swift_listing(date(seg.modified_us)),
            })
        }) {
            Ok(s) => s,
            Err(t) => return text(call, StatusCode::BAD_REQUEST, t),
        };
        let etag = large_object_etag(segments.iter().map(|s| s.hash.as_str()));
        let obj = Object {
            container: container.clone(),
            name: name.clone(),
            data: Blob::default(),
            etag: etag.clone(),
            content_type,
            modified_us,
            meta,
            manifest: Some(Manifest::Slo { segments }),
        };
        k5.objects.insert(&project, &object_key(&container, &name), obj);
        return created(call, &format!("\"{etag}\""), modified_us);
    }

    let data = match copy_from {
        Some(src) => {
            let src = src.trim_start_matches('/');
            let Some((sc, so)) = src.split_once('/') else {
                return text(
                    call,
                    StatusCode::PRECONDITION_FAILED,
                    "X-Copy-From header must be of the form <container name>/<object name>",
                );
            };
            let (sc, so) = (decode(sc), decode(so));
            let Some(source) = k5.objects.get(&project, &object_key(&sc, &so)) else {
                return err(call, StatusCode::NOT_FOUND);
            };
            match assemble(k5, &project, &source, 0) {
                Some(d) => d,
                None => return err(call, StatusCode::CONFLICT),
            }
        }
        None => call.body.clone(),
    };
    let etag = md5_hex(&data);
    if let Some(expected) = call.header("etag") {
        if expected.trim().trim_matches('"').to_ascii_lowercase() != etag {
            return err(call, StatusCode::UNPROCESSABLE_ENTITY);
        }
    }
    let manifest = call
        .header("x-object-manifest")
        .and_then(slo::parse_dlo_manifest)
        .map(|(c, p)| Manifest::Dlo { container: c, prefix: p });
    let obj = Object {
        container: container.clone(),
        name: name.clone(),
        data: Blob(data),
        etag: etag.clone(),
        content_type,
        modified_us,
        meta,
        manifest,
    };
    k5.objects.insert(&project, &object_key(&container, &name), obj);
    created(call, &etag, modified_us)
}

fn decode(s: &str) -> String {
    crate::providers::k5::wire::import_request::percent_decode(s).unwrap_or_else(|| s.to_string())
}

pub fn object_post(k5: &K5, call: &mut Call) -> Reply {
    let (_, project) = match authorize(k5, call, Access::Write) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let o = match existing_object(k5, call, &project) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let (meta, _) = meta_headers(call, "object");
    let content_type = call.header("content-type").map(str::to_string);
    let modified = now_us(call);
    k5.objects.update(&project, &object_key(&o.container, &o.name), |obj| {
        // A POST replaces the whole X-Object-Meta-* set.
        obj.meta = meta;
        if let Some(ct) = content_type {
            obj.content_type = ct;
        }
        obj.modified_us = modified;
    });
    decorate(
        call,
        Reply::html(
            StatusCode::ACCEPTED,
            "<html><h1>Accepted</h1><p>The request is accepted for processing.</p></html>",
        ),
    )
}

pub fn object_delete(k5: &K5, call: &mut Call) -> Reply {
    let (_, project) = match authorize(k5, call, Access::Write) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let o = match existing_object(k5, call, &project) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let (true, Some(Manifest::Slo { segments })) = (wants_manifest(call, "delete"), &o.manifest) {
        let mut deleted = 1;
        let mut missing = 0;
        for s in segments {
            match k5.objects.remove(&project, &object_key(&s.container, &s.object)) {
                Some(_) => deleted += 1,
                None => missing += 1,
            }
        }
        k5.objects.remove(&project, &object_key(&o.container, &o.name));
        let body = format!(
            "Number Deleted: {deleted}\nNumber Not Found: {missing}\nResponse Body: \nResponse Status: 200 OK\nErrors:\n"
        );
        return decorate(call, Reply::text(StatusCode::OK, body));
    }
    k5.objects.remove(&project, &object_key(&o.container, &o.name));
    decorate(call, Reply::empty(StatusCode::NO_CONTENT).content_type("text/html; charset=UTF-8"))
}
