//! Tests of the zstack provider, over HTTP against a server with the virtual clock and the fixture world.

mod actions;
mod change_image;
mod client;
mod queries;
mod rest;
mod sessions;

use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha512};

use crate::common::{json, Server};

pub const ADMIN_UUID: &str = "36c27e8ff05c4780bf6d2fa65700f22e";
pub const SEED_VM: &str = "af9e42b52dc836dfac3ee89b08c47488";
pub const SEED_IMAGE: &str = "dbfd52c2f87c39cda8c8945fca8d6a5a";
/// The image the seed VM runs in the fixtures (the seed page's sample image).
pub const SAMPLE_IMAGE: &str = "d20e62e8cab133498f1456c14e210644";
pub const SEED_ROOT_VOLUME: &str = "d4131773654237c997b00fad3102d30d";

pub fn sha512(text: &str) -> String {
    hex::encode(Sha512::digest(text.as_bytes()))
}

pub fn login_body(name: &str, password: &str) -> Value {
    json!({"logInByAccount": {"accountName": name, "password": sha512(password)}})
}

pub async fn login(s: &Server, name: &str, password: &str) -> String {
    let r = s.request(Method::PUT, "/zstack/v1/accounts/login").json(&login_body(name, password)).send().await.unwrap();
    let (status, v) = json(r).await;
    assert_eq!(status, 200, "login {name}: {v}");
    v["inventory"]["uuid"].as_str().unwrap().to_string()
}

pub async fn admin(s: &Server) -> String {
    login(s, "admin", "password").await
}

pub async fn tenant2(s: &Server) -> String {
    login(s, "tenant2", "tenant2-password").await
}

/// Status, content type and body text of a response (for the REST layer's plain-text answers).
pub async fn text(r: reqwest::Response) -> (u16, String, String) {
    let status = r.status().as_u16();
    let ct = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (status, ct, r.text().await.unwrap())
}

pub async fn get(s: &Server, sid: &str, path: &str) -> (u16, Value) {
    json(s.request(Method::GET, path).header("Authorization", format!("OAuth {sid}")).send().await.unwrap()).await
}

/// The inventories of a query, asserting it succeeded.
pub async fn query(s: &Server, sid: &str, path: &str) -> Vec<Value> {
    let (status, v) = get(s, sid, path).await;
    assert_eq!(status, 200, "{path}: {v}");
    v["inventories"].as_array().cloned().unwrap_or_default()
}

pub async fn vm(s: &Server, sid: &str, uuid: &str) -> Value {
    let list = query(s, sid, &format!("/zstack/v1/vm-instances/{uuid}")).await;
    assert_eq!(list.len(), 1, "vm {uuid}");
    list[0].clone()
}

pub async fn vm_named(s: &Server, sid: &str, name: &str) -> Value {
    let list = query(s, sid, &format!("/zstack/v1/vm-instances?q=name={name}")).await;
    assert_eq!(list.len(), 1, "vm named {name}");
    list[0].clone()
}

pub async fn image_named(s: &Server, sid: &str, name: &str) -> String {
    let list = query(s, sid, &format!("/zstack/v1/images?q=name={name}")).await;
    assert_eq!(list.len(), 1, "image named {name}");
    list[0]["uuid"].as_str().unwrap().to_string()
}

pub fn actions_path(vm: &str) -> String {
    format!("/zstack/v1/vm-instances/{vm}/actions")
}

/// PUTs an action body; returns the 202's job location.
pub async fn submit(s: &Server, sid: &str, vm: &str, body: &Value) -> String {
    let r = s
        .request(Method::PUT, &actions_path(vm))
        .header("Authorization", format!("OAuth {sid}"))
        .json(body)
        .send()
        .await
        .unwrap();
    let (status, v) = json(r).await;
    assert_eq!(status, 202, "action on {vm}: {v}");
    v["location"].as_str().unwrap().to_string()
}

/// GETs a job location exactly as returned (absolute URL), as the SDKs do.
pub async fn poll(s: &Server, location: &str) -> (u16, Value) {
    let r = s.http.get(location).send().await.unwrap();
    let status = r.status().as_u16();
    let body = r.text().await.unwrap();
    (status, serde_json::from_str(&body).unwrap_or_else(|e| panic!("poll body not JSON ({e}): {body:?}")))
}

/// Submits, lets the virtual clock run `seconds`, and returns the poll's answer.
pub async fn run(s: &Server, sid: &str, vm: &str, body: &Value, seconds: f64) -> (u16, Value) {
    let location = submit(s, sid, vm, body).await;
    if seconds > 0.0 {
        s.advance(seconds).await;
    }
    poll(s, &location).await
}

/// Asserts a poll failed with this ErrorCode.
pub fn assert_error(answer: &(u16, Value), code: &str, details: &str) {
    let (status, v) = answer;
    assert_eq!(*status, 503, "{v}");
    assert_eq!(v["error"]["code"], code, "{v}");
    assert_eq!(v["error"]["details"], details, "{v}");
    let description = v["error"]["description"].as_str().unwrap_or("");
    assert!(!description.is_empty(), "{v}");
    assert!(v["error"].get("elaboration").is_none() && v["error"].get("opaque").is_none(), "{v}");
}

pub async fn stop(s: &Server, sid: &str, vm: &str) {
    let answer = run(s, sid, vm, &json!({"stopVmInstance": {}}), 2.0).await;
    assert_eq!(answer.0, 200, "stop: {}", answer.1);
}
