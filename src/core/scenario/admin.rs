//! `/_mockcloud/scenarios`: load, list (with hit counts) and unload scenarios at run time.

use std::sync::Arc;

use hyper::{Method, StatusCode};
use serde_json::json;

use super::super::admin::error;
use super::super::call::{Call, Reply};
use super::super::provider::Route;
use super::parse::check_name;

fn route(method: Method, pattern: &'static str, operation: &'static str, h: fn(&mut Call) -> Reply) -> Route {
    Route { method, pattern, operation, handler: Arc::new(h), refine: None }
}

pub fn routes() -> Vec<Route> {
    vec![
        route(Method::GET, "/_mockcloud/scenarios", "mockcloud.scenarios.list", list),
        route(Method::DELETE, "/_mockcloud/scenarios", "mockcloud.scenarios.clear", clear),
        route(Method::GET, "/_mockcloud/scenarios/{name}", "mockcloud.scenario.get", get),
        route(Method::PUT, "/_mockcloud/scenarios/{name}", "mockcloud.scenario.put", put),
        route(Method::DELETE, "/_mockcloud/scenarios/{name}", "mockcloud.scenario.delete", delete),
    ]
}

fn list(call: &mut Call) -> Reply {
    let core = call.core.clone();
    Reply::json(StatusCode::OK, &json!({"scenarios": core.scenarios.listing(&core, None)}))
}

fn clear(call: &mut Call) -> Reply {
    Reply::json(StatusCode::OK, &json!({"cleared": call.core.scenarios.clear()}))
}

fn not_found(name: &str) -> Reply {
    error(StatusCode::NOT_FOUND, "unknown_scenario", format!("no scenario named {name:?} is loaded"))
}

fn get(call: &mut Call) -> Reply {
    let core = call.core.clone();
    let name = call.param("name");
    match core.scenarios.listing(&core, Some(name)).pop() {
        Some(v) => Reply::json(StatusCode::OK, &v),
        None => not_found(name),
    }
}

/// The body is the scenario; its `name`, when given, must be the one in the URL.
fn put(call: &mut Call) -> Reply {
    let core = call.core.clone();
    let name = call.param("name").to_string();
    if let Err(e) = check_name(&name) {
        return error(StatusCode::BAD_REQUEST, "bad_scenario_name", e);
    }
    if let Ok(serde_json::Value::Object(doc)) = serde_json::from_slice::<serde_json::Value>(&call.body) {
        if let Some(given) = doc.get("name").and_then(|n| n.as_str()).filter(|n| *n != name) {
            let problems = [json!({"path": "name", "message": format!("{given:?} differs from the URL's {name:?}")})];
            return Reply::json(
                StatusCode::BAD_REQUEST,
                &json!({"error": {"code": "invalid_scenario", "message": format!("name: {given:?} differs from the URL's {name:?}"), "problems": problems}}),
            );
        }
    }
    let existed = !core.scenarios.listing(&core, Some(&name)).is_empty();
    match core.scenarios.load(&core, &call.body, Some(&name)) {
        Ok(name) => {
            let listing = core.scenarios.listing(&core, Some(&name)).pop().unwrap_or_default();
            Reply::json(if existed { StatusCode::OK } else { StatusCode::CREATED }, &listing)
        }
        Err(problems) => {
            let message: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
            Reply::json(
                StatusCode::BAD_REQUEST,
                &json!({"error": {"code": "invalid_scenario", "message": message.join("; "), "problems": problems}}),
            )
        }
    }
}

fn delete(call: &mut Call) -> Reply {
    let name = call.param("name");
    if call.core.scenarios.remove(name) {
        Reply::json(StatusCode::OK, &json!({"deleted": name}))
    } else {
        not_found(name)
    }
}
