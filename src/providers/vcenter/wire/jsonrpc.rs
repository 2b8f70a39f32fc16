//! JSON-RPC 2.0 on `POST /api`, as the official Python SDK speaks it: always HTTP 200, credentials in
//! `params.ctx.securityCtx`, values wrapped by the schema.

use hyper::StatusCode;
use serde_json::{json, Value};

use super::normalize::{normalize_input, Mode};
use super::rpc;
use super::{ctx, error_reply, held, output_ty, rpc_error, run, Front};
use crate::core::call::{Call, Reply};
use crate::providers::vcenter::errors::VapiError;
use crate::providers::vcenter::ops::session;
use crate::providers::vcenter::routes;
use crate::providers::vcenter::Vcenter;

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
