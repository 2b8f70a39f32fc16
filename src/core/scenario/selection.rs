//! Which of the matching calls a rule acts on. Each matching call takes a unique number from an atomic
//! counter, so `nth`, `first`, `every` and `after` are exact however many requests race; the probability is
//! drawn from the seeded RNG only when every other condition holds, so a fixed seed gives the same draws.

use std::sync::atomic::{AtomicU64, Ordering};

use super::super::Core;
use super::model::SelectSpec;

#[derive(Debug, Default)]
pub struct Selector {
    spec: SelectSpec,
    /// How many calls matched so far.
    matched: AtomicU64,
}

impl Selector {
    pub fn new(spec: Option<&SelectSpec>) -> Selector {
        Selector { spec: spec.cloned().unwrap_or_default(), matched: AtomicU64::new(0) }
    }

    pub fn matched(&self) -> u64 {
        self.matched.load(Ordering::Relaxed)
    }

    /// Counts one matching call and says whether the rule acts on it. `loaded_at` is the product tick the
    /// scenario was loaded at (time windows are relative to it).
    pub fn select(&self, core: &Core, loaded_at: u64) -> bool {
        let s = &self.spec;
        if let Some(w) = &s.window {
            let since = core.clock.ticks().saturating_sub(loaded_at) as f64 / 1000.0;
            if since < w.from_seconds || w.until_seconds.is_some_and(|u| since >= u) {
                return false;
            }
        }
        let n = self.matched.fetch_add(1, Ordering::AcqRel) + 1;
        let counted = s.nth.is_none_or(|k| n == k)
            && s.first.is_none_or(|k| n <= k)
            && s.every.is_none_or(|k| k > 0 && n.is_multiple_of(k))
            && s.after.is_none_or(|k| n > k);
        counted && s.probability.is_none_or(|p| p >= 1.0 || (p > 0.0 && core.ids.unit() < p))
    }
}
