//! JSON-RPC 2.0 on `POST /api`, in the wire form the official Python SDK sends (captured from 9.1.1.0).

use serde_json::{json, Value};

use super::support::*;
use crate::common::{json, Server};

fn call(id: &str, service: &str, op: &str, input: Value, sec: Value) -> Value {
    json!({"jsonrpc": "2.0", "method": "invoke", "id": id, "params": {"serviceId": service, "operationId": op,
        "input": {"STRUCTURE": {"operation-input": input}}, "ctx": {"appCtx": {"opId": "t"}, "securityCtx": sec}}})
}

fn sid_ctx(sid: &str) -> Value {
    json!({"schemeId": "com.vmware.vapi.std.security.session_id", "sessionId": sid})
}

async fn rpc(s: &Server, body: &Value) -> Value {
    let r = s
        .http
        .post(s.url("/api"))
        .header("vapi-service", body["params"]["serviceId"].as_str().unwrap_or(""))
        .json(body)
        .send()
        .await
        .unwrap();
    let (st, v) = json(r).await;
    assert_eq!(st, 200, "JSON-RPC always answers 200: {v}");
    v
}

async fn rpc_login(s: &Server) -> String {
    let v = rpc(
        s,
        &call(
            "0",
            "com.vmware.cis.session",
            "create",
            json!({}),
            json!({"schemeId": "com.vmware.vapi.std.security.user_pass", "userName": ADMIN, "password": PASSWORD}),
        ),
    )
    .await;
    assert_eq!(v["id"], "0");
    v["result"]["output"]["SECRET"].as_str().expect("secret session id").to_string()
}

#[tokio::test]
async fn rpc_login_deploy_and_wrapped_results() {
    let s = Server::start().await;
    let sid = rpc_login(&s).await;
    let input = json!({"client_token": {"OPTIONAL": "rpc-1"}, "ovf_library_item_id": PHOTON,
        "target": {"STRUCTURE": {"com.vmware.vcenter.ovf.library_item.deployment_target": {"resource_pool_id": POOL, "host_id": {"OPTIONAL": null}, "folder_id": {"OPTIONAL": FOLDER}}}},
        "deployment_spec": {"STRUCTURE": {"com.vmware.vcenter.ovf.library_item.resource_pool_deployment_spec": {"name": {"OPTIONAL": "rpc-vm"}, "annotation": {"OPTIONAL": null}, "accept_all_EULA": true,
            "network_mappings": {"OPTIONAL": [{"STRUCTURE": {"map-entry": {"key": "VM Network", "value": NETWORK}}}]}, "storage_mappings": {"OPTIONAL": null}, "flags": {"OPTIONAL": null}, "additional_parameters": {"OPTIONAL": null}}}}});
    let v = rpc(&s, &call("3", "com.vmware.vcenter.ovf.library_item", "deploy", input, sid_ctx(&sid))).await;
    assert_eq!(v["jsonrpc"], "2.0");
    assert_eq!(v["id"], "3");
    let r = &v["result"]["output"]["STRUCTURE"]["com.vmware.vcenter.ovf.library_item.deployment_result"];
    assert_eq!(r["succeeded"], true, "{v}");
    assert_eq!(r["error"], json!({"OPTIONAL": null}));
    let vm = r["resource_id"]["OPTIONAL"]["STRUCTURE"]["com.vmware.vcenter.ovf.library_item.deployable_identity"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The session works on /rest too, and the VM is there.
    let (st, info) = rest(&s, &sid, reqwest::Method::GET, &format!("/rest/vcenter/vm/{vm}"), None).await;
    assert_eq!((st, info["value"]["name"].as_str()), (200, Some("rpc-vm")));
    // Journal sees the refined operation id.
    assert_eq!(s.journal("operation=vcenter.ovf.deploy").await.len(), 1);
    // Lists come back as arrays of wrapped structures; maps as map-entry lists.
    let v = rpc(&s, &call("4", "com.vmware.vcenter.VM", "get", json!({"vm": vm}), sid_ctx(&sid))).await;
    let info = &v["result"]["output"]["STRUCTURE"]["com.vmware.vcenter.VM.info"];
    assert!(info["nics"][0]["STRUCTURE"]["map-entry"]["key"] == "4000", "{info}");
    assert_eq!(info["identity"]["OPTIONAL"]["STRUCTURE"]["com.vmware.vcenter.vm.identity.info"]["name"], "rpc-vm");
}

#[tokio::test]
async fn rpc_vapi_errors_travel_in_result_error() {
    let s = Server::start().await;
    let v = rpc(
        &s,
        &call(
            "1",
            "com.vmware.cis.session",
            "create",
            json!({}),
            json!({"schemeId": "com.vmware.vapi.std.security.user_pass", "userName": ADMIN, "password": "nope"}),
        ),
    )
    .await;
    assert!(
        v["result"]["error"]["ERROR"]["com.vmware.vapi.std.errors.unauthenticated"]["messages"][0]["STRUCTURE"]
            .is_object(),
        "{v}"
    );
    let v =
        rpc(&s, &call("2", "com.vmware.vcenter.VM", "list", json!({"filter": {"OPTIONAL": null}}), sid_ctx("bogus")))
            .await;
    assert!(v["result"]["error"]["ERROR"]["com.vmware.vapi.std.errors.unauthenticated"].is_object(), "{v}");
    let sid = rpc_login(&s).await;
    let v = rpc(&s, &call("5", "com.vmware.vcenter.ovf.library_item", "filter", json!({"ovf_library_item_id": "00000000-0000-4000-8000-000000000000",
        "target": {"STRUCTURE": {"com.vmware.vcenter.ovf.library_item.deployment_target": {"resource_pool_id": POOL}}}}), sid_ctx(&sid))).await;
    let e = &v["result"]["error"]["ERROR"]["com.vmware.vapi.std.errors.not_found"];
    assert_eq!(e["error_type"], json!({"OPTIONAL": "NOT_FOUND"}), "{v}");
    let v = rpc(&s, &call("6", "com.vmware.vcenter.Nothing", "list", json!({}), sid_ctx(&sid))).await;
    assert!(v["result"]["error"]["ERROR"]["com.vmware.vapi.std.errors.operation_not_found"].is_object(), "{v}");
    let v = rpc(&s, &call("7", "com.vmware.vcenter.VM", "explode", json!({}), sid_ctx(&sid))).await;
    assert!(v["result"]["error"]["ERROR"]["com.vmware.vapi.std.errors.operation_not_found"].is_object(), "{v}");
    let v = rpc(
        &s,
        &call(
            "8",
            "com.vmware.vcenter.ovf.library_item",
            "deploy",
            json!({"ovf_library_item_id": PHOTON}),
            sid_ctx(&sid),
        ),
    )
    .await;
    assert!(v["result"]["error"]["ERROR"]["com.vmware.vapi.std.errors.invalid_argument"].is_object(), "{v}");
}

#[tokio::test]
async fn rpc_protocol_errors() {
    let s = Server::start().await;
    let raw =
        |body: &'static str| s.http.post(s.url("/api")).header("content-type", "application/json").body(body).send();
    let (st, v) = json(raw("{not json").await.unwrap()).await;
    assert_eq!((st, v["error"]["code"].as_i64()), (200, Some(-32700)));
    let (_, v) = json(raw("[1]").await.unwrap()).await;
    assert_eq!(v["error"]["code"], -32600);
    let (_, v) = json(raw(r#"{"jsonrpc":"2.0","id":"9","method":"call","params":{}}"#).await.unwrap()).await;
    assert_eq!((v["error"]["code"].as_i64(), v["id"].as_str()), (Some(-32601), Some("9")));
    let (_, v) = json(
        raw(r#"{"jsonrpc":"2.0","id":"9","method":"invoke","params":{"serviceId":"com.vmware.vcenter.VM"}}"#)
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(v["error"]["code"], -32602);
    let body = call("1", "com.vmware.vcenter.VM", "list", json!({}), sid_ctx("x"));
    let r =
        s.http.post(s.url("/api")).header("vapi-service", "com.vmware.cis.session").json(&body).send().await.unwrap();
    assert_eq!(json(r).await.1["error"]["code"], -31001);
    // Other methods on the JSON-RPC URL are plain /api 404s.
    let (st, v) = json(s.get("/api").await).await;
    assert_eq!((st, v["error_type"].as_str()), (404, Some("NOT_FOUND")));
}
