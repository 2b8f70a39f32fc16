//! Concurrency and rate limits per tenant, group or globally, answered with the provider's throttling error.
//!
//! Exactness under concurrency: a `lifecycles` limit counts running lifecycles, which the handler creates, so
//! the engine holds one admission lock from the count through the handler (see `Scenarios::admit`); a
//! `requests` limit and a rate limit count and record under their own lock, and an admitted request holds an
//! `InFlight` token until its answer is written.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::super::call::Call;
use super::super::Core;
use super::matching::provider_of;
use super::model::{CountMode, LimitSpec, Scope};

#[derive(Debug, Default)]
struct LimitState {
    /// Requests being answered, per scope key (`requests` concurrency limits).
    inflight: Mutex<HashMap<String, u64>>,
    /// Product ticks of the admitted requests still inside the rate window, per scope key.
    recent: Mutex<HashMap<String, VecDeque<u64>>>,
    admitted: AtomicU64,
    refused: AtomicU64,
}

/// An admitted request's place in a `requests` concurrency limit, given back when dropped.
#[derive(Debug)]
pub struct InFlight {
    state: Arc<LimitState>,
    key: String,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut map = self.state.inflight.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = map.get_mut(&self.key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                map.remove(&self.key);
            }
        }
    }
}

#[derive(Debug)]
pub struct Limit {
    pub name: String,
    pub spec: LimitSpec,
    operations: Vec<&'static str>,
    state: Arc<LimitState>,
}

/// Why a request was refused.
pub struct Refusal;

impl Limit {
    pub fn new(name: String, spec: LimitSpec, operations: Vec<&'static str>) -> Limit {
        Limit { name, spec, operations, state: Arc::default() }
    }

    pub fn applies(&self, call: &Call) -> bool {
        self.operations.contains(&call.operation)
    }

    /// Whether counting needs the engine's admission lock held through the handler.
    pub fn counts_lifecycles(&self) -> bool {
        self.spec.concurrency.is_some() && self.spec.count == CountMode::Lifecycles
    }

    pub fn admitted(&self) -> u64 {
        self.state.admitted.load(Ordering::Relaxed)
    }

    pub fn refused(&self) -> u64 {
        self.state.refused.load(Ordering::Relaxed)
    }

    fn scope_key(&self, core: &Core, call: &Call) -> String {
        let tenant = call.tenant.clone().unwrap_or_default();
        match self.spec.per {
            Scope::Tenant => tenant,
            Scope::Group => core
                .provider(provider_of(call.operation))
                .and_then(|p| p.group(core, call))
                .or_else(|| core.scenarios.group_of(&tenant))
                .unwrap_or(tenant),
            Scope::Global => String::new(),
        }
    }

    /// Counts the call against the limit; Ok with a token to hold while answering, or a refusal.
    pub fn check(&self, core: &Core, call: &Call) -> Result<Option<InFlight>, Refusal> {
        let key = self.scope_key(core, call);
        let result = if let Some(max) = self.spec.concurrency {
            match self.spec.count {
                CountMode::Lifecycles => {
                    let running = core.lifecycles.count_where(|l| {
                        self.operations.contains(&l.operation.as_str())
                            && match self.spec.per {
                                Scope::Tenant => l.tenant == key,
                                Scope::Group => l.group.as_deref().unwrap_or(&l.tenant) == key,
                                Scope::Global => true,
                            }
                    });
                    if (running as u64) < max {
                        Ok(None)
                    } else {
                        Err(Refusal)
                    }
                }
                CountMode::Requests => {
                    let mut map = self.state.inflight.lock().unwrap_or_else(|e| e.into_inner());
                    let n = map.entry(key.clone()).or_insert(0);
                    if *n < max {
                        *n += 1;
                        Ok(Some(InFlight { state: self.state.clone(), key }))
                    } else {
                        Err(Refusal)
                    }
                }
            }
        } else if let Some(rate) = &self.spec.rate {
            let window = (rate.per_seconds * 1000.0).round() as u64;
            let now = core.clock.ticks();
            let mut map = self.state.recent.lock().unwrap_or_else(|e| e.into_inner());
            let log = map.entry(key).or_default();
            while log.front().is_some_and(|t| t + window <= now) {
                log.pop_front();
            }
            if (log.len() as u64) < rate.requests {
                log.push_back(now);
                Ok(None)
            } else {
                Err(Refusal)
            }
        } else {
            Ok(None)
        };
        match &result {
            Ok(_) => self.state.admitted.fetch_add(1, Ordering::Relaxed),
            Err(_) => self.state.refused.fetch_add(1, Ordering::Relaxed),
        };
        result
    }
}
