//! The seed operation, `POST /v1/imageimport` (Register image), with its status and list APIs and the import
//! lifecycle `queued → processing (progress rising) → succeeded | failed`. A successful import creates the
//! Glance image; a failed one leaves none.

use hyper::StatusCode;
use serde_json::{json, Value};
use sha1::{Digest, Sha1};

use crate::core::call::{Call, Reply};
use crate::core::lifecycle::{Lifecycle, LifecycleEvent, LifecycleSpec, Outcome, Step};
use crate::core::Core;
use crate::providers::k5::errors::{self, json_line};
use crate::providers::k5::model::identity::Token;
use crate::providers::k5::model::images::{Image, Import};
use crate::providers::k5::model::storage::{object_key, Blob};
use crate::providers::k5::ops::swift::assemble;
use crate::providers::k5::ops::{first_status, lifecycle_ids};
use crate::providers::k5::wire::import_request::{parse_register, ImportError};
use crate::providers::k5::wire::slo::md5_hex;
use crate::providers::k5::wire::time;
use crate::providers::k5::wire::window::{parse_window, BadWindow};
use crate::providers::k5::{K5, NAME};

pub const OPERATION: &str = "k5.imageimport.create";
/// The list API returns at most this many imports.
pub const LIST_CAP: usize = 100;
pub const CHECKSUM_MISMATCH: &str = "Checksum does not match.";
pub const DEFAULT_FAILURE: &str = "The image file format is invalid.";

/// Default steps: a short queue, then four minutes of conversion, the order of magnitude public K5 scripts wait
/// for (k5utils sleeps 300 s before its first poll).
pub fn default_steps() -> Vec<Step> {
    vec![
        Step::new("queued", 30_000),
        Step::new("processing", 60_000),
        Step::new("processing", 60_000),
        Step::new("processing", 60_000),
        Step::new("processing", 60_000),
    ]
}

pub(crate) fn can_import(k5: &K5, tok: &Token) -> bool {
    let world = k5.world();
    tok.roles.iter().any(|r| world.role(r).is_some_and(|r| r.can_import))
}

fn sha1_hex(bytes: &[u8]) -> String {
    hex::encode(Sha1::digest(bytes))
}

/// `POST /v1/imageimport`, checks in the documented order (docs/k5.md, "Register image: check order").
pub fn create(k5: &K5, call: &mut Call) -> Reply {
    let core = call.core.clone();
    let Some(tok) = k5.caller(call) else { return errors::unauthorized(&call.base_url) };
    let Some(project) = tok.project_id().map(str::to_string) else { return errors::import(ImportError::NoProject) };
    if !can_import(k5, &tok) {
        return errors::import(ImportError::Forbidden);
    }
    let req = match parse_register(&call.body, &project) {
        Ok(r) => r,
        Err(e) => return errors::import(e),
    };
    let _serial = k5.register_lock.lock().unwrap_or_else(|e| e.into_inner());
    let image_id = req.id.clone().unwrap_or_else(|| core.ids.uuid());
    if image_id_taken(k5, &image_id) {
        return errors::import(ImportError::IdInvalid);
    }
    let key = object_key(&req.location.container, &req.location.object);
    let Some(object) = k5.objects.get(&project, &key) else { return errors::import(ImportError::LocationInvalid) };
    // A large object whose segments are gone cannot be read: the location names nothing importable.
    let Some(bytes) = assemble(k5, &project, &object, 0) else { return errors::import(ImportError::LocationInvalid) };
    let settings = k5.settings();
    if settings.max_import_image_bytes.is_some_and(|max| bytes.len() as u64 > max) {
        return errors::import(ImportError::TooLarge);
    }
    let contract = match k5.world().project(&project) {
        Some((c, _)) => c.domain_id.clone(),
        None => return errors::import(ImportError::NoProject),
    };
    if core.lifecycles.active_count(OPERATION, &contract) >= settings.max_concurrent_imports_per_contract {
        return errors::import(ImportError::TooMany);
    }

    let import_id = core.ids.uuid();
    let outcome = match &req.checksum {
        Some(expected) if *expected != sha1_hex(&bytes) => Outcome::Failure {
            code: "checksum".into(),
            message: Some(CHECKSUM_MISMATCH.into()),
            // The mismatch is found while processing: fail at the end of the first processing step.
            after_step: Some(1),
            details: None,
        },
        _ => Outcome::Success,
    };
    let row = Import {
        import_id: import_id.clone(),
        seq: core.ids.next_seq("k5.imports", 0),
        project_id: project.clone(),
        contract_id: contract.clone(),
        status: "queued".into(),
        progress: 0,
        name: req.name,
        location: req.location.raw,
        image_id,
        min_ram: req.min_ram,
        min_disk: req.min_disk,
        os_type: req.os_type,
        checksum: req.checksum,
        error_message: None,
        request_time: time::seconds(core.clock.now()),
        source: Blob(bytes),
    };
    k5.imports.insert(&project, &import_id, row);
    let lc = core.lifecycles.start(
        &core,
        LifecycleSpec {
            provider: NAME.into(),
            operation: OPERATION.into(),
            tenant: project.clone(),
            group: Some(contract),
            resource: import_id.clone(),
            steps: default_steps(),
            outcome,
            data: json!({"project": project, "import_id": import_id}),
        },
    );
    if let Some(status) = first_status(&core, &lc) {
        k5.imports.update(&project, &import_id, |i| i.status = status);
    }
    json_line(StatusCode::CREATED, &json!({"import_id": import_id}))
}

/// An image id is taken by an existing image or by an import that may still register it.
fn image_id_taken(k5: &K5, id: &str) -> bool {
    k5.images.find_any(|_, i| i.id == id).is_some()
        || k5.imports.find_any(|_, i| i.image_id == id && i.is_active()).is_some()
}

/// Percentage of the processing steps elapsed at `now` (0–99 while processing); exports progress the same way.
pub(crate) fn processing_progress(lc: &Lifecycle, now: u64) -> u8 {
    let steps = &lc.spec.steps;
    let total: u64 = steps.iter().filter(|s| s.status == "processing").map(|s| s.duration_ms).sum();
    if total == 0 {
        return 0;
    }
    let before: u64 = steps.iter().take(lc.current).filter(|s| s.status == "processing").map(|s| s.duration_ms).sum();
    let current = steps.get(lc.current).filter(|s| s.status == "processing").map_or(0, |s| {
        let started = lc.due.saturating_sub(s.duration_ms);
        now.saturating_sub(started).min(s.duration_ms)
    });
    (((before + current) * 100 / total).min(99)) as u8
}

fn live_progress(core: &Core, i: &Import) -> u8 {
    if i.status != "processing" {
        return i.progress;
    }
    match core.lifecycles.for_resource(NAME, &i.import_id) {
        Some(lc) => processing_progress(&lc, core.clock.ticks()).max(i.progress),
        None => i.progress,
    }
}

fn read_access(k5: &K5, call: &Call) -> Result<String, Reply> {
    let Some(tok) = k5.caller(call) else { return Err(errors::unauthorized(&call.base_url)) };
    tok.project_id().map(str::to_string).ok_or_else(|| errors::import(ImportError::NoProject))
}

pub fn status(k5: &K5, call: &mut Call) -> Reply {
    let project = match read_access(k5, call) {
        Ok(p) => p,
        Err(r) => return r,
    };
    match k5.imports.get(&project, call.param("import_id")) {
        Some(i) => json_line(StatusCode::OK, &i.status_body(live_progress(&call.core, &i))),
        None => errors::import_other(StatusCode::NOT_FOUND, "40401", "Invalid import_id."),
    }
}

pub fn list(k5: &K5, call: &mut Call) -> Reply {
    let project = match read_access(k5, call) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let pairs = call.query_pairs();
    let window = match parse_window(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
        Ok(w) => w,
        Err(BadWindow::Start) => {
            return errors::import_other(StatusCode::BAD_REQUEST, "40035", "Query parameter 'start' has invalid value.")
        }
        Err(BadWindow::Limit) => {
            return errors::import_other(StatusCode::BAD_REQUEST, "40036", "Query parameter 'limit' has invalid value.")
        }
    };
    let mut all = k5.imports.list(&project);
    all.sort_by_key(|x| std::cmp::Reverse(x.seq));
    let items: Vec<Value> = window
        .apply(&all, LIST_CAP)
        .iter()
        .map(|i| {
            json!({"import_id": i.import_id, "import_status": i.status,
                   "status": format!("/v1/imageimport/{}/status", i.import_id)})
        })
        .collect();
    json_line(StatusCode::OK, &json!({ "imports": items }))
}

/// Applies a lifecycle step or the outcome to the import row; success registers the image.
pub fn on_lifecycle(k5: &K5, core: &Core, event: &LifecycleEvent) {
    match event {
        LifecycleEvent::Step { lifecycle, index } => {
            let Some((project, id)) = ids(lifecycle) else { return };
            let status = lifecycle.spec.steps.get(*index).map(|s| s.status.clone()).unwrap_or_default();
            let progress = if status == "processing" { processing_progress(lifecycle, core.clock.ticks()) } else { 0 };
            k5.imports.update(&project, &id, |i| {
                i.progress = if status == "processing" { progress.max(i.progress) } else { i.progress };
                i.status = status;
            });
        }
        LifecycleEvent::Finished { lifecycle } => {
            let Some((project, id)) = ids(lifecycle) else { return };
            let Some(import) = k5.imports.get(&project, &id) else { return };
            let failure = match &lifecycle.spec.outcome {
                Outcome::Success if image_exists(k5, &import.image_id) => {
                    Some("The image id is already in use.".to_string())
                }
                Outcome::Success => None,
                Outcome::Failure { code, message, .. } => Some(message.clone().unwrap_or_else(|| {
                    if code == "checksum" {
                        CHECKSUM_MISMATCH.into()
                    } else {
                        DEFAULT_FAILURE.into()
                    }
                })),
            };
            match failure {
                None => {
                    let now = time::seconds(core.clock.now());
                    let mut properties = serde_json::Map::new();
                    properties.insert("os_type".into(), json!(import.os_type));
                    let image = Image {
                        id: import.image_id.clone(),
                        name: Some(import.name.clone()),
                        status: "active".into(),
                        visibility: "private".into(),
                        protected: false,
                        tags: Vec::new(),
                        disk_format: "raw".into(),
                        container_format: "bare".into(),
                        min_ram: import.min_ram,
                        min_disk: import.min_disk,
                        size: import.source.0.len() as u64,
                        checksum: md5_hex(&import.source.0),
                        owner: project.clone(),
                        created_at: now.clone(),
                        updated_at: now,
                        properties,
                        data: import.source.clone(),
                    };
                    let image_id = image.id.clone();
                    k5.images.insert(&project, &image_id, image);
                    k5.imports.update(&project, &id, |i| {
                        i.status = "succeeded".into();
                        i.progress = 100;
                        i.source = Blob::default();
                    });
                }
                Some(message) => {
                    let progress = live_progress(core, &import);
                    k5.imports.update(&project, &id, |i| {
                        i.status = "failed".into();
                        i.progress = progress;
                        i.error_message = Some(message);
                        i.source = Blob::default();
                    });
                }
            }
        }
    }
}

fn image_exists(k5: &K5, id: &str) -> bool {
    k5.images.find_any(|_, i| i.id == id).is_some()
}

fn ids(lc: &Lifecycle) -> Option<(String, String)> {
    lifecycle_ids(lc, "import_id")
}
