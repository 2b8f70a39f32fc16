//! Shared helpers: fixture ids, login, and `/rest` calls.

use reqwest::Method;
use serde_json::Value;

use crate::common::{json, Server};

pub const ADMIN: &str = "administrator@vsphere.local";
pub const DEVOPS: &str = "devops@vsphere.local";
pub const AUDITOR: &str = "auditor@vsphere.local";
pub const PASSWORD: &str = "VMware1!";
/// Fixture OVF item without EULA (network `VM Network`, storage group `group1`).
pub const PHOTON: &str = "6f2c1d9e-1b1a-4c7e-8f00-5a6b7c8d9e01";
/// Fixture OVF item with a EULA and networks `VM Network` and `nat`.
pub const APPLIANCE: &str = "9d1b2c3a-4e5f-4a6b-8c7d-1e2f3a4b5c6d";
pub const LIBRARY: &str = "3f0b6b5e-6c2a-4d8e-9a5f-0c1d2e3f4a5b";
pub const POOL: &str = "resgroup-8";
pub const FOLDER: &str = "group-v3";
pub const NETWORK: &str = "network-17";
pub const DATASTORE: &str = "datastore-15";

pub async fn login_as(s: &Server, user: &str) -> String {
    let r =
        s.request(Method::POST, "/rest/com/vmware/cis/session").basic_auth(user, Some(PASSWORD)).send().await.unwrap();
    let (status, v) = json(r).await;
    assert_eq!(status, 200, "login {user}: {v}");
    v["value"].as_str().expect("session id").to_string()
}

pub async fn login(s: &Server) -> String {
    login_as(s, ADMIN).await
}

/// A `/rest` (or `/api`: same header) call with the session header and an optional JSON body; status and parsed
/// body (Null when empty).
pub async fn rest(s: &Server, sid: &str, method: Method, path: &str, body: Option<&Value>) -> (u16, Value) {
    let mut rb = s.request(method, path).header("vmware-api-session-id", sid);
    if let Some(b) = body {
        rb = rb.json(b);
    }
    let r = rb.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let v = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    };
    (status, v)
}

/// Asserts a `/rest` std error: status, `type` and `error_type`, and a non-empty message.
pub fn assert_rest_error(status: u16, v: &Value, want_status: u16, kind: &str) {
    assert_eq!(status, want_status, "{v}");
    assert_eq!(v["type"], format!("com.vmware.vapi.std.errors.{kind}"), "{v}");
    assert_eq!(v["value"]["error_type"], kind.to_ascii_uppercase(), "{v}");
    let m = &v["value"]["messages"][0];
    assert!(m["default_message"].as_str().is_some_and(|s| !s.is_empty()), "{v}");
    assert!(m["id"].as_str().is_some_and(|s| !s.is_empty()), "{v}");
    assert!(m["args"].is_array(), "{v}");
}

pub fn deploy_path(item: &str) -> String {
    format!("/rest/com/vmware/vcenter/ovf/library-item/id:{item}?~action=deploy")
}

/// `filter` of an OVF item for the fixture resource pool: what a client reads before it deploys.
pub async fn ovf_filter(s: &Server, sid: &str, item: &str) -> (u16, Value) {
    let path = format!("/rest/com/vmware/vcenter/ovf/library-item/id:{item}?~action=filter");
    rest(s, sid, Method::POST, &path, Some(&serde_json::json!({"target": {"resource_pool_id": POOL}}))).await
}

pub fn deploy_body(name: &str) -> Value {
    serde_json::json!({
        "target": {"resource_pool_id": POOL, "folder_id": FOLDER},
        "deployment_spec": {"name": name, "accept_all_EULA": true, "network_mappings": [{"key": "VM Network", "value": NETWORK}]}
    })
}

/// Number of VMs the user sees.
pub async fn vm_count(s: &Server, sid: &str) -> usize {
    let (st, v) = rest(s, sid, Method::GET, "/rest/vcenter/vm", None).await;
    assert_eq!(st, 200);
    v["value"].as_array().unwrap().len()
}
