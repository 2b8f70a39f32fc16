//! Background work as product lifecycles. Each step's status is an asset status from the documented enum;
//! the image and version statuses are derived from the kind of work and the step, so image, version and
//! asset always move together. A scenario may replace the steps (any asset statuses), their durations, or
//! the outcome (`Failure { code }` with an asset failure status such as `IMPORT_FAILED_TIMEOUT`).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::model::{asset_failed, Asset, ASSET_STATUSES};
use super::wire::timestamp;
use super::Horizon;
use crate::core::lifecycle::{Lifecycle, LifecycleEvent, LifecycleSpec, Outcome, Step};
use crate::core::Core;

const SECOND: u64 = 1000;
const MINUTE: u64 = 60 * SECOND;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Marketplace or custom-VM import: ends IMPORT_COMPLETE.
    Import,
    /// SIG copy: ends AVAILABLE.
    Copy,
    Publish,
    Republish,
    /// clone-version / clone-image: ends IMPORT_COMPLETE.
    Clone,
    Delete,
}

/// What the callback needs to find the rows again.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Work {
    pub kind: Kind,
    pub image_id: String,
    pub version_id: String,
    /// The version's own asset (the VM or SIG image), which import/publish steps move through.
    pub asset_id: Option<String>,
    /// Provider instances a publish replicates to.
    #[serde(default)]
    pub replicas: Vec<String>,
    /// Delete of the image's last version: the image goes too.
    #[serde(default)]
    pub last_version: bool,
}

pub fn default_steps(kind: Kind) -> Vec<Step> {
    match kind {
        Kind::Import => vec![
            Step::new("IMPORT_PENDING", 30 * SECOND),
            Step::new("DEPLOYING_VM", 10 * MINUTE),
            Step::new("INSTALLING_AGENTS", 5 * MINUTE),
        ],
        Kind::Copy => vec![Step::new("COPYING_IMAGE", 30 * SECOND), Step::new("COPYING_IMAGE", 10 * MINUTE)],
        Kind::Clone => vec![Step::new("DEPLOYING_VM", 30 * SECOND), Step::new("DEPLOYING_VM", 10 * MINUTE)],
        Kind::Publish => vec![
            Step::new("INSTALLING_AGENTS", 5 * MINUTE),
            Step::new("SYSPREPING", 5 * MINUTE),
            Step::new("GENERALIZING", 3 * MINUTE),
            Step::new("SHUTTING_DOWN_VM", MINUTE),
            Step::new("CAPTURING_AND_UPLOADING_IMAGE_TO_SIG", 10 * MINUTE),
            Step::new("REPLICATING", 10 * MINUTE),
        ],
        Kind::Republish => vec![Step::new("REPLICATING", 10 * MINUTE)],
        Kind::Delete => vec![Step::new("DELETING", 2 * MINUTE)],
    }
}

/// Starts the work and applies its first step at once, so the reply already shows the new statuses.
pub fn begin(h: &Horizon, core: &Core, operation: &str, org: &str, work: Work) -> Lifecycle {
    let spec = LifecycleSpec {
        provider: "horizon".to_string(),
        operation: operation.to_string(),
        tenant: org.to_string(),
        group: None,
        resource: work.version_id.clone(),
        steps: default_steps(work.kind),
        outcome: Outcome::Success,
        data: serde_json::to_value(&work).unwrap_or(Value::Null),
    };
    let lc = core.lifecycles.start(core, spec);
    apply_step(h, core, org, &work, 0, lc.status());
    lc
}

/// Stops the running work on a version (force delete), leaving its rows as they are.
pub fn cancel_for(core: &Core, version_id: &str) {
    if let Some(lc) = core.lifecycles.for_resource("horizon", version_id) {
        core.lifecycles.cancel(lc.id);
    }
}

pub fn on_event(h: &Horizon, core: &Core, event: &LifecycleEvent) {
    let lc = match event {
        LifecycleEvent::Step { lifecycle, .. } | LifecycleEvent::Finished { lifecycle } => lifecycle,
    };
    let Ok(work) = serde_json::from_value::<Work>(lc.spec.data.clone()) else { return };
    let org = lc.spec.tenant.as_str();
    let _guard = h.write_guard();
    match event {
        LifecycleEvent::Step { index, .. } => apply_step(h, core, org, &work, *index, lc.status()),
        LifecycleEvent::Finished { .. } => match &lc.spec.outcome {
            Outcome::Success => succeed(h, core, org, &work),
            Outcome::Failure { code, message, .. } => fail(h, core, org, &work, code, message.as_deref()),
        },
    }
}

fn set_image(h: &Horizon, core: &Core, org: &str, image_id: &str, status: &str) {
    h.set_image_status(core, org, image_id, status);
}

fn set_version(h: &Horizon, core: &Core, org: &str, version_id: &str, status: &str, state: Option<&str>) {
    let now = timestamp(core);
    h.versions.update(org, version_id, |v| {
        v.status = status.to_string();
        if let Some(s) = state {
            v.state = s.to_string();
        }
        v.updated_at = now;
        v.version += 1;
    });
}

fn set_asset(h: &Horizon, core: &Core, org: &str, asset_id: &str, status: &str, state: Option<&str>) {
    let now = timestamp(core);
    h.assets.update(org, asset_id, |a| {
        a.status = status.to_string();
        if let Some(s) = state {
            a.state = s.to_string();
        }
        a.updated_at = now;
        a.version += 1;
    });
}

fn replicating(h: &Horizon, org: &str, version_id: &str) -> Vec<Asset> {
    h.assets.filter(org, |a| a.version_id == version_id && a.is_replica() && a.status == "REPLICATING")
}

fn apply_step(h: &Horizon, core: &Core, org: &str, work: &Work, index: usize, status: &str) {
    let known = ASSET_STATUSES.contains(&status);
    match work.kind {
        Kind::Import | Kind::Copy | Kind::Clone => {
            if let (true, Some(asset)) = (known, &work.asset_id) {
                set_asset(h, core, org, asset, status, None);
            }
            let (image, version) =
                if index == 0 { ("PENDING", "PENDING") } else { ("IN_PROGRESS", "IMPORT_IN_PROGRESS") };
            set_version(h, core, org, &work.version_id, version, None);
            set_image(h, core, org, &work.image_id, image);
        }
        Kind::Publish if status == "REPLICATING" => {
            if let Some(asset) = &work.asset_id {
                set_asset(h, core, org, asset, "PUBLISH_COMPLETE", Some("PUBLISHED"));
            }
            if replicating(h, org, &work.version_id).is_empty() {
                h.add_replicas(core, org, &work.version_id, &work.replicas, "REPLICATING");
            }
            set_version(h, core, org, &work.version_id, "REPLICATION_IN_PROGRESS", None);
            set_image(h, core, org, &work.image_id, "IN_PROGRESS");
        }
        Kind::Publish => {
            if let (true, Some(asset)) = (known, &work.asset_id) {
                set_asset(h, core, org, asset, status, None);
            }
            set_version(h, core, org, &work.version_id, "PUBLISH_IN_PROGRESS", None);
            set_image(h, core, org, &work.image_id, "IN_PROGRESS");
        }
        Kind::Republish => {
            set_version(h, core, org, &work.version_id, "REPLICATION_IN_PROGRESS", None);
            set_image(h, core, org, &work.image_id, "IN_PROGRESS");
        }
        Kind::Delete => {
            for a in h.assets.filter(org, |a| a.version_id == work.version_id) {
                set_asset(h, core, org, &a.id, "DELETING", None);
            }
            set_version(h, core, org, &work.version_id, "DELETING", None);
            if work.last_version {
                set_image(h, core, org, &work.image_id, "DELETING");
            }
        }
    }
}

fn succeed(h: &Horizon, core: &Core, org: &str, work: &Work) {
    match work.kind {
        Kind::Import | Kind::Clone => {
            if let Some(asset) = &work.asset_id {
                set_asset(h, core, org, asset, "IMPORT_COMPLETE", Some("NOT_READY"));
            }
            set_version(h, core, org, &work.version_id, "IMPORT_COMPLETE", Some("NOT_READY"));
            set_image(h, core, org, &work.image_id, "IMPORT_COMPLETE");
        }
        Kind::Copy => {
            if let Some(asset) = &work.asset_id {
                set_asset(h, core, org, asset, "AVAILABLE", Some("PUBLISHED"));
            }
            set_version(h, core, org, &work.version_id, "AVAILABLE", Some("PUBLISHED"));
            set_image(h, core, org, &work.image_id, "AVAILABLE");
        }
        Kind::Publish | Kind::Republish => {
            if work.kind == Kind::Publish {
                if let Some(asset) = &work.asset_id {
                    set_asset(h, core, org, asset, "PUBLISH_COMPLETE", Some("PUBLISHED"));
                }
                if h.assets.filter(org, |a| a.version_id == work.version_id && a.is_replica()).is_empty() {
                    h.add_replicas(core, org, &work.version_id, &work.replicas, "REPLICATING");
                }
            }
            for r in replicating(h, org, &work.version_id) {
                set_asset(h, core, org, &r.id, "AVAILABLE", Some("PUBLISHED"));
            }
            set_version(h, core, org, &work.version_id, "AVAILABLE", Some("PUBLISHED"));
            set_image(h, core, org, &work.image_id, "AVAILABLE");
        }
        Kind::Delete => h.remove_version(core, org, &work.image_id, &work.version_id),
    }
}

fn default_failure(kind: Kind) -> &'static str {
    match kind {
        Kind::Import | Kind::Copy => "IMPORT_FAILED",
        Kind::Clone => "CLONE_FAILED",
        Kind::Publish => "PUBLISH_FAILED",
        Kind::Republish => "REPLICATION_FAILED",
        Kind::Delete => "DELETION_FAILED",
    }
}

fn record_error(h: &Horizon, core: &Core, org: &str, asset_id: &str, status: &str, code: &str, message: &str) {
    let now = timestamp(core);
    h.assets.update(org, asset_id, |a| {
        a.status = status.to_string();
        a.error_code = Some(code.to_string());
        a.error_details = Some(message.to_string());
        a.errors_history.push(json!({
            "code": code,
            "message": message,
            "detail": format!("{} failed with {code}", a.asset_type),
            "domain": "IMAGE_MANAGEMENT",
            "severity": "ERROR",
            "parameters": {},
            "cause": null,
            "timestampInUtc": now,
        }));
        a.updated_at = now.clone();
        a.version += 1;
    });
}

fn fail(h: &Horizon, core: &Core, org: &str, work: &Work, code: &str, message: Option<&str>) {
    let message = message.map(str::to_string).unwrap_or_else(|| format!("Operation failed: {code}"));
    let replication = code.starts_with("REPLICATION_FAILED");
    if replication && matches!(work.kind, Kind::Publish | Kind::Republish) {
        // One copy fails, the rest of the work stands: the version is partially available.
        if let Some(asset) = work.asset_id.as_ref().filter(|_| work.kind == Kind::Publish) {
            set_asset(h, core, org, asset, "PUBLISH_COMPLETE", Some("PUBLISHED"));
        }
        let mut replicas = replicating(h, org, &work.version_id);
        if replicas.is_empty() {
            h.add_replicas(core, org, &work.version_id, &work.replicas, "REPLICATING");
            replicas = replicating(h, org, &work.version_id);
        }
        for (i, r) in replicas.iter().enumerate() {
            if i == 0 {
                record_error(h, core, org, &r.id, code, code, &message);
                h.assets.update(org, &r.id, |a| a.state = "UNPUBLISHED".to_string());
            } else {
                set_asset(h, core, org, &r.id, "AVAILABLE", Some("PUBLISHED"));
            }
        }
        set_version(h, core, org, &work.version_id, "PARTIALLY_AVAILABLE", Some("PARTIALLY_PUBLISHED"));
        set_image(h, core, org, &work.image_id, "PARTIALLY_AVAILABLE");
        return;
    }
    let status = if ASSET_STATUSES.contains(&code) && asset_failed(code) { code } else { default_failure(work.kind) };
    let targets: Vec<String> = match work.kind {
        Kind::Delete => h.assets.filter(org, |a| a.version_id == work.version_id).into_iter().map(|a| a.id).collect(),
        Kind::Republish => replicating(h, org, &work.version_id).into_iter().map(|a| a.id).collect(),
        _ => work.asset_id.iter().cloned().collect(),
    };
    for id in targets {
        record_error(h, core, org, &id, status, code, &message);
    }
    set_version(h, core, org, &work.version_id, "FAILED", None);
    if work.kind != Kind::Delete || work.last_version {
        set_image(h, core, org, &work.image_id, "FAILED");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_steps_are_documented_asset_statuses_with_time() {
        for kind in [Kind::Import, Kind::Copy, Kind::Publish, Kind::Republish, Kind::Clone, Kind::Delete] {
            for step in default_steps(kind) {
                assert!(ASSET_STATUSES.contains(&step.status.as_str()), "{kind:?} {}", step.status);
                assert!(step.duration_ms > 0);
            }
        }
        let publish: u64 = default_steps(Kind::Publish).iter().map(|s| s.duration_ms).sum();
        assert!(publish < 40 * MINUTE, "hcs-cli waits 40 minutes for a publish");
    }

    #[test]
    fn failure_defaults_are_asset_failure_statuses() {
        for kind in [Kind::Import, Kind::Copy, Kind::Publish, Kind::Republish, Kind::Clone, Kind::Delete] {
            assert!(asset_failed(default_failure(kind)));
        }
    }
}
