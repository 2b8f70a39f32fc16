//! The export side of the import/export API: `POST /v1/imageexport`, status, list and cancel, with its own
//! error family (`error_message`). A finished export writes `<image_id>.vmdk` into the chosen container, so an
//! image can make the round trip back through import.

use hyper::StatusCode;
use serde_json::{json, Value};

use crate::core::call::{Call, Reply};
use crate::core::lifecycle::{Lifecycle, LifecycleEvent, LifecycleSpec, Outcome, Step};
use crate::core::Core;
use crate::providers::k5::errors::{self, json_line};
use crate::providers::k5::model::images::Export;
use crate::providers::k5::model::storage::{object_key, Object};
use crate::providers::k5::ops::imports::{can_import, processing_progress};
use crate::providers::k5::ops::{first_status, lifecycle_ids};
use crate::providers::k5::wire::ids::{is_hex32, is_uuid};
use crate::providers::k5::wire::import_request::percent_decode;
use crate::providers::k5::wire::slo::md5_hex;
use crate::providers::k5::wire::time;
use crate::providers::k5::wire::window::{parse_window, BadWindow};
use crate::providers::k5::{K5, NAME};

pub const OPERATION: &str = "k5.imageexport.create";
pub const CANCEL_OPERATION: &str = "k5.imageexport.cancel";
pub const LIST_CAP: usize = 200;

/// An export converts the image back to VMDK, the reverse of an import's conversion: it runs on the same
/// schedule (queue, then four minutes of processing).
pub fn default_steps() -> Vec<Step> {
    crate::providers::k5::ops::imports::default_steps()
}

pub fn cancel_steps() -> Vec<Step> {
    vec![Step::new("cancelling", 10_000)]
}

/// Token (401), project scope (40005), import/export privilege (40301 when `write`).
fn access(k5: &K5, call: &Call, write: bool) -> Result<String, Reply> {
    let Some(tok) = k5.caller(call) else { return Err(errors::unauthorized(&call.base_url)) };
    let Some(project) = tok.project_id().map(str::to_string) else { return Err(errors::export_code("40005")) };
    if write && !can_import(k5, &tok) {
        return Err(errors::export_code("40301"));
    }
    Ok(project)
}

/// `/v1/AUTH_<project>/<container>` (a trailing slash is tolerated), container percent-decoded.
fn parse_storage_container(raw: &str) -> Option<(String, String)> {
    let rest = raw.strip_prefix("/v1/AUTH_")?;
    let (project, container) = rest.split_once('/')?;
    let container = container.strip_suffix('/').unwrap_or(container);
    if !is_hex32(project) || container.is_empty() || container.contains('/') {
        return None;
    }
    Some((project.to_string(), percent_decode(container)?))
}

pub fn create(k5: &K5, call: &mut Call) -> Reply {
    let core = call.core.clone();
    let project = match access(k5, call, true) {
        Ok(p) => p,
        Err(r) => return r,
    };
    // The export API documents no JSON-format error: an unreadable body is read as an empty request.
    let body: Value = serde_json::from_slice(&call.body).ok().filter(Value::is_object).unwrap_or_else(|| json!({}));
    let image_id = body.get("image_id").filter(|v| !v.is_null());
    let container = body.get("storage_container").filter(|v| !v.is_null());
    let Some(image_id) = image_id else { return errors::export_code("40001") };
    let Some(container) = container else { return errors::export_code("40003") };
    let image = image_id
        .as_str()
        .filter(|s| is_uuid(s))
        .and_then(|id| k5.images.get(&project, &id.to_ascii_lowercase()))
        .filter(|i| i.status == "active");
    let Some(image) = image else { return errors::export_code("40002") };
    let Some(storage_container) = container.as_str().map(str::to_string) else { return errors::export_code("40004") };
    let target = parse_storage_container(&storage_container)
        .filter(|(p, c)| *p == project && k5.containers.contains(&project, c));
    let Some((_, target_container)) = target else { return errors::export_code("40004") };

    let export_id = core.ids.uuid();
    let row = Export {
        export_id: export_id.clone(),
        seq: core.ids.next_seq("k5.exports", 0),
        project_id: project.clone(),
        status: "queued".into(),
        progress: 0,
        image_id: image.id.clone(),
        image_name: image.name.clone().unwrap_or_default(),
        storage_container,
        container: target_container,
        request_time: time::seconds(core.clock.now()),
        error_message: None,
    };
    k5.exports.insert(&project, &export_id, row);
    let lc = core.lifecycles.start(
        &core,
        LifecycleSpec {
            provider: NAME.into(),
            operation: OPERATION.into(),
            tenant: project.clone(),
            group: None,
            resource: export_id.clone(),
            steps: default_steps(),
            outcome: Outcome::Success,
            data: json!({"project": project, "export_id": export_id}),
        },
    );
    if let Some(status) = first_status(&core, &lc) {
        k5.exports.update(&project, &export_id, |e| e.status = status);
    }
    json_line(StatusCode::CREATED, &json!({"export_id": export_id}))
}

fn progress_of(core: &Core, e: &Export) -> u8 {
    if e.status != "processing" {
        return e.progress;
    }
    match core.lifecycles.for_resource(NAME, &e.export_id) {
        Some(lc) => processing_progress(&lc, core.clock.ticks()).max(e.progress),
        None => e.progress,
    }
}

pub fn status(k5: &K5, call: &mut Call) -> Reply {
    let project = match access(k5, call, false) {
        Ok(p) => p,
        Err(r) => return r,
    };
    match k5.exports.get(&project, call.param("export_id")) {
        Some(e) => json_line(StatusCode::OK, &e.status_body(progress_of(&call.core, &e))),
        None => errors::export_code("40401"),
    }
}

pub fn list(k5: &K5, call: &mut Call) -> Reply {
    let project = match access(k5, call, false) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let pairs = call.query_pairs();
    let window = match parse_window(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
        Ok(w) => w,
        Err(BadWindow::Start) => return errors::export_code("40013"),
        Err(BadWindow::Limit) => return errors::export_code("40014"),
    };
    let mut all = k5.exports.list(&project);
    all.sort_by_key(|x| std::cmp::Reverse(x.seq));
    let items: Vec<Value> = window
        .apply(&all, LIST_CAP)
        .iter()
        .map(|e| {
            json!({"export_id": e.export_id, "export_status": e.status,
                   "status": format!("/v1/imageexport/{}/status", e.export_id),
                   "image_id": e.image_id, "request_time": e.request_time})
        })
        .collect();
    json_line(StatusCode::OK, &json!({ "exports": items }))
}

pub fn cancel(k5: &K5, call: &mut Call) -> Reply {
    let core = call.core.clone();
    let project = match access(k5, call, true) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let id = call.param("export_id").to_string();
    let Some(e) = k5.exports.get(&project, &id) else { return errors::export_code("40401") };
    if e.status == "cancelling" {
        return errors::export_code("40010");
    }
    if e.is_finished() {
        return errors::export_code("40402");
    }
    if let Some(lc) = core.lifecycles.for_resource(NAME, &id) {
        core.lifecycles.cancel(lc.id);
    }
    let progress = progress_of(&core, &e);
    k5.exports.update(&project, &id, |x| {
        x.status = "cancelling".into();
        x.progress = progress;
    });
    core.lifecycles.start(
        &core,
        LifecycleSpec {
            provider: NAME.into(),
            operation: CANCEL_OPERATION.into(),
            tenant: project.clone(),
            group: None,
            resource: id.clone(),
            steps: cancel_steps(),
            outcome: Outcome::Success,
            data: json!({"project": project, "export_id": id}),
        },
    );
    Reply::empty(StatusCode::OK)
}

pub fn on_lifecycle(k5: &K5, core: &Core, event: &LifecycleEvent) {
    match event {
        LifecycleEvent::Step { lifecycle, index } => {
            let Some((project, id)) = ids(lifecycle) else { return };
            let status = lifecycle.spec.steps.get(*index).map(|s| s.status.clone()).unwrap_or_default();
            k5.exports.update(&project, &id, |e| e.status = status);
        }
        LifecycleEvent::Finished { lifecycle } => {
            let Some((project, id)) = ids(lifecycle) else { return };
            if lifecycle.spec.operation == CANCEL_OPERATION {
                k5.exports.update(&project, &id, |e| e.status = "canceled".into());
                return;
            }
            let Some(export) = k5.exports.get(&project, &id) else { return };
            let failure = match &lifecycle.spec.outcome {
                Outcome::Failure { message, .. } => {
                    Some(message.clone().unwrap_or_else(|| "Internal server error.".to_string()))
                }
                Outcome::Success => write_export(k5, core, &project, &export).err(),
            };
            let progress = export.progress;
            k5.exports.update(&project, &id, |e| match failure {
                None => {
                    e.status = "succeeded".into();
                    e.progress = 100;
                }
                Some(m) => {
                    e.status = "failed".into();
                    e.progress = progress;
                    e.error_message = Some(m);
                }
            });
        }
    }
}

/// Writes the exported image into the container; the error text becomes the export's `error_message`.
fn write_export(k5: &K5, core: &Core, project: &str, e: &Export) -> Result<(), String> {
    let image = k5.images.get(project, &e.image_id).ok_or_else(|| "The image does not exist.".to_string())?;
    if !k5.containers.contains(project, &e.container) {
        return Err("The storage container does not exist.".into());
    }
    let name = format!("{}.vmdk", e.image_id);
    let obj = Object {
        container: e.container.clone(),
        name: name.clone(),
        etag: md5_hex(&image.data.0),
        data: image.data.clone(),
        content_type: "application/octet-stream".into(),
        modified_us: core.clock.now().timestamp_micros(),
        meta: Default::default(),
        manifest: None,
    };
    k5.objects.insert(project, &object_key(&e.container, &name), obj);
    Ok(())
}

fn ids(lc: &Lifecycle) -> Option<(String, String)> {
    lifecycle_ids(lc, "export_id")
}
