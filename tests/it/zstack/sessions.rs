use reqwest::Method;
use serde_json::json;

use super::*;
use crate::common::{json, Server};

async fn login_answer(s: &Server, body: &serde_json::Value) -> (u16, serde_json::Value) {
    json(s.request(Method::PUT, "/zstack/v1/accounts/login").json(body).send().await.unwrap()).await
}

#[tokio::test]
async fn login_returns_a_session_inventory() {
    let s = Server::start().await;
    let r = s
        .request(Method::PUT, "/zstack/v1/accounts/login")
        .json(&login_body("admin", "password"))
        .send()
        .await
        .unwrap();
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let (status, v) = json(r).await;
    assert_eq!(status, 200);
    let inv = &v["inventory"];
    let uuid = inv["uuid"].as_str().unwrap();
    assert_eq!(uuid.len(), 32);
    assert!(uuid.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    assert_eq!(inv["accountUuid"], ADMIN_UUID);
    assert_eq!(inv["userUuid"], ADMIN_UUID);
    assert_eq!(inv["userType"], "AccountVO");
    for date in ["createDate", "expiredDate"] {
        let d = inv[date].as_str().unwrap();
        assert!(chrono::NaiveDateTime::parse_from_str(d, "%b %d, %Y %I:%M:%S %p").is_ok(), "{date}: {d}");
    }
    // The password hash is compared case-insensitively.
    let upper = json!({"logInByAccount": {"accountName": "admin", "password": sha512("password").to_uppercase()}});
    assert_eq!(login_answer(&s, &upper).await.0, 200);
}

#[tokio::test]
async fn wrong_password_and_unknown_account_are_id_1000() {
    let s = Server::start().await;
    for body in [
        login_body("admin", "wrong"),
        login_body("nobody", "password"),
        json!({"logInByAccount": {"accountName": "admin", "password": "password"}}),
    ] {
        let (status, v) = login_answer(&s, &body).await;
        assert_eq!(status, 503);
        assert_eq!(
            v,
            json!({"error": {"code": "ID.1000", "description": "Unable to authenticate a user", "details": "wrong account name or password"}})
        );
    }
}

#[tokio::test]
async fn missing_login_fields_are_sys_1007() {
    let s = Server::start().await;
    let (status, v) = login_answer(&s, &json!({"logInByAccount": {"password": sha512("password")}})).await;
    assert_eq!(status, 503);
    assert_eq!(v["error"]["code"], "SYS.1007");
    assert_eq!(
        v["error"]["details"],
        "field[accountName] of message[org.zstack.header.identity.APILogInByAccountMsg] is mandatory, can not be null"
    );
    let (_, v) = login_answer(&s, &json!({"logInByAccount": {"accountName": "admin"}})).await;
    assert_eq!(
        v["error"]["details"],
        "field[password] of message[org.zstack.header.identity.APILogInByAccountMsg] is mandatory, can not be null"
    );
    // The manual's old action key is not what current servers read.
    let (status, v) =
        login_answer(&s, &json!({"logIn": {"accountName": "admin", "password": sha512("password")}})).await;
    assert_eq!((status, v["error"]["code"].as_str()), (503, Some("SYS.1007")));
}

#[tokio::test]
async fn login_rejects_a_job_uuid_header_of_the_wrong_length() {
    let s = Server::start().await;
    let r = s
        .request(Method::PUT, "/zstack/v1/accounts/login")
        .header("X-Job-UUID", "1234")
        .json(&login_body("admin", "password"))
        .send()
        .await
        .unwrap();
    let (status, ct, body) = text(r).await;
    assert_eq!((status, body.as_str()), (400, "Invalid header[X-Job-UUID], it must be a UUID with '-' stripped"));
    assert!(ct.starts_with("text/plain"));
}

#[tokio::test]
async fn logout_then_validate_then_use() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    let (status, v) = json(s.get(&format!("/zstack/v1/accounts/sessions/{sid}/valid")).await).await;
    assert_eq!((status, v), (200, json!({"valid": true})));
    let r = s
        .request(Method::DELETE, &format!("/zstack/v1/accounts/sessions/{sid}?sessionUuid={sid}"))
        .send()
        .await
        .unwrap();
    let (status, v) = json(r).await;
    assert_eq!((status, v), (200, json!({})));
    let (status, v) = json(s.get(&format!("/zstack/v1/accounts/sessions/{sid}/valid")).await).await;
    assert_eq!((status, v), (200, json!({"valid": false})));
    // Logging out an unknown session also succeeds.
    let r = s
        .request(Method::DELETE, "/zstack/v1/accounts/sessions/00000000000000000000000000000000")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let (status, v) = get(&s, &sid, "/zstack/v1/vm-instances").await;
    assert_eq!(status, 503);
    assert_eq!(
        v,
        json!({"error": {"code": "ID.1001", "description": "The session is invalid, either wrong session id or the session has been expired", "details": "Session expired"}})
    );
    let location = submit(&s, &sid, SEED_VM, &json!({"stopVmInstance": {}})).await;
    assert_error(&poll(&s, &location).await, "ID.1001", "Session expired");
    // A fresh login works at once.
    let again = admin(&s).await;
    assert_eq!(get(&s, &again, "/zstack/v1/vm-instances?limit=1").await.0, 200);
}

#[tokio::test]
async fn sessions_age_in_real_time_so_the_virtual_clock_does_not_expire_them() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    s.advance(10.0 * 7200.0).await;
    assert_eq!(get(&s, &sid, "/zstack/v1/zones").await.0, 200);
}

#[tokio::test]
async fn expiring_credentials_on_purpose_gives_id_1001_sync_and_async() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    let other = tenant2(&s).await;
    let (status, v) =
        json(s.post_json("/_mockcloud/credentials/expire", &json!({"provider": "zstack", "token": sid})).await).await;
    assert_eq!((status, v["expired"].as_u64()), (200, Some(1)));
    let (status, v) = get(&s, &sid, "/zstack/v1/images").await;
    assert_eq!((status, v["error"]["code"].as_str()), (503, Some("ID.1001")));
    let location = submit(&s, &sid, SEED_VM, &json!({"stopVmInstance": {}})).await;
    assert_error(&poll(&s, &location).await, "ID.1001", "Session expired");
    let (status, v) = json(s.get(&format!("/zstack/v1/accounts/sessions/{sid}/valid")).await).await;
    assert_eq!((status, v), (200, json!({"valid": false})));
    // Only that credential expired.
    assert_eq!(get(&s, &other, "/zstack/v1/images").await.0, 200);
    // By tenant: the tenant is the account name.
    let (_, v) =
        json(s.post_json("/_mockcloud/credentials/expire", &json!({"provider": "zstack", "tenant": "tenant2"})).await)
            .await;
    assert_eq!(v["expired"], 1);
    assert_eq!(get(&s, &other, "/zstack/v1/images").await.0, 503);
}

#[tokio::test]
async fn with_product_credential_clock_sessions_expire_after_7200s_and_slide_on_use() {
    let s = Server::start_with(&["--clock", "virtual", "--seed", "42", "--credential-clock", "product"]).await;
    let idle = admin(&s).await;
    let busy = admin(&s).await;
    s.advance(7000.0).await;
    assert_eq!(get(&s, &busy, "/zstack/v1/zones").await.0, 200);
    s.advance(300.0).await;
    // 7300 s since login: the idle session expired, the one used at 7000 s was renewed for another 7200 s.
    let (status, v) = get(&s, &idle, "/zstack/v1/zones").await;
    assert_eq!((status, v["error"]["code"].as_str()), (503, Some("ID.1001")));
    assert_eq!(get(&s, &busy, "/zstack/v1/zones").await.0, 200);
    s.advance(7201.0).await;
    assert_eq!(get(&s, &busy, "/zstack/v1/zones").await.0, 503);
}

#[tokio::test]
async fn more_than_500_live_sessions_per_account_is_id_1006() {
    let s = Server::start().await;
    for _ in 0..500 {
        let r = s
            .request(Method::PUT, "/zstack/v1/accounts/login")
            .json(&login_body("tenant2", "tenant2-password"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let (status, v) = login_answer(&s, &login_body("tenant2", "tenant2-password")).await;
    assert_eq!(status, 503);
    assert_eq!(v["error"]["code"], "ID.1006");
    assert_eq!(v["error"]["description"], "Max number of active sessions exceeded");
    assert_eq!(v["error"]["details"], "Login sessions hit limit of max allowed concurrent login sessions");
    // Another account is not affected; ending sessions frees room.
    admin(&s).await;
    json(s.post_json("/_mockcloud/credentials/expire", &json!({"provider": "zstack", "tenant": "tenant2"})).await)
        .await;
    tenant2(&s).await;
}

#[tokio::test]
async fn state_lists_the_fixture_identities() {
    let s = Server::start().await;
    let (status, v) = json(s.get("/_mockcloud/state").await).await;
    assert_eq!(status, 200);
    let text = v.to_string();
    assert!(text.contains("\"accountName\":\"admin\"") && text.contains("\"password\":\"password\""), "{text}");
    assert!(text.contains("tenant2-password"));
}
