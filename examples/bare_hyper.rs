//! The benchmark's baseline: a bare hyper 1 server with the same runtime and connection settings as
//! mockcloud. It answers each path with the exact bytes mockcloud answers for it (captured by `bench/run.sh`
//! and passed as `PATH=FILE` arguments), so the ratio measures what mockcloud adds, not a difference in body
//! size.
//!
//! Usage: bare_hyper ADDR [PATH=FILE]...

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

const DEFAULT_BODY: &[u8] = br#"{"status":"ok"}"#;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8991".into());
    let mut bodies: HashMap<String, Bytes> = HashMap::new();
    for spec in args {
        let (path, file) = spec.split_once('=').expect("PATH=FILE");
        bodies.insert(path.to_string(), Bytes::from(std::fs::read(file).expect("readable body file")));
    }
    let bodies = Arc::new(bodies);
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let _ = stream.set_nodelay(true);
        let bodies = bodies.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req: Request<hyper::body::Incoming>| {
                let body = bodies.get(req.uri().path()).cloned().unwrap_or_else(|| Bytes::from_static(DEFAULT_BODY));
                async move {
                    let mut r = Response::new(Full::new(body));
                    r.headers_mut().insert("content-type", "application/json".parse().expect("static"));
                    Ok::<_, Infallible>(r)
                }
            });
            let _ = http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(stream), svc).await;
        });
    }
}
