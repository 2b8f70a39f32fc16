//! The three front doors around one operation core: `/rest` (JSON, XML or query string in; JSON or XML out),
//! `/api` (bare JSON, maps as objects) and JSON-RPC on `POST /api` (the Python SDK). Each decodes into the
//! canonical input, runs the operation and encodes the result or the std error its own way.

mod api;
pub mod api_shape;
mod jsonrpc;
pub mod normalize;
pub mod query;
mod rest;
pub mod rpc;
pub mod schema;
pub mod xml;

pub use self::api::api_handler;
pub use self::jsonrpc::{rpc_handler, rpc_refine};
pub use self::rest::rest_handler;

use base64::Engine;
use hyper::StatusCode;
use serde_json::{json, Map, Value};

use self::schema::{Schema, Ty};
use super::errors::VapiError;
use super::ops::{self, session, Ctx};
use super::routes::OpDef;
use super::Vcenter;
use crate::core::call::{Call, Reply};

/// Which protocol a request speaks, as far as errors are concerned.
pub enum Front {
    Rest { xml: bool },
    Api,
    Rpc { id: Value },
}

pub fn front_of(call: &Call) -> Front {
    if (call.path == "/api" || call.path == "/api/") && call.method == hyper::Method::POST {
        let id =
            serde_json::from_slice::<Value>(&call.body).ok().and_then(|v| v.get("id").cloned()).unwrap_or(Value::Null);
        Front::Rpc { id }
    } else if call.path == "/api" || call.path.starts_with("/api/") {
        Front::Api
    } else {
        Front::Rest { xml: wants_xml(call) }
    }
}

fn wants_xml(call: &Call) -> bool {
    let accept = call.header("accept").unwrap_or("").to_ascii_lowercase();
    let xml = accept.find("application/xml").or_else(|| accept.find("text/xml"));
    let json = accept.find("application/json");
    matches!((xml, json), (Some(x), None) | (Some(x), Some(_)) if json.is_none_or(|j| x < j))
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// A std error in the caller's protocol.
pub fn error_reply(front: &Front, e: &VapiError) -> Reply {
    match front {
        Front::Rest { xml: true } => Reply::xml(status(e.status()), xml::encode_error(&e.rest_body())),
        Front::Rest { xml: false } => Reply::json(status(e.status()), &e.rest_body()),
        Front::Api => Reply::json(status(e.status()), &e.api_body()),
        Front::Rpc { id } => {
            Reply::json(StatusCode::OK, &json!({"jsonrpc": "2.0", "id": id, "result": {"error": e.rpc_value()}}))
        }
    }
}

/// The unknown-URL answer of each protocol (real bodies, reference §9).
pub fn unknown_url(call: &Call) -> Reply {
    match front_of(call) {
        Front::Rpc { id } => rpc_error(&id, -32600, "Invalid request: JSON-RPC calls are POST /api."),
        Front::Api => Reply::json(
            StatusCode::NOT_FOUND,
            &json!({"error_type": "NOT_FOUND", "messages": [{"args": [], "default_message": "Not found.", "id": "com.vmware.vapi.rest.httpNotFound"}]}),
        ),
        Front::Rest { .. } => {
            let path = call.path.strip_prefix("/rest").unwrap_or(&call.path);
            Reply::json(
                StatusCode::NOT_FOUND,
                &json!({"type": "com.vmware.vapi.std.errors.not_found", "value": {"error_type": "NOT_FOUND", "messages": [{"args": [path],
                    "default_message": format!("Unable to find operations for URL: {path}."), "id": "com.vmware.vapi.rest.operationsForUrlNotFound"}]}}),
            )
        }
    }
}

fn rpc_error(id: &Value, code: i64, message: &str) -> Reply {
    Reply::json(StatusCode::OK, &json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}}))
}

fn malformed(what: &str, detail: impl std::fmt::Display) -> VapiError {
    VapiError::new(
        "invalid_argument",
        "vapi.rest.request.malformed",
        format!("Invalid {what} in request body: {detail}"),
        vec![detail.to_string()],
    )
}

/// Session id from the header, or on `/rest` from the cookie.
pub fn session_id(call: &Call, cookie_ok: bool) -> Option<String> {
    if let Some(h) = call.header("vmware-api-session-id").filter(|s| !s.trim().is_empty()) {
        return Some(h.trim().to_string());
    }
    if !cookie_ok {
        return None;
    }
    call.headers.get_all("cookie").iter().filter_map(|v| v.to_str().ok()).flat_map(|c| c.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == "vmware-api-session-id").then(|| v.trim().to_string())
    })
}

fn basic_auth(call: &Call) -> Option<(String, String)> {
    let h = call.header("authorization")?;
    let (scheme, b64) = h.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD.decode(b64.trim()).ok()?;
    let s = String::from_utf8(raw).ok()?;
    let (u, p) = s.split_once(':')?;
    Some((u.to_string(), p.to_string()))
}

/// The output type of an operation.
fn output_ty(d: &OpDef) -> Ty {
    Schema::get().op(d.service, d.op).map(|o| o.output.clone()).unwrap_or(Ty::Void)
}

/// Dotted paths of list-typed input fields (two levels), so an unindexed `filter.names=x` is a list.
fn list_paths(d: &OpDef) -> Vec<String> {
    let mut out = vec![];
    let Some(op) = Schema::get().op(d.service, d.op) else { return out };
    fn strip(t: &Ty) -> &Ty {
        match t {
            Ty::Opt(i) => strip(i),
            t => t,
        }
    }
    for (name, ty) in &op.input {
        match strip(ty) {
            Ty::List(_) | Ty::Set(_) => out.push(name.clone()),
            Ty::Struct(s) => {
                for (f, fty) in Schema::get().fields(s).unwrap_or(&[]) {
                    if matches!(strip(fty), Ty::List(_) | Ty::Set(_)) {
                        out.push(format!("{name}.{f}"));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Adds the path variables to the input; the same parameter given differently in the body is refused.
fn merge_params(call: &Call, input: &mut Map<String, Value>) -> Result<(), VapiError> {
    for (name, value) in &call.params {
        match input.get(*name) {
            Some(Value::String(v)) if v != value => {
                return Err(VapiError::invalid_argument(
                    "com.vmware.vapi.rest.parameter.conflict",
                    format!("Parameter '{name}' is '{value}' in the URL and '{v}' in the request."),
                ))
            }
            _ => {
                input.insert(name.to_string(), Value::String(value.clone()));
            }
        }
    }
    Ok(())
}

/// Runs an operation; deploy also says how long to hold the answer.
fn run(d: &OpDef, ctx: &Ctx, input: &Value) -> (Result<Value, VapiError>, Option<u64>) {
    if d.id == "vcenter.ovf.deploy" {
        match ops::ovf::deploy_held(ctx, input) {
            Ok(x) => (Ok(x.result), x.hold_ms),
            Err(e) => (Err(e), None),
        }
    } else {
        ((d.run)(ctx, input), None)
    }
}

fn held(reply: Reply, hold_ms: Option<u64>) -> Reply {
    match hold_ms {
        Some(ms) => reply.hold(std::time::Duration::from_millis(ms)),
        None => reply,
    }
}

/// Who calls: a login operation carries Basic credentials, every other one a live session.
struct Caller {
    user: String,
    session_id: Option<String>,
    login: Option<(String, String)>,
}

/// Identifies the caller the same way on `/api` and `/rest` (only `/rest` also reads the session cookie), and
/// makes a session's user the tenant before the input is even decoded, so the journal names it on bad input.
fn caller(p: &Vcenter, call: &mut Call, d: &OpDef, cookie_ok: bool) -> Result<Caller, VapiError> {
    if d.login {
        let login = basic_auth(call).ok_or_else(VapiError::unauthenticated)?;
        return Ok(Caller { user: String::new(), session_id: None, login: Some(login) });
    }
    let sid = session_id(call, cookie_ok);
    let user = session::authenticate(&call.core, p, sid.as_deref())?;
    if !user.is_empty() {
        call.set_tenant(user.clone());
    }
    Ok(Caller { user, session_id: sid, login: None })
}

/// What `/api` and `/rest` do once the input is decoded: add path variables, normalize, run the operation, and
/// after a successful login make the new session's user the tenant. Returns the result and how long to hold it.
fn invoke(
    p: &Vcenter,
    call: &mut Call,
    d: &OpDef,
    who: Caller,
    mut input: Map<String, Value>,
    mode: normalize::Mode,
) -> Result<(Value, Option<u64>), VapiError> {
    merge_params(call, &mut input)?;
    let input = normalize::normalize_input(d.service, d.op, &Value::Object(input), mode)?;
    let login_user = who.login.as_ref().map(|(u, _)| u.trim().to_ascii_lowercase());
    let c = ctx(p, call, d, who.user, who.session_id, who.login);
    let (result, hold) = run(d, &c, &input);
    let v = result?;
    if let Some(u) = login_user {
        call.set_tenant(u);
    }
    Ok((v, hold))
}

fn ctx<'a>(
    p: &'a Vcenter,
    call: &'a Call,
    d: &OpDef,
    user: String,
    sid: Option<String>,
    login: Option<(String, String)>,
) -> Ctx<'a> {
    Ctx { core: &call.core, p, user, session_id: sid, login, base_url: call.base_url.clone(), op_id: d.id }
}

// ---------------------------------------------------------------------------------------------- upload

pub fn upload_handler(p: &Vcenter, call: &mut Call) -> Reply {
    let slot = call.param("slot").to_string();
    let front = Front::Rest { xml: false };
    if !ops::update::valid_slot(&slot) {
        return unknown_url(call);
    }
    match ops::update::upload(p, &slot, &call.body) {
        Ok(()) => Reply::empty(StatusCode::OK),
        Err(e) => error_reply(&front, &e),
    }
}
