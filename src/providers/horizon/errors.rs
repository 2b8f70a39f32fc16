//! Horizon's error format and code table.
//!
//! The API documents every error as `ErrorResponse` without showing its fields, and the backend is Spring, so
//! errors are Spring's default body plus an UPPER_SNAKE `code` (hcs-cli looks for such codes in error text).
//! The CSP token endpoints answer with their own `CspErrorResponse` instead.

use hyper::StatusCode;
use serde_json::{json, Value};

use crate::core::call::{Call, Reply};

/// One refused API request: status, code, message. Rendered by `reply`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: &'static str, message: impl Into<String>) -> ApiError {
        let status = status_of(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        ApiError { status, code, message: message.into() }
    }

    pub fn reply(&self, call: &Call) -> Reply {
        render(self.status, self.code, &self.message, call)
    }
}

/// Every API error code, its status and its default message (the documented description where there is one).
pub const CODES: &[(&str, u16, &str)] = &[
    ("MALFORMED_REQUEST", 400, "Malformed JSON request"),
    ("INVALID_FIELD", 400, "Invalid field type"),
    ("INVALID_ENUM_VALUE", 400, "Invalid enum value"),
    ("MISSING_FIELD", 400, "Mandatory field is missing"),
    ("INVALID_ACTION", 400, "Unsupported action"),
    ("INVALID_VERSION_SOURCE", 400, "Invalid versionSource"),
    ("SOURCE_TYPE_ACTION_MISMATCH", 400, "Source type does not match the action"),
    ("INVALID_PROVIDER_INSTANCE", 400, "Provider instance is not valid for this org"),
    (
        "UNSUPPORTED_SOURCE_TYPE",
        400,
        "Add version is allowed only for an image having source type AZURE_SIG or AZURE_CUSTOM_VM",
    ),
    ("UNSUPPORTED_VERSION_TYPE", 400, "Only MAJOR and MINOR version types are supported"),
    ("GPU_TYPE_MISMATCH", 400, "gpuType must match the GPU type of the image"),
    ("OS_TYPE_MISMATCH", 400, "osType must match the OS type of the image"),
    ("SOURCE_VERSION_REQUIRED", 400, "sourceVersionId is needed when versionType is MINOR"),
    ("INVALID_SEARCH", 400, "Invalid search expression"),
    ("INVALID_PARAMETER", 400, "Invalid request parameter"),
    ("UNSUPPORTED_PROVIDER", 400, "Bad request - unsupported provider type"),
    ("UNAUTHORIZED", 401, "Full authentication is required to access this resource"),
    ("INVALID_TOKEN", 401, "Access token is invalid or expired"),
    ("FORBIDDEN", 403, "Access is denied"),
    ("IMAGE_NOT_FOUND", 404, "Image is not found for given imageId"),
    ("VERSION_NOT_FOUND", 404, "Version is not found for given imageId and versionId"),
    ("COPY_NOT_FOUND", 404, "Image copy is not found"),
    ("MARKER_NOT_FOUND", 404, "Marker is not found"),
    ("NOT_FOUND", 404, "No handler found"),
    ("METHOD_NOT_ALLOWED", 405, "Request method is not supported"),
    ("IMAGE_NAME_ALREADY_EXISTS", 409, "An image with this name already exists in the org"),
    ("IMAGE_OPERATION_IN_PROGRESS", 409, "Another operation is in progress on the image"),
    ("VERSION_IN_USE", 409, "Template in admin is using version"),
    ("PRECONDITION_FAILED", 412, "Precondition failed"),
    ("PAYLOAD_TOO_LARGE", 413, "Request body is too large"),
    ("VERSION_DELETE_NOT_ALLOWED", 422, "Current version status is not allowed for deletion"),
    ("REPUBLISH_DEPENDENCY_FAILED", 424, "Failed Dependency for Republish"),
    ("ADD_VERSION_SUBMIT_FAILED", 500, "Failed to submit add version request"),
    ("CREATE_IMAGE_SUBMIT_FAILED", 500, "Failed to submit create image catalog request"),
    ("PUBLISH_SUBMIT_FAILED", 500, "Failed to submit Image publish request"),
    ("REPUBLISH_SUBMIT_FAILED", 500, "Failed to submit Image republish request"),
    ("DELETE_FAILED", 500, "Failed to delete Version from DB"),
    ("INTERNAL_ERROR", 500, "Internal server error"),
    ("SERVICE_UNAVAILABLE", 503, "Service temporarily unavailable"),
];

pub fn status_of(code: &str) -> Option<StatusCode> {
    CODES.iter().find(|(c, _, _)| *c == code).and_then(|(_, s, _)| StatusCode::from_u16(*s).ok())
}

pub fn default_message(code: &str) -> Option<&'static str> {
    CODES.iter().find(|(c, _, _)| *c == code).map(|(_, _, m)| *m)
}

/// Spring's error body with the code added. `path` is the request path without the query, as Spring prints it.
pub fn render(status: StatusCode, code: &str, message: &str, call: &Call) -> Reply {
    let body = json!({
        "timestamp": super::wire::timestamp(&call.core),
        "status": status.as_u16(),
        "error": status.canonical_reason().unwrap_or("Error"),
        "code": code,
        "message": message,
        "path": call.path,
    });
    let reply = Reply::json(status, &body);
    if status == StatusCode::UNAUTHORIZED {
        reply.header("www-authenticate", "Bearer realm=\"horizon\"")
    } else {
        reply
    }
}

/// CSP's error shape for the token endpoints. hcs-cli prints the raw body of a non-2xx answer.
pub fn csp_error(status: StatusCode, csp_code: &str, message: &str, call: &Call) -> Reply {
    let request_id = hex::encode(call.core.ids.bytes::<8>());
    let body: Value = json!({
        "statusCode": status.as_u16(),
        "moduleCode": 511,
        "errorCode": format!("511.{}", status.as_u16()),
        "cspErrorCode": csp_code,
        "message": message,
        "requestId": request_id,
    });
    Reply::json(status, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_valid_status_and_is_unique() {
        for (i, (code, status, _)) in CODES.iter().enumerate() {
            assert!(StatusCode::from_u16(*status).is_ok(), "{code}");
            assert!(CODES[i + 1..].iter().all(|(c, _, _)| c != code), "duplicate {code}");
        }
        assert_eq!(status_of("VERSION_DELETE_NOT_ALLOWED"), Some(StatusCode::UNPROCESSABLE_ENTITY));
        assert_eq!(status_of("nope"), None);
    }
}
