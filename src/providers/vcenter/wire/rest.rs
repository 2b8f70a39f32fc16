//! `/rest` and the bare `/com/vmware/...` paths: JSON, XML or query-string input; `{"value"}` JSON or
//! `<Op>-Result` XML output; session by header or cookie.

use hyper::StatusCode;
use serde_json::{json, Map, Value};

use super::normalize::Mode;
use super::schema::{Schema, Ty};
use super::{
    caller, error_reply, held, invoke, list_paths, malformed, output_ty, query, unknown_url, wants_xml, xml, Front,
};
use crate::core::call::{Call, Reply};
use crate::providers::vcenter::errors::VapiError;
use crate::providers::vcenter::routes::{self, OpDef};
use crate::providers::vcenter::Vcenter;

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
    let who = caller(p, call, d, true)?;
    let (input, mode) = decode_rest(call, d)?;
    let (v, hold) = invoke(p, call, d, who, input, mode)?;
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
