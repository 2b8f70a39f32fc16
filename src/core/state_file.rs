//! `--state-file`: the store (and running lifecycles) as JSON, loaded at start and written on shutdown or on
//! demand. A file that cannot be read back exactly is a start-up error, never a silent empty world.

use std::path::Path;

use serde_json::{json, Value};

use super::Core;

const FORMAT: &str = "mockcloud-state";
pub const VERSION: u64 = 1;

pub fn to_value(core: &Core) -> Value {
    json!({
        "format": FORMAT,
        "version": VERSION,
        "saved_at": core.clock.now().to_rfc3339(),
        "tables": core.store.snapshot(None),
        "lifecycles": core.lifecycles.snapshot(core.clock.ticks()),
    })
}

/// Writes atomically (temporary file, then rename) so a crash mid-write never leaves a corrupt state file.
pub fn save(core: &Core, path: &Path) -> Result<(), String> {
    let bytes = serde_json::to_vec_pretty(&to_value(core)).map_err(|e| e.to_string())?;
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).map_err(|e| format!("state file {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("state file {}: {e}", path.display()))
}

pub fn load(core: &Core, path: &Path) -> Result<(), String> {
    let err = |m: String| format!("state file {}: {m}", path.display());
    let bytes = std::fs::read(path).map_err(|e| err(e.to_string()))?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|e| err(format!("not valid JSON: {e}")))?;
    if v.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(err(format!("field `format`: expected {FORMAT:?}")));
    }
    match v.get("version").and_then(Value::as_u64) {
        Some(VERSION) => {}
        other => {
            return Err(err(format!("field `version`: this mockcloud reads version {VERSION}, the file has {other:?}")))
        }
    }
    let tables = v.get("tables").ok_or_else(|| err("field `tables` is missing".into()))?;
    core.store.restore(tables).map_err(|e| err(format!("field `tables`: {e}")))?;
    if let Some(l) = v.get("lifecycles") {
        core.lifecycles.restore(l, core.clock.ticks()).map_err(|e| err(format!("field `lifecycles`: {e}")))?;
    }
    Ok(())
}
