//! Failure outcomes of background work. A scenario's lifecycle override replaces a lifecycle's outcome before
//! it starts; here the same thing is done through the core's lifecycle API (restart the running work with a
//! `Failure` outcome), and the result is read over HTTP like a client would.

use mockcloud::core::lifecycle::Outcome;
use reqwest::Method;
use serde_json::json;

use super::*;
use crate::common::Server;

/// Replaces the running work on `version_id` with the same work ending in `code` after step `after_step`.
fn fail_running(s: &Server, version_id: &str, code: &str, after_step: usize) {
    let core = s.core();
    let lc = core.lifecycles.for_resource("horizon", version_id).expect("work running on the version");
    core.lifecycles.cancel(lc.id);
    let mut spec = lc.spec.clone();
    spec.outcome = Outcome::Failure {
        code: code.into(),
        message: Some(format!("{code} injected by the test")),
        after_step: Some(after_step),
        details: None,
    };
    core.lifecycles.start(core, spec);
}

#[tokio::test]
async fn a_failed_import_ends_failed_with_the_asset_error() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let (st, v) = post(&s, "/imagemgmt/v1/images?action=import", &t, &import_body("will-time-out")).await;
    assert_eq!(st, 201);
    let (img, ver) = (v["streamId"].as_str().unwrap().to_string(), v["versionId"].as_str().unwrap().to_string());
    fail_running(&s, &ver, "IMPORT_FAILED_TIMEOUT", 1);
    s.advance(60.0).await;
    assert_eq!(image_status(&s, &t, &img).await, "IN_PROGRESS", "still deploying");
    s.advance(3600.0).await;
    assert_eq!(image_status(&s, &t, &img).await, "FAILED");
    assert_eq!(version(&s, &t, &img, &ver).await["status"], "FAILED");
    let copy = source_copy(&s, &t, &img, &ver).await;
    assert_eq!(copy["status"], "IMPORT_FAILED_TIMEOUT");
    assert_eq!(copy["errorCode"], "IMPORT_FAILED_TIMEOUT");
    assert_eq!(copy["errorDetails"], "IMPORT_FAILED_TIMEOUT injected by the test");
    let h = &copy["errorsHistory"][0];
    assert_eq!((h["code"].as_str(), h["severity"].as_str()), (Some("IMPORT_FAILED_TIMEOUT"), Some("ERROR")));
    assert!(h["timestampInUtc"].is_string());
    let (_, image) = get(&s, &format!("/imagemgmt/v1/images/{img}"), &t).await;
    assert_eq!(image["markers"][0]["status"], "FAILED");

    // A failed version with its copy can be deleted, and the image goes with it.
    assert_eq!(call(&s, Method::DELETE, &format!("/imagemgmt/v1/images/{img}/versions/{ver}"), &t, None).await.0, 202);
    s.advance(600.0).await;
    assert_eq!(get(&s, &format!("/imagemgmt/v1/images/{img}"), &t).await.0, 404);
}

#[tokio::test]
async fn a_failed_publish_and_a_partial_replication() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let publish = format!("/imagemgmt/v1/images/{IMG_MARKET}/versions/{VER_MARKET}?action=publish");
    assert_eq!(post(&s, &publish, &t, &json!({})).await.0, 201);
    fail_running(&s, VER_MARKET, "SYSPREP_FAILED", 1);
    s.advance(3600.0).await;
    assert_eq!(image_status(&s, &t, IMG_MARKET).await, "FAILED");
    assert_eq!(version(&s, &t, IMG_MARKET, VER_MARKET).await["status"], "FAILED");
    assert_eq!(source_copy(&s, &t, IMG_MARKET, VER_MARKET).await["status"], "SYSPREP_FAILED");

    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let body = json!({"replicas": [{"providerInstanceId": PI_WEST}, {"providerInstanceId": PI_EAST}]});
    assert_eq!(post(&s, &publish, &t, &body).await.0, 201);
    fail_running(&s, VER_MARKET, "REPLICATION_FAILED_TIMEOUT", 5);
    s.advance(3600.0).await;
    assert_eq!(image_status(&s, &t, IMG_MARKET).await, "PARTIALLY_AVAILABLE");
    let v = version(&s, &t, IMG_MARKET, VER_MARKET).await;
    assert_eq!((v["status"].as_str(), v["state"].as_str()), (Some("PARTIALLY_AVAILABLE"), Some("PARTIALLY_PUBLISHED")));
    let (_, copies) =
        get(&s, &format!("/imagemgmt/v1/images/{IMG_MARKET}/versions/{VER_MARKET}/copies?sort=providerInstanceId"), &t)
            .await;
    let mut statuses: Vec<&str> =
        copies["content"].as_array().unwrap().iter().map(|c| c["status"].as_str().unwrap()).collect();
    statuses.sort();
    assert_eq!(statuses, ["AVAILABLE", "PUBLISH_COMPLETE", "REPLICATION_FAILED_TIMEOUT"]);
}

#[tokio::test]
async fn a_failure_code_that_is_not_an_asset_status_gets_the_kinds_failure_status() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let (_, v) =
        post(&s, &format!("/imagemgmt/v1/images/{IMG_SIG}/versions"), &t, &json!({"versionType": "MAJOR"})).await;
    let ver = v["versionId"].as_str().unwrap().to_string();
    fail_running(&s, &ver, "INTERNAL_ERROR", 0);
    s.advance(3600.0).await;
    let copy = source_copy(&s, &t, IMG_SIG, &ver).await;
    assert_eq!((copy["status"].as_str(), copy["errorCode"].as_str()), (Some("IMPORT_FAILED"), Some("INTERNAL_ERROR")));
    assert_eq!(image_status(&s, &t, IMG_SIG).await, "FAILED");

    // Deleting the failed version gives the image back the status of the versions it still has.
    assert_eq!(
        call(&s, Method::DELETE, &format!("/imagemgmt/v1/images/{IMG_SIG}/versions/{ver}"), &t, None).await.0,
        202
    );
    assert_eq!(image_status(&s, &t, IMG_SIG).await, "FAILED", "the image is not deleting: other versions remain");
    s.advance(600.0).await;
    assert_eq!(image_status(&s, &t, IMG_SIG).await, "AVAILABLE");
}
