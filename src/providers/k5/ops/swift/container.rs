//! Containers: PUT (201 new / 202 existing), HEAD, GET (object listing), POST (metadata), DELETE (409 when not empty).

use hyper::StatusCode;
use serde_json::{json, Value};

use crate::core::call::{Call, Reply};
use crate::providers::k5::model::storage::{Container, Manifest, Object, MAX_CONTAINER_NAME};
use crate::providers::k5::wire::listing::{negotiate, select, Entry};
use crate::providers::k5::wire::time;
use crate::providers::k5::K5;

use super::*;

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
    answer(|| {
        let (_, project) = authorize(k5, call, Access::Write)?;
        let name = call.param("container").to_string();
        if name.len() > MAX_CONTAINER_NAME {
            return Err(text(
                call,
                StatusCode::BAD_REQUEST,
                format!("Container name length of {} longer than {MAX_CONTAINER_NAME}", name.len()),
            ));
        }
        let (set, remove) = meta_headers(call, "container");
        let created = k5.containers.insert_new(
            &project,
            &name,
            Container { name: name.clone(), created_us: now_us(call), meta: set.clone() },
        );
        if !created {
            k5.containers.update(&project, &name, |c| merge_meta(&mut c.meta, set, &remove));
        }
        let status = if created { StatusCode::CREATED } else { StatusCode::ACCEPTED };
        Ok(decorate(call, Reply::empty(status).content_type("text/html; charset=UTF-8")))
    })
}

fn existing_container(k5: &K5, call: &Call, project: &str) -> Result<Container, Reply> {
    k5.containers.get(project, call.param("container")).ok_or_else(|| err(call, StatusCode::NOT_FOUND))
}

pub fn container_head(k5: &K5, call: &mut Call) -> Reply {
    answer(|| {
        let (_, project) = authorize(k5, call, Access::Read)?;
        let c = existing_container(k5, call, &project)?;
        let r = Reply::empty(StatusCode::NO_CONTENT).content_type("text/plain; charset=utf-8");
        Ok(decorate(call, container_headers(k5, &project, &c, r)))
    })
}

/// Size and ETag a listing shows: the logical size and large-object ETag for an SLO.
fn listed_size_and_hash(o: &Object) -> (u64, String) {
    match &o.manifest {
        Some(Manifest::Slo { segments }) => (segments.iter().map(|s| s.bytes).sum(), o.etag.clone()),
        _ => (o.data.0.len() as u64, o.etag.clone()),
    }
}

pub fn container_list(k5: &K5, call: &mut Call) -> Reply {
    answer(|| {
        let (_, project) = authorize(k5, call, Access::Read)?;
        let c = existing_container(k5, call, &project)?;
        let q = listing_query(call)?;
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
        Ok(decorate(call, container_headers(k5, &project, &c, r)))
    })
}

pub fn container_post(k5: &K5, call: &mut Call) -> Reply {
    answer(|| {
        let (_, project) = authorize(k5, call, Access::Write)?;
        let (set, remove) = meta_headers(call, "container");
        k5.containers
            .update(&project, call.param("container"), |c| merge_meta(&mut c.meta, set, &remove))
            .ok_or_else(|| err(call, StatusCode::NOT_FOUND))?;
        Ok(decorate(call, Reply::empty(StatusCode::NO_CONTENT).content_type("text/html; charset=UTF-8")))
    })
}

pub fn container_delete(k5: &K5, call: &mut Call) -> Reply {
    answer(|| {
        let (_, project) = authorize(k5, call, Access::Write)?;
        let c = existing_container(k5, call, &project)?;
        if !k5.objects.filter(&project, |o| o.container == c.name).is_empty() {
            return Err(err(call, StatusCode::CONFLICT));
        }
        k5.containers.remove(&project, &c.name);
        Ok(decorate(call, Reply::empty(StatusCode::NO_CONTENT).content_type("text/html; charset=UTF-8")))
    })
}
