//! Limits with exact counts under concurrency: running lifecycles per group and per tenant, requests in
//! flight, request rate; each refusal is the provider's throttling error.

use futures_free::join_all;
use reqwest::Method;
use serde_json::{json, Value};

use super::{listing, load, req, start, wait_listing};
use crate::common::{json, Server};

/// A tiny join_all, so the suite needs no futures crate.
mod futures_free {
    pub async fn join_all<T: Send + 'static>(tasks: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
        let mut out = Vec::with_capacity(tasks.len());
        for t in tasks {
            out.push(t.await.expect("task"));
        }
        out
    }
}

/// Sends `n` requests at once; returns their statuses and bodies.
async fn burst(s: &Server, n: usize, method: Method, path: &str, headers: &[(&str, String)]) -> Vec<(u16, Value)> {
    let mut tasks = Vec::new();
    for i in 0..n {
        let mut r = s.request(method.clone(), path);
        for (k, v) in headers {
            r = r.header(*k, v.replace("{i}", &i.to_string()));
        }
        tasks.push(tokio::spawn(async move { json(r.send().await.unwrap()).await }));
    }
    join_all(tasks).await
}

fn count(results: &[(u16, Value)], status: u16) -> usize {
    results.iter().filter(|(s, _)| *s == status).count()
}

#[tokio::test]
async fn a_group_lifecycle_limit_admits_exactly_its_count_out_of_50_parallel_requests() {
    let s = start().await;
    load(
        &s,
        &json!({"name": "jobs", "limits": [
            {"name": "per-group", "operation": "tp.job.create", "per": "group", "concurrency": 10, "count": "lifecycles",
             "error": {"code": "TP.THROTTLED", "message": "too many jobs"}}
        ]}),
    )
    .await;
    let headers = [("x-group", "g1".to_string()), ("x-tenant", "t{i}".to_string())];
    let results = burst(&s, 50, Method::POST, "/tp/jobs", &headers).await;
    assert_eq!(count(&results, 202), 10, "exactly the limit is admitted");
    assert_eq!(count(&results, 429), 40);
    let refused = results.iter().find(|(s, _)| *s == 429).unwrap();
    assert_eq!(refused.1, json!({"code": "TP.THROTTLED", "message": "too many jobs", "details": null}));

    let other = req(&s, Method::POST, "/tp/jobs", "t-x").header("x-group", "g2").send().await.unwrap();
    assert_eq!(other.status(), 202, "another group has its own count");
    let v = listing(&s, "jobs").await;
    assert_eq!((v["limits"][0]["admitted"].as_u64(), v["limits"][0]["refused"].as_u64()), (Some(11), Some(40)));
    assert_eq!(s.journal("operation=tp.job.create&status=429").await[0]["rule"], "jobs/per-group");

    s.advance(35.0).await;
    let again = burst(&s, 12, Method::POST, "/tp/jobs", &headers).await;
    assert_eq!(count(&again, 202), 10, "finished lifecycles free their places");
}

#[tokio::test]
async fn a_tenant_lifecycle_limit_counts_each_tenant_apart() {
    let s = start().await;
    load(
        &s,
        &json!({"name": "jobs", "limits": [
            {"operation": "tp.job.create", "concurrency": 3, "count": "lifecycles", "error": {"code": "TP.THROTTLED"}}
        ]}),
    )
    .await;
    let a = burst(&s, 20, Method::POST, "/tp/jobs", &[("x-tenant", "a".into())]).await;
    let b = burst(&s, 20, Method::POST, "/tp/jobs", &[("x-tenant", "b".into())]).await;
    assert_eq!((count(&a, 202), count(&b, 202)), (3, 3));
}

#[tokio::test]
async fn a_request_concurrency_limit_counts_answers_in_flight() {
    let s = start().await;
    load(
        &s,
        &json!({"name": "slow", "limits": [
            {"operation": "tp.slow.run", "per": "global", "concurrency": 10, "error": {"code": "TP.BUSY"}}
        ]}),
    )
    .await;
    let mut tasks = Vec::new();
    for i in 0..50 {
        let r = req(&s, Method::POST, "/tp/slow", &format!("t{i}"));
        tasks.push(tokio::spawn(async move { r.send().await.unwrap().status().as_u16() }));
    }
    // The admitted ten are held for ten product seconds; the refused forty are answered at once.
    wait_listing(&s, "slow", "all 50 requests to be counted", |v| {
        v["limits"][0]["admitted"].as_u64().unwrap() + v["limits"][0]["refused"].as_u64().unwrap() == 50
    })
    .await;
    let v = listing(&s, "slow").await;
    assert_eq!((v["limits"][0]["admitted"].as_u64(), v["limits"][0]["refused"].as_u64()), (Some(10), Some(40)));
    let extra = req(&s, Method::POST, "/tp/slow", "late").send().await.unwrap();
    assert_eq!(extra.status(), 503, "still full while the ten are in flight");
    s.advance(10.0).await;
    let statuses = join_all(tasks).await;
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 10);
    assert_eq!(statuses.iter().filter(|s| **s == 503).count(), 40);
    let http = s.http.clone();
    let url = s.url("/tp/slow");
    let after = tokio::spawn(async move { http.post(url).send().await.unwrap().status().as_u16() });
    wait_listing(&s, "slow", "the next request", |v| v["limits"][0]["admitted"] == 11).await;
    s.advance(10.0).await;
    assert_eq!(after.await.unwrap(), 200, "places are given back when the answers are written");
}

#[tokio::test]
async fn a_rate_limit_admits_its_count_per_window_per_tenant() {
    let s = start().await;
    load(
        &s,
        &json!({"name": "rate", "limits": [
            {"operation": "tp.item.*", "rate": {"requests": 5, "per_seconds": 60}, "error": {"code": "TP.THROTTLED"}}
        ]}),
    )
    .await;
    let a = burst(&s, 50, Method::GET, "/tp/items", &[("x-tenant", "a".into())]).await;
    assert_eq!((count(&a, 200), count(&a, 429)), (5, 45));
    let b = burst(&s, 3, Method::GET, "/tp/items/1", &[("x-tenant", "b".into())]).await;
    assert_eq!(count(&b, 200), 3, "another tenant has its own window");
    s.advance(59.0).await;
    assert_eq!(req(&s, Method::GET, "/tp/items", "a").send().await.unwrap().status(), 429);
    s.advance(1.0).await;
    let a = burst(&s, 8, Method::GET, "/tp/items", &[("x-tenant", "a".into())]).await;
    assert_eq!(count(&a, 200), 5, "a new window admits again");
}
