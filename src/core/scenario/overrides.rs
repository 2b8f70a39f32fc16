//! Lifecycle overrides: new step durations, an alternative status path, or a terminal failure with a provider
//! error after step N, for the lifecycles one operation starts.

use std::sync::atomic::{AtomicU64, Ordering};

use super::super::lifecycle::{LifecycleSpec, Outcome, Step};
use super::super::Core;
use super::model::LifecycleOverride;
use super::selection::Selector;

#[derive(Debug)]
pub struct Override {
    pub name: String,
    pub spec: LifecycleOverride,
    selector: Selector,
    hits: AtomicU64,
}

impl Override {
    pub fn new(name: String, spec: LifecycleOverride) -> Override {
        let selector = Selector::new(spec.select.as_ref());
        Override { name, spec, selector, hits: AtomicU64::new(0) }
    }

    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    pub fn matched(&self) -> u64 {
        self.selector.matched()
    }

    /// Rewrites the lifecycle when it is one of ours and selected; true when it did.
    pub fn apply(&self, core: &Core, loaded_at: u64, lc: &mut LifecycleSpec) -> bool {
        if lc.operation != self.spec.operation || self.spec.tenant.as_ref().is_some_and(|t| *t != lc.tenant) {
            return false;
        }
        if !self.selector.select(core, loaded_at) {
            return false;
        }
        if let Some(steps) = &self.spec.steps {
            lc.steps = steps.iter().map(|s| Step::new(s.status.clone(), s.duration_ms)).collect();
        }
        if let Some(durations) = &self.spec.durations_ms {
            for step in &mut lc.steps {
                if let Some(ms) = durations.get(&step.status) {
                    step.duration_ms = *ms;
                }
            }
        }
        if let Some(f) = &self.spec.fail {
            lc.outcome = Outcome::Failure {
                code: f.code.clone(),
                message: f.message.clone(),
                after_step: f.after_step,
                details: f.details.clone(),
            };
        }
        self.hits.fetch_add(1, Ordering::Relaxed);
        true
    }
}
