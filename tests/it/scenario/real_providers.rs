//! The engine on the real providers' operations: each provider renders an error named by its own code, and
//! every kind of match and selection picks real requests.

use reqwest::Method;
use serde_json::{json, Value};

use super::{listing, load};
use crate::common::{json, Server};

async fn zstack_session(s: &Server) -> String {
    crate::zstack::admin(s).await
}

async fn vcenter_session(s: &Server) -> String {
    crate::vcenter::support::login(s).await
}

const K5_DEV: &str = "73734414ba00e310cc645e118b6a6c4a";
const K5_PROD: &str = "d65434a7aacaeaab062dc5e0107cb007";

async fn k5_token_for(s: &Server, project: &str) -> String {
    let auth = json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "domain": {"name": "K5DEMO01"}, "name": "alice", "password": "alice-k5-pass"}}},
        "scope": {"project": {"id": project}}}});
    let r = s.post_json("/v3/auth/tokens", &auth).await;
    r.headers()["x-subject-token"].to_str().unwrap().to_string()
}

async fn k5_token(s: &Server) -> String {
    k5_token_for(s, K5_DEV).await
}

fn rule(name: &str, matches: Value, act: Value) -> Value {
    json!({"name": name, "match": matches, "act": act})
}

#[tokio::test]
async fn each_provider_renders_an_error_named_by_its_own_code() {
    let s = Server::start().await;
    load(
        &s,
        &json!({"name": "codes", "rules": [
            rule("k5", json!({"operation": "k5.imageimport.list"}), json!({"error": {"code": "50301"}})),
            rule("zstack", json!({"operation": "zstack.zone.query"}), json!({"error": {"code": "SYS.1007", "message": "injected"}})),
            rule("vcenter", json!({"operation": "vcenter.vm.list"}), json!({"error": {"code": "com.vmware.vapi.std.errors.resource_busy"}})),
            rule("horizon", json!({"operation": "horizon.image.list"}), json!({"error": {"code": "IMAGE_NAME_ALREADY_EXISTS"}})),
        ]}),
    )
    .await;
    let k5 = k5_token(&s).await;
    let (st, v) =
        json(s.request(Method::GET, "/v1/imageimport").header("X-Auth-Token", &k5).send().await.unwrap()).await;
    assert_eq!((st, v), (503, json!({"error_code": "50301", "message": "Too many requests."})));

    let zs = zstack_session(&s).await;
    let (st, v) = crate::zstack::get(&s, &zs, "/zstack/v1/zones").await;
    assert_eq!(
        (st, v["error"]["code"].as_str(), v["error"]["details"].as_str()),
        (503, Some("SYS.1007"), Some("injected")),
        "{v}"
    );

    let vc = vcenter_session(&s).await;
    let (st, v) =
        json(s.request(Method::GET, "/rest/vcenter/vm").header("vmware-api-session-id", &vc).send().await.unwrap())
            .await;
    assert_eq!((st, v["type"].as_str()), (400, Some("com.vmware.vapi.std.errors.resource_busy")), "{v}");

    let hz = crate::horizon::login(&s, crate::horizon::ADMIN_A).await;
    let (st, v) = crate::horizon::get(&s, "/imagemgmt/v1/images", &hz).await;
    assert_eq!((st, v["code"].as_str()), (409, Some("IMAGE_NAME_ALREADY_EXISTS")), "{v}");
    let hits: Vec<Value> =
        listing(&s, "codes").await["rules"].as_array().unwrap().iter().map(|r| r["hits"].clone()).collect();
    assert_eq!(hits, [1, 1, 1, 1]);
}

#[tokio::test]
async fn tenant_header_body_path_and_method_matches_pick_real_requests() {
    let s = Server::start().await;
    let teapot = |name: &str| json!({"respond": {"status": 418, "body": {"rule": name}}});
    load(
        &s,
        &json!({"name": "m", "rules": [
            rule("prod", json!({"operation": "k5.imageimport.list", "tenant": K5_PROD}), teapot("prod")),
            rule("canary", json!({"operation": "vcenter.*", "headers": {"x-canary": "on"}}), teapot("canary")),
            rule("named", json!({"operation": "k5.imageimport.create", "body": {"name": "flaky-*"}}), teapot("named")),
            rule("zones", json!({"method": "GET", "path": "/zstack/v1/zones/*"}), teapot("zones")),
        ]}),
    )
    .await;
    let list = |token: String| s.request(Method::GET, "/v1/imageimport").header("X-Auth-Token", token).send();
    assert_eq!(list(k5_token(&s).await).await.unwrap().status(), 200);
    let prod = list(k5_token_for(&s, K5_PROD).await).await.unwrap();
    assert_eq!(json(prod).await, (418, json!({"rule": "prod"})));

    let vc = vcenter_session(&s).await;
    let vm = |canary: bool| {
        let mut rb = s.request(Method::GET, "/rest/vcenter/vm").header("vmware-api-session-id", &vc);
        if canary {
            rb = rb.header("x-canary", "on");
        }
        rb.send()
    };
    assert_eq!(vm(false).await.unwrap().status(), 200);
    assert_eq!(vm(true).await.unwrap().status(), 418);

    let k5 = k5_token(&s).await;
    let import = |name: &str| {
        s.request(Method::POST, "/v1/imageimport").header("X-Auth-Token", &k5).json(&json!({"name": name,
            "location": "/v1/AUTH_73734414ba00e310cc645e118b6a6c4a/images/ubuntu-small.vmdk", "os_type": "ubuntu"}))
    };
    assert_eq!(import("flaky-1").send().await.unwrap().status(), 418);
    assert_eq!(import("steady").send().await.unwrap().status(), 201);

    let zs = zstack_session(&s).await;
    let zones = crate::zstack::query(&s, &zs, "/zstack/v1/zones").await;
    let zone = zones[0]["uuid"].as_str().unwrap();
    assert_eq!(crate::zstack::get(&s, &zs, &format!("/zstack/v1/zones/{zone}")).await, (418, json!({"rule": "zones"})));

    let journal = s.journal("operation=k5.imageimport.list").await;
    assert_eq!((journal[0]["tenant"].as_str(), journal[0]["rule"].as_str()), (Some(K5_PROD), Some("m/prod")));
}

#[tokio::test]
async fn selections_count_real_requests() {
    let s = Server::start().await;
    load(
        &s,
        &json!({"name": "sel", "rules": [
            {"name": "every-third", "match": {"operation": "zstack.vm.query"}, "select": {"every": 3}, "act": {"error": {"code": "SYS.1000"}}}
        ]}),
    )
    .await;
    let zs = zstack_session(&s).await;
    let mut seen = String::new();
    for _ in 0..7 {
        let (st, _) = crate::zstack::get(&s, &zs, "/zstack/v1/vm-instances").await;
        seen.push(if st == 200 { '.' } else { 'X' });
    }
    assert_eq!(seen, "..X..X.");
}

#[tokio::test]
async fn a_zstack_change_image_job_ends_sys_1006_with_its_cause() {
    let s = Server::start().await;
    load(
        &s,
        &json!({"name": "cause", "lifecycles": [
            {"operation": "zstack.vm.changeImage",
             "fail": {"code": "SYS.1006", "message": "change image failed on the host",
                      "details": {"cause": {"code": "VM.1010", "details": "the vm state changed during the operation"}}}}
        ]}),
    )
    .await;
    let sid = zstack_session(&s).await;
    let vm = crate::zstack::SEED_VM;
    crate::zstack::stop(&s, &sid, vm).await;
    let before = crate::zstack::vm(&s, &sid, vm).await["imageUuid"].clone();
    let target =
        if before == crate::zstack::SEED_IMAGE { crate::zstack::SAMPLE_IMAGE } else { crate::zstack::SEED_IMAGE };
    let (st, v) = crate::zstack::run(&s, &sid, vm, &json!({"changeVmImage": {"imageUuid": target}}), 2.0).await;
    assert_eq!(st, 503, "{v}");
    assert_eq!(
        v["error"],
        json!({"code": "SYS.1006", "description": "An operation failed", "details": "change image failed on the host",
               "cause": {"code": "VM.1010", "description": "VM is not in state that allows required operation",
                         "details": "the vm state changed during the operation"}})
    );
    assert_eq!(crate::zstack::vm(&s, &sid, vm).await["imageUuid"], before, "the image did not change");
}

/// The seed's 50001–50003 rows have no request that triggers them on a healthy service: a scenario makes the
/// register call answer each, in the import error format, and nothing is registered.
#[tokio::test]
async fn k5_internal_errors_50001_to_50003_through_a_scenario() {
    let s = Server::start().await;
    let token = crate::k5::util::alice(&s).await;
    for code in ["50001", "50002", "50003"] {
        let name = format!("k5-{code}");
        super::load(
            &s,
            &json!({"name": name, "rules": [rule("internal", json!({"operation": "k5.imageimport.create"}), json!({"error": {"code": code}}))]}),
        )
        .await;
        let got = crate::k5::util::register(&s, &token, &crate::k5::util::good_import()).await;
        assert_eq!(got, (500, json!({"error_code": code, "message": "Internal server error."})));
        s.request(reqwest::Method::DELETE, &format!("/_mockcloud/scenarios/{name}")).send().await.unwrap();
    }
    let (status, list) = crate::k5::util::call(&s, reqwest::Method::GET, "/v1/imageimport", &token, None).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["imports"].as_array().map(Vec::len), Some(0), "refused imports register nothing: {list}");
}
