//! Async API jobs: stored at submission, run one at a time per VM in submission order (ZStack's per-VM
//! queue), driven by lifecycles on the product clock, and answered at `GET /zstack/v1/api-jobs/{uuid}`.

use serde_json::{json, Value};

use super::errors::ErrorCode;
use super::model::{Job, JobRequest, JobState, Resource, GLOBAL, JOB_RETENTION_MS, MAX_JOBS};
use super::query_eval::build_schema;
use super::routes::REFINED_ACTION_OPERATIONS;
use super::{change_image, inventory, shapes, wire, ZStack};
use crate::core::call::{Call, Reply};
use crate::core::lifecycle::{LifecycleEvent, LifecycleSpec, Outcome, Step};
use crate::core::Core;

/// Default length of each VM operation (product milliseconds); well under the Python SDK's 15 s poll budget.
const STOP_MS: u64 = 1_000;
const START_MS: u64 = 1_000;
const REBOOT_MS: u64 = 1_000;
const CHANGE_IMAGE_MS: u64 = 2_000;

const STOP_ALLOWED: &[&str] = &["NoState", "Running", "Stopped", "Unknown", "Crashed", "Paused"];
const START_ALLOWED: &[&str] = &["Created", "Running", "Stopped", "Crashed"];
const REBOOT_ALLOWED: &[&str] = &["NoState", "Running", "Crashed"];

pub fn is_async_operation(op: &str) -> bool {
    op == "zstack.vm.action" || REFINED_ACTION_OPERATIONS.contains(&op)
}

/// The job poll. It needs no session and is answered before any API lookup.
pub fn poll(p: &ZStack, call: &mut Call) -> Reply {
    let uuid = call.param("uuid").to_string();
    let core = call.core.clone();
    let Some((tenant, _, job)) = p.jobs.find_any(|_, j| j.uuid == uuid) else {
        return wire::text(404, "the job has been expired");
    };
    if job.finished_at.is_some_and(|t| core.clock.ticks().saturating_sub(t) > JOB_RETENTION_MS) {
        p.jobs.remove(&tenant, &uuid);
        return wire::text(404, "the job has been expired");
    }
    if tenant != GLOBAL {
        call.set_tenant(tenant);
    }
    match job.state {
        JobState::Queued | JobState::Running => wire::accepted(&json!({})),
        JobState::Succeeded => {
            let mut result = job.result.unwrap_or_else(|| json!({}));
            // Like any non-query answer, a job result carries `schema` when the poll asks for it.
            if call.headers.contains_key(wire::HEADER_JSON_SCHEMA) {
                if let Some(inv) = result.get("inventory").and_then(Value::as_object) {
                    let schema = build_schema("inventory", &shapes::VM, std::slice::from_ref(inv), false);
                    result["schema"] = Value::Object(schema);
                }
            }
            wire::ok(&result)
        }
        JobState::Failed => Reply::json(hyper::StatusCode::SERVICE_UNAVAILABLE, &json!({ "error": job.error }))
            .content_type("application/json; charset=utf-8"),
    }
}

fn error_value(e: &ErrorCode) -> Value {
    serde_json::to_value(e).unwrap_or(Value::Null)
}

/// Stores a job that failed before it ran; its first poll already answers 503.
pub fn store_refused(
    p: &ZStack,
    core: &Core,
    uuid: &str,
    operation: &str,
    vm_uuid: &str,
    tenant: &str,
    error: ErrorCode,
) {
    purge(p, core);
    let job = Job {
        uuid: uuid.to_string(),
        operation: operation.to_string(),
        vm_uuid: vm_uuid.to_string(),
        vm_tenant: String::new(),
        request: JobRequest::Refused,
        state: JobState::Failed,
        seq: core.ids.next_seq("zstack.job", 0),
        state_before: None,
        result: None,
        error: Some(error_value(&error)),
        finished_at: Some(core.clock.ticks()),
    };
    p.jobs.insert(tenant, uuid, job);
}

/// A scenario fault on an async API: the PUT still gets its 202, the poll gets the error.
pub fn refused_job_reply(p: &ZStack, call: &Call, error: ErrorCode) -> Reply {
    let core = call.core.clone();
    let uuid = match wire::job_uuid_header(call) {
        Ok(Some(u)) if p.jobs.find_any(|_, j| j.uuid == u).is_none() => u,
        _ => p.new_uuid(&core),
    };
    let tenant = call.tenant.clone().unwrap_or_else(|| GLOBAL.to_string());
    let vm_uuid = call.param("uuid").to_string();
    store_refused(p, &core, &uuid, call.operation, &vm_uuid, &tenant, error);
    let timeout = if call.operation == "zstack.vm.changeImage" { 86_400_000 } else { 1_800_000 };
    wire::accepted(&wire::job_location(call, &uuid, timeout))
}

#[allow(clippy::too_many_arguments)]
pub fn submit(
    p: &ZStack,
    core: &Core,
    uuid: &str,
    operation: &str,
    vm_uuid: &str,
    vm_tenant: &str,
    tenant: &str,
    request: JobRequest,
) {
    purge(p, core);
    let _guard = p.engine.lock().unwrap_or_else(|e| e.into_inner());
    let job = Job {
        uuid: uuid.to_string(),
        operation: operation.to_string(),
        vm_uuid: vm_uuid.to_string(),
        vm_tenant: vm_tenant.to_string(),
        request,
        state: JobState::Queued,
        seq: core.ids.next_seq("zstack.job", 0),
        state_before: None,
        result: None,
        error: None,
        finished_at: None,
    };
    p.jobs.insert(tenant, uuid, job);
    pump(p, core, vm_uuid);
}

/// Drops finished jobs past their retention, and the oldest finished ones past the cap.
fn purge(p: &ZStack, core: &Core) {
    let now = core.clock.ticks();
    let mut finished: Vec<(u64, String, String)> = Vec::new();
    let mut total = 0;
    for tenant in p.jobs.tenants() {
        for j in p.jobs.list(&tenant) {
            total += 1;
            match j.finished_at {
                Some(t) if now.saturating_sub(t) > JOB_RETENTION_MS => {
                    p.jobs.remove(&tenant, &j.uuid);
                    total -= 1;
                }
                Some(t) => finished.push((t, tenant.clone(), j.uuid.clone())),
                None => {}
            }
        }
    }
    if total > MAX_JOBS {
        finished.sort();
        for (_, tenant, uuid) in finished.into_iter().take(total - MAX_JOBS) {
            p.jobs.remove(&tenant, &uuid);
        }
    }
}

/// The jobs of one VM, with the tenant each is stored under, in submission order.
fn vm_jobs(p: &ZStack, vm_uuid: &str) -> Vec<(String, Job)> {
    let mut out = Vec::new();
    for tenant in p.jobs.tenants() {
        for j in p.jobs.filter(&tenant, |j| j.vm_uuid == vm_uuid && !j.is_finished()) {
            out.push((tenant.clone(), j));
        }
    }
    out.sort_by_key(|(_, j)| j.seq);
    out
}

/// Starts the VM's next queued job if none is running; jobs that end at once (refusals, no-ops) let the
/// following one start too. Callers hold the engine lock.
fn pump(p: &ZStack, core: &Core, vm_uuid: &str) {
    loop {
        let jobs = vm_jobs(p, vm_uuid);
        if jobs.iter().any(|(_, j)| j.state == JobState::Running) {
            return;
        }
        let Some((tenant, job)) = jobs.into_iter().find(|(_, j)| j.state == JobState::Queued) else { return };
        if start(p, core, &tenant, &job) {
            return;
        }
    }
}

fn finish(p: &ZStack, core: &Core, tenant: &str, uuid: &str, outcome: Result<Value, ErrorCode>) {
    let now = core.clock.ticks();
    p.jobs.update(tenant, uuid, |j| {
        j.finished_at = Some(now);
        match outcome {
            Ok(v) => {
                j.state = JobState::Succeeded;
                j.result = Some(v);
            }
            Err(e) => {
                j.state = JobState::Failed;
                j.error = Some(error_value(&e));
            }
        }
    });
}

fn vm_result(p: &ZStack, vm_tenant: &str, vm: &Resource) -> Value {
    json!({ "inventory": inventory::vm(p, vm_tenant, vm) })
}

/// The state-machine refusal: `outer` wrapping VM.1010.
fn state_refusal(outer: &str, state: &str, message_class: &str, allowed: &[&str]) -> ErrorCode {
    ErrorCode::wrap(
        outer,
        ErrorCode::new(
            "VM.1010",
            format!(
                "current vm instance state[{state}] doesn't allow to proceed message[{message_class}], allowed states are [{}]",
                allowed.join(", ")
            ),
        ),
    )
}

/// Runs the checks made when a job's turn comes and starts its lifecycle. Returns true when the job is now
/// running (false when it ended at once).
fn start(p: &ZStack, core: &Core, tenant: &str, job: &Job) -> bool {
    let Some(vm) = p.vms.get(&job.vm_tenant, &job.vm_uuid) else {
        finish(p, core, tenant, &job.uuid, Err(ErrorCode::operation_failed("the vm has been deleted")));
        return false;
    };
    let state = vm.str("state").unwrap_or("").to_string();
    let (steps, host) = match &job.request {
        JobRequest::Stop { .. } => {
            if !STOP_ALLOWED.contains(&state.as_str()) {
                let e = state_refusal("VM.1002", &state, "org.zstack.header.vm.APIStopVmInstanceMsg", STOP_ALLOWED);
                finish(p, core, tenant, &job.uuid, Err(e));
                return false;
            }
            if state == "Stopped" {
                finish(p, core, tenant, &job.uuid, Ok(vm_result(p, &job.vm_tenant, &vm)));
                return false;
            }
            (vec![Step::new("Stopping", STOP_MS)], None)
        }
        JobRequest::Start { host_uuid, cluster_uuid } => {
            if !START_ALLOWED.contains(&state.as_str()) {
                let e = state_refusal("VM.1001", &state, "org.zstack.header.vm.APIStartVmInstanceMsg", START_ALLOWED);
                finish(p, core, tenant, &job.uuid, Err(e));
                return false;
            }
            if state == "Running" {
                finish(p, core, tenant, &job.uuid, Ok(vm_result(p, &job.vm_tenant, &vm)));
                return false;
            }
            match choose_host(p, &vm, host_uuid.as_deref(), cluster_uuid.as_deref()) {
                Ok(h) => (vec![Step::new("Starting", START_MS)], Some(h)),
                Err(e) => {
                    finish(p, core, tenant, &job.uuid, Err(e));
                    return false;
                }
            }
        }
        JobRequest::Reboot => {
            if !REBOOT_ALLOWED.contains(&state.as_str()) {
                let e = state_refusal("VM.1003", &state, "org.zstack.header.vm.APIRebootVmInstanceMsg", REBOOT_ALLOWED);
                finish(p, core, tenant, &job.uuid, Err(e));
                return false;
            }
            (vec![Step::new("Rebooting", REBOOT_MS)], vm.str("hostUuid").map(str::to_string))
        }
        JobRequest::ChangeImage { .. } => {
            if let Err(e) = change_image::check_at_execution(p, &job.vm_tenant, &vm) {
                finish(p, core, tenant, &job.uuid, Err(e));
                return false;
            }
            (vec![Step::new("ChangingImage", CHANGE_IMAGE_MS)], None)
        }
        JobRequest::Refused => return false,
    };
    let lc = core.lifecycles.start(
        core,
        LifecycleSpec {
            provider: "zstack".into(),
            operation: job.operation.clone(),
            tenant: tenant.to_string(),
            group: None,
            resource: job.uuid.clone(),
            steps,
            outcome: Outcome::Success,
            data: json!({ "jobTenant": tenant, "hostUuid": host }),
        },
    );
    p.jobs.update(tenant, &job.uuid, |j| {
        j.state = JobState::Running;
        j.state_before = Some(state.clone());
    });
    if let Some(first) = lc.spec.steps.first() {
        set_transition_state(p, core, job, &first.status);
    }
    true
}

/// Stop, start and reboot show their step as the VM's state (Stopping, Starting, Rebooting);
/// ChangeVmImage leaves the VM Stopped throughout.
fn set_transition_state(p: &ZStack, core: &Core, job: &Job, status: &str) {
    if matches!(job.request, JobRequest::ChangeImage { .. } | JobRequest::Refused) || status.is_empty() {
        return;
    }
    let now = p.now(core);
    p.vms.update(&job.vm_tenant, &job.vm_uuid, |v| {
        v.set("state", status);
        v.set("lastOpDate", now);
    });
}

/// Where a VM starts: the requested host, else its last host if usable, else the first usable host of the
/// requested (or its own) cluster.
fn choose_host(p: &ZStack, vm: &Resource, host: Option<&str>, cluster: Option<&str>) -> Result<String, ErrorCode> {
    let usable = |h: &Resource| h.is("state", "Enabled") && h.is("status", "Connected");
    if let Some(h) = host {
        return match p.hosts.get(GLOBAL, h) {
            Some(r) if usable(&r) => Ok(h.to_string()),
            _ => Err(ErrorCode::wrap(
                "VM.1001",
                ErrorCode::operation_failed(format!("host[uuid:{h}] is not Enabled and Connected")),
            )),
        };
    }
    let cluster = cluster.or(vm.str("clusterUuid")).unwrap_or("");
    if let Some(last) = vm.str("lastHostUuid").and_then(|h| p.hosts.get(GLOBAL, h)) {
        if usable(&last) && last.is("clusterUuid", cluster) {
            return Ok(last.uuid().to_string());
        }
    }
    p.hosts
        .list(GLOBAL)
        .into_iter()
        .find(|h| usable(h) && h.is("clusterUuid", cluster))
        .map(|h| h.uuid().to_string())
        .ok_or_else(|| {
            ErrorCode::wrap(
                "VM.1001",
                ErrorCode::operation_failed(format!("no available host in cluster[uuid:{cluster}] to start the vm")),
            )
        })
}

pub fn on_lifecycle(p: &ZStack, core: &Core, event: &LifecycleEvent) {
    let _guard = p.engine.lock().unwrap_or_else(|e| e.into_inner());
    let lc = match event {
        LifecycleEvent::Step { lifecycle, .. } | LifecycleEvent::Finished { lifecycle } => lifecycle,
    };
    let tenant = lc.spec.data.get("jobTenant").and_then(Value::as_str).unwrap_or(&lc.spec.tenant).to_string();
    let Some(job) = p.jobs.get(&tenant, &lc.spec.resource) else { return };
    match event {
        LifecycleEvent::Step { index, .. } => {
            if let Some(step) = lc.spec.steps.get(*index) {
                set_transition_state(p, core, &job, &step.status);
            }
        }
        LifecycleEvent::Finished { .. } => {
            let outcome = match &lc.spec.outcome {
                Outcome::Success => complete(p, core, &job, lc.spec.data.get("hostUuid").and_then(Value::as_str)),
                Outcome::Failure { code, message, details, .. } => {
                    Err(failure_error(code, message.as_deref(), details.as_ref()))
                }
            };
            if outcome.is_err() {
                restore_state(p, core, &job);
            }
            finish(p, core, &tenant, &job.uuid, outcome);
            pump(p, core, &job.vm_uuid);
        }
    }
}

fn failure_error(code: &str, message: Option<&str>, details: Option<&Value>) -> ErrorCode {
    let spec = crate::core::provider::ErrorSpec { code, message, details };
    super::errors::from_spec(&spec)
}

/// A failed job puts the VM back in the state it had when the job started.
fn restore_state(p: &ZStack, core: &Core, job: &Job) {
    let Some(before) = job.state_before.clone() else { return };
    let now = p.now(core);
    p.vms.update(&job.vm_tenant, &job.vm_uuid, |v| {
        if !v.is("state", &before) {
            v.set("state", before);
            v.set("lastOpDate", now);
        }
    });
}

/// Applies a job's success to the store and returns the poll's 200 body.
fn complete(p: &ZStack, core: &Core, job: &Job, host: Option<&str>) -> Result<Value, ErrorCode> {
    let now = p.now(core);
    match &job.request {
        JobRequest::Stop { .. } => {
            p.vms.update(&job.vm_tenant, &job.vm_uuid, |v| {
                if let Some(h) = v.str("hostUuid").map(str::to_string) {
                    v.set("lastHostUuid", h);
                }
                v.clear("hostUuid");
                v.set("state", "Stopped");
                v.set("lastOpDate", now);
            });
        }
        JobRequest::Start { .. } => {
            let host = host.map(str::to_string).unwrap_or_default();
            let cluster = p.hosts.get(GLOBAL, &host).and_then(|h| h.str("clusterUuid").map(str::to_string));
            p.vms.update(&job.vm_tenant, &job.vm_uuid, |v| {
                v.set("hostUuid", host.clone());
                v.set("lastHostUuid", host.clone());
                if let Some(c) = cluster {
                    v.set("clusterUuid", c);
                }
                v.set("state", "Running");
                v.set("lastOpDate", now);
            });
        }
        JobRequest::Reboot => {
            p.vms.update(&job.vm_tenant, &job.vm_uuid, |v| {
                v.set("state", "Running");
                v.set("lastOpDate", now);
            });
        }
        JobRequest::ChangeImage { image_uuid, resource_uuid, root_pool } => {
            let inv = change_image::apply(
                p,
                core,
                &job.vm_tenant,
                &job.vm_uuid,
                image_uuid,
                resource_uuid.as_deref(),
                root_pool.as_deref(),
            )?;
            return Ok(json!({ "inventory": inv }));
        }
        JobRequest::Refused => {}
    }
    let vm = p
        .vms
        .get(&job.vm_tenant, &job.vm_uuid)
        .ok_or_else(|| ErrorCode::operation_failed("the vm has been deleted"))?;
    Ok(vm_result(p, &job.vm_tenant, &vm))
}
