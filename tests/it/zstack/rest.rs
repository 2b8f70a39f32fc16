//! The REST layer's plain-text refusals, the job poll and the async envelope.

use reqwest::Method;
use serde_json::json;

use super::*;
use crate::common::{json, Server};

async fn put_raw(s: &Server, sid: Option<&str>, path: &str, body: &str) -> (u16, String, String) {
    let mut r = s.request(Method::PUT, path).body(body.to_string()).header("Content-Type", "application/json");
    if let Some(sid) = sid {
        r = r.header("Authorization", format!("OAuth {sid}"));
    }
    text(r.send().await.unwrap()).await
}

#[tokio::test]
async fn authorization_header_checks() {
    let s = Server::start().await;
    let (status, ct, body) = text(s.get("/zstack/v1/vm-instances").await).await;
    assert_eq!((status, body.as_str()), (400, "missing header 'Authorization'"));
    assert!(ct.starts_with("text/plain"));
    let r = s.request(Method::GET, "/zstack/v1/images").header("Authorization", "Bearer abc").send().await.unwrap();
    assert_eq!(text(r).await.2, "Authorization type must be 'OAuth'");
    let (status, _, body) = put_raw(&s, None, &actions_path(SEED_VM), r#"{"stopVmInstance": {}}"#).await;
    assert_eq!((status, body.as_str()), (400, "missing header 'Authorization'"));
    // Any OAuth token passes the REST layer; the session check comes later (ID.1001 as a 503).
    let (status, v) = get(&s, "not-a-session", "/zstack/v1/images").await;
    assert_eq!((status, v["error"]["code"].as_str()), (503, Some("ID.1001")));
}

#[tokio::test]
async fn unknown_paths_and_methods() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    let (status, ct, body) = text(s.get("/zstack/v1/no-such-things").await).await;
    assert_eq!((status, body.as_str()), (404, "no api mapping to /v1/no-such-things"));
    assert!(ct.starts_with("text/plain"));
    let r = s.request(Method::POST, "/zstack/v1/api-jobs/0123456789abcdef0123456789abcdef").send().await.unwrap();
    assert_eq!(
        text(r).await,
        (405, "text/plain; charset=utf-8".into(), "only GET method is allowed for querying job status".into())
    );
    let path = actions_path(SEED_VM);
    let r = s.request(Method::GET, &path).header("Authorization", format!("OAuth {sid}")).send().await.unwrap();
    assert_eq!(
        text(r).await,
        (500, "text/plain; charset=utf-8".into(), format!("No query API found for the path[{path}]"))
    );
    let r = s.request(Method::POST, &path).send().await.unwrap();
    let (status, _, body) = text(r).await;
    assert_eq!((status, body), (500, format!("No creational API found for the path[{path}]")));
    let r = s.request(Method::DELETE, &path).send().await.unwrap();
    assert_eq!(text(r).await.2, format!("No delete API found for the path[{path}]"));
    let r = s.request(Method::PATCH, &path).send().await.unwrap();
    let (status, _, body) = text(r).await;
    assert_eq!((status, body), (405, format!("The method[PATCH] is not allowed for the path[{path}]")));
}

#[tokio::test]
async fn action_bodies_the_rest_layer_refuses() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    let path = actions_path(SEED_VM);
    let no_mapping = format!("the body doesn't contain action mapping to the URL[/v1/vm-instances/{SEED_VM}/actions]");
    for body in ["", "{}", r#"{"explodeVmInstance": {}}"#, r#"{"systemTags": []}"#] {
        let (status, _, text) = put_raw(&s, Some(&sid), &path, body).await;
        assert_eq!((status, text.as_str()), (400, no_mapping.as_str()), "body {body:?}");
    }
    for body in ["not json", "[1, 2]", r#"{"stopVmInstance": "#] {
        let (status, _, text) = put_raw(&s, Some(&sid), &path, body).await;
        assert_eq!(status, 500, "body {body:?}");
        assert!(text.starts_with("com.google.gson.JsonSyntaxException"), "{text}");
    }
    // Wrong types for the message's fields escape Gson as 500s too.
    for body in [
        r#"{"changeVmImage": "dbfd52c2f87c39cda8c8945fca8d6a5a"}"#,
        r#"{"changeVmImage": {"imageUuid": ["x"]}}"#,
        r#"{"changeVmImage": {"imageUuid": "x"}, "systemTags": "ceph::rootPoolName::p"}"#,
        r#"{"changeVmImage": {"imageUuid": "x", "userTags": [{"a": 1}]}}"#,
    ] {
        let (status, _, text) = put_raw(&s, Some(&sid), &path, body).await;
        assert_eq!(status, 500, "body {body:?}: {text}");
    }
    // Nothing changed.
    let v = vm(&s, &sid, SEED_VM).await;
    assert_eq!((v["state"].as_str(), v["imageUuid"].as_str()), (Some("Running"), Some(SAMPLE_IMAGE)));
}

#[tokio::test]
async fn job_uuid_header_becomes_the_job_id_and_duplicates_are_refused() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    let job = "0123456789abcdef0123456789abcdef";
    let send = |id: &'static str| {
        s.request(Method::PUT, &actions_path(SEED_VM))
            .header("Authorization", format!("OAuth {sid}"))
            .header("X-Job-UUID", id)
            .json(&json!({"rebootVmInstance": {}}))
            .send()
    };
    let (status, v) = json(send(job).await.unwrap()).await;
    assert_eq!(status, 202);
    assert_eq!(v["location"], format!("{}/zstack/v1/api-jobs/{job}", s.base));
    assert_eq!(v["apiTimeout"], 1_800_000);
    let (status, _, body) = text(send(job).await.unwrap()).await;
    assert_eq!((status, body), (400, format!("Duplicate job uuid[{job}]")));
    let (status, _, body) = text(send("0123456789abcdef").await.unwrap()).await;
    assert_eq!((status, body.as_str()), (400, "Invalid header[X-Job-UUID], it must be a UUID with '-' stripped"));
    // Only the length is checked.
    let (status, _) = json(send("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz").await.unwrap()).await;
    assert_eq!(status, 202);
}

#[tokio::test]
async fn job_poll_answers_202_empty_then_the_result_and_unknown_jobs_are_404() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    let location = submit(&s, &sid, SEED_VM, &json!({"rebootVmInstance": {}})).await;
    let r = s.http.get(&location).send().await.unwrap();
    let (status, body) = (r.status().as_u16(), r.text().await.unwrap());
    assert_eq!((status, body.as_str()), (202, "{}"));
    s.advance(1.0).await;
    let (status, v) = poll(&s, &location).await;
    assert_eq!((status, v["inventory"]["state"].as_str()), (200, Some("Running")));
    // A finished job answers the same again, until it is purged after 3 hours.
    assert_eq!(poll(&s, &location).await.0, 200);
    s.advance(3.0 * 3600.0 + 1.0).await;
    let (status, _, body) = text(s.http.get(&location).send().await.unwrap()).await;
    assert_eq!((status, body.as_str()), (404, "the job has been expired"));
    let (status, _, body) = text(s.get("/zstack/v1/api-jobs/ffffffffffffffffffffffffffffffff").await).await;
    assert_eq!((status, body.as_str()), (404, "the job has been expired"));
}

#[tokio::test]
async fn api_timeout_header_and_location_from_host() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    let r = s
        .request(Method::PUT, &actions_path(SEED_VM))
        .header("Authorization", format!("OAuth {sid}"))
        .header("X-API-Timeout", "60")
        .header("Host", "zstack.example:8080")
        .json(&json!({"changeVmImage": {"imageUuid": SEED_IMAGE}}))
        .send()
        .await
        .unwrap();
    let (status, v) = json(r).await;
    assert_eq!(status, 202);
    assert_eq!(v["apiTimeout"], 60_000);
    assert!(v["location"].as_str().unwrap().starts_with("http://zstack.example:8080/zstack/v1/api-jobs/"), "{v}");
    let r = s
        .request(Method::PUT, &actions_path(SEED_VM))
        .header("Authorization", format!("OAuth {sid}"))
        .header("X-API-Timeout", "soon")
        .json(&json!({"changeVmImage": {"imageUuid": SEED_IMAGE}}))
        .send()
        .await
        .unwrap();
    assert_eq!(text(r).await.2, "For input string: \"soon\"");
    let r = s
        .request(Method::PUT, &actions_path(SEED_VM))
        .header("Authorization", format!("OAuth {sid}"))
        .json(&json!({"changeVmImage": {"imageUuid": SEED_IMAGE}}))
        .send()
        .await
        .unwrap();
    assert_eq!(json(r).await.1["apiTimeout"], 86_400_000);
}

#[tokio::test]
async fn journal_knows_the_refined_action_operations() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    submit(&s, &sid, SEED_VM, &json!({"stopVmInstance": {}})).await;
    submit(&s, &sid, SEED_VM, &json!({"changeVmImage": {"imageUuid": SEED_IMAGE}})).await;
    let entries = s.journal("operation=zstack.vm.changeImage").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["tenant"], "admin");
    assert_eq!(s.journal("operation=zstack.vm.stop").await.len(), 1);
    assert_eq!(s.journal("operation=zstack.session.login").await.len(), 1);
}

#[tokio::test]
async fn huge_and_broken_login_bodies() {
    let s = Server::start_with(&["--clock", "virtual", "--seed", "42", "--max-body-bytes", "1024"]).await;
    let big = format!(r#"{{"logInByAccount": {{"accountName": "{}"}}}}"#, "a".repeat(4096));
    let (status, ct, body) = put_raw(&s, None, "/zstack/v1/accounts/login", &big).await;
    assert_eq!((status, body.as_str()), (413, "the request body is larger than the limit of 1024 bytes"));
    assert!(ct.starts_with("text/plain"));
    let (status, _, body) = put_raw(&s, None, "/zstack/v1/accounts/login", "accountName=admin").await;
    assert_eq!(status, 500);
    assert!(body.starts_with("com.google.gson.JsonSyntaxException"), "{body}");
    let (status, _, body) =
        put_raw(&s, None, "/zstack/v1/accounts/login", r#"{"logInByAccount": {"accountName": {"x": 1}}}"#).await;
    assert_eq!(status, 500, "{body}");
    // Still serving, and nothing was stored.
    assert_eq!(admin(&s).await.len(), 32);
}

#[tokio::test]
async fn job_results_carry_the_schema_when_asked() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    let location = submit(&s, &sid, SEED_VM, &json!({"rebootVmInstance": {}})).await;
    s.advance(1.0).await;
    let (status, v) = json(s.http.get(&location).header("X-JSON-Schema", "true").send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(v["schema"]["inventory"], "org.zstack.header.vm.VmInstanceInventory");
    assert_eq!(v["schema"]["inventory.allVolumes[0]"], "org.zstack.header.volume.VolumeInventory");
    assert!(poll(&s, &location).await.1.get("schema").is_none());
}

/// What a scenario fault rule gets when it names a ZStack code: sync APIs answer 503 with the ErrorCode, async
/// ones still answer 202 and the job poll carries the error.
#[tokio::test]
async fn error_reply_renders_codes_the_zstack_way() {
    use mockcloud::core::call::Call;
    use mockcloud::core::config::ServeArgs;
    use mockcloud::core::provider::ErrorSpec;

    let args = ServeArgs::parse_args(["--listen", "127.0.0.1:0", "--clock", "virtual", "--seed", "7"]).unwrap();
    let running = mockcloud::start(args).await.unwrap();
    let base = format!("http://{}", running.addr);
    let provider = running.core.provider("zstack").unwrap().clone();
    let mut headers = hyper::HeaderMap::new();
    headers.insert("x-job-uuid", "abcdefabcdefabcdefabcdefabcdef12".parse().unwrap());
    let mut call = Call {
        method: hyper::Method::PUT,
        path: format!("/zstack/v1/vm-instances/{SEED_VM}/actions"),
        query: None,
        headers,
        body: bytes::Bytes::from_static(b"{\"changeVmImage\": {}}"),
        params: vec![("uuid", SEED_VM.to_string())],
        operation: "zstack.vm.changeImage",
        tenant: Some("admin".into()),
        credential: None,
        base_url: base.clone(),
        core: running.core.clone(),
    };
    assert!(provider.error_codes().contains(&"SYS.1006"));
    assert!(provider.error_reply(&ErrorSpec { code: "50301", message: None, details: None }, &call).is_none());

    let details = json!({"cause": {"code": "VM.1010", "details": "state changed"}});
    let spec = ErrorSpec { code: "SYS.1006", message: Some("injected by a scenario"), details: Some(&details) };
    let reply = provider.error_reply(&spec, &call).unwrap();
    assert_eq!(reply.status.as_u16(), 202);
    let v: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(v["location"], format!("{base}/zstack/v1/api-jobs/abcdefabcdefabcdefabcdefabcdef12"));
    let r = reqwest::get(v["location"].as_str().unwrap()).await.unwrap();
    let (status, v) = json(r).await;
    assert_eq!(status, 503);
    assert_eq!(v["error"]["code"], "SYS.1006");
    assert_eq!(v["error"]["details"], "injected by a scenario");
    assert_eq!(v["error"]["cause"]["code"], "VM.1010");

    call.operation = "zstack.vm.query";
    let reply = provider.error_reply(&ErrorSpec { code: "ID.1001", message: None, details: None }, &call).unwrap();
    assert_eq!(reply.status.as_u16(), 503);
    let v: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(v["error"]["code"], "ID.1001");
    running.shutdown().await.unwrap();
}

/// A broken fixture world is a start-up error that names the file and the field.
#[tokio::test]
async fn bad_fixtures_are_refused_at_start_naming_file_and_field() {
    use mockcloud::core::config::ServeArgs;
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let dir = std::env::temp_dir().join(format!("mockcloud-zstack-fixtures-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for entry in walk(&src) {
        let rel = entry.strip_prefix(&src).unwrap();
        let dest = dir.join(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&entry, &dest).unwrap();
    }
    let vms_path = dir.join("zstack/vms.json");
    let mut vms: serde_json::Value = serde_json::from_slice(&std::fs::read(&vms_path).unwrap()).unwrap();
    vms[1]["owner"] = json!("ffffffffffffffffffffffffffffffff");
    std::fs::write(&vms_path, serde_json::to_vec(&vms).unwrap()).unwrap();
    let args = ServeArgs::parse_args(["--listen", "127.0.0.1:0", "--fixtures", dir.to_str().unwrap()]).unwrap();
    let err = match mockcloud::start(args).await {
        Ok(_) => panic!("a world with a VM of an unknown owner must not start"),
        Err(e) => e,
    };
    assert!(err.contains("vms.json") && err.contains("[1].owner"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
