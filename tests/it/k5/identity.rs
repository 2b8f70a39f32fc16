//! Keystone v3 as K5 runs it: discovery, token issue in every documented form, the catalog with K5's endpoint
//! names, validation/revocation, project listings, Keystone's error envelope, and credential ageing (issue 9).

use reqwest::Method;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::util::*;
use crate::common::{json, Server};

async fn login(s: &Server, body: &Value) -> (u16, Option<String>, Value) {
    let r = s.post_json("/v3/auth/tokens", body).await;
    let tok = r.headers().get("x-subject-token").map(|v| v.to_str().unwrap().to_string());
    let (st, v) = json(r).await;
    (st, tok, v)
}

fn assert_keystone_401(st: u16, v: &Value) {
    assert_eq!(st, 401, "{v}");
    assert_eq!(
        v,
        &json!({"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}})
    );
}

#[tokio::test]
async fn version_discovery_documents() {
    let s = Server::start().await;
    let r = s.get("/").await;
    assert_eq!(r.status(), 300);
    assert_eq!(r.headers()["location"].to_str().unwrap(), format!("{}/v3/", s.base));
    let (_, v) = json(r).await;
    assert_eq!(v["versions"]["values"][0]["id"], "v3.6");
    assert_eq!(v["versions"]["values"][0]["links"][0]["href"], format!("{}/v3/", s.base));
    for p in ["/v3", "/v3/"] {
        let (st, v) = json(s.get(p).await).await;
        assert_eq!(st, 200);
        assert_eq!(v["version"]["status"], "stable");
        assert_eq!(v["version"]["media-types"][0]["type"], "application/vnd.openstack.identity-v3+json");
    }
}

#[tokio::test]
async fn password_token_scoped_to_a_project_carries_the_k5_catalog() {
    let s = Server::start().await;
    let (st, tok, v) =
        login(&s, &password_body("alice", "alice-k5-pass", CONTRACT_A, Some(json!({"project": {"id": DEV}})))).await;
    assert_eq!(st, 201);
    let tok = tok.unwrap();
    assert_eq!(tok.len(), 32);
    assert!(tok.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    let t = &v["token"];
    assert_eq!(t["methods"], json!(["password"]));
    assert_eq!(t["user"]["name"], "alice");
    assert_eq!(t["user"]["id"], ALICE_ID);
    assert_eq!(t["user"]["domain"], json!({"id": CONTRACT_A_ID, "name": CONTRACT_A}));
    assert_eq!(
        t["project"],
        json!({"domain": {"id": CONTRACT_A_ID, "name": CONTRACT_A}, "id": DEV, "name": "K5DEMO01-prj-dev"})
    );
    assert_eq!(t["roles"][0]["name"], "cpf_admin");
    let issued = chrono::DateTime::parse_from_rfc3339(t["issued_at"].as_str().unwrap()).unwrap();
    let expires = chrono::DateTime::parse_from_rfc3339(t["expires_at"].as_str().unwrap()).unwrap();
    assert_eq!((expires - issued).num_seconds(), 3 * 3600);
    assert!(t["expires_at"].as_str().unwrap().ends_with('Z') && t["expires_at"].as_str().unwrap().len() == 27);

    let catalog = t["catalog"].as_array().unwrap();
    let find = |kind: &str| catalog.iter().find(|c| c["type"] == kind).unwrap_or_else(|| panic!("{kind}")).clone();
    for (kind, name, url) in [
        ("identity", "identityv3", format!("{}/v3", s.base)),
        ("object-store", "objectstorage", format!("{}/objectstorage/v1/AUTH_{DEV}", s.base)),
        ("image", "image", format!("{}/image", s.base)),
        ("vmimport", "vmimport", format!("{}/vmimport", s.base)),
        ("import-export", "import-export", format!("{}/import-export", s.base)),
    ] {
        let svc = find(kind);
        assert_eq!(svc["name"], name);
        let ep = &svc["endpoints"][0];
        assert_eq!(svc["endpoints"].as_array().unwrap().len(), 1);
        assert_eq!(ep["name"], name);
        assert_eq!(ep["url"], url);
        assert_eq!(ep["interface"], "public");
        assert_eq!(ep["region"], "jp-east-1");
        assert_eq!(ep["region_id"], "jp-east-1");
    }
}

#[tokio::test]
async fn every_documented_way_to_name_user_and_scope_works() {
    let s = Server::start().await;
    let by_user_id = json!({"auth": {"identity": {"methods": ["password"],
        "password": {"user": {"id": ALICE_ID, "password": "alice-k5-pass"}}},
        "scope": {"project": {"name": "K5DEMO01-prj-prod", "domain": {"name": CONTRACT_A}}}}});
    let (st, _, v) = login(&s, &by_user_id).await;
    assert_eq!(st, 201);
    assert_eq!(v["token"]["project"]["id"], PROD);

    let by_domain_id = json!({"auth": {"identity": {"methods": ["password"],
        "password": {"user": {"name": "alice", "domain": {"id": CONTRACT_A_ID}, "password": "alice-k5-pass"}}},
        "scope": {"project": {"name": "K5DEMO01-prj-dev", "domain": {"id": CONTRACT_A_ID}}}}});
    assert_eq!(login(&s, &by_domain_id).await.0, 201);

    // No scope: the user's default project when the user has a role there.
    let (_, _, v) = login(&s, &password_body("alice", "alice-k5-pass", CONTRACT_A, None)).await;
    assert_eq!(v["token"]["project"]["id"], DEV);
    // ...otherwise an unscoped token: no project, roles or catalog.
    let (st, _, v) = login(&s, &password_body("dave", "dave-k5-pass", CONTRACT_A, None)).await;
    assert_eq!(st, 201);
    let t = v["token"].as_object().unwrap();
    assert!(!t.contains_key("project") && !t.contains_key("roles") && !t.contains_key("catalog"));
    let (_, _, v) = login(&s, &password_body("alice", "alice-k5-pass", CONTRACT_A, Some(json!("unscoped")))).await;
    assert!(v["token"].get("project").is_none());

    // Domain scope: no object storage in the catalog (it needs a project).
    let (st, _, v) =
        login(&s, &password_body("alice", "alice-k5-pass", CONTRACT_A, Some(json!({"domain": {"name": CONTRACT_A}}))))
            .await;
    assert_eq!(st, 201);
    assert_eq!(v["token"]["domain"]["id"], CONTRACT_A_ID);
    assert!(v["token"]["catalog"].as_array().unwrap().iter().all(|c| c["type"] != "object-store"));
}

#[tokio::test]
async fn token_method_rescopes_and_keeps_the_parent_expiry() {
    let s = Server::start().await;
    let (_, unscoped, first) =
        login(&s, &password_body("alice", "alice-k5-pass", CONTRACT_A, Some(json!("unscoped")))).await;
    let body = json!({"auth": {"identity": {"methods": ["token"], "token": {"id": unscoped.unwrap()}},
        "scope": {"project": {"id": PROD}}}});
    let (st, tok, v) = login(&s, &body).await;
    assert_eq!(st, 201);
    assert_eq!(v["token"]["project"]["id"], PROD);
    assert_eq!(v["token"]["methods"], json!(["token", "password"]));
    let a = chrono::DateTime::parse_from_rfc3339(first["token"]["expires_at"].as_str().unwrap()).unwrap();
    let b = chrono::DateTime::parse_from_rfc3339(v["token"]["expires_at"].as_str().unwrap()).unwrap();
    assert!((a - b).num_milliseconds().abs() < 1000, "{a} vs {b}");
    // The rescoped token works where a project is needed.
    let (st, _) =
        call(&s, Method::GET, &format!("/objectstorage/v1/AUTH_{PROD}?format=json"), &tok.unwrap(), None).await;
    assert_eq!(st, 200);
}

#[tokio::test]
async fn refused_logins_are_keystone_401s_with_www_authenticate() {
    let s = Server::start().await;
    for body in [
        password_body("alice", "wrong", CONTRACT_A, None),
        password_body("nobody", "x", CONTRACT_A, None),
        password_body("alice", "alice-k5-pass", "NOSUCHCT", None),
        password_body("carol", "carol-k5-pass", CONTRACT_A, None),
        password_body("alice", "alice-k5-pass", CONTRACT_A, Some(json!({"project": {"id": "0".repeat(32)}}))),
        password_body("alice", "alice-k5-pass", CONTRACT_A, Some(json!({"project": {"id": B_PRJ}}))),
        password_body("bob", "bob-k5-pass", CONTRACT_A, Some(json!({"project": {"id": PROD}}))),
        password_body("dave", "dave-k5-pass", CONTRACT_A, Some(json!({"domain": {"name": CONTRACT_A}}))),
        json!({"auth": {"identity": {"methods": ["totp"], "totp": {}}}}),
        json!({"auth": {"identity": {"methods": ["token"], "token": {"id": "f".repeat(32)}}}}),
    ] {
        let r = s.post_json("/v3/auth/tokens", &body).await;
        assert_eq!(r.headers()["www-authenticate"].to_str().unwrap(), format!("Keystone uri=\"{}/v3\"", s.base));
        assert!(r.headers().get("x-subject-token").is_none());
        let (st, v) = json(r).await;
        assert_keystone_401(st, &v);
    }
}

#[tokio::test]
async fn malformed_auth_bodies_are_keystone_400s() {
    let s = Server::start().await;
    for (body, needle) in [
        ("not json", "could not be parsed as JSON"),
        ("[]", "is not of type 'object'"),
        ("{}", "'auth' is a required property"),
        (r#"{"auth":{"identity":{"methods":["password"]}}}"#, "'password' is a required property"),
        (
            r#"{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"alice","password":"x"}}}}}"#,
            "domain",
        ),
    ] {
        let r = s
            .request(Method::POST, "/v3/auth/tokens")
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let (st, v) = json(r).await;
        assert_eq!(st, 400, "{body}");
        assert_eq!(v["error"]["code"], 400);
        assert_eq!(v["error"]["title"], "Bad Request");
        assert!(v["error"]["message"].as_str().unwrap().contains(needle), "{v}");
    }
}

#[tokio::test]
async fn validate_check_and_revoke() {
    let s = Server::start().await;
    let caller = alice(&s).await;
    let subject = project_token(&s, "carol", CONTRACT_B, B_PRJ).await;
    let req = |m: Method, sub: &str| {
        s.request(m, "/v3/auth/tokens").header("X-Auth-Token", &caller).header("X-Subject-Token", sub.to_string())
    };
    let r = req(Method::GET, &subject).send().await.unwrap();
    assert_eq!(r.headers()["x-subject-token"].to_str().unwrap(), subject);
    let (st, v) = json(r).await;
    assert_eq!(st, 200);
    assert_eq!(v["token"]["user"]["name"], "carol");
    let (_, v) = json(req(Method::GET, &subject).query(&[("nocatalog", "1")]).send().await.unwrap()).await;
    assert!(v["token"].get("catalog").is_none());
    assert_eq!(req(Method::HEAD, &subject).send().await.unwrap().status(), 200);

    let (st, v) = json(req(Method::GET, &"a".repeat(32)).send().await.unwrap()).await;
    assert_eq!(st, 404);
    assert_eq!(v["error"]["message"], format!("Could not find token: {}.", "a".repeat(32)));
    assert_eq!(req(Method::HEAD, &"a".repeat(32)).send().await.unwrap().status(), 404);

    let r = s.request(Method::GET, "/v3/auth/tokens").header("X-Auth-Token", &caller).send().await.unwrap();
    let (st, v) = json(r).await;
    assert_eq!(st, 400);
    assert!(v["error"]["message"].as_str().unwrap().contains("X-Subject-Token"));
    let r = s.request(Method::GET, "/v3/auth/tokens").header("X-Subject-Token", &subject).send().await.unwrap();
    let (st, v) = json(r).await;
    assert_keystone_401(st, &v);

    assert_eq!(req(Method::DELETE, &subject).send().await.unwrap().status(), 204);
    assert_eq!(req(Method::GET, &subject).send().await.unwrap().status(), 404);
    assert_eq!(req(Method::DELETE, &subject).send().await.unwrap().status(), 404);
    // A revoked token is refused everywhere.
    let (st, _) = call(&s, Method::GET, "/v1/imageimport", &subject, None).await;
    assert_eq!(st, 401);
    // A fresh login works at once.
    assert_eq!(login(&s, &password_body("carol", "carol-k5-pass", CONTRACT_B, None)).await.0, 201);
}

#[tokio::test]
async fn catalog_and_project_listings() {
    let s = Server::start().await;
    let t = alice(&s).await;
    let (st, v) = call(&s, Method::GET, "/v3/auth/catalog", &t, None).await;
    assert_eq!(st, 200);
    assert_eq!(v["catalog"].as_array().unwrap().len(), 5);
    assert!(v["links"]["self"].as_str().unwrap().ends_with("/v3/auth/catalog"));

    let (st, v) = call(&s, Method::GET, &format!("/v3/users/{ALICE_ID}/projects"), &t, None).await;
    assert_eq!(st, 200);
    let names: Vec<&str> = v["projects"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"K5DEMO01-prj-dev") && names.contains(&"K5DEMO01-prj-prod"));
    let p = &v["projects"][0];
    for key in ["id", "name", "description", "enabled", "domain_id", "links"] {
        assert!(p.get(key).is_some(), "{key}");
    }
    let (st, v2) = call(&s, Method::GET, "/v3/auth/projects", &t, None).await;
    assert_eq!((st, &v2["projects"]), (200, &v["projects"]));

    // k5env-script's flow: an unscoped token lists the user's projects.
    let unscoped = token(&s, "alice", CONTRACT_A, Some(json!("unscoped"))).await;
    assert_eq!(call(&s, Method::GET, &format!("/v3/users/{ALICE_ID}/projects"), &unscoped, None).await.0, 200);
    let (st, _) = call(&s, Method::GET, "/v3/auth/catalog", &unscoped, None).await;
    assert_eq!(st, 403);

    let carol = token(&s, "carol", CONTRACT_B, None).await;
    let (st, v) = call(&s, Method::GET, &format!("/v3/users/{ALICE_ID}/projects"), &carol, None).await;
    assert_eq!(st, 403);
    assert_eq!(v["error"]["code"], 403);
    assert_eq!(call(&s, Method::GET, "/v3/auth/catalog", "nope", None).await.0, 401);
}

/// K5 shell samples grep the raw response for `X-Subject-Token` case-sensitively and keep one JSON line.
#[tokio::test]
async fn raw_wire_has_title_case_subject_token_and_one_json_line() {
    let s = Server::start().await;
    let body = password_body("alice", "alice-k5-pass", CONTRACT_A, Some(json!({"project": {"id": DEV}}))).to_string();
    let mut sock = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    let req = format!(
        "POST /v3/auth/tokens HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        s.addr,
        body.len()
    );
    sock.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    sock.read_to_end(&mut raw).await.unwrap();
    let raw = String::from_utf8(raw).unwrap();
    assert!(raw.starts_with("HTTP/1.1 201 Created\r\n"), "{raw}");
    assert!(raw.contains("\r\nX-Subject-Token: "), "{raw}");
    let body = raw.split("\r\n\r\n").nth(1).unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines.len(), 1);
    assert!(serde_json::from_str::<Value>(lines[0]).is_ok());
}

#[tokio::test]
async fn expiry_is_rehearsed_by_admin_call_and_with_the_product_credential_clock() {
    let s = Server::start_with(&["--clock", "virtual", "--seed", "3", "--credential-clock", "product"]).await;
    let t = alice(&s).await;
    let keep = alice(&s).await;
    s.advance(2.0 * 3600.0).await;
    assert_eq!(call(&s, Method::GET, "/v1/imageimport", &t, None).await.0, 200);
    s.advance(3600.0).await;
    let (st, v) = call(&s, Method::GET, "/v1/imageimport", &t, None).await;
    assert_keystone_401(st, &v);
    let r = s.request(Method::GET, &format!("/objectstorage/v1/AUTH_{DEV}")).header("X-Auth-Token", &keep).send().await;
    assert_eq!(r.unwrap().status(), 401);

    // Admin expiry of one token leaves the others alone.
    let a = alice(&s).await;
    let b = alice(&s).await;
    let r = s.post_json("/_mockcloud/credentials/expire", &json!({"provider": "k5", "token": a})).await;
    let (_, v) = json(r).await;
    assert_eq!(v["expired"], 1, "{v}");
    assert_eq!(call(&s, Method::GET, "/v1/imageimport", &a, None).await.0, 401);
    assert_eq!(call(&s, Method::GET, "/v1/imageimport", &b, None).await.0, 200);
    // Tenant-wide expiry: every DEV token.
    let r = s.post_json("/_mockcloud/credentials/expire", &json!({"provider": "k5", "tenant": DEV})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(call(&s, Method::GET, "/v1/imageimport", &b, None).await.0, 401);
}

#[tokio::test]
async fn lockout_when_configured_refuses_even_the_right_password() {
    let identity =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/k5/identity.json"))
            .unwrap()
            .replacen("\"token_ttl_seconds\": 10800,", "\"token_ttl_seconds\": 10800, \"lockout_failures\": 2,", 1);
    let dir = fixtures_with("lockout", &[("identity.json", identity)]);
    let s = Server::start_with(&["--clock", "virtual", "--fixtures", dir.to_str().unwrap()]).await;
    for _ in 0..2 {
        assert_eq!(login(&s, &password_body("alice", "wrong", CONTRACT_A, None)).await.0, 401);
    }
    let (st, _, v) = login(&s, &password_body("alice", "alice-k5-pass", CONTRACT_A, None)).await;
    assert_keystone_401(st, &v);
    // Other users are not affected; the default fixtures have no lockout at all.
    assert_eq!(login(&s, &password_body("bob", "bob-k5-pass", CONTRACT_A, None)).await.0, 201);
    let _ = std::fs::remove_dir_all(&dir);
    let plain = Server::start().await;
    for _ in 0..6 {
        login(&plain, &password_body("alice", "wrong", CONTRACT_A, None)).await;
    }
    assert_eq!(login(&plain, &password_body("alice", "alice-k5-pass", CONTRACT_A, None)).await.0, 201);
}
