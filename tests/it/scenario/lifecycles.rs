//! Lifecycle overrides under the virtual clock: step durations, an alternative path, a terminal failure with a
//! provider error after step N, selecting which lifecycles, and by tenant.

use reqwest::Method;
use serde_json::{json, Value};

use super::{listing, load, req, start};
use crate::common::{json, Server};

async fn create_job(s: &Server, tenant: &str) -> String {
    let (status, v) = json(req(s, Method::POST, "/tp/jobs", tenant).send().await.unwrap()).await;
    assert_eq!(status, 202, "{v}");
    v["id"].as_str().unwrap().to_string()
}

async fn job(s: &Server, tenant: &str, id: &str) -> Value {
    json(req(s, Method::GET, &format!("/tp/jobs/{id}"), tenant).send().await.unwrap()).await.1
}

async fn status(s: &Server, tenant: &str, id: &str) -> String {
    job(s, tenant, id).await["status"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn without_a_scenario_the_provider_default_runs() {
    let s = start().await;
    let id = create_job(&s, "t").await;
    s.advance(4.9).await;
    assert_eq!(status(&s, "t", &id).await, "queued");
    s.advance(0.1).await;
    assert_eq!(status(&s, "t", &id).await, "running");
    s.advance(30.0).await;
    assert_eq!(status(&s, "t", &id).await, "done");
}

#[tokio::test]
async fn durations_are_replaced_by_status_name() {
    let s = start().await;
    load(
        &s,
        &json!({"name": "fast", "lifecycles": [
            {"operation": "tp.job.create", "durations_ms": {"queued": 1000, "running": 2000}}
        ]}),
    )
    .await;
    let id = create_job(&s, "t").await;
    s.advance(1.0).await;
    assert_eq!(status(&s, "t", &id).await, "running");
    s.advance(1.9).await;
    assert_eq!(status(&s, "t", &id).await, "running");
    s.advance(0.1).await;
    assert_eq!(status(&s, "t", &id).await, "done");
    let (_, lcs) = json(s.get("/_mockcloud/lifecycles").await).await;
    assert!(lcs["lifecycles"].as_array().unwrap().is_empty());
    assert_eq!(listing(&s, "fast").await["lifecycles"][0]["hits"], 1);
}

#[tokio::test]
async fn an_alternative_path_is_walked_in_order() {
    let s = start().await;
    load(
        &s,
        &json!({"name": "path", "lifecycles": [
            {"operation": "tp.job.create", "steps": [
                {"status": "queued", "duration_ms": 1000}, {"status": "verifying", "duration_ms": 1000},
                {"status": "running", "duration_ms": 1000}]}
        ]}),
    )
    .await;
    let id = create_job(&s, "t").await;
    let (_, lcs) = json(s.get("/_mockcloud/lifecycles").await).await;
    assert_eq!(lcs["lifecycles"][0]["overridden_by"], "path/lifecycles[0]");
    let journal = s.journal("operation=tp.job.create").await;
    assert_eq!(journal[0]["rule"], "path/lifecycles[0]", "the request that started it names the override");
    let mut seen = vec![status(&s, "t", &id).await];
    for _ in 0..3 {
        s.advance(1.0).await;
        seen.push(status(&s, "t", &id).await);
    }
    assert_eq!(seen, ["queued", "verifying", "running", "done"]);
}

#[tokio::test]
async fn a_failure_after_step_n_ends_with_the_provider_code() {
    let s = start().await;
    load(&s, &json!({"name": "timeout", "lifecycles": [
        {"operation": "tp.job.create", "fail": {"code": "TP.JOB_TIMEOUT", "message": "no answer from the host", "after_step": 0}}
    ]}))
    .await;
    let id = create_job(&s, "t").await;
    s.advance(4.9).await;
    assert_eq!(status(&s, "t", &id).await, "queued");
    s.advance(0.1).await;
    let j = job(&s, "t", &id).await;
    assert_eq!((j["status"].as_str(), j["error"].as_str()), (Some("failed"), Some("TP.JOB_TIMEOUT")));
    assert_eq!(j["message"], "no answer from the host");
}

#[tokio::test]
async fn overrides_select_which_lifecycles_and_whose() {
    let s = start().await;
    load(
        &s,
        &json!({"name": "second", "lifecycles": [
            {"name": "second-fails", "operation": "tp.job.create", "tenant": "t", "select": {"nth": 2},
             "fail": {"code": "TP.BUSY"}}
        ]}),
    )
    .await;
    let other = create_job(&s, "u").await;
    let ids = [create_job(&s, "t").await, create_job(&s, "t").await, create_job(&s, "t").await];
    s.advance(35.0).await;
    let mut outcomes = Vec::new();
    for id in &ids {
        outcomes.push(status(&s, "t", id).await);
    }
    assert_eq!(outcomes, ["done", "failed", "done"]);
    assert_eq!(status(&s, "u", &other).await, "done", "another tenant's lifecycles are not touched");
    let v = listing(&s, "second").await;
    assert_eq!((v["lifecycles"][0]["matched"].as_u64(), v["lifecycles"][0]["hits"].as_u64()), (Some(3), Some(1)));
}
