//! The vAPI operations, protocol-neutral: each takes the normalised (canonical `/rest` JSON) input and answers
//! a canonical result or a std error. The front doors in `wire` decode and encode around them.

pub mod inventory;
pub mod library;
pub mod ovf;
pub mod session;
pub mod update;

use serde_json::Value;

use super::errors::VapiError;
use super::Vcenter;
use crate::core::Core;

/// Who calls and from where.
pub struct Ctx<'a> {
    pub core: &'a Core,
    pub p: &'a Vcenter,
    /// The session's user (the tenant); empty for login.
    pub user: String,
    pub session_id: Option<String>,
    /// Basic-auth or `user_pass` credentials, for login only.
    pub login: Option<(String, String)>,
    /// `scheme://host:port` the client used, for upload URLs.
    pub base_url: String,
    /// The operation id, for idempotency keys.
    pub op_id: &'static str,
}

pub type OpFn = fn(&Ctx, &Value) -> Result<Value, VapiError>;

/// A string field of the input (present when the schema says it is required, as normalisation checked).
pub fn s<'v>(v: &'v Value, field: &str) -> &'v str {
    v.get(field).and_then(Value::as_str).unwrap_or("")
}

pub fn opt_s<'v>(v: &'v Value, field: &str) -> Option<&'v str> {
    v.get(field).and_then(Value::as_str)
}

pub fn strings(v: &Value, field: &str) -> Vec<String> {
    v.get(field)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

pub fn invalid(id: &str, message: impl Into<String>, args: Vec<String>) -> VapiError {
    VapiError::new("invalid_argument", id, message, args)
}

pub fn not_found(id: &str, message: impl Into<String>, arg: &str) -> VapiError {
    VapiError::not_found(id, message, arg)
}

/// Content-library ids are lowercase UUIDs; `client_token`s on create must be UUIDs too.
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

pub fn now(ctx: &Ctx) -> String {
    super::model::vapi_time(ctx.core.clock.now())
}

/// Looks up a stored replay for (user, operation, client token).
pub fn replay(ctx: &Ctx, token: Option<&str>) -> Option<Value> {
    let t = token?;
    ctx.p.replays.get(&ctx.user, &format!("{}#{t}", ctx.op_id)).map(|r| r.result)
}

pub fn remember(ctx: &Ctx, token: Option<&str>, result: &Value) {
    if let Some(t) = token {
        ctx.p.replays.insert(&ctx.user, &format!("{}#{t}", ctx.op_id), super::model::Replay { result: result.clone() });
    }
}
