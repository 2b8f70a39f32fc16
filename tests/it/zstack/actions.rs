//! Stop, start and reboot: the VM state machine on the virtual clock, the per-VM queue and the refusals.

use reqwest::Method;
use serde_json::json;

use super::*;
use crate::common::Server;

#[tokio::test]
async fn stop_then_start_walk_the_state_machine_on_the_virtual_clock() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    let location = submit(&s, &sid, SEED_VM, &json!({"stopVmInstance": {"type": "grace"}})).await;
    assert_eq!(vm(&s, &sid, SEED_VM).await["state"], "Stopping");
    assert_eq!(poll(&s, &location).await, (202, json!({})));
    s.advance(0.5).await;
    assert_eq!(poll(&s, &location).await.0, 202);
    s.advance(0.5).await;
    let (status, v) = poll(&s, &location).await;
    assert_eq!(status, 200, "{v}");
    let inv = &v["inventory"];
    assert_eq!(inv["state"], "Stopped");
    assert!(inv.get("hostUuid").is_none(), "{inv}");
    assert_eq!(inv["lastHostUuid"], "1f74c3ba1d8a38afbc2c00b024b9df6f");

    let location = submit(&s, &sid, SEED_VM, &json!({"startVmInstance": {}})).await;
    assert_eq!(vm(&s, &sid, SEED_VM).await["state"], "Starting");
    s.advance(1.0).await;
    let (status, v) = poll(&s, &location).await;
    assert_eq!(status, 200);
    assert_eq!(v["inventory"]["state"], "Running");
    assert_eq!(v["inventory"]["hostUuid"], "1f74c3ba1d8a38afbc2c00b024b9df6f");
}

#[tokio::test]
async fn start_on_a_requested_host_and_reboot() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    let vm_uuid = vm_named(&s, &sid, "stopped-vm").await["uuid"].as_str().unwrap().to_string();
    let host2 = "9220f51b605a308ab2d540541261d452";
    let (status, v) = run(&s, &sid, &vm_uuid, &json!({"startVmInstance": {"hostUuid": host2}}), 1.0).await;
    assert_eq!((status, v["inventory"]["hostUuid"].as_str()), (200, Some(host2)));
    let location = submit(&s, &sid, &vm_uuid, &json!({"rebootVmInstance": {}})).await;
    assert_eq!(vm(&s, &sid, &vm_uuid).await["state"], "Rebooting");
    s.advance(1.0).await;
    assert_eq!(poll(&s, &location).await.1["inventory"]["state"], "Running");
}

#[tokio::test]
async fn stop_of_a_stopped_vm_and_start_of_a_running_vm_succeed_unchanged() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    let stopped = vm_named(&s, &sid, "stopped-vm").await;
    let (status, v) = run(&s, &sid, stopped["uuid"].as_str().unwrap(), &json!({"stopVmInstance": {}}), 0.0).await;
    assert_eq!((status, v["inventory"]["state"].as_str()), (200, Some("Stopped")));
    assert_eq!(v["inventory"]["lastOpDate"], stopped["lastOpDate"]);
    let (status, v) = run(&s, &sid, SEED_VM, &json!({"startVmInstance": {}}), 0.0).await;
    assert_eq!((status, v["inventory"]["state"].as_str()), (200, Some("Running")));
}

#[tokio::test]
async fn state_machine_refusals_wrap_vm_1010() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    let cases = [
        (
            "created-vm",
            "stopVmInstance",
            "VM.1002",
            "Unable to stop a vm",
            "Created",
            "org.zstack.header.vm.APIStopVmInstanceMsg",
            "NoState, Running, Stopped, Unknown, Crashed, Paused",
        ),
        (
            "destroyed-vm",
            "stopVmInstance",
            "VM.1002",
            "Unable to stop a vm",
            "Destroyed",
            "org.zstack.header.vm.APIStopVmInstanceMsg",
            "NoState, Running, Stopped, Unknown, Crashed, Paused",
        ),
        (
            "paused-vm",
            "startVmInstance",
            "VM.1001",
            "Unable to start a vm",
            "Paused",
            "org.zstack.header.vm.APIStartVmInstanceMsg",
            "Created, Running, Stopped, Crashed",
        ),
        (
            "unknown-vm",
            "startVmInstance",
            "VM.1001",
            "Unable to start a vm",
            "Unknown",
            "org.zstack.header.vm.APIStartVmInstanceMsg",
            "Created, Running, Stopped, Crashed",
        ),
        (
            "destroyed-vm",
            "startVmInstance",
            "VM.1001",
            "Unable to start a vm",
            "Destroyed",
            "org.zstack.header.vm.APIStartVmInstanceMsg",
            "Created, Running, Stopped, Crashed",
        ),
        (
            "stopped-vm",
            "rebootVmInstance",
            "VM.1003",
            "Unable to reboot a vm",
            "Stopped",
            "org.zstack.header.vm.APIRebootVmInstanceMsg",
            "NoState, Running, Crashed",
        ),
    ];
    for (name, action, code, description, state, class, allowed) in cases {
        let uuid = vm_named(&s, &sid, name).await["uuid"].as_str().unwrap().to_string();
        let (status, v) = run(&s, &sid, &uuid, &json!({ action: {} }), 0.0).await;
        let details = format!(
            "current vm instance state[{state}] doesn't allow to proceed message[{class}], allowed states are [{allowed}]"
        );
        assert_eq!(status, 503, "{name} {action}: {v}");
        assert_eq!(
            v,
            json!({"error": {"code": code, "description": description, "details": details,
                   "cause": {"code": "VM.1010", "description": "VM is not in state that allows required operation", "details": details}}}),
            "{name} {action}"
        );
        assert_eq!(vm(&s, &sid, &uuid).await["state"], state, "{name} unchanged");
    }
}

#[tokio::test]
async fn parameter_errors_come_through_the_poll() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    let answer = run(&s, &sid, SEED_VM, &json!({"stopVmInstance": {"type": "gentle"}}), 0.0).await;
    assert_error(
        &answer,
        "SYS.1007",
        "valid value for field[type] of message[org.zstack.header.vm.APIStopVmInstanceMsg] are [grace, cold], but gentle found",
    );
    let missing = "0123456789abcdef0123456789abcdef";
    let answer = run(&s, &sid, missing, &json!({"startVmInstance": {}}), 0.0).await;
    assert_error(
        &answer,
        "SYS.1003",
        &format!("invalid field[uuid], resource[uuid:{missing}, type:VmInstanceVO] not found"),
    );
    let answer = run(&s, &sid, SEED_VM, &json!({"startVmInstance": {"hostUuid": missing}}), 0.0).await;
    assert_error(
        &answer,
        "SYS.1003",
        &format!("invalid field[hostUuid], resource[uuid:{missing}, type:HostVO] not found"),
    );
    // A bad session and an unknown VM: parameter validation runs first.
    let answer = run(&s, "bogus-session", missing, &json!({"stopVmInstance": {}}), 0.0).await;
    assert_eq!(answer.1["error"]["code"], "SYS.1003");
    assert_eq!(vm(&s, &sid, SEED_VM).await["state"], "Running");
}

#[tokio::test]
async fn the_url_wins_over_the_body_and_the_sdk_body_shape_works() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    let other = vm_named(&s, &sid, "stopped-vm").await["uuid"].as_str().unwrap().to_string();
    // zssdk puts the URL variable (and the tags) inside the action map too.
    let body = json!({"stopVmInstance": {"uuid": other, "systemTags": [], "userTags": ["x"]}});
    let location = submit(&s, &sid, SEED_VM, &body).await;
    s.advance(1.0).await;
    let (status, v) = poll(&s, &location).await;
    assert_eq!((status, v["inventory"]["uuid"].as_str()), (200, Some(SEED_VM)));
}

#[tokio::test]
async fn a_vms_jobs_run_one_at_a_time_in_order() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    let stop = submit(&s, &sid, SEED_VM, &json!({"stopVmInstance": {}})).await;
    let start = submit(&s, &sid, SEED_VM, &json!({"startVmInstance": {}})).await;
    s.advance(1.0).await;
    assert_eq!(poll(&s, &stop).await.0, 200);
    assert_eq!(poll(&s, &start).await.0, 202);
    assert_eq!(vm(&s, &sid, SEED_VM).await["state"], "Starting");
    s.advance(1.0).await;
    assert_eq!(poll(&s, &start).await.1["inventory"]["state"], "Running");
}

#[tokio::test]
async fn a_normal_account_cannot_act_on_another_accounts_vm() {
    let s = Server::start().await;
    let sid = tenant2(&s).await;
    let answer = run(&s, &sid, SEED_VM, &json!({"stopVmInstance": {}}), 1.0).await;
    assert_eq!(answer.0, 503);
    assert_eq!(answer.1["error"]["code"], "ID.1002");
    let own = vm_named(&s, &sid, "tenant2-web").await["uuid"].as_str().unwrap().to_string();
    let answer = run(&s, &sid, &own, &json!({"stopVmInstance": {"type": "cold"}}), 1.0).await;
    assert_eq!(answer.0, 200);
    let r = s.request(Method::GET, "/zstack/v1/vm-instances").send().await.unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn an_injected_failure_puts_the_vm_back() {
    use mockcloud::core::lifecycle::{LifecycleEvent, Outcome};
    let s = Server::start().await;
    let sid = admin(&s).await;
    let location = submit(&s, &sid, SEED_VM, &json!({"stopVmInstance": {}})).await;
    assert_eq!(vm(&s, &sid, SEED_VM).await["state"], "Stopping");
    // What a scenario's lifecycle failure does: the lifecycle ends with Outcome::Failure.
    let core = s.core();
    let job = location.rsplit('/').next().unwrap();
    let mut lc = core.lifecycles.for_resource("zstack", job).expect("running lifecycle");
    core.lifecycles.cancel(lc.id);
    lc.spec.outcome = Outcome::Failure {
        code: "VM.1002".into(),
        message: Some("qemu did not answer".into()),
        after_step: None,
        details: None,
    };
    core.provider("zstack").unwrap().on_lifecycle(core, &LifecycleEvent::Finished { lifecycle: &lc });
    assert_error(&poll(&s, &location).await, "VM.1002", "qemu did not answer");
    let v = vm(&s, &sid, SEED_VM).await;
    assert_eq!(v["state"], "Running");
    assert_eq!(v["hostUuid"], "1f74c3ba1d8a38afbc2c00b024b9df6f");
}

#[tokio::test]
async fn reset_of_one_account_leaves_the_other_alone() {
    let s = Server::start().await;
    let sid = admin(&s).await;
    let other = tenant2(&s).await;
    let web = vm_named(&s, &other, "tenant2-web").await["uuid"].as_str().unwrap().to_string();
    stop(&s, &sid, SEED_VM).await;
    stop(&s, &other, &web).await;
    let r = s.request(Method::POST, "/_mockcloud/reset?tenant=admin").send().await.unwrap();
    assert_eq!(r.status(), 200);
    let sid = admin(&s).await;
    assert_eq!(vm(&s, &sid, SEED_VM).await["state"], "Running");
    assert_eq!(vm(&s, &sid, &web).await["state"], "Stopped");
    // tenant2's session survived the admin reset.
    assert_eq!(vm(&s, &other, &web).await["state"], "Stopped");
}
