//! The seed operation, `POST /v1/imageimport`: every row of the seed's error table, the 50301 contract limit,
//! checksum checking, and the status/list APIs over the import lifecycle under the virtual clock.

use reqwest::Method;
use serde_json::{json, Value};

use super::util::*;
use crate::common::{json, Server};

fn with(key: &str, v: Value) -> Value {
    let mut b = good_import();
    b[key] = v;
    b
}

fn without(key: &str) -> Value {
    let mut b = good_import();
    b.as_object_mut().unwrap().remove(key);
    b
}

#[tokio::test]
async fn register_runs_queued_processing_succeeded_and_creates_the_image() {
    let s = Server::start().await;
    let t = alice(&s).await;
    let image_id = "6bf65660-70ee-4a75-b61a-36ac040c289c";
    let mut body = good_import();
    body["id"] = json!(image_id);
    body["min_ram"] = json!("1024");
    body["min_disk"] = json!(3);
    body["checksum"] = json!(UBUNTU_SHA1.to_uppercase());
    let (st, v) = register(&s, &t, &body).await;
    assert_eq!(st, 201);
    let import_id = v["import_id"].as_str().unwrap().to_string();
    assert_eq!(v.as_object().unwrap().len(), 1);
    assert_eq!(import_id.len(), 36);

    let (st, v) = import_status(&s, &t, &import_id).await;
    assert_eq!(st, 200);
    assert_eq!(
        v,
        json!({"import_status": "queued", "progress": 0, "name": "my-image", "disk_format": "raw",
               "container_format": "bare", "location": fixture_location(), "id": image_id,
               "min_ram": 1024, "min_disk": 3})
    );
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "import_status",
            "progress",
            "name",
            "disk_format",
            "container_format",
            "location",
            "id",
            "min_ram",
            "min_disk"
        ]
    );
    // No image while the import runs.
    let (st, _) = call(&s, Method::GET, &format!("/image/v2/images/{image_id}"), &t, None).await;
    assert_eq!(st, 404);

    s.advance(30.0).await;
    let (_, v) = import_status(&s, &t, &import_id).await;
    assert_eq!((v["import_status"].as_str(), v["progress"].as_u64()), (Some("processing"), Some(0)));
    s.advance(90.0).await;
    let (_, v) = import_status(&s, &t, &import_id).await;
    assert_eq!((v["import_status"].as_str(), v["progress"].as_u64()), (Some("processing"), Some(37)));
    s.advance(60.0).await;
    let (_, v2) = import_status(&s, &t, &import_id).await;
    assert!(v2["progress"].as_u64() > v["progress"].as_u64(), "progress rises: {v2}");
    s.advance(120.0).await;
    let (_, v) = import_status(&s, &t, &import_id).await;
    assert_eq!((v["import_status"].as_str(), v["progress"].as_u64()), (Some("succeeded"), Some(100)));

    let (st, img) = call(&s, Method::GET, &format!("/image/v2/images/{image_id}"), &t, None).await;
    assert_eq!(st, 200);
    assert_eq!(img["name"], "my-image");
    assert_eq!(img["status"], "active");
    assert_eq!(img["disk_format"], "raw");
    assert_eq!(img["container_format"], "bare");
    assert_eq!(img["min_ram"], 1024);
    assert_eq!(img["min_disk"], 3);
    assert_eq!(img["os_type"], "ubuntu");
    assert_eq!(img["owner"], DEV);
    assert_eq!(img["visibility"], "private");
    assert_eq!(img["size"], 339);
}

#[tokio::test]
async fn answers_are_compact_one_line_json() {
    let s = Server::start().await;
    let t = alice(&s).await;
    let r =
        s.request(Method::POST, "/v1/imageimport").header("X-Auth-Token", &t).json(&json!({})).send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let text = r.text().await.unwrap();
    assert_eq!(text, "{\"error_code\":\"40001\",\"message\":\"Required parameter 'name' is not specified.\"}\n");
}

#[tokio::test]
async fn missing_required_fields_are_40001_40002_40005_in_that_order() {
    let s = Server::start().await;
    let t = alice(&s).await;
    assert_import_error(
        register(&s, &t, &json!({})).await,
        400,
        "40001",
        "Required parameter 'name' is not specified.",
    );
    assert_import_error(
        register(&s, &t, &without("name")).await,
        400,
        "40001",
        "Required parameter 'name' is not specified.",
    );
    assert_import_error(
        register(&s, &t, &with("name", Value::Null)).await,
        400,
        "40001",
        "Required parameter 'name' is not specified.",
    );
    assert_import_error(
        register(&s, &t, &without("location")).await,
        400,
        "40002",
        "Required parameter 'location' is not specified.",
    );
    assert_import_error(
        register(&s, &t, &json!({"name": "x", "os_type": "bogus"})).await,
        400,
        "40002",
        "Required parameter 'location' is not specified.",
    );
    assert_import_error(
        register(&s, &t, &without("os_type")).await,
        400,
        "40005",
        "Required parameter 'os_type' is not specified.",
    );
}

#[tokio::test]
async fn bad_os_type_is_40006() {
    let s = Server::start().await;
    let t = alice(&s).await;
    for bad in [json!("windows"), json!("Ubuntu"), json!(7)] {
        assert_import_error(
            register(&s, &t, &with("os_type", bad)).await,
            400,
            "40006",
            "Parameter 'os_type' has invalid value.",
        );
    }
}

#[tokio::test]
async fn token_without_project_is_40011() {
    let s = Server::start().await;
    // dave has no role anywhere: his default-scope token is unscoped.
    let unscoped = token(&s, "dave", CONTRACT_A, None).await;
    assert_import_error(register(&s, &unscoped, &good_import()).await, 400, "40011", "Project_id does not exist.");
    let domain = token(&s, "alice", CONTRACT_A, Some(json!({"domain": {"name": CONTRACT_A}}))).await;
    assert_import_error(register(&s, &domain, &good_import()).await, 400, "40011", "Project_id does not exist.");
}

#[tokio::test]
async fn body_that_is_not_a_json_object_is_40014() {
    let s = Server::start().await;
    let t = alice(&s).await;
    for bad in ["", "not json", "{\"name\":", "[]", "[{\"name\":\"x\"}]", "\"text\"", "42"] {
        assert_import_error(register_raw(&s, &t, bad).await, 400, "40014", "Request body is not a json format.");
    }
}

#[tokio::test]
async fn bad_or_missing_location_is_40025() {
    let s = Server::start().await;
    let t = alice(&s).await;
    for bad in [
        "images/ubuntu-small.vmdk".to_string(),
        format!("/v1/AUTH_{DEV}/images/README.txt"),
        format!("/v1/AUTH_{DEV}/images/disk.qcow2"),
        format!("/v1/AUTH_{DEV}/images/missing.vmdk"),
        format!("/v1/AUTH_{DEV}/nocontainer/ubuntu-small.vmdk"),
        format!("/v1/AUTH_{B_PRJ}/vmdk/centos-small.vmdk"),
        format!("/v2/AUTH_{DEV}/images/ubuntu-small.vmdk"),
        format!("/objectstorage/v1/AUTH_{DEV}/images/ubuntu-small.vmdk"),
    ] {
        let got = register(&s, &t, &with("location", json!(bad))).await;
        assert_eq!(got.0, 400, "{bad}");
        assert_import_error(got, 400, "40025", "Parameter 'location' has invalid value.");
    }
    assert_import_error(
        register(&s, &t, &with("location", json!(5))).await,
        400,
        "40025",
        "Parameter 'location' has invalid value.",
    );
}

#[tokio::test]
async fn bad_conversion_is_40026_and_legacy_fields_are_accepted() {
    let s = Server::start().await;
    let t = alice(&s).await;
    assert_import_error(
        register(&s, &t, &with("conversion", json!("maybe"))).await,
        400,
        "40026",
        "Parameter 'conversion' has invalid value.",
    );
    let mut legacy = good_import();
    for (k, v) in [
        ("conversion", json!(true)),
        ("disk_format", json!("raw")),
        ("container_format", json!("bare")),
        ("user_name", json!("alice")),
        ("password", json!("YWxpY2UtazUtcGFzcw==")),
        ("domain_name", json!(CONTRACT_A)),
        ("ovf_location", json!("")),
    ] {
        legacy[k] = v;
    }
    let (st, v) = register(&s, &t, &legacy).await;
    assert_eq!(st, 201, "{v}");
    let (st, _) = register(&s, &t, &with("conversion", json!("false"))).await;
    assert_eq!(st, 201);
}

#[tokio::test]
async fn bad_or_taken_id_is_40027() {
    let s = Server::start().await;
    let t = alice(&s).await;
    let msg = "Parameter 'id' has invalid value.";
    assert_import_error(register(&s, &t, &with("id", json!("abc"))).await, 400, "40027", msg);
    assert_import_error(register(&s, &t, &with("id", json!(12))).await, 400, "40027", msg);
    // The public fixture image's id is taken.
    assert_import_error(register(&s, &t, &with("id", json!(BASE_IMAGE))).await, 400, "40027", msg);
    // So is an id an import in flight will register.
    let id = "0b3c1a7e-1111-4a2b-9c3d-444455556666";
    assert_eq!(register(&s, &t, &with("id", json!(id))).await.0, 201);
    assert_import_error(register(&s, &t, &with("id", json!(id))).await, 400, "40027", msg);
}

#[tokio::test]
async fn bad_name_is_40028() {
    let s = Server::start().await;
    let t = alice(&s).await;
    for bad in [json!(""), json!(5), json!("x".repeat(256))] {
        assert_import_error(
            register(&s, &t, &with("name", bad)).await,
            400,
            "40028",
            "Parameter 'name' has invalid value.",
        );
    }
}

#[tokio::test]
async fn bad_checksum_min_ram_min_disk_are_40031_40032_40033() {
    let s = Server::start().await;
    let t = alice(&s).await;
    for bad in [json!("a".repeat(39)), json!("z".repeat(40)), json!(1)] {
        assert_import_error(
            register(&s, &t, &with("checksum", bad)).await,
            400,
            "40031",
            "Parameter 'checksum' has invalid value.",
        );
    }
    for bad in [json!(-1), json!("abc"), json!(1.5), json!(true)] {
        assert_import_error(
            register(&s, &t, &with("min_ram", bad.clone())).await,
            400,
            "40032",
            "Parameter 'min_ram' has invalid value.",
        );
        assert_import_error(
            register(&s, &t, &with("min_disk", bad)).await,
            400,
            "40033",
            "Parameter 'min_disk' has invalid value.",
        );
    }
}

#[tokio::test]
async fn bad_kms_for_windows_is_40034_and_ignored_for_linux() {
    let s = Server::start().await;
    let t = alice(&s).await;
    let win = |kms: Value| {
        let mut b = with("os_type", json!("win2012R2SE"));
        b["kms"] = kms;
        b
    };
    for bad in [
        json!("x"),
        json!({}),
        json!({"activate": "true"}),
        json!({"server_info": "kms"}),
        json!({"server_info": "kms", "activate": true}),
        json!({"server_info": "kms.example.com:0", "activate": true}),
    ] {
        assert_import_error(register(&s, &t, &win(bad)).await, 400, "40034", "Parameter 'kms' has invalid value.");
    }
    assert_eq!(register(&s, &t, &win(json!({"server_info": "kms.example.com: 1688", "activate": true}))).await.0, 201);
    assert_eq!(register(&s, &t, &with("kms", json!("x"))).await.0, 201);
}

#[tokio::test]
async fn observer_role_is_40301() {
    let s = Server::start().await;
    let bob = project_token(&s, "bob", CONTRACT_A, DEV).await;
    assert_import_error(register(&s, &bob, &good_import()).await, 403, "40301", "You cannot execute this API.");
    // The check comes before the body is read.
    assert_import_error(register_raw(&s, &bob, "nope").await, 403, "40301", "You cannot execute this API.");
}

#[tokio::test]
async fn image_over_the_configured_size_limit_is_40037() {
    let dir = fixtures_with("size", &[("settings.json", r#"{"max_import_image_bytes": 100}"#.to_string())]);
    let s = Server::start_with(&["--clock", "virtual", "--seed", "1", "--fixtures", dir.to_str().unwrap()]).await;
    let t = alice(&s).await;
    assert_import_error(
        register(&s, &t, &good_import()).await,
        400,
        "40037",
        "The size of the import image is too large.",
    );
    put_object(&s, &t, "images", "tiny.vmdk", vec![7u8; 100]).await;
    let (st, _) = register(&s, &t, &with("location", json!(format!("/v1/AUTH_{DEV}/images/tiny.vmdk")))).await;
    assert_eq!(st, 201);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_101st_concurrent_import_of_a_contract_is_50301_other_contracts_are_not_limited() {
    let s = Server::start().await;
    let dev = alice(&s).await;
    let prod = project_token(&s, "alice", CONTRACT_A, PROD).await;
    put_object_in(&s, &prod, PROD, "images", "p.vmdk", b"prod disk".to_vec()).await;
    let prod_location = format!("/v1/AUTH_{PROD}/images/p.vmdk");
    for i in 0..100 {
        let (t, body) =
            if i % 2 == 0 { (&dev, good_import()) } else { (&prod, with("location", json!(prod_location))) };
        let (st, v) = register(&s, t, &body).await;
        assert_eq!(st, 201, "import {i}: {v}");
    }
    assert_import_error(register(&s, &dev, &good_import()).await, 503, "50301", "Too many requests.");
    assert_import_error(
        register(&s, &prod, &with("location", json!(prod_location))).await,
        503,
        "50301",
        "Too many requests.",
    );
    let carol = token(&s, "carol", CONTRACT_B, None).await;
    let (st, _) =
        register(&s, &carol, &with("location", json!(format!("/v1/AUTH_{B_PRJ}/vmdk/centos-small.vmdk")))).await;
    assert_eq!(st, 201);
    // Once they finish, the contract may import again.
    s.advance(300.0).await;
    assert_eq!(register(&s, &dev, &good_import()).await.0, 201);
}

#[tokio::test]
async fn missing_bad_expired_or_revoked_token_is_401() {
    let s = Server::start().await;
    let check = |got: (u16, Value)| {
        assert_eq!(got.0, 401);
        assert_eq!(got.1["error"]["code"], 401);
        assert_eq!(got.1["error"]["message"], "The request you have made requires authentication.");
    };
    let r = s.post_json("/v1/imageimport", &good_import()).await;
    assert_eq!(r.headers()["www-authenticate"].to_str().unwrap(), format!("Keystone uri=\"{}/v3\"", s.base));
    check(json(r).await);
    check(register(&s, "0123456789abcdef0123456789abcdef", &good_import()).await);

    let t = alice(&s).await;
    let r = s.post_json("/_mockcloud/credentials/expire", &json!({"token": t})).await;
    assert_eq!(r.status(), 200);
    check(register(&s, &t, &good_import()).await);

    let t = alice(&s).await;
    let r = s
        .request(Method::DELETE, "/v3/auth/tokens")
        .header("X-Auth-Token", &t)
        .header("X-Subject-Token", &t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    check(register(&s, &t, &good_import()).await);
}

#[tokio::test]
async fn tokens_age_in_real_time_not_with_the_virtual_clock() {
    let s = Server::start().await;
    let t = alice(&s).await;
    s.advance(4.0 * 3600.0).await;
    assert_eq!(register(&s, &t, &good_import()).await.0, 201);
}

#[tokio::test]
async fn checksum_mismatch_ends_failed_with_a_message_and_no_image() {
    let s = Server::start().await;
    let t = alice(&s).await;
    let image_id = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    let mut body = with("checksum", json!("0".repeat(40)));
    body["id"] = json!(image_id);
    let (st, v) = register(&s, &t, &body).await;
    assert_eq!(st, 201);
    let id = v["import_id"].as_str().unwrap().to_string();
    s.advance(30.0).await;
    assert_eq!(import_status(&s, &t, &id).await.1["import_status"], "processing");
    s.advance(60.0).await;
    let (_, v) = import_status(&s, &t, &id).await;
    assert_eq!(v["import_status"], "failed");
    assert_eq!(v["error_message"], "Checksum does not match.");
    assert_eq!(v["id"], image_id);
    s.advance(600.0).await;
    let (st, _) = call(&s, Method::GET, &format!("/image/v2/images/{image_id}"), &t, None).await;
    assert_eq!(st, 404);
    // The id is free again after a failure.
    assert_eq!(register(&s, &t, &with("id", json!(image_id))).await.0, 201);
}

#[tokio::test]
async fn the_import_keeps_the_bytes_it_was_given() {
    let s = Server::start().await;
    let t = alice(&s).await;
    put_object(&s, &t, "images", "changing.vmdk", b"first".to_vec()).await;
    let mut body = with("location", json!(format!("/v1/AUTH_{DEV}/images/changing.vmdk")));
    body["id"] = json!("11111111-2222-4333-8444-555555555555");
    assert_eq!(register(&s, &t, &body).await.0, 201);
    put_object(&s, &t, "images", "changing.vmdk", b"second, longer".to_vec()).await;
    s.advance(300.0).await;
    let (_, img) = call(&s, Method::GET, "/image/v2/images/11111111-2222-4333-8444-555555555555", &t, None).await;
    assert_eq!(img["size"], 5);
}

#[tokio::test]
async fn import_api_is_served_under_the_catalog_prefixes_too() {
    let s = Server::start().await;
    let t = alice(&s).await;
    for prefix in ["/vmimport", "/import-export"] {
        let (st, v) = call(&s, Method::POST, &format!("{prefix}/v1/imageimport"), &t, Some(&good_import())).await;
        assert_eq!(st, 201);
        let id = v["import_id"].as_str().unwrap();
        let (st, v) = call(&s, Method::GET, &format!("{prefix}/v1/imageimport/{id}/status"), &t, None).await;
        assert_eq!((st, v["import_status"].as_str()), (200, Some("queued")));
        let (st, v) = call(&s, Method::GET, &format!("{prefix}/v1/imageimport"), &t, None).await;
        assert_eq!(st, 200);
        assert!(v["imports"].as_array().unwrap().iter().any(|i| i["import_id"] == id));
    }
}

#[tokio::test]
async fn unknown_or_other_projects_import_is_404_40401() {
    let s = Server::start().await;
    let t = alice(&s).await;
    let (_, v) = register(&s, &t, &good_import()).await;
    let id = v["import_id"].as_str().unwrap().to_string();
    let not_found = json!({"error_code": "40401", "message": "Invalid import_id."});
    assert_eq!(import_status(&s, &t, "00000000-0000-4000-8000-000000000000").await, (404, not_found.clone()));
    let prod = project_token(&s, "alice", CONTRACT_A, PROD).await;
    assert_eq!(import_status(&s, &prod, &id).await, (404, not_found));
}

#[tokio::test]
async fn list_is_newest_first_windowed_and_capped_at_100() {
    let s = Server::start().await;
    let t = alice(&s).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(register(&s, &t, &good_import()).await.1["import_id"].as_str().unwrap().to_string());
    }
    let (st, v) = call(&s, Method::GET, "/v1/imageimport", &t, None).await;
    assert_eq!(st, 200);
    let got: Vec<&str> = v["imports"].as_array().unwrap().iter().map(|i| i["import_id"].as_str().unwrap()).collect();
    assert_eq!(got, [ids[2].as_str(), ids[1].as_str(), ids[0].as_str()]);
    assert_eq!(
        v["imports"][0],
        json!({"import_id": ids[2], "import_status": "queued", "status": format!("/v1/imageimport/{}/status", ids[2])})
    );
    let (_, v) = call(&s, Method::GET, "/v1/imageimport?start=1&limit=1", &t, None).await;
    assert_eq!(v["imports"].as_array().unwrap().len(), 1);
    assert_eq!(v["imports"][0]["import_id"], ids[1].as_str());
    // Another project sees none of them.
    let prod = project_token(&s, "alice", CONTRACT_A, PROD).await;
    assert_eq!(call(&s, Method::GET, "/v1/imageimport", &prod, None).await.1, json!({"imports": []}));

    for q in ["start=-1", "start=x", "start="] {
        let got = call(&s, Method::GET, &format!("/v1/imageimport?{q}"), &t, None).await;
        assert_import_error(got, 400, "40035", "Query parameter 'start' has invalid value.");
    }
    for q in ["limit=-1", "limit=ten"] {
        let got = call(&s, Method::GET, &format!("/v1/imageimport?{q}"), &t, None).await;
        assert_import_error(got, 400, "40036", "Query parameter 'limit' has invalid value.");
    }

    s.advance(300.0).await;
    for _ in 0..100 {
        register(&s, &t, &good_import()).await;
    }
    let (_, v) = call(&s, Method::GET, "/v1/imageimport?limit=500", &t, None).await;
    assert_eq!(v["imports"].as_array().unwrap().len(), 100);
}

#[tokio::test]
async fn a_large_object_location_is_imported_and_checksummed_as_its_assembled_bytes() {
    let s = Server::start().await;
    let t = alice(&s).await;
    put_object(&s, &t, "segs", "disk/000", b"hello ".to_vec()).await;
    put_object(&s, &t, "segs", "disk/001", b"world".to_vec()).await;
    let r = s
        .request(Method::PUT, &format!("/v1/AUTH_{DEV}/images/big.vmdk"))
        .header("X-Auth-Token", &t)
        .header("X-Object-Manifest", "segs/disk/")
        .header("Content-Length", "0")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    use sha1::Digest;
    let sha = hex::encode(sha1::Sha1::digest(b"hello world"));
    let mut body = with("location", json!(format!("/v1/AUTH_{DEV}/images/big.vmdk")));
    body["checksum"] = json!(sha);
    body["id"] = json!("22222222-3333-4444-8555-666666666666");
    let (st, v) = register(&s, &t, &body).await;
    assert_eq!(st, 201, "{v}");
    s.advance(300.0).await;
    let (_, v) = import_status(&s, &t, v["import_id"].as_str().unwrap()).await;
    assert_eq!(v["import_status"], "succeeded", "{v}");
    let (_, img) = call(&s, Method::GET, "/image/v2/images/22222222-3333-4444-8555-666666666666", &t, None).await;
    assert_eq!(img["size"], 11);
}

#[tokio::test]
async fn journal_names_the_seed_operation() {
    let s = Server::start().await;
    let t = alice(&s).await;
    register(&s, &t, &good_import()).await;
    let entries = s.journal("operation=k5.imageimport.create").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["tenant"], DEV);
    assert_eq!(entries[0]["status"], 201);
}

#[tokio::test]
async fn parallel_registers_never_exceed_the_contract_limit() {
    let s = std::sync::Arc::new(Server::start().await);
    let t = alice(&s).await;
    for _ in 0..90 {
        assert_eq!(register(&s, &t, &good_import()).await.0, 201);
    }
    let mut tasks = Vec::new();
    for _ in 0..30 {
        let (s, t) = (s.clone(), t.clone());
        tasks.push(tokio::spawn(async move { register(&s, &t, &good_import()).await.0 }));
    }
    let mut codes = Vec::new();
    for task in tasks {
        codes.push(task.await.unwrap());
    }
    assert_eq!(codes.iter().filter(|c| **c == 201).count(), 10, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == 503).count(), 20, "{codes:?}");
}
