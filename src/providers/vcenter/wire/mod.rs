//! The three front doors around one operation core: `/rest` (JSON, XML or query string in; JSON or XML out),
//! `/api` (bare JSON, maps as objects) and JSON-RPC on `POST /api` (the Python SDK). Each decodes into the
//! canonical input, runs the operation and encodes the result or the std error its own way.

pub mod api_shape;
pub mod normalize;
pub mod query;
pub mod rpc;
pub mod schema;
pub mod xml;

use base64::Engine;
use hyper::StatusCode;
use serde_json::{json, Map, Value};

use self::normalize::{normalize_input, Mode};
use self::schema::{Schema, Ty};
use super::errors::VapiError;
use super::ops::{self, session, Ctx};
use super::routes::{self, OpDef};
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

// ---------------------------------------------------------------------------------------------- /rest

pub fn rest_handler(p: &Vcenter, call: &mut Call) -> Reply {
    let front = Front::Rest { xml: wants_xml(call) };
    let Some(d) = routes::by_id(call.operation) else { return unknown_url(call) };
    // `?~action=` names the operation: an action this route does not serve is an unknown URL.
    if let Some(a) = call.query_param("~action") {
        if a != d.op.replace('_', "-") {
            return unknown_url(call);
        }
    }
    match rest_inner(p, call, d) {
        Ok(reply) => reply,
        Err(e) => error_reply(&front, &e),
    }
}

fn decode_rest(call: &Call, d: &OpDef) -> Result<(Map<String, Value>, Mode), VapiError> {
    let body = call.body_str();
    let ct = call.content_type().to_ascii_lowercase();
    let query_input = call.query.as_deref().filter(|q| query::has_input(q));
    let lists = list_paths(d);
    let list_refs: Vec<&str> = lists.iter().map(String::as_str).collect();
    if body.trim().is_empty() {
        let v = match query_input {
            Some(q) => query::decode(q, &list_refs)?,
            None => Value::Object(Map::new()),
        };
        return Ok((v.as_object().cloned().unwrap_or_default(), Mode::Stringly));
    }
    let (mut obj, mode) = if ct.contains("xml") {
        match xml::decode(&body)? {
            Value::Object(m) => (m, Mode::Stringly),
            _ => (Map::new(), Mode::Stringly),
        }
    } else if ct.is_empty() || ct.contains("json") {
        match serde_json::from_str::<Value>(&body) {
            Ok(Value::Object(m)) => (m, Mode::Json),
            Ok(_) => {
                return Err(malformed("JSON", "the request body must be a JSON object of the operation parameters"))
            }
            Err(e) => return Err(malformed("JSON", e)),
        }
    } else {
        return Err(VapiError::new(
            "invalid_request",
            "com.vmware.vapi.rest.unsupportedMediaType",
            format!("Unsupported media type '{ct}': use application/json or application/xml."),
            vec![ct.clone()],
        ));
    };
    // Query parameters next to a body (the SDK's GET lists send `{}` with `?library_id=`): plain strings of the
    // operation's own parameters only.
    if let Some(q) = query_input {
        let params: Vec<String> = Schema::get()
            .op(d.service, d.op)
            .map(|o| o.input.iter().map(|(n, _)| n.clone()).collect())
            .unwrap_or_default();
        if let Value::Object(qm) = query::decode(q, &list_refs)? {
            for (k, v) in qm {
                if v.is_string() && params.contains(&k) {
                    obj.entry(k).or_insert(v);
                }
            }
        }
    }
    Ok((obj, mode))
}

fn rest_inner(p: &Vcenter, call: &mut Call, d: &OpDef) -> Result<Reply, VapiError> {
    let xml_out = wants_xml(call);
    let (user, sid, login) = if d.login {
        (String::new(), None, Some(basic_auth(call).ok_or_else(VapiError::unauthenticated)?))
    } else {
        let sid = session_id(call, true);
        let user = session::authenticate(&call.core, p, sid.as_deref())?;
        (user, sid, None)
    };
    if !user.is_empty() {
        call.set_tenant(user.clone());
    }
    let (mut input, mode) = decode_rest(call, d)?;
    merge_params(call, &mut input)?;
    let input = normalize_input(d.service, d.op, &Value::Object(input), mode)?;
    let login_user = login.as_ref().map(|(u, _)| u.trim().to_ascii_lowercase());
    let c = ctx(p, call, d, user, sid, login);
    let (result, hold) = run(d, &c, &input);
    let v = result?;
    if let Some(u) = login_user {
        call.set_tenant(u);
    }
    let mut reply = if output_ty(d) == Ty::Void {
        Reply::empty(StatusCode::OK)
    } else if xml_out {
        Reply::xml(StatusCode::OK, xml::encode_result(d.service, d.op, &v))
    } else {
        Reply::json(StatusCode::OK, &json!({ "value": v }))
    };
    if d.login {
        let header_only = call.header("vmware-use-header-authn").is_some_and(|h| h.trim().eq_ignore_ascii_case("true"));
        if !header_only {
            reply = reply.header(
                "set-cookie",
                &format!("vmware-api-session-id={}; Path=/rest; Secure; HttpOnly", v.as_str().unwrap_or("")),
            );
        }
    }
    Ok(held(reply, hold))
}

// ---------------------------------------------------------------------------------------------- /api

pub fn api_handler(p: &Vcenter, call: &mut Call) -> Reply {
    let Some(d) = routes::by_id(call.operation) else { return unknown_url(call) };
    let d = routes::api_dispatch(d, &call.query_pairs());
    match api_inner(p, call, d) {
        Ok(reply) => reply,
        Err(e) => error_reply(&Front::Api, &e),
    }
}

/// `/api` list filters are flat repeated parameters (`?names=a&names=b`); they fill `filter` when the operation
/// takes one, else the top-level parameters.
fn api_query(call: &Call, d: &OpDef) -> Map<String, Value> {
    let Some(op) = Schema::get().op(d.service, d.op) else { return Map::new() };
    let filter_struct = op.input.iter().find(|(n, _)| n == "filter").and_then(|(_, t)| match t {
        Ty::Opt(i) => match i.as_ref() {
            Ty::Struct(s) => Some(s.clone()),
            _ => None,
        },
        _ => None,
    });
    let fields: Vec<(String, Ty)> = match &filter_struct {
        Some(s) => Schema::get().fields(s).map(|f| f.to_vec()).unwrap_or_default(),
        None => op.input.clone(),
    };
    let mut out = Map::new();
    for (k, v) in call.query_pairs() {
        if k == "action" {
            continue;
        }
        let is_list = fields.iter().find(|(n, _)| *n == k).is_some_and(|(_, t)| {
            matches!(t, Ty::List(_) | Ty::Set(_))
                || matches!(t, Ty::Opt(i) if matches!(i.as_ref(), Ty::List(_) | Ty::Set(_)))
        });
        if is_list {
            match out.entry(k).or_insert_with(|| Value::Array(vec![])) {
                Value::Array(a) => a.push(Value::String(v)),
                other => *other = Value::Array(vec![Value::String(v)]),
            }
        } else {
            out.insert(k, Value::String(v));
        }
    }
    if filter_struct.is_some() && !out.is_empty() {
        let mut m = Map::new();
        m.insert("filter".into(), Value::Object(out));
        return m;
    }
    out
}

fn api_inner(p: &Vcenter, call: &mut Call, d: &OpDef) -> Result<Reply, VapiError> {
    let (user, sid, login) = if d.login {
        (String::new(), None, Some(basic_auth(call).ok_or_else(VapiError::unauthenticated)?))
    } else {
        let sid = session_id(call, false);
        let user = session::authenticate(&call.core, p, sid.as_deref())?;
        (user, sid, None)
    };
    if !user.is_empty() {
        call.set_tenant(user.clone());
    }
    let body = call.body_str();
    let (mut input, mode) = if body.trim().is_empty() {
        (api_query(call, d), Mode::Stringly)
    } else {
        let ct = call.content_type().to_ascii_lowercase();
        if !(ct.is_empty() || ct.contains("json")) {
            return Err(VapiError::new(
                "invalid_request",
                "com.vmware.vapi.rest.unsupportedMediaType",
                format!("Unsupported media type '{ct}': use application/json."),
                vec![ct],
            ));
        }
        let parsed = serde_json::from_str::<Value>(&body).map(|v| match routes::api_body_parameter(d) {
            Some(name) => {
                let mut m = Map::new();
                m.insert(name.to_string(), v);
                Value::Object(m)
            }
            None => v,
        });
        match parsed {
            Ok(Value::Object(mut m)) => {
                for (k, v) in api_query(call, d) {
                    if v.is_string() {
                        m.entry(k).or_insert(v);
                    }
                }
                (m, Mode::Api)
            }
            Ok(_) => return Err(malformed("JSON", "the request body must be a JSON object")),
            Err(e) => return Err(malformed("JSON", e)),
        }
    };
    let takes_token =
        Schema::get().op(d.service, d.op).is_some_and(|o| o.input.iter().any(|(n, _)| n == "client_token"));
    if let (Some(t), true) = (call.header("client-token"), takes_token) {
        input.entry("client_token").or_insert(Value::String(t.to_string()));
    }
    merge_params(call, &mut input)?;
    let input = normalize_input(d.service, d.op, &Value::Object(input), mode)?;
    let login_user = login.as_ref().map(|(u, _)| u.trim().to_ascii_lowercase());
    let c = ctx(p, call, d, user, sid, login);
    let (result, hold) = run(d, &c, &input);
    let v = result?;
    if let Some(u) = login_user {
        call.set_tenant(u);
    }
    let ty = output_ty(d);
    let reply = if ty == Ty::Void {
        Reply::empty(StatusCode::NO_CONTENT)
    } else if d.op == "create" && matches!(ty, Ty::Id | Ty::Secret) {
        Reply::json(StatusCode::CREATED, &v)
    } else {
        Reply::json(StatusCode::OK, &api_shape::to_api(&v, &ty))
    };
    Ok(held(reply, hold))
}

// ---------------------------------------------------------------------------------------------- JSON-RPC

/// The finer operation id of a JSON-RPC call, for the journal and scenario rules.
pub fn rpc_refine(call: &Call) -> Option<&'static str> {
    let v: Value = serde_json::from_slice(&call.body).ok()?;
    let params = v.get("params")?;
    let d = routes::by_service(params.get("serviceId")?.as_str()?, params.get("operationId")?.as_str()?)?;
    Some(d.id)
}

pub fn rpc_handler(p: &Vcenter, call: &mut Call) -> Reply {
    let v: Value = match serde_json::from_slice(&call.body) {
        Ok(v) => v,
        Err(e) => return rpc_error(&Value::Null, -32700, &format!("Parse error: {e}")),
    };
    let id = v.get("id").cloned().unwrap_or(Value::Null);
    let (Some(obj), true) = (v.as_object(), v.get("jsonrpc").and_then(Value::as_str) == Some("2.0")) else {
        return rpc_error(&id, -32600, "Invalid request: not a JSON-RPC 2.0 object.");
    };
    let Some(method) = obj.get("method").and_then(Value::as_str) else {
        return rpc_error(&id, -32600, "Invalid request: no method.");
    };
    if method != "invoke" {
        return rpc_error(&id, -32601, &format!("Method not found: '{method}'."));
    }
    let params = obj.get("params").cloned().unwrap_or(Value::Null);
    let (Some(service), Some(op), Some(raw_input)) = (
        params.get("serviceId").and_then(Value::as_str),
        params.get("operationId").and_then(Value::as_str),
        params.get("input"),
    ) else {
        return rpc_error(&id, -32602, "Invalid params: serviceId, operationId and input are required.");
    };
    if call.header("vapi-service").is_some_and(|h| h != service)
        || call.header("vapi-operation").is_some_and(|h| h != op)
    {
        return rpc_error(&id, -31001, "Mismatching operation identifier in HTTP header and payload");
    }
    let front = Front::Rpc { id: id.clone() };
    let Some(d) = routes::by_service(service, op) else {
        let e = if routes::OPS.iter().any(|d| d.service == service) {
            VapiError::new(
                "operation_not_found",
                "vapi.method.input.invalid.method",
                format!("Cannot find operation '{op}' in service '{service}'."),
                vec![op.into(), service.into()],
            )
        } else {
            VapiError::new(
                "operation_not_found",
                "vapi.method.input.invalid.interface",
                format!("Cannot find service '{service}'."),
                vec![service.into()],
            )
        };
        return error_reply(&front, &e);
    };
    let sec = params.get("ctx").and_then(|c| c.get("securityCtx")).cloned().unwrap_or(Value::Null);
    let result = (|| -> Result<(Value, Option<u64>), VapiError> {
        let (user, sid, login) = if d.login {
            let u = sec.get("userName").and_then(Value::as_str);
            let pw = sec.get("password").and_then(|p| p.as_str().or_else(|| p.get("SECRET").and_then(Value::as_str)));
            match (u, pw) {
                (Some(u), Some(pw)) => (String::new(), None, Some((u.to_string(), pw.to_string()))),
                _ => return Err(VapiError::unauthenticated()),
            }
        } else {
            let sid = sec.get("sessionId").and_then(Value::as_str).map(str::to_string);
            (session::authenticate(&call.core, p, sid.as_deref())?, sid, None)
        };
        if !user.is_empty() {
            call.set_tenant(user.clone());
        }
        let input = normalize_input(d.service, d.op, &rpc::unwrap(raw_input), Mode::Json)?;
        let c = ctx(p, call, d, user, sid, login);
        let (r, hold) = run(d, &c, &input);
        Ok((r?, hold))
    })();
    match result {
        Ok((v, hold)) => held(
            Reply::json(
                StatusCode::OK,
                &json!({"jsonrpc": "2.0", "id": id, "result": {"output": rpc::wrap(&v, &output_ty(d))}}),
            ),
            hold,
        ),
        Err(e) => error_reply(&front, &e),
    }
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
