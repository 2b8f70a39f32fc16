//! The shipped scenario library (`scenarios/*.json`), each loaded into the full server and shown doing what its
//! file says on the real provider operations.

use reqwest::Method;
use serde_json::{json, Value};

use super::{listing, wait_listing};
use crate::common::{json, Server};

fn library_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// Loads `scenarios/<name>.json` through the admin API (so it is validated against the real providers).
async fn use_library(s: &Server, name: &str) -> Value {
    let text = std::fs::read_to_string(library_dir().join(format!("{name}.json"))).expect("library file");
    let doc: Value = serde_json::from_str(&text).expect("library file is JSON");
    assert_eq!(doc["name"], name, "a library file's name is its stem");
    assert!(doc["description"].as_str().is_some_and(|d| d.len() > 40), "{name} says what it does");
    let r = s.request(Method::PUT, &format!("/_mockcloud/scenarios/{name}")).body(text).send().await.unwrap();
    let (status, v) = json(r).await;
    assert_eq!(status, 201, "{name} loads: {v}");
    v
}

#[tokio::test]
async fn the_example_in_docs_scenarios_md_loads() {
    let doc = std::fs::read_to_string(std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/scenarios.md"))
        .expect("docs/scenarios.md");
    let start = doc.find("```json\n").expect("a JSON example") + "```json\n".len();
    let example = &doc[start..start + doc[start..].find("```").expect("closed")];
    let s = Server::start().await;
    let r = s.request(Method::PUT, "/_mockcloud/scenarios/k5-imports-under-pressure").body(example.to_string());
    let (status, v) = json(r.send().await.unwrap()).await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["rules"].as_array().unwrap().len(), 5);
}

// ---- K5 ----

const K5_DEV: &str = "73734414ba00e310cc645e118b6a6c4a";
const K5_PROD: &str = "d65434a7aacaeaab062dc5e0107cb007";
const K5_B_PROJECT: &str = "0ef12ccceae86af268b1a9554cdfaa7d";

async fn k5_token(s: &Server, user: &str, contract: &str, project: Option<&str>) -> String {
    let mut auth = json!({"identity": {"methods": ["password"], "password": {"user": {
        "domain": {"name": contract}, "name": user, "password": format!("{user}-k5-pass")}}}});
    if let Some(p) = project {
        auth["scope"] = json!({"project": {"id": p}});
    }
    let r = s.post_json("/v3/auth/tokens", &json!({ "auth": auth })).await;
    assert_eq!(r.status(), 201, "k5 login {user}");
    r.headers()["x-subject-token"].to_str().unwrap().to_string()
}

async fn k5_call(s: &Server, method: Method, path: &str, token: &str, body: Option<&Value>) -> (u16, Value) {
    let mut rb = s.request(method, path).header("X-Auth-Token", token).header("Accept", "application/json");
    if let Some(b) = body {
        rb = rb.json(b);
    }
    json(rb.send().await.unwrap()).await
}

fn k5_import(project: &str, object: &str) -> Value {
    json!({"name": "my-image", "location": format!("/v1/AUTH_{project}/{object}"), "os_type": "ubuntu"})
}

async fn k5_status(s: &Server, token: &str, id: &str) -> Value {
    k5_call(s, Method::GET, &format!("/v1/imageimport/{id}/status"), token, None).await.1
}

#[tokio::test]
async fn k5_throttled_imports_refuse_the_third_import_of_a_contract() {
    let s = Server::start().await;
    use_library(&s, "k5-throttled-imports").await;
    let dev = k5_token(&s, "alice", "K5DEMO01", Some(K5_DEV)).await;
    let prod = k5_token(&s, "alice", "K5DEMO01", Some(K5_PROD)).await;
    let body = k5_import(K5_DEV, "images/ubuntu-small.vmdk");

    // Ten at once from one contract: exactly two start.
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let rb = s.request(Method::POST, "/v1/imageimport").header("X-Auth-Token", &dev).json(&body);
        tasks.push(tokio::spawn(async move { json(rb.send().await.unwrap()).await }));
    }
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    assert_eq!(results.iter().filter(|(st, _)| *st == 201).count(), 2);
    let refused: Vec<&Value> = results.iter().filter(|(st, _)| *st == 503).map(|(_, v)| v).collect();
    assert_eq!(refused.len(), 8);
    assert_eq!(*refused[0], json!({"error_code": "50301", "message": "Too many requests."}));

    let (st, v) = k5_call(&s, Method::POST, "/v1/imageimport", &prod, Some(&body)).await;
    assert_eq!((st, v["error_code"].as_str()), (503, Some("50301")), "another project of the contract: {v}");
    let carol = k5_token(&s, "carol", "K5DEMO02", None).await;
    let (st, v) =
        k5_call(&s, Method::POST, "/v1/imageimport", &carol, Some(&k5_import(K5_B_PROJECT, "vmdk/centos-small.vmdk")))
            .await;
    assert_eq!(st, 201, "another contract is not throttled: {v}");
    assert_eq!(
        s.journal("operation=k5.imageimport.create&status=503").await[0]["rule"],
        "k5-throttled-imports/two-imports-per-contract"
    );

    s.advance(300.0).await;
    let (st, _) = k5_call(&s, Method::POST, "/v1/imageimport", &dev, Some(&body)).await;
    assert_eq!(st, 201, "finished imports free the contract's places");
}

#[tokio::test]
async fn k5_checksum_failure_fails_every_import_after_its_first_processing_step() {
    let s = Server::start().await;
    use_library(&s, "k5-checksum-failure").await;
    let t = k5_token(&s, "alice", "K5DEMO01", Some(K5_DEV)).await;
    let (st, v) =
        k5_call(&s, Method::POST, "/v1/imageimport", &t, Some(&k5_import(K5_DEV, "images/ubuntu-small.vmdk"))).await;
    assert_eq!(st, 201, "{v}");
    let id = v["import_id"].as_str().unwrap().to_string();
    assert_eq!(k5_status(&s, &t, &id).await["import_status"], "queued");
    s.advance(30.0).await;
    assert_eq!(k5_status(&s, &t, &id).await["import_status"], "processing");
    s.advance(60.0).await;
    let v = k5_status(&s, &t, &id).await;
    assert_eq!(
        (v["import_status"].as_str(), v["error_message"].as_str()),
        (Some("failed"), Some("Checksum does not match."))
    );
    let (_, image) =
        k5_call(&s, Method::GET, &format!("/image/v2/images/{}", v["id"].as_str().unwrap()), &t, None).await;
    assert_ne!(image["status"], "active", "no image is registered: {image}");
    let journal = s.journal("operation=k5.imageimport.create").await;
    assert_eq!(journal[0]["rule"], "k5-checksum-failure/checksum-mismatch");
}

#[tokio::test]
async fn every_library_file_loads_into_the_full_server() {
    let s = Server::start().await;
    let mut names: Vec<String> = std::fs::read_dir(library_dir())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".json").map(str::to_string))
        .collect();
    names.sort();
    assert!(names.len() >= 10, "{names:?}");
    for name in &names {
        use_library(&s, name).await;
    }
    let (_, v) = json(s.get("/_mockcloud/scenarios").await).await;
    assert_eq!(v["scenarios"].as_array().unwrap().len(), names.len());
}

// ---- Horizon ----

use crate::horizon::{image_status, import_body, login as horizon_login, post as horizon_post, source_copy, version};
use crate::horizon::{ADMIN_A, IMG_MARKET, VER_MARKET};

async fn horizon_import(s: &Server, t: &str, name: &str) -> (String, String) {
    let (st, v) = horizon_post(s, "/imagemgmt/v1/images?action=import", t, &import_body(name)).await;
    assert_eq!(st, 201, "{v}");
    (v["streamId"].as_str().unwrap().to_string(), v["versionId"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn horizon_import_fails_with_import_failed_timeout() {
    let s = Server::start().await;
    use_library(&s, "horizon-import-fails").await;
    let t = horizon_login(&s, ADMIN_A).await;
    let (img, ver) = horizon_import(&s, &t, "doomed").await;
    s.advance(31.0).await;
    assert_eq!(image_status(&s, &t, &img).await, "IN_PROGRESS");
    assert_eq!(source_copy(&s, &t, &img, &ver).await["status"], "DEPLOYING_VM");
    s.advance(600.0).await;
    assert_eq!(image_status(&s, &t, &img).await, "FAILED");
    assert_eq!(version(&s, &t, &img, &ver).await["status"], "FAILED");
    let copy = source_copy(&s, &t, &img, &ver).await;
    assert_eq!(
        (copy["status"].as_str(), copy["errorCode"].as_str()),
        (Some("IMPORT_FAILED_TIMEOUT"), Some("IMPORT_FAILED_TIMEOUT"))
    );
    assert_eq!(copy["errorDetails"], "The VM deployment did not finish in time.");
    assert_eq!(listing(&s, "horizon-import-fails").await["lifecycles"][0]["hits"], 1);
}

#[tokio::test]
async fn horizon_import_slow_stays_in_progress_for_hours() {
    let s = Server::start().await;
    use_library(&s, "horizon-import-slow").await;
    let t = horizon_login(&s, ADMIN_A).await;
    let (img, ver) = horizon_import(&s, &t, "patience").await;
    s.advance(3600.0).await;
    assert_eq!(image_status(&s, &t, &img).await, "IN_PROGRESS", "the default import would be done after 15 minutes");
    assert_eq!(source_copy(&s, &t, &img, &ver).await["status"], "DEPLOYING_VM");
    s.advance(7200.0).await;
    assert_eq!(source_copy(&s, &t, &img, &ver).await["status"], "INSTALLING_AGENTS");
    s.advance(30.0).await;
    assert_eq!(image_status(&s, &t, &img).await, "IMPORT_COMPLETE");
}

#[tokio::test]
async fn horizon_publish_stuck_replicating_for_days_then_partially_available() {
    let s = Server::start().await;
    use_library(&s, "horizon-publish-stuck-replicating").await;
    let t = horizon_login(&s, ADMIN_A).await;
    let publish = format!("/imagemgmt/v1/images/{IMG_MARKET}/versions/{VER_MARKET}?action=publish");
    let (st, v) = horizon_post(&s, &publish, &t, &json!({})).await;
    assert_eq!(st, 201, "{v}");
    s.advance(24.0 * 60.0 + 1.0).await;
    assert_eq!(version(&s, &t, IMG_MARKET, VER_MARKET).await["status"], "REPLICATION_IN_PROGRESS");
    s.advance(2.0 * 86400.0).await;
    assert_eq!(version(&s, &t, IMG_MARKET, VER_MARKET).await["status"], "REPLICATION_IN_PROGRESS", "still stuck");
    assert_eq!(image_status(&s, &t, IMG_MARKET).await, "IN_PROGRESS");
    s.advance(86400.0).await;
    assert_eq!(version(&s, &t, IMG_MARKET, VER_MARKET).await["status"], "PARTIALLY_AVAILABLE");
}

// ---- vCenter ----

use crate::vcenter::support::{deploy_body, deploy_path, login as vc_login, vm_count as vc_vm_count, LIBRARY, PHOTON};

/// The deploy request, unsent: the slow cases send it from a task while the test advances the clock.
fn vc_deploy(s: &Server, sid: &str, name: &str) -> reqwest::RequestBuilder {
    s.request(Method::POST, &deploy_path(PHOTON)).header("vmware-api-session-id", sid).json(&deploy_body(name))
}

async fn vc_get(s: &Server, sid: &str, path: &str) -> (u16, Value) {
    json(s.request(Method::GET, path).header("vmware-api-session-id", sid).send().await.unwrap()).await
}

#[tokio::test]
async fn vcenter_deploy_slow_answers_after_fifteen_product_minutes() {
    let s = Server::start().await;
    use_library(&s, "vcenter-deploy-slow").await;
    let sid = vc_login(&s).await;
    let before = vc_vm_count(&s, &sid).await;
    let deploy = vc_deploy(&s, &sid, "slow-vm");
    let pending = tokio::spawn(async move { json(deploy.send().await.unwrap()).await });
    wait_listing(&s, "vcenter-deploy-slow", "the deploy to start", |v| v["lifecycles"][0]["hits"] == 1).await;
    s.advance(899.0).await;
    assert!(s.journal("operation=vcenter.ovf.deploy").await.is_empty(), "not answered before 15 minutes");
    s.advance(1.0).await;
    let (st, v) = pending.await.unwrap();
    assert_eq!((st, v["value"]["succeeded"].as_bool()), (200, Some(true)), "{v}");
    assert_eq!(vc_vm_count(&s, &sid).await, before + 1);
}

#[tokio::test]
async fn vcenter_deploy_ovf_failure_answers_succeeded_false_and_creates_nothing() {
    let s = Server::start().await;
    use_library(&s, "vcenter-deploy-ovf-failure").await;
    let sid = vc_login(&s).await;
    let before = vc_vm_count(&s, &sid).await;
    let deploy = vc_deploy(&s, &sid, "broken-vm");
    let pending = tokio::spawn(async move { json(deploy.send().await.unwrap()).await });
    wait_listing(&s, "vcenter-deploy-ovf-failure", "the deploy to start", |v| v["lifecycles"][0]["hits"] == 1).await;
    s.advance(120.0).await;
    let (st, v) = pending.await.unwrap();
    assert_eq!((st, v["value"]["succeeded"].as_bool()), (200, Some(false)), "{v}");
    let text = v.to_string();
    assert!(text.contains("deploy_failed") && text.contains("the disk stream ended early"), "{v}");
    assert_eq!(vc_vm_count(&s, &sid).await, before, "no VM is created");
}

#[tokio::test]
async fn vcenter_session_expired_at_the_first_deploy() {
    let s = Server::start().await;
    use_library(&s, "vcenter-session-expired").await;
    let sid = vc_login(&s).await;
    let (st, _) = vc_get(&s, &sid, &format!("/rest/com/vmware/content/library/item?library_id={LIBRARY}")).await;
    assert_eq!(st, 200, "the session works until the deploy");
    let (st, v) = json(vc_deploy(&s, &sid, "never").send().await.unwrap()).await;
    assert_eq!((st, v["type"].as_str()), (401, Some("com.vmware.vapi.std.errors.unauthenticated")), "{v}");
    let (st, v) = vc_get(&s, &sid, "/rest/vcenter/vm").await;
    assert_eq!((st, v["type"].as_str()), (401, Some("com.vmware.vapi.std.errors.unauthenticated")), "stays expired");
    let fresh = vc_login(&s).await;
    let (st, v) = json(vc_deploy(&s, &fresh, "after-relogin").send().await.unwrap()).await;
    assert_eq!((st, v["value"]["succeeded"].as_bool()), (200, Some(true)), "a fresh login works: {v}");
}

// ---- ZStack ----

use crate::zstack::{admin as zstack_admin, poll as zstack_poll, stop as zstack_stop, submit as zstack_submit};
use crate::zstack::{SAMPLE_IMAGE, SEED_VM};

#[tokio::test]
async fn zstack_job_timeout_ends_change_image_with_sys_1001() {
    let s = Server::start().await;
    use_library(&s, "zstack-job-timeout").await;
    let sid = zstack_admin(&s).await;
    zstack_stop(&s, &sid, SEED_VM).await;
    let location = zstack_submit(&s, &sid, SEED_VM, &json!({"changeVmImage": {"imageUuid": SAMPLE_IMAGE}})).await;
    let first = zstack_poll(&s, &location).await;
    assert_eq!(first.0, 202, "the job runs first: {}", first.1);
    s.advance(2.0).await;
    let (st, v) = zstack_poll(&s, &location).await;
    assert_eq!((st, v["error"]["code"].as_str()), (503, Some("SYS.1001")), "{v}");
    assert_eq!(v["error"]["description"], "A message or a operation timeout");
}

// ---- Across providers ----

/// One character per request: `d` dropped, `g` gateway 502, `.` answered by the provider.
async fn flaky_run() -> String {
    let s = Server::start_with(&["--clock", "real", "--time-scale", "0.0001", "--seed", "1"]).await;
    use_library(&s, "flaky-network").await;
    let paths = ["/v3", "/imagemgmt/v1/images", "/rest/vcenter/vm", "/zstack/v1/zones"];
    let mut out = String::new();
    for i in 0..120 {
        let outcome = match s.request(Method::GET, paths[i % 4]).send().await {
            Err(_) => 'd',
            Ok(r) => {
                let status = r.status();
                let body = r.text().await.unwrap_or_default();
                if status == 502 && body.contains("Bad Gateway") {
                    'g'
                } else {
                    '.'
                }
            }
        };
        out.push(outcome);
    }
    let v = listing(&s, "flaky-network").await;
    assert_eq!(v["rules"][0]["hits"], 120, "every request is delayed");
    assert_eq!(v["rules"][1]["hits"].as_u64().unwrap() as usize, out.matches('d').count());
    out
}

#[tokio::test]
async fn flaky_network_drops_and_fails_the_same_requests_for_the_same_seed() {
    let first = flaky_run().await;
    assert!(first.contains('d') && first.contains('g'), "{first}");
    assert!(first.matches('.').count() > 100, "most requests get through: {first}");
    assert_eq!(flaky_run().await, first);
}
