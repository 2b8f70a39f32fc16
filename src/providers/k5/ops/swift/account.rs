//! Account: HEAD (usage counts), GET (container listing), POST (account metadata).

use hyper::StatusCode;
use serde_json::{json, Value};

use crate::core::call::{Call, Reply};
use crate::providers::k5::wire::listing::{negotiate, select, Entry};
use crate::providers::k5::wire::time;
use crate::providers::k5::K5;

use super::*;

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
    answer(|| {
        let (_, project) = authorize(k5, call, Access::Read)?;
        let r = Reply::empty(StatusCode::NO_CONTENT).content_type("text/plain; charset=utf-8");
        Ok(decorate(call, account_headers(k5, call, &project, r)))
    })
}

pub fn account_list(k5: &K5, call: &mut Call) -> Reply {
    answer(|| {
        let (_, project) = authorize(k5, call, Access::Read)?;
        let q = listing_query(call)?;
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
        let r =
            render_listing(format, &format!("AUTH_{project}"), "account", "container", &rows, &entries, |c| &c.name);
        Ok(decorate(call, account_headers(k5, call, &project, r)))
    })
}

pub fn account_update(k5: &K5, call: &mut Call) -> Reply {
    answer(|| {
        let (_, project) = authorize(k5, call, Access::Write)?;
        let (set, remove) = meta_headers(call, "account");
        let mut acc = k5.accounts.get(&project, "account").unwrap_or_default();
        merge_meta(&mut acc.meta, set, &remove);
        k5.accounts.insert(&project, "account", acc);
        Ok(decorate(call, Reply::empty(StatusCode::NO_CONTENT).content_type("text/html; charset=UTF-8")))
    })
}
