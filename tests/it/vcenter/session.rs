//! Login, session id by header or cookie, session info, logout, and credential expiry (issue 9).

use reqwest::Method;
use serde_json::json;

use super::support::*;
use crate::common::{json, Server};

#[tokio::test]
async fn login_sets_a_cookie_unless_header_authn_is_asked() {
    let s = Server::start().await;
    let r =
        s.request(Method::POST, "/rest/com/vmware/cis/session").basic_auth(ADMIN, Some(PASSWORD)).send().await.unwrap();
    let cookie = r.headers().get("set-cookie").map(|v| v.to_str().unwrap().to_string()).expect("cookie");
    let (st, v) = json(r).await;
    assert_eq!(st, 200);
    let sid = v["value"].as_str().unwrap();
    assert_eq!(sid.len(), 32);
    assert!(sid.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    assert!(cookie.starts_with(&format!("vmware-api-session-id={sid}")) && cookie.contains("Path=/rest"), "{cookie}");

    let r = s
        .request(Method::POST, "/rest/com/vmware/cis/session")
        .basic_auth(ADMIN, Some(PASSWORD))
        .header("vmware-use-header-authn", "true")
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("set-cookie").is_none());
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn bad_or_missing_credentials_are_unauthenticated() {
    let s = Server::start().await;
    for rb in [
        s.request(Method::POST, "/rest/com/vmware/cis/session").basic_auth(ADMIN, Some("wrong")),
        s.request(Method::POST, "/rest/com/vmware/cis/session").basic_auth("nobody@vsphere.local", Some(PASSWORD)),
        s.request(Method::POST, "/rest/com/vmware/cis/session"),
        s.request(Method::POST, "/rest/com/vmware/cis/session").header("authorization", "Basic !!!not-base64"),
    ] {
        let (st, v) = json(rb.send().await.unwrap()).await;
        assert_rest_error(st, &v, 401, "unauthenticated");
        assert_eq!(v["value"]["messages"][0]["id"], "com.vmware.vapi.endpoint.method.authentication.required");
    }
}

#[tokio::test]
async fn calls_need_a_session_by_header_or_cookie() {
    let s = Server::start().await;
    let (st, v) = json(s.get("/rest/vcenter/vm").await).await;
    assert_rest_error(st, &v, 401, "unauthenticated");
    let (st, v) = rest(&s, "0123456789abcdef0123456789abcdef", Method::GET, "/rest/vcenter/vm", None).await;
    assert_rest_error(st, &v, 401, "unauthenticated");

    let sid = login(&s).await;
    let r = s
        .request(Method::GET, "/rest/vcenter/vm")
        .header("cookie", format!("other=1; vmware-api-session-id={sid}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // `/api` takes the header only.
    let r = s
        .request(Method::GET, "/api/vcenter/vm")
        .header("cookie", format!("vmware-api-session-id={sid}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn session_get_and_logout() {
    let s = Server::start().await;
    let sid = login(&s).await;
    let (st, v) = rest(&s, &sid, Method::POST, "/rest/com/vmware/cis/session?~action=get", None).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["value"]["user"], "VSPHERE.LOCAL\\Administrator");
    assert!(v["value"]["created_time"].as_str().unwrap().ends_with('Z'));
    let (st, _) = rest(&s, &sid, Method::GET, "/rest/com/vmware/cis/session", None).await;
    assert_eq!(st, 200);
    let (st, v) = rest(&s, &sid, Method::DELETE, "/rest/com/vmware/cis/session", None).await;
    assert_eq!((st, v), (200, serde_json::Value::Null));
    let (st, v) = rest(&s, &sid, Method::GET, "/rest/vcenter/vm", None).await;
    assert_rest_error(st, &v, 401, "unauthenticated");
    // A fresh login works at once.
    let sid2 = login(&s).await;
    assert_eq!(rest(&s, &sid2, Method::GET, "/rest/vcenter/vm", None).await.0, 200);
}

#[tokio::test]
async fn sessions_age_in_real_time_and_expire_on_purpose() {
    let s = Server::start().await;
    let sid = login(&s).await;
    let other = login_as(&s, DEVOPS).await;
    s.advance(4.0 * 3600.0).await;
    assert_eq!(
        rest(&s, &sid, Method::GET, "/rest/vcenter/vm", None).await.0,
        200,
        "virtual time does not expire sessions"
    );
    let r = s.post_json("/_mockcloud/credentials/expire", &json!({"provider": "vcenter", "token": sid})).await;
    assert_eq!(r.status(), 200);
    let (st, v) = rest(&s, &sid, Method::GET, "/rest/vcenter/vm", None).await;
    assert_rest_error(st, &v, 401, "unauthenticated");
    assert_eq!(
        rest(&s, &other, Method::GET, "/rest/vcenter/vm", None).await.0,
        200,
        "only the matching session expired"
    );
}

#[tokio::test]
async fn sessions_age_with_the_product_clock_when_asked() {
    let s = Server::start_with(&["--clock", "virtual", "--seed", "7", "--credential-clock", "product"]).await;
    let sid = login(&s).await;
    s.advance(20.0 * 60.0).await;
    assert_eq!(rest(&s, &sid, Method::GET, "/rest/vcenter/vm", None).await.0, 200, "idle timer restarted by use");
    s.advance(31.0 * 60.0).await;
    let (st, v) = rest(&s, &sid, Method::GET, "/rest/vcenter/vm", None).await;
    assert_rest_error(st, &v, 401, "unauthenticated");
}

#[tokio::test]
async fn users_are_tenants() {
    let s = Server::start().await;
    let admin = login(&s).await;
    let devops = login_as(&s, DEVOPS).await;
    let (st, v) = rest(&s, &admin, Method::POST, &deploy_path(PHOTON), Some(&deploy_body("only-admin"))).await;
    assert_eq!(st, 200, "{v}");
    let (_, v) = rest(&s, &devops, Method::GET, "/rest/vcenter/vm?filter.names.1=only-admin", None).await;
    assert_eq!(v["value"], json!([]));
    let (_, v) = rest(&s, &admin, Method::GET, "/rest/vcenter/vm?filter.names.1=only-admin", None).await;
    assert_eq!(v["value"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn identities_are_listed_and_a_tenant_reset_restores_its_world() {
    let s = Server::start().await;
    let (_, state) = json(s.get("/_mockcloud/state").await).await;
    let users = state["identities"]["vcenter"]["users"].as_array().unwrap();
    assert!(users.iter().any(|u| u["user"] == ADMIN && u["password"] == PASSWORD), "{state}");
    let admin = login(&s).await;
    let devops = login_as(&s, DEVOPS).await;
    for sid in [&admin, &devops] {
        let (st, _) = rest(&s, sid, Method::POST, &deploy_path(PHOTON), Some(&deploy_body("to-reset"))).await;
        assert_eq!(st, 200);
    }
    let r = s.http.post(s.url(&format!("/_mockcloud/reset?tenant={ADMIN}"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let admin = login(&s).await;
    assert_eq!(vm_count(&s, &admin).await, 3, "the admin's world is back to the fixtures");
    assert_eq!(vm_count(&s, &devops).await, 4, "the other tenant keeps its VM and session");
}

#[tokio::test]
async fn an_expired_session_is_unauthenticated_in_every_encoding() {
    let s = Server::start().await;
    let sid = login(&s).await;
    let r = s.post_json("/_mockcloud/credentials/expire", &json!({"provider": "vcenter", "tenant": ADMIN})).await;
    assert_eq!(r.status(), 200);
    let r = s
        .request(Method::GET, "/rest/vcenter/vm")
        .header("vmware-api-session-id", &sid)
        .header("accept", "application/xml")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let body = r.text().await.unwrap();
    assert!(body.contains("<type>com.vmware.vapi.std.errors.unauthenticated</type>"), "{body}");
    let r = s.request(Method::GET, "/api/vcenter/vm").header("vmware-api-session-id", &sid).send().await.unwrap();
    let (st, v) = json(r).await;
    assert_eq!((st, v["error_type"].as_str()), (401, Some("UNAUTHENTICATED")));
    let rpc = json!({"jsonrpc": "2.0", "method": "invoke", "id": "1", "params": {"serviceId": "com.vmware.vcenter.VM", "operationId": "list",
        "input": {"STRUCTURE": {"operation-input": {"filter": {"OPTIONAL": null}}}},
        "ctx": {"securityCtx": {"schemeId": "com.vmware.vapi.std.security.session_id", "sessionId": sid}}}});
    let (st, v) = json(s.post_json("/api", &rpc).await).await;
    assert_eq!(st, 200);
    assert!(v["result"]["error"]["ERROR"]["com.vmware.vapi.std.errors.unauthenticated"].is_object(), "{v}");
}

#[tokio::test]
async fn the_journal_names_the_user_of_a_login() {
    let s = Server::start().await;
    login_as(&s, DEVOPS).await;
    let entries = s.journal("operation=vcenter.session.create").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["tenant"], DEVOPS, "{:?}", entries[0]);
}

/// A body over `--max-body-bytes` gets 413 with the vAPI error in the client's representation, and no session.
#[tokio::test]
async fn oversized_bodies_get_413_with_a_vapi_error() {
    let s = crate::common::Server::start_with(&["--clock", "virtual", "--max-body-bytes", "64"]).await;
    let sid = super::support::login(&s).await;
    let big = serde_json::json!({"spec": {"name": "x".repeat(200)}});
    let (status, v) =
        super::support::rest(&s, &sid, reqwest::Method::POST, "/rest/com/vmware/content/local-library", Some(&big))
            .await;
    assert_eq!(status, 413, "{v}");
    assert_eq!(v["type"], "com.vmware.vapi.std.errors.invalid_request", "{v}");
    assert_eq!(v["value"]["messages"][0]["id"], "com.vmware.vapi.rest.request.tooLarge", "{v}");
    let (status, libs) =
        super::support::rest(&s, &sid, reqwest::Method::GET, "/rest/com/vmware/content/local-library", None).await;
    assert_eq!(status, 200);
    assert!(libs["value"].as_array().is_some_and(|l| l.len() == 1), "nothing was created: {libs}");
}
