//! ChangeVmImage, the seed operation: the seed's request verbatim, the full flow, every refusal of the
//! reference with its code and message, and what a success or a failure leaves behind.

use reqwest::Method;
use serde_json::{json, Value};

use super::*;
use crate::common::{json, Server};

fn change(image: &str) -> Value {
    json!({"changeVmImage": {"imageUuid": image}})
}

async fn vm_uuid(s: &Server, sid: &str, name: &str) -> String {
    vm_named(s, sid, name).await["uuid"].as_str().unwrap().to_string()
}

async fn root_volume(s: &Server, sid: &str, vm: &Value) -> Value {
    let list = query(s, sid, &format!("/zstack/v1/volumes/{}", vm["rootVolumeUuid"].as_str().unwrap())).await;
    list[0].clone()
}

#[tokio::test]
async fn the_seed_request_verbatim() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    stop(&s, &sid, SEED_VM).await;
    // curl -H "Content-Type: application/json;charset=UTF-8" -H "Authorization: OAuth <session>" -X PUT -d '...' URL
    let r = s
        .request(Method::PUT, "/zstack/v1/vm-instances/af9e42b52dc836dfac3ee89b08c47488/actions")
        .header("Content-Type", "application/json;charset=UTF-8")
        .header("Authorization", format!("OAuth {sid}"))
        .body(r#"{"changeVmImage":{"imageUuid":"dbfd52c2f87c39cda8c8945fca8d6a5a"}}"#)
        .send()
        .await
        .unwrap();
    let (status, v) = json(r).await;
    assert_eq!(status, 202);
    assert_eq!(v["apiTimeout"], 86_400_000);
    let location = v["location"].as_str().unwrap().to_string();
    assert!(location.starts_with(&format!("{}/zstack/v1/api-jobs/", s.base)));
    assert_eq!(poll(&s, &location).await, (202, json!({})));
    s.advance(2.0).await;
    let (status, v) = poll(&s, &location).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["inventory"]["imageUuid"], SEED_IMAGE);
    // The sample body with both optional tag lists.
    let body = json!({"changeVmImage": {"imageUuid": SAMPLE_IMAGE}, "systemTags": [], "userTags": []});
    let (status, v) = run(&s, &sid, SEED_VM, &body, 2.0).await;
    assert_eq!((status, v["inventory"]["imageUuid"].as_str()), (200, Some(SAMPLE_IMAGE)));
}

#[tokio::test]
async fn stop_change_start_on_the_seed_vm() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    let before = vm(&s, &sid, SEED_VM).await;
    let root_before = root_volume(&s, &sid, &before).await;
    stop(&s, &sid, SEED_VM).await;
    let stopped = vm(&s, &sid, SEED_VM).await;

    let body = json!({"changeVmImage": {"imageUuid": SEED_IMAGE, "resourceUuid": "5d1b4e3c2a0f4e6d8c7b9a0f1e2d3c4b"}});
    let location = submit(&s, &sid, SEED_VM, &body).await;
    s.advance(1.0).await;
    assert_eq!(poll(&s, &location).await.0, 202);
    assert_eq!(vm(&s, &sid, SEED_VM).await["state"], "Stopped", "the VM stays Stopped while its image changes");
    s.advance(1.0).await;
    let (status, v) = poll(&s, &location).await;
    assert_eq!(status, 200, "{v}");
    let inv = &v["inventory"];
    assert_eq!(inv["imageUuid"], SEED_IMAGE);
    assert_eq!(inv["state"], "Stopped");
    assert!(inv.get("hostUuid").is_none());
    assert_eq!(inv["platform"], "Linux");
    assert_eq!(inv["guestOsType"], "CentOS 7");
    for kept in ["rootVolumeUuid", "clusterUuid", "lastHostUuid", "hypervisorType", "uuid", "name"] {
        assert_eq!(inv[kept], stopped[kept], "{kept}");
    }
    let root = inv["allVolumes"].as_array().unwrap().iter().find(|v| v["type"] == "Root").unwrap();
    assert_eq!(root["uuid"], SEED_ROOT_VOLUME);
    assert_eq!(root["rootImageUuid"], SEED_IMAGE);
    assert_eq!(root["name"], root_before["name"]);
    assert_eq!(root["deviceId"], 0);
    assert_eq!(
        root["installPath"],
        "/Cloud_ps/rootVolumes/acct-36c27e8ff05c4780bf6d2fa65700f22e/vol-5d1b4e3c2a0f4e6d8c7b9a0f1e2d3c4b/5d1b4e3c2a0f4e6d8c7b9a0f1e2d3c4b.qcow2"
    );
    assert_ne!(root["installPath"], root_before["installPath"]);
    assert_eq!(root["size"], 42_949_672_960u64);
    assert_eq!(root["actualSize"], 1_610_612_736u64);
    let data = inv["allVolumes"].as_array().unwrap().iter().find(|v| v["type"] == "Data").unwrap();
    let data_before = before["allVolumes"].as_array().unwrap().iter().find(|v| v["type"] == "Data").unwrap();
    assert_eq!(data, data_before, "data volumes are not touched");
    // The temporary volume is gone.
    assert!(query(&s, &sid, "/zstack/v1/volumes/5d1b4e3c2a0f4e6d8c7b9a0f1e2d3c4b").await.is_empty());
    assert_eq!(vm(&s, &sid, SEED_VM).await["imageUuid"], SEED_IMAGE);

    let (status, v) = run(&s, &sid, SEED_VM, &json!({"startVmInstance": {}}), 1.0).await;
    assert_eq!((status, v["inventory"]["state"].as_str()), (200, Some("Running")));
    assert_eq!(v["inventory"]["imageUuid"], SEED_IMAGE);
}

#[tokio::test]
async fn changing_to_a_windows_image_changes_the_platform() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    let vm = vm_uuid(&s, &sid, "stopped-vm").await;
    let windows = image_named(&s, &sid, "Windows-Server-2019").await;
    let (status, v) = run(&s, &sid, &vm, &change(&windows), 2.0).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["inventory"]["platform"], "Windows");
    assert_eq!(v["inventory"]["guestOsType"], "Windows 2019");
}

#[tokio::test]
async fn the_ceph_root_pool_tag_is_honoured() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    let vm = vm_uuid(&s, &sid, "ceph-vm").await;
    let body = json!({"changeVmImage": {"imageUuid": SAMPLE_IMAGE, "resourceUuid": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"},
                      "systemTags": ["ceph::rootPoolName::pri-v-r-26e11ca6814d4e1ba504d845f7848db3"]});
    let (status, v) = run(&s, &sid, &vm, &body, 2.0).await;
    assert_eq!(status, 200, "{v}");
    let root = &v["inventory"]["allVolumes"][0];
    assert_eq!(root["installPath"], "ceph://pri-v-r-26e11ca6814d4e1ba504d845f7848db3/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    let tagged = query(
        &s,
        &sid,
        "/zstack/v1/volumes?q=__systemTag__=ceph::rootPoolName::pri-v-r-26e11ca6814d4e1ba504d845f7848db3",
    )
    .await;
    assert_eq!(tagged.len(), 1);
    // Inside the action map (zssdk's shape) works too.
    let body = json!({"changeVmImage": {"imageUuid": SEED_IMAGE, "systemTags": ["ceph::rootPoolName::other-pool"]}});
    let (status, v) = run(&s, &sid, &vm, &body, 2.0).await;
    assert_eq!(status, 200, "{v}");
    assert!(v["inventory"]["allVolumes"][0]["installPath"].as_str().unwrap().starts_with("ceph://other-pool/"));
}

#[tokio::test]
async fn refusals_in_the_reference_order() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    let missing = "0123456789abcdef0123456789abcdef";
    let stopped = vm_uuid(&s, &sid, "stopped-vm").await;
    let answer = run(&s, &sid, &stopped, &json!({"changeVmImage": {}}), 0.0).await;
    assert_error(
        &answer,
        "SYS.1007",
        "field[imageUuid] of message[org.zstack.header.vm.APIChangeVmImageMsg] is mandatory, can not be null",
    );
    let answer = run(&s, &sid, &stopped, &json!({"changeVmImage": {"imageUuid": null}}), 0.0).await;
    assert_eq!(answer.1["error"]["code"], "SYS.1007");
    let answer = run(&s, &sid, missing, &change(SEED_IMAGE), 0.0).await;
    assert_error(
        &answer,
        "SYS.1003",
        &format!("invalid field[vmInstanceUuid], resource[uuid:{missing}, type:VmInstanceVO] not found"),
    );
    let answer = run(&s, &sid, &stopped, &change(missing), 0.0).await;
    assert_error(
        &answer,
        "SYS.1003",
        &format!("invalid field[imageUuid], resource[uuid:{missing}, type:ImageVO] not found"),
    );
    // Both unknown: the VM is reported.
    let answer = run(&s, &sid, missing, &change("ffffffffffffffffffffffffffffffff"), 0.0).await;
    assert!(answer.1["error"]["details"].as_str().unwrap().contains("VmInstanceVO"));
    // Parameters before the session.
    let answer = run(&s, "expired-or-wrong", missing, &change(SEED_IMAGE), 0.0).await;
    assert_eq!(answer.1["error"]["code"], "SYS.1003");
    let answer = run(&s, "expired-or-wrong", &stopped, &change(SEED_IMAGE), 0.0).await;
    assert_error(&answer, "ID.1001", "Session expired");

    let other = tenant2(&s).await;
    let answer = run(&s, &other, &stopped, &change(SEED_IMAGE), 0.0).await;
    assert_error(&answer, "SYS.1007", &format!("user has no privilege to change image of vm {stopped}"));

    for name in ["paused-vm", "unknown-vm", "created-vm", "destroyed-vm"] {
        let uuid = vm_uuid(&s, &sid, name).await;
        let answer = run(&s, &sid, &uuid, &change(SEED_IMAGE), 0.0).await;
        assert_error(&answer, "SYS.1007", "do not change vm image when it's not stopped");
    }
    let answer = run(&s, &sid, SEED_VM, &change(SEED_IMAGE), 0.0).await;
    assert_error(&answer, "SYS.1007", "do not change vm image when it's not stopped");
    // A VM that is Stopping is not stopped either.
    let stopping = submit(&s, &sid, SEED_VM, &json!({"stopVmInstance": {}})).await;
    let answer = run(&s, &sid, SEED_VM, &change(SEED_IMAGE), 0.0).await;
    assert_error(&answer, "SYS.1007", "do not change vm image when it's not stopped");
    s.advance(1.0).await;
    assert_eq!(poll(&s, &stopping).await.0, 200);

    let uuid = vm_uuid(&s, &sid, "ps-disabled-vm").await;
    let answer = run(&s, &sid, &uuid, &change(SEED_IMAGE), 0.0).await;
    assert_error(
        &answer,
        "SYS.1007",
        &format!("make sure the primary storage vm[uuid:{uuid}] was on is Enabled and Connected"),
    );
    let uuid = vm_uuid(&s, &sid, "lasthost-down-vm").await;
    let answer = run(&s, &sid, &uuid, &change(SEED_IMAGE), 0.0).await;
    assert_error(
        &answer,
        "SYS.1007",
        &format!("make sure the last host vm[uuid:{uuid}] was on is Enabled and Connected"),
    );
    let uuid = vm_uuid(&s, &sid, "no-l3-vm").await;
    let answer = run(&s, &sid, &uuid, &change(SEED_IMAGE), 0.0).await;
    assert_error(&answer, "SYS.1007", &format!("vm[uuid:{uuid}] has no default l3, cannot change image for it"));

    for image in [
        "CentOS-7.9-ISO",
        "Debian-10-disabled",
        "Rocky-9-downloading",
        "VRouter-system",
        "Kylin-V10-aarch64",
        "Data-Template",
    ] {
        let image_uuid = image_named(&s, &sid, image).await;
        let answer = run(&s, &sid, &stopped, &change(&image_uuid), 0.0).await;
        assert_error(
            &answer,
            "SYS.1007",
            &format!("instance[uuid:{stopped}] cannot be changed image to image[uuid:{image_uuid}]"),
        );
    }

    let body = json!({"changeVmImage": {"imageUuid": SEED_IMAGE}, "systemTags": ["volumeQos::100"]});
    assert_error(&run(&s, &sid, &stopped, &body, 0.0).await, "SYS.1007", "no system tag matches volumeQos::100");
    let body = json!({"changeVmImage": {"imageUuid": SEED_IMAGE}, "systemTags": ["ceph::rootPoolName::"]});
    assert_error(&run(&s, &sid, &stopped, &body, 0.0).await, "SYS.1007", "no system tag matches ceph::rootPoolName::");
    // Top-level tags win over the ones inside the action map.
    let body = json!({"changeVmImage": {"imageUuid": SEED_IMAGE, "systemTags": ["bad::tag"]}, "systemTags": []});
    assert_eq!(run(&s, &sid, &stopped, &body, 2.0).await.0, 200);

    let body = json!({"changeVmImage": {"imageUuid": SEED_IMAGE, "resourceUuid": SEED_VM}});
    assert_error(
        &run(&s, &sid, &stopped, &body, 0.0).await,
        "SYS.1000",
        &format!("resourceUuid[{SEED_VM}] is already used by another resource"),
    );
}

#[tokio::test]
async fn failures_at_execution_leave_everything_as_it_was() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    // No usable host in the VM's cluster: found when the job runs, SYS.1006.
    let no_host = vm_named(&s, &sid, "no-host-vm").await;
    let uuid = no_host["uuid"].as_str().unwrap().to_string();
    let cluster = no_host["clusterUuid"].as_str().unwrap().to_string();
    let answer = run(&s, &sid, &uuid, &change(SEED_IMAGE), 2.0).await;
    assert_error(
        &answer,
        "SYS.1006",
        &format!("vm[uuid:{uuid}] is in cluster[uuid:{cluster}], but there is no available host in the cluster, cannot change image for the vm"),
    );
    assert_eq!(vm(&s, &sid, &uuid).await, no_host);

    // The VM was started by an earlier job in its queue: "state is not Stopped now".
    let stopped = vm_named(&s, &sid, "stopped-vm").await;
    let uuid = stopped["uuid"].as_str().unwrap().to_string();
    let first = submit(&s, &sid, &uuid, &change(SEED_IMAGE)).await;
    let start = submit(&s, &sid, &uuid, &json!({"startVmInstance": {}})).await;
    let second = submit(&s, &sid, &uuid, &change(SAMPLE_IMAGE)).await;
    s.advance(2.0).await;
    assert_eq!(poll(&s, &first).await.0, 200);
    s.advance(1.0).await;
    assert_eq!(poll(&s, &start).await.0, 200);
    let answer = poll(&s, &second).await;
    assert_error(
        &answer,
        "SYS.1006",
        &format!("vm[uuid: {uuid}]'s state is not Stopped now, cannot operate 'changevmimage' action"),
    );
    assert_eq!(answer.1["error"]["cause"]["code"], "VM.1010");
    assert_eq!(
        answer.1["error"]["cause"]["details"],
        "current vm instance state[Running] doesn't allow to proceed message[org.zstack.header.vm.APIChangeVmImageMsg], allowed states are [Stopped]"
    );
    let after = vm(&s, &sid, &uuid).await;
    assert_eq!((after["imageUuid"].as_str(), after["state"].as_str()), (Some(SEED_IMAGE), Some("Running")));
}

#[tokio::test]
async fn an_injected_mid_flow_failure_rolls_back() {
    use mockcloud::core::lifecycle::{LifecycleEvent, Outcome};
    let s = Server::start().await;
    let sid = admin(&s).await;
    let before = vm_named(&s, &sid, "stopped-vm").await;
    let uuid = before["uuid"].as_str().unwrap().to_string();
    let root_before = root_volume(&s, &sid, &before).await;
    let location = submit(&s, &sid, &uuid, &change(SEED_IMAGE)).await;
    s.advance(1.0).await;
    // A scenario's lifecycle failure ends the job with Outcome::Failure (SYS.1006 with a cause here).
    let core = s.core();
    let job = location.rsplit('/').next().unwrap();
    let mut lc = core.lifecycles.for_resource("zstack", job).expect("running lifecycle");
    core.lifecycles.cancel(lc.id);
    lc.spec.outcome = Outcome::Failure {
        code: "SYS.1006".into(),
        message: Some("failed to download the image to the primary storage".into()),
        after_step: None,
        details: Some(json!({"cause": {"code": "SYS.1000", "details": "disk full"}})),
    };
    core.provider("zstack").unwrap().on_lifecycle(core, &LifecycleEvent::Finished { lifecycle: &lc });
    let (status, v) = poll(&s, &location).await;
    assert_eq!(status, 503);
    assert_eq!(v["error"]["code"], "SYS.1006");
    assert_eq!(v["error"]["cause"]["code"], "SYS.1000");
    assert_eq!(vm(&s, &sid, &uuid).await, before);
    assert_eq!(root_volume(&s, &sid, &before).await, root_before);
    // The VM's queue moves on.
    let (status, _) = run(&s, &sid, &uuid, &change(SEED_IMAGE), 2.0).await;
    assert_eq!(status, 200);
}
