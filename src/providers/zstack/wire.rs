//! ZStack's REST layer (`RestServer`): how a request body becomes an API message, the headers it checks, and
//! the shapes of its answers. Refusals here are plain text with a status; everything after the REST layer is
//! an ErrorCode (503 for sync APIs, through the job poll for async ones).

use hyper::StatusCode;
use serde_json::{json, Map, Value};

use super::errors::ErrorCode;
use super::query_string::RestError;
use crate::core::call::{Call, Reply};

pub const HEADER_JOB_UUID: &str = "x-job-uuid";
pub const HEADER_API_TIMEOUT: &str = "x-api-timeout";
pub const HEADER_JSON_SCHEMA: &str = "x-json-schema";

/// The action names `PUT /v1/vm-instances/{uuid}/actions` dispatches on, with their operation ids, in the
/// order the emulator looks for them (the real server takes whichever of its APIs it finds first).
pub const VM_ACTIONS: [(&str, &str); 4] = [
    ("stopVmInstance", "zstack.vm.stop"),
    ("startVmInstance", "zstack.vm.start"),
    ("rebootVmInstance", "zstack.vm.reboot"),
    ("changeVmImage", "zstack.vm.changeImage"),
];

pub fn text(status: u16, body: impl Into<String>) -> Reply {
    Reply::text(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), body)
}

/// A REST-layer refusal before it becomes an answer.
pub fn refusal(status: u16, body: impl Into<String>) -> RestError {
    RestError { status, text: body.into() }
}

pub fn rest_error(e: RestError) -> Reply {
    text(e.status, e.text)
}

pub fn ok(value: &Value) -> Reply {
    Reply::json(StatusCode::OK, value).content_type("application/json; charset=utf-8")
}

pub fn accepted(value: &Value) -> Reply {
    Reply::json(StatusCode::ACCEPTED, value).content_type("application/json; charset=utf-8")
}

/// A sync API that ran and failed.
pub fn failed(error: &ErrorCode) -> Reply {
    Reply::json(StatusCode::SERVICE_UNAVAILABLE, &error.body()).content_type("application/json; charset=utf-8")
}

/// The request path as the real server prints it in messages: percent-decoded, without the `/zstack` context.
pub fn api_path(call: &Call) -> String {
    let decoded = percent_encoding::percent_decode_str(&call.path).decode_utf8_lossy().into_owned();
    decoded.strip_prefix("/zstack").unwrap_or(&decoded).to_string()
}

/// The Authorization checks of the REST layer. The session itself is not looked at here.
pub fn session_id(call: &Call) -> Result<String, RestError> {
    let Some(auth) = call.header("authorization") else {
        return Err(refusal(400, "missing header 'Authorization'"));
    };
    let auth = auth.trim();
    if !auth.starts_with("OAuth") {
        return Err(refusal(400, "Authorization type must be 'OAuth'"));
    }
    Ok(auth.replacen("OAuth", "", 1).trim().to_string())
}

/// `X-Job-UUID`: only its length is checked; it becomes the API (and job) id.
pub fn job_uuid_header(call: &Call) -> Result<Option<String>, RestError> {
    match call.headers.get(HEADER_JOB_UUID) {
        None => Ok(None),
        Some(v) => {
            let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
            if v.chars().count() != 32 {
                return Err(refusal(400, "Invalid header[X-Job-UUID], it must be a UUID with '-' stripped"));
            }
            Ok(Some(v))
        }
    }
}

/// `X-API-Timeout` in seconds overrides the API's default timeout; a non-number escapes as Java's
/// NumberFormatException text with a 500.
pub fn api_timeout_ms(call: &Call, default_ms: u64) -> Result<u64, RestError> {
    match call.header(HEADER_API_TIMEOUT) {
        None => Ok(default_ms),
        Some(v) => match v.trim().parse::<u64>() {
            Ok(secs) => Ok(secs.saturating_mul(1000)),
            Err(_) => Err(refusal(500, format!("For input string: \"{v}\""))),
        },
    }
}

/// The body as the server's Gson reads it into a map: not JSON, or JSON that is not an object, escapes as a
/// 500 with the parser's message. An empty body reads as no map at all.
pub fn body_map(call: &Call) -> Result<Option<Map<String, Value>>, RestError> {
    if call.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    match serde_json::from_slice::<Value>(&call.body) {
        Ok(Value::Object(m)) => Ok(Some(m)),
        Ok(Value::Null) => Ok(None),
        Ok(other) => Err(refusal(
            500,
            format!(
                "com.google.gson.JsonSyntaxException: java.lang.IllegalStateException: Expected BEGIN_OBJECT but was {} at line 1 column 1 path $",
                gson_kind(&other)
            ),
        )),
        Err(e) => Err(refusal(500, format!("com.google.gson.JsonSyntaxException: com.google.gson.stream.MalformedJsonException: {e}"))),
    }
}

fn gson_kind(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "BEGIN_ARRAY",
        Value::String(_) => "STRING",
        Value::Number(_) => "NUMBER",
        Value::Bool(_) => "BOOLEAN",
        Value::Null => "NULL",
        Value::Object(_) => "BEGIN_OBJECT",
    }
}

/// The API parameters: the action map (or the `parameterName` map) of the body, type-checked the way Gson
/// fills the message class (strings accept numbers and booleans, lists must be lists of strings).
pub struct ApiParams {
    fields: Map<String, Value>,
    pub system_tags: Vec<String>,
}

impl ApiParams {
    /// A trimmed string field; absent, null and (after trimming) nothing else is None.
    pub fn string(&self, name: &str) -> Option<String> {
        match self.fields.get(name) {
            Some(Value::String(s)) => Some(s.trim().to_string()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(Value::Bool(b)) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn set(&mut self, name: &str, value: &str) {
        self.fields.insert(name.to_string(), Value::String(value.to_string()));
    }
}

/// Reads `body[param_name]` into API parameters. `string_fields` are the message's String fields; tags come
/// from inside the map and are then overridden by the top-level lists (the server applies those afterwards).
pub fn api_params(
    body: Option<&Map<String, Value>>,
    param_name: &str,
    string_fields: &[&str],
) -> Result<ApiParams, RestError> {
    let inner = match body.and_then(|b| b.get(param_name)) {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(other) => {
            return Err(refusal(
                500,
                format!(
                    "com.google.gson.JsonSyntaxException: java.lang.IllegalStateException: Expected BEGIN_OBJECT but was {} at path $",
                    gson_kind(other)
                ),
            ))
        }
    };
    for f in string_fields {
        if let Some(v @ (Value::Array(_) | Value::Object(_))) = inner.get(*f) {
            return Err(refusal(
                500,
                format!(
                    "com.google.gson.JsonSyntaxException: java.lang.IllegalStateException: Expected a string but was {} at path $.{f}",
                    gson_kind(v)
                ),
            ));
        }
    }
    let mut system_tags = string_list(inner.get("systemTags"), "systemTags")?;
    let mut user_tags = string_list(inner.get("userTags"), "userTags")?;
    if let Some(b) = body {
        if let Some(top) = b.get("systemTags").filter(|v| !v.is_null()) {
            system_tags = string_list(Some(top), "systemTags")?;
        }
        if let Some(top) = b.get("userTags").filter(|v| !v.is_null()) {
            user_tags = string_list(Some(top), "userTags")?;
        }
    }
    // User tags are type-checked like the server's Gson does, then dropped: none of these APIs keeps them.
    let _ = user_tags;
    Ok(ApiParams { fields: inner, system_tags })
}

fn string_list(v: Option<&Value>, name: &str) -> Result<Vec<String>, RestError> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => {
            let mut out = Vec::new();
            for item in items {
                match item {
                    Value::String(s) => out.push(s.clone()),
                    Value::Number(n) => out.push(n.to_string()),
                    Value::Bool(b) => out.push(b.to_string()),
                    Value::Null => {}
                    other => {
                        return Err(refusal(
                            500,
                            format!(
                                "com.google.gson.JsonSyntaxException: java.lang.IllegalStateException: Expected a string but was {} at path $.{name}",
                                gson_kind(other)
                            ),
                        ))
                    }
                }
            }
            Ok(out)
        }
        Some(other) => Err(refusal(
            500,
            format!(
                "com.google.gson.JsonSyntaxException: java.lang.IllegalStateException: Expected BEGIN_ARRAY but was {} at path $.{name}",
                gson_kind(other)
            ),
        )),
    }
}

/// The action a PUT body on a shared `/actions` path names.
pub fn vm_action_of(body: &Map<String, Value>) -> Option<(&'static str, &'static str)> {
    VM_ACTIONS.iter().find(|(name, _)| body.contains_key(*name)).copied()
}

/// The 202 of an async API.
pub fn job_location(call: &Call, job_uuid: &str, api_timeout_ms: u64) -> Value {
    json!({
        "location": format!("{}/zstack/v1/api-jobs/{}", call.base_url, job_uuid),
        "apiTimeout": api_timeout_ms,
    })
}
