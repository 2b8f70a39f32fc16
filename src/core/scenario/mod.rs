//! The scenario engine (docs/scenarios.md): scripted lifecycles, fault rules and limits, loaded from files at
//! start-up or through the admin API at run time.
//!
//! Its hooks into the request path (server.rs): `decide` after the provider has identified the caller (rules:
//! latency, provider errors, drops, stalls), then `admit` around the handler (limits). The lifecycle engine
//! asks `override_lifecycle` about every lifecycle it starts. With no scenario loaded each hook is one atomic
//! load, so the hot path stays as cheap as the bare server.

pub mod actions;
pub mod admin;
pub mod limits;
mod loaded;
pub mod matching;
pub mod model;
pub mod overrides;
pub mod parse;
pub mod selection;
pub mod validate;

use std::cell::RefCell;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use dashmap::DashMap;
use serde_json::Value;
use tokio::sync::watch;

use self::limits::{InFlight, Limit};
use self::loaded::Loaded;
use self::matching::is_admin;
use self::model::{ClockSpec, ScenarioSpec};
use self::parse::Problem;
use super::call::{Call, Reply};
use super::lifecycle::LifecycleSpec;
use super::provider::Handler;
use super::Core;

/// What the scenario rules want done with one request.
#[derive(Debug, Default)]
pub struct Decision {
    /// Names of the rules that acted (`scenario/rule`, comma-separated), for the journal.
    pub rule: Option<String>,
    /// Product time to wait before going on.
    pub latency: Option<Duration>,
    pub action: Action,
}

#[derive(Debug, Default)]
pub enum Action {
    /// Let the handler answer.
    #[default]
    Pass,
    /// Answer with this instead of calling the handler.
    Respond(Reply),
    /// Close the connection without an answer.
    Drop,
    /// Never answer (until the client gives up or the server shuts down).
    Stall,
}

/// The handler's answer under the limits: a limit's refusal (with the limit's name) or the handler's reply,
/// plus the places the request holds in `requests` limits until it is answered.
pub struct Admitted {
    pub reply: Reply,
    pub rule: Option<String>,
    pub inflight: Vec<InFlight>,
}

pub struct Scenarios {
    /// False while nothing is loaded: the hooks return at once.
    any: AtomicBool,
    loaded: RwLock<Arc<Vec<Arc<Loaded>>>>,
    /// Serialises loads, so a replaced scenario and its seed change together.
    loading: Mutex<()>,
    /// Held from a lifecycle limit's count through the handler that may start one (see limits.rs).
    admission: Mutex<()>,
    /// Tenant → group, learned from the lifecycles providers start, for group limits of callers whose
    /// provider does not say (`Provider::group`).
    groups: DashMap<String, String>,
    /// Turns true when the server shuts down: stalled requests and pending latencies end.
    shutdown: watch::Sender<bool>,
}

impl Default for Scenarios {
    fn default() -> Scenarios {
        Scenarios {
            any: AtomicBool::new(false),
            loaded: RwLock::default(),
            loading: Mutex::new(()),
            admission: Mutex::new(()),
            groups: DashMap::new(),
            shutdown: watch::channel(false).0,
        }
    }
}

thread_local! {
    /// Names of the lifecycle overrides applied while a handler runs (handlers are synchronous, so the thread
    /// is the request's), for the request's journal entry.
    static OVERRIDES_IN_HANDLER: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

/// Runs a handler and names the lifecycle overrides that rewrote what it started.
fn run_noting_overrides(handler: &Handler, call: &mut Call) -> (Reply, Option<String>) {
    OVERRIDES_IN_HANDLER.with(|n| *n.borrow_mut() = Some(Vec::new()));
    let reply = handler(call);
    let names = OVERRIDES_IN_HANDLER.with(|n| n.borrow_mut().take()).unwrap_or_default();
    (reply, (!names.is_empty()).then(|| names.join(",")))
}

/// Both rule lists, for the journal.
pub fn join_rules(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(format!("{a},{b}")),
        (a, b) => a.or(b),
    }
}

fn problems_text(origin: &str, problems: &[Problem]) -> String {
    let lines: Vec<String> = problems.iter().map(|p| format!("{origin}: {p}")).collect();
    lines.join("\n")
}

impl Scenarios {
    fn snapshot(&self) -> Arc<Vec<Arc<Loaded>>> {
        self.loaded.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn active(&self, call: &Call) -> bool {
        self.any.load(Ordering::Acquire) && !is_admin(call.operation)
    }

    /// Runs the fault rules, in load order then file order. Rules that only add latency or expire a credential
    /// let later rules act too; the first rule that answers (error, respond, drop, empty, stall) ends the list.
    pub fn decide(&self, core: &Core, call: &Call) -> Decision {
        let mut d = Decision::default();
        if !self.active(call) {
            return d;
        }
        let mut acted: Vec<String> = Vec::new();
        'all: for sc in self.snapshot().iter() {
            for rule in &sc.rules {
                if !rule.matcher.matches(call) || !rule.selector.select(core, sc.loaded_at) {
                    continue;
                }
                rule.hits.fetch_add(1, Ordering::Relaxed);
                acted.push(format!("{}/{}", sc.spec.name, rule.name));
                let before = d.latency.unwrap_or_default();
                let ends = actions::apply(core, call, &rule.spec.act, &mut d);
                let added = d.latency.unwrap_or_default().saturating_sub(before);
                rule.latency_ms.fetch_add(added.as_millis() as u64, Ordering::Relaxed);
                if ends {
                    break 'all;
                }
            }
        }
        if !acted.is_empty() {
            d.rule = Some(acted.join(","));
        }
        d
    }

    /// Runs the handler under the limits that apply to the call; a limit that is full answers with its
    /// provider error instead.
    pub fn admit(&self, core: &Core, call: &mut Call, handler: &Handler) -> Admitted {
        let mut admitted = Admitted { reply: Reply::empty(hyper::StatusCode::OK), rule: None, inflight: Vec::new() };
        if !self.active(call) {
            admitted.reply = handler(call);
            return admitted;
        }
        let list = self.snapshot();
        let applying: Vec<(&Loaded, &Limit)> = list
            .iter()
            .flat_map(|sc| sc.limits.iter().map(move |l| (sc.as_ref(), l)))
            .filter(|(_, l)| l.applies(call))
            .collect();
        if applying.is_empty() {
            (admitted.reply, admitted.rule) = run_noting_overrides(handler, call);
            return admitted;
        }
        let _lock = applying
            .iter()
            .any(|(_, l)| l.counts_lifecycles())
            .then(|| self.admission.lock().unwrap_or_else(|e| e.into_inner()));
        for (sc, limit) in &applying {
            match limit.check(core, call) {
                Ok(token) => admitted.inflight.extend(token),
                Err(_) => {
                    admitted.inflight.clear();
                    admitted.reply = actions::provider_error(core, call, &limit.spec.error);
                    admitted.rule = Some(format!("{}/{}", sc.spec.name, limit.name));
                    return admitted;
                }
            }
        }
        (admitted.reply, admitted.rule) = run_noting_overrides(handler, call);
        admitted
    }

    /// Rewrites a lifecycle's steps or outcome; returns the name of the override that did.
    pub fn override_lifecycle(&self, core: &Core, spec: &mut LifecycleSpec) -> Option<String> {
        if let Some(g) = &spec.group {
            if self.groups.get(&spec.tenant).is_none_or(|known| *known != *g) {
                self.groups.insert(spec.tenant.clone(), g.clone());
            }
        }
        if !self.any.load(Ordering::Acquire) {
            return None;
        }
        for sc in self.snapshot().iter() {
            for o in &sc.overrides {
                if o.apply(core, sc.loaded_at, spec) {
                    let name = format!("{}/{}", sc.spec.name, o.name);
                    OVERRIDES_IN_HANDLER.with(|n| {
                        if let Some(names) = n.borrow_mut().as_mut() {
                            names.push(name.clone());
                        }
                    });
                    return Some(name);
                }
            }
        }
        None
    }

    /// The group a tenant's lifecycles were last started in.
    pub fn group_of(&self, tenant: &str) -> Option<String> {
        self.groups.get(tenant).map(|g| g.clone())
    }

    /// Parses and validates without loading (`mockcloud scenario check`, and the first half of `load`).
    pub fn check(
        core: &Arc<Core>,
        bytes: &[u8],
        default_name: Option<&str>,
        running: bool,
    ) -> Result<ScenarioSpec, Vec<Problem>> {
        let (spec, mut problems) = parse::parse(bytes, default_name);
        if let Some(spec) = &spec {
            // The meaning of what could be read is checked too, so one pass reports every problem.
            problems.extend(validate::validate(core, spec, running));
        }
        match spec {
            Some(spec) if problems.is_empty() => Ok(spec),
            _ => Err(problems),
        }
    }

    /// Validates and loads a scenario, replacing one of the same name in place; a refused scenario changes
    /// nothing. Returns the name it was loaded under.
    pub fn load(&self, core: &Arc<Core>, bytes: &[u8], default_name: Option<&str>) -> Result<String, Vec<Problem>> {
        let spec = Self::check(core, bytes, default_name, true)?;
        let _loading = self.loading.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(seed) = spec.seed {
            core.ids.reseed(seed);
        }
        let name = spec.name.clone();
        let compiled = Arc::new(Loaded::compile(core, spec));
        let mut guard = self.loaded.write().unwrap_or_else(|e| e.into_inner());
        let mut list: Vec<Arc<Loaded>> = guard.as_ref().clone();
        match list.iter().position(|l| l.spec.name == name) {
            Some(i) => list[i] = compiled,
            None => list.push(compiled),
        }
        *guard = Arc::new(list);
        self.any.store(true, Ordering::Release);
        Ok(name)
    }

    /// `--scenario FILE`: the file's stem names a scenario without a `name`.
    pub fn load_file(&self, core: &Arc<Core>, path: &Path) -> Result<(), String> {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let stem = path.file_stem().and_then(|s| s.to_str());
        self.load(core, &bytes, stem).map(|_| ()).map_err(|p| problems_text(&path.display().to_string(), &p))
    }

    /// `mockcloud scenario check FILE`: every problem, one per line, each with its JSON path.
    pub fn check_file(core: &Arc<Core>, path: &Path) -> Result<(), String> {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let stem = path.file_stem().and_then(|s| s.to_str());
        Self::check(core, &bytes, stem, false).map(|_| ()).map_err(|p| problems_text(&path.display().to_string(), &p))
    }

    /// Unloads one scenario; false when no scenario has that name.
    pub fn remove(&self, name: &str) -> bool {
        let _loading = self.loading.lock().unwrap_or_else(|e| e.into_inner());
        let mut guard = self.loaded.write().unwrap_or_else(|e| e.into_inner());
        let mut list: Vec<Arc<Loaded>> = guard.as_ref().clone();
        let before = list.len();
        list.retain(|l| l.spec.name != name);
        let removed = list.len() != before;
        self.any.store(!list.is_empty(), Ordering::Release);
        *guard = Arc::new(list);
        removed
    }

    /// Unloads every scenario; returns how many there were.
    pub fn clear(&self) -> usize {
        let _loading = self.loading.lock().unwrap_or_else(|e| e.into_inner());
        let mut guard = self.loaded.write().unwrap_or_else(|e| e.into_inner());
        let n = guard.len();
        *guard = Arc::new(Vec::new());
        self.any.store(false, Ordering::Release);
        n
    }

    /// Every loaded scenario with its rules' hit counts, or one by name.
    pub fn listing(&self, core: &Core, name: Option<&str>) -> Vec<Value> {
        self.snapshot().iter().filter(|l| name.is_none_or(|n| l.spec.name == n)).map(|l| l.listing(core)).collect()
    }

    /// Called when the server shuts down: stalled requests give up their connection.
    pub fn shut_down(&self) {
        self.shutdown.send_replace(true);
    }

    /// Resolves once the server is shutting down.
    pub async fn until_shutdown(&self) {
        let mut rx = self.shutdown.subscribe();
        let _ = rx.wait_for(|down| *down).await;
    }
}

/// The clock a set of start-up scenario files asks for (they must agree); read before the clock is built.
pub fn clock_from_files(paths: &[std::path::PathBuf]) -> Result<Option<ClockSpec>, String> {
    let mut chosen: Option<(ClockSpec, String)> = None;
    for path in paths {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let Ok(doc) = serde_json::from_slice::<Value>(&bytes) else { continue };
        let Some(clock) = doc.get("clock").filter(|c| !c.is_null()) else { continue };
        let Ok(spec) = serde_json::from_value::<ClockSpec>(clock.clone()) else { continue };
        if let Some((prev, from)) = &chosen {
            if prev.mode != spec.mode || prev.time_scale != spec.time_scale {
                return Err(format!("{}: clock: differs from the clock of {from}", path.display()));
            }
        } else {
            chosen = Some((spec, path.display().to_string()));
        }
    }
    Ok(chosen.map(|(c, _)| c))
}
