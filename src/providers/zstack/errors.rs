//! ZStack's ErrorCode: `{"code", "description", "details", "cause"?}`; nulls are left out like the server's Gson.
//! Descriptions are the fixed texts of `conf/errorCodes/*.xml`.

use serde::Serialize;
use serde_json::{json, Value};

pub const CODE_TABLE: &[(&str, &str)] = &[
    ("SYS.1000", "An internal error happened in system"),
    ("SYS.1001", "A message or a operation timeout"),
    ("SYS.1003", "A resource can not be found"),
    ("SYS.1006", "An operation failed"),
    ("SYS.1007", "One or more API argument is invalid"),
    ("VM.1001", "Unable to start a vm"),
    ("VM.1002", "Unable to stop a vm"),
    ("VM.1003", "Unable to reboot a vm"),
    ("VM.1010", "VM is not in state that allows required operation"),
    ("ID.1000", "Unable to authenticate a user"),
    ("ID.1001", "The session is invalid, either wrong session id or the session has been expired"),
    ("ID.1002", "The user doesn't have permission to perform the operation"),
    ("ID.1006", "Max number of active sessions exceeded"),
];

pub fn description_of(code: &str) -> Option<&'static str> {
    CODE_TABLE.iter().find(|(c, _)| *c == code).map(|(_, d)| *d)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorCode {
    pub code: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<Box<ErrorCode>>,
}

impl ErrorCode {
    /// An error from the code table; an unknown code keeps its own text as the description.
    pub fn new(code: &str, details: impl Into<String>) -> Self {
        ErrorCode {
            code: code.to_string(),
            description: description_of(code).unwrap_or(code).to_string(),
            details: Some(details.into()),
            cause: None,
        }
    }

    /// `err(outer, cause, cause.details)`: the outer error repeats the cause's details and nests it.
    pub fn wrap(outer: &str, cause: ErrorCode) -> Self {
        let mut e = ErrorCode::new(outer, cause.details.clone().unwrap_or_default());
        e.cause = Some(Box::new(cause));
        e
    }

    pub fn body(&self) -> Value {
        json!({ "error": self })
    }

    pub fn internal(details: impl Into<String>) -> Self {
        ErrorCode::new("SYS.1000", details)
    }
    pub fn invalid_argument(details: impl Into<String>) -> Self {
        ErrorCode::new("SYS.1007", details)
    }
    pub fn operation_failed(details: impl Into<String>) -> Self {
        ErrorCode::new("SYS.1006", details)
    }

    pub fn resource_not_found(field: &str, uuid: &str, vo: &str) -> Self {
        ErrorCode::new("SYS.1003", format!("invalid field[{field}], resource[uuid:{uuid}, type:{vo}] not found"))
    }

    pub fn mandatory(field: &str, message_class: &str) -> Self {
        ErrorCode::invalid_argument(format!("field[{field}] of message[{message_class}] is mandatory, can not be null"))
    }

    pub fn invalid_session() -> Self {
        ErrorCode::new("ID.1001", "Session expired")
    }

    pub fn bad_login() -> Self {
        ErrorCode::new("ID.1000", "wrong account name or password")
    }

    pub fn too_many_sessions() -> Self {
        ErrorCode::new("ID.1006", "Login sessions hit limit of max allowed concurrent login sessions")
    }
}

/// The error a scenario rule or a lifecycle failure asks for by code: `message` replaces the details, and
/// `details` may carry a nested `{"cause": {"code", "details"}}`.
pub fn from_spec(spec: &crate::core::provider::ErrorSpec) -> ErrorCode {
    let mut e = ErrorCode::new(spec.code, spec.message.unwrap_or_else(|| description_of(spec.code).unwrap_or("")));
    if let Some(cause) = spec.details.and_then(|d| d.get("cause")) {
        if let Some(code) = cause.get("code").and_then(Value::as_str) {
            let details =
                cause.get("details").and_then(Value::as_str).unwrap_or_else(|| description_of(code).unwrap_or(""));
            e.cause = Some(Box::new(ErrorCode::new(code, details)));
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_without_nulls() {
        let e = ErrorCode::invalid_argument("do not change vm image when it's not stopped");
        assert_eq!(
            e.body(),
            json!({"error": {"code": "SYS.1007", "description": "One or more API argument is invalid",
                   "details": "do not change vm image when it's not stopped"}})
        );
    }

    #[test]
    fn wrapping_copies_details() {
        let cause = ErrorCode::new("VM.1010", "current vm instance state[Created] doesn't allow ...");
        let e = ErrorCode::wrap("VM.1002", cause);
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["description"], "Unable to stop a vm");
        assert_eq!(v["details"], v["cause"]["details"]);
        assert_eq!(v["cause"]["code"], "VM.1010");
        assert!(v["cause"].get("cause").is_none());
    }
}
