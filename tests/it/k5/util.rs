//! Fixture identities and small helpers shared by the k5 tests.

#![allow(dead_code)]

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::{json, Server};

pub const CONTRACT_A: &str = "K5DEMO01";
pub const CONTRACT_A_ID: &str = "cddd8880bb5215ad6087fd190ec018bd";
pub const CONTRACT_B: &str = "K5DEMO02";
pub const DEV: &str = "73734414ba00e310cc645e118b6a6c4a";
pub const PROD: &str = "d65434a7aacaeaab062dc5e0107cb007";
pub const B_PRJ: &str = "0ef12ccceae86af268b1a9554cdfaa7d";
pub const ALICE_ID: &str = "f77eaf006d41d63ee079a0e980c25a1b";
pub const BASE_IMAGE: &str = "b13756b4-43dd-4441-a285-dd208cfd7df2";
/// SHA1 of fixtures/k5/swift.json's `images/ubuntu-small.vmdk` in DEV.
pub const UBUNTU_SHA1: &str = "8555915e2685d2ab798de30713eb337fbd83c6e8";

pub fn fixture_location() -> String {
    format!("/v1/AUTH_{DEV}/images/ubuntu-small.vmdk")
}

pub fn password_body(user: &str, password: &str, contract: &str, scope: Option<Value>) -> Value {
    let mut auth = json!({"identity": {"methods": ["password"],
        "password": {"user": {"domain": {"name": contract}, "name": user, "password": password}}}});
    if let Some(s) = scope {
        auth["scope"] = s;
    }
    json!({ "auth": auth })
}

/// A token for a fixture user, scoped as asked (None: Keystone's default scope).
pub async fn token(s: &Server, user: &str, contract: &str, scope: Option<Value>) -> String {
    let body = password_body(user, &format!("{user}-k5-pass"), contract, scope);
    let r = s.post_json("/v3/auth/tokens", &body).await;
    assert_eq!(r.status(), 201, "login {user}");
    r.headers()["x-subject-token"].to_str().expect("ascii").to_string()
}

pub async fn project_token(s: &Server, user: &str, contract: &str, project: &str) -> String {
    token(s, user, contract, Some(json!({"project": {"id": project}}))).await
}

/// alice, scoped to K5DEMO01-prj-dev.
pub async fn alice(s: &Server) -> String {
    project_token(s, "alice", CONTRACT_A, DEV).await
}

pub async fn call(s: &Server, method: Method, path: &str, token: &str, body: Option<&Value>) -> (u16, Value) {
    let mut rb = s.request(method, path).header("X-Auth-Token", token).header("Accept", "application/json");
    if let Some(b) = body {
        rb = rb.json(b);
    }
    json(rb.send().await.expect("sent")).await
}

pub async fn register(s: &Server, token: &str, body: &Value) -> (u16, Value) {
    call(s, Method::POST, "/v1/imageimport", token, Some(body)).await
}

pub async fn register_raw(s: &Server, token: &str, body: &str) -> (u16, Value) {
    let r = s
        .request(Method::POST, "/v1/imageimport")
        .header("X-Auth-Token", token)
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("sent");
    json(r).await
}

pub async fn import_status(s: &Server, token: &str, id: &str) -> (u16, Value) {
    call(s, Method::GET, &format!("/v1/imageimport/{id}/status"), token, None).await
}

/// A minimal valid register body for DEV's fixture object.
pub fn good_import() -> Value {
    json!({"name": "my-image", "location": fixture_location(), "os_type": "ubuntu"})
}

/// Asserts an import-API error body: status, string `error_code` and the seed's exact message.
pub fn assert_import_error(got: (u16, Value), status: u16, code: &str, message: &str) {
    assert_eq!(got.0, status, "status for {code}: {}", got.1);
    assert_eq!(got.1, json!({"error_code": code, "message": message}), "body for {code}");
}

/// Uploads an object to DEV through Swift.
pub async fn put_object(s: &Server, token: &str, container: &str, name: &str, data: Vec<u8>) {
    put_object_in(s, token, DEV, container, name, data).await
}

/// Creates the container if needed and uploads an object to a project's account.
pub async fn put_object_in(s: &Server, token: &str, project: &str, container: &str, name: &str, data: Vec<u8>) {
    let r = s
        .request(Method::PUT, &format!("/objectstorage/v1/AUTH_{project}/{container}"))
        .header("X-Auth-Token", token)
        .header("Content-Length", "0")
        .send()
        .await
        .unwrap();
    assert!(r.status() == 201 || r.status() == 202, "container put {}", r.status());
    let r = s
        .request(Method::PUT, &format!("/objectstorage/v1/AUTH_{project}/{container}/{name}"))
        .header("X-Auth-Token", token)
        .header("Content-Length", data.len().to_string())
        .body(data)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "object put");
}

/// A `--fixtures` folder holding the k5 fixtures with some files replaced (`(file name, content)`).
pub fn fixtures_with(tag: &str, replaced: &[(&str, String)]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mockcloud-k5-{tag}-{}", std::process::id()));
    let k5 = dir.join("k5");
    std::fs::create_dir_all(&k5).unwrap();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/k5");
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, k5.join(path.file_name().unwrap())).unwrap();
    }
    for (name, content) in replaced {
        std::fs::write(k5.join(name), content).unwrap();
    }
    dir
}
