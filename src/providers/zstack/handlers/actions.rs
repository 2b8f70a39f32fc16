//! `PUT /zstack/v1/vm-instances/{uuid}/actions`: stopVmInstance, startVmInstance, rebootVmInstance and
//! changeVmImage. The REST layer may refuse in plain text; past it the API is async: the answer is always 202
//! and every later failure (parameters, session, state, ChangeVmImage rules) is what the job poll returns.

use super::super::errors::ErrorCode;
use super::super::model::{JobRequest, Resource, GLOBAL};
use super::super::wire::{self, ApiParams};
use super::super::{change_image, jobs, Caller, ZStack};
use crate::core::call::{Call, Reply};
use crate::core::Core;

const STOP_MSG: &str = "org.zstack.header.vm.APIStopVmInstanceMsg";

/// ChangeVmImage's own timeout is a day; other APIs default to 30 minutes (milliseconds on the wire).
const CHANGE_IMAGE_TIMEOUT_MS: u64 = 86_400_000;
const DEFAULT_TIMEOUT_MS: u64 = 1_800_000;

pub fn vm_action(p: &ZStack, call: &mut Call) -> Reply {
    let no_mapping =
        || wire::text(400, format!("the body doesn't contain action mapping to the URL[{}]", wire::api_path(call)));
    let body = match wire::body_map(call) {
        Ok(Some(b)) => b,
        Ok(None) => return no_mapping(),
        Err(e) => return wire::rest_error(e),
    };
    let Some((action, operation)) = wire::vm_action_of(&body) else {
        return no_mapping();
    };
    let sid = match wire::session_id(call) {
        Ok(s) => s,
        Err(e) => return wire::rest_error(e),
    };
    let (url_field, string_fields): (&str, &[&str]) = match action {
        "stopVmInstance" => ("uuid", &["uuid", "type", "stopHA"]),
        "startVmInstance" => ("uuid", &["uuid", "clusterUuid", "hostUuid"]),
        "rebootVmInstance" => ("uuid", &["uuid"]),
        _ => ("vmInstanceUuid", &["vmInstanceUuid", "imageUuid", "resourceUuid"]),
    };
    let mut params = match wire::api_params(Some(&body), action, string_fields) {
        Ok(p) => p,
        Err(e) => return wire::rest_error(e),
    };
    let job_header = match wire::job_uuid_header(call) {
        Ok(h) => h,
        Err(e) => return wire::rest_error(e),
    };
    if let Some(id) = &job_header {
        if p.jobs.find_any(|_, j| j.uuid == *id).is_some() {
            return wire::text(400, format!("Duplicate job uuid[{id}]"));
        }
    }
    let default_timeout = if action == "changeVmImage" { CHANGE_IMAGE_TIMEOUT_MS } else { DEFAULT_TIMEOUT_MS };
    let timeout = match wire::api_timeout_ms(call, default_timeout) {
        Ok(t) => t,
        Err(e) => return wire::rest_error(e),
    };
    // URL variables are applied after the body, so they win over same-named body fields.
    params.set(url_field, call.param("uuid"));

    let core = call.core.clone();
    let job_uuid = job_header.unwrap_or_else(|| p.new_uuid(&core));
    let vm_uuid = params.string(url_field).unwrap_or_default();
    match check(p, &core, action, &params, &sid, url_field) {
        Ok((caller, vm_tenant, request)) => {
            call.set_tenant(caller.tenant().to_string());
            jobs::submit(p, &core, &job_uuid, operation, &vm_uuid, &vm_tenant, caller.tenant(), request);
        }
        Err(error) => {
            let tenant = call.tenant.clone().unwrap_or_else(|| GLOBAL.to_string());
            jobs::store_refused(p, &core, &job_uuid, operation, &vm_uuid, &tenant, error);
        }
    }
    wire::accepted(&wire::job_location(call, &job_uuid, timeout))
}

/// The API pipeline up to the point where the job is queued on the VM: parameter validation, the session, then
/// the API's interceptors.
fn check(
    p: &ZStack,
    core: &Core,
    action: &str,
    params: &ApiParams,
    sid: &str,
    url_field: &str,
) -> Result<(Caller, String, JobRequest), ErrorCode> {
    if action == "changeVmImage" && params.string("imageUuid").is_none() {
        return Err(ErrorCode::mandatory("imageUuid", "org.zstack.header.vm.APIChangeVmImageMsg"));
    }
    let cold = match params.string("type").as_deref() {
        None | Some("grace") => false,
        Some("cold") => true,
        Some(other) if action == "stopVmInstance" => {
            return Err(ErrorCode::invalid_argument(format!(
                "valid value for field[type] of message[{STOP_MSG}] are [grace, cold], but {other} found"
            )))
        }
        Some(_) => false,
    };
    let vm_uuid = params.string(url_field).unwrap_or_default();
    let (vm_tenant, vm) =
        p.find_vm(&vm_uuid).ok_or_else(|| ErrorCode::resource_not_found(url_field, &vm_uuid, "VmInstanceVO"))?;
    let image = match action {
        "changeVmImage" => {
            let image_uuid = params.string("imageUuid").unwrap_or_default();
            Some(
                p.images
                    .get(GLOBAL, &image_uuid)
                    .ok_or_else(|| ErrorCode::resource_not_found("imageUuid", &image_uuid, "ImageVO"))?,
            )
        }
        _ => None,
    };
    let (host_uuid, cluster_uuid) = if action == "startVmInstance" {
        let host = params.string("hostUuid");
        if let Some(h) = &host {
            if !p.hosts.contains(GLOBAL, h) {
                return Err(ErrorCode::resource_not_found("hostUuid", h, "HostVO"));
            }
        }
        let cluster = params.string("clusterUuid");
        if let Some(c) = &cluster {
            if !p.clusters.contains(GLOBAL, c) {
                return Err(ErrorCode::resource_not_found("clusterUuid", c, "ClusterVO"));
            }
        }
        (host, cluster)
    } else {
        (None, None)
    };

    let caller = p.authenticate(core, sid)?;

    if let Some(image) = image {
        let request = change_image::validate(p, &caller, &vm_tenant, &vm, &image, params)?;
        return Ok((caller, vm_tenant, request));
    }
    check_owner(&caller, &vm)?;
    let request = match action {
        "stopVmInstance" => JobRequest::Stop { cold },
        "startVmInstance" => JobRequest::Start { host_uuid, cluster_uuid },
        _ => JobRequest::Reboot,
    };
    Ok((caller, vm_tenant, request))
}

/// A normal account acting on another account's VM is refused by the RBAC stage.
fn check_owner(caller: &Caller, vm: &Resource) -> Result<(), ErrorCode> {
    if caller.account.is_admin() || vm.owner == caller.account.uuid {
        return Ok(());
    }
    Err(ErrorCode::new(
        "ID.1002",
        format!("the account[uuid:{}] has no access to the resources[uuid:{}]", caller.account.uuid, vm.uuid()),
    ))
}
