//! `com.vmware.vcenter.ovf.library_item`: filter and deploy an OVF item (the seed operation), and create an
//! OVF item from a VM. HTTP errors are kept for the seed's list (invalid_argument, not_found,
//! resource_inaccessible, unauthorized); problems inside OVF processing answer `succeeded: false`.

use serde_json::{json, Value};

use super::library::{insert_empty_item, item_not_found};
use super::{invalid, not_found, now, opt_s, remember, replay, s, strings, Ctx};
use crate::providers::vcenter::errors::VapiError;
use crate::providers::vcenter::model::ovf::{self, OvfDescriptor};
use crate::providers::vcenter::model::{Item, Kind, StoredFile, Vm};

/// The item's parsed descriptor, or `resource_inaccessible` when the package cannot be read.
fn package(ctx: &Ctx, item_id: &str) -> Result<(Item, OvfDescriptor), VapiError> {
    let item = ctx.p.items.get(&ctx.user, item_id).ok_or_else(|| item_not_found(item_id))?;
    let inaccessible = |why: String| {
        VapiError::new(
            "resource_inaccessible",
            "com.vmware.ovfs.ovfs-main.ovfs.package_inaccessible",
            why,
            vec![item_id.to_string()],
        )
    };
    if let Some(sid) = ctx.p.active_update_session(&ctx.user, item_id) {
        return Err(inaccessible(format!(
            "The OVF package in library item '{item_id}' is being updated by session '{sid}'."
        )));
    }
    if item.item_type != "ovf" {
        return Err(inaccessible(format!(
            "Library item '{item_id}' is of type '{}', not an OVF package.",
            item.item_type
        )));
    }
    let Some(d) = item.ovf.clone() else {
        return Err(inaccessible(format!("Library item '{item_id}' does not contain a readable OVF descriptor.")));
    };
    Ok((item, d))
}

fn kind_check(ctx: &Ctx, id: &str, kind: Kind, what: &str) -> Result<(), VapiError> {
    if ctx.p.is_kind(&ctx.user, id, kind) {
        Ok(())
    } else {
        Err(not_found("com.vmware.ovfs.ovfs-main.ovfs.object_not_found", format!("{what} '{id}' was not found."), id))
    }
}

/// Checks `target` against the inventory: the pool exists, the host and folder exist and fit it.
fn check_target(ctx: &Ctx, target: &Value) -> Result<(), VapiError> {
    let pool_id = s(target, "resource_pool_id");
    kind_check(ctx, pool_id, Kind::ResourcePool, "Resource pool")?;
    if let Some(h) = opt_s(target, "host_id") {
        kind_check(ctx, h, Kind::Host, "Host")?;
        let pool = ctx.p.objects.get(&ctx.user, pool_id).map(|p| p.hosts).unwrap_or_default();
        if !pool.iter().any(|x| x == h) {
            return Err(invalid(
                "com.vmware.ovfs.ovfs-main.ovfs.host_not_in_pool",
                format!("Host '{h}' does not belong to the compute resource of resource pool '{pool_id}'."),
                vec![h.into(), pool_id.into()],
            ));
        }
    }
    if let Some(f) = opt_s(target, "folder_id") {
        kind_check(ctx, f, Kind::Folder, "Folder")?;
        let ftype = ctx.p.objects.get(&ctx.user, f).and_then(|o| o.subtype);
        if ftype.as_deref() != Some("VIRTUAL_MACHINE") {
            return Err(invalid(
                "com.vmware.ovfs.ovfs-main.ovfs.folder_not_vm",
                format!("Folder '{f}' is not a virtual machine folder."),
                vec![f.into()],
            ));
        }
    }
    Ok(())
}

fn summary(d: &OvfDescriptor) -> Value {
    let mut v = json!({"EULAs": d.eulas, "networks": d.networks, "storage_groups": d.storage_groups, "additional_params": d.additional_params()});
    if let Some(n) = &d.name {
        v["name"] = json!(n);
    }
    if let Some(a) = &d.annotation {
        v["annotation"] = json!(a);
    }
    v
}

pub fn filter(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let item_id = s(input, "ovf_library_item_id");
    if !ctx.p.items.contains(&ctx.user, item_id) {
        return Err(item_not_found(item_id));
    }
    let (_, d) = package(ctx, item_id)?;
    check_target(ctx, &input["target"])?;
    Ok(summary(&d))
}

const PROVISIONING: &[&str] = &["thin", "thick", "eagerZeroedThick"];

/// `deployment_spec` checks that are about the request itself (400 / 404), before the OVF is looked at.
fn check_spec(ctx: &Ctx, spec: &Value) -> Result<(), VapiError> {
    if let Some(n) = opt_s(spec, "name") {
        if n.trim().is_empty() || n.len() > 80 {
            return Err(invalid(
                "com.vmware.ovfs.ovfs-main.ovfs.invalid_name",
                format!("'{n}' is not a valid virtual machine name (1 to 80 characters)."),
                vec![n.into()],
            ));
        }
    }
    if let Some(p) = opt_s(spec, "storage_provisioning") {
        if !PROVISIONING.contains(&p) {
            return Err(invalid(
                "vapi.data.enum.invalid",
                format!("'{p}' is not a DiskProvisioningType (thin, thick, eagerZeroedThick)."),
                vec![p.into()],
            ));
        }
    }
    if let Some(ds) = opt_s(spec, "default_datastore_id") {
        kind_check(ctx, ds, Kind::Datastore, "Datastore")?;
    }
    for m in spec.get("storage_mappings").and_then(Value::as_array).into_iter().flatten() {
        let v = &m["value"];
        let t = s(v, "type");
        match t {
            "DATASTORE" => match opt_s(v, "datastore_id") {
                Some(ds) => kind_check(ctx, ds, Kind::Datastore, "Datastore")?,
                None => {
                    return Err(invalid(
                        "com.vmware.ovfs.ovfs-main.ovfs.datastore_id_required",
                        "A DATASTORE storage mapping needs datastore_id.",
                        vec![],
                    ))
                }
            },
            "STORAGE_PROFILE" => {
                if opt_s(v, "storage_profile_id").is_none() {
                    return Err(invalid(
                        "com.vmware.ovfs.ovfs-main.ovfs.profile_id_required",
                        "A STORAGE_PROFILE storage mapping needs storage_profile_id.",
                        vec![],
                    ));
                }
            }
            other => {
                return Err(invalid(
                    "vapi.data.enum.invalid",
                    format!("'{other}' is not a storage mapping Type (DATASTORE, STORAGE_PROFILE)."),
                    vec![other.into()],
                ))
            }
        }
        if let Some(p) = opt_s(v, "provisioning") {
            if !PROVISIONING.contains(&p) {
                return Err(invalid(
                    "vapi.data.enum.invalid",
                    format!("'{p}' is not a DiskProvisioningType (thin, thick, eagerZeroedThick)."),
                    vec![p.into()],
                ));
            }
        }
    }
    for m in spec.get("network_mappings").and_then(Value::as_array).into_iter().flatten() {
        kind_check(ctx, s(m, "value"), Kind::Network, "Network")?;
    }
    Ok(())
}

/// Privileges the seed lists for deploy, given the package and the spec.
fn required_privileges(d: &OvfDescriptor, spec: &Value) -> Vec<&'static str> {
    let mut out = vec![];
    if !d.disks.is_empty() {
        out.push("VirtualMachine.Config.AddNewDisk");
    }
    if d.has_extra_config {
        out.push("VirtualMachine.Config.AdvancedConfig");
    }
    if d.has_vservice_dependency {
        out.push("Extension.Register");
    }
    if spec.get("network_mappings").and_then(Value::as_array).is_some_and(|a| !a.is_empty()) {
        out.push("Network.Assign");
    }
    if spec.get("default_datastore_id").is_some()
        || spec.get("storage_mappings").and_then(Value::as_array).is_some_and(|a| !a.is_empty())
    {
        out.push("Datastore.AllocateSpace");
    }
    out
}

/// An `ovf_error` about the request (category INPUT: the union wants `name`, `value` and `message`).
fn input_error(field: &str, value: &str, id: &str, message: String, args: Vec<String>) -> Value {
    json!({"category": "INPUT", "name": field, "value": value, "message": {"id": id, "default_message": message, "args": args}})
}

/// An `ovf_error` of the server (category SERVER: the union wants only `error`, a std error).
fn server_error(kind: &'static str, id: &str, message: String, args: Vec<String>) -> Value {
    json!({"category": "SERVER", "error": VapiError::new(kind, id, message, args).as_dynamic()})
}

fn failed(errors: Vec<Value>) -> Value {
    json!({"succeeded": false, "error": {"errors": errors, "warnings": [], "information": []}})
}

/// Problems inside OVF processing: reported with `succeeded: false`, nothing created.
fn ovf_problems(ctx: &Ctx, d: &OvfDescriptor, spec: &Value, folder: &str, name: &str) -> Vec<Value> {
    let mut errors = vec![];
    for m in spec.get("network_mappings").and_then(Value::as_array).into_iter().flatten() {
        let key = s(m, "key");
        if !d.networks.iter().any(|n| n == key) {
            errors.push(input_error(
                "network_mappings",
                key,
                "com.vmware.ovfs.ovfs-main.ovfs.network_mapping_invalid_key",
                format!(
                    "The network mapping key '{key}' is not a network of the OVF package ({}).",
                    d.networks.join(", ")
                ),
                vec![key.into()],
            ));
        }
    }
    for m in spec.get("storage_mappings").and_then(Value::as_array).into_iter().flatten() {
        let key = s(m, "key");
        if !d.storage_groups.iter().any(|g| g == key) {
            errors.push(input_error(
                "storage_mappings",
                key,
                "com.vmware.ovfs.ovfs-main.ovfs.storage_mapping_invalid_key",
                format!("The storage mapping key '{key}' is not a storage group of the OVF package."),
                vec![key.into()],
            ));
        }
    }
    if !d.eulas.is_empty() && spec.get("accept_all_EULA").and_then(Value::as_bool) != Some(true) {
        errors.push(input_error(
            "accept_all_EULA",
            "false",
            "com.vmware.ovfs.ovfs-main.ovfs.eula_not_accepted",
            "The OVF package has end-user license agreements that were not accepted (set accept_all_EULA to true)."
                .into(),
            vec![],
        ));
    }
    for p in spec.get("additional_parameters").and_then(Value::as_array).into_iter().flatten() {
        let class = s(p, "@class");
        let known = class.starts_with("com.vmware.vcenter.ovf.") && class.ends_with("_params");
        if !known || crate::providers::vcenter::wire::schema::Schema::get().fields(class).is_none() {
            errors.push(input_error(
                "additional_parameters",
                class,
                "com.vmware.ovfs.ovfs-main.ovfs.unknown_parameter_class",
                format!("'{class}' is not a known OVF parameter class."),
                vec![class.into()],
            ));
        }
        if class == "com.vmware.vcenter.ovf.property_params" {
            for prop in p.get("properties").and_then(Value::as_array).into_iter().flatten() {
                let pid = s(prop, "id");
                if !d.properties.iter().any(|x| x.key == pid) {
                    errors.push(input_error(
                        "additional_parameters",
                        pid,
                        "com.vmware.ovfs.ovfs-main.ovfs.unknown_property",
                        format!("Property '{pid}' is not defined in the OVF package."),
                        vec![pid.into()],
                    ));
                }
            }
        }
        if class == "com.vmware.vcenter.ovf.deployment_option_params" {
            if let Some(k) = opt_s(p, "selected_key") {
                if !d.deployment_options.iter().any(|(o, _)| o == k) {
                    errors.push(input_error(
                        "additional_parameters",
                        k,
                        "com.vmware.ovfs.ovfs-main.ovfs.unknown_deployment_option",
                        format!("Deployment option '{k}' is not defined in the OVF package."),
                        vec![k.into()],
                    ));
                }
            }
        }
    }
    if !ctx.p.vms.filter(&ctx.user, |v| v.folder == folder && v.name == name).is_empty() {
        errors.push(server_error(
            "already_exists",
            "com.vmware.ovfs.ovfs-main.ovfs.duplicate_name",
            format!("The name '{name}' already exists in folder '{folder}'."),
            vec![name.into(), folder.into()],
        ));
    }
    errors
}

/// Default deploy latency (product time); a scenario may replace it through the lifecycle override.
pub const DEPLOY_MS: u64 = 2_000;

/// The outcome of a deploy, plus how long to hold the answer.
pub struct Deployed {
    pub result: Value,
    pub hold_ms: Option<u64>,
}

pub fn deploy(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    deploy_held(ctx, input).map(|d| d.result)
}

pub fn deploy_held(ctx: &Ctx, input: &Value) -> Result<Deployed, VapiError> {
    let item_id = s(input, "ovf_library_item_id");
    let target = &input["target"];
    let spec = &input["deployment_spec"];
    let token = opt_s(input, "client_token");
    if let Some(r) = replay(ctx, token) {
        return Ok(Deployed { result: r, hold_ms: None });
    }
    if !ctx.p.items.contains(&ctx.user, item_id) {
        return Err(item_not_found(item_id));
    }
    let (_, d) = package(ctx, item_id)?;
    check_target(ctx, target)?;
    check_spec(ctx, spec)?;
    let user = ctx.p.find_user(&ctx.user);
    let have = user.map(|u| u.privileges).unwrap_or_default();
    let missing: Vec<&str> =
        required_privileges(&d, spec).into_iter().filter(|p| !have.iter().any(|h| h == p)).collect();
    if !missing.is_empty() {
        return Err(VapiError::new(
            "unauthorized",
            "vapi.security.authorization.invalid",
            format!("Unable to authorize user: missing privileges {}.", missing.join(", ")),
            missing.iter().map(|m| m.to_string()).collect(),
        ));
    }
    let pool_id = s(target, "resource_pool_id").to_string();
    let pool = ctx.p.objects.get(&ctx.user, &pool_id);
    let dc = pool.as_ref().and_then(|p| p.datacenter.clone()).unwrap_or_default();
    let folder = opt_s(target, "folder_id")
        .map(str::to_string)
        .or_else(|| ctx.p.objects.get(&ctx.user, &dc).and_then(|d| d.vm_folder))
        .unwrap_or_default();
    let name = opt_s(spec, "name").map(str::to_string).or_else(|| d.name.clone()).unwrap_or_else(|| "vm".into());
    let problems = ovf_problems(ctx, &d, spec, &folder, &name);
    if !problems.is_empty() {
        return Ok(Deployed { result: failed(problems), hold_ms: None });
    }
    // Deploy latency as a lifecycle, so a scenario can stretch it or make it fail.
    let plan = ctx.p.deploy_plan(ctx.core, &ctx.user, item_id);
    if let Some((code, message)) = plan.failure {
        let kind = crate::providers::vcenter::errors::known_kind(&code).unwrap_or("error");
        let msg = message.unwrap_or_else(|| format!("The deployment of library item '{item_id}' failed."));
        let result =
            failed(vec![server_error(kind, "com.vmware.ovfs.ovfs-main.ovfs.deploy_failed", msg, vec![item_id.into()])]);
        return Ok(Deployed { result, hold_ms: plan.hold_ms });
    }
    let host = opt_s(target, "host_id")
        .map(str::to_string)
        .or_else(|| pool.as_ref().and_then(|p| p.hosts.first().cloned()))
        .unwrap_or_default();
    let datastore = opt_s(spec, "default_datastore_id")
        .map(str::to_string)
        .or_else(|| {
            spec.get("storage_mappings")
                .and_then(Value::as_array)
                .and_then(|a| a.iter().find_map(|m| opt_s(&m["value"], "datastore_id").map(str::to_string)))
        })
        .or_else(|| {
            ctx.p
                .items
                .get(&ctx.user, item_id)
                .and_then(|i| ctx.p.libraries.get(&ctx.user, &i.library_id))
                .map(|l| l.datastore_id)
        })
        .unwrap_or_default();
    let mapped = |ovf_net: &str| -> String {
        spec.get("network_mappings")
            .and_then(Value::as_array)
            .and_then(|a| a.iter().find(|m| s(m, "key") == ovf_net).map(|m| s(m, "value").to_string()))
            .or_else(|| {
                ctx.p
                    .objects
                    .filter(&ctx.user, |o| o.kind == Kind::Network && o.name == ovf_net)
                    .first()
                    .map(|o| o.id.clone())
            })
            .or_else(|| ctx.p.objects.filter(&ctx.user, |o| o.kind == Kind::Network).first().map(|o| o.id.clone()))
            .unwrap_or_default()
    };
    let id = format!("vm-{}", ctx.core.ids.next_seq(&format!("vcenter.vm.{}", ctx.user), ctx.p.vm_floor()));
    let vm = Vm {
        id: id.clone(),
        name,
        power_state: "POWERED_OFF".into(),
        cpu_count: d.cpu_count,
        memory_mib: d.memory_mib,
        guest_os: guest_os(d.guest_os.as_deref()),
        folder,
        host,
        resource_pool: pool_id,
        datastore,
        networks: d.networks.iter().map(|n| mapped(n)).collect(),
        disks: d.disks.iter().map(|x| x.capacity_bytes).collect(),
        annotation: opt_s(spec, "annotation").map(str::to_string).or(d.annotation.clone()).unwrap_or_default(),
        source_item: Some(item_id.to_string()),
        busy: false,
    };
    ctx.p.vms.insert(&ctx.user, &id, vm);
    let result = json!({"succeeded": true, "resource_id": {"type": "VirtualMachine", "id": id}});
    remember(ctx, token, &result);
    Ok(Deployed { result, hold_ms: plan.hold_ms })
}

/// OVF `vmw:osType` → vAPI `GuestOS` enum.
fn guest_os(os: Option<&str>) -> String {
    match os.unwrap_or("") {
        "vmwarePhoton64Guest" => "VMWARE_PHOTON_64",
        "ubuntu64Guest" => "UBUNTU_64",
        "centos7_64Guest" => "CENTOS_7_64",
        "rhel8_64Guest" => "RHEL_8_64",
        "windows2019srv_64Guest" => "WINDOWS_2019",
        "otherLinux64Guest" | "other3xLinux64Guest" => "OTHER_3X_LINUX_64",
        _ => "OTHER_GUEST_64",
    }
    .to_string()
}

fn ovf_os(guest: &str) -> &'static str {
    match guest {
        "VMWARE_PHOTON_64" => "vmwarePhoton64Guest",
        "UBUNTU_64" => "ubuntu64Guest",
        "OTHER_3X_LINUX_64" => "other3xLinux64Guest",
        _ => "otherGuest64",
    }
}

fn create_result_error(kind: &'static str, id: &str, message: String, args: Vec<String>) -> VapiError {
    VapiError::new(kind, id, message, args)
}

/// Exports a VM as an OVF package into a new item (`target.library_id`) or a new version of an item.
pub fn create(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let token = opt_s(input, "client_token");
    if let Some(r) = replay(ctx, token) {
        return Ok(r);
    }
    let source = &input["source"];
    let target = &input["target"];
    let spec = &input["create_spec"];
    let (lib_target, item_target) = (opt_s(target, "library_id"), opt_s(target, "library_item_id"));
    if lib_target.is_some() == item_target.is_some() {
        return Err(invalid(
            "com.vmware.ovfs.ovfs-main.ovfs.invalid_create_target",
            "Exactly one of target.library_id and target.library_item_id must be set.",
            vec![],
        ));
    }
    let stype = s(source, "type");
    if stype != "VirtualMachine" && stype != "VirtualApp" {
        return Err(invalid(
            "com.vmware.ovfs.ovfs-main.ovfs.invalid_source_type",
            format!("'{stype}' is not a deployable type (VirtualMachine, VirtualApp)."),
            vec![stype.into()],
        ));
    }
    let vm_id = s(source, "id");
    let vm = ctx.p.vms.get(&ctx.user, vm_id).filter(|_| stype == "VirtualMachine").ok_or_else(|| {
        not_found("com.vmware.ovfs.ovfs-main.ovfs.source_not_found", format!("{stype} '{vm_id}' was not found."), vm_id)
    })?;
    if vm.busy {
        return Err(create_result_error(
            "resource_busy",
            "com.vmware.ovfs.ovfs-main.ovfs.source_busy",
            format!("Virtual machine '{vm_id}' is busy with another operation."),
            vec![vm_id.into()],
        ));
    }
    if vm.power_state == "POWERED_ON" {
        return Err(create_result_error(
            "not_allowed_in_current_state",
            "com.vmware.ovfs.ovfs-main.ovfs.source_powered_on",
            format!("Virtual machine '{vm_id}' must be powered off or suspended to be exported."),
            vec![vm_id.into()],
        ));
    }
    let name = opt_s(spec, "name").map(str::to_string).unwrap_or_else(|| vm.name.clone());
    let item_id = match (lib_target, item_target) {
        (Some(lib), _) => insert_empty_item(ctx, lib, name.clone(), opt_s(spec, "description").unwrap_or(""), "ovf")?,
        (None, Some(item)) => {
            if !ctx.p.items.contains(&ctx.user, item) {
                return Err(item_not_found(item));
            }
            item.to_string()
        }
        (None, None) => unreachable!("checked above"),
    };
    let net_names: Vec<String> = vm
        .networks
        .iter()
        .map(|n| ctx.p.objects.get(&ctx.user, n).map(|o| o.name).unwrap_or_else(|| n.clone()))
        .collect();
    let disk_file = format!("{}-disk-0.vmdk", name.replace(['/', '\\', ' '], "_"));
    let cap = vm.disks.first().copied().unwrap_or(1 << 30);
    let text = ovf::write(&ovf::VmExport {
        name: &name,
        annotation: &vm.annotation,
        guest_os: ovf_os(&vm.guest_os),
        cpu_count: vm.cpu_count,
        memory_mib: vm.memory_mib,
        disk_file: &disk_file,
        disk_capacity_bytes: cap,
        networks: &net_names,
    });
    let d = ovf::parse(&text).ok();
    let flags = strings(spec, "flags");
    let t = now(ctx);
    ctx.p.items.update(&ctx.user, &item_id, |i| {
        i.files = vec![
            StoredFile {
                name: format!("{}.ovf", name.replace(['/', '\\', ' '], "_")),
                size: text.len() as i64,
                text: Some(text.clone()),
                sha1: None,
            },
            StoredFile { name: disk_file.clone(), size: cap / 16, text: None, sha1: None },
        ];
        i.ovf = d;
        i.content_version += 1;
        i.last_modified_time = t;
        i.source_id = None;
    });
    let mut result = json!({"succeeded": true, "ovf_library_item_id": item_id});
    if !flags.is_empty() {
        result["error"] = json!({"errors": [], "warnings": [], "information": [{"messages": [{"id": "com.vmware.ovfs.ovfs-main.ovfs.flags_applied", "default_message": format!("Export flags applied: {}.", flags.join(", ")), "args": flags}]}]});
    }
    remember(ctx, token, &result);
    Ok(result)
}
