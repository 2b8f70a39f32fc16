//! The admin API under `/_mockcloud/`: the test's remote control. JSON in, JSON out; errors are
//! `{"error": {"code", "message"}}` with a 4xx status.

use std::sync::Arc;

use hyper::{Method, StatusCode};
use serde_json::{json, Value};

use super::call::{Call, Reply};
use super::credentials::ExpireFilter;
use super::journal::Filter;
use super::provider::{CoreError, Route};

pub const PREFIX: &str = "/_mockcloud/";

pub fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Reply {
    Reply::json(status, &json!({"error": {"code": code, "message": message.into()}}))
}

/// The JSON error for core problems on paths no provider owns (and on the admin API itself).
pub fn core_error(err: &CoreError, call: &Call) -> Reply {
    match err {
        CoreError::NotFound => {
            error(StatusCode::NOT_FOUND, "not_found", format!("no route for {} {}", call.method, call.path))
        }
        CoreError::MethodNotAllowed(allowed) => {
            let list: Vec<&str> = allowed.iter().map(|m| m.as_str()).collect();
            error(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                format!("{} is not allowed here; use {}", call.method, list.join(", ")),
            )
            .header("allow", &list.join(", "))
        }
        CoreError::PayloadTooLarge { limit } => {
            error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", format!("the body is larger than {limit} bytes"))
        }
        CoreError::BadBody(m) => error(StatusCode::BAD_REQUEST, "bad_body", m.clone()),
    }
}

fn route(method: Method, pattern: &'static str, operation: &'static str, h: fn(&mut Call) -> Reply) -> Route {
    Route { method, pattern, operation, handler: Arc::new(h), refine: None }
}

pub fn routes() -> Vec<Route> {
    let mut routes = vec![
        route(Method::GET, "/_mockcloud/health", "mockcloud.health.get", health),
        route(Method::POST, "/_mockcloud/reset", "mockcloud.world.reset", reset),
        route(Method::GET, "/_mockcloud/state", "mockcloud.state.get", state),
        route(Method::POST, "/_mockcloud/state/save", "mockcloud.state.save", state_save),
        route(Method::GET, "/_mockcloud/requests", "mockcloud.requests.list", requests),
        route(Method::DELETE, "/_mockcloud/requests", "mockcloud.requests.clear", requests_clear),
        route(Method::GET, "/_mockcloud/routes", "mockcloud.routes.list", routes_list),
        route(Method::GET, "/_mockcloud/clock", "mockcloud.clock.get", clock),
        route(Method::POST, "/_mockcloud/clock/advance", "mockcloud.clock.advance", clock_advance),
        route(Method::GET, "/_mockcloud/lifecycles", "mockcloud.lifecycles.list", lifecycles),
        route(Method::POST, "/_mockcloud/credentials/expire", "mockcloud.credentials.expire", credentials_expire),
        route(Method::GET, "/_mockcloud/tls/cert", "mockcloud.tls.cert", tls_cert),
    ];
    routes.extend(super::scenario::admin::routes());
    routes
}

fn health(call: &mut Call) -> Reply {
    let core = &call.core;
    let providers: Vec<&str> = core.providers().iter().map(|p| p.name()).collect();
    Reply::json(
        StatusCode::OK,
        &json!({
            "status": "ok",
            "version": env!("CARGO_PKG_VERSION"),
            "providers": providers,
            "uptime_seconds": core.clock.uptime().as_secs_f64(),
        }),
    )
}

fn reset(call: &mut Call) -> Reply {
    let tenant = call.query_param("tenant");
    match call.core.reset(tenant.as_deref()) {
        Ok(()) => Reply::json(StatusCode::OK, &json!({"reset": tenant.as_deref().unwrap_or("all")})),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, "reset_failed", e),
    }
}

fn state(call: &mut Call) -> Reply {
    let core = &call.core;
    let tenant = call.query_param("tenant");
    let mut identities = serde_json::Map::new();
    for p in core.providers() {
        identities.insert(p.name().to_string(), p.identities(core));
    }
    Reply::json(
        StatusCode::OK,
        &json!({
            "clock": clock_value(call),
            "identities": identities,
            "tables": core.store.snapshot(tenant.as_deref()),
            "lifecycles": core.lifecycles.active(),
            "credentials": core.credentials.count(),
        }),
    )
}

fn state_save(call: &mut Call) -> Reply {
    let core = &call.core;
    let Some(path) = core.config.state_file.clone() else {
        return error(StatusCode::CONFLICT, "no_state_file", "the server runs without --state-file");
    };
    match super::state_file::save(core, &path) {
        Ok(()) => Reply::json(StatusCode::OK, &json!({"saved": path.display().to_string()})),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, "save_failed", e),
    }
}

fn requests(call: &mut Call) -> Reply {
    let mut f = Filter::default();
    for (k, v) in call.query_pairs() {
        match k.as_str() {
            "operation" => {
                if !call.core.has_operation(&v) {
                    return error(
                        StatusCode::BAD_REQUEST,
                        "unknown_operation",
                        format!("no route has the operation id {v:?}"),
                    );
                }
                f.operation = Some(v);
            }
            "status" => match v.parse() {
                Ok(s) => f.status = Some(s),
                Err(_) => {
                    return error(StatusCode::BAD_REQUEST, "bad_filter", format!("status: {v:?} is not a number"))
                }
            },
            "tenant" => f.tenant = Some(v),
            "since" => match v.parse() {
                Ok(s) => f.since = Some(s),
                Err(_) => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        "bad_filter",
                        format!("since: {v:?} is not a sequence number"),
                    )
                }
            },
            "limit" => match v.parse() {
                Ok(s) => f.limit = Some(s),
                Err(_) => return error(StatusCode::BAD_REQUEST, "bad_filter", format!("limit: {v:?} is not a number")),
            },
            other => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "bad_filter",
                    format!("unknown filter {other:?}; use operation, status, tenant, since, limit"),
                )
            }
        }
    }
    let entries = call.core.journal.query(&f);
    Reply::json(
        StatusCode::OK,
        &json!({"capacity": call.core.journal.capacity(), "count": entries.len(), "requests": entries}),
    )
}

fn requests_clear(call: &mut Call) -> Reply {
    let n = call.core.journal.clear();
    Reply::json(StatusCode::OK, &json!({"cleared": n}))
}

fn routes_list(call: &mut Call) -> Reply {
    Reply::json(StatusCode::OK, &json!({"routes": route_rows(&call.core)}))
}

/// Every route as (method, pattern, operation), sorted by pattern; shared by `mockcloud routes`.
pub fn route_rows(core: &super::Core) -> Vec<Value> {
    let mut rows: Vec<(String, String, String)> = core
        .router()
        .routes()
        .map(|r| (r.pattern.to_string(), r.method.to_string(), r.operation.to_string()))
        .collect();
    rows.sort();
    rows.into_iter().map(|(p, m, o)| json!({"method": m, "path": p, "operation": o})).collect()
}

fn clock_value(call: &Call) -> Value {
    let c = &call.core.clock;
    json!({
        "mode": c.mode(),
        "time_scale": c.scale(),
        "now": c.now().to_rfc3339(),
        "elapsed_seconds": c.ticks() as f64 / 1000.0,
        "started_at": c.started_at().to_rfc3339(),
        "credential_clock": call.core.credentials.mode(),
    })
}

fn clock(call: &mut Call) -> Reply {
    Reply::json(StatusCode::OK, &clock_value(call))
}

fn clock_advance(call: &mut Call) -> Reply {
    let body: Value = match serde_json::from_slice(&call.body) {
        Ok(v) => v,
        Err(e) => return error(StatusCode::BAD_REQUEST, "bad_json", format!("the body is not JSON: {e}")),
    };
    let Some(seconds) = body.get("seconds").and_then(Value::as_f64) else {
        return error(StatusCode::BAD_REQUEST, "bad_seconds", "field `seconds` must be a number");
    };
    if !seconds.is_finite() || seconds < 0.0 {
        return error(StatusCode::BAD_REQUEST, "bad_seconds", "field `seconds` must be zero or positive");
    }
    let core = call.core.clone();
    match core.lifecycles.advance(&core, (seconds * 1000.0).round() as u64) {
        Ok(applied) => {
            let mut v = clock_value(call);
            v["steps_applied"] = json!(applied);
            Reply::json(StatusCode::OK, &v)
        }
        Err(e) => error(StatusCode::CONFLICT, "clock_not_virtual", e.to_string()),
    }
}

fn lifecycles(call: &mut Call) -> Reply {
    Reply::json(StatusCode::OK, &json!({"lifecycles": call.core.lifecycles.active()}))
}

fn credentials_expire(call: &mut Call) -> Reply {
    let filter: ExpireFilter = if call.body.iter().all(u8::is_ascii_whitespace) {
        ExpireFilter::default()
    } else {
        match serde_json::from_slice(&call.body) {
            Ok(f) => f,
            Err(e) => return error(StatusCode::BAD_REQUEST, "bad_filter", format!("the filter is not valid: {e}")),
        }
    };
    if let Some(p) = &filter.provider {
        if call.core.provider(p).is_none() {
            return error(
                StatusCode::BAD_REQUEST,
                "unknown_provider",
                format!("field `provider`: no provider named {p:?}"),
            );
        }
    }
    let n = call.core.credentials.expire(&filter);
    Reply::json(StatusCode::OK, &json!({"expired": n}))
}

/// The certificate the TLS side of the port presents, for clients that pin it instead of skipping checks.
fn tls_cert(call: &mut Call) -> Reply {
    Reply::new(StatusCode::OK).body(call.core.tls.cert_pem.clone()).content_type("application/x-pem-file")
}
