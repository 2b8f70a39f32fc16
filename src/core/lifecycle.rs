//! Background operations as data: a resource, a list of (status, duration) steps and an outcome. The engine
//! applies steps in product-time order through the owning provider's `on_lifecycle` callback. Under the
//! virtual clock, `advance` applies every due step, in order, before it returns.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::Notify;

use super::Core;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Step {
    pub status: String,
    /// Product milliseconds spent in this status before the next step (or the outcome).
    pub duration_ms: u64,
}

impl Step {
    pub fn new(status: impl Into<String>, duration_ms: u64) -> Step {
        Step { status: status.into(), duration_ms }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "result", rename_all = "lowercase")]
pub enum Outcome {
    Success,
    Failure {
        /// The provider's own error code (`SYS.1006`, `IMPORT_FAILED_TIMEOUT`, ...).
        code: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
        /// Fail once this step's duration is over instead of running the remaining steps.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after_step: Option<usize>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        details: Option<Value>,
    },
}

/// What a provider asks the engine to run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LifecycleSpec {
    pub provider: String,
    /// The operation id that started it; scenario overrides are keyed on it.
    pub operation: String,
    pub tenant: String,
    /// Scope for concurrency limits when it is wider than the tenant (a K5 contract groups projects).
    #[serde(default)]
    pub group: Option<String>,
    pub resource: String,
    pub steps: Vec<Step>,
    pub outcome: Outcome,
    /// Whatever the provider needs back in its callback.
    #[serde(default)]
    pub data: Value,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Lifecycle {
    pub id: u64,
    #[serde(flatten)]
    pub spec: LifecycleSpec,
    /// Product ticks when it started.
    pub started_at: u64,
    /// Index of the step it is in.
    pub current: usize,
    /// Product ticks when the current step (or the outcome) falls due.
    pub due: u64,
    /// Name of the scenario rule that rewrote it, if any.
    #[serde(default)]
    pub overridden_by: Option<String>,
}

impl Lifecycle {
    /// The step index after which the outcome is applied.
    fn last_step(&self) -> usize {
        let last = self.spec.steps.len().saturating_sub(1);
        match &self.spec.outcome {
            Outcome::Failure { after_step: Some(k), .. } => (*k).min(last),
            _ => last,
        }
    }

    /// Fraction of the whole run that has elapsed at `now` (0.0..=1.0), for progress fields.
    pub fn progress_at(&self, now: u64) -> f64 {
        let total: u64 = self.spec.steps.iter().take(self.last_step() + 1).map(|s| s.duration_ms).sum();
        if total == 0 {
            return 1.0;
        }
        ((now.saturating_sub(self.started_at)) as f64 / total as f64).clamp(0.0, 1.0)
    }

    pub fn status(&self) -> &str {
        self.spec.steps.get(self.current).map(|s| s.status.as_str()).unwrap_or("")
    }
}

pub enum LifecycleEvent<'a> {
    /// The lifecycle entered `steps[index]` (index ≥ 1; step 0 is entered by `start` itself, whose caller sets
    /// the initial status while creating the resource).
    Step { lifecycle: &'a Lifecycle, index: usize },
    /// The outcome fell due; the lifecycle is over.
    Finished { lifecycle: &'a Lifecycle },
}

#[derive(Default)]
struct Queue {
    next_id: u64,
    active: HashMap<u64, Lifecycle>,
    due: BinaryHeap<Reverse<(u64, u64)>>,
}

#[derive(Default)]
pub struct Lifecycles {
    queue: Mutex<Queue>,
    wake: Notify,
    /// Serialises virtual advances, so two advance calls never interleave their steps.
    advancing: Mutex<()>,
}

impl Lifecycles {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts a lifecycle (after scenario overrides) and returns it as it will run: the caller sets the resource's
    /// initial status from `steps[0]`.
    pub fn start(&self, core: &Core, mut spec: LifecycleSpec) -> Lifecycle {
        let overridden_by = core.scenarios.override_lifecycle(core, &mut spec);
        if spec.steps.is_empty() {
            spec.steps.push(Step::new("", 0));
        }
        let now = core.clock.ticks();
        let mut q = self.lock();
        q.next_id += 1;
        let id = q.next_id;
        let due = now + spec.steps[0].duration_ms;
        let lc = Lifecycle { id, spec, started_at: now, current: 0, due, overridden_by };
        q.due.push(Reverse((due, id)));
        q.active.insert(id, lc.clone());
        drop(q);
        self.wake.notify_one();
        lc
    }

    pub fn get(&self, id: u64) -> Option<Lifecycle> {
        self.lock().active.get(&id).cloned()
    }

    /// The running lifecycle of a resource, if any.
    pub fn for_resource(&self, provider: &str, resource: &str) -> Option<Lifecycle> {
        let q = self.lock();
        q.active.values().find(|l| l.spec.provider == provider && l.spec.resource == resource).cloned()
    }

    /// Lifecycles of `operation` still running in `scope` (their group, or their tenant when they have none).
    pub fn active_count(&self, operation: &str, scope: &str) -> usize {
        let q = self.lock();
        q.active
            .values()
            .filter(|l| l.spec.operation == operation && l.spec.group.as_deref().unwrap_or(&l.spec.tenant) == scope)
            .count()
    }

    /// Running lifecycles whose spec satisfies `keep` (scenario limits count per tenant, group or globally).
    pub fn count_where(&self, mut keep: impl FnMut(&LifecycleSpec) -> bool) -> usize {
        let q = self.lock();
        q.active.values().filter(|l| keep(&l.spec)).count()
    }

    pub fn active(&self) -> Vec<Lifecycle> {
        let mut v: Vec<Lifecycle> = self.lock().active.values().cloned().collect();
        v.sort_by_key(|l| l.id);
        v
    }

    pub fn cancel(&self, id: u64) -> Option<Lifecycle> {
        self.lock().active.remove(&id)
    }

    /// Drops every lifecycle, or those of one tenant (reset).
    pub fn cancel_where(&self, tenant: Option<&str>) {
        let mut q = self.lock();
        q.active.retain(|_, l| tenant.is_some_and(|t| l.spec.tenant != t));
    }

    /// Takes the earliest lifecycle due at or before `until`, moving it on by one step.
    fn pop_due(&self, until: u64) -> Option<(u64, Lifecycle, bool)> {
        let mut q = self.lock();
        loop {
            let Reverse((due, id)) = *q.due.peek()?;
            if due > until {
                return None;
            }
            q.due.pop();
            let Some(lc) = q.active.get_mut(&id) else { continue };
            if lc.due != due {
                continue;
            }
            if lc.current >= lc.last_step() {
                let lc = q.active.remove(&id)?;
                return Some((due, lc, true));
            }
            lc.current += 1;
            lc.due = due + lc.spec.steps[lc.current].duration_ms;
            let next = lc.due;
            let snapshot = lc.clone();
            q.due.push(Reverse((next, id)));
            return Some((due, snapshot, false));
        }
    }

    fn next_due(&self) -> Option<u64> {
        let q = self.lock();
        q.due.peek().map(|Reverse((d, _))| *d)
    }

    fn dispatch(core: &Core, lc: &Lifecycle, finished: bool) {
        let Some(provider) = core.provider(&lc.spec.provider) else { return };
        let event = if finished {
            LifecycleEvent::Finished { lifecycle: lc }
        } else {
            LifecycleEvent::Step { lifecycle: lc, index: lc.current }
        };
        provider.on_lifecycle(core, &event);
    }

    /// Applies every step due at or before `until`, in order; under the virtual clock the clock is stepped to
    /// each step's time first, so what the step stamps carries that time.
    fn apply_due(&self, core: &Core, until: u64) -> usize {
        let mut applied = 0;
        while let Some((due, lc, finished)) = self.pop_due(until) {
            let _ = core.clock.set_virtual_ticks(due);
            Self::dispatch(core, &lc, finished);
            applied += 1;
        }
        applied
    }

    /// Virtual clock only: moves product time forward by `ms`, applying every step that falls due on the way.
    pub fn advance(&self, core: &Core, ms: u64) -> Result<usize, super::clock::NotVirtual> {
        let _guard = self.advancing.lock().unwrap_or_else(|e| e.into_inner());
        let target = core.clock.ticks().saturating_add(ms);
        core.clock.set_virtual_ticks(core.clock.ticks())?;
        let applied = self.apply_due(core, target);
        core.clock.set_virtual_ticks(target)?;
        Ok(applied)
    }

    /// The engine's background task: applies steps as real (or scaled) time reaches them, and zero-length
    /// steps at once under the virtual clock.
    pub async fn run(core: Arc<Core>) {
        let engine = &core.lifecycles;
        loop {
            let notified = engine.wake.notified();
            engine.apply_due(&core, core.clock.ticks());
            match engine.next_due() {
                Some(due) => {
                    tokio::select! {
                        _ = core.clock.sleep_until(due) => {}
                        _ = notified => {}
                    }
                }
                None => notified.await,
            }
        }
    }

    /// Running lifecycles for the state file, with their due times relative to `now`.
    pub fn snapshot(&self, now: u64) -> Value {
        let mut list = self.active();
        for l in &mut list {
            l.due = l.due.saturating_sub(now);
            l.started_at = l.started_at.saturating_sub(now);
        }
        serde_json::to_value(list).unwrap_or(Value::Null)
    }

    /// Puts back lifecycles from a state file, re-based on `now`.
    pub fn restore(&self, value: &Value, now: u64) -> Result<(), String> {
        let list: Vec<Lifecycle> = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
        let mut q = self.lock();
        for mut l in list {
            l.due += now;
            l.started_at += now;
            q.next_id = q.next_id.max(l.id);
            q.due.push(Reverse((l.due, l.id)));
            q.active.insert(l.id, l);
        }
        drop(q);
        self.wake.notify_one();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use serde_json::{json, Value};

    use super::*;
    use crate::core::call::{Call, Reply};
    use crate::core::config::ServeArgs;
    use crate::core::fixtures::FixtureFiles;
    use crate::core::provider::{CoreError, ErrorSpec, Provider, Route};
    use crate::core::store::Store;

    /// Records every event with the product time it was applied at.
    #[derive(Default)]
    struct Recorder {
        seen: Mutex<Vec<(u64, String)>>,
    }

    impl Provider for Recorder {
        fn name(&self) -> &'static str {
            "rec"
        }
        fn prefixes(&self) -> Vec<&'static str> {
            vec![]
        }
        fn routes(self: Arc<Self>) -> Vec<Route> {
            vec![]
        }
        fn core_error(&self, _: &CoreError, _: &Call) -> Reply {
            Reply::empty(hyper::StatusCode::NOT_FOUND)
        }
        fn error_codes(&self) -> Vec<&'static str> {
            vec![]
        }
        fn error_reply(&self, _: &ErrorSpec, _: &Call) -> Option<Reply> {
            None
        }
        fn load_fixtures(&self, _: &Core, _: &FixtureFiles) -> Result<(), String> {
            Ok(())
        }
        fn on_lifecycle(&self, core: &Core, event: &LifecycleEvent) {
            let what = match event {
                LifecycleEvent::Step { lifecycle, index } => {
                    format!("{}:{}", lifecycle.spec.resource, lifecycle.spec.steps[*index].status)
                }
                LifecycleEvent::Finished { lifecycle } => match &lifecycle.spec.outcome {
                    Outcome::Success => format!("{}:done", lifecycle.spec.resource),
                    Outcome::Failure { code, .. } => format!("{}:failed {code}", lifecycle.spec.resource),
                },
            };
            self.seen.lock().unwrap().push((core.clock.ticks(), what));
        }
        fn identities(&self, _: &Core) -> Value {
            json!({})
        }
    }

    static RECORDER: std::sync::OnceLock<Arc<Recorder>> = std::sync::OnceLock::new();

    fn factory(_: &Store) -> Vec<Arc<dyn Provider>> {
        vec![RECORDER.get_or_init(Default::default).clone()]
    }

    fn spec(resource: &str, steps: &[(&str, u64)], outcome: Outcome) -> LifecycleSpec {
        LifecycleSpec {
            provider: "rec".into(),
            operation: "rec.thing.create".into(),
            tenant: "t1".into(),
            group: None,
            resource: resource.into(),
            steps: steps.iter().map(|(s, d)| Step::new(*s, *d)).collect(),
            outcome,
            data: Value::Null,
        }
    }

    #[test]
    fn virtual_advance_applies_due_steps_in_time_order_and_failures_cut_the_path() {
        let core = Core::build(ServeArgs::parse_args(["--clock", "virtual"]).unwrap(), factory).unwrap();
        let rec = RECORDER.get().unwrap();
        core.lifecycles.start(&core, spec("a", &[("queued", 5_000), ("running", 10_000)], Outcome::Success));
        let fail = Outcome::Failure { code: "E1".into(), message: None, after_step: Some(0), details: None };
        core.lifecycles.start(&core, spec("b", &[("queued", 2_000), ("running", 1_000)], fail));
        assert_eq!(core.lifecycles.active_count("rec.thing.create", "t1"), 2);

        assert_eq!(core.lifecycles.advance(&core, 4_000).unwrap(), 1);
        assert_eq!(core.lifecycles.advance(&core, 60_000).unwrap(), 2);
        let seen = rec.seen.lock().unwrap().clone();
        assert_eq!(
            seen,
            vec![(2_000, "b:failed E1".to_string()), (5_000, "a:running".to_string()), (15_000, "a:done".to_string())]
        );
        assert_eq!(core.lifecycles.active_count("rec.thing.create", "t1"), 0);
        assert_eq!(core.clock.ticks(), 64_000);
    }
}
