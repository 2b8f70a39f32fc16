//! What a rule does to a request it selected: add latency, expire the request's credential, and/or end it with
//! a provider error, a raw answer, a dropped connection, an empty answer or a stall.

use std::time::Duration;

use hyper::StatusCode;
use rand::Rng;
use serde_json::Value;

use super::super::call::{Call, Reply};
use super::super::credentials::ExpireFilter;
use super::super::provider::ErrorSpec;
use super::super::Core;
use super::matching::provider_of;
use super::model::{ActSpec, ErrorAct, LatencySpec, RawAct};
use super::{Action, Decision};

/// Draws a latency on the seeded RNG.
pub fn draw_latency(core: &Core, l: &LatencySpec) -> Duration {
    let ms = if let Some(ms) = l.fixed_ms {
        ms as f64
    } else if let Some(u) = &l.uniform_ms {
        core.ids.with_rng(|r| r.gen_range(u.min..=u.max)) as f64
    } else if let Some(n) = &l.normal_ms {
        // Box-Muller: two uniform draws give one standard normal one.
        let (u1, u2) = core.ids.with_rng(|r| (r.gen::<f64>(), r.gen::<f64>()));
        let z = (-2.0 * (1.0 - u1).ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
        n.mean + n.stddev * z
    } else {
        0.0
    };
    Duration::from_millis(ms.max(0.0).round() as u64)
}

/// The provider's own error for a code, rendered for this call by the provider that owns its operation.
pub fn provider_error(core: &Core, call: &Call, e: &ErrorAct) -> Reply {
    let spec = ErrorSpec { code: &e.code, message: e.message.as_deref(), details: e.details.as_ref() };
    core.provider(provider_of(call.operation)).and_then(|p| p.error_reply(&spec, call)).unwrap_or_else(|| {
        // Validation makes this unreachable; answer visibly rather than pretend success.
        super::super::admin::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "scenario_error_unrenderable",
            format!("no provider renders error code {:?} for {}", e.code, call.operation),
        )
    })
}

fn raw_reply(r: &RawAct) -> Reply {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut reply = match &r.body {
        None => Reply::empty(status),
        Some(Value::String(s)) => Reply::text(status, s.clone()),
        Some(v) => Reply::json(status, v),
    };
    for (k, v) in &r.headers {
        if k.eq_ignore_ascii_case("content-type") {
            reply.headers.remove(hyper::header::CONTENT_TYPE);
        }
        reply = reply.header(k, v);
    }
    reply
}

/// Applies an action to the decision; true when it ends the request (later rules are not consulted).
pub fn apply(core: &Core, call: &Call, act: &ActSpec, d: &mut Decision) -> bool {
    if let Some(l) = &act.latency {
        let extra = draw_latency(core, l);
        d.latency = Some(d.latency.unwrap_or_default() + extra);
    }
    if act.expire_credential {
        if let Some(token) = &call.credential {
            core.credentials.expire(&ExpireFilter { token: Some(token.clone()), ..Default::default() });
        }
    }
    let action = if let Some(e) = &act.error {
        Action::Respond(provider_error(core, call, e))
    } else if let Some(r) = &act.respond {
        Action::Respond(raw_reply(r))
    } else if act.drop {
        Action::Drop
    } else if act.empty {
        Action::Respond(Reply::empty(StatusCode::OK))
    } else if act.stall {
        Action::Stall
    } else {
        return false;
    };
    d.action = action;
    true
}
