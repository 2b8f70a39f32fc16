//! Scenario files driving the horizon provider: provider errors by code, lifecycle failures, credential expiry.

use reqwest::Method;
use serde_json::{json, Value};

use super::*;
use crate::common::Server;

async fn load(s: &Server, name: &str, scenario: Value) {
    let r = s.request(Method::PUT, &format!("/_mockcloud/scenarios/{name}")).json(&scenario).send().await.unwrap();
    let status = r.status().as_u16();
    let body = r.text().await.unwrap();
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn a_rule_answers_add_version_with_the_documented_500() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    load(
        &s,
        "submit-fails",
        json!({"rules": [{"match": {"operation": "horizon.version.create"}, "select": {"first": 1},
        "act": {"error": {"code": "ADD_VERSION_SUBMIT_FAILED"}}}]}),
    )
    .await;
    let got = post(&s, &format!("/imagemgmt/v1/images/{IMG_SIG}/versions"), &t, &json!({"versionType": "MAJOR"})).await;
    assert_error(&got, 500, "ADD_VERSION_SUBMIT_FAILED", "Failed to submit add version request");
    assert_eq!(
        post(&s, &format!("/imagemgmt/v1/images/{IMG_SIG}/versions"), &t, &json!({"versionType": "MAJOR"})).await.0,
        201
    );
}

#[tokio::test]
async fn an_import_scripted_to_time_out_ends_failed() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    load(
        &s,
        "import-timeout",
        json!({"lifecycles": [{"operation": "horizon.image.create",
        "durations_ms": {"DEPLOYING_VM": 1000},
        "fail": {"code": "IMPORT_FAILED_TIMEOUT", "message": "VM deployment timed out", "after_step": 1}}]}),
    )
    .await;
    let (_, v) = post(&s, "/imagemgmt/v1/images", &t, &import_body("scripted-timeout")).await;
    let (img, ver) = (v["streamId"].as_str().unwrap().to_string(), v["versionId"].as_str().unwrap().to_string());
    s.advance(60.0).await;
    assert_eq!(image_status(&s, &t, &img).await, "FAILED");
    let copy = source_copy(&s, &t, &img, &ver).await;
    assert_eq!(
        (copy["status"].as_str(), copy["errorDetails"].as_str()),
        (Some("IMPORT_FAILED_TIMEOUT"), Some("VM deployment timed out"))
    );
}

#[tokio::test]
async fn impossible_statuses_and_unknown_codes_are_refused() {
    let s = Server::start().await;
    let bad = json!({"lifecycles": [{"operation": "horizon.image.create",
        "steps": [{"status": "BAKING", "duration_ms": 1}], "fail": {"code": "NOPE"}}]});
    let r = s.request(Method::PUT, "/_mockcloud/scenarios/bad").json(&bad).send().await.unwrap();
    let (status, v) = crate::common::json(r).await;
    assert_eq!(status, 400, "{v}");
    assert_eq!(v["error"]["code"], "invalid_scenario");
    let problems = v["error"]["problems"].to_string();
    assert!(problems.contains("BAKING") && problems.contains("NOPE"), "{problems}");
    // A documented asset failure status is a failure the provider knows.
    load(&s, "good", json!({"lifecycles": [{"operation": "horizon.version.publish", "fail": {"code": "SYSPREP_FAILED", "after_step": 1}}]})).await;
}

#[tokio::test]
async fn a_rule_expires_exactly_the_matching_token() {
    let s = Server::start().await;
    let a = login(&s, ADMIN_A).await;
    let b = login(&s, ADMIN_B).await;
    load(
        &s,
        "expire-a",
        json!({"rules": [{"match": {"operation": "horizon.image.list", "tenant": ORG_A}, "select": {"nth": 2},
        "act": {"expire_credential": true}}]}),
    )
    .await;
    assert_eq!(get(&s, "/imagemgmt/v1/images", &a).await.0, 200);
    assert_error(&get(&s, "/imagemgmt/v1/images", &a).await, 401, "INVALID_TOKEN", "expired");
    assert_eq!(get(&s, "/imagemgmt/v1/images", &b).await.0, 200);
    let fresh = login(&s, ADMIN_A).await;
    assert_eq!(get(&s, "/imagemgmt/v1/images", &fresh).await.0, 200);
}
