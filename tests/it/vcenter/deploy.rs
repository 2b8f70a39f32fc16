//! The seed operation: `POST /com/vmware/vcenter/ovf/library-item/id:{id}?~action=deploy`, its success and
//! every documented error (invalid_argument 400, not_found 404, resource_inaccessible 400, unauthorized 403,
//! unauthenticated 401), plus OVF-level failures answered as `succeeded: false`. A refused deploy creates nothing.

use reqwest::Method;
use serde_json::{json, Value};

use super::support::*;
use crate::common::{json, Server};

#[tokio::test]
async fn deploy_creates_a_vm_from_the_fixture_item() {
    let s = Server::start().await;
    let sid = login(&s).await;
    let before = vm_count(&s, &sid).await;
    // The seed's bare path, without /rest.
    let (st, v) =
        rest(&s, &sid, Method::POST, &deploy_path(PHOTON).replacen("/rest", "", 1), Some(&deploy_body("web-01"))).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["value"]["succeeded"], true);
    assert_eq!(v["value"]["resource_id"]["type"], "VirtualMachine");
    let vm = v["value"]["resource_id"]["id"].as_str().unwrap().to_string();
    assert!(vm.starts_with("vm-"));
    assert_eq!(vm_count(&s, &sid).await, before + 1);
    let (st, info) = rest(&s, &sid, Method::GET, &format!("/rest/vcenter/vm/{vm}"), None).await;
    assert_eq!(st, 200);
    assert_eq!(info["value"]["name"], "web-01");
    assert_eq!(info["value"]["cpu"]["count"], 2);
    assert_eq!(info["value"]["memory"]["size_MiB"], 2048);
    assert_eq!(info["value"]["power_state"], "POWERED_OFF");
    assert_eq!(info["value"]["nics"][0]["value"]["backing"]["network"], NETWORK);
    assert_eq!(info["value"]["disks"][0]["value"]["capacity"], 16i64 << 30);
    let journal = s.journal("operation=vcenter.ovf.deploy").await;
    assert_eq!(journal.len(), 1);
}

#[tokio::test]
async fn item_id_may_travel_in_the_body_but_must_agree_with_the_path() {
    let s = Server::start().await;
    let sid = login(&s).await;
    let mut body = deploy_body("web-02");
    body["ovf_library_item_id"] = json!(PHOTON);
    let (st, v) =
        rest(&s, &sid, Method::POST, "/rest/com/vmware/vcenter/ovf/library-item?~action=deploy", Some(&body)).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["value"]["succeeded"], true);
    let (st, v) = rest(&s, &sid, Method::POST, &deploy_path(APPLIANCE), Some(&body)).await;
    assert_rest_error(st, &v, 400, "invalid_argument");
    let (st, v) = rest(
        &s,
        &sid,
        Method::POST,
        "/rest/com/vmware/vcenter/ovf/library-item?~action=deploy",
        Some(&deploy_body("x")),
    )
    .await;
    assert_rest_error(st, &v, 400, "invalid_argument");
    assert!(v["value"]["messages"][0]["default_message"].as_str().unwrap().contains("ovf_library_item_id"));
}

#[tokio::test]
async fn invalid_argument_for_bad_target_or_spec() {
    let s = Server::start().await;
    let sid = login(&s).await;
    let before = vm_count(&s, &sid).await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({"target": {}, "deployment_spec": {"accept_all_EULA": true}}), "resource_pool_id"),
        (json!({"target": {"resource_pool_id": POOL}, "deployment_spec": {"name": "x"}}), "accept_all_EULA"),
        (json!({"target": {"resource_pool_id": POOL}}), "deployment_spec"),
        (json!({"deployment_spec": {"accept_all_EULA": true}}), "target"),
        (
            json!({"target": {"resource_pool_id": POOL}, "deployment_spec": {"accept_all_EULA": "yes"}}),
            "accept_all_EULA",
        ),
        (
            json!({"target": {"resource_pool_id": POOL}, "deployment_spec": {"accept_all_EULA": true, "storage_provisioning": "sparse"}}),
            "sparse",
        ),
        (
            json!({"target": {"resource_pool_id": POOL}, "deployment_spec": {"accept_all_EULA": true, "name": ""}}),
            "name",
        ),
        (
            json!({"target": {"resource_pool_id": POOL, "folder_id": "group-n6"}, "deployment_spec": {"accept_all_EULA": true}}),
            "group-n6",
        ),
        (
            json!({"target": {"resource_pool_id": POOL, "host_id": "host-12"}, "deployment_spec": {"accept_all_EULA": true}}),
            "host-12",
        ),
        (
            json!({"target": {"resource_pool_id": POOL}, "deployment_spec": {"accept_all_EULA": true, "storage_mappings": [{"key": "group1", "value": {"type": "DISK"}}]}}),
            "DISK",
        ),
        (
            json!({"target": {"resource_pool_id": POOL}, "deployment_spec": {"accept_all_EULA": true, "additional_parameters": [{"type": "PropertyParams"}]}}),
            "@class",
        ),
        (
            json!({"target": {"resource_pool_id": POOL}, "deployment_spec": {"accept_all_EULA": true}, "spec": {}}),
            "spec",
        ),
    ];
    for (body, needle) in cases {
        let (st, v) = rest(&s, &sid, Method::POST, &deploy_path(PHOTON), Some(&body)).await;
        assert_rest_error(st, &v, 400, "invalid_argument");
        assert!(v.to_string().contains(needle), "{needle} not named in {v}");
    }
    assert_eq!(vm_count(&s, &sid).await, before);
}

#[tokio::test]
async fn not_found_for_unknown_item_or_target_objects() {
    let s = Server::start().await;
    let sid = login(&s).await;
    let unknown = "00000000-0000-4000-8000-000000000000";
    let (st, v) = rest(&s, &sid, Method::POST, &deploy_path(unknown), Some(&deploy_body("x"))).await;
    assert_rest_error(st, &v, 404, "not_found");
    assert_eq!(v["value"]["messages"][0]["args"][0], unknown);
    for target in [
        json!({"resource_pool_id": "resgroup-999"}),
        json!({"resource_pool_id": POOL, "folder_id": "group-v999"}),
        json!({"resource_pool_id": POOL, "host_id": "host-999"}),
        json!({"resource_pool_id": "host-10"}),
    ] {
        let body = json!({"target": target, "deployment_spec": {"accept_all_EULA": true}});
        let (st, v) = rest(&s, &sid, Method::POST, &deploy_path(PHOTON), Some(&body)).await;
        assert_rest_error(st, &v, 404, "not_found");
    }
    for spec in [
        json!({"accept_all_EULA": true, "default_datastore_id": "datastore-999"}),
        json!({"accept_all_EULA": true, "network_mappings": [{"key": "VM Network", "value": "network-999"}]}),
        json!({"accept_all_EULA": true, "storage_mappings": [{"key": "group1", "value": {"type": "DATASTORE", "datastore_id": "datastore-999"}}]}),
    ] {
        let body = json!({"target": {"resource_pool_id": POOL}, "deployment_spec": spec});
        let (st, v) = rest(&s, &sid, Method::POST, &deploy_path(PHOTON), Some(&body)).await;
        assert_rest_error(st, &v, 404, "not_found");
    }
    assert_eq!(vm_count(&s, &sid).await, 3);
}

#[tokio::test]
async fn resource_inaccessible_when_the_package_cannot_be_read() {
    let s = Server::start().await;
    let sid = login(&s).await;
    // An item with no .ovf.
    let (st, v) = rest(
        &s,
        &sid,
        Method::POST,
        "/rest/com/vmware/content/library/item",
        Some(&json!({"create_spec": {"library_id": LIBRARY, "name": "empty", "type": "ovf"}})),
    )
    .await;
    assert_eq!(st, 200, "{v}");
    let empty = v["value"].as_str().unwrap().to_string();
    let (st, v) = rest(&s, &sid, Method::POST, &deploy_path(&empty), Some(&deploy_body("x"))).await;
    assert_rest_error(st, &v, 400, "resource_inaccessible");
    // A fixture item while an update session on it is still open.
    let (st, _) = rest(
        &s,
        &sid,
        Method::POST,
        "/rest/com/vmware/content/library/item/update-session",
        Some(&json!({"create_spec": {"library_item_id": PHOTON}})),
    )
    .await;
    assert_eq!(st, 200);
    let (st, v) = rest(&s, &sid, Method::POST, &deploy_path(PHOTON), Some(&deploy_body("x"))).await;
    assert_rest_error(st, &v, 400, "resource_inaccessible");
    let (st, v) = ovf_filter(&s, &sid, PHOTON).await;
    assert_rest_error(st, &v, 400, "resource_inaccessible");
    assert_eq!(vm_count(&s, &sid).await, 3);
}

#[tokio::test]
async fn unauthorized_without_the_privileges() {
    let s = Server::start().await;
    let sid = login_as(&s, AUDITOR).await;
    let (st, v) = rest(&s, &sid, Method::POST, &deploy_path(PHOTON), Some(&deploy_body("x"))).await;
    assert_rest_error(st, &v, 403, "unauthorized");
    let args = v["value"]["messages"][0]["args"].to_string();
    assert!(args.contains("VirtualMachine.Config.AddNewDisk") && args.contains("Network.Assign"), "{args}");
    assert_eq!(vm_count(&s, &sid).await, 3);
    // Reads stay allowed.
    let (st, _) = ovf_filter(&s, &sid, PHOTON).await;
    assert_eq!(st, 200);
}

#[tokio::test]
async fn unauthenticated_without_a_session() {
    let s = Server::start().await;
    let (st, v) = json(s.post_json(&deploy_path(PHOTON), &deploy_body("x")).await).await;
    assert_rest_error(st, &v, 401, "unauthenticated");
}

#[tokio::test]
async fn ovf_problems_answer_succeeded_false_and_create_nothing() {
    let s = Server::start().await;
    let sid = login(&s).await;
    let unmapped = json!({"target": {"resource_pool_id": POOL}, "deployment_spec": {"accept_all_EULA": true, "network_mappings": [{"key": "backend", "value": NETWORK}]}});
    let (st, v) = rest(&s, &sid, Method::POST, &deploy_path(PHOTON), Some(&unmapped)).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["value"]["succeeded"], false);
    let e = &v["value"]["error"]["errors"][0];
    assert_eq!(
        (e["category"].as_str(), e["name"].as_str(), e["value"].as_str()),
        (Some("INPUT"), Some("network_mappings"), Some("backend"))
    );
    assert!(v["value"].get("resource_id").is_none());

    let eula = json!({"target": {"resource_pool_id": POOL}, "deployment_spec": {"accept_all_EULA": false}});
    let (_, v) = rest(&s, &sid, Method::POST, &deploy_path(APPLIANCE), Some(&eula)).await;
    assert_eq!(v["value"]["succeeded"], false);
    assert_eq!(v["value"]["error"]["errors"][0]["name"], "accept_all_EULA");
    // Without EULAs, accept_all_EULA false is fine.
    let (_, v) = rest(&s, &sid, Method::POST, &deploy_path(PHOTON), Some(&json!({"target": {"resource_pool_id": POOL}, "deployment_spec": {"accept_all_EULA": false, "name": "no-eula"}}))).await;
    assert_eq!(v["value"]["succeeded"], true, "{v}");

    let unknown_class = json!({"target": {"resource_pool_id": POOL}, "deployment_spec": {"accept_all_EULA": true, "additional_parameters": [{"@class": "com.vmware.vcenter.ovf.nonsense_params", "type": "NonsenseParams"}]}});
    let (_, v) = rest(&s, &sid, Method::POST, &deploy_path(PHOTON), Some(&unknown_class)).await;
    assert_eq!(v["value"]["succeeded"], false);
    let wrong_class = json!({"target": {"resource_pool_id": POOL}, "deployment_spec": {"accept_all_EULA": true, "additional_parameters": [{"@class": "com.vmware.vcenter.ovf.library_item.deployment_target", "resource_pool_id": POOL}]}});
    let (_, v) = rest(&s, &sid, Method::POST, &deploy_path(PHOTON), Some(&wrong_class)).await;
    assert_eq!(v["value"]["succeeded"], false, "{v}");
    assert_eq!(v["value"]["error"]["errors"][0]["name"], "additional_parameters");
    let bad_prop = json!({"target": {"resource_pool_id": POOL}, "deployment_spec": {"accept_all_EULA": true, "additional_parameters": [{"@class": "com.vmware.vcenter.ovf.property_params", "type": "PropertyParams", "properties": [{"id": "nope", "value": "1"}]}]}});
    let (_, v) = rest(&s, &sid, Method::POST, &deploy_path(PHOTON), Some(&bad_prop)).await;
    assert_eq!(v["value"]["succeeded"], false);

    let dup = json!({"target": {"resource_pool_id": POOL, "folder_id": FOLDER}, "deployment_spec": {"accept_all_EULA": true, "name": "DC0_C0_RP0_VM0"}});
    let (_, v) = rest(&s, &sid, Method::POST, &deploy_path(PHOTON), Some(&dup)).await;
    assert_eq!(v["value"]["succeeded"], false);
    let e = &v["value"]["error"]["errors"][0];
    assert_eq!(e["category"], "SERVER");
    assert_eq!(e["error"]["@class"], "com.vmware.vapi.std.errors.already_exists");
    assert_eq!(vm_count(&s, &sid).await, 4, "only the no-eula deploy created a VM");
}

#[tokio::test]
async fn client_token_replay_returns_the_same_vm() {
    let s = Server::start().await;
    let sid = login(&s).await;
    let mut body = deploy_body("once");
    body["client_token"] = json!("retry-me");
    let (_, a) = rest(&s, &sid, Method::POST, &deploy_path(PHOTON), Some(&body)).await;
    let (_, b) = rest(&s, &sid, Method::POST, &deploy_path(PHOTON), Some(&body)).await;
    assert_eq!(a["value"]["succeeded"], true);
    assert_eq!(a, b);
    assert_eq!(vm_count(&s, &sid).await, 4);
    // A failed attempt is not remembered: the retry runs again.
    let mut bad = deploy_body("DC0_C0_RP0_VM0");
    bad["client_token"] = json!("second");
    let (_, v) = rest(&s, &sid, Method::POST, &deploy_path(PHOTON), Some(&bad)).await;
    assert_eq!(v["value"]["succeeded"], false);
    bad["deployment_spec"]["name"] = json!("fixed");
    let (_, v) = rest(&s, &sid, Method::POST, &deploy_path(PHOTON), Some(&bad)).await;
    assert_eq!(v["value"]["succeeded"], true);
}

#[tokio::test]
async fn protocol_errors_in_the_vapi_format() {
    let s = Server::start().await;
    let sid = login(&s).await;
    let send = |body: &'static str, ct: &'static str| {
        s.request(Method::POST, &deploy_path(PHOTON))
            .header("vmware-api-session-id", sid.clone())
            .header("content-type", ct)
            .body(body)
            .send()
    };
    let (st, v) = json(send("{\"target\": ", "application/json").await.unwrap()).await;
    assert_rest_error(st, &v, 400, "invalid_argument");
    let (st, v) = json(send("[1,2]", "application/json").await.unwrap()).await;
    assert_rest_error(st, &v, 400, "invalid_argument");
    let (st, v) = json(send("target=x", "text/plain").await.unwrap()).await;
    assert_rest_error(st, &v, 400, "invalid_request");
    // Unknown ~action, missing id: prefix, unknown service, wrong method: the unknown-URL body.
    for (m, path) in [
        (Method::POST, format!("/rest/com/vmware/vcenter/ovf/library-item/id:{PHOTON}?~action=explode")),
        (Method::POST, format!("/rest/com/vmware/vcenter/ovf/library-item/{PHOTON}?~action=deploy")),
        (Method::GET, "/rest/com/vmware/vcenter/nothing".to_string()),
        (Method::PUT, format!("/rest/com/vmware/vcenter/ovf/library-item/id:{PHOTON}")),
    ] {
        let (st, v) = rest(&s, &sid, m, &path, None).await;
        assert_eq!(st, 404, "{path}: {v}");
        assert_eq!(v["value"]["messages"][0]["id"], "com.vmware.vapi.rest.operationsForUrlNotFound", "{path}");
    }
    assert_eq!(vm_count(&s, &sid).await, 3);
}
