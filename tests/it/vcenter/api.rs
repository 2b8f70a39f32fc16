//! The newer `/api` REST form: bare values, maps as objects, `?action=`, `Client-Token`, 201/204 codes.

use reqwest::Method;
use serde_json::{json, Value};

use super::support::*;
use crate::common::{json, Server};

async fn api_login(s: &Server) -> String {
    let r = s.request(Method::POST, "/api/session").basic_auth(ADMIN, Some(PASSWORD)).send().await.unwrap();
    let (st, v) = json(r).await;
    assert_eq!(st, 201, "{v}");
    v.as_str().unwrap().to_string()
}

/// `/api` calls carry the session the same way as `/rest` ones.
use super::support::rest as api;

#[tokio::test]
async fn api_session_lists_and_deploy() {
    let s = Server::start().await;
    let sid = api_login(&s).await;
    let (st, v) = api(&s, &sid, Method::GET, "/api/session", None).await;
    assert_eq!(st, 200);
    assert_eq!(v["user"], "VSPHERE.LOCAL\\Administrator");
    let (_, v) = api(&s, &sid, Method::GET, "/api/vcenter/vm?names=DC0_H0_VM0&names=DC0_C0_RP0_VM1", None).await;
    assert_eq!(v.as_array().unwrap().len(), 2, "{v}");
    let r = s
        .request(Method::GET, "/api/vcenter/vm")
        .header("vmware-api-session-id", &sid)
        .header("client-token", "x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "a Client-Token on an operation without one is ignored");
    let (_, v) = api(&s, &sid, Method::GET, "/api/vcenter/vm?power_states=SUSPENDED", None).await;
    assert_eq!(v, json!([]));
    let (_, v) = api(&s, &sid, Method::GET, "/api/vcenter/vm/vm-20", None).await;
    assert!(v["nics"].is_object() && v["nics"]["4000"]["type"] == "VMXNET3", "maps are objects on /api: {v}");
    let (_, v) = api(
        &s,
        &sid,
        Method::POST,
        &format!("/api/vcenter/ovf/library-item/{PHOTON}?action=filter"),
        Some(&json!({"target": {"resource_pool_id": POOL}})),
    )
    .await;
    assert_eq!(v["networks"], json!(["VM Network"]));
    assert!(
        v["additional_params"][0].get("@class").is_none() && v["additional_params"][0]["type"] == "SizeParams",
        "{v}"
    );

    let body = json!({"target": {"resource_pool_id": POOL}, "deployment_spec": {"name": "api-vm", "accept_all_EULA": true, "network_mappings": {"VM Network": NETWORK},
        "additional_parameters": [{"type": "PropertyParams", "properties": [{"id": "guestinfo.hostname", "value": "api"}]}]}});
    let deploy = format!("/api/vcenter/ovf/library-item/{PHOTON}?action=deploy");
    let deploy_with_token = || {
        s.request(Method::POST, &deploy)
            .header("vmware-api-session-id", &sid)
            .header("client-token", "api-1")
            .json(&body)
            .send()
    };
    let (st, a) = json(deploy_with_token().await.unwrap()).await;
    assert_eq!(st, 200, "{a}");
    assert_eq!(a["succeeded"], true);
    assert_eq!(json(deploy_with_token().await.unwrap()).await.1, a, "Client-Token replays");

    let (st, v) = api(&s, &sid, Method::DELETE, "/api/session", None).await;
    assert_eq!((st, v), (204, Value::Null));
}

#[tokio::test]
async fn api_library_flow_status_codes() {
    let s = Server::start().await;
    let sid = api_login(&s).await;
    // On /api the body of a create is the create spec itself, and the token travels as Client-Token.
    let spec = json!({"name": "api-lib", "type": "LOCAL", "storage_backings": [{"type": "DATASTORE", "datastore_id": DATASTORE}]});
    let token = "7d0b6c1e-0f7a-4b8e-9c55-2f7e9d8a1b3c";
    let create = || {
        s.request(Method::POST, "/api/content/local-library")
            .header("vmware-api-session-id", &sid)
            .header("client-token", token)
            .json(&spec)
            .send()
    };
    let (st, lib) = json(create().await.unwrap()).await;
    assert_eq!(st, 201, "{lib}");
    let lib = lib.as_str().unwrap().to_string();
    assert_eq!(json(create().await.unwrap()).await.1, json!(lib), "Client-Token replays the create");
    let (st, v) =
        api(&s, &sid, Method::POST, "/api/content/library?action=find", Some(&json!({"name": "api-lib"}))).await;
    assert_eq!((st, v), (200, json!([lib])));
    let (st, item) = api(
        &s,
        &sid,
        Method::POST,
        "/api/content/library/item",
        Some(&json!({"library_id": lib, "name": "i", "type": "ovf"})),
    )
    .await;
    assert_eq!(st, 201, "{item}");
    let item = item.as_str().unwrap().to_string();
    let (_, items) = api(&s, &sid, Method::GET, &format!("/api/content/library/item?library_id={lib}"), None).await;
    assert_eq!(items, json!([item]));
    let (st, v) =
        api(&s, &sid, Method::GET, &format!("/api/content/library/item/{PHOTON}/file?name=photon-web.ovf"), None).await;
    assert_eq!((st, v["name"].as_str()), (200, Some("photon-web.ovf")), "{v}");
    let (_, v) = api(&s, &sid, Method::GET, &format!("/api/content/library/item/{PHOTON}/file"), None).await;
    assert_eq!(v.as_array().unwrap().len(), 2);
    let (st, v) = api(
        &s,
        &sid,
        Method::GET,
        &format!("/api/content/library/item/{PHOTON}/storage?file_name=photon-web.ovf"),
        None,
    )
    .await;
    assert_eq!((st, v[0]["name"].as_str()), (200, Some("photon-web.ovf")), "{v}");
    let (st, us) = api(
        &s,
        &sid,
        Method::POST,
        "/api/content/library/item/update-session",
        Some(&json!({"library_item_id": item})),
    )
    .await;
    assert_eq!(st, 201, "{us}");
    let us = us.as_str().unwrap().to_string();
    let path = format!("/api/content/library/item/update-session/{us}/file");
    let (st, f) = api(&s, &sid, Method::POST, &path, Some(&json!({"name": "x.ovf", "source_type": "PUSH"}))).await;
    assert_eq!((st, f["status"].as_str()), (200, Some("WAITING_FOR_TRANSFER")), "{f}");
    let (st, _) =
        api(&s, &sid, Method::POST, &format!("/api/content/library/item/update-session/{us}?action=cancel"), None)
            .await;
    assert_eq!(st, 204);
    let (st, v) =
        api(&s, &sid, Method::GET, "/api/content/library/item/00000000-0000-4000-8000-000000000000", None).await;
    assert_eq!(st, 404);
    assert_eq!(v["error_type"], "NOT_FOUND");
    assert!(v["messages"][0]["default_message"].is_string());
}

#[tokio::test]
async fn api_errors_and_unknown_urls() {
    let s = Server::start().await;
    let (st, v) = json(s.get("/api/vcenter/vm").await).await;
    assert_eq!((st, v["error_type"].as_str()), (401, Some("UNAUTHENTICATED")));
    let (st, v) = json(s.get("/api/vcenter/nothing").await).await;
    assert_eq!(st, 404);
    assert_eq!(
        v,
        json!({"error_type": "NOT_FOUND", "messages": [{"args": [], "default_message": "Not found.", "id": "com.vmware.vapi.rest.httpNotFound"}]})
    );
    let sid = api_login(&s).await;
    let r = s
        .request(Method::POST, &format!("/api/vcenter/ovf/library-item/{PHOTON}?action=deploy"))
        .header("vmware-api-session-id", &sid)
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    let (st, v) = json(r).await;
    assert_eq!((st, v["error_type"].as_str()), (400, Some("INVALID_ARGUMENT")));
    let r = s
        .request(Method::POST, &format!("/api/vcenter/ovf/library-item/{PHOTON}?action=deploy"))
        .header("vmware-api-session-id", &sid)
        .json(&json!({"target": {"resource_pool_id": POOL}, "deployment_spec": {"accept_all_EULA": true}}))
        .send()
        .await
        .unwrap();
    let (st, v) = json(r).await;
    assert_eq!((st, v["succeeded"].as_bool()), (200, Some(true)), "{v}");
}
