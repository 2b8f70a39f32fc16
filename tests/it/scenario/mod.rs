//! The scenario engine over HTTP, against the test suite's own provider (`provider.rs`).

mod actions;
mod admin;
mod credentials;
mod determinism;
mod library;
mod lifecycles;
mod limits;
mod matching;
mod provider;
mod real_providers;
mod selection;
mod validation;

use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

use crate::common::{json, Server};

/// The test provider's server under the virtual clock with a fixed seed.
pub async fn start() -> Server {
    start_with(&["--clock", "virtual", "--seed", "42"]).await
}

pub async fn start_with(flags: &[&str]) -> Server {
    Server::start_with_providers(flags, provider::providers).await
}

pub async fn put(s: &Server, name: &str, scenario: &Value) -> (u16, Value) {
    let r = s.request(Method::PUT, &format!("/_mockcloud/scenarios/{name}")).json(scenario).send().await.unwrap();
    json(r).await
}

/// Loads a scenario that must be valid.
pub async fn load(s: &Server, scenario: &Value) {
    let name = scenario["name"].as_str().expect("test scenarios have a name");
    let (status, v) = put(s, name, scenario).await;
    assert!(status == 201 || status == 200, "scenario refused: {v}");
}

/// The listing of one loaded scenario.
pub async fn listing(s: &Server, name: &str) -> Value {
    let (status, v) = json(s.get(&format!("/_mockcloud/scenarios/{name}")).await).await;
    assert_eq!(status, 200, "{v}");
    v
}

/// Waits (bounded) until a condition on a scenario's listing holds: for requests that the server holds on the
/// virtual clock, the listing is the only place their arrival shows.
pub async fn wait_listing(s: &Server, name: &str, what: &str, cond: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..1000 {
        let v = listing(s, name).await;
        if cond(&v) {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("timed out waiting for {what}");
}

/// A request with the test provider's identity headers.
pub fn req(s: &Server, method: Method, path: &str, tenant: &str) -> reqwest::RequestBuilder {
    s.request(method, path).header("x-tenant", tenant)
}
