//! The k5 world as a whole: fixture identities in the state dump, per-project reset and isolation, errors the
//! core finds before a handler (unknown path, wrong method, cut-off body) in each service's own format.

use reqwest::Method;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::util::*;
use crate::common::{json, Server};

#[tokio::test]
async fn state_lists_the_fixture_identities() {
    let s = Server::start().await;
    let (_, v) = json(s.get("/_mockcloud/state").await).await;
    let k5 = &v["identities"]["k5"];
    assert_eq!(k5["region"], "jp-east-1");
    let contracts = k5["contracts"].as_array().unwrap();
    assert_eq!(contracts.len(), 2, "two contracts show isolation");
    assert_eq!(contracts[0]["contract"], CONTRACT_A);
    assert_eq!(contracts[0]["projects"].as_array().unwrap().len(), 2);
    assert_eq!(contracts[0]["users"][0]["password"], "alice-k5-pass");
}

#[tokio::test]
async fn reset_of_one_project_restores_its_objects_and_leaves_others_alone() {
    let s = Server::start().await;
    let dev = alice(&s).await;
    let prod = project_token(&s, "alice", CONTRACT_A, PROD).await;
    put_object_in(&s, &prod, PROD, "images", "kept.vmdk", b"x".to_vec()).await;
    let r = s
        .request(Method::DELETE, &format!("/v1/AUTH_{DEV}/images/ubuntu-small.vmdk"))
        .header("X-Auth-Token", &dev)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let (_, v) = register(&s, &dev, &good_import()).await;
    assert_eq!(v["error_code"], "40025");
    assert_eq!(s.post_json(&format!("/_mockcloud/reset?tenant={DEV}"), &json!({})).await.status(), 200);
    // Reset forgets the project's credentials too: log in again.
    let dev = alice(&s).await;
    assert_eq!(register(&s, &dev, &good_import()).await.0, 201);
    let r = s
        .request(Method::HEAD, &format!("/v1/AUTH_{PROD}/images/kept.vmdk"))
        .header("X-Auth-Token", &prod)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_in_each_service_format() {
    let s = Server::start().await;
    let t = alice(&s).await;
    let (st, v) = call(&s, Method::GET, "/v3/nothing", &t, None).await;
    assert_eq!((st, v["error"]["code"].as_u64()), (404, Some(404)));
    let (st, v) = call(&s, Method::PUT, "/v3/auth/tokens", &t, None).await;
    assert_eq!((st, v["error"]["code"].as_u64()), (405, Some(405)));
    let (st, v) = call(&s, Method::DELETE, "/v1/imageimport", &t, None).await;
    assert_eq!(st, 405);
    assert!(v.get("error_code").is_some(), "{v}");
    let (st, v) = call(&s, Method::GET, "/v1/imageimport/x/y/z", &t, None).await;
    assert_eq!(st, 404);
    assert!(v.get("message").is_some(), "{v}");
    let (st, v) = call(&s, Method::PUT, "/v1/imageexport", &t, None).await;
    assert_eq!(st, 405);
    assert!(v.get("error_message").is_some(), "{v}");
    let (st, v) = call(&s, Method::GET, "/image/v2/nothing", &t, None).await;
    assert_eq!((st, v["code"].as_str()), (404, Some("404 Not Found")));
    let r = s
        .request(Method::PATCH, &format!("/objectstorage/v1/AUTH_{DEV}/images"))
        .header("X-Auth-Token", &t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert!(r.headers()["allow"].to_str().unwrap().contains("PUT"));
    assert!(r.text().await.unwrap().starts_with("<html><h1>Method Not Allowed</h1>"));
}

#[tokio::test]
async fn an_upload_cut_off_mid_body_stores_nothing() {
    let s = Server::start().await;
    let t = alice(&s).await;
    let mut sock = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    let head = format!(
        "PUT /objectstorage/v1/AUTH_{DEV}/images/cut.vmdk HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {t}\r\nContent-Length: 1000\r\n\r\n"
    );
    sock.write_all(head.as_bytes()).await.unwrap();
    sock.write_all(&[1u8; 100]).await.unwrap();
    sock.shutdown().await.unwrap();
    let mut rest = Vec::new();
    let _ = sock.read_to_end(&mut rest).await;
    drop(sock);
    let r = s
        .request(Method::HEAD, &format!("/objectstorage/v1/AUTH_{DEV}/images/cut.vmdk"))
        .header("X-Auth-Token", &t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let mut b = good_import();
    b["location"] = json!(format!("/v1/AUTH_{DEV}/images/cut.vmdk"));
    assert_eq!(register(&s, &t, &b).await.1["error_code"], "40025");
}

#[tokio::test]
async fn projects_of_different_contracts_never_see_each_other() {
    let s = Server::start().await;
    let a = alice(&s).await;
    let c = token(&s, "carol", CONTRACT_B, None).await;
    let (_, v) = register(&s, &a, &good_import()).await;
    let id = v["import_id"].as_str().unwrap().to_string();
    assert_eq!(import_status(&s, &c, &id).await.0, 404);
    assert_eq!(call(&s, Method::GET, "/v1/imageimport", &c, None).await.1, json!({"imports": []}));
    let r = s
        .request(Method::GET, &format!("/objectstorage/v1/AUTH_{B_PRJ}/vmdk"))
        .header("X-Auth-Token", &a)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn a_running_import_and_uploaded_objects_survive_a_restart_through_the_state_file() {
    let path = std::env::temp_dir().join(format!("mockcloud-k5-state-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let flags = ["--clock", "virtual", "--seed", "9", "--state-file", path.to_str().unwrap()];
    let s = Server::start_with(&flags).await;
    let t = alice(&s).await;
    put_object(&s, &t, "images", "kept.vmdk", vec![0u8, 159, 146, 150]).await;
    let mut b = good_import();
    b["location"] = json!(format!("/v1/AUTH_{DEV}/images/kept.vmdk"));
    b["id"] = json!("33333333-4444-4555-8666-777777777777");
    let (_, v) = register(&s, &t, &b).await;
    let id = v["import_id"].as_str().unwrap().to_string();
    s.advance(60.0).await;
    s.shutdown().await;

    let s = Server::start_with(&flags).await;
    let t = alice(&s).await;
    let (st, v) = import_status(&s, &t, &id).await;
    assert_eq!((st, v["import_status"].as_str()), (200, Some("processing")));
    s.advance(300.0).await;
    assert_eq!(import_status(&s, &t, &id).await.1["import_status"], "succeeded");
    let r = s
        .request(Method::GET, "/image/v2/images/33333333-4444-4555-8666-777777777777/file")
        .header("X-Auth-Token", &t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.bytes().await.unwrap().as_ref(), &[0u8, 159, 146, 150]);
    s.shutdown().await;
    let _ = std::fs::remove_file(&path);
}
