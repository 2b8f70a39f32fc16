//! The four error formats K5 speaks: Keystone's JSON envelope, Swift's small HTML pages, the import API's
//! `{"error_code","message"}` (export: `error_message`), and Glance's webob bodies.

use hyper::StatusCode;
use serde_json::json;

use crate::core::call::Reply;

use super::wire::import_request::ImportError;

/// Compact one-line JSON ending in a newline: K5 shell samples keep only the last output line and feed it to jq.
pub fn json_line(status: StatusCode, v: &(impl serde::Serialize + ?Sized)) -> Reply {
    let mut body = serde_json::to_vec(v).unwrap_or_else(|_| b"{}".to_vec());
    body.push(b'\n');
    Reply::new(status).body(body).content_type("application/json")
}

pub const AUTH_REQUIRED: &str = "The request you have made requires authentication.";

fn title(status: StatusCode) -> &'static str {
    status.canonical_reason().unwrap_or("Error")
}

/// Keystone's `{"error":{"code","title","message"}}`; a 401 also names the identity endpoint.
pub fn keystone(status: StatusCode, message: &str, base_url: &str) -> Reply {
    let body = json!({"error": {"code": status.as_u16(), "title": title(status), "message": message}});
    let r = json_line(status, &body);
    if status == StatusCode::UNAUTHORIZED {
        r.header("WWW-Authenticate", &format!("Keystone uri=\"{base_url}/v3\""))
    } else {
        r
    }
}

pub fn unauthorized(base_url: &str) -> Reply {
    keystone(StatusCode::UNAUTHORIZED, AUTH_REQUIRED, base_url)
}

/// Swift's HTML error page for a status, as `swob` writes it.
pub fn swift(status: StatusCode) -> Reply {
    let text = match status.as_u16() {
        400 => "The server could not comply with the request since it is either malformed or otherwise incorrect.",
        401 => "This server could not verify that you are authorized to access the document you requested.",
        403 => "Access was denied to this resource.",
        404 => "The resource could not be found.",
        405 => "The method is not allowed for this resource.",
        409 => "There was a conflict when trying to complete your request.",
        411 => "Length Required",
        412 => "A precondition for this request was not met.",
        413 => "The body of your request was too large for this server.",
        416 => "The Range requested is not available.",
        422 => "Unable to process the contained instructions",
        503 => "The server is currently unavailable. Please try again at a later time.",
        _ => "The server has either erred or is incapable of performing the requested operation.",
    };
    Reply::html(status, format!("<html><h1>{}</h1><p>{text}</p></html>", title(status)))
}

/// Swift's plain-text 4xx answers (bad names, bad manifests, bad listing parameters).
pub fn swift_text(status: StatusCode, text: impl Into<String>) -> Reply {
    Reply::text(status, text)
}

/// An error of the register/status/list import API.
pub fn import(e: ImportError) -> Reply {
    json_line(StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST), &e.body())
}

/// An import-API error that is not in the register table (list query errors, unknown import id).
pub fn import_other(status: StatusCode, code: &str, message: &str) -> Reply {
    json_line(status, &json!({"error_code": code, "message": message}))
}

/// Export API errors use `error_message`.
pub fn export(status: StatusCode, code: &str, message: &str) -> Reply {
    json_line(status, &json!({"error_code": code, "error_message": message}))
}

/// The export API's code table: (code, status, message).
pub const EXPORT_CODES: [(&str, u16, &str); 12] = [
    ("40001", 400, "Required parameter 'image_id' is not specified."),
    ("40002", 400, "Parameter 'image_id' has invalid value."),
    ("40003", 400, "Required parameter 'storage_container' is not specified."),
    ("40004", 400, "Parameter 'storage_container' has invalid value."),
    ("40005", 400, "Project id does not exist."),
    ("40010", 400, "Export_id is already accepted cancelling."),
    ("40013", 400, "Query parameter 'start' has invalid value."),
    ("40014", 400, "Query parameter 'limit' has invalid value."),
    ("40301", 403, "You cannot execute this API."),
    ("40401", 404, "Invalid export_id."),
    ("40402", 404, "Export_id was already finished."),
    ("50001", 500, "Internal server error."),
];

pub fn export_code(code: &str) -> Reply {
    match EXPORT_CODES.iter().find(|(c, _, _)| *c == code) {
        Some((c, s, m)) => export(StatusCode::from_u16(*s).unwrap_or(StatusCode::BAD_REQUEST), c, m),
        None => export(StatusCode::INTERNAL_SERVER_ERROR, "50002", "Internal server error."),
    }
}

/// Import-API codes outside the register table.
pub const IMPORT_OTHER_CODES: [(&str, u16, &str); 3] = [
    ("40035", 400, "Query parameter 'start' has invalid value."),
    ("40036", 400, "Query parameter 'limit' has invalid value."),
    ("40401", 404, "Invalid import_id."),
];

pub fn import_code(code: &str) -> Option<Reply> {
    if let Some(e) = ImportError::from_code(code) {
        return Some(import(e));
    }
    IMPORT_OTHER_CODES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(c, s, m)| import_other(StatusCode::from_u16(*s).unwrap_or(StatusCode::BAD_REQUEST), c, m))
}

/// Glance (webob) error: JSON when the client accepts it (openstacksdk does), else webob's HTML page.
pub fn glance(status: StatusCode, message: &str, accept: Option<&str>) -> Reply {
    let code = format!("{} {}", status.as_u16(), title(status));
    if accept.is_some_and(|a| a.contains("application/json")) {
        json_line(status, &json!({"message": message, "code": code, "title": title(status)}))
    } else {
        Reply::html(
            status,
            format!(
                "<html>\n <head>\n  <title>{code}</title>\n </head>\n <body>\n  <h1>{code}</h1>\n  {}<br /><br />\n\n\n\n </body>\n</html>",
                html_escape(message)
            ),
        )
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
