//! Tests of the horizon provider, over HTTP against the fixture world (fixtures/horizon/world.json).

mod add_version;
mod auth;
mod client;
mod create_image;
mod failures;
mod lifecycles;
mod reads;
mod scenarios;

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::Server;

pub const ORG_A: &str = "f9b98412-658b-45db-a06b-00000000000a";
pub const ORG_B: &str = "f9b98412-658b-45db-a06b-00000000000b";
pub const ADMIN_A: &str = "hzn-a-admin-api-token";
pub const READONLY_A: &str = "hzn-a-readonly-api-token";
pub const ADMIN_B: &str = "hzn-b-admin-api-token";

pub const PI_WEST: &str = "6560000000000000000000a1";
pub const PI_EAST: &str = "6560000000000000000000a2";
pub const PI_BROKEN: &str = "6560000000000000000000a3";

/// win11-marketplace: AZURE_MARKET_PLACE, IMPORT_COMPLETE, one version 1.0.0.
pub const IMG_MARKET: &str = "65a1000000000000000000a1";
pub const VER_MARKET: &str = "65b1000000000000000000a1";
/// win2022-sig: AZURE_SIG, WINDOWS/NONE, AVAILABLE, versions 1.0.0 and 1.1.0.
pub const IMG_SIG: &str = "65a1000000000000000000a2";
pub const VER_SIG_1: &str = "65b1000000000000000000a2";
pub const VER_SIG_11: &str = "65b1000000000000000000a3";
/// ubuntu-custom-vm: AZURE_CUSTOM_VM, LINUX, IMPORT_COMPLETE.
pub const IMG_CUSTOM: &str = "65a1000000000000000000a3";
/// win10-published: AVAILABLE, its marker has 2 templates.
pub const IMG_PUBLISHED: &str = "65a1000000000000000000a4";
pub const VER_PUBLISHED: &str = "65b1000000000000000000a5";
/// orgb-win11-sig in org B.
pub const IMG_B: &str = "65a1000000000000000000b1";

/// Logs in with an API token the way hcs-cli does and returns the access token.
pub async fn login(s: &Server, api_token: &str) -> String {
    let r = s
        .request(Method::POST, "/csp/gateway/am/api/auth/api-tokens/authorize")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(format!("api_token={api_token}"))
        .send()
        .await
        .expect("token request");
    assert_eq!(r.status(), 200, "login with {api_token}");
    let v: Value = r.json().await.expect("json");
    v["access_token"].as_str().expect("access_token").to_string()
}

/// One API call with a Bearer token; the body (if any) as JSON, `Value::Null` when empty.
pub async fn call(s: &Server, method: Method, path: &str, token: &str, body: Option<&Value>) -> (u16, Value) {
    let mut rb = s.request(method, path).header("authorization", format!("Bearer {token}"));
    if let Some(b) = body {
        rb = rb.json(b);
    }
    let r = rb.send().await.expect("request sent");
    let status = r.status().as_u16();
    let text = r.text().await.expect("body");
    let v = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    };
    (status, v)
}

pub async fn get(s: &Server, path: &str, token: &str) -> (u16, Value) {
    call(s, Method::GET, path, token, None).await
}

pub async fn post(s: &Server, path: &str, token: &str, body: &Value) -> (u16, Value) {
    call(s, Method::POST, path, token, Some(body)).await
}

/// Checks a refusal: status, code, the Spring-style body, and that the message names `mentions`.
pub fn assert_error(got: &(u16, Value), status: u16, code: &str, mentions: &str) {
    let (st, v) = got;
    assert_eq!(*st, status, "status of {v}");
    assert_eq!(v["status"], status, "{v}");
    assert_eq!(v["code"], code, "{v}");
    assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()), "{v}");
    assert!(v["timestamp"].as_str().is_some_and(|t| t.ends_with('Z')), "{v}");
    assert!(v["path"].as_str().is_some_and(|p| p.starts_with('/')), "{v}");
    let message = v["message"].as_str().unwrap_or("");
    assert!(message.contains(mentions), "message {message:?} should mention {mentions:?}");
}

/// The body of a marketplace import as hcs-cli sends it.
pub fn import_body(name: &str) -> Value {
    json!({
        "orgId": ORG_A,
        "streamName": name,
        "streamDescription": "test image",
        "versionSource": 0.0,
        "versionType": "MAJOR",
        "versionDescription": "first",
        "sourceStreamType": "AZURE_MARKET_PLACE",
        "gpuType": "NONE",
        "osType": "WINDOWS",
        "os": "Windows 11 Enterprise multi-session",
        "providerLabel": "AZURE",
        "providerInstanceId": PI_WEST,
        "markers": [{"name": "default"}],
        "assetDetails": {
            "type": "AZURE_VM_IN_RG",
            "data": {"publisher": "MicrosoftWindowsDesktop", "offer": "windows-11", "sku": "win11-23h2-avd", "vmSize": "Standard_D4s_v3", "generationType": "V2"},
            "options": {"createPublicIp": false},
            "vmInfo": {"username": "azureuser", "password": "Passw0rd-Passw0rd"}
        }
    })
}

/// The body of a SIG copy (copy-existing-image).
pub fn sig_body(name: &str) -> Value {
    json!({
        "streamName": name,
        "versionSource": "0.0",
        "versionType": "MAJOR",
        "sourceStreamType": "AZURE_SIG",
        "gpuType": "NONE",
        "osType": "WINDOWS",
        "providerLabel": "AZURE",
        "providerInstanceId": PI_WEST,
        "assetDetails": {
            "type": "AZURE_IMAGE_IN_SIG",
            "data": {"galleryImageVersionId": "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/i/versions/1.0.0"},
            "isClientAccessLicenseApplicable": true,
            "multiSession": true
        }
    })
}

pub async fn image_count(s: &Server, token: &str) -> u64 {
    let (st, v) = get(s, "/imagemgmt/v1/images?size=1", token).await;
    assert_eq!(st, 200);
    v["totalElements"].as_u64().expect("totalElements")
}

pub async fn image_status(s: &Server, token: &str, id: &str) -> String {
    let (st, v) = get(s, &format!("/imagemgmt/v1/images/{id}"), token).await;
    assert_eq!(st, 200, "{v}");
    v["status"].as_str().unwrap().to_string()
}

pub async fn version(s: &Server, token: &str, image: &str, version: &str) -> Value {
    let (st, v) = get(s, &format!("/imagemgmt/v1/images/{image}/versions/{version}"), token).await;
    assert_eq!(st, 200, "{v}");
    v
}

/// The version's own (non-replica) copy.
pub async fn source_copy(s: &Server, token: &str, image: &str, version: &str) -> Value {
    let (st, v) = get(s, &format!("/imagemgmt/v1/images/{image}/versions/{version}/copies"), token).await;
    assert_eq!(st, 200, "{v}");
    v["content"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["assetDetails"]["assetType"] != "AZURE_IMAGE_REPLICA_IN_SIG")
        .cloned()
        .expect("a source copy")
}
