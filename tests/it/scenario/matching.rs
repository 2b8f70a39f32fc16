//! Every kind of match: operation id (exact and pattern), method, path pattern, header, tenant, body field.

use reqwest::Method;
use serde_json::json;

use super::{load, req, start};
use crate::common::json;

/// A rule that answers a raw 418 with its own name, so each request shows which rule caught it.
fn teapot(name: &str, matches: serde_json::Value) -> serde_json::Value {
    json!({"name": name, "match": matches, "act": {"respond": {"status": 418, "body": {"rule": name}}}})
}

async fn caught_by(r: reqwest::Response) -> String {
    let (status, v) = json(r).await;
    if status == 418 {
        v["rule"].as_str().unwrap().to_string()
    } else {
        format!("passed:{status}")
    }
}

#[tokio::test]
async fn each_match_kind_selects_only_its_requests() {
    let s = start().await;
    load(
        &s,
        &json!({"name": "m", "rules": [
            teapot("by-operation", json!({"operation": "tp.item.get"})),
            teapot("by-pattern", json!({"operation": "tq.*"})),
            teapot("by-method-and-path", json!({"method": "post", "path": "/tp/items"})),
            teapot("by-header", json!({"headers": {"X-Canary": "yes-*"}})),
            teapot("by-tenant", json!({"operation": "tp.item.list", "tenant": "t-blocked"})),
            teapot("by-body", json!({"operation": "tp.job.create", "body": {"spec.size": 42, "spec.name": "big-*"}})),
        ]}),
    )
    .await;

    assert_eq!(caught_by(s.get("/tp/items/7").await).await, "by-operation");
    assert_eq!(caught_by(s.get("/tq/ping").await).await, "by-pattern");
    assert_eq!(caught_by(s.post_json("/tp/items", &json!({})).await).await, "by-method-and-path");
    assert_eq!(
        caught_by(s.request(Method::GET, "/tp/items").header("x-canary", "yes-1").send().await.unwrap()).await,
        "by-header"
    );
    assert_eq!(
        caught_by(s.request(Method::GET, "/tp/items").header("x-canary", "no").send().await.unwrap()).await,
        "passed:200"
    );
    assert_eq!(caught_by(req(&s, Method::GET, "/tp/items", "t-blocked").send().await.unwrap()).await, "by-tenant");
    assert_eq!(caught_by(req(&s, Method::GET, "/tp/items", "t-other").send().await.unwrap()).await, "passed:200");
    let big = json!({"spec": {"size": 42, "name": "big-disk"}});
    let small = json!({"spec": {"size": 41, "name": "big-disk"}});
    assert_eq!(caught_by(s.post_json("/tp/jobs", &big).await).await, "by-body");
    assert_eq!(caught_by(s.post_json("/tp/jobs", &small).await).await, "passed:202");
    // A form body is matched by key.
    let form = s.request(Method::POST, "/tp/jobs").body("spec.size=42&spec.name=big-x").send().await.unwrap();
    assert_eq!(caught_by(form).await, "by-body");

    let journal = s.journal("operation=tp.item.get").await;
    assert_eq!(journal[0]["rule"], "m/by-operation", "the journal names the rule that acted");
    let passed = s.journal("operation=tp.item.list&status=200").await;
    assert!(passed.iter().all(|e| e["rule"].is_null()), "requests no rule touched carry no rule");
}

#[tokio::test]
async fn path_patterns_stop_at_slashes_unless_doubled() {
    let s = start().await;
    load(
        &s,
        &json!({"name": "paths", "rules": [
            teapot("one-segment", json!({"path": "/tp/items/*"})),
            teapot("any-depth", json!({"path": "/tq/**"})),
        ]}),
    )
    .await;
    assert_eq!(caught_by(s.get("/tp/items/abc").await).await, "one-segment");
    assert_eq!(caught_by(s.get("/tp/items").await).await, "passed:200");
    assert_eq!(caught_by(s.get("/tq/ping").await).await, "any-depth");
}

#[tokio::test]
async fn rules_never_touch_the_admin_api() {
    let s = start().await;
    load(&s, &json!({"name": "everything", "rules": [{"act": {"drop": true}}]})).await;
    let (status, v) = json(s.get("/_mockcloud/scenarios").await).await;
    assert_eq!(status, 200, "a catch-all drop rule leaves the remote control working");
    assert_eq!(v["scenarios"][0]["rules"][0]["hits"], 0);
    assert!(s.request(Method::GET, "/tp/items").send().await.is_err(), "the emulated API is dropped");
}

#[tokio::test]
async fn operations_named_by_a_route_refinement_can_be_matched() {
    let s = start().await;
    load(&s, &json!({"name": "rpc", "rules": [teapot("ping-only", json!({"operation": "tp.rpc.ping"}))]})).await;
    assert_eq!(caught_by(s.post_json("/tp/rpc", &json!({"method": "ping"})).await).await, "ping-only");
    assert_eq!(caught_by(s.post_json("/tp/rpc", &json!({"method": "echo"})).await).await, "passed:200");
    assert_eq!(s.journal("operation=tp.rpc.ping").await[0]["rule"], "rpc/ping-only");
}
