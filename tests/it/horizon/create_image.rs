//! Create Image Catalog (seed 001): `POST /imagemgmt/v1/images?action=import|copy-existing-image|import-custom-vm`.

use reqwest::Method;
use serde_json::json;

use super::*;
use crate::common::Server;

/// Changes one thing in a valid body.
type Edit = Box<dyn Fn(&mut serde_json::Value)>;

#[tokio::test]
async fn import_answers_201_with_every_representation_field_and_the_image_reads_at_once() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let (st, v) = post(&s, "/imagemgmt/v1/images?action=import", &t, &import_body("win11-new")).await;
    assert_eq!(st, 201, "{v}");
    for field in [
        "assetDetails",
        "assetId",
        "assetStatus",
        "assetType",
        "orgId",
        "os",
        "sourceAssetId",
        "sourceStreamId",
        "sourceStreamType",
        "sourceVersionId",
        "streamDescription",
        "streamId",
        "streamName",
        "streamStatus",
        "versionDescription",
        "versionHistory",
        "versionId",
        "versionName",
        "versionSource",
        "versionStatus",
        "versionType",
    ] {
        assert!(v.get(field).is_some(), "reply lacks {field}: {v}");
    }
    assert_eq!(v["versionName"], "1.0.0");
    assert_eq!(v["versionSource"], "0.0", "the number 0.0 hcs-cli sends is echoed as a string");
    assert_eq!(v["versionHistory"], json!(["1.0.0"]));
    assert_eq!(v["streamStatus"], "PENDING");
    assert_eq!(v["versionStatus"], "PENDING");
    assert_eq!(v["assetStatus"], "IMPORT_PENDING");
    assert_eq!(v["assetType"], "AZURE_VM_IN_RG");
    assert_eq!(v["sourceStreamType"], "AZURE_MARKET_PLACE");
    assert_eq!(v["orgId"], ORG_A);
    assert_eq!(v["assetDetails"]["data"]["sku"], "win11-23h2-avd");
    let id = v["streamId"].as_str().unwrap();
    assert_eq!(id.len(), 24);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));

    let (st, img) = get(&s, &format!("/ims-catalog/v1/images/{id}?org_id={ORG_A}&orgId={ORG_A}"), &t).await;
    assert_eq!(st, 200);
    assert_eq!(img["name"], "win11-new");
    assert_eq!(img["status"], "PENDING");
    assert_eq!(img["sourceType"], "AZURE_MARKET_PLACE");
    assert_eq!(img["multiSession"], true);
    assert_eq!(img["markers"][0]["name"], "default");
    assert_eq!(img["markers"][0]["status"], "IN_PROGRESS");
    assert_eq!(img["versionCount"], 1);
}

#[tokio::test]
async fn action_defaults_to_import_and_version_source_decides_the_first_name() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let cases = [
        (json!("0"), "MAJOR", "1.0.0"),
        (json!("1.0"), "MINOR", "1.1.0"),
        (json!("1.1.0"), "PATCH", "1.1.1"),
        (json!(2), "MAJOR", "3.0.0"),
    ];
    for (i, (source, kind, expected)) in cases.iter().enumerate() {
        let mut body = import_body(&format!("numbered-{i}"));
        body["versionSource"] = source.clone();
        body["versionType"] = json!(kind);
        let (st, v) = post(&s, "/imagemgmt/v1/images", &t, &body).await;
        assert_eq!(st, 201, "{v}");
        assert_eq!(v["versionName"], *expected, "{source} + {kind}");
    }
}

#[tokio::test]
async fn copy_existing_image_and_import_custom_vm_make_their_own_assets() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let (st, v) = post(&s, "/imagemgmt/v1/images?action=copy-existing-image", &t, &sig_body("sig-copy")).await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(v["assetType"], "AZURE_IMAGE_IN_SIG");
    assert_eq!(v["assetStatus"], "COPYING_IMAGE");

    // Copying an image the catalog already has: the source is named by id.
    let body = json!({"streamName": "sig-from-catalog", "versionSource": "0.0", "versionType": "MAJOR", "osType": "WINDOWS",
        "providerInstanceId": PI_EAST, "sourceStreamId": IMG_SIG, "sourceVersionId": VER_SIG_11});
    let (st, v) = post(&s, "/imagemgmt/v1/images?action=copy-existing-image", &t, &body).await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(v["sourceStreamId"], IMG_SIG);
    assert!(v["sourceAssetId"].is_string());

    let mut body = import_body("custom-vm");
    body["sourceStreamType"] = json!("AZURE_CUSTOM_VM");
    body["assetDetails"]["vmInfo"]["password"] = json!(["a", "b"]);
    let (st, v) = post(&s, "/imagemgmt/v1/images?action=import-custom-vm", &t, &body).await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(v["sourceStreamType"], "AZURE_CUSTOM_VM");
    assert_eq!(v["assetStatus"], "IMPORT_PENDING");
}

#[tokio::test]
async fn bad_bodies_get_400_naming_the_problem() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let path = "/imagemgmt/v1/images?action=import";

    let cases: Vec<(&str, Edit, &str, &str)> = vec![
        (
            "no versionType",
            Box::new(|b| {
                b.as_object_mut().unwrap().remove("versionType");
            }),
            "MISSING_FIELD",
            "versionType",
        ),
        (
            "no versionSource",
            Box::new(|b| {
                b.as_object_mut().unwrap().remove("versionSource");
            }),
            "MISSING_FIELD",
            "versionSource",
        ),
        (
            "no streamName",
            Box::new(|b| {
                b.as_object_mut().unwrap().remove("streamName");
            }),
            "MISSING_FIELD",
            "streamName",
        ),
        (
            "no osType",
            Box::new(|b| {
                b.as_object_mut().unwrap().remove("osType");
            }),
            "MISSING_FIELD",
            "osType",
        ),
        (
            "no providerInstanceId",
            Box::new(|b| {
                b.as_object_mut().unwrap().remove("providerInstanceId");
            }),
            "MISSING_FIELD",
            "providerInstanceId",
        ),
        ("blank streamName", Box::new(|b| b["streamName"] = json!("  ")), "MISSING_FIELD", "streamName"),
        ("gpuType INTEL", Box::new(|b| b["gpuType"] = json!("INTEL")), "INVALID_ENUM_VALUE", "gpuType"),
        ("osType lowercase", Box::new(|b| b["osType"] = json!("windows")), "INVALID_ENUM_VALUE", "osType"),
        ("versionType MAJORX", Box::new(|b| b["versionType"] = json!("MAJORX")), "INVALID_ENUM_VALUE", "versionType"),
        ("providerLabel AWS", Box::new(|b| b["providerLabel"] = json!("AWS")), "INVALID_ENUM_VALUE", "providerLabel"),
        (
            "sourceStreamType FOO",
            Box::new(|b| b["sourceStreamType"] = json!("FOO")),
            "INVALID_ENUM_VALUE",
            "sourceStreamType",
        ),
        (
            "assetDetails.type FOO",
            Box::new(|b| b["assetDetails"]["type"] = json!("FOO")),
            "INVALID_ENUM_VALUE",
            "assetDetails.type",
        ),
        ("streamName number", Box::new(|b| b["streamName"] = json!(5)), "INVALID_FIELD", "streamName"),
        ("versionSource bool", Box::new(|b| b["versionSource"] = json!(true)), "INVALID_FIELD", "versionSource"),
        (
            "password number",
            Box::new(|b| b["assetDetails"]["vmInfo"]["password"] = json!(7)),
            "INVALID_FIELD",
            "assetDetails.vmInfo.password",
        ),
        ("markers not array", Box::new(|b| b["markers"] = json!("default")), "INVALID_FIELD", "markers"),
        ("marker without name", Box::new(|b| b["markers"] = json!([{}])), "INVALID_FIELD", "markers[0].name"),
        ("assetDetails string", Box::new(|b| b["assetDetails"] = json!("x")), "INVALID_FIELD", "assetDetails"),
        ("versionSource abc", Box::new(|b| b["versionSource"] = json!("abc")), "INVALID_VERSION_SOURCE", "abc"),
        (
            "SIG with import",
            Box::new(|b| b["sourceStreamType"] = json!("AZURE_SIG")),
            "SOURCE_TYPE_ACTION_MISMATCH",
            "AZURE_SIG",
        ),
        (
            "SIG asset with import",
            Box::new(|b| b["assetDetails"]["type"] = json!("AZURE_IMAGE_IN_SIG")),
            "SOURCE_TYPE_ACTION_MISMATCH",
            "AZURE_IMAGE_IN_SIG",
        ),
        (
            "unknown instance",
            Box::new(|b| b["providerInstanceId"] = json!("ffffffffffffffffffffffff")),
            "INVALID_PROVIDER_INSTANCE",
            "ffffffffffffffffffffffff",
        ),
        (
            "other org's instance",
            Box::new(|b| b["providerInstanceId"] = json!("6560000000000000000000b1")),
            "INVALID_PROVIDER_INSTANCE",
            "6560000000000000000000b1",
        ),
        ("label mismatch", Box::new(|b| b["providerLabel"] = json!("VSPHERE")), "INVALID_PROVIDER_INSTANCE", "VSPHERE"),
    ];
    let before = image_count(&s, &t).await;
    for (what, edit, code, mentions) in cases {
        let mut body = import_body(&format!("bad-{what}"));
        edit(&mut body);
        let got = post(&s, path, &t, &body).await;
        assert_eq!(got.0, 400, "{what}: {}", got.1);
        assert_error(&got, 400, code, mentions);
    }

    for raw in ["{not json", "[1,2]", "\"text\"", ""] {
        let r = s
            .request(Method::POST, path)
            .header("authorization", format!("Bearer {t}"))
            .header("content-type", "application/json")
            .body(raw)
            .send()
            .await
            .unwrap();
        assert_error(&crate::common::json(r).await, 400, "MALFORMED_REQUEST", "");
    }
    let got = post(&s, "/imagemgmt/v1/images?action=upload", &t, &import_body("bad-action")).await;
    assert_error(&got, 400, "INVALID_ACTION", "upload");
    let got = post(&s, "/imagemgmt/v1/images?action=copy-existing-image", &t, &import_body("mismatch")).await;
    assert_error(&got, 400, "SOURCE_TYPE_ACTION_MISMATCH", "copy-existing-image");
    let mut body = sig_body("sig-without-source");
    body["assetDetails"]["data"] = json!({});
    let got = post(&s, "/imagemgmt/v1/images?action=copy-existing-image", &t, &body).await;
    assert_error(&got, 400, "MISSING_FIELD", "assetDetails.data");

    assert_eq!(image_count(&s, &t).await, before, "no refused request left an image behind");
    let (_, copies) = get(&s, "/imagemgmt/v1/image-copies?size=1", &t).await;
    let (_, fresh) = {
        let fresh = Server::start().await;
        let ft = login(&fresh, ADMIN_A).await;
        get(&fresh, "/imagemgmt/v1/image-copies?size=1", &ft).await
    };
    assert_eq!(copies["totalElements"], fresh["totalElements"], "no refused request left a copy behind");
}

#[tokio::test]
async fn unknown_copy_source_gets_404() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let mut body = sig_body("sig-bad-source");
    body["sourceStreamId"] = json!("ffffffffffffffffffffffff");
    let got = post(&s, "/imagemgmt/v1/images?action=copy-existing-image", &t, &body).await;
    assert_error(&got, 404, "IMAGE_NOT_FOUND", "ffffffffffffffffffffffff");
    body["sourceStreamId"] = json!(IMG_SIG);
    body["sourceVersionId"] = json!(VER_MARKET);
    let got = post(&s, "/imagemgmt/v1/images?action=copy-existing-image", &t, &body).await;
    assert_error(&got, 404, "VERSION_NOT_FOUND", VER_MARKET);
}

#[tokio::test]
async fn duplicate_names_conflict_and_a_broken_instance_fails_the_submit() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let got = post(&s, "/imagemgmt/v1/images", &t, &import_body("WIN11-marketplace")).await;
    assert_error(&got, 409, "IMAGE_NAME_ALREADY_EXISTS", "WIN11-marketplace");

    // Names are per org: org B may use org A's name.
    let b = login(&s, ADMIN_B).await;
    let mut body = import_body("win11-marketplace");
    body["orgId"] = json!(ORG_B);
    body["providerInstanceId"] = json!("6560000000000000000000b1");
    assert_eq!(post(&s, "/imagemgmt/v1/images", &b, &body).await.0, 201);

    let before = image_count(&s, &t).await;
    let mut body = import_body("on-broken-instance");
    body["providerInstanceId"] = json!(PI_BROKEN);
    let got = post(&s, "/imagemgmt/v1/images", &t, &body).await;
    assert_error(&got, 500, "CREATE_IMAGE_SUBMIT_FAILED", PI_BROKEN);
    assert_eq!(image_count(&s, &t).await, before);
}

#[tokio::test]
async fn writes_are_not_served_by_the_read_only_catalog_prefix() {
    let s = Server::start().await;
    let t = login(&s, ADMIN_A).await;
    let got = post(&s, "/ims-catalog/v1/images?action=import", &t, &import_body("via-catalog")).await;
    assert_error(&got, 404, "NOT_FOUND", "/ims-catalog/v1/images");
    let got =
        call(&s, Method::DELETE, &format!("/ims-catalog/v1/images/{IMG_SIG}/versions/{VER_SIG_1}"), &t, None).await;
    assert_error(&got, 404, "NOT_FOUND", "DELETE");
    let got = call(&s, Method::PUT, &format!("/imagemgmt/v1/images/{IMG_SIG}"), &t, Some(&json!({}))).await;
    assert_error(&got, 405, "METHOD_NOT_ALLOWED", "PUT");
    let got = get(&s, "/imagemgmt/v1/nothing-here", &t).await;
    assert_error(&got, 404, "NOT_FOUND", "nothing-here");
}

#[tokio::test]
async fn oversized_bodies_get_413_in_horizon_format() {
    let s = Server::start_with(&["--clock", "virtual", "--seed", "42", "--max-body-bytes", "2048"]).await;
    let t = login(&s, ADMIN_A).await;
    let mut body = import_body("huge");
    body["streamDescription"] = json!("x".repeat(4096));
    let got = post(&s, "/imagemgmt/v1/images", &t, &body).await;
    assert_error(&got, 413, "PAYLOAD_TOO_LARGE", "2048");
    assert_eq!(image_count(&s, &t).await, 7);
}
