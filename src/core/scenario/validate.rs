//! What serde cannot check: operation ids and error codes the providers know, possible status paths, ranges,
//! and actions that make sense together. Every problem is collected, each at its JSON path.

use std::collections::BTreeSet;
use std::sync::Arc;

use bytes::Bytes;
use hyper::header::HeaderName;
use hyper::{HeaderMap, Method};

use super::super::call::Call;
use super::super::clock::ClockMode as RunningClock;
use super::super::provider::ErrorSpec;
use super::super::Core;
use super::matching::{provider_of, resolve_operations};
use super::model::{
    ActSpec, ClockMode, CountMode, ErrorAct, LifecycleOverride, LimitSpec, RuleSpec, ScenarioSpec, SelectSpec,
};
use super::parse::Problem;

/// Checks a parsed scenario. `running` also checks that its clock matches the running server's (a clock
/// cannot change under a running server; `--scenario` at start-up sets it instead).
pub fn validate(core: &Arc<Core>, spec: &ScenarioSpec, running: bool) -> Vec<Problem> {
    let mut v = Validator { core, problems: Vec::new() };
    if let Some(clock) = &spec.clock {
        v.clock(clock, running);
    }
    let mut names = BTreeSet::new();
    let at = |positions: &[usize], i: usize| positions.get(i).copied().unwrap_or(i);
    for (i, o) in spec.lifecycles.iter().enumerate() {
        let i = at(&spec.positions.lifecycles, i);
        v.unique_name(&mut names, o.name.as_deref(), &format!("lifecycles[{i}].name"));
        v.lifecycle(o, &format!("lifecycles[{i}]"));
    }
    for (i, r) in spec.rules.iter().enumerate() {
        let i = at(&spec.positions.rules, i);
        v.unique_name(&mut names, r.name.as_deref(), &format!("rules[{i}].name"));
        v.rule(r, &format!("rules[{i}]"));
    }
    for (i, l) in spec.limits.iter().enumerate() {
        let i = at(&spec.positions.limits, i);
        v.unique_name(&mut names, l.name.as_deref(), &format!("limits[{i}].name"));
        v.limit(l, &format!("limits[{i}]"));
    }
    v.problems
}

struct Validator<'a> {
    core: &'a Arc<Core>,
    problems: Vec<Problem>,
}

fn list(items: &[&str]) -> String {
    const SHOWN: usize = 25;
    let mut s = items.iter().take(SHOWN).copied().collect::<Vec<_>>().join(", ");
    if items.len() > SHOWN {
        s.push_str(&format!(", ... ({} more)", items.len() - SHOWN));
    }
    s
}

impl Validator<'_> {
    fn problem(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem::new(path, message));
    }

    fn unique_name(&mut self, names: &mut BTreeSet<String>, name: Option<&str>, at: &str) {
        if let Some(n) = name {
            if n.is_empty() || n.contains('/') || n.contains(',') {
                self.problem(at, "a name is non-empty and holds no '/' or ','");
            } else if !names.insert(n.to_string()) {
                self.problem(at, format!("{n:?} is used twice in this scenario"));
            }
        }
    }

    fn clock(&mut self, clock: &super::model::ClockSpec, running: bool) {
        if let Some(scale) = clock.time_scale {
            if clock.mode != ClockMode::Real {
                self.problem("clock.time_scale", "only the real clock has a time scale");
            } else if !(scale.is_finite() && scale > 0.0) {
                self.problem("clock.time_scale", "must be a positive number");
            }
        }
        if !running {
            return;
        }
        let now = match self.core.clock.mode() {
            RunningClock::Real => ClockMode::Real,
            RunningClock::Virtual => ClockMode::Virtual,
        };
        if clock.mode != now {
            self.problem(
                "clock.mode",
                format!(
                    "the server runs with the {now:?} clock; a clock is chosen at start-up (--clock, or --scenario)"
                ),
            );
        } else if clock.time_scale.is_some_and(|s| (s - self.core.clock.scale()).abs() > 1e-9) {
            self.problem("clock.time_scale", "differs from the running server's --time-scale");
        }
    }

    /// Resolves an operation pattern; records a problem when it names nothing.
    fn operations(&mut self, pattern: &str, at: &str) -> Vec<&'static str> {
        let ops = resolve_operations(self.core, pattern);
        if ops.is_empty() {
            if pattern.contains('*') {
                self.problem(at, format!("no operation id matches {pattern:?}"));
            } else {
                self.problem(at, format!("unknown operation id {pattern:?} (see GET /_mockcloud/routes)"));
            }
        }
        ops
    }

    /// Whether the provider renders the code for a call of `operation` (asking it, as the rule will: vCenter
    /// takes `com.vmware.vapi.std.errors.not_found` as well as the `not_found` it lists).
    fn renders(&self, operation: &'static str, code: &str) -> bool {
        let Some(p) = self.core.provider(provider_of(operation)) else { return false };
        if p.error_codes().contains(&code) {
            return true;
        }
        let call = Call {
            method: Method::GET,
            path: "/".into(),
            query: None,
            headers: HeaderMap::new(),
            body: Bytes::new(),
            params: Vec::new(),
            operation,
            tenant: None,
            credential: None,
            base_url: "http://localhost".into(),
            core: self.core.clone(),
        };
        p.error_reply(&ErrorSpec { code, message: None, details: None }, &call).is_some()
    }

    /// The code must be one every provider owning one of `ops` renders.
    fn error_code(&mut self, ops: &[&'static str], e: &ErrorAct, at: &str, extra: &[&'static str]) {
        let mut by_provider: Vec<(&str, &'static str)> = ops.iter().map(|o| (provider_of(o), *o)).collect();
        by_provider.dedup_by_key(|(p, _)| *p);
        for (name, op) in by_provider {
            let Some(p) = self.core.provider(name) else { continue };
            if extra.contains(&e.code.as_str()) || self.renders(op, &e.code) {
                continue;
            }
            let mut codes = p.error_codes();
            codes.extend_from_slice(extra);
            self.problem(
                format!("{at}.code"),
                format!("unknown error code {:?} for provider {name} (its codes: {})", e.code, list(&codes)),
            );
        }
    }

    fn select(&mut self, s: &SelectSpec, at: &str) {
        if s.nth == Some(0) {
            self.problem(format!("{at}.nth"), "counts from 1");
        }
        if s.every == Some(0) {
            self.problem(format!("{at}.every"), "must be at least 1");
        }
        if let Some(p) = s.probability {
            if !(p.is_finite() && (0.0..=1.0).contains(&p)) {
                self.problem(format!("{at}.probability"), format!("{p} is outside [0, 1]"));
            }
        }
        if let Some(w) = &s.window {
            if !(w.from_seconds.is_finite() && w.from_seconds >= 0.0) {
                self.problem(format!("{at}.window.from_seconds"), "must be zero or positive");
            }
            if let Some(u) = w.until_seconds {
                if !(u.is_finite() && u > w.from_seconds) {
                    self.problem(format!("{at}.window.until_seconds"), "must be after from_seconds");
                }
            }
        }
    }

    fn lifecycle(&mut self, o: &LifecycleOverride, at: &str) {
        let op = o.operation.as_str();
        let known = !resolve_operations(self.core, op).is_empty() && !op.contains('*');
        if !known {
            self.problem(
                format!("{at}.operation"),
                format!("unknown operation id {op:?} (see GET /_mockcloud/routes)"),
            );
            return;
        }
        let vocab = self.core.provider(provider_of(op)).and_then(|p| p.lifecycle_vocabulary(op));
        if let Some(s) = &o.select {
            self.select(s, &format!("{at}.select"));
        }
        if o.steps.is_none() && o.durations_ms.is_none() && o.fail.is_none() {
            self.problem(at.to_string(), "changes nothing: give steps, durations_ms or fail");
        }
        if let Some(steps) = &o.steps {
            if steps.is_empty() {
                self.problem(format!("{at}.steps"), "impossible status path: it has no step");
            }
            for (i, s) in steps.iter().enumerate() {
                let here = format!("{at}.steps[{i}].status");
                if s.status.is_empty() {
                    self.problem(here, "a status is not empty");
                } else if let Some(v) = &vocab {
                    if !v.statuses.contains(&s.status.as_str()) {
                        self.problem(
                            here,
                            format!(
                                "impossible status path: {:?} is not a status of {op} (its statuses: {})",
                                s.status,
                                list(&v.statuses)
                            ),
                        );
                    }
                }
            }
        }
        if let Some(durations) = &o.durations_ms {
            for status in durations.keys() {
                let here = format!("{at}.durations_ms.{status}");
                if let Some(steps) = &o.steps {
                    if !steps.iter().any(|s| s.status == *status) {
                        self.problem(here, format!("{status:?} is not a step of this override's path"));
                    }
                } else if let Some(v) = &vocab {
                    if !v.statuses.contains(&status.as_str()) {
                        self.problem(
                            here,
                            format!("{status:?} is not a status of {op} (its statuses: {})", list(&v.statuses)),
                        );
                    }
                }
            }
        }
        if let Some(f) = &o.fail {
            if let (Some(k), Some(steps)) = (f.after_step, &o.steps) {
                if k >= steps.len() {
                    self.problem(
                        format!("{at}.fail.after_step"),
                        format!("impossible status path: step {k} does not exist (the path has {} steps)", steps.len()),
                    );
                }
            }
            let extra = vocab.as_ref().map(|v| v.failure_codes.clone()).unwrap_or_default();
            let as_error = ErrorAct { code: f.code.clone(), message: None, details: None };
            self.error_code(&[self.static_op(op)], &as_error, &format!("{at}.fail"), &extra);
        }
    }

    fn static_op(&self, op: &str) -> &'static str {
        resolve_operations(self.core, op).into_iter().next().unwrap_or("")
    }

    fn rule(&mut self, r: &RuleSpec, at: &str) {
        let m = &r.matches;
        let ops = match &m.operation {
            Some(p) => self.operations(p, &format!("{at}.match.operation")),
            None => resolve_operations(self.core, "*"),
        };
        if let Some(method) = &m.method {
            if Method::from_bytes(method.to_ascii_uppercase().as_bytes()).is_err() || method.is_empty() {
                self.problem(format!("{at}.match.method"), format!("{method:?} is not an HTTP method"));
            }
        }
        if let Some(path) = &m.path {
            if !path.starts_with('/') {
                self.problem(format!("{at}.match.path"), "a path pattern starts with '/'");
            }
        }
        for name in m.headers.keys() {
            if HeaderName::from_bytes(name.as_bytes()).is_err() {
                self.problem(format!("{at}.match.headers.{name}"), "is not a valid header name");
            }
        }
        if let Some(s) = &r.select {
            self.select(s, &format!("{at}.select"));
        }
        self.act(&r.act, &ops, &format!("{at}.act"));
    }

    fn act(&mut self, a: &ActSpec, ops: &[&'static str], at: &str) {
        let terminals = [a.error.is_some(), a.respond.is_some(), a.drop, a.empty, a.stall];
        let n = terminals.iter().filter(|t| **t).count();
        if n > 1 {
            self.problem(at.to_string(), "give at most one of error, respond, drop, empty, stall");
        }
        if n == 0 && a.latency.is_none() && !a.expire_credential {
            self.problem(
                at.to_string(),
                "does nothing: give latency, expire_credential, error, respond, drop, empty or stall",
            );
        }
        if let Some(e) = &a.error {
            if !ops.is_empty() {
                self.error_code(ops, e, &format!("{at}.error"), &[]);
            }
        }
        if let Some(r) = &a.respond {
            if !(100..=599).contains(&r.status) {
                self.problem(format!("{at}.respond.status"), format!("{} is not an HTTP status", r.status));
            }
            for name in r.headers.keys() {
                if HeaderName::from_bytes(name.as_bytes()).is_err() {
                    self.problem(format!("{at}.respond.headers.{name}"), "is not a valid header name");
                }
            }
        }
        if let Some(l) = &a.latency {
            let at = format!("{at}.latency");
            let shapes = [l.fixed_ms.is_some(), l.uniform_ms.is_some(), l.normal_ms.is_some()];
            if shapes.iter().filter(|s| **s).count() != 1 {
                self.problem(at.clone(), "give exactly one of fixed_ms, uniform_ms, normal_ms");
            }
            if let Some(u) = &l.uniform_ms {
                if u.min > u.max {
                    self.problem(format!("{at}.uniform_ms"), "min is larger than max");
                }
            }
            if let Some(n) = &l.normal_ms {
                if !(n.mean.is_finite() && n.mean >= 0.0) {
                    self.problem(format!("{at}.normal_ms.mean"), "must be zero or positive");
                }
                if !(n.stddev.is_finite() && n.stddev >= 0.0) {
                    self.problem(format!("{at}.normal_ms.stddev"), "must be zero or positive");
                }
            }
        }
    }

    fn limit(&mut self, l: &LimitSpec, at: &str) {
        let ops = self.operations(&l.operation, &format!("{at}.operation"));
        match (l.concurrency, &l.rate) {
            (Some(_), Some(_)) | (None, None) => {
                self.problem(at.to_string(), "give exactly one of concurrency and rate");
            }
            (None, Some(rate)) => {
                if !(rate.per_seconds.is_finite() && rate.per_seconds > 0.0) {
                    self.problem(format!("{at}.rate.per_seconds"), "must be a positive number");
                }
                if l.count == CountMode::Lifecycles {
                    self.problem(format!("{at}.count"), "only a concurrency limit counts lifecycles");
                }
            }
            (Some(_), None) => {}
        }
        if !ops.is_empty() {
            self.error_code(&ops, &l.error, &format!("{at}.error"), &[]);
        }
    }
}
