//! Swift object storage for one project's account: containers, objects, listings, metadata and large objects
//! (SLO manifests and DLO `X-Object-Manifest`), answered with Swift's headers and HTML error pages.
//! This file holds what the account, container and object handlers share.

mod account;
mod container;
mod object;

pub use account::{account_head, account_list, account_update};
pub use container::{container_delete, container_head, container_list, container_post, container_put};
pub use object::{assemble, object_copy, object_delete, object_get, object_head, object_post, object_put};

use std::collections::BTreeMap;

use hyper::StatusCode;
use serde_json::{json, Value};

use crate::core::call::{Call, Reply};
use crate::providers::k5::errors;
use crate::providers::k5::model::identity::Token;
use crate::providers::k5::model::storage::{MAX_CONTAINER_NAME, MAX_FILE_SIZE, MAX_OBJECT_NAME};
use crate::providers::k5::wire::listing::{self, Entry, Format, ListQuery};
use crate::providers::k5::wire::slo;
use crate::providers::k5::K5;

const HEX: &[u8] = b"0123456789abcdef";
/// How deep large objects may nest (an SLO whose segments are SLOs), as Swift bounds recursion.
const MAX_NESTING: usize = 10;

/// Every Swift answer carries a transaction id (`tx` + 21 hex + `-` + 10 hex of the time).
pub fn decorate(call: &Call, reply: Reply) -> Reply {
    let tx = format!("tx{}-{:010x}", call.core.ids.token(HEX, 21), call.core.clock.now().timestamp());
    reply.header("X-Trans-Id", &tx).header("X-Openstack-Request-Id", &tx)
}

pub(super) fn err(call: &Call, status: StatusCode) -> Reply {
    decorate(call, errors::swift(status))
}

pub(super) fn text(call: &Call, status: StatusCode, t: impl Into<String>) -> Reply {
    decorate(call, errors::swift_text(status, t))
}

/// Runs a handler written as `Result<Reply, Reply>`, so each check can refuse the request with `?`; the route
/// table wants a plain `Reply`, and a refusal is already a complete Swift answer.
pub(super) fn answer(handler: impl FnOnce() -> Result<Reply, Reply>) -> Reply {
    handler().unwrap_or_else(|refusal| refusal)
}

#[derive(PartialEq, Eq)]
pub(super) enum Access {
    Read,
    Write,
}

/// Token valid (401), scoped to this account's project (403), and for writes a role that may write (403).
pub(super) fn authorize(k5: &K5, call: &Call, access: Access) -> Result<(Token, String), Reply> {
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
pub(super) fn meta_headers(call: &Call, kind: &str) -> (BTreeMap<String, String>, Vec<String>) {
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

/// Applies `X-<Kind>-Meta-*` / `X-Remove-<Kind>-Meta-*` headers to stored metadata (POST and PUT on an
/// existing account or container keep the keys the request does not name).
pub(super) fn merge_meta(meta: &mut BTreeMap<String, String>, set: BTreeMap<String, String>, remove: &[String]) {
    meta.extend(set);
    for k in remove {
        meta.remove(k);
    }
}

/// The listing query (`limit`, `marker`, `prefix`, ...); a bad one is Swift's 412 with its reason.
pub(super) fn listing_query(call: &Call) -> Result<ListQuery, Reply> {
    let pairs = call.query_pairs();
    listing::parse_query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|e| text(call, StatusCode::PRECONDITION_FAILED, e.0))
}

pub(super) fn with_meta(mut r: Reply, kind: &str, meta: &BTreeMap<String, String>) -> Reply {
    for (k, v) in meta {
        r = r.header(&format!("X-{kind}-Meta-{k}"), v);
    }
    r
}

pub(super) fn now_us(call: &Call) -> i64 {
    call.core.clock.now().timestamp_micros()
}

pub(super) fn date(us: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_micros(us).unwrap_or_default()
}

pub(super) struct Usage {
    pub(super) containers: usize,
    pub(super) objects: usize,
    pub(super) bytes: u64,
}

pub(super) fn container_usage(k5: &K5, project: &str, container: &str) -> (usize, u64) {
    let objs = k5.objects.filter(project, |o| o.container == container);
    (objs.len(), objs.iter().map(|o| o.data.0.len() as u64).sum())
}

/// Renders a listing in the negotiated format; an empty plain listing is 204.
pub(super) fn render_listing<T>(
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
