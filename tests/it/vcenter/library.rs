//! Content library: local libraries, items, update sessions with PUSH uploads to the handed-out endpoint,
//! validate/complete/cancel/fail, item files and storage, and the errors around them.

use reqwest::Method;
use serde_json::{json, Value};

use super::support::*;
use crate::common::Server;

const C: &str = "/rest/com/vmware/content";

pub const OVF: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData">
  <References><File ovf:href="tiny-disk-0.vmdk" ovf:id="file1" ovf:size="4"/></References>
  <DiskSection><Info>d</Info><Disk ovf:capacity="1" ovf:capacityAllocationUnits="byte * 2^30" ovf:diskId="vmdisk1" ovf:fileRef="file1"/></DiskSection>
  <NetworkSection><Info>n</Info><Network ovf:name="lan"/></NetworkSection>
  <VirtualSystem ovf:id="tiny"><Info>vm</Info><Name>tiny</Name>
    <EulaSection><Info>e</Info><License>Be nice.</License></EulaSection>
    <VirtualHardwareSection><Info>h</Info>
      <Item><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>1</rasd:VirtualQuantity></Item>
      <Item><rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits><rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>256</rasd:VirtualQuantity></Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>"#;

pub async fn create_library(s: &Server, sid: &str, name: &str) -> String {
    let body = json!({"create_spec": {"name": name, "type": "LOCAL", "storage_backings": [{"type": "DATASTORE", "datastore_id": DATASTORE}]}});
    let (st, v) = rest(s, sid, Method::POST, &format!("{C}/local-library"), Some(&body)).await;
    assert_eq!(st, 200, "{v}");
    v["value"].as_str().unwrap().to_string()
}

pub async fn create_item(s: &Server, sid: &str, lib: &str, name: &str) -> String {
    let body = json!({"create_spec": {"library_id": lib, "name": name, "type": "ovf"}});
    let (st, v) = rest(s, sid, Method::POST, &format!("{C}/library/item"), Some(&body)).await;
    assert_eq!(st, 200, "{v}");
    v["value"].as_str().unwrap().to_string()
}

pub async fn open_session(s: &Server, sid: &str, item: &str) -> String {
    let (st, v) = rest(
        s,
        sid,
        Method::POST,
        &format!("{C}/library/item/update-session"),
        Some(&json!({"create_spec": {"library_item_id": item}})),
    )
    .await;
    assert_eq!(st, 200, "{v}");
    v["value"].as_str().unwrap().to_string()
}

/// Adds a PUSH file and PUTs its bytes to the endpoint the server handed out.
pub async fn push(s: &Server, sid: &str, us: &str, name: &str, bytes: &[u8]) -> Value {
    let path = format!("{C}/library/item/updatesession/file/id:{us}?~action=add");
    let (st, v) = rest(
        s,
        sid,
        Method::POST,
        &path,
        Some(&json!({"file_spec": {"name": name, "source_type": "PUSH", "size": bytes.len()}})),
    )
    .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["value"]["status"], "WAITING_FOR_TRANSFER");
    let uri = v["value"]["upload_endpoint"]["uri"].as_str().unwrap().to_string();
    assert!(uri.starts_with(&s.base), "{uri}");
    let r = s.http.put(&uri).header("content-type", "text/ovf").body(bytes.to_vec()).send().await.unwrap();
    assert_eq!(r.status(), 200);
    v
}

#[tokio::test]
async fn full_upload_flow_then_filter_and_deploy() {
    let s = Server::start().await;
    let sid = login(&s).await;
    let lib = create_library(&s, &sid, "uploads").await;
    let (_, v) = rest(&s, &sid, Method::GET, &format!("{C}/library/id:{lib}"), None).await;
    assert_eq!(v["value"]["name"], "uploads");
    assert_eq!(v["value"]["storage_backings"][0]["datastore_id"], DATASTORE);
    let item = create_item(&s, &sid, &lib, "tiny").await;
    let us = open_session(&s, &sid, &item).await;
    push(&s, &sid, &us, "tiny.ovf", OVF.as_bytes()).await;

    let validate = format!("{C}/library/item/updatesession/file/id:{us}?~action=validate");
    let (_, v) = rest(&s, &sid, Method::POST, &validate, None).await;
    assert_eq!(v["value"]["has_errors"], true);
    assert_eq!(v["value"]["missing_files"], json!(["tiny-disk-0.vmdk"]));
    push(&s, &sid, &us, "tiny-disk-0.vmdk", b"disk").await;
    let (_, v) = rest(&s, &sid, Method::POST, &validate, None).await;
    assert_eq!(v["value"], json!({"has_errors": false, "missing_files": [], "invalid_files": []}));
    let (_, v) =
        rest(&s, &sid, Method::GET, &format!("{C}/library/item/updatesession/file?update_session_id={us}"), None).await;
    assert_eq!(v["value"].as_array().unwrap().iter().filter(|f| f["status"] == "READY").count(), 2);

    let (st, _) =
        rest(&s, &sid, Method::POST, &format!("{C}/library/item/update-session/id:{us}?~action=complete"), None).await;
    assert_eq!(st, 200);
    // The state reads ACTIVE until the completion step elapses on the product clock.
    let get = format!("{C}/library/item/update-session/id:{us}");
    assert_eq!(rest(&s, &sid, Method::GET, &get, None).await.1["value"]["state"], "ACTIVE");
    s.advance(2.0).await;
    assert_eq!(rest(&s, &sid, Method::GET, &get, None).await.1["value"]["state"], "DONE");
    let (st, _) = rest(&s, &sid, Method::DELETE, &get, None).await;
    assert_eq!(st, 200);

    let (_, files) = rest(&s, &sid, Method::GET, &format!("{C}/library/item/file?library_item_id={item}"), None).await;
    let names: Vec<&str> = files["value"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["tiny.ovf", "tiny-disk-0.vmdk"]);
    let (_, storage) =
        rest(&s, &sid, Method::GET, &format!("{C}/library/item/storage?library_item_id={item}"), None).await;
    assert_eq!(storage["value"][0]["storage_backing"]["datastore_id"], DATASTORE);
    assert!(storage["value"][0]["storage_uris"][0].as_str().unwrap().starts_with("ds:///"));
    let (_, got) = rest(&s, &sid, Method::GET, &format!("{C}/library/item/id:{item}"), None).await;
    assert_eq!(got["value"]["size"], OVF.len() as i64 + 4);

    let (_, f) = ovf_filter(&s, &sid, &item).await;
    assert_eq!(f["value"]["EULAs"], json!(["Be nice."]));
    assert_eq!(f["value"]["networks"], json!(["lan"]));
    let body = json!({"target": {"resource_pool_id": POOL}, "deployment_spec": {"name": "tiny-1", "accept_all_EULA": true, "network_mappings": [{"key": "lan", "value": NETWORK}]}});
    let (_, d) = rest(&s, &sid, Method::POST, &deploy_path(&item), Some(&body)).await;
    assert_eq!(d["value"]["succeeded"], true, "{d}");
}

#[tokio::test]
async fn library_and_item_lookups() {
    let s = Server::start().await;
    let sid = login(&s).await;
    let (_, v) = rest(&s, &sid, Method::GET, &format!("{C}/library"), None).await;
    assert_eq!(v["value"], json!([LIBRARY]));
    let (_, v) = rest(
        &s,
        &sid,
        Method::POST,
        &format!("{C}/library?~action=find"),
        Some(&json!({"spec": {"name": "templates"}})),
    )
    .await;
    assert_eq!(v["value"], json!([LIBRARY]));
    let (_, v) = rest(&s, &sid, Method::GET, &format!("{C}/library/item?library_id={LIBRARY}"), None).await;
    assert_eq!(v["value"].as_array().unwrap().len(), 2);
    let (_, v) = rest(
        &s,
        &sid,
        Method::POST,
        &format!("{C}/library/item?~action=find"),
        Some(&json!({"spec": {"name": "photon-web", "library_id": LIBRARY}})),
    )
    .await;
    assert_eq!(v["value"], json!([PHOTON]));
    let (_, v) = rest(&s, &sid, Method::GET, &format!("{C}/library/item/id:{PHOTON}"), None).await;
    assert_eq!(v["value"]["type"], "ovf");
    assert_eq!(v["value"]["library_id"], LIBRARY);
    // get by POST ?~action=get with the id in the body
    let (st, v) = rest(
        &s,
        &sid,
        Method::POST,
        &format!("{C}/library/item?~action=get"),
        Some(&json!({"library_item_id": PHOTON})),
    )
    .await;
    assert_eq!((st, v["value"]["name"].as_str()), (200, Some("photon-web")));
}

#[tokio::test]
async fn library_and_item_errors() {
    let s = Server::start().await;
    let sid = login(&s).await;
    let unknown = "00000000-0000-4000-8000-000000000001";
    let item = |body: Value| {
        let s = &s;
        let sid = sid.clone();
        async move { rest(s, &sid, Method::POST, &format!("{C}/library/item"), Some(&body)).await }
    };
    let (st, v) = item(json!({"create_spec": {"library_id": LIBRARY, "name": "photon-web", "type": "ovf"}})).await;
    assert_rest_error(st, &v, 400, "already_exists");
    let (st, v) = item(json!({"create_spec": {"library_id": LIBRARY, "name": "", "type": "ovf"}})).await;
    assert_rest_error(st, &v, 400, "invalid_argument");
    let (st, v) =
        item(json!({"client_token": "not-a-uuid", "create_spec": {"library_id": LIBRARY, "name": "n", "type": "ovf"}}))
            .await;
    assert_rest_error(st, &v, 400, "invalid_argument");
    let (st, v) = item(json!({"create_spec": {"library_id": unknown, "name": "n", "type": "ovf"}})).await;
    assert_rest_error(st, &v, 404, "not_found");
    // A replayed client token gives the same item.
    let token = "11111111-2222-4333-8444-555555555555";
    let (_, a) =
        item(json!({"client_token": token, "create_spec": {"library_id": LIBRARY, "name": "once", "type": "ovf"}}))
            .await;
    let (_, b) =
        item(json!({"client_token": token, "create_spec": {"library_id": LIBRARY, "name": "once", "type": "ovf"}}))
            .await;
    assert_eq!(a, b);

    let (st, v) = rest(&s, &sid, Method::POST, &format!("{C}/library?~action=find"), Some(&json!({"spec": {}}))).await;
    assert_rest_error(st, &v, 400, "invalid_argument");
    let (st, v) =
        rest(&s, &sid, Method::POST, &format!("{C}/library/item?~action=find"), Some(&json!({"spec": {}}))).await;
    assert_rest_error(st, &v, 400, "invalid_argument");
    let (st, v) = rest(&s, &sid, Method::GET, &format!("{C}/library/item?library_id={unknown}"), None).await;
    assert_rest_error(st, &v, 404, "not_found");
    let (st, v) = rest(&s, &sid, Method::GET, &format!("{C}/library/item"), None).await;
    assert_rest_error(st, &v, 400, "invalid_argument");
    let (st, v) = rest(&s, &sid, Method::GET, &format!("{C}/library/id:{unknown}"), None).await;
    assert_rest_error(st, &v, 404, "not_found");
    let (st, v) = rest(&s, &sid, Method::POST, &format!("{C}/local-library"), Some(&json!({"create_spec": {"name": "Templates", "type": "LOCAL", "storage_backings": [{"type": "DATASTORE", "datastore_id": DATASTORE}]}}))).await;
    assert_rest_error(st, &v, 400, "already_exists");
    let (st, v) = rest(&s, &sid, Method::POST, &format!("{C}/local-library"), Some(&json!({"create_spec": {"name": "x", "storage_backings": [{"type": "DATASTORE", "datastore_id": "datastore-404"}]}}))).await;
    assert_rest_error(st, &v, 404, "not_found");

    // Deleting removes the item; a second delete is not found.
    let path = format!("{C}/library/item/id:{}", a["value"].as_str().unwrap());
    assert_eq!(rest(&s, &sid, Method::DELETE, &path, None).await.0, 200);
    let (st, v) = rest(&s, &sid, Method::DELETE, &path, None).await;
    assert_rest_error(st, &v, 404, "not_found");
}

#[tokio::test]
async fn update_session_states_and_errors() {
    let s = Server::start().await;
    let sid = login(&s).await;
    let item = create_item(&s, &sid, LIBRARY, "states").await;
    let us = open_session(&s, &sid, &item).await;
    // One session per item at a time.
    let (st, v) = rest(
        &s,
        &sid,
        Method::POST,
        &format!("{C}/library/item/update-session"),
        Some(&json!({"create_spec": {"library_item_id": item}})),
    )
    .await;
    assert_rest_error(st, &v, 400, "resource_busy");
    // Completing with a file not yet transferred is refused.
    let (st, v) = rest(
        &s,
        &sid,
        Method::POST,
        &format!("{C}/library/item/updatesession/file/id:{us}?~action=add"),
        Some(&json!({"file_spec": {"name": "a.ovf", "source_type": "PUSH"}})),
    )
    .await;
    assert_eq!(st, 200, "{v}");
    let (st, v) =
        rest(&s, &sid, Method::POST, &format!("{C}/library/item/update-session/id:{us}?~action=complete"), None).await;
    assert_rest_error(st, &v, 400, "not_allowed_in_current_state");
    // A descriptor that does not parse is reported by validate.
    let (_, files) =
        rest(&s, &sid, Method::GET, &format!("{C}/library/item/updatesession/file?update_session_id={us}"), None).await;
    let uri = files["value"][0]["upload_endpoint"]["uri"].as_str().unwrap().to_string();
    assert_eq!(s.http.put(&uri).body("<html>not ovf</html>").send().await.unwrap().status(), 200);
    let (_, v) =
        rest(&s, &sid, Method::POST, &format!("{C}/library/item/updatesession/file/id:{us}?~action=validate"), None)
            .await;
    assert_eq!(v["value"]["has_errors"], true);
    assert_eq!(v["value"]["invalid_files"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["value"]["invalid_files"][0]["name"], "a.ovf");
    assert!(v["value"]["invalid_files"][0]["error_message"]["default_message"]
        .as_str()
        .unwrap()
        .contains("OVF descriptor"));
    // keep-alive, then fail: ERROR, and nothing more may be added.
    let (st, _) = rest(
        &s,
        &sid,
        Method::POST,
        &format!("{C}/library/item/update-session/id:{us}?~action=keep-alive"),
        Some(&json!({"client_progress": 50})),
    )
    .await;
    assert_eq!(st, 200);
    let (st, _) = rest(
        &s,
        &sid,
        Method::POST,
        &format!("{C}/library/item/update-session/id:{us}?~action=fail"),
        Some(&json!({"client_error_message": "gave up"})),
    )
    .await;
    assert_eq!(st, 200);
    let (_, v) = rest(&s, &sid, Method::GET, &format!("{C}/library/item/update-session/id:{us}"), None).await;
    assert_eq!(v["value"]["state"], "ERROR");
    assert_eq!(v["value"]["error_message"]["default_message"], "gave up");
    let (st, v) = rest(
        &s,
        &sid,
        Method::POST,
        &format!("{C}/library/item/updatesession/file/id:{us}?~action=add"),
        Some(&json!({"file_spec": {"name": "b.ovf", "source_type": "PUSH"}})),
    )
    .await;
    assert_rest_error(st, &v, 400, "not_allowed_in_current_state");
    // Uploads to an unknown endpoint or to a closed session are refused.
    let r = s.http.put(s.url("/cls/data/00000000-0000-4000-8000-000000000009/x.ovf")).body("x").send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(s.http.put(&uri).body("again").send().await.unwrap().status(), 400);
    // A new session can be opened; cancel ends it as CANCELED.
    let us2 = open_session(&s, &sid, &item).await;
    rest(&s, &sid, Method::POST, &format!("{C}/library/item/update-session/id:{us2}?~action=cancel"), None).await;
    assert_eq!(
        rest(&s, &sid, Method::GET, &format!("{C}/library/item/update-session/id:{us2}"), None).await.1["value"]
            ["state"],
        "CANCELED"
    );
    // Idle sessions expire on the product clock.
    let us3 = open_session(&s, &sid, &item).await;
    s.advance(6.0 * 60.0).await;
    let (_, v) = rest(&s, &sid, Method::GET, &format!("{C}/library/item/update-session/id:{us3}"), None).await;
    assert_eq!(v["value"]["state"], "ERROR");
    let (st, v) = rest(
        &s,
        &sid,
        Method::GET,
        &format!("{C}/library/item/update-session/id:{}", "00000000-0000-4000-8000-00000000000a"),
        None,
    )
    .await;
    assert_rest_error(st, &v, 404, "not_found");
}

#[tokio::test]
async fn patch_updates_names_and_descriptions() {
    let s = Server::start().await;
    let sid = login(&s).await;
    let (st, v) = rest(
        &s,
        &sid,
        Method::PATCH,
        &format!("{C}/library/item/id:{PHOTON}"),
        Some(&json!({"update_spec": {"name": "photon-web-2", "description": "renamed"}})),
    )
    .await;
    assert_eq!((st, v), (200, Value::Null));
    let (_, v) = rest(&s, &sid, Method::GET, &format!("{C}/library/item/id:{PHOTON}"), None).await;
    assert_eq!(
        (v["value"]["name"].as_str(), v["value"]["description"].as_str()),
        (Some("photon-web-2"), Some("renamed"))
    );
    assert_eq!(v["value"]["metadata_version"], "2");
    let (st, v) = rest(
        &s,
        &sid,
        Method::PATCH,
        &format!("{C}/library/item/id:{PHOTON}"),
        Some(&json!({"update_spec": {"name": "appliance-eula"}})),
    )
    .await;
    assert_rest_error(st, &v, 400, "already_exists");
    let (st, v) = rest(
        &s,
        &sid,
        Method::PATCH,
        &format!("{C}/library/id:{LIBRARY}"),
        Some(&json!({"update_spec": {"name": " "}})),
    )
    .await;
    assert_rest_error(st, &v, 400, "invalid_argument");
    let r = s
        .request(Method::PATCH, &format!("/api/content/library/{LIBRARY}"))
        .header("vmware-api-session-id", &sid)
        .json(&json!({"description": "via api"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let (_, v) = rest(&s, &sid, Method::GET, &format!("{C}/local-library/id:{LIBRARY}"), None).await;
    assert_eq!(v["value"]["description"], "via api");
    let (st, v) = rest(
        &s,
        &sid,
        Method::PATCH,
        &format!("{C}/library/id:00000000-0000-4000-8000-000000000000"),
        Some(&json!({"update_spec": {}})),
    )
    .await;
    assert_rest_error(st, &v, 404, "not_found");
}
