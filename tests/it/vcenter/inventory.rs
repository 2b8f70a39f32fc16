//! VM and inventory lists with `filter.*` parameters, VM get and delete.

use reqwest::Method;
use serde_json::json;

use super::support::*;
use crate::common::Server;

async fn ids(s: &Server, sid: &str, path: &str, field: &str) -> Vec<String> {
    let (st, v) = rest(s, sid, Method::GET, path, None).await;
    assert_eq!(st, 200, "{path}: {v}");
    v["value"].as_array().unwrap().iter().map(|x| x[field].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn inventory_lists_and_filters() {
    let s = Server::start().await;
    let sid = login(&s).await;
    assert_eq!(ids(&s, &sid, "/rest/vcenter/datacenter", "datacenter").await, vec!["datacenter-2"]);
    assert_eq!(ids(&s, &sid, "/rest/vcenter/datacenter?filter.names.1=DC0", "name").await, vec!["DC0"]);
    assert_eq!(
        ids(&s, &sid, "/rest/vcenter/folder?filter.type=VIRTUAL_MACHINE", "folder").await,
        vec!["group-v23", "group-v3"]
    );
    assert_eq!(ids(&s, &sid, "/rest/vcenter/cluster", "cluster").await, vec!["domain-c7"]);
    assert_eq!(
        ids(&s, &sid, "/rest/vcenter/host?filter.clusters.1=domain-c7", "host").await,
        vec!["host-10", "host-11"]
    );
    assert_eq!(ids(&s, &sid, "/rest/vcenter/host?filter.standalone=true", "host").await, vec!["host-12"]);
    assert_eq!(
        ids(&s, &sid, "/rest/vcenter/resource-pool?filter.names=Resources&filter.clusters=domain-c7", "resource_pool")
            .await,
        vec![POOL]
    );
    assert_eq!(ids(&s, &sid, "/rest/vcenter/datastore?filter.types.1=NFS", "name").await, vec!["SharedNFS_0"]);
    assert_eq!(
        ids(&s, &sid, "/rest/vcenter/network?filter.types.1=STANDARD_PORTGROUP", "name").await,
        vec!["VM Network"]
    );
    assert_eq!(ids(&s, &sid, "/rest/vcenter/vm?filter.power_states.1=POWERED_ON", "vm").await, vec!["vm-20", "vm-22"]);
    assert_eq!(
        ids(&s, &sid, "/rest/vcenter/vm?filter.resource_pools.1=resgroup-8&filter.hosts.1=host-11", "vm").await,
        vec!["vm-21"]
    );
    assert_eq!(ids(&s, &sid, "/rest/vcenter/vm?filter.names.1=nothing", "vm").await, Vec::<String>::new());
    let (_, v) = rest(&s, &sid, Method::GET, "/rest/vcenter/datastore?filter.names.1=LocalDS_0", None).await;
    assert_eq!(v["value"][0]["type"], "VMFS");
    assert!(v["value"][0]["capacity"].as_i64().unwrap() > v["value"][0]["free_space"].as_i64().unwrap());
    let (st, v) = rest(&s, &sid, Method::GET, "/rest/vcenter/vm?filter.power_states.1=ON&filter.hosts.x=1", None).await;
    assert_rest_error(st, &v, 400, "invalid_argument");
}

#[tokio::test]
async fn vm_get_and_delete() {
    let s = Server::start().await;
    let sid = login(&s).await;
    let (st, v) = rest(&s, &sid, Method::GET, "/rest/vcenter/vm/vm-20", None).await;
    assert_eq!(st, 200);
    let info = &v["value"];
    assert_eq!(info["name"], "DC0_C0_RP0_VM0");
    assert!(info["disks"].is_array() && info["nics"][0]["key"] == "4000", "maps are key/value arrays on /rest: {info}");
    assert_eq!(info["nics"][0]["value"]["backing"]["network_name"], "VM Network");
    let (st, v) = rest(&s, &sid, Method::GET, "/rest/vcenter/vm/vm-404", None).await;
    assert_rest_error(st, &v, 404, "not_found");
    let (st, v) = rest(&s, &sid, Method::DELETE, "/rest/vcenter/vm/vm-20", None).await;
    assert_rest_error(st, &v, 400, "resource_in_use");
    let (st, _) = rest(&s, &sid, Method::DELETE, "/rest/vcenter/vm/vm-21", None).await;
    assert_eq!(st, 200);
    let (_, v) = rest(&s, &sid, Method::GET, "/rest/vcenter/vm?filter.vms.1=vm-21", None).await;
    assert_eq!(v["value"], json!([]));
}
