//! Update sessions: how content gets into a library item. Files are added (PUSH), their bytes PUT to the
//! upload URI the server hands out, then `complete` commits them to the item. A `.ovf` is parsed on upload and
//! the disks it references become expected files (`validate` lists the missing ones).

use serde_json::{json, Value};

use super::library::item_not_found;
use super::{is_uuid, not_found, now, opt_s, remember, replay, s, Ctx};
use crate::core::lifecycle::{LifecycleSpec, Outcome, Step};
use crate::providers::vcenter::errors::VapiError;
use crate::providers::vcenter::model::{ovf, StoredFile, UpdateFile, UpdateSession};

/// Idle time after which an update session expires (the real default is 5 minutes).
pub const SESSION_IDLE_MS: i64 = 5 * 60 * 1000;
/// How long `complete` keeps the session ACTIVE before DONE (product time).
pub const COMPLETE_MS: u64 = 1_000;

pub fn session_not_found(id: &str) -> VapiError {
    not_found("com.vmware.vdcs.cls-main.update_session_not_found", format!("Update session '{id}' was not found."), id)
}

fn not_active(id: &str, state: &str) -> VapiError {
    VapiError::new(
        "not_allowed_in_current_state",
        "com.vmware.vdcs.cls-main.update_session_not_active",
        format!("Update session '{id}' is in state {state}; the operation needs an ACTIVE session."),
        vec![id.into(), state.into()],
    )
}

fn expiry(ctx: &Ctx) -> String {
    crate::providers::vcenter::model::vapi_time(ctx.core.clock.now() + chrono::Duration::milliseconds(SESSION_IDLE_MS))
}

/// The session, with an idle-expired ACTIVE session turned to ERROR first.
fn load(ctx: &Ctx, id: &str) -> Result<UpdateSession, VapiError> {
    let now = ctx.core.clock.now();
    ctx.p.update_sessions.update(&ctx.user, id, |u| {
        let expired = chrono::DateTime::parse_from_rfc3339(&u.expiration_time).is_ok_and(|t| t < now);
        if u.state == "ACTIVE" && !u.completed && expired {
            u.state = "ERROR".into();
            u.error_message = Some("The update session expired.".into());
        }
    });
    ctx.p.update_sessions.get(&ctx.user, id).ok_or_else(|| session_not_found(id))
}

/// Loads an ACTIVE, not yet completed session and pushes its expiry forward (any use keeps it alive).
fn load_active(ctx: &Ctx, id: &str) -> Result<UpdateSession, VapiError> {
    let u = load(ctx, id)?;
    if u.state != "ACTIVE" || u.completed {
        return Err(not_active(id, if u.completed && u.state == "ACTIVE" { "DONE" } else { &u.state }));
    }
    let exp = expiry(ctx);
    ctx.p.update_sessions.update(&ctx.user, id, |x| x.expiration_time = exp);
    Ok(u)
}

fn model(u: &UpdateSession) -> Value {
    let mut v = json!({"id": u.id, "library_item_id": u.library_item_id,
        "library_item_content_version": u.content_version.to_string(), "state": u.state,
        "client_progress": u.client_progress, "expiration_time": u.expiration_time});
    if let Some(m) = &u.error_message {
        v["error_message"] =
            json!({"id": "com.vmware.vdcs.cls-main.update_session_error", "default_message": m, "args": []});
    }
    v
}

pub fn create(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let token = opt_s(input, "client_token");
    if let Some(r) = replay(ctx, token) {
        return Ok(r);
    }
    let item_id = opt_s(&input["create_spec"], "library_item_id").unwrap_or("");
    if item_id.is_empty() {
        return Err(super::invalid(
            "vapi.data.structure.field.missing",
            "Field 'library_item_id' missing from structure 'com.vmware.content.library.item.update_session_model'.",
            vec!["library_item_id".into()],
        ));
    }
    let item = ctx.p.items.get(&ctx.user, item_id).ok_or_else(|| item_not_found(item_id))?;
    if let Some(other) = ctx.p.active_update_session(&ctx.user, item_id) {
        return Err(VapiError::new(
            "resource_busy",
            "com.vmware.vdcs.cls-main.item_update_in_progress",
            format!("Library item '{item_id}' is already being updated by session '{other}'."),
            vec![item_id.into(), other],
        ));
    }
    let id = ctx.core.ids.uuid();
    let u = UpdateSession {
        id: id.clone(),
        library_item_id: item_id.to_string(),
        content_version: item.content_version,
        state: "ACTIVE".into(),
        client_progress: 0,
        expiration_time: expiry(ctx),
        error_message: None,
        files: vec![],
        completed: false,
    };
    ctx.p.update_sessions.insert(&ctx.user, &id, u);
    let out = json!(id);
    remember(ctx, token, &out);
    Ok(out)
}

pub fn get(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    load(ctx, s(input, "update_session_id")).map(|u| model(&u))
}

pub fn list(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let item = opt_s(input, "library_item_id");
    let ids =
        ctx.p.update_sessions.filter(&ctx.user, |u| u.state == "ACTIVE" && item.is_none_or(|i| u.library_item_id == i));
    Ok(Value::Array(ids.iter().map(|u| json!(u.id)).collect()))
}

pub fn complete(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let id = s(input, "update_session_id");
    let u = load_active(ctx, id)?;
    if let Some(f) = u.files.iter().find(|f| f.status != "READY") {
        return Err(VapiError::new(
            "not_allowed_in_current_state",
            "com.vmware.vdcs.cls-main.file_not_transferred",
            format!("File '{}' of update session '{id}' has not been transferred (status {}).", f.name, f.status),
            vec![f.name.clone()],
        ));
    }
    // The SDK docs say the item is updated when complete returns: commit now, flip the state on the clock.
    let t = now(ctx);
    let files = u.files.clone();
    ctx.p
        .items
        .update(&ctx.user, &u.library_item_id, |item| {
            for f in &files {
                item.files.retain(|x| x.name != f.name);
                item.files.push(StoredFile {
                    name: f.name.clone(),
                    size: f.bytes_transferred,
                    text: f.text.clone(),
                    sha1: f.sha1.clone(),
                });
                if f.name.to_ascii_lowercase().ends_with(".ovf") {
                    item.ovf = f.text.as_deref().and_then(|t| ovf::parse(t).ok());
                }
            }
            item.content_version += 1;
            item.last_modified_time = t;
        })
        .ok_or_else(|| item_not_found(&u.library_item_id))?;
    ctx.p.update_sessions.update(&ctx.user, id, |x| {
        x.completed = true;
        x.client_progress = 100;
    });
    ctx.core.lifecycles.start(
        ctx.core,
        LifecycleSpec {
            provider: "vcenter".into(),
            operation: "vcenter.update_session.complete".into(),
            tenant: ctx.user.clone(),
            group: None,
            resource: id.to_string(),
            steps: vec![Step::new("ACTIVE", COMPLETE_MS)],
            outcome: Outcome::Success,
            data: json!({"kind": "update_session"}),
        },
    );
    Ok(Value::Null)
}

fn end(ctx: &Ctx, input: &Value, state: &str, message: Option<String>) -> Result<Value, VapiError> {
    let id = s(input, "update_session_id");
    load_active(ctx, id)?;
    ctx.p.update_sessions.update(&ctx.user, id, |x| {
        x.state = state.into();
        x.error_message = message.clone();
    });
    Ok(Value::Null)
}

pub fn cancel(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    end(ctx, input, "CANCELED", None)
}

pub fn fail(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    end(ctx, input, "ERROR", Some(s(input, "client_error_message").to_string()))
}

pub fn keep_alive(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let id = s(input, "update_session_id");
    load_active(ctx, id)?;
    if let Some(p) = input.get("client_progress").and_then(Value::as_i64) {
        if !(0..=100).contains(&p) {
            return Err(super::invalid(
                "com.vmware.vdcs.cls-main.invalid_progress",
                format!("client_progress {p} is not between 0 and 100."),
                vec![p.to_string()],
            ));
        }
        ctx.p.update_sessions.update(&ctx.user, id, |x| x.client_progress = p);
    }
    Ok(Value::Null)
}

pub fn delete(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let id = s(input, "update_session_id");
    let u = load(ctx, id)?;
    if u.state == "ACTIVE" && !u.completed {
        return Err(not_active(id, "ACTIVE"));
    }
    ctx.p.update_sessions.remove(&ctx.user, id);
    Ok(Value::Null)
}

fn file_info(ctx: &Ctx, f: &UpdateFile) -> Value {
    let mut v = json!({"name": f.name, "source_type": f.source_type, "bytes_transferred": f.bytes_transferred, "status": f.status, "keep_in_storage": true});
    if let Some(size) = f.size {
        v["size"] = json!(size);
    }
    if let Some((alg, sum)) = &f.checksum {
        v["checksum_info"] = json!({"algorithm": alg, "checksum": sum});
    }
    if f.source_type == "PUSH" {
        v["upload_endpoint"] = json!({"uri": format!("{}/cls/data/{}/{}", ctx.base_url, f.slot, urlencode(&f.name))});
    }
    if let Some(e) = &f.error {
        v["error_message"] = json!({"id": "com.vmware.vdcs.cls-main.file_error", "default_message": e, "args": []});
    }
    v
}

fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC)
        .to_string()
        .replace("%2E", ".")
        .replace("%2D", "-")
        .replace("%5F", "_")
}

pub fn file_add(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let id = s(input, "update_session_id");
    let u = load_active(ctx, id)?;
    let spec = &input["file_spec"];
    let name = s(spec, "name").trim().to_string();
    if name.is_empty() || name.contains('/') || name.contains('\\') {
        return Err(super::invalid(
            "com.vmware.vdcs.cls-main.invalid_file_name",
            format!("'{name}' is not a valid file name."),
            vec![name],
        ));
    }
    let source = s(spec, "source_type");
    if source != "PUSH" && source != "PULL" {
        return Err(super::invalid(
            "vapi.data.enum.invalid",
            format!("'{source}' is not a SourceType (PUSH, PULL)."),
            vec![source.into()],
        ));
    }
    if source == "PULL" && spec.get("source_endpoint").is_none() {
        return Err(super::invalid(
            "com.vmware.vdcs.cls-main.missing_source_endpoint",
            "A PULL file needs a source_endpoint.",
            vec![],
        ));
    }
    if u.files.iter().any(|f| f.name == name && f.status == "READY") {
        return Err(VapiError::new(
            "already_exists",
            "com.vmware.vdcs.cls-main.file_already_exists",
            format!("File '{name}' was already added to update session '{id}'."),
            vec![name],
        ));
    }
    let checksum = spec
        .get("checksum_info")
        .map(|c| (opt_s(c, "algorithm").unwrap_or("SHA1").to_string(), s(c, "checksum").to_ascii_lowercase()));
    let f = UpdateFile {
        name: name.clone(),
        source_type: source.to_string(),
        size: spec.get("size").and_then(Value::as_i64),
        slot: ctx.core.ids.uuid(),
        bytes_transferred: 0,
        // The emulator never fetches PULL sources: they count as transferred, with their declared size.
        status: if source == "PULL" { "READY".into() } else { "WAITING_FOR_TRANSFER".into() },
        error: None,
        text: None,
        sha1: None,
        checksum,
    };
    let f = if source == "PULL" { UpdateFile { bytes_transferred: f.size.unwrap_or(0), ..f } } else { f };
    let info = file_info(ctx, &f);
    ctx.p.update_sessions.update(&ctx.user, id, |x| {
        x.files.retain(|old| old.name != name);
        x.files.push(f);
    });
    Ok(info)
}

pub fn file_list(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let u = load(ctx, s(input, "update_session_id"))?;
    Ok(Value::Array(u.files.iter().map(|f| file_info(ctx, f)).collect()))
}

pub fn file_get(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let id = s(input, "update_session_id");
    let name = s(input, "file_name");
    let u = load(ctx, id)?;
    u.files.iter().find(|f| f.name == name).map(|f| file_info(ctx, f)).ok_or_else(|| file_not_found(id, name))
}

fn file_not_found(id: &str, name: &str) -> VapiError {
    not_found(
        "com.vmware.vdcs.cls-main.file_not_found",
        format!("File '{name}' was not found in update session '{id}'."),
        name,
    )
}

pub fn file_remove(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let id = s(input, "update_session_id");
    let name = s(input, "file_name");
    let u = load_active(ctx, id)?;
    if !u.files.iter().any(|f| f.name == name) {
        return Err(file_not_found(id, name));
    }
    ctx.p.update_sessions.update(&ctx.user, id, |x| x.files.retain(|f| f.name != name));
    Ok(Value::Null)
}

pub fn file_validate(ctx: &Ctx, input: &Value) -> Result<Value, VapiError> {
    let id = s(input, "update_session_id");
    let u = load_active(ctx, id)?;
    let item = ctx.p.items.get(&ctx.user, &u.library_item_id).ok_or_else(|| item_not_found(&u.library_item_id))?;
    let mut invalid = vec![];
    let mut expected: Vec<String> = vec![];
    for f in &u.files {
        if let Some(e) = &f.error {
            invalid.push(json!({"name": f.name, "error_message": {"id": "com.vmware.vdcs.cls-main.file_invalid", "default_message": e, "args": [f.name]}}));
        } else if f.status != "READY" {
            invalid.push(json!({"name": f.name, "error_message": {"id": "com.vmware.vdcs.cls-main.file_not_transferred", "default_message": format!("File '{}' has not been transferred.", f.name), "args": [f.name]}}));
        }
        if let Some(d) = f.text.as_deref().and_then(|t| ovf::parse(t).ok()) {
            expected.extend(d.files.iter().map(|(href, _)| href.clone()));
        }
    }
    let have = |n: &str| u.files.iter().any(|f| f.name == n) || item.files.iter().any(|f| f.name == n);
    let mut missing: Vec<String> = expected.into_iter().filter(|n| !have(n)).collect();
    missing.dedup();
    Ok(
        json!({"has_errors": !missing.is_empty() || !invalid.is_empty(), "missing_files": missing, "invalid_files": invalid}),
    )
}

/// Receives the bytes of a PUSH file. The URI itself authorises the upload (the SDK sample sends no session).
pub fn upload(p: &crate::providers::vcenter::Vcenter, slot: &str, body: &[u8]) -> Result<(), VapiError> {
    let Some((tenant, sid, u)) = p.update_sessions.find_any(|_, u| u.files.iter().any(|f| f.slot == slot)) else {
        return Err(not_found(
            "com.vmware.vdcs.cls-main.upload_endpoint_not_found",
            format!("No upload is expected at '{slot}'."),
            slot,
        ));
    };
    if u.state != "ACTIVE" || u.completed {
        return Err(not_active(&sid, &u.state));
    }
    use sha1::{Digest, Sha1};
    let sha1 = hex::encode(Sha1::digest(body));
    p.update_sessions.update(&tenant, &sid, |x| {
        if let Some(f) = x.files.iter_mut().find(|f| f.slot == slot) {
            f.bytes_transferred = body.len() as i64;
            f.sha1 = Some(sha1.clone());
            f.status = "READY".into();
            f.error = None;
            if let Some(size) = f.size.filter(|s| *s != body.len() as i64) {
                f.status = "ERROR".into();
                f.error = Some(format!("Expected {size} bytes, received {}.", body.len()));
            }
            if let Some((alg, sum)) = &f.checksum {
                if alg.eq_ignore_ascii_case("SHA1") && *sum != sha1 {
                    f.status = "ERROR".into();
                    f.error = Some(format!("SHA1 checksum mismatch: expected {sum}, got {sha1}."));
                }
            }
            if f.name.to_ascii_lowercase().ends_with(".ovf") {
                let text = String::from_utf8_lossy(body).into_owned();
                if let Err(e) = ovf::parse(&text) {
                    f.status = "ERROR".into();
                    f.error = Some(format!("The OVF descriptor could not be parsed: {e}"));
                }
                f.text = Some(text);
            }
        }
    });
    Ok(())
}

pub fn valid_slot(slot: &str) -> bool {
    is_uuid(slot)
}
