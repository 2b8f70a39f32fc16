//! Objects: PUT (plain, SLO manifest, DLO, copy), HEAD/GET (assembled large objects, ranges), POST, DELETE.

use bytes::{Bytes, BytesMut};
use hyper::StatusCode;
use serde_json::Value;

use crate::core::call::{Call, Reply};
use crate::providers::k5::errors;
use crate::providers::k5::model::storage::{
    guess_content_type, object_key, Blob, Manifest, Object, MAX_FILE_SIZE, MAX_OBJECT_NAME,
};
use crate::providers::k5::wire::range::{parse_range, RangeAnswer};
use crate::providers::k5::wire::slo::{
    self, check_segments, large_object_etag, md5_hex, parse_put_manifest, SegmentFacts,
};
use crate::providers::k5::wire::time;
use crate::providers::k5::K5;

use super::*;

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
    answer(|| {
        let (_, project) = authorize(k5, call, Access::Read)?;
        let o = existing_object(k5, call, &project)?;
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
            return Ok(decorate(call, r));
        }
        let Some(data) = assemble(k5, &project, &o, 0) else { return Err(err(call, StatusCode::CONFLICT)) };
        let total = data.len() as u64;
        let (status, body, range) = match parse_range(call.header("range"), total) {
            RangeAnswer::Full => (StatusCode::OK, data, None),
            RangeAnswer::Partial { start, end } => (
                StatusCode::PARTIAL_CONTENT,
                data.slice(start as usize..=end as usize),
                Some(format!("bytes {start}-{end}/{total}")),
            ),
            RangeAnswer::Unsatisfiable => {
                return Err(decorate(
                    call,
                    errors::swift(StatusCode::RANGE_NOT_SATISFIABLE)
                        .header("Content-Range", &format!("bytes */{total}")),
                ));
            }
        };
        let mut r = object_headers(k5, &project, &o, Reply::new(status));
        if let Some(cr) = range {
            r = r.header("Content-Range", &cr);
        }
        r = if head { r.header("Content-Length", &body.len().to_string()) } else { r.body(body) };
        Ok(decorate(call, r))
    })
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
    answer(|| {
        let (_, project) = authorize(k5, call, Access::Write)?;
        let container = call.param("container").to_string();
        let name = call.param("object").to_string();
        if !k5.containers.contains(&project, &container) {
            return Err(err(call, StatusCode::NOT_FOUND));
        }
        if name.len() > MAX_OBJECT_NAME {
            return Err(text(
                call,
                StatusCode::BAD_REQUEST,
                format!("Object name length of {} longer than {MAX_OBJECT_NAME}", name.len()),
            ));
        }
        let chunked = call.header("transfer-encoding").is_some_and(|t| t.to_ascii_lowercase().contains("chunked"));
        let declared = call.header("content-length").and_then(|v| v.trim().parse::<u64>().ok());
        let copy_from = call.header("x-copy-from").map(str::to_string);
        if declared.is_none() && !chunked && copy_from.is_none() {
            return Err(err(call, StatusCode::LENGTH_REQUIRED));
        }
        if declared.unwrap_or(0) > MAX_FILE_SIZE || call.body.len() as u64 > MAX_FILE_SIZE {
            return Err(err(call, StatusCode::PAYLOAD_TOO_LARGE));
        }
        if let Some(src) = copy_from {
            return Ok(copy_into(k5, call, &project, &src, "X-Copy-From", &container, &name));
        }
        let (meta, _) = meta_headers(call, "object");
        let modified_us = now_us(call);
        let content_type = content_type_for(call, &name);

        if wants_manifest(call, "put") {
            let bad_manifest = |t| text(call, StatusCode::BAD_REQUEST, t);
            let refs = parse_put_manifest(&call.body).map_err(bad_manifest)?;
            let segments = check_segments(&refs, |c, o| {
                let seg = k5.objects.get(&project, &object_key(c, o))?;
                let bytes = assemble(k5, &project, &seg, 1)?.len() as u64;
                Some(SegmentFacts {
                    etag: seg.etag.clone(),
                    bytes,
                    content_type: seg.content_type.clone(),
                    last_modified: time::swift_listing(date(seg.modified_us)),
                })
            })
            .map_err(bad_manifest)?;
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
            return Ok(created(call, &format!("\"{etag}\""), modified_us));
        }

        let data = call.body.clone();
        let etag = md5_hex(&data);
        if let Some(expected) = call.header("etag") {
            if expected.trim().trim_matches('"').to_ascii_lowercase() != etag {
                return Err(err(call, StatusCode::UNPROCESSABLE_ENTITY));
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
        Ok(created(call, &etag, modified_us))
    })
}

/// `COPY /c/o` with `Destination: c2/o2`: python-swiftclient's `copy_object`.
pub fn object_copy(k5: &K5, call: &mut Call) -> Reply {
    answer(|| {
        let (_, project) = authorize(k5, call, Access::Write)?;
        let Some(dest) = call.header("destination").map(str::to_string) else {
            return Err(text(call, StatusCode::PRECONDITION_FAILED, "You must provide a Destination header"));
        };
        let Some((dc, dobj)) = split_object_path(&dest) else {
            return Err(text(
                call,
                StatusCode::PRECONDITION_FAILED,
                "Destination header must be of the form <container name>/<object name>",
            ));
        };
        if !k5.containers.contains(&project, &dc) {
            return Err(err(call, StatusCode::NOT_FOUND));
        }
        let src = format!("{}/{}", call.param("container"), call.param("object"));
        Ok(copy_into(k5, call, &project, &src, "Destination", &dc, &dobj))
    })
}

/// `container/object` with an optional leading slash, percent-decoded.
fn split_object_path(raw: &str) -> Option<(String, String)> {
    let (c, o) = raw.trim_start_matches('/').split_once('/')?;
    let (c, o) = (decode(c), decode(o));
    (!c.is_empty() && !o.is_empty()).then_some((c, o))
}

/// Server-side copy: the source's (assembled) bytes, content type and metadata, with the request's
/// `Content-Type` and `X-Object-Meta-*` taking precedence.
fn copy_into(k5: &K5, call: &Call, project: &str, src: &str, header: &str, container: &str, name: &str) -> Reply {
    let Some((sc, so)) = split_object_path(src) else {
        return text(
            call,
            StatusCode::PRECONDITION_FAILED,
            format!("{header} header must be of the form <container name>/<object name>"),
        );
    };
    let Some(source) = k5.objects.get(project, &object_key(&sc, &so)) else { return err(call, StatusCode::NOT_FOUND) };
    let Some(data) = assemble(k5, project, &source, 0) else { return err(call, StatusCode::CONFLICT) };
    let (req_meta, _) = meta_headers(call, "object");
    let mut meta = source.meta.clone();
    meta.extend(req_meta);
    let content_type = call
        .header("content-type")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| source.content_type.clone());
    let modified_us = now_us(call);
    let etag = md5_hex(&data);
    let obj = Object {
        container: container.to_string(),
        name: name.to_string(),
        data: Blob(data),
        etag: etag.clone(),
        content_type,
        modified_us,
        meta,
        manifest: None,
    };
    k5.objects.insert(project, &object_key(container, name), obj);
    created(call, &etag, modified_us)
        .header("X-Copied-From", &format!("{sc}/{so}"))
        .header("X-Copied-From-Last-Modified", &time::http(date(source.modified_us)))
}

fn decode(s: &str) -> String {
    crate::providers::k5::wire::import_request::percent_decode(s).unwrap_or_else(|| s.to_string())
}

pub fn object_post(k5: &K5, call: &mut Call) -> Reply {
    answer(|| {
        let (_, project) = authorize(k5, call, Access::Write)?;
        let o = existing_object(k5, call, &project)?;
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
        Ok(decorate(
            call,
            Reply::html(
                StatusCode::ACCEPTED,
                "<html><h1>Accepted</h1><p>The request is accepted for processing.</p></html>",
            ),
        ))
    })
}

pub fn object_delete(k5: &K5, call: &mut Call) -> Reply {
    answer(|| {
        let (_, project) = authorize(k5, call, Access::Write)?;
        let o = existing_object(k5, call, &project)?;
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
            return Ok(decorate(call, Reply::text(StatusCode::OK, body)));
        }
        k5.objects.remove(&project, &object_key(&o.container, &o.name));
        Ok(decorate(call, Reply::empty(StatusCode::NO_CONTENT).content_type("text/html; charset=UTF-8")))
    })
}
