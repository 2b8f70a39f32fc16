//! The vAPI standard error, and how each protocol spells it.

use serde_json::{json, Value};

/// A vAPI standard error (`com.vmware.vapi.std.errors.<kind>`), protocol-neutral.
#[derive(Debug, Clone, PartialEq)]
pub struct VapiError {
    /// Short name: `not_found`, `invalid_argument`, ...
    pub kind: &'static str,
    pub id: String,
    pub message: String,
    pub args: Vec<String>,
}

impl VapiError {
    pub fn new(kind: &'static str, id: &str, message: impl Into<String>, args: Vec<String>) -> Self {
        VapiError { kind, id: id.to_string(), message: message.into(), args }
    }
    pub fn invalid_argument(id: &str, message: impl Into<String>) -> Self {
        Self::new("invalid_argument", id, message, vec![])
    }
    pub fn not_found(id: &str, message: impl Into<String>, arg: &str) -> Self {
        Self::new("not_found", id, message, vec![arg.to_string()])
    }
    pub fn unauthenticated() -> Self {
        Self::new(
            "unauthenticated",
            "com.vmware.vapi.endpoint.method.authentication.required",
            "Authentication required.",
            vec![],
        )
    }

    /// `error_type` enum value: the kind in upper case.
    pub fn error_type(&self) -> String {
        self.kind.to_ascii_uppercase()
    }

    pub fn class(&self) -> String {
        format!("com.vmware.vapi.std.errors.{}", self.kind)
    }

    /// HTTP status of this error on `/rest` and `/api` (Go runtime `HttpStatusCodes.go`).
    pub fn status(&self) -> u16 {
        status_of(self.kind)
    }

    fn message_json(&self) -> Value {
        json!({"args": self.args, "default_message": self.message, "id": self.id})
    }

    /// The std error structure as `/api` prints it, and as `/rest` nests it under `value`.
    pub fn api_body(&self) -> Value {
        json!({"error_type": self.error_type(), "messages": [self.message_json()]})
    }

    pub fn rest_body(&self) -> Value {
        json!({"type": self.class(), "value": self.api_body()})
    }

    /// The canonical (dynamic structure) form used inside OVF results: `@class` plus the std fields.
    pub fn as_dynamic(&self) -> Value {
        json!({"@class": self.class(), "error_type": self.error_type(), "messages": [self.message_json()]})
    }

    /// JSON-RPC `ERROR` wrapper, every optional present and wrapped.
    pub fn rpc_value(&self) -> Value {
        json!({"ERROR": {self.class(): {
            "messages": [{"STRUCTURE": {"com.vmware.vapi.std.localizable_message": {
                "id": self.id, "default_message": self.message, "args": self.args,
                "params": {"OPTIONAL": null}, "localized": {"OPTIONAL": null}}}}],
            "data": {"OPTIONAL": null},
            "error_type": {"OPTIONAL": self.error_type()}
        }}})
    }
}

pub fn status_of(kind: &str) -> u16 {
    match kind {
        "already_exists"
        | "already_in_desired_state"
        | "feature_in_use"
        | "invalid_argument"
        | "invalid_element_configuration"
        | "invalid_element_type"
        | "invalid_request"
        | "not_allowed_in_current_state"
        | "resource_busy"
        | "resource_in_use"
        | "resource_inaccessible"
        | "unable_to_allocate_resource"
        | "unsupported" => 400,
        "unauthenticated" => 401,
        "unauthorized" => 403,
        "not_found" | "operation_not_found" => 404,
        "concurrent_change" => 409,
        "service_unavailable" => 503,
        "timed_out" => 504,
        _ => 500,
    }
}

/// Every std error a scenario may ask for, by short name (`com.vmware.vapi.std.errors.` prefix optional).
pub const KINDS: &[&str] = &[
    "already_exists",
    "already_in_desired_state",
    "canceled",
    "concurrent_change",
    "error",
    "feature_in_use",
    "internal_server_error",
    "invalid_argument",
    "invalid_element_configuration",
    "invalid_element_type",
    "invalid_request",
    "not_allowed_in_current_state",
    "not_found",
    "operation_not_found",
    "resource_busy",
    "resource_in_use",
    "resource_inaccessible",
    "service_unavailable",
    "timed_out",
    "unable_to_allocate_resource",
    "unauthenticated",
    "unauthorized",
    "unexpected_input",
    "unsupported",
    "unverified_peer",
];

/// Maps a std error class or short name given by a user (scenario rule) to the short name, if it is one.
pub fn known_kind(name: &str) -> Option<&'static str> {
    let short = name.strip_prefix("com.vmware.vapi.std.errors.").unwrap_or(name);
    KINDS.iter().copied().find(|k| k.eq_ignore_ascii_case(short))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_the_runtime_table() {
        assert_eq!(status_of("resource_inaccessible"), 400);
        assert_eq!(status_of("unauthorized"), 403);
        assert_eq!(status_of("operation_not_found"), 404);
        assert_eq!(status_of("canceled"), 500);
        assert_eq!(status_of("timed_out"), 504);
    }

    #[test]
    fn rest_body_wraps_the_std_structure() {
        let e = VapiError::not_found("x.id", "Nope.", "item-1");
        let b = e.rest_body();
        assert_eq!(b["type"], "com.vmware.vapi.std.errors.not_found");
        assert_eq!(b["value"]["error_type"], "NOT_FOUND");
        assert_eq!(b["value"]["messages"][0]["args"][0], "item-1");
        assert_eq!(known_kind("com.vmware.vapi.std.errors.Not_Found"), Some("not_found"));
    }
}
