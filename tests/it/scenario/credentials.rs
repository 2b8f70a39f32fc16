//! Issue 9's scenario action on every real provider: a rule that matches one credential's requests expires
//! exactly that credential; it then gets the provider's own "expired" answer, another live credential of the
//! same tenant keeps working, and a fresh login works at once.

use reqwest::Method;
use serde_json::{json, Value};

use super::load;
use crate::common::Server;
use crate::{horizon, k5, vcenter, zstack};

/// Loads a rule expiring the credential presented in `header` (exact value) on its first matching request.
async fn expire_on_use(s: &Server, name: &str, header: &str, value: &str) {
    load(
        s,
        &json!({"name": name, "rules": [
            {"match": {"headers": {header: value}}, "select": {"first": 1}, "act": {"expire_credential": true}}
        ]}),
    )
    .await;
}

async fn rule_of_last(s: &Server, status: u16) -> Value {
    let entries = s.journal(&format!("status={status}&limit=1")).await;
    entries.first().map(|e| e["rule"].clone()).unwrap_or(Value::Null)
}

#[tokio::test]
async fn zstack_session_expired_by_a_rule_gets_id_1001() {
    let s = Server::start().await;
    let (a, b) = (zstack::admin(&s).await, zstack::admin(&s).await);
    expire_on_use(&s, "zs-expiry", "authorization", &format!("OAuth {a}")).await;
    let (status, v) = zstack::get(&s, &a, "/zstack/v1/images").await;
    assert_eq!((status, v["error"]["code"].as_str()), (503, Some("ID.1001")), "{v}");
    assert_eq!(rule_of_last(&s, 503).await, "zs-expiry/rules[0]");
    assert_eq!(zstack::get(&s, &b, "/zstack/v1/images").await.0, 200, "the other session lives on");
    assert_eq!(zstack::get(&s, &a, "/zstack/v1/images").await.0, 503, "expired stays expired");
    let fresh = zstack::admin(&s).await;
    assert_eq!(zstack::get(&s, &fresh, "/zstack/v1/images").await.0, 200);
}

#[tokio::test]
async fn k5_token_expired_by_a_rule_gets_keystones_401() {
    let s = Server::start().await;
    let (a, b) = (k5::util::alice(&s).await, k5::util::alice(&s).await);
    expire_on_use(&s, "k5-expiry", "x-auth-token", &a).await;
    let images = "/image/v2/images";
    let (status, _) = k5::util::call(&s, Method::GET, images, &a, None).await;
    assert_eq!(status, 401);
    let r = s.request(Method::GET, "/v3/auth/tokens").header("X-Auth-Token", &b).header("X-Subject-Token", &a);
    let (status, v) = crate::common::json(r.send().await.unwrap()).await;
    assert_eq!((status, v["error"]["code"].as_u64()), (404, Some(404)), "Keystone no longer knows it: {v}");
    assert_eq!(k5::util::call(&s, Method::GET, images, &b, None).await.0, 200, "the other token lives on");
    let fresh = k5::util::alice(&s).await;
    assert_eq!(k5::util::call(&s, Method::GET, images, &fresh, None).await.0, 200);
}

#[tokio::test]
async fn vcenter_session_expired_by_a_rule_gets_unauthenticated() {
    let s = Server::start().await;
    let (a, b) = (vcenter::support::login(&s).await, vcenter::support::login(&s).await);
    expire_on_use(&s, "vc-expiry", "vmware-api-session-id", &a).await;
    let (status, v) = vcenter::support::rest(&s, &a, Method::GET, "/rest/vcenter/vm", None).await;
    vcenter::support::assert_rest_error(status, &v, 401, "unauthenticated");
    assert_eq!(vcenter::support::rest(&s, &b, Method::GET, "/rest/vcenter/vm", None).await.0, 200);
    let fresh = vcenter::support::login(&s).await;
    assert_eq!(vcenter::support::rest(&s, &fresh, Method::GET, "/rest/vcenter/vm", None).await.0, 200);
}

#[tokio::test]
async fn horizon_access_token_expired_by_a_rule_gets_401() {
    let s = Server::start().await;
    let (a, b) = (horizon::login(&s, horizon::ADMIN_A).await, horizon::login(&s, horizon::ADMIN_A).await);
    expire_on_use(&s, "hz-expiry", "authorization", &format!("Bearer {a}")).await;
    let images = "/imagemgmt/v1/images";
    let (status, v) = horizon::call(&s, Method::GET, images, &a, None).await;
    assert_eq!(status, 401, "{v}");
    assert_eq!(horizon::call(&s, Method::GET, images, &b, None).await.0, 200, "the other token lives on");
    assert_eq!(horizon::call(&s, Method::GET, images, &a, None).await.0, 401, "expired stays expired");
    let fresh = horizon::login(&s, horizon::ADMIN_A).await;
    assert_eq!(horizon::call(&s, Method::GET, images, &fresh, None).await.0, 200);
}
