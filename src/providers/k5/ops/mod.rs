//! Request handlers, one file per K5 service.

// Checks return `Err(Reply)`: the ready answer, moved once per request, so its size does not matter here.
#![allow(clippy::result_large_err)]

pub mod exports;
pub mod glance;
pub mod identity;
pub mod imports;
pub mod swift;

use crate::core::lifecycle::Lifecycle;
use crate::core::Core;

/// The status a new import or export starts in: the first step of its (possibly scenario-rewritten) lifecycle,
/// or None when the lifecycle has already moved on (a zero-length first step) and `on_lifecycle` set it.
fn first_status(core: &Core, lifecycle: &Lifecycle) -> Option<String> {
    let live = core.lifecycles.get(lifecycle.id)?;
    (live.current == 0).then(|| live.status().to_string())
}

/// The project and resource id an import or export lifecycle carries in its data (`id_key`: `import_id`, ...).
fn lifecycle_ids(lc: &Lifecycle, id_key: &str) -> Option<(String, String)> {
    let project = lc.spec.data.get("project")?.as_str()?.to_string();
    let id = lc.spec.data.get(id_key)?.as_str()?.to_string();
    Some((project, id))
}
