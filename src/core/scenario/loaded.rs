//! A loaded scenario, compiled: its rules with their matchers, selectors and counters, its limits and its
//! lifecycle overrides, and the listing `GET /_mockcloud/scenarios` shows.

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{json, Value};

use super::super::Core;
use super::limits::Limit;
use super::matching::{self, Matcher};
use super::model::{RuleSpec, ScenarioSpec};
use super::overrides::Override;
use super::selection::Selector;

pub(super) struct Rule {
    pub(super) name: String,
    pub(super) spec: RuleSpec,
    pub(super) matcher: Matcher,
    pub(super) selector: Selector,
    pub(super) hits: AtomicU64,
    /// Product milliseconds of latency it added in all, so a test can see what the seeded draws gave.
    pub(super) latency_ms: AtomicU64,
}

/// A loaded scenario, compiled.
pub(super) struct Loaded {
    pub(super) spec: ScenarioSpec,
    /// Product tick when it was loaded (time windows count from here).
    pub(super) loaded_at: u64,
    pub(super) overrides: Vec<Override>,
    pub(super) rules: Vec<Rule>,
    pub(super) limits: Vec<Limit>,
}

impl Loaded {
    pub(super) fn compile(core: &Core, spec: ScenarioSpec) -> Loaded {
        let overrides = spec
            .lifecycles
            .iter()
            .enumerate()
            .map(|(i, o)| Override::new(o.name.clone().unwrap_or_else(|| format!("lifecycles[{i}]")), o.clone()))
            .collect();
        let rules = spec
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| Rule {
                name: r.name.clone().unwrap_or_else(|| format!("rules[{i}]")),
                matcher: Matcher::new(core, &r.matches),
                selector: Selector::new(r.select.as_ref()),
                hits: AtomicU64::new(0),
                latency_ms: AtomicU64::new(0),
                spec: r.clone(),
            })
            .collect();
        let limits = spec
            .limits
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let ops = matching::resolve_operations(core, &l.operation);
                Limit::new(l.name.clone().unwrap_or_else(|| format!("limits[{i}]")), l.clone(), ops)
            })
            .collect();
        Loaded { loaded_at: core.clock.ticks(), overrides, rules, limits, spec }
    }

    pub(super) fn listing(&self, core: &Core) -> Value {
        let rules: Vec<Value> = self
            .rules
            .iter()
            .map(|r| {
                let mut v = serde_json::to_value(&r.spec).unwrap_or(Value::Null);
                v["name"] = json!(r.name);
                v["matched"] = json!(r.selector.matched());
                v["hits"] = json!(r.hits.load(Ordering::Relaxed));
                v["latency_ms_added"] = json!(r.latency_ms.load(Ordering::Relaxed));
                v
            })
            .collect();
        let limits: Vec<Value> = self
            .limits
            .iter()
            .map(|l| {
                let mut v = serde_json::to_value(&l.spec).unwrap_or(Value::Null);
                v["name"] = json!(l.name);
                v["admitted"] = json!(l.admitted());
                v["refused"] = json!(l.refused());
                v["hits"] = json!(l.refused());
                v
            })
            .collect();
        let lifecycles: Vec<Value> = self
            .overrides
            .iter()
            .map(|o| {
                let mut v = serde_json::to_value(&o.spec).unwrap_or(Value::Null);
                v["name"] = json!(o.name);
                v["matched"] = json!(o.matched());
                v["hits"] = json!(o.hits());
                v
            })
            .collect();
        json!({
            "name": self.spec.name,
            "description": self.spec.description,
            "seed": self.spec.seed,
            "clock": self.spec.clock,
            "loaded_at": core.clock.date_at(self.loaded_at).to_rfc3339(),
            "lifecycles": lifecycles,
            "rules": rules,
            "limits": limits,
        })
    }
}
