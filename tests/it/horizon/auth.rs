//! The CSP token service, the Bearer check, org scoping and credential expiry (issue 9).

use base64::Engine;
use reqwest::Method;
use serde_json::{json, Value};

use super::*;
use crate::common::{json, Server};

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("JWT payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).expect("base64url");
    serde_json::from_slice(&bytes).expect("claims JSON")
}

async fn form(s: &Server, path: &str, body: &str) -> reqwest::Response {
    s.request(Method::POST, path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

fn assert_csp_error(status: u16, v: &Value, expected: u16, csp_code: &str) {
    assert_eq!(status, expected, "{v}");
    assert_eq!(v["statusCode"], expected, "{v}");
    assert_eq!(v["cspErrorCode"], csp_code, "{v}");
    assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    assert!(v["requestId"].is_string(), "{v}");
}

#[tokio::test]
async fn api_token_login_answers_a_jwt_carrying_the_org() {
    let s = Server::start().await;
    let r = form(&s, "/csp/gateway/am/api/auth/api-tokens/authorize", &format!("api_token={ADMIN_A}")).await;
    assert_eq!(r.headers()["content-type"], "application/json", "hcs-cli compares the content type exactly");
    let (status, v) = json(r).await;
    assert_eq!(status, 200);
    assert_eq!(v["token_type"], "bearer");
    let expires_in = v["expires_in"].as_i64().unwrap();
    assert!((1790..=1800).contains(&expires_in), "expires_in {expires_in}");
    let access = v["access_token"].as_str().unwrap();
    assert!(access.starts_with("eyJ") && access.matches('.').count() == 2);
    let c = claims(access);
    assert_eq!(c["context_name"], ORG_A);
    assert!(c["perms"].as_array().unwrap().iter().any(|p| p == "external/imagemgmt:admin"));
    let exp = c["exp"].as_i64().unwrap();
    let now = chrono::Utc::now().timestamp();
    assert!((now + 1700..=now + 1801).contains(&exp), "exp is 30 minutes away on the wall clock");
    assert!(v["refresh_token"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(v["id_token"].as_str().is_some_and(|t| t.starts_with("eyJ")));

    // The deprecated form (PowerShell module): refresh_token=<API token>.
    let r = form(
        &s,
        "/csp/gateway/am/api/auth/api-tokens/authorize",
        &format!("refresh_token={ADMIN_A}&grant_type=refresh_token"),
    )
    .await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn unknown_or_missing_api_token_gets_a_400_csp_error() {
    let s = Server::start().await;
    let (st, v) =
        json(form(&s, "/csp/gateway/am/api/auth/api-tokens/authorize", "api_token=no-such-token").await).await;
    assert_csp_error(st, &v, 400, "invalid_grant");
    let (st, v) = json(form(&s, "/csp/gateway/am/api/auth/api-tokens/authorize", "").await).await;
    assert_csp_error(st, &v, 400, "invalid_request");
}

#[tokio::test]
async fn client_credentials_grant_checks_the_client() {
    let s = Server::start().await;
    let path = "/csp/gateway/am/api/auth/authorize?grant_type=client_credentials";
    let ok =
        s.request(Method::POST, path).basic_auth("hzn-b-client", Some("hzn-b-client-secret")).send().await.unwrap();
    let (st, v) = json(ok).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(claims(v["access_token"].as_str().unwrap())["context_name"], ORG_B);

    // The hcs auth-service flavour answers the same way.
    let ok = s
        .request(Method::POST, "/auth/v1/oauth/token?grant_type=client_credentials")
        .basic_auth("hzn-a-client", Some("hzn-a-client-secret"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);

    let bad = s.request(Method::POST, path).basic_auth("hzn-b-client", Some("wrong")).send().await.unwrap();
    let (st, v) = json(bad).await;
    assert_csp_error(st, &v, 401, "invalid_client");

    let no_grant = s
        .request(Method::POST, "/csp/gateway/am/api/auth/authorize")
        .basic_auth("hzn-b-client", Some("hzn-b-client-secret"))
        .send()
        .await
        .unwrap();
    let (st, v) = json(no_grant).await;
    assert_csp_error(st, &v, 400, "unsupported_grant_type");

    let other_org = s
        .request(Method::POST, &format!("{path}&orgId={ORG_A}"))
        .basic_auth("hzn-b-client", Some("hzn-b-client-secret"))
        .send()
        .await
        .unwrap();
    let (st, v) = json(other_org).await;
    assert_csp_error(st, &v, 400, "invalid_grant");
}

#[tokio::test]
async fn refresh_grant_issues_a_new_access_token_and_refuses_unknown_ones() {
    let s = Server::start().await;
    let (_, v) =
        json(form(&s, "/csp/gateway/am/api/auth/api-tokens/authorize", &format!("api_token={ADMIN_A}")).await).await;
    let refresh = v["refresh_token"].as_str().unwrap();
    let r =
        form(&s, "/csp/gateway/am/api/auth/token", &format!("grant_type=refresh_token&refresh_token={refresh}")).await;
    let (st, v) = json(r).await;
    assert_eq!(st, 200, "{v}");
    let token = v["access_token"].as_str().unwrap();
    assert_eq!(get(&s, "/imagemgmt/v1/images", token).await.0, 200);

    let (st, v) =
        json(form(&s, "/csp/gateway/am/api/auth/token", "grant_type=refresh_token&refresh_token=nope").await).await;
    assert_csp_error(st, &v, 400, "invalid_grant");
    let (st, v) = json(form(&s, "/csp/gateway/am/api/auth/token", &format!("refresh_token={refresh}")).await).await;
    assert_csp_error(st, &v, 400, "unsupported_grant_type");
}

#[tokio::test]
async fn api_calls_without_a_valid_bearer_get_401() {
    let s = Server::start().await;
    let r = s.get("/imagemgmt/v1/images").await;
    assert!(r.headers().contains_key("www-authenticate"));
    let got = json(r).await;
    assert_error(&got, 401, "UNAUTHORIZED", "authentication");

    let r = s.request(Method::GET, "/ims-catalog/v1/images").basic_auth("u", Some("p")).send().await.unwrap();
    assert_error(&json(r).await, 401, "UNAUTHORIZED", "Basic");

    assert_error(&get(&s, "/imagemgmt/v1/images", "not-a-jwt").await, 401, "INVALID_TOKEN", "malformed");

    // A token whose claims were edited (org swapped) no longer carries our signature.
    let token = login(&s, ADMIN_A).await;
    let parts: Vec<&str> = token.split('.').collect();
    let mut c = claims(&token);
    c["context_name"] = json!(ORG_B);
    let forged_payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(c.to_string());
    let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
    assert_error(&get(&s, "/imagemgmt/v1/images", &forged).await, 401, "INVALID_TOKEN", "malformed");

    // Writes need auth before anything else is looked at.
    let got = s.post_json(&format!("/imagemgmt/v1/images/{IMG_SIG}/versions"), &json!({"versionType": "MAJOR"})).await;
    assert_error(&json(got).await, 401, "UNAUTHORIZED", "authentication");
}

#[tokio::test]
async fn tokens_outlive_virtual_time_but_not_an_expire_call() {
    let s = Server::start().await;
    let token = login(&s, ADMIN_A).await;
    let other = login(&s, ADMIN_B).await;
    s.advance(10.0 * 3600.0).await;
    assert_eq!(get(&s, "/imagemgmt/v1/images", &token).await.0, 200, "credentials age in real time by default");

    let r = s.post_json("/_mockcloud/credentials/expire", &json!({"provider": "horizon", "token": token})).await;
    let (st, v) = json(r).await;
    assert_eq!(st, 200, "{v}");
    assert_error(&get(&s, "/imagemgmt/v1/images", &token).await, 401, "INVALID_TOKEN", "expired");
    assert_eq!(get(&s, "/imagemgmt/v1/images", &other).await.0, 200, "only the named token expired");

    let fresh = login(&s, ADMIN_A).await;
    assert_eq!(get(&s, "/imagemgmt/v1/images", &fresh).await.0, 200, "a fresh login works at once");
}

#[tokio::test]
async fn with_the_product_credential_clock_a_virtual_advance_expires_tokens() {
    let s = Server::start_with(&["--clock", "virtual", "--seed", "42", "--credential-clock", "product"]).await;
    let token = login(&s, ADMIN_A).await;
    s.advance(1700.0).await;
    assert_eq!(get(&s, "/imagemgmt/v1/images", &token).await.0, 200);
    s.advance(101.0).await;
    assert_error(&get(&s, "/imagemgmt/v1/images", &token).await, 401, "INVALID_TOKEN", "expired");

    // A token issued after the advance still reports its lifetime from the product clock's now.
    let r = form(&s, "/csp/gateway/am/api/auth/api-tokens/authorize", &format!("api_token={ADMIN_A}")).await;
    let (_, v) = json(r).await;
    let expires_in = v["expires_in"].as_i64().unwrap();
    assert!((1790..=1800).contains(&expires_in), "expires_in {expires_in}");
    let c = claims(v["access_token"].as_str().unwrap());
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 1800);
}

#[tokio::test]
async fn tokens_act_only_for_their_org_and_read_only_tokens_cannot_write() {
    let s = Server::start().await;
    let a = login(&s, ADMIN_A).await;
    let b = login(&s, ADMIN_B).await;
    let ro = login(&s, READONLY_A).await;

    assert_error(&get(&s, &format!("/imagemgmt/v1/images?org_id={ORG_B}"), &a).await, 403, "FORBIDDEN", ORG_B);
    assert_error(&get(&s, &format!("/ims-catalog/v1/images?orgId={ORG_B}"), &a).await, 403, "FORBIDDEN", ORG_B);
    assert_eq!(get(&s, &format!("/ims-catalog/v1/images?org_id={ORG_A}&orgId={ORG_A}"), &a).await.0, 200);

    // Another org's resources do not exist for this token.
    assert_error(&get(&s, &format!("/imagemgmt/v1/images/{IMG_B}"), &a).await, 404, "IMAGE_NOT_FOUND", IMG_B);
    assert_error(&get(&s, &format!("/imagemgmt/v1/images/{IMG_SIG}"), &b).await, 404, "IMAGE_NOT_FOUND", IMG_SIG);
    let (_, list_b) = get(&s, "/imagemgmt/v1/images", &b).await;
    assert_eq!(list_b["totalElements"], 1);

    assert_eq!(get(&s, "/imagemgmt/v1/images", &ro).await.0, 200);
    let got = post(&s, "/imagemgmt/v1/images?action=import", &ro, &import_body("ro-image")).await;
    assert_error(&got, 403, "FORBIDDEN", "permission");
    let got =
        post(&s, &format!("/imagemgmt/v1/images/{IMG_SIG}/versions"), &ro, &json!({"versionType": "MAJOR"})).await;
    assert_error(&got, 403, "FORBIDDEN", "permission");

    // A body naming another org is refused too.
    let mut body = import_body("other-org-image");
    body["orgId"] = json!(ORG_B);
    assert_error(&post(&s, "/imagemgmt/v1/images", &a, &body).await, 403, "FORBIDDEN", ORG_B);
    let got = post(
        &s,
        &format!("/imagemgmt/v1/images/{IMG_SIG}/versions"),
        &a,
        &json!({"versionType": "MAJOR", "orgId": ORG_B}),
    )
    .await;
    assert_error(&got, 403, "FORBIDDEN", ORG_B);
}

#[tokio::test]
async fn state_lists_the_fixture_identities() {
    let s = Server::start().await;
    let (st, v) = json(s.get("/_mockcloud/state").await).await;
    assert_eq!(st, 200);
    let text = v.to_string();
    for needle in [ADMIN_A, READONLY_A, ADMIN_B, "hzn-a-client-secret"] {
        assert!(text.contains(needle), "state should list {needle}");
    }
}

#[tokio::test]
async fn orgs_are_tenants_for_the_journal_and_for_reset() {
    let s = Server::start().await;
    let a = login(&s, ADMIN_A).await;
    let b = login(&s, ADMIN_B).await;
    assert_eq!(post(&s, "/imagemgmt/v1/images", &a, &import_body("to-be-reset")).await.0, 201);
    let mut body_b = import_body("kept-in-b");
    body_b["orgId"] = json!(ORG_B);
    body_b["providerInstanceId"] = json!("6560000000000000000000b1");
    assert_eq!(post(&s, "/imagemgmt/v1/images", &b, &body_b).await.0, 201);

    let entries = s.journal(&format!("operation=horizon.image.create&tenant={ORG_A}")).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    let logins = s.journal(&format!("operation=horizon.token.apiToken&tenant={ORG_B}")).await;
    assert_eq!(logins.len(), 1, "a login is journaled under the API token's org: {logins:?}");

    let r = s.request(Method::POST, &format!("/_mockcloud/reset?tenant={ORG_A}")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_error(&get(&s, "/imagemgmt/v1/images", &a).await, 401, "INVALID_TOKEN", "");
    let a = login(&s, ADMIN_A).await;
    assert_eq!(image_count(&s, &a).await, 7, "org A is back to its fixtures");
    assert_eq!(image_count(&s, &b).await, 2, "org B kept its image and its token");
}
