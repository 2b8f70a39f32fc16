//! The query API: every `q=` operator, nested fields, tags, paging, sorting, projection, counts, the schema
//! map, the `/{uuid}` form, bad parameters and tenant visibility.

use serde_json::{json, Value};

use super::*;
use crate::common::Server;

fn names(list: &[Value]) -> Vec<String> {
    let mut v: Vec<String> = list.iter().map(|i| i["name"].as_str().unwrap_or("").to_string()).collect();
    v.sort();
    v
}

async fn vm_names(s: &Server, sid: &str, q: &str) -> Vec<String> {
    names(&query(s, sid, &format!("/zstack/v1/vm-instances?{q}")).await)
}

#[tokio::test]
async fn every_operator() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    assert_eq!(vm_names(&s, &sid, "q=name=Test-VM").await, ["Test-VM"]);
    let running = vm_names(&s, &sid, "q=state=Running").await;
    assert_eq!(running, ["Test-VM", "tenant2-web"]);
    let not_running = vm_names(&s, &sid, "q=state!=Running").await;
    assert_eq!(not_running.len(), 11);
    assert!(!not_running.contains(&"Test-VM".to_string()));
    assert_eq!(vm_names(&s, &sid, "q=memorySize>4294967296").await, ["Test-VM"]);
    assert_eq!(vm_names(&s, &sid, "q=memorySize>=8589934592").await, ["Test-VM"]);
    assert_eq!(vm_names(&s, &sid, "q=cpuNum<2").await, ["Test-VM"]);
    assert_eq!(vm_names(&s, &sid, "q=cpuNum<=1").await, ["Test-VM"]);
    assert_eq!(vm_names(&s, &sid, "q=state?=Paused,Unknown").await, ["paused-vm", "unknown-vm"]);
    assert_eq!(vm_names(&s, &sid, "q=state!?=Stopped,Running,Created,Destroyed").await, ["paused-vm", "unknown-vm"]);
    assert_eq!(vm_names(&s, &sid, "q=name~=tenant2-%").await, ["tenant2-db", "tenant2-web"]);
    // MySQL's default collation: LIKE ignores case, so `%-vm` also matches Test-VM.
    assert_eq!(vm_names(&s, &sid, "q=name!~=%-vm").await, ["tenant2-db", "tenant2-web"]);
    assert_eq!(vm_names(&s, &sid, "q=hostUuid not null&q=state=Running").await, ["Test-VM", "tenant2-web"]);
    assert_eq!(vm_names(&s, &sid, "q=defaultL3NetworkUuid is null").await, ["no-l3-vm"]);
}

#[tokio::test]
async fn urlencoded_operators_nested_fields_tags_and_dates() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    // urllib3 sends `>` as %3E and `%` as %25; unencoded `%` and `+` are read leniently.
    assert_eq!(vm_names(&s, &sid, "q=memorySize%3E=8589934592").await, ["Test-VM"]);
    assert_eq!(vm_names(&s, &sid, "q=name~=Test%25").await, ["Test-VM"]);
    assert_eq!(vm_names(&s, &sid, "q=name~=Test%").await, ["Test-VM"]);
    assert_eq!(vm_names(&s, &sid, "q=vmNics.ip=192.168.1.10").await, ["Test-VM"]);
    assert_eq!(vm_names(&s, &sid, "q=allVolumes.type=Data").await, ["Test-VM"]);
    assert_eq!(vm_names(&s, &sid, "q=vmNics.usedIps.ip=192.168.1.10").await, ["Test-VM"]);
    assert_eq!(vm_names(&s, &sid, "q=createDate<Jan 1, 2018 12:00:00 AM").await, ["Test-VM"]);
    // Tags: the root volume of a changed VM is tagged overwriteBy::volume::<temporary volume>.
    let stopped = vm_named(&s, &sid, "stopped-vm").await;
    let answer = run(
        &s,
        &sid,
        stopped["uuid"].as_str().unwrap(),
        &json!({"changeVmImage": {"imageUuid": SEED_IMAGE, "resourceUuid": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}}),
        3.0,
    )
    .await;
    assert_eq!(answer.0, 200, "{}", answer.1);
    let vols =
        query(&s, &sid, "/zstack/v1/volumes?q=__systemTag__=overwriteBy::volume::aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
            .await;
    assert_eq!(vols.len(), 1);
    assert_eq!(vols[0]["uuid"], stopped["rootVolumeUuid"]);
    assert!(query(&s, &sid, "/zstack/v1/volumes?q=__userTag__~=%").await.is_empty());
}

#[tokio::test]
async fn paging_sorting_projection_and_counts() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    let (status, v) =
        get(&s, &sid, "/zstack/v1/vm-instances?q=state=Stopped&sort=-name&limit=2&start=1&replyWithCount=true").await;
    assert_eq!(status, 200);
    assert_eq!(v["total"], 7);
    let got: Vec<&str> = v["inventories"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(got, ["stopped-vm", "ps-disabled-vm"]);
    let (_, v) = get(&s, &sid, "/zstack/v1/vm-instances?sort=+createDate&limit=1").await;
    assert_eq!(v["inventories"][0]["name"], "Test-VM");
    assert!(v.get("total").is_none());
    let (_, v) = get(&s, &sid, "/zstack/v1/vm-instances?q=state=Stopped&count=true").await;
    assert_eq!(v["total"], 7);
    assert!(v.get("inventories").is_none());
    let (_, v) =
        get(&s, &sid, &format!("/zstack/v1/vm-instances?q=uuid={SEED_VM}&fields=uuid,state&fields=name")).await;
    assert_eq!(v["inventories"], json!([{"uuid": SEED_VM, "state": "Running"}]));
    // Unknown parameters (the SDK's sessionId) are ignored.
    let (status, v) =
        get(&s, &sid, &format!("/zstack/v1/vm-instances?q=name=Test-VM&sessionId={sid}&groupBy=x&foo=bar")).await;
    assert_eq!((status, v["inventories"].as_array().unwrap().len()), (200, 1));
    let all = query(&s, &sid, "/zstack/v1/vm-instances").await;
    assert_eq!(all.len(), 13);
    assert_eq!(query(&s, &sid, "/zstack/v1/vm-instances?limit=0").await.len(), 0);
}

#[tokio::test]
async fn get_by_uuid_is_a_list_and_ignores_other_parameters() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    let list = query(&s, &sid, &format!("/zstack/v1/vm-instances/{SEED_VM}?limit=x&q=broken")).await;
    assert_eq!(list.len(), 1);
    let inv = &list[0];
    for field in [
        "uuid",
        "name",
        "description",
        "zoneUuid",
        "clusterUuid",
        "imageUuid",
        "hostUuid",
        "lastHostUuid",
        "instanceOfferingUuid",
        "rootVolumeUuid",
        "platform",
        "architecture",
        "defaultL3NetworkUuid",
        "type",
        "hypervisorType",
        "memorySize",
        "cpuNum",
        "cpuSpeed",
        "allocatorStrategy",
        "createDate",
        "lastOpDate",
        "state",
        "vmNics",
        "allVolumes",
        "guestOsType",
    ] {
        assert!(inv.get(field).is_some(), "VM inventory lacks {field}: {inv}");
    }
    assert!(inv["memorySize"].is_u64() && inv["cpuNum"].is_u64(), "sizes are integers: {inv}");
    assert_eq!(inv["allVolumes"][0]["uuid"], SEED_ROOT_VOLUME);
    assert_eq!(inv["allVolumes"][0]["type"], "Root");
    assert!(inv["allVolumes"][0]["size"].is_u64());
    assert!(inv.as_object().unwrap().values().all(|v| !v.is_null()), "nulls are omitted");
    let (status, v) = get(&s, &sid, "/zstack/v1/vm-instances/0123456789abcdef0123456789abcdef").await;
    assert_eq!((status, v["inventories"].clone()), (200, json!([])));
}

#[tokio::test]
async fn every_collection_answers_with_its_schema() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    for (path, class, count) in [
        ("vm-instances", "org.zstack.header.vm.VmInstanceInventory", 13),
        ("images", "org.zstack.header.image.ImageInventory", 9),
        ("volumes", "org.zstack.header.volume.VolumeInventory", 14),
        ("zones", "org.zstack.header.zone.ZoneInventory", 1),
        ("clusters", "org.zstack.header.cluster.ClusterInventory", 2),
        ("hosts", "org.zstack.kvm.KVMHostInventory", 4),
        ("l3-networks", "org.zstack.header.network.l3.L3NetworkInventory", 1),
        ("primary-storage", "org.zstack.header.storage.primary.PrimaryStorageInventory", 4),
        ("backup-storage", "org.zstack.header.storage.backup.BackupStorageInventory", 1),
    ] {
        let (status, v) = get(&s, &sid, &format!("/zstack/v1/{path}")).await;
        assert_eq!(status, 200, "{path}");
        let list = v["inventories"].as_array().unwrap();
        assert_eq!(list.len(), count, "{path}");
        assert_eq!(v["schema"]["inventories[0]"], class, "{path}");
        let uuid = list[0]["uuid"].as_str().unwrap();
        assert_eq!(uuid.len(), 32);
        let one = query(&s, &sid, &format!("/zstack/v1/{path}/{uuid}")).await;
        assert_eq!(one.len(), 1, "{path}/{uuid}");
    }
    let (_, v) = get(&s, &sid, &format!("/zstack/v1/vm-instances?q=uuid={SEED_VM}")).await;
    let keys: Vec<&String> = v["schema"].as_object().unwrap().keys().collect();
    assert_eq!(keys[0], "inventories[0]");
    assert_eq!(v["schema"]["inventories[0].vmNics[0]"], "org.zstack.header.vm.VmNicInventory");
    assert_eq!(v["schema"]["inventories[0].vmNics[0].usedIps[0]"], "org.zstack.header.network.l3.UsedIpInventory");
    assert_eq!(v["schema"]["inventories[0].allVolumes[1]"], "org.zstack.header.volume.VolumeInventory");
}

#[tokio::test]
async fn bad_query_parameters() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    let send = |q: &'static str| {
        s.request(reqwest::Method::GET, &format!("/zstack/v1/vm-instances?{q}"))
            .header("Authorization", format!("OAuth {sid}"))
            .send()
    };
    let (status, ct, body) = text(send("q=nameTest-VM").await.unwrap()).await;
    assert_eq!(status, 400);
    assert!(ct.starts_with("text/plain"));
    assert_eq!(
        body,
        "Invalid query parameter. The 'nameTest-VM' in the parameter[q] doesn't contain any query operator. Valid query operators are [[!=, >=, <=, !?=, !~=, ~=, ?=, =, >, <, is null, not null]]"
    );
    let (_, _, body) = text(send("q=name=").await.unwrap()).await;
    assert_eq!(body, "Invalid query parameter. The 'name=' in parameter[q] is not a key-value pair split by =");
    let (status, _, body) = text(send("limit=ten").await.unwrap()).await;
    assert_eq!((status, body.as_str()), (400, "Invalid query parameter. 'limit' must be an integer"));
    let (status, _, body) = text(send("start=1.5").await.unwrap()).await;
    assert_eq!((status, body.as_str()), (400, "Invalid query parameter. 'start' must be an integer"));

    let (status, v) = get(&s, &sid, "/zstack/v1/vm-instances?q=colour=red").await;
    assert_eq!(status, 503);
    assert_eq!(v["error"]["code"], "SYS.1007");
    assert_eq!(
        v["error"]["details"],
        "condition name[colour] is invalid, no such field on inventory class[org.zstack.header.vm.VmInstanceInventory]"
    );
    let (_, v) = get(&s, &sid, "/zstack/v1/vm-instances?q=vmNics.colour=red").await;
    assert_eq!(
        v["error"]["details"],
        "condition name[colour] is invalid, no such field on inventory class[org.zstack.header.vm.VmNicInventory]"
    );
    let (_, v) = get(&s, &sid, "/zstack/v1/vm-instances?sort=colour").await;
    assert_eq!(
        v["error"]["details"],
        "illegal sortBy[colour], entity[org.zstack.header.vm.VmInstanceVO] doesn't have this field"
    );
    let (status, v) = get(&s, &sid, "/zstack/v1/vm-instances?fields=uuid,colour").await;
    assert_eq!((status, v["error"]["code"].as_str()), (503, Some("SYS.1007")));
    let (status, v) = get(&s, &sid, "/zstack/v1/vm-instances?q=cpuNum>many").await;
    assert_eq!((status, v["error"]["code"].as_str()), (503, Some("SYS.1007")));
}

#[tokio::test]
async fn a_normal_account_sees_its_own_vms_and_the_shared_world() {
    let s = Server::start().await;
    let sid = tenant2(&s).await;
    assert_eq!(vm_names(&s, &sid, "").await, ["tenant2-db", "tenant2-web"]);
    assert_eq!(query(&s, &sid, "/zstack/v1/volumes").await.len(), 2);
    assert!(query(&s, &sid, &format!("/zstack/v1/vm-instances/{SEED_VM}")).await.is_empty());
    assert_eq!(query(&s, &sid, "/zstack/v1/images").await.len(), 9);
    let admin_sid = admin(&s).await;
    assert_eq!(query(&s, &admin_sid, "/zstack/v1/vm-instances?q=name~=tenant2%").await.len(), 2);
}

#[tokio::test]
async fn image_candidates_for_a_vm() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    let (status, v) = get(&s, &sid, &format!("/zstack/v1/vm-instances/{SEED_VM}/image-candidates")).await;
    assert_eq!(status, 200);
    let got = names(v["inventories"].as_array().unwrap());
    assert_eq!(got, ["CentOS-7.9", "Ubuntu-18.04", "Windows-Server-2019"]);
    let (status, v) = get(&s, &sid, "/zstack/v1/vm-instances/0123456789abcdef0123456789abcdef/image-candidates").await;
    assert_eq!(status, 503);
    assert_eq!(v["error"]["code"], "SYS.1003");
    assert_eq!(
        v["error"]["details"],
        "invalid field[vmInstanceUuid], resource[uuid:0123456789abcdef0123456789abcdef, type:VmInstanceVO] not found"
    );
}
