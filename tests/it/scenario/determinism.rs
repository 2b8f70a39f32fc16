//! A fixed seed gives the same outcome: the same run twice gives the same journal.

use serde_json::{json, Value};

use super::{listing, load, start};

async fn run() -> (Vec<Value>, Value) {
    let s = start().await;
    load(
        &s,
        &json!({"name": "flaky", "seed": 7, "rules": [
            {"name": "jitter", "act": {"latency": {"uniform_ms": {"min": 0, "max": 0}}}},
            {"name": "busy", "match": {"operation": "tp.item.*"}, "select": {"probability": 0.3}, "act": {"error": {"code": "TP.BUSY"}}},
            {"name": "teapot", "match": {"method": "POST"}, "select": {"probability": 0.5}, "act": {"respond": {"status": 418}}},
        ]}),
    )
    .await;
    for i in 0..30 {
        s.get(&format!("/tp/items/{i}")).await;
        s.post_json("/tp/jobs", &json!({"n": i})).await;
    }
    let journal: Vec<Value> = s
        .journal("")
        .await
        .into_iter()
        .map(|e| json!([e["seq"], e["method"], e["path"], e["operation"], e["status"], e["rule"]]))
        .collect();
    let (_, jobs) = crate::common::json(s.get("/_mockcloud/lifecycles").await).await;
    let ids: Vec<Value> = jobs["lifecycles"].as_array().unwrap().iter().map(|l| l["resource"].clone()).collect();
    let hits: Vec<Value> =
        listing(&s, "flaky").await["rules"].as_array().unwrap().iter().map(|r| r["hits"].clone()).collect();
    (journal, json!({"ids": ids, "hits": hits}))
}

#[tokio::test]
async fn the_same_seed_gives_the_same_journal() {
    let (first, first_state) = run().await;
    let (second, second_state) = run().await;
    assert_eq!(first.len(), 60);
    assert_eq!(first, second);
    assert_eq!(first_state, second_state, "and the same ids and hit counts");
    let statuses: std::collections::BTreeSet<u64> = first.iter().map(|e| e[4].as_u64().unwrap()).collect();
    assert!(statuses.len() >= 3, "the run mixes outcomes: {statuses:?}");
}
