//! OVF create from a VM: a real item whose `.ovf` describes the VM, deployable afterwards; and its errors.

use reqwest::Method;
use serde_json::json;

use super::support::*;
use crate::common::Server;

const CREATE: &str = "/rest/com/vmware/vcenter/ovf/library-item";

#[tokio::test]
async fn create_from_vm_then_deploy_the_created_item() {
    let s = Server::start().await;
    let sid = login(&s).await;
    let body = json!({"source": {"type": "VirtualMachine", "id": "vm-21"}, "target": {"library_id": LIBRARY}, "create_spec": {"name": "vm1-template", "description": "exported"}});
    let (st, v) = rest(&s, &sid, Method::POST, CREATE, Some(&body)).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["value"]["succeeded"], true);
    let item = v["value"]["ovf_library_item_id"].as_str().unwrap().to_string();
    let (_, files) = rest(
        &s,
        &sid,
        Method::GET,
        &format!("/rest/com/vmware/content/library/item/file?library_item_id={item}"),
        None,
    )
    .await;
    let names: Vec<&str> = files["value"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["vm1-template.ovf", "vm1-template-disk-0.vmdk"]);
    let (_, f) = ovf_filter(&s, &sid, &item).await;
    assert_eq!(f["value"]["name"], "vm1-template");
    assert_eq!(f["value"]["networks"], json!(["VM Network"]));
    let (_, d) = rest(&s, &sid, Method::POST, &deploy_path(&item), Some(&deploy_body("from-template"))).await;
    assert_eq!(d["value"]["succeeded"], true, "{d}");
    let vm = d["value"]["resource_id"]["id"].as_str().unwrap();
    let (_, info) = rest(&s, &sid, Method::GET, &format!("/rest/vcenter/vm/{vm}"), None).await;
    assert_eq!(info["value"]["cpu"]["count"], 2, "vm-21 has 2 CPUs");
    assert_eq!(info["value"]["memory"]["size_MiB"], 2048);
    assert_eq!(info["value"]["guest_OS"], "OTHER_3X_LINUX_64");

    // A new version of the same item.
    let body = json!({"source": {"type": "VirtualMachine", "id": "vm-21"}, "target": {"library_item_id": item}, "create_spec": {}});
    let (st, v) = rest(&s, &sid, Method::POST, CREATE, Some(&body)).await;
    assert_eq!((st, &v["value"]["ovf_library_item_id"]), (200, &json!(item)));
}

#[tokio::test]
async fn create_from_vm_errors() {
    let s = Server::start().await;
    let sid = login(&s).await;
    let case = |src: &str, target: serde_json::Value| json!({"source": {"type": "VirtualMachine", "id": src}, "target": target, "create_spec": {"name": "t"}});
    let (st, v) = rest(&s, &sid, Method::POST, CREATE, Some(&case("vm-21", json!({})))).await;
    assert_rest_error(st, &v, 400, "invalid_argument");
    let (st, v) = rest(
        &s,
        &sid,
        Method::POST,
        CREATE,
        Some(&case("vm-21", json!({"library_id": LIBRARY, "library_item_id": PHOTON}))),
    )
    .await;
    assert_rest_error(st, &v, 400, "invalid_argument");
    let (st, v) = rest(&s, &sid, Method::POST, CREATE, Some(&case("vm-404", json!({"library_id": LIBRARY})))).await;
    assert_rest_error(st, &v, 404, "not_found");
    let (st, v) = rest(
        &s,
        &sid,
        Method::POST,
        CREATE,
        Some(&case("vm-21", json!({"library_id": "00000000-0000-4000-8000-000000000000"}))),
    )
    .await;
    assert_rest_error(st, &v, 404, "not_found");
    let (st, v) = rest(&s, &sid, Method::POST, CREATE, Some(&case("vm-20", json!({"library_id": LIBRARY})))).await;
    assert_rest_error(st, &v, 400, "not_allowed_in_current_state");
    let dup = json!({"source": {"type": "VirtualMachine", "id": "vm-21"}, "target": {"library_id": LIBRARY}, "create_spec": {"name": "photon-web"}});
    let (st, v) = rest(&s, &sid, Method::POST, CREATE, Some(&dup)).await;
    assert_rest_error(st, &v, 400, "already_exists");
    let (_, items) =
        rest(&s, &sid, Method::GET, &format!("/rest/com/vmware/content/library/item?library_id={LIBRARY}"), None).await;
    assert_eq!(items["value"].as_array().unwrap().len(), 2, "a refused create adds no item");
}
