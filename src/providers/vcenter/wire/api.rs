//! `/api` (7.0 U2+): bare JSON, maps as objects, `?action=`, `Client-Token`, 201/204 status codes.

use hyper::StatusCode;
use serde_json::{Map, Value};

use super::normalize::Mode;
use super::schema::{Schema, Ty};
use super::{api_shape, caller, error_reply, held, invoke, malformed, output_ty, unknown_url, Front};
use crate::core::call::{Call, Reply};
use crate::providers::vcenter::errors::VapiError;
use crate::providers::vcenter::routes::{self, OpDef};
use crate::providers::vcenter::Vcenter;

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
    let who = caller(p, call, d, false)?;
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
    let (v, hold) = invoke(p, call, d, who, input, mode)?;
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
