//! The benchmark's baseline: a bare hyper 1 server with the same runtime, connection settings and a
//! comparable JSON body, so `bench/run.sh` can report mockcloud's throughput as a ratio against it.

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

const BODY: &[u8] = br#"{"inventories":[{"uuid":"dbfd52c2f87c39cda8c8945fca8d6a5a","name":"image","state":"Enabled","status":"Ready","size":8589934592}]}"#;

#[tokio::main]
async fn main() {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:8991".into());
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let svc = service_fn(|_req: Request<hyper::body::Incoming>| async {
                let mut r = Response::new(Full::new(Bytes::from_static(BODY)));
                r.headers_mut().insert("content-type", "application/json".parse().expect("static"));
                Ok::<_, Infallible>(r)
            });
            let _ = http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(stream), svc).await;
        });
    }
}
