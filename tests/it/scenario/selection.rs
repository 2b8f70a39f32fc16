//! Which matching calls a rule acts on: nth, first N, every Nth, after N, probability, time window.

use serde_json::{json, Value};

use super::{listing, load, start};
use crate::common::Server;

/// Sends `n` requests to `/tp/items/{i}` and gives back which were answered by the rule (503).
async fn pattern(s: &Server, n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        let status = s.get(&format!("/tp/items/{i}")).await.status().as_u16();
        out.push(if status == 503 { 'X' } else { '.' });
    }
    out
}

fn busy(select: Value) -> Value {
    json!({"name": "sel", "rules": [
        {"name": "r", "match": {"operation": "tp.item.get"}, "select": select, "act": {"error": {"code": "TP.BUSY"}}}
    ]})
}

#[tokio::test]
async fn counted_selections_pick_exactly_their_calls() {
    for (select, want) in [
        (json!({"nth": 3}), "..X...."),
        (json!({"first": 2}), "XX....."),
        (json!({"every": 3}), "..X..X."),
        (json!({"after": 4}), "....XXX"),
        (json!({"after": 1, "every": 2}), ".X.X.X."),
    ] {
        let s = start().await;
        load(&s, &busy(select.clone())).await;
        assert_eq!(pattern(&s, 7).await, want, "{select}");
        let v = listing(&s, "sel").await;
        assert_eq!(v["rules"][0]["matched"], 7);
        assert_eq!(v["rules"][0]["hits"], want.matches('X').count());
    }
}

#[tokio::test]
async fn probability_draws_from_the_seeded_rng() {
    let mut patterns = Vec::new();
    for _ in 0..2 {
        let s = start().await;
        load(&s, &busy(json!({"probability": 0.5}))).await;
        patterns.push(pattern(&s, 40).await);
    }
    assert_eq!(patterns[0], patterns[1], "the same seed gives the same draws");
    let hits = patterns[0].matches('X').count();
    assert!((8..=32).contains(&hits), "about half of 40: {}", patterns[0]);

    for (p, want) in [(0.0, "........"), (1.0, "XXXXXXXX")] {
        let s = start().await;
        load(&s, &busy(json!({"probability": p}))).await;
        assert_eq!(pattern(&s, 8).await, want);
    }
}

#[tokio::test]
async fn a_time_window_follows_the_product_clock_from_load() {
    let s = start().await;
    s.advance(100.0).await;
    load(&s, &busy(json!({"window": {"from_seconds": 10, "until_seconds": 20}}))).await;
    assert_eq!(pattern(&s, 2).await, "..", "before the window");
    s.advance(10.0).await;
    assert_eq!(pattern(&s, 2).await, "XX", "inside the window");
    s.advance(10.0).await;
    assert_eq!(pattern(&s, 2).await, "..", "after the window");
    assert_eq!(listing(&s, "sel").await["rules"][0]["matched"], 2, "calls outside the window are not counted");
}

#[tokio::test]
async fn counts_are_exact_under_50_parallel_requests() {
    let s = start().await;
    load(&s, &busy(json!({"first": 10}))).await;
    let mut tasks = Vec::new();
    for i in 0..50 {
        let r = s.request(reqwest::Method::GET, &format!("/tp/items/{i}"));
        tasks.push(tokio::spawn(async move { r.send().await.unwrap().status().as_u16() }));
    }
    let mut busy_answers = 0;
    for t in tasks {
        if t.await.unwrap() == 503 {
            busy_answers += 1;
        }
    }
    assert_eq!(busy_answers, 10);
    let v = listing(&s, "sel").await;
    assert_eq!((v["rules"][0]["matched"].as_u64(), v["rules"][0]["hits"].as_u64()), (Some(50), Some(10)));
    assert_eq!(s.journal("operation=tp.item.get&status=503").await.len(), 10);
}
