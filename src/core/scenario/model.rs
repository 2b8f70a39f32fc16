//! The scenario file format (docs/scenarios.md), as serde reads it. Everything here is plain data; `validate`
//! checks what serde cannot (known operation ids and error codes, possible status paths, ranges) and the
//! engine compiles the result.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Top-level keys a scenario may have; anything else is refused by name.
pub const TOP_LEVEL_KEYS: [&str; 7] = ["name", "description", "seed", "clock", "lifecycles", "rules", "limits"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClockMode {
    Real,
    Virtual,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockSpec {
    pub mode: ClockMode,
    /// Only with the real clock: real seconds per product second (`--time-scale`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_scale: Option<f64>,
}

/// A rewrite of the lifecycles one operation starts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifecycleOverride {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub operation: String,
    /// Only lifecycles started by this tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Which of the matching lifecycles to rewrite (default: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub select: Option<SelectSpec>,
    /// An alternative status path replacing the provider's default one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<StepSpec>>,
    /// New durations by status name, applied to the (default or replaced) path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub durations_ms: Option<BTreeMap<String, u64>>,
    /// End in failure with a provider error instead of succeeding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail: Option<FailSpec>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    pub status: String,
    pub duration_ms: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailSpec {
    /// The provider's own code (`SYS.1006`, `IMPORT_FAILED_TIMEOUT`, ...).
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Fail once this step (0-based index into the path) is over; default: after the last step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_step: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

/// A fault rule: which requests (`match`), which of those (`select`), what happens (`act`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, rename = "match")]
    pub matches: MatchSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub select: Option<SelectSpec>,
    pub act: ActSpec,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchSpec {
    /// An operation id, or a pattern with `*` (`k5.*`, `*.get`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The request path; `*` matches within one segment, `**` across segments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Header name → value pattern (`*` wildcards; `"*"` alone means "present").
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Dotted body field (`source.url`, `items.0.name`) → the JSON value it must equal; a string value may
    /// use `*` wildcards. Form bodies (`a=b&c=d`) are matched by key.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub body: BTreeMap<String, Value>,
}

/// Which of the matching calls a rule acts on; every condition given must hold.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelectSpec {
    /// Only the nth matching call (1-based).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nth: Option<u64>,
    /// The first N matching calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first: Option<u64>,
    /// Every Nth matching call (N, 2N, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<u64>,
    /// Matching calls after the first N.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<u64>,
    /// Drawn from the seeded RNG, in [0, 1].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// Product-clock seconds since the scenario was loaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<WindowSpec>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowSpec {
    #[serde(default)]
    pub from_seconds: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until_seconds: Option<f64>,
}

/// What a rule does. `latency` and `expire_credential` combine with the rest; at most one of `error`,
/// `respond`, `drop`, `empty`, `stall` ends the request.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<LatencySpec>,
    /// Expire the credential the request presented; the handler then answers as for any expired one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub expire_credential: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorAct>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub respond: Option<RawAct>,
    /// Close the connection without answering.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub drop: bool,
    /// Answer 200 with no body at all.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub empty: bool,
    /// Never answer (until the client gives up or the server shuts down).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stall: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorAct {
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAct {
    pub status: u16,
    /// A string is sent as is; any other JSON value is sent as JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
}

/// Exactly one of the three shapes.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatencySpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uniform_ms: Option<UniformMs>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normal_ms: Option<NormalMs>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UniformMs {
    pub min: u64,
    pub max: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NormalMs {
    pub mean: f64,
    pub stddev: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Per tenant (Horizon org, K5 project, ZStack account, vCenter user).
    #[default]
    Tenant,
    /// Per group when the provider has one wider than the tenant (a K5 contract), else per tenant.
    Group,
    /// One count for everybody.
    Global,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CountMode {
    /// Requests of the operation being answered right now.
    #[default]
    Requests,
    /// Running lifecycles the operation started (imports queued or processing).
    Lifecycles,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// An operation id or a pattern with `*`.
    pub operation: String,
    #[serde(default)]
    pub per: Scope,
    /// At most this many at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<u64>,
    /// What `concurrency` counts.
    #[serde(default)]
    pub count: CountMode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<RateSpec>,
    /// The provider's throttling error the refused requests get.
    pub error: ErrorAct,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateSpec {
    pub requests: u64,
    pub per_seconds: f64,
}

/// A whole scenario after parsing (names defaulted, not yet validated against the providers).
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioSpec {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clock: Option<ClockSpec>,
    pub lifecycles: Vec<LifecycleOverride>,
    pub rules: Vec<RuleSpec>,
    pub limits: Vec<LimitSpec>,
    /// Where each element stood in the document (elements serde refused are left out of the lists above).
    #[serde(skip)]
    pub positions: Positions,
}

#[derive(Debug, Clone, Default)]
pub struct Positions {
    pub lifecycles: Vec<usize>,
    pub rules: Vec<usize>,
    pub limits: Vec<usize>,
}
