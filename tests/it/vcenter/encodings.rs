//! The seed's three request representations (JSON, XML, query string) give the same deploy, and `/rest`
//! answers in XML when asked.

use reqwest::Method;
use serde_json::{json, Value};

use super::support::*;
use crate::common::Server;

/// The seed's XML example, verbatim.
const SEED_XML: &str = include_str!("../../data/vcenter/seed_deploy.xml");

/// The seed's query-string example, verbatim (after `?`).
const SEED_QUERY: &str = "~action=deploy&deployment_spec.annotation=string&deployment_spec.network_mappings.1.value=obj-103&deployment_spec.network_mappings.1.key=string&deployment_spec.flags.1=string&deployment_spec.flags.2=string&deployment_spec.storage_provisioning=thin&deployment_spec.storage_mappings.1.value.datastore_id=obj-103&deployment_spec.storage_mappings.1.value.storage_profile_id=obj-103&deployment_spec.storage_mappings.1.value.type=DATASTORE&deployment_spec.storage_mappings.1.value.provisioning=thin&deployment_spec.storage_mappings.1.key=string&deployment_spec.locale=string&deployment_spec.name=string&deployment_spec.default_datastore_id=obj-103&deployment_spec.additional_parameters.1~class=com.vmware.vcenter.ovf.ovf_params&deployment_spec.additional_parameters.1.type=string&deployment_spec.additional_parameters.2~class=com.vmware.vcenter.ovf.ovf_params&deployment_spec.additional_parameters.2.type=string&deployment_spec.storage_profile_id=obj-103&deployment_spec.accept_all_EULA=true&client_token=string&target.folder_id=obj-103&target.host_id=obj-103&target.resource_pool_id=obj-103&ovf_library_item_id=obj-103";

/// The seed examples with the placeholders pointed at the fixture world.
fn fill(seed: &str, name: &str, token: &str) -> String {
    let seed = seed
        .replace("<key>string</key>", "<key>KEY</key>")
        .replace("network_mappings.1.key=string", "network_mappings.1.key=VM+Network")
        .replace("storage_mappings.1.key=string", "storage_mappings.1.key=group1")
        .replace("<name>string</name>", &format!("<name>{name}</name>"))
        .replace("deployment_spec.name=string", &format!("deployment_spec.name={name}"))
        .replace("<client_token>string</client_token>", &format!("<client_token>{token}</client_token>"))
        .replace("client_token=string", &format!("client_token={token}"));
    // XML: the first <key> is the network mapping's, the second the storage mapping's.
    let seed =
        seed.replacen("<key>KEY</key>", "<key>VM Network</key>", 1).replacen("<key>KEY</key>", "<key>group1</key>", 1);
    seed.replace("<value>obj-103</value>", &format!("<value>{NETWORK}</value>"))
        .replace("network_mappings.1.value=obj-103", &format!("network_mappings.1.value={NETWORK}"))
        .replace("<datastore_id>obj-103</datastore_id>", &format!("<datastore_id>{DATASTORE}</datastore_id>"))
        .replace("value.datastore_id=obj-103", &format!("value.datastore_id={DATASTORE}"))
        .replace("<default_datastore_id>obj-103", &format!("<default_datastore_id>{DATASTORE}"))
        .replace("default_datastore_id=obj-103", &format!("default_datastore_id={DATASTORE}"))
        .replace("<folder_id>obj-103", &format!("<folder_id>{FOLDER}"))
        .replace("folder_id=obj-103", &format!("folder_id={FOLDER}"))
        .replace("<host_id>obj-103", "<host_id>host-10")
        .replace("host_id=obj-103", "host_id=host-10")
        .replace("<resource_pool_id>obj-103", &format!("<resource_pool_id>{POOL}"))
        .replace("resource_pool_id=obj-103", &format!("resource_pool_id={POOL}"))
        .replace("<ovf_library_item_id>obj-103", &format!("<ovf_library_item_id>{PHOTON}"))
        .replace("ovf_library_item_id=obj-103", &format!("ovf_library_item_id={PHOTON}"))
}

fn seed_json(name: &str, token: &str) -> Value {
    json!({
        "client_token": token,
        "deployment_spec": {
            "accept_all_EULA": true,
            "additional_parameters": [{"@class": "com.vmware.vcenter.ovf.ovf_params", "type": "string"}, {"@class": "com.vmware.vcenter.ovf.ovf_params", "type": "string"}],
            "annotation": "string", "default_datastore_id": DATASTORE, "flags": ["string", "string"], "locale": "string", "name": name,
            "network_mappings": [{"key": "VM Network", "value": NETWORK}],
            "storage_mappings": [{"key": "group1", "value": {"datastore_id": DATASTORE, "provisioning": "thin", "storage_profile_id": "obj-103", "type": "DATASTORE"}}],
            "storage_profile_id": "obj-103", "storage_provisioning": "thin"
        },
        "ovf_library_item_id": PHOTON,
        "target": {"folder_id": FOLDER, "host_id": "host-10", "resource_pool_id": POOL}
    })
}

/// The VM as `get` shows it, without what differs by design (name, ids).
async fn vm_shape(s: &Server, sid: &str, vm: &str) -> Value {
    let (st, mut v) = rest(s, sid, Method::GET, &format!("/rest/vcenter/vm/{vm}"), None).await;
    assert_eq!(st, 200);
    let info = v["value"].as_object_mut().unwrap();
    info.remove("name");
    info.remove("identity");
    for nic in info["nics"].as_array_mut().unwrap() {
        nic["value"].as_object_mut().unwrap().remove("mac_address");
    }
    for d in info["disks"].as_array_mut().unwrap() {
        d["value"]["backing"].as_object_mut().unwrap().remove("vmdk_file");
    }
    v
}

#[tokio::test]
async fn json_xml_and_query_string_deploy_the_same_vm() {
    let s = Server::start().await;
    let sid = login(&s).await;
    let path = "/com/vmware/vcenter/ovf/library-item?~action=deploy";

    let (st, j) = rest(&s, &sid, Method::POST, path, Some(&seed_json("from-json", "tok-json"))).await;
    assert_eq!(st, 200, "{j}");

    let r = s
        .request(Method::POST, path)
        .header("vmware-api-session-id", &sid)
        .header("content-type", "application/xml")
        .body(fill(SEED_XML, "from-xml", "tok-xml"))
        .send()
        .await
        .unwrap();
    let (st, x) = (r.status().as_u16(), r.json::<Value>().await.unwrap());
    assert_eq!(st, 200, "{x}");

    let q = fill(SEED_QUERY, "from-query", "tok-query");
    let (st, qv) = rest(&s, &sid, Method::POST, &format!("/com/vmware/vcenter/ovf/library-item?{q}"), None).await;
    assert_eq!(st, 200, "{qv}");

    let mut shapes = vec![];
    for v in [&j, &x, &qv] {
        assert_eq!(v["value"]["succeeded"], true, "{v}");
        let vm = v["value"]["resource_id"]["id"].as_str().unwrap();
        shapes.push(vm_shape(&s, &sid, vm).await);
    }
    assert_eq!(shapes[0], shapes[1]);
    assert_eq!(shapes[0], shapes[2]);
    let names: Vec<String> = {
        let (_, v) = rest(
            &s,
            &sid,
            Method::GET,
            "/rest/vcenter/vm?filter.names.1=from-json&filter.names.2=from-xml&filter.names.3=from-query",
            None,
        )
        .await;
        v["value"].as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(names.len(), 3, "{names:?}");
}

#[tokio::test]
async fn xml_responses_use_the_op_result_element() {
    let s = Server::start().await;
    let sid = login(&s).await;
    let r = s
        .request(Method::POST, &format!("/rest/com/vmware/vcenter/ovf/library-item/id:{PHOTON}?~action=filter"))
        .header("vmware-api-session-id", &sid)
        .header("accept", "application/xml")
        .header("content-type", "application/xml")
        .body(format!("<ns0:Filter-Input xmlns:ns0=\"http://vmware.com/vcenter/ovf/library_item\"><target><resource_pool_id>{POOL}</resource_pool_id></target></ns0:Filter-Input>"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().contains("xml"));
    let body = r.text().await.unwrap();
    assert!(body.contains("<ns0:Filter-Result xmlns:ns0=\"http://vmware.com/vcenter/ovf/library_item\""), "{body}");
    assert!(body.contains("<networks-array>") && body.contains("<array-item>VM Network</array-item>"), "{body}");
    assert!(body.contains("<array-item class=\"com.vmware.vcenter.ovf.size_params\">"), "{body}");
    assert!(body.contains("<EULAs-array>"), "{body}");

    // A list result, and a deploy result in XML.
    let r = s
        .request(Method::GET, "/rest/com/vmware/content/library")
        .header("vmware-api-session-id", &sid)
        .header("accept", "application/xml")
        .send()
        .await
        .unwrap();
    let body = r.text().await.unwrap();
    assert!(
        body.contains("<ns0:List-Result xmlns:ns0=\"http://vmware.com/content/library\"")
            && body.contains("<value-array>"),
        "{body}"
    );
    let r = s
        .request(Method::POST, &deploy_path(PHOTON))
        .header("vmware-api-session-id", &sid)
        .header("accept", "application/xml")
        .json(&deploy_body("xml-out"))
        .send()
        .await
        .unwrap();
    let body = r.text().await.unwrap();
    assert!(
        body.contains("<ns0:Deploy-Result")
            && body.contains("<succeeded>true</succeeded>")
            && body.contains("<type>VirtualMachine</type>"),
        "{body}"
    );
}

#[tokio::test]
async fn the_verbatim_seed_examples_name_unknown_ids_in_the_clients_representation() {
    let s = Server::start().await;
    let sid = login(&s).await;
    let r = s
        .request(Method::POST, "/com/vmware/vcenter/ovf/library-item?~action=deploy")
        .header("vmware-api-session-id", &sid)
        .header("content-type", "application/xml")
        .header("accept", "application/xml")
        .body(SEED_XML)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let body = r.text().await.unwrap();
    assert!(body.contains("<type>com.vmware.vapi.std.errors.not_found</type>") && body.contains("obj-103"), "{body}");
    let (st, v) =
        rest(&s, &sid, Method::POST, &format!("/com/vmware/vcenter/ovf/library-item?{SEED_QUERY}"), None).await;
    assert_rest_error(st, &v, 404, "not_found");
    assert_eq!(vm_count(&s, &sid).await, 3);
}

#[tokio::test]
async fn malformed_xml_and_query_strings_are_invalid_argument() {
    let s = Server::start().await;
    let sid = login(&s).await;
    let r = s
        .request(Method::POST, &deploy_path(PHOTON))
        .header("vmware-api-session-id", &sid)
        .header("content-type", "application/xml")
        .body("<ns0:Deploy-Input><target></ns0:Deploy-Input>")
        .send()
        .await
        .unwrap();
    let (st, v) = (r.status().as_u16(), r.json::<Value>().await.unwrap());
    assert_rest_error(st, &v, 400, "invalid_argument");
    let r = s
        .request(Method::POST, &deploy_path(PHOTON))
        .header("vmware-api-session-id", &sid)
        .header("content-type", "text/xml")
        .body("<a>".repeat(50_000))
        .send()
        .await
        .unwrap();
    let (st, v) = (r.status().as_u16(), r.json::<Value>().await.unwrap());
    assert_rest_error(st, &v, 400, "invalid_argument");
    let deep = vec!["x"; 5_000].join(".");
    let (st, v) = rest(&s, &sid, Method::POST, &format!("{}&{deep}=1", deploy_path(PHOTON)), None).await;
    assert_rest_error(st, &v, 400, "invalid_argument");
    for q in [
        "deployment_spec.flags.0=a",
        "deployment_spec.flags.-1=a",
        "target..resource_pool_id=x",
        "target=1&target.resource_pool_id=2",
        "deployment_spec.accept_all_EULA=maybe&target.resource_pool_id=resgroup-8",
    ] {
        let (st, v) = rest(&s, &sid, Method::POST, &format!("{}&{q}", deploy_path(PHOTON)), None).await;
        assert_rest_error(st, &v, 400, "invalid_argument");
    }
    assert_eq!(vm_count(&s, &sid).await, 3);
}
