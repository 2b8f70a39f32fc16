//! Refused scenarios: each problem named at its JSON path, all of them at once, and nothing loaded changes.

use reqwest::Method;
use serde_json::{json, Value};

use super::{listing, load, put, start, start_with};
use crate::common::json;

/// The (path, message) problems of a refused scenario.
async fn refused(s: &crate::common::Server, scenario: &Value) -> Vec<(String, String)> {
    let (status, v) = put(s, "bad", scenario).await;
    assert_eq!(status, 400, "{v}");
    assert_eq!(v["error"]["code"], "invalid_scenario");
    v["error"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["path"].as_str().unwrap().to_string(), p["message"].as_str().unwrap().to_string()))
        .collect()
}

fn rule(matches: Value, select: Value, act: Value) -> Value {
    json!({"name": "bad", "rules": [{"match": matches, "select": select, "act": act}]})
}

#[tokio::test]
async fn each_problem_points_at_its_field() {
    let s = start().await;
    let busy = json!({"error": {"code": "TP.BUSY"}});
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            rule(json!({"operation": "tp.nothing.here"}), json!({}), busy.clone()),
            "rules[0].match.operation",
            "unknown operation id",
        ),
        (
            rule(json!({"operation": "zz.*"}), json!({}), busy.clone()),
            "rules[0].match.operation",
            "no operation id matches",
        ),
        (
            rule(json!({"operation": "tp.item.get"}), json!({}), json!({"error": {"code": "50301"}})),
            "rules[0].act.error.code",
            "unknown error code \"50301\" for provider tp",
        ),
        (
            rule(json!({"operation": "tq.ping.get"}), json!({}), busy.clone()),
            "rules[0].act.error.code",
            "for provider tq",
        ),
        (rule(json!({}), json!({"probability": 1.5}), busy.clone()), "rules[0].select.probability", "outside [0, 1]"),
        (rule(json!({}), json!({"probability": -0.1}), busy.clone()), "rules[0].select.probability", "outside [0, 1]"),
        (rule(json!({}), json!({"nth": 0}), busy.clone()), "rules[0].select.nth", "counts from 1"),
        (rule(json!({}), json!({"nth": "third"}), busy.clone()), "rules[0].select.nth", "invalid type"),
        (
            rule(json!({}), json!({"window": {"from_seconds": 5, "until_seconds": 1}}), busy.clone()),
            "rules[0].select.window.until_seconds",
            "after",
        ),
        (rule(json!({"method": "GE T"}), json!({}), busy.clone()), "rules[0].match.method", "not an HTTP method"),
        (rule(json!({"path": "tp/items"}), json!({}), busy.clone()), "rules[0].match.path", "starts with '/'"),
        (rule(json!({"colour": "red"}), json!({}), busy.clone()), "rules[0].match.colour", "unknown field `colour`"),
        (rule(json!({}), json!({}), json!({})), "rules[0].act", "does nothing"),
        (
            rule(json!({"operation": "tp.*"}), json!({}), json!({"drop": true, "stall": true})),
            "rules[0].act",
            "at most one",
        ),
        (
            rule(json!({}), json!({}), json!({"respond": {"status": 99}})),
            "rules[0].act.respond.status",
            "not an HTTP status",
        ),
        (
            rule(json!({}), json!({}), json!({"latency": {"uniform_ms": {"min": 5, "max": 1}}})),
            "rules[0].act.latency.uniform_ms",
            "min is larger",
        ),
        (
            rule(json!({}), json!({}), json!({"latency": {"fixed_ms": 5, "normal_ms": {"mean": 1, "stddev": 1}}})),
            "rules[0].act.latency",
            "exactly one",
        ),
        (
            json!({"name": "bad", "limits": [{"operation": "tp.job.create", "concurrency": 1, "error": {"code": "NOPE"}}]}),
            "limits[0].error.code",
            "unknown error code",
        ),
        (
            json!({"name": "bad", "limits": [{"operation": "tp.job.create", "error": {"code": "TP.BUSY"}}]}),
            "limits[0]",
            "exactly one of concurrency and rate",
        ),
        (
            json!({"name": "bad", "limits": [{"operation": "tp.job.create", "rate": {"requests": 1, "per_seconds": 0}, "error": {"code": "TP.BUSY"}}]}),
            "limits[0].rate.per_seconds",
            "positive",
        ),
        (
            json!({"name": "bad", "lifecycles": [{"operation": "tp.job.create", "steps": [{"status": "sleeping", "duration_ms": 1}]}]}),
            "lifecycles[0].steps[0].status",
            "not a status of tp.job.create",
        ),
        (
            json!({"name": "bad", "lifecycles": [{"operation": "tp.job.create", "steps": []}]}),
            "lifecycles[0].steps",
            "impossible status path",
        ),
        (
            json!({"name": "bad", "lifecycles": [{"operation": "tp.job.create", "steps": [{"status": "queued", "duration_ms": 1}], "fail": {"code": "TP.BUSY", "after_step": 3}}]}),
            "lifecycles[0].fail.after_step",
            "does not exist",
        ),
        (
            json!({"name": "bad", "lifecycles": [{"operation": "tp.job.create", "fail": {"code": "TP.NEVER"}}]}),
            "lifecycles[0].fail.code",
            "unknown error code",
        ),
        (
            json!({"name": "bad", "lifecycles": [{"operation": "tp.job.create", "durations_ms": {"sleeping": 5}}]}),
            "lifecycles[0].durations_ms.sleeping",
            "not a status",
        ),
        (
            json!({"name": "bad", "lifecycles": [{"operation": "tp.job.nope", "fail": {"code": "TP.BUSY"}}]}),
            "lifecycles[0].operation",
            "unknown operation id",
        ),
        (json!({"name": "bad", "lifecycles": [{"operation": "tp.job.create"}]}), "lifecycles[0]", "changes nothing"),
        (json!({"name": "bad", "clock": {"mode": "real"}}), "clock.mode", "runs with the Virtual clock"),
        (json!({"name": "bad", "clock": {"mode": "sundial"}}), "clock.mode", "unknown variant"),
        (json!({"name": "bad", "seed": -1}), "seed", "invalid value"),
        (json!({"name": "bad", "rules": {}}), "rules", "must be a list"),
        (json!({"name": "bad", "colour": "red"}), "colour", "unknown field"),
        (
            json!({"name": "bad", "rules": [{"name": "x", "act": {"drop": true}}, {"name": "x", "act": {"drop": true}}]}),
            "rules[1].name",
            "used twice",
        ),
    ];
    for (scenario, path, needle) in cases {
        let problems = refused(&s, &scenario).await;
        assert!(
            problems.iter().any(|(p, m)| p == path && m.contains(needle)),
            "{scenario}\nwanted {path}: ...{needle}...\ngot {problems:?}"
        );
    }
}

#[tokio::test]
async fn every_problem_is_reported_at_once() {
    let s = start().await;
    let problems = refused(
        &s,
        &json!({"name": "bad", "rules": [
            {"match": {"operation": "tp.nothing"}, "act": {"drop": true}},
            {"select": {"probability": 2}, "act": {"drop": true}},
            {"act": {"drop": "yes"}},
        ], "limits": [{"operation": "nope", "concurrency": 1, "error": {"code": "TP.BUSY"}}]}),
    )
    .await;
    let paths: Vec<&str> = problems.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        ["rules[2].act.drop", "rules[0].match.operation", "rules[1].select.probability", "limits[0].operation"]
    );
}

#[tokio::test]
async fn malformed_json_is_refused_with_its_position() {
    let s = start().await;
    let r = s
        .request(Method::PUT, "/_mockcloud/scenarios/bad")
        .body("{\"name\": \"bad\",\n \"rules\": [}")
        .send()
        .await
        .unwrap();
    let (status, v) = json(r).await;
    assert_eq!(status, 400);
    assert!(v["error"]["message"].as_str().unwrap().contains("malformed JSON at line 2"), "{v}");
}

#[tokio::test]
async fn a_refused_scenario_changes_nothing_loaded() {
    let s = start().await;
    load(&s, &json!({"name": "keep", "rules": [{"match": {"operation": "tp.item.get"}, "act": {"error": {"code": "TP.BUSY"}}}]})).await;
    assert_eq!(s.get("/tp/items/1").await.status(), 503);
    let (status, _) =
        put(&s, "keep", &json!({"name": "keep", "seed": 1, "rules": [{"act": {"error": {"code": "NOPE"}}}]})).await;
    assert_eq!(status, 400);
    let (status, _) =
        put(&s, "other", &json!({"rules": [{"select": {"probability": 7}, "act": {"drop": true}}]})).await;
    assert_eq!(status, 400);
    assert_eq!(s.get("/tp/items/1").await.status(), 503, "the old rules still act");
    let v = listing(&s, "keep").await;
    assert_eq!(v["rules"][0]["hits"], 2, "and keep their counts");
    let (_, all) = json(s.get("/_mockcloud/scenarios").await).await;
    assert_eq!(all["scenarios"].as_array().unwrap().len(), 1);
}

fn temp_file(name: &str, content: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mockcloud-scenario-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

#[tokio::test]
async fn scenario_files_load_at_start_and_may_choose_the_clock() {
    let path = temp_file(
        "busy-items.json",
        &json!({"clock": {"mode": "virtual"}, "seed": 3, "rules": [{"match": {"operation": "tp.item.get"}, "act": {"error": {"code": "TP.BUSY"}}}]}).to_string(),
    );
    let s = start_with(&["--clock", "real", "--scenario", path.to_str().unwrap()]).await;
    assert_eq!(s.get("/tp/items/1").await.status(), 503);
    let v = listing(&s, "busy-items").await;
    assert_eq!(v["rules"][0]["hits"], 1, "the file's stem names it");
    let (_, clock) = json(s.get("/_mockcloud/clock").await).await;
    assert_eq!(clock["mode"], "virtual");
}

#[tokio::test]
async fn a_bad_scenario_file_is_a_start_up_error_naming_file_and_field() {
    let path = temp_file("broken.json", &json!({"rules": [{"act": {"error": {"code": "NOPE"}}}]}).to_string());
    let args = mockcloud::core::config::ServeArgs::parse_args([
        "--listen",
        "127.0.0.1:0",
        "--scenario",
        path.to_str().unwrap(),
    ])
    .unwrap();
    let err = mockcloud::start_with(args, super::provider::providers).await.err().expect("must not start");
    assert!(err.contains("broken.json") && err.contains("rules[0].act.error.code"), "{err}");
}

#[tokio::test]
async fn scenario_check_prints_every_problem_and_fails() {
    let bad = temp_file(
        "check-bad.json",
        r#"{"name": "x", "seed": "one", "rules": [{"match": {"operation": "no.such.op"}, "select": {"probability": 3}, "act": {"drop": true}}]}"#,
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mockcloud"))
        .args(["scenario", "check"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    for needle in
        ["seed: invalid type", "rules[0].match.operation: unknown operation id", "rules[0].select.probability"]
    {
        assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
    }
    let good =
        temp_file("check-good.json", r#"{"name": "fine", "seed": 5, "clock": {"mode": "real", "time_scale": 0.01}}"#);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mockcloud"))
        .args(["scenario", "check"])
        .arg(&good)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("ok"));
}
