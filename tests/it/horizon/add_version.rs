//! Add Version (seed 000): `POST /imagemgmt/v1/images/{imageId}/versions`, with every documented status.

use serde_json::json;

use super::*;
use crate::common::Server;

fn path(image: &str) -> String {
    format!("/imagemgmt/v1/images/{image}/versions")
}

/// The seed's sample body with its placeholders resolved to one value each.
fn seed_body() -> serde_json::Value {
    json!({"gpuType": "NONE", "osType": "WINDOWS", "providerLabel": "AZURE", "sourceType": "AZURE_SIG", "versionType": "MAJOR"})
}

#[tokio::test]
async fn seed_request_adds_a_major_version_to_a_sig_image() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let (st, v) = post(&s, &path(IMG_SIG), &t, &seed_body()).await;
    assert_eq!(st, 201, "{v}");
    for field in [
        "assetDetails",
        "assetId",
        "assetStatus",
        "assetType",
        "imageDescription",
        "imageId",
        "imageName",
        "imageStatus",
        "markers",
        "orgId",
        "sourceAssetId",
        "sourceImageId",
        "sourceImageType",
        "sourceType",
        "sourceVersionId",
        "versionDescription",
        "versionHistory",
        "versionId",
        "versionName",
        "versionStatus",
        "versionType",
    ] {
        assert!(v.get(field).is_some(), "reply lacks {field}: {v}");
    }
    assert_eq!(v["imageId"], IMG_SIG);
    assert_eq!(v["imageName"], "win2022-sig");
    assert_eq!(v["versionName"], "2.0.0");
    assert_eq!(v["versionHistory"], json!(["1.0.0", "1.1.0", "2.0.0"]));
    assert_eq!(v["versionType"], "MAJOR");
    assert_eq!(v["sourceType"], "AZURE_SIG");
    assert_eq!(v["imageStatus"], "PENDING");
    assert_eq!(v["versionStatus"], "PENDING");
    assert_eq!(v["assetStatus"], "COPYING_IMAGE");
    assert_eq!(v["assetType"], "AZURE_IMAGE_IN_SIG");
    assert_eq!(v["markers"][0]["name"], "default");
    assert_eq!(image_status(&s, &t, IMG_SIG).await, "PENDING");
    let (_, versions) = get(&s, &format!("{}?size=10", path(IMG_SIG)), &t).await;
    assert_eq!(versions["totalElements"], 3);
}

#[tokio::test]
async fn minor_needs_a_source_and_takes_the_next_free_minor() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let got = post(&s, &path(IMG_SIG), &t, &json!({"versionType": "MINOR"})).await;
    assert_error(&got, 400, "SOURCE_VERSION_REQUIRED", "sourceVersionId");

    let body = json!({"versionType": "MINOR", "sourceVersionId": VER_SIG_1, "description": "patch tuesday", "markers": [{"name": "canary"}]});
    let (st, v) = post(&s, &path(IMG_SIG), &t, &body).await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(v["versionName"], "1.2.0", "1.1.0 exists, so MINOR from 1.0.0 is 1.2.0");
    assert_eq!(v["versionHistory"], json!(["1.0.0", "1.2.0"]));
    assert_eq!(v["sourceVersionId"], VER_SIG_1);
    assert_eq!(v["versionDescription"], "patch tuesday");
    assert_eq!(v["markers"][0]["name"], "canary");
}

#[tokio::test]
async fn version_type_rules() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    assert_error(&post(&s, &path(IMG_SIG), &t, &json!({"gpuType": "NONE"})).await, 400, "MISSING_FIELD", "versionType");
    assert_error(
        &post(&s, &path(IMG_SIG), &t, &json!({"versionType": "PATCH", "sourceVersionId": VER_SIG_1})).await,
        400,
        "UNSUPPORTED_VERSION_TYPE",
        "PATCH",
    );
    assert_error(
        &post(&s, &path(IMG_SIG), &t, &json!({"versionType": "HUGE"})).await,
        400,
        "INVALID_ENUM_VALUE",
        "versionType",
    );
    assert_error(&post(&s, &path(IMG_SIG), &t, &json!({"versionType": 1})).await, 400, "INVALID_FIELD", "versionType");
}

#[tokio::test]
async fn only_sig_and_custom_vm_images_take_versions() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let got = post(&s, &path(IMG_MARKET), &t, &json!({"versionType": "MAJOR"})).await;
    assert_error(&got, 400, "UNSUPPORTED_SOURCE_TYPE", "AZURE_MARKET_PLACE");
    let got = post(&s, &path(IMG_SIG), &t, &json!({"versionType": "MAJOR", "sourceType": "AZURE_MARKET_PLACE"})).await;
    assert_error(&got, 400, "UNSUPPORTED_SOURCE_TYPE", "AZURE_MARKET_PLACE");
    let got = post(&s, &path(IMG_SIG), &t, &json!({"versionType": "MAJOR", "sourceType": "AZURE_FOO"})).await;
    assert_error(&got, 400, "INVALID_ENUM_VALUE", "sourceType");

    let (st, v) = post(
        &s,
        &path(IMG_CUSTOM),
        &t,
        &json!({"versionType": "MAJOR", "osType": "LINUX", "sourceType": "AZURE_CUSTOM_VM"}),
    )
    .await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(v["assetType"], "AZURE_VM_IN_RG");
    assert_eq!(v["assetStatus"], "IMPORT_PENDING");
    assert_eq!(v["versionName"], "2.0.0");
}

#[tokio::test]
async fn gpu_and_os_type_must_match_the_image() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let mut body = seed_body();
    body["gpuType"] = json!("NVIDIA");
    assert_error(&post(&s, &path(IMG_SIG), &t, &body).await, 400, "GPU_TYPE_MISMATCH", "NVIDIA");
    let mut body = seed_body();
    body["osType"] = json!("LINUX");
    assert_error(&post(&s, &path(IMG_SIG), &t, &body).await, 400, "OS_TYPE_MISMATCH", "LINUX");
    let mut body = seed_body();
    body["osType"] = json!("MACOS");
    assert_error(&post(&s, &path(IMG_SIG), &t, &body).await, 400, "INVALID_ENUM_VALUE", "osType");
}

#[tokio::test]
async fn unknown_images_and_versions_get_404() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let got = post(&s, &path("0123456789"), &t, &seed_body()).await;
    assert_error(&got, 404, "IMAGE_NOT_FOUND", "Source Image or Version is not found");
    let got = post(&s, &path(IMG_B), &t, &seed_body()).await;
    assert_error(&got, 404, "IMAGE_NOT_FOUND", IMG_B);
    let got =
        post(&s, &path(IMG_SIG), &t, &json!({"versionType": "MINOR", "sourceVersionId": "ffffffffffffffffffffffff"}))
            .await;
    assert_error(&got, 404, "VERSION_NOT_FOUND", "Source Image or Version is not found");
    // A version of another image is not this image's version.
    let got = post(&s, &path(IMG_SIG), &t, &json!({"versionType": "MINOR", "sourceVersionId": VER_MARKET})).await;
    assert_error(&got, 404, "VERSION_NOT_FOUND", VER_MARKET);
}

#[tokio::test]
async fn a_busy_image_conflicts_and_a_broken_instance_fails_the_submit() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    assert_eq!(post(&s, &path(IMG_SIG), &t, &seed_body()).await.0, 201);
    let got = post(&s, &path(IMG_SIG), &t, &seed_body()).await;
    assert_error(&got, 409, "IMAGE_OPERATION_IN_PROGRESS", IMG_SIG);

    let mut body = json!({"versionType": "MAJOR", "osType": "LINUX"});
    body["providerInstanceId"] = json!(PI_BROKEN);
    let got = post(&s, &path(IMG_CUSTOM), &t, &body).await;
    assert_error(&got, 500, "ADD_VERSION_SUBMIT_FAILED", "Failed to submit add version request");
    let (_, versions) = get(&s, &path(IMG_CUSTOM), &t).await;
    assert_eq!(versions["totalElements"], 1, "the refused version was not stored");
    let got = post(&s, &path(IMG_CUSTOM), &t, &json!({"versionType": "MAJOR", "providerInstanceId": "nope"})).await;
    assert_error(&got, 400, "INVALID_PROVIDER_INSTANCE", "nope");
}

#[tokio::test]
async fn add_version_needs_a_token_with_write_permission() {
    let s = Server::start().await;
    let got = crate::common::json(s.post_json(&path(IMG_SIG), &seed_body()).await).await;
    assert_error(&got, 401, "UNAUTHORIZED", "authentication");
    let ro = login(&s, READONLY_A).await;
    assert_error(&post(&s, &path(IMG_SIG), &ro, &seed_body()).await, 403, "FORBIDDEN", "permission");
}

#[tokio::test]
async fn malformed_bodies_get_400() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let r = s
        .request(reqwest::Method::POST, &path(IMG_SIG))
        .header("authorization", format!("Bearer {t}"))
        .header("content-type", "application/json")
        .body("{\"versionType\": ")
        .send()
        .await
        .unwrap();
    assert_error(&crate::common::json(r).await, 400, "MALFORMED_REQUEST", "Malformed JSON");
    let got = post(&s, &path(IMG_SIG), &t, &json!({"versionType": "MAJOR", "markers": [{"name": 3}]})).await;
    assert_error(&got, 400, "INVALID_FIELD", "markers[0].name");
    let got = post(&s, &path(IMG_SIG), &t, &json!({"versionType": "MAJOR", "assetDetails": {"data": []}})).await;
    assert_error(&got, 400, "INVALID_FIELD", "assetDetails.data");
}
