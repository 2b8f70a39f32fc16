//! The request journal: a bounded ring of what the server answered, newest first, so a test can ask
//! "which calls did my client make, and what did it get?".

use std::collections::VecDeque;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub seq: u64,
    /// Product time when the request arrived.
    pub time: DateTime<Utc>,
    pub method: String,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// `None` for paths no route knows.
    pub operation: Option<&'static str>,
    pub tenant: Option<String>,
    pub status: u16,
    pub latency_ms: f64,
    /// The scenario rule that acted on the request, if any.
    pub rule: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub operation: Option<String>,
    pub status: Option<u16>,
    pub tenant: Option<String>,
    /// Only entries with `seq` greater than this.
    pub since: Option<u64>,
    pub limit: Option<usize>,
}

pub struct Journal {
    capacity: usize,
    ring: Mutex<(u64, VecDeque<Entry>)>,
}

impl Journal {
    pub fn new(capacity: usize) -> Journal {
        Journal { capacity, ring: Mutex::new((0, VecDeque::with_capacity(capacity.min(4096)))) }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Records an entry (its `seq` is assigned here) and returns the seq.
    pub fn record(&self, mut entry: Entry) -> u64 {
        if self.capacity == 0 {
            return 0;
        }
        let mut ring = self.ring.lock().unwrap_or_else(|e| e.into_inner());
        ring.0 += 1;
        entry.seq = ring.0;
        if ring.1.len() == self.capacity {
            ring.1.pop_front();
        }
        ring.1.push_back(entry);
        ring.0
    }

    /// Matching entries, newest first.
    pub fn query(&self, f: &Filter) -> Vec<Entry> {
        let ring = self.ring.lock().unwrap_or_else(|e| e.into_inner());
        ring.1
            .iter()
            .rev()
            .filter(|e| f.operation.as_deref().is_none_or(|o| e.operation == Some(o)))
            .filter(|e| f.status.is_none_or(|s| e.status == s))
            .filter(|e| f.tenant.as_deref().is_none_or(|t| e.tenant.as_deref() == Some(t)))
            .filter(|e| f.since.is_none_or(|s| e.seq > s))
            .take(f.limit.unwrap_or(usize::MAX))
            .cloned()
            .collect()
    }

    pub fn len(&self) -> usize {
        self.ring.lock().unwrap_or_else(|e| e.into_inner()).1.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn clear(&self) -> usize {
        let mut ring = self.ring.lock().unwrap_or_else(|e| e.into_inner());
        let n = ring.1.len();
        ring.1.clear();
        n
    }
}
