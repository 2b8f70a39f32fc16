//! The listener and the request path: route → body → identify → scenario → handler → hold → journal.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Body, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::call::{Call, ConnectionFate, Reply};
use super::journal::Entry;
use super::provider::CoreError;
use super::router::Lookup;
use super::scenario::Action;
use super::{admin, Core};

/// A server started in this process: its address, and a handle to stop it the way SIGTERM does.
pub struct RunningServer {
    pub addr: SocketAddr,
    pub core: Arc<Core>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<Result<(), String>>,
}

impl RunningServer {
    /// Graceful shutdown: stop accepting, finish in-flight requests, save the state file.
    pub async fn shutdown(self) -> Result<(), String> {
        let _ = self.stop.send(true);
        self.task.await.map_err(|e| e.to_string())?
    }
}

/// Binds and starts serving; returns once the listener accepts connections.
pub async fn start(core: Arc<Core>) -> Result<RunningServer, String> {
    let listener = TcpListener::bind(core.config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", core.config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let (stop, stop_rx) = watch::channel(false);
    tokio::spawn(super::lifecycle::Lifecycles::run(core.clone()));
    let task = tokio::spawn(accept_loop(core.clone(), listener, stop_rx));
    Ok(RunningServer { addr, core, stop, task })
}

async fn accept_loop(core: Arc<Core>, listener: TcpListener, mut stop: watch::Receiver<bool>) -> Result<(), String> {
    let graceful = GracefulShutdown::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let core = core.clone();
                let watcher = graceful.watcher();
                tokio::spawn(async move {
                    // One peek per connection tells TLS from plain HTTP, so both share the port.
                    let mut first = [0u8; 1];
                    let is_tls = matches!(stream.peek(&mut first).await, Ok(1) if first[0] == super::tls::HANDSHAKE);
                    if is_tls {
                        let Ok(tls_stream) = core.tls.acceptor.accept(stream).await else { return };
                        serve_connection(core, tls_stream, peer, true, watcher).await;
                    } else {
                        serve_connection(core, stream, peer, false, watcher).await;
                    }
                });
            }
            _ = stop.changed() => break,
        }
    }
    drop(listener);
    // Stalled requests and scenario latencies end now, so in-flight requests can finish.
    core.scenarios.shut_down();
    // A handler's own hold under the virtual clock could still wait forever; don't let it hold shutdown.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), graceful.shutdown()).await;
    if let Some(path) = core.config.state_file.clone() {
        super::state_file::save(&core, &path)?;
        tracing::info!(path = %path.display(), "state saved");
    }
    Ok(())
}

async fn serve_connection<S>(core: Arc<Core>, stream: S, peer: SocketAddr, tls: bool, watcher: Watcher)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let svc = service_fn(move |req| handle(core.clone(), req, peer, tls));
    // Title-case header names (`X-Subject-Token`, not `x-subject-token`): some real clients match
    // header names case-sensitively in raw HTTP/1.1 output (K5 shell scripts, a PHP SDK).
    let conn =
        http1::Builder::new().keep_alive(true).title_case_headers(true).serve_connection(TokioIo::new(stream), svc);
    let _ = watcher.watch(conn).await;
}

/// The error hyper sees when a scenario asks to drop the connection: it makes hyper close it unanswered.
#[derive(Debug)]
struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by a scenario rule")
    }
}

impl std::error::Error for DropConnection {}

async fn handle(
    core: Arc<Core>,
    req: Request<Incoming>,
    _peer: SocketAddr,
    tls: bool,
) -> Result<Response<Full<Bytes>>, DropConnection> {
    let started = Instant::now();
    let arrived = core.clock.now();
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().map(str::to_string);
    let base_url = base_url(&core, &parts.headers, tls);

    let lookup = core.router().lookup(&parts.method, &path, query.as_deref());
    let (route, owner, params) = match lookup {
        Lookup::Found { route, owner, params } => (Some(route.clone()), Some(owner), params),
        Lookup::WrongMethod { owner, allowed } => {
            let call = bare_call(&core, &parts, path, query, base_url);
            let reply = core_error(&core, Some(owner), &CoreError::MethodNotAllowed(allowed), &call);
            return Ok(finish(&core, call, reply, None, started, arrived));
        }
        Lookup::NotFound => (None, core.router().owner_of(&path), Vec::new()),
    };
    let Some(route) = route else {
        let call = bare_call(&core, &parts, path, query, base_url);
        let reply = core_error(&core, owner, &CoreError::NotFound, &call);
        return Ok(finish(&core, call, reply, None, started, arrived));
    };

    let limit = core.config.max_body_bytes;
    let declared = parts.headers.get(hyper::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    let body = if declared.is_some_and(|n| n > limit) {
        Err(CoreError::PayloadTooLarge { limit })
    } else if body.is_end_stream() {
        // Most requests are bodiless GETs: skip the collecting future and its buffers.
        Ok(Bytes::new())
    } else {
        match Limited::new(body, limit as usize).collect().await {
            Ok(b) => Ok(b.to_bytes()),
            Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(CoreError::PayloadTooLarge { limit }),
            Err(e) => Err(CoreError::BadBody(e.to_string())),
        }
    };
    let mut call = Call {
        method: parts.method,
        path,
        query,
        headers: parts.headers,
        body: Bytes::new(),
        params,
        operation: route.operation,
        tenant: None,
        credential: None,
        base_url,
        core: core.clone(),
    };
    match body {
        Ok(b) => call.body = b,
        Err(e) => {
            let reply = core_error(&core, owner, &e, &call);
            return Ok(finish(&core, call, reply, None, started, arrived));
        }
    }
    if let Some(refine) = route.refine {
        if let Some(op) = refine(&call) {
            call.operation = op;
        }
    }
    if let Some(p) = owner.and_then(|o| core.providers().get(o)) {
        p.identify(&core, &mut call);
    }

    let decision = core.scenarios.decide(&core, &call);
    let mut rule = decision.rule;
    if let Some(latency) = decision.latency {
        // A shutdown ends the wait (under the virtual clock it could last forever); the request then finishes.
        tokio::select! {
            _ = core.clock.sleep(latency) => {}
            _ = core.scenarios.until_shutdown() => {}
        }
    }
    // Places held in the scenario's request-count limits, given back once the answer is written.
    let mut _inflight = Vec::new();
    let mut reply = match decision.action {
        Action::Pass => {
            let admitted = core.scenarios.admit(&core, &mut call, &route.handler);
            rule = super::scenario::join_rules(rule, admitted.rule);
            _inflight = admitted.inflight;
            admitted.reply
        }
        Action::Respond(r) => r,
        Action::Drop => {
            let mut r = Reply::empty(StatusCode::OK);
            r.connection = ConnectionFate::Drop;
            r
        }
        Action::Stall => {
            // Stalled until the client gives up (this future is then dropped) or the server shuts down.
            core.scenarios.until_shutdown().await;
            let mut r = Reply::empty(StatusCode::SERVICE_UNAVAILABLE);
            r.connection = ConnectionFate::Drop;
            r
        }
    };
    if let Some(hold) = reply.hold.take() {
        core.clock.sleep(hold).await;
    }
    if reply.connection == ConnectionFate::Drop {
        finish(&core, call, reply, rule, started, arrived);
        return Err(DropConnection);
    }
    Ok(finish(&core, call, reply, rule, started, arrived))
}

fn bare_call(
    core: &Arc<Core>,
    parts: &hyper::http::request::Parts,
    path: String,
    query: Option<String>,
    base_url: String,
) -> Call {
    Call {
        method: parts.method.clone(),
        path,
        query,
        headers: parts.headers.clone(),
        body: Bytes::new(),
        params: Vec::new(),
        operation: "",
        tenant: None,
        credential: None,
        base_url,
        core: core.clone(),
    }
}

fn core_error(core: &Core, owner: Option<usize>, err: &CoreError, call: &Call) -> Reply {
    match owner.and_then(|o| core.providers().get(o)) {
        Some(p) => p.core_error(err, call),
        None => admin::core_error(err, call),
    }
}

/// `--public-url`, else the scheme and Host the client used, else the listen address.
fn base_url(core: &Core, headers: &hyper::HeaderMap, tls: bool) -> String {
    if let Some(u) = &core.config.public_url {
        return u.trim_end_matches('/').to_string();
    }
    let scheme = if tls { "https" } else { "http" };
    let proto = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).unwrap_or(scheme);
    match headers.get(hyper::header::HOST).and_then(|v| v.to_str().ok()) {
        Some(host) if !host.is_empty() => format!("{proto}://{host}"),
        _ => format!("http://{}", core.config.listen),
    }
}

fn finish(
    core: &Core,
    call: Call,
    reply: Reply,
    rule: Option<String>,
    started: Instant,
    arrived: chrono::DateTime<chrono::Utc>,
) -> Response<Full<Bytes>> {
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let operation = (!call.operation.is_empty()).then_some(call.operation);
    let is_admin = call.path.starts_with(admin::PREFIX);
    tracing::info!(
        target: "mockcloud::request",
        method = %call.method,
        path = %call.path,
        // Display (`%`) rather than Debug: no quoting and escaping pass per field. `rule` only appears when a
        // scenario rule acted (a `None` field prints nothing), which keeps the common line short.
        operation = %operation.unwrap_or("-"),
        tenant = %call.tenant.as_deref().unwrap_or("-"),
        status = reply.status.as_u16(),
        latency_ms = format_args!("{latency_ms:.2}"),
        rule = rule.as_deref(),
    );
    // The journal is the test's record of what its client did; the admin API's own calls would drown it.
    if !is_admin {
        core.journal.record(Entry {
            seq: 0,
            time: arrived,
            method: call.method.to_string(),
            path: call.path,
            query: call.query,
            operation,
            tenant: call.tenant,
            status: reply.status.as_u16(),
            latency_ms,
            rule,
        });
    }
    let mut resp = Response::new(Full::new(reply.body));
    *resp.status_mut() = reply.status;
    *resp.headers_mut() = reply.headers;
    resp
}
