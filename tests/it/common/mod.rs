//! The test harness: a real mockcloud server on an ephemeral loopback port, spoken to over HTTP.

#![allow(dead_code)]

use std::path::PathBuf;

use mockcloud::core::config::ServeArgs;
use mockcloud::core::server::RunningServer;
use reqwest::{Method, Response};
use serde_json::Value;

pub struct Server {
    pub addr: std::net::SocketAddr,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    pub http: reqwest::Client,
    running: Option<RunningServer>,
}

impl Server {
    /// A server with the virtual clock and a fixed seed: the usual test set-up.
    pub async fn start() -> Server {
        Server::start_with(&["--clock", "virtual", "--seed", "42"]).await
    }

    /// A server with exactly these flags (plus `--listen 127.0.0.1:0`).
    pub async fn start_with(flags: &[&str]) -> Server {
        Server::start_with_providers(flags, mockcloud::providers::all).await
    }

    /// Like `start_with`, serving the providers `factory` builds (tests of the core bring their own).
    pub async fn start_with_providers(flags: &[&str], factory: mockcloud::core::ProviderFactory) -> Server {
        let mut args: Vec<&str> = vec!["--listen", "127.0.0.1:0"];
        args.extend_from_slice(flags);
        let args = ServeArgs::parse_args(args).expect("valid flags");
        let running = mockcloud::start_with(args, factory).await.expect("server starts");
        let addr = running.addr;
        Server {
            addr,
            base: format!("http://{addr}"),
            http: reqwest::Client::builder().pool_max_idle_per_host(4).build().expect("client"),
            running: Some(running),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, self.url(path))
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path).send().await.expect("request sent")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.request(Method::POST, path).json(body).send().await.expect("request sent")
    }

    /// Moves the virtual clock forward, applying every lifecycle step that falls due.
    pub async fn advance(&self, seconds: f64) -> Value {
        let r = self.post_json("/_mockcloud/clock/advance", &serde_json::json!({ "seconds": seconds })).await;
        assert_eq!(r.status(), 200, "clock advance");
        r.json().await.expect("json")
    }

    /// The journal, filtered by a query string such as `operation=zstack.vm.get&status=200`.
    pub async fn journal(&self, query: &str) -> Vec<Value> {
        let r = self.get(&format!("/_mockcloud/requests?{query}")).await;
        assert_eq!(r.status(), 200, "journal query {query}");
        let v: Value = r.json().await.expect("json");
        v["requests"].as_array().cloned().unwrap_or_default()
    }

    pub fn core(&self) -> &mockcloud::core::Core {
        &self.running.as_ref().expect("running").core
    }

    /// Stops the server the way SIGTERM does (and saves the state file if one is set).
    pub async fn shutdown(mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown().await.expect("clean shutdown");
        }
    }
}

/// Status and JSON body of a response.
pub async fn json(r: Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let text = r.text().await.expect("body");
    let v = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, v)
}

/// The Python interpreter of the real-client venv that `scripts/test.sh` prepares
/// (`MOCKCLOUD_TEST_PYTHON`, else `target/pyenv/bin/python`).
pub fn python() -> PathBuf {
    if let Ok(p) = std::env::var("MOCKCLOUD_TEST_PYTHON") {
        return PathBuf::from(p);
    }
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/pyenv/bin/python");
    assert!(
        p.exists(),
        "the real-client tests need the Python venv: run ./scripts/test.sh once (it creates target/pyenv)"
    );
    p
}

/// Runs `tests/clients/<script>` with the venv's Python against the server; panics with its output on failure.
pub async fn run_client(server: &Server, script: &str, args: &[&str]) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clients").join(script);
    let out = tokio::process::Command::new(python())
        .arg(&path)
        .arg(&server.base)
        .args(args)
        .output()
        .await
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{script} failed ({}):\nstdout:\n{stdout}\nstderr:\n{stderr}", out.status);
    stdout
}
