//! Every action: provider error by code, raw answer, latency (fixed, uniform, normal) on the product clock,
//! drop, empty answer, stall (ended by the client's timeout or the server's shutdown), expire_credential.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;

use super::{listing, load, start, wait_listing};
use crate::common::json;

#[tokio::test]
async fn a_provider_error_is_rendered_by_the_provider_with_its_status_and_body() {
    let s = start().await;
    load(
        &s,
        &json!({"name": "errs", "rules": [
            {"match": {"operation": "tp.item.get"}, "act": {"error": {"code": "TP.BUSY"}}},
            {"match": {"operation": "tp.item.list"},
             "act": {"error": {"code": "TP.THROTTLED", "message": "slow down", "details": {"retry": 5}}}},
            {"match": {"operation": "tq.ping.get"}, "act": {"error": {"code": "TQ.OOPS", "message": "tq says no"}}},
            {"match": {"operation": "tp.job.get"}, "act": {"error": {"code": "tp.errors.TP.NOT_FOUND"}}},
        ]}),
    )
    .await;
    let (status, v) = json(s.get("/tp/items/1").await).await;
    assert_eq!((status, v), (503, json!({"code": "TP.BUSY", "message": "The service is busy.", "details": null})));
    let (status, v) = json(s.get("/tp/items").await).await;
    assert_eq!((status, v), (429, json!({"code": "TP.THROTTLED", "message": "slow down", "details": {"retry": 5}})));
    let (status, v) = json(s.get("/tq/ping").await).await;
    assert_eq!((status, v), (500, json!({"oops": "tq says no"})));
    let (status, v) = json(s.get("/tp/jobs/x").await).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (404, Some("TP.NOT_FOUND")),
        "a code the provider renders but does not list"
    );
}

#[tokio::test]
async fn a_raw_answer_has_its_status_headers_and_body() {
    let s = start().await;
    load(
        &s,
        &json!({"name": "raw", "rules": [
            {"match": {"operation": "tp.item.get"},
             "act": {"respond": {"status": 502, "body": "<html>Bad Gateway</html>", "headers": {"content-type": "text/html", "x-proxy": "edge"}}}},
            {"match": {"operation": "tp.item.list"}, "act": {"respond": {"status": 409, "body": {"conflict": true}}}},
        ]}),
    )
    .await;
    let r = s.get("/tp/items/1").await;
    assert_eq!(r.status(), 502);
    assert_eq!(r.headers()["content-type"], "text/html");
    assert_eq!(r.headers()["x-proxy"], "edge");
    assert_eq!(r.text().await.unwrap(), "<html>Bad Gateway</html>");
    let (status, v) = json(s.get("/tp/items").await).await;
    assert_eq!((status, v), (409, json!({"conflict": true})));
}

#[tokio::test]
async fn fixed_latency_holds_the_answer_until_the_product_clock_moves() {
    let s = start().await;
    load(
        &s,
        &json!({"name": "lat", "rules": [
            {"match": {"operation": "tp.item.get"}, "act": {"latency": {"fixed_ms": 2000}}}
        ]}),
    )
    .await;
    let http = s.http.clone();
    let url = s.url("/tp/items/1");
    let pending = tokio::spawn(async move { http.get(url).send().await.unwrap().status().as_u16() });
    wait_listing(&s, "lat", "the request to arrive", |v| v["rules"][0]["matched"] == 1).await;
    s.advance(1.9).await;
    assert!(s.journal("operation=tp.item.get").await.is_empty(), "not answered 1.9 s into a 2 s latency");
    s.advance(0.1).await;
    assert_eq!(pending.await.unwrap(), 200, "answered by the handler once the latency is over");
    let entries = s.journal("operation=tp.item.get").await;
    assert_eq!(entries[0]["rule"], "lat/rules[0]");
    assert_eq!(listing(&s, "lat").await["rules"][0]["latency_ms_added"], 2000);
}

#[tokio::test]
async fn uniform_and_normal_latencies_draw_within_their_shape() {
    let s = start_real().await;
    load(
        &s,
        &json!({"name": "jitter", "rules": [
            {"name": "uniform", "match": {"operation": "tp.item.get"}, "act": {"latency": {"uniform_ms": {"min": 100, "max": 300}}}},
            {"name": "normal", "match": {"operation": "tp.item.list"}, "act": {"latency": {"normal_ms": {"mean": 1000, "stddev": 100}}}},
        ]}),
    )
    .await;
    for i in 0..20 {
        assert_eq!(s.get(&format!("/tp/items/{i}")).await.status(), 200);
        assert_eq!(s.get("/tp/items").await.status(), 200);
    }
    let v = listing(&s, "jitter").await;
    let uniform = v["rules"][0]["latency_ms_added"].as_u64().unwrap();
    assert!((20 * 100..=20 * 300).contains(&uniform), "uniform total {uniform}");
    assert_ne!(uniform, 20 * 100, "draws vary");
    let normal = v["rules"][1]["latency_ms_added"].as_u64().unwrap() as f64 / 20.0;
    assert!((900.0..=1100.0).contains(&normal), "normal mean {normal}");
}

/// The real clock scaled down 10000 times: latencies pass by themselves in well under a millisecond.
async fn start_real() -> crate::common::Server {
    super::start_with(&["--clock", "real", "--time-scale", "0.0001", "--seed", "42"]).await
}

#[tokio::test]
async fn drop_closes_the_connection_and_empty_answers_nothing() {
    let s = start().await;
    load(
        &s,
        &json!({"name": "net", "rules": [
            {"name": "cut", "match": {"operation": "tp.item.get"}, "act": {"drop": true}},
            {"name": "hollow", "match": {"operation": "tp.item.list"}, "act": {"empty": true}},
        ]}),
    )
    .await;
    let err = s.request(Method::GET, "/tp/items/1").send().await.expect_err("no answer");
    assert!(!err.is_status() && !err.is_timeout(), "{err}");
    let r = s.get("/tp/items").await;
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("content-type").is_none());
    assert!(r.bytes().await.unwrap().is_empty());
    let entries = s.journal("operation=tp.item.get").await;
    assert_eq!(entries[0]["rule"], "net/cut");
}

#[tokio::test]
async fn a_stall_lasts_until_the_client_gives_up() {
    let s = start().await;
    load(&s, &json!({"name": "stall", "rules": [{"match": {"operation": "tp.item.get"}, "act": {"stall": true}}]}))
        .await;
    let err =
        s.request(Method::GET, "/tp/items/1").timeout(Duration::from_millis(300)).send().await.expect_err("stalled");
    assert!(err.is_timeout(), "{err}");
    assert_eq!(s.get("/tp/items").await.status(), 200, "other operations still answer");
}

#[tokio::test]
async fn a_stall_ends_when_the_server_shuts_down() {
    let s = start().await;
    load(&s, &json!({"name": "stall", "rules": [{"match": {"operation": "tp.item.get"}, "act": {"stall": true}}]}))
        .await;
    let http = s.http.clone();
    let url = s.url("/tp/items/1");
    let stalled = tokio::spawn(async move { http.get(url).send().await });
    wait_listing(&s, "stall", "the stalled request", |v| v["rules"][0]["hits"] == 1).await;
    let began = Instant::now();
    s.shutdown().await;
    assert!(began.elapsed() < Duration::from_secs(5), "shutdown does not wait out the stall");
    assert!(stalled.await.unwrap().is_err(), "the stalled client sees its connection closed");
}

#[tokio::test]
async fn expire_credential_expires_exactly_the_matching_requests_credential() {
    let s = start().await;
    let login = |tenant: &'static str| {
        let s = &s;
        async move {
            let (_, v) = json(s.post_json("/tp/login", &json!({"tenant": tenant})).await).await;
            v["token"].as_str().unwrap().to_string()
        }
    };
    let (a, b) = (login("alice").await, login("bob").await);
    load(
        &s,
        &json!({"name": "expiry", "rules": [
            {"match": {"operation": "tp.session.get", "tenant": "alice"}, "select": {"first": 1}, "act": {"expire_credential": true}}
        ]}),
    )
    .await;
    let whoami = |token: String| {
        let s = &s;
        async move { json(s.request(Method::GET, "/tp/whoami").header("x-token", token).send().await.unwrap()).await }
    };
    let (status, v) = whoami(a.clone()).await;
    assert_eq!((status, v["code"].as_str()), (401, Some("TP.EXPIRED")), "the provider's own expired answer");
    let (status, v) = whoami(b.clone()).await;
    assert_eq!((status, v["tenant"].as_str()), (200, Some("bob")), "other credentials live on");
    let (status, _) = whoami(a).await;
    assert_eq!(status, 401, "an expired credential stays expired");
    let entries = s.journal("operation=tp.session.get&status=401").await;
    assert_eq!(entries.last().unwrap()["rule"], "expiry/rules[0]");
    let fresh = login("alice").await;
    assert_eq!(whoami(fresh).await.0, 200, "a fresh login works at once");
}

#[tokio::test]
async fn latency_rules_combine_with_a_later_answering_rule() {
    let s = start_real().await;
    load(
        &s,
        &json!({"name": "combo", "rules": [
            {"name": "slow", "act": {"latency": {"fixed_ms": 50}}},
            {"name": "fail", "match": {"operation": "tp.item.get"}, "act": {"error": {"code": "TP.BUSY"}}},
            {"name": "never", "match": {"operation": "tp.item.get"}, "act": {"error": {"code": "TP.BAD"}}},
        ]}),
    )
    .await;
    assert_eq!(s.get("/tp/items/1").await.status(), 503);
    let entries = s.journal("operation=tp.item.get").await;
    assert_eq!(entries[0]["rule"], "combo/slow,combo/fail");
    assert_eq!(listing(&s, "combo").await["rules"][2]["matched"], 0, "rules after the answering one are not asked");
}
