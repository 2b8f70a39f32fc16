//! Background work under the virtual clock: import, SIG copy, add version, publish, republish, clone, delete.

use reqwest::Method;
use serde_json::json;

use super::*;
use crate::common::Server;

async fn create(s: &Server, t: &str, action: &str, body: &serde_json::Value) -> (String, String) {
    let (st, v) = post(s, &format!("/imagemgmt/v1/images?action={action}"), t, body).await;
    assert_eq!(st, 201, "{v}");
    (v["streamId"].as_str().unwrap().to_string(), v["versionId"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn import_then_publish_ends_available() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let (img, ver) = create(&s, &t, "import", &import_body("lifecycle-import")).await;
    assert_eq!(source_copy(&s, &t, &img, &ver).await["status"], "IMPORT_PENDING");

    s.advance(31.0).await;
    assert_eq!(image_status(&s, &t, &img).await, "IN_PROGRESS");
    assert_eq!(version(&s, &t, &img, &ver).await["status"], "IMPORT_IN_PROGRESS");
    assert_eq!(source_copy(&s, &t, &img, &ver).await["status"], "DEPLOYING_VM");

    s.advance(3600.0).await;
    assert_eq!(image_status(&s, &t, &img).await, "IMPORT_COMPLETE");
    let v = version(&s, &t, &img, &ver).await;
    assert_eq!(
        (v["status"].as_str(), v["state"].as_str(), v["lastTriggeredAction"].as_str()),
        (Some("IMPORT_COMPLETE"), Some("NOT_READY"), Some("IMPORT"))
    );
    assert_eq!(source_copy(&s, &t, &img, &ver).await["status"], "IMPORT_COMPLETE");

    let publish = json!({"orgId": ORG_A, "versionName": "1.0.0", "providerLabel": "AZURE", "description": "gold", "timeZone": "UTC",
        "options": {"horizonAgent": {"installHorizonAgent": true, "features": []}, "osCustomizations": ["DisableWindowsUpdate"]}});
    let (st, p) = post(&s, &format!("/imagemgmt/v1/images/{img}/versions/{ver}?action=publish"), &t, &publish).await;
    assert_eq!(st, 201, "{p}");
    assert_eq!(p["versionStatus"], "PUBLISH_IN_PROGRESS");
    assert_eq!(p["versionId"], ver.as_str());
    assert_eq!(p["replicas"][0]["providerInstanceId"], PI_WEST);
    // hcs-cli polls the image right after the publish and must see a transition status.
    assert_eq!(image_status(&s, &t, &img).await, "IN_PROGRESS");
    let v = version(&s, &t, &img, &ver).await;
    assert_eq!(v["lastTriggeredAction"], "PUBLISH");
    assert_eq!(v["options"]["osCustomizations"][0], "DisableWindowsUpdate");
    assert_eq!(source_copy(&s, &t, &img, &ver).await["status"], "INSTALLING_AGENTS");

    s.advance(24.0 * 60.0 + 1.0).await;
    assert_eq!(version(&s, &t, &img, &ver).await["status"], "REPLICATION_IN_PROGRESS");
    assert_eq!(image_status(&s, &t, &img).await, "IN_PROGRESS");

    s.advance(3600.0).await;
    let (_, image) = get(&s, &format!("/ims-catalog/v1/images/{img}"), &t).await;
    assert_eq!(image["status"], "AVAILABLE");
    assert_eq!(image["markers"][0]["status"], "AVAILABLE");
    let v = version(&s, &t, &img, &ver).await;
    assert_eq!((v["status"].as_str(), v["state"].as_str()), (Some("AVAILABLE"), Some("PUBLISHED")));
    let (_, copies) = get(&s, &format!("/imagemgmt/v1/images/{img}/versions/{ver}/copies"), &t).await;
    let statuses: Vec<(&str, &str)> = copies["content"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["assetDetails"]["assetType"].as_str().unwrap(), c["status"].as_str().unwrap()))
        .collect();
    assert!(statuses.contains(&("AZURE_VM_IN_RG", "PUBLISH_COMPLETE")), "{statuses:?}");
    assert!(statuses.contains(&("AZURE_IMAGE_REPLICA_IN_SIG", "AVAILABLE")), "{statuses:?}");
}

#[tokio::test]
async fn sig_copy_ends_available_without_a_publish() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let (img, ver) = create(&s, &t, "copy-existing-image", &sig_body("lifecycle-sig")).await;
    assert_eq!(image_status(&s, &t, &img).await, "PENDING");
    s.advance(60.0).await;
    assert_eq!(image_status(&s, &t, &img).await, "IN_PROGRESS");
    assert_eq!(source_copy(&s, &t, &img, &ver).await["status"], "COPYING_IMAGE");
    s.advance(3600.0).await;
    assert_eq!(image_status(&s, &t, &img).await, "AVAILABLE");
    let v = version(&s, &t, &img, &ver).await;
    assert_eq!((v["status"].as_str(), v["state"].as_str()), (Some("AVAILABLE"), Some("PUBLISHED")));
    assert_eq!(source_copy(&s, &t, &img, &ver).await["status"], "AVAILABLE");
}

#[tokio::test]
async fn added_versions_end_like_their_source_type() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let (_, v) =
        post(&s, &format!("/imagemgmt/v1/images/{IMG_SIG}/versions"), &t, &json!({"versionType": "MAJOR"})).await;
    let sig_ver = v["versionId"].as_str().unwrap().to_string();
    let (_, v) =
        post(&s, &format!("/imagemgmt/v1/images/{IMG_CUSTOM}/versions"), &t, &json!({"versionType": "MAJOR"})).await;
    let custom_ver = v["versionId"].as_str().unwrap().to_string();
    s.advance(3600.0).await;
    assert_eq!(version(&s, &t, IMG_SIG, &sig_ver).await["status"], "AVAILABLE");
    assert_eq!(image_status(&s, &t, IMG_SIG).await, "AVAILABLE");
    assert_eq!(version(&s, &t, IMG_CUSTOM, &custom_ver).await["status"], "IMPORT_COMPLETE");
    assert_eq!(image_status(&s, &t, IMG_CUSTOM).await, "IMPORT_COMPLETE");
    // The image is no longer busy: another version may be added.
    assert_eq!(
        post(&s, &format!("/imagemgmt/v1/images/{IMG_SIG}/versions"), &t, &json!({"versionType": "MAJOR"})).await.0,
        201
    );
}

#[tokio::test]
async fn publish_refusals() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let path = format!("/imagemgmt/v1/images/{IMG_MARKET}/versions/{VER_MARKET}");
    assert_error(&post(&s, &path, &t, &json!({})).await, 400, "INVALID_ACTION", "action");
    assert_error(
        &post(&s, &format!("{path}?action=unpublish"), &t, &json!({})).await,
        400,
        "INVALID_ACTION",
        "unpublish",
    );
    let got =
        post(&s, &format!("/imagemgmt/v1/images/{IMG_SIG}/versions/{VER_SIG_1}?action=publish"), &t, &json!({})).await;
    assert_error(&got, 412, "PRECONDITION_FAILED", "AVAILABLE");
    let got = post(
        &s,
        &format!("/imagemgmt/v1/images/{IMG_MARKET}/versions/ffffffffffffffffffffffff?action=publish"),
        &t,
        &json!({}),
    )
    .await;
    assert_error(&got, 404, "VERSION_NOT_FOUND", "ffffffffffffffffffffffff");
    let got =
        post(&s, &format!("{path}?action=publish"), &t, &json!({"replicas": [{"providerInstanceId": "nope"}]})).await;
    assert_error(&got, 400, "INVALID_PROVIDER_INSTANCE", "nope");
    let got = post(&s, &format!("{path}?action=publish"), &t, &json!({"options": "x"})).await;
    assert_error(&got, 400, "INVALID_FIELD", "options");

    // win11-stale-credentials lives on the instance whose Azure credentials Azure refuses.
    let stale = "/imagemgmt/v1/images/65a1000000000000000000a7/versions/65b1000000000000000000a8?action=publish";
    assert_error(
        &post(&s, stale, &t, &json!({})).await,
        500,
        "PUBLISH_SUBMIT_FAILED",
        "Failed to submit Image publish request",
    );
    assert_eq!(
        image_status(&s, &t, "65a1000000000000000000a7").await,
        "IMPORT_COMPLETE",
        "a refused publish changes nothing"
    );

    assert_eq!(
        post(&s, &format!("{path}?action=publish"), &t, &json!({"replicas": [{"providerInstanceId": PI_EAST}]}))
            .await
            .0,
        201
    );
    let got = post(&s, &format!("{path}?action=publish"), &t, &json!({})).await;
    assert_error(&got, 412, "PRECONDITION_FAILED", "PUBLISH_IN_PROGRESS");
}

#[tokio::test]
async fn republish_adds_replicas_to_a_published_version() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let path = |img: &str, ver: &str| format!("/imagemgmt/v1/images/{img}/versions/{ver}/republish");
    let body = json!({"additionalReplicas": [{"providerInstanceId": PI_EAST, "providerLabel": "AZURE"}]});
    let got = post(&s, &path(IMG_MARKET, VER_MARKET), &t, &body).await;
    assert_error(&got, 424, "REPUBLISH_DEPENDENCY_FAILED", "IMPORT_COMPLETE");
    assert_error(
        &post(&s, &path(IMG_SIG, VER_SIG_1), &t, &json!({})).await,
        400,
        "MISSING_FIELD",
        "additionalReplicas",
    );

    let (st, v) = post(&s, &path(IMG_SIG, VER_SIG_1), &t, &body).await;
    assert_eq!(st, 202, "{v}");
    assert_eq!(v["versionStatus"], "REPLICATION_IN_PROGRESS");
    assert_eq!(image_status(&s, &t, IMG_SIG).await, "IN_PROGRESS");
    let got = post(&s, &path(IMG_SIG, VER_SIG_1), &t, &body).await;
    assert_error(&got, 409, "IMAGE_OPERATION_IN_PROGRESS", VER_SIG_1);

    s.advance(3600.0).await;
    assert_eq!(version(&s, &t, IMG_SIG, VER_SIG_1).await["status"], "AVAILABLE");
    let (_, copies) = get(
        &s,
        &format!("/imagemgmt/v1/images/{IMG_SIG}/versions/{VER_SIG_1}/copies?provider_instance_id={PI_EAST}"),
        &t,
    )
    .await;
    assert_eq!(copies["totalElements"], 1);
    assert_eq!(copies["content"][0]["status"], "AVAILABLE");
    assert_eq!(copies["content"][0]["state"], "PUBLISHED");

    let got =
        post(&s, &path(IMG_SIG, VER_SIG_1), &t, &json!({"additionalReplicas": [{"providerInstanceId": PI_BROKEN}]}))
            .await;
    assert_error(&got, 500, "REPUBLISH_SUBMIT_FAILED", PI_BROKEN);
}

#[tokio::test]
async fn clone_version_and_clone_image() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let base = format!("/imagemgmt/v1/images/{IMG_SIG}/versions/{VER_SIG_11}/clone");
    assert_error(&post(&s, &base, &t, &json!({"versionType": "MAJOR"})).await, 400, "INVALID_ACTION", "action");
    let got = post(&s, &format!("{base}?action=clone-image"), &t, &json!({"versionType": "MAJOR"})).await;
    assert_error(&got, 400, "MISSING_FIELD", "imageName");
    assert_error(
        &post(&s, &format!("{base}?action=clone-version"), &t, &json!({})).await,
        400,
        "MISSING_FIELD",
        "versionType",
    );

    let (st, v) = post(&s, &format!("{base}?action=clone-version"), &t, &json!({"versionType": "MINOR"})).await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(v["versionName"], "1.2.0");
    assert_eq!(v["sourceType"], "COPIED_FROM_VERSION");
    let cloned = v["versionId"].as_str().unwrap().to_string();

    let body = json!({"versionType": "MAJOR", "imageName": "win2022-clone", "imageDescription": "cloned"});
    let (st, v) = post(&s, &format!("{base}?action=clone-image"), &t, &body).await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(v["imageName"], "win2022-clone");
    assert_eq!(v["versionName"], "1.0.0");
    assert_eq!(v["sourceImageType"], "COPIED_FROM_VERSION");
    assert_eq!(v["sourceImageId"], IMG_SIG);
    let new_image = v["imageId"].as_str().unwrap().to_string();
    let new_version = v["versionId"].as_str().unwrap().to_string();
    assert_error(
        &post(&s, &format!("{base}?action=clone-image"), &t, &body).await,
        409,
        "IMAGE_NAME_ALREADY_EXISTS",
        "win2022-clone",
    );

    s.advance(3600.0).await;
    let v = version(&s, &t, IMG_SIG, &cloned).await;
    assert_eq!((v["status"].as_str(), v["lastTriggeredAction"].as_str()), (Some("IMPORT_COMPLETE"), Some("CLONE")));
    assert_eq!(image_status(&s, &t, &new_image).await, "IMPORT_COMPLETE");
    assert_eq!(version(&s, &t, &new_image, &new_version).await["status"], "IMPORT_COMPLETE");
}

#[tokio::test]
async fn deleting_the_last_version_removes_the_image() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let (st, body) = call(
        &s,
        Method::DELETE,
        &format!("/imagemgmt/v1/images/{IMG_MARKET}/versions/{VER_MARKET}?org_id={ORG_A}"),
        &t,
        None,
    )
    .await;
    assert_eq!(st, 202);
    assert!(body.is_null(), "an empty body tells hcs-cli not to wait");
    assert_eq!(image_status(&s, &t, IMG_MARKET).await, "DELETING");
    let v = version(&s, &t, IMG_MARKET, VER_MARKET).await;
    assert_eq!((v["status"].as_str(), v["lastTriggeredAction"].as_str()), (Some("DELETING"), Some("DELETE")));
    // A repeated delete of a deleting version is accepted again.
    assert_eq!(
        call(&s, Method::DELETE, &format!("/imagemgmt/v1/images/{IMG_MARKET}/versions/{VER_MARKET}"), &t, None).await.0,
        202
    );

    s.advance(600.0).await;
    for prefix in ["/imagemgmt/v1", "/ims-catalog/v1"] {
        assert_error(&get(&s, &format!("{prefix}/images/{IMG_MARKET}"), &t).await, 404, "IMAGE_NOT_FOUND", IMG_MARKET);
        let got = get(&s, &format!("{prefix}/images/{IMG_MARKET}/versions/{VER_MARKET}"), &t).await;
        assert_error(&got, 404, "IMAGE_NOT_FOUND", IMG_MARKET);
    }
    let (_, copies) = get(&s, &format!("/imagemgmt/v1/image-copies?search=imageId+%24eq+{IMG_MARKET}"), &t).await;
    assert_eq!(copies["totalElements"], 0, "its copies went with it");
}

#[tokio::test]
async fn deleting_one_of_several_versions_keeps_the_image() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    assert_eq!(
        call(&s, Method::DELETE, &format!("/imagemgmt/v1/images/{IMG_SIG}/versions/{VER_SIG_11}"), &t, None).await.0,
        202
    );
    assert_eq!(image_status(&s, &t, IMG_SIG).await, "AVAILABLE");
    s.advance(600.0).await;
    let (_, versions) = get(&s, &format!("/imagemgmt/v1/images/{IMG_SIG}/versions"), &t).await;
    assert_eq!(versions["totalElements"], 1);
    assert_eq!(versions["content"][0]["id"], VER_SIG_1);
    assert_error(
        &get(&s, &format!("/imagemgmt/v1/images/{IMG_SIG}/versions/{VER_SIG_11}"), &t).await,
        404,
        "VERSION_NOT_FOUND",
        VER_SIG_11,
    );
}

#[tokio::test]
async fn delete_refusals_and_force() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let del = |img: &str, ver: &str, q: &str| format!("/imagemgmt/v1/images/{img}/versions/{ver}{q}");
    let got = call(&s, Method::DELETE, &del(IMG_PUBLISHED, VER_PUBLISHED, ""), &t, None).await;
    assert_error(&got, 409, "VERSION_IN_USE", "Template in admin is using version");
    let got = call(&s, Method::DELETE, &del(IMG_PUBLISHED, VER_PUBLISHED, "?force=true"), &t, None).await;
    assert_error(&got, 409, "VERSION_IN_USE", "template");
    let got = call(&s, Method::DELETE, &del(IMG_SIG, "ffffffffffffffffffffffff", ""), &t, None).await;
    assert_error(&got, 404, "VERSION_NOT_FOUND", "Unable to find the image version");
    let got = call(&s, Method::DELETE, &del(IMG_SIG, VER_MARKET, ""), &t, None).await;
    assert_error(&got, 404, "VERSION_NOT_FOUND", VER_MARKET);
    let got = call(&s, Method::DELETE, &del(IMG_SIG, VER_SIG_1, "?force=maybe"), &t, None).await;
    assert_error(&got, 400, "INVALID_PARAMETER", "force");

    let (img, ver) = create(&s, &t, "import", &import_body("delete-while-importing")).await;
    let got = call(&s, Method::DELETE, &del(&img, &ver, ""), &t, None).await;
    assert_error(&got, 422, "VERSION_DELETE_NOT_ALLOWED", "PENDING");
    assert_eq!(call(&s, Method::DELETE, &del(&img, &ver, "?force=true"), &t, None).await.0, 202);
    s.advance(3600.0).await;
    assert_error(&get(&s, &format!("/imagemgmt/v1/images/{img}"), &t).await, 404, "IMAGE_NOT_FOUND", &img);
}
