//! The zstack route table: every path the emulator serves under `/zstack/v1`, with its operation id.

use std::sync::Arc;

use hyper::Method;

use super::handlers::{actions, queries, session};
use super::{jobs, wire, ZStack};
use crate::core::call::Call;
use crate::core::provider::{Route, Routes};

/// Operation ids the shared `/actions` path is refined into (by the body's action key).
pub const REFINED_ACTION_OPERATIONS: [&str; 4] =
    ["zstack.vm.stop", "zstack.vm.start", "zstack.vm.reboot", "zstack.vm.changeImage"];

fn refine_vm_action(call: &Call) -> Option<&'static str> {
    let body = wire::body_map(call).ok()??;
    wire::vm_action_of(&body).map(|(_, op)| op)
}

pub fn table(p: Arc<ZStack>) -> Vec<Route> {
    Routes::new(p)
        .add(Method::PUT, "/zstack/v1/accounts/login", "zstack.session.login", session::login)
        .add(Method::DELETE, "/zstack/v1/accounts/sessions/{sessionUuid}", "zstack.session.logout", session::logout)
        .add(
            Method::GET,
            "/zstack/v1/accounts/sessions/{sessionUuid}/valid",
            "zstack.session.validate",
            session::validate,
        )
        .add(Method::GET, "/zstack/v1/vm-instances", "zstack.vm.query", queries::vms)
        .add(Method::GET, "/zstack/v1/vm-instances/{uuid}", "zstack.vm.query", queries::vms)
        .add(Method::GET, "/zstack/v1/images", "zstack.image.query", queries::images)
        .add(Method::GET, "/zstack/v1/images/{uuid}", "zstack.image.query", queries::images)
        .add(Method::GET, "/zstack/v1/volumes", "zstack.volume.query", queries::volumes)
        .add(Method::GET, "/zstack/v1/volumes/{uuid}", "zstack.volume.query", queries::volumes)
        .add(Method::GET, "/zstack/v1/zones", "zstack.zone.query", queries::zones)
        .add(Method::GET, "/zstack/v1/zones/{uuid}", "zstack.zone.query", queries::zones)
        .add(Method::GET, "/zstack/v1/clusters", "zstack.cluster.query", queries::clusters)
        .add(Method::GET, "/zstack/v1/clusters/{uuid}", "zstack.cluster.query", queries::clusters)
        .add(Method::GET, "/zstack/v1/hosts", "zstack.host.query", queries::hosts)
        .add(Method::GET, "/zstack/v1/hosts/{uuid}", "zstack.host.query", queries::hosts)
        .add(Method::GET, "/zstack/v1/l3-networks", "zstack.l3network.query", queries::l3_networks)
        .add(Method::GET, "/zstack/v1/l3-networks/{uuid}", "zstack.l3network.query", queries::l3_networks)
        .add(Method::GET, "/zstack/v1/primary-storage", "zstack.primaryStorage.query", queries::primary_storages)
        .add(Method::GET, "/zstack/v1/primary-storage/{uuid}", "zstack.primaryStorage.query", queries::primary_storages)
        .add(Method::GET, "/zstack/v1/backup-storage", "zstack.backupStorage.query", queries::backup_storages)
        .add(Method::GET, "/zstack/v1/backup-storage/{uuid}", "zstack.backupStorage.query", queries::backup_storages)
        .add(
            Method::GET,
            "/zstack/v1/vm-instances/{vmInstanceUuid}/image-candidates",
            "zstack.vm.imageCandidates",
            queries::image_candidates,
        )
        .add_refined(
            Method::PUT,
            "/zstack/v1/vm-instances/{uuid}/actions",
            "zstack.vm.action",
            refine_vm_action,
            actions::vm_action,
        )
        .add(Method::GET, "/zstack/v1/api-jobs/{uuid}", "zstack.job.get", jobs::poll)
        .build()
}
