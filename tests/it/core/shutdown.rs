use std::process::Stdio;
use std::time::Duration;

use crate::common::{json, Server};

#[tokio::test]
async fn a_corrupt_or_foreign_state_file_is_a_start_up_error() {
    let dir = std::env::temp_dir().join(format!("mockcloud-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        ("garbage.json", "{not json".to_string(), "not valid JSON"),
        ("version.json", r#"{"format":"mockcloud-state","version":99,"tables":{}}"#.to_string(), "version"),
        ("format.json", r#"{"format":"other","version":1,"tables":{}}"#.to_string(), "format"),
    ];
    for (name, content, needle) in cases {
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        let args = mockcloud::core::config::ServeArgs::parse_args([
            "--listen",
            "127.0.0.1:0",
            "--state-file",
            path.to_str().unwrap(),
        ])
        .unwrap();
        let err = match mockcloud::start(args).await {
            Ok(_) => panic!("{name}: a bad state file must not start"),
            Err(e) => e,
        };
        assert!(err.contains(needle), "{name}: {err}");
        assert!(err.contains(name), "the error names the file: {err}");
    }
}

#[tokio::test]
async fn a_missing_fixtures_folder_is_a_start_up_error() {
    let args =
        mockcloud::core::config::ServeArgs::parse_args(["--listen", "127.0.0.1:0", "--fixtures", "/no/such/dir"])
            .unwrap();
    let err = mockcloud::start(args).await.err().expect("must not start");
    assert!(err.contains("/no/such/dir"), "{err}");
}

#[tokio::test]
async fn unknown_flag_values_are_refused() {
    for bad in [vec!["--clock", "sundial"], vec!["--credential-clock", "lunar"], vec!["--time-scale", "-2"]] {
        assert!(mockcloud::core::config::ServeArgs::parse_args(bad.clone()).is_err(), "{bad:?}");
    }
}

#[tokio::test]
async fn the_state_file_survives_a_graceful_shutdown() {
    let path = std::env::temp_dir().join(format!("mockcloud-state-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let flags = ["--clock", "virtual", "--state-file", path.to_str().unwrap()];
    let s = Server::start_with(&flags).await;
    let (_, before) = json(s.get("/_mockcloud/state").await).await;
    s.shutdown().await;
    assert!(path.exists(), "shutdown writes the state file");
    let s = Server::start_with(&flags).await;
    let (_, after) = json(s.get("/_mockcloud/state").await).await;
    assert_eq!(before["tables"], after["tables"]);
    let (status, _) = json(s.request(reqwest::Method::POST, "/_mockcloud/state/save").send().await.unwrap()).await;
    assert_eq!(status, 200);
    s.shutdown().await;
    let _ = std::fs::remove_file(&path);
}

/// The real binary: starts with no flags but the port, answers health fast, and exits 0 on SIGTERM.
#[tokio::test]
async fn the_binary_answers_health_and_stops_on_sigterm() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let listen = format!("127.0.0.1:{port}");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_mockcloud"))
        .args(["serve", "--listen", &listen])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://{listen}");
    let mut healthy = false;
    for _ in 0..200 {
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_mockcloud"))
            .args(["health", "--url", &url])
            .output()
            .await
            .unwrap();
        if out.status.success() {
            healthy = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(healthy, "the server answers health");
    let pid = child.id().unwrap().to_string();
    let killed = tokio::process::Command::new("kill").args(["-TERM", &pid]).status().await.unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait()).await.expect("exits").unwrap();
    assert!(status.success(), "exit status {status}");
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_mockcloud"))
        .args(["health", "--url", &url])
        .output()
        .await
        .unwrap();
    assert!(!out.status.success(), "health fails once the server is gone");
}

#[tokio::test]
async fn tls_flags_must_come_in_pairs_and_name_unreadable_files() {
    assert!(mockcloud::core::config::ServeArgs::parse_args(["--tls-cert", "/tmp/c.pem"]).is_err());
    let args = mockcloud::core::config::ServeArgs::parse_args([
        "--listen",
        "127.0.0.1:0",
        "--tls-cert",
        "/no/such/cert.pem",
        "--tls-key",
        "/no/such/key.pem",
    ])
    .unwrap();
    let err = mockcloud::start(args).await.err().expect("must not start");
    assert!(err.contains("--tls-cert /no/such/cert.pem"), "{err}");
}

#[tokio::test]
async fn the_tls_certificate_is_served_for_pinning() {
    let s = Server::start().await;
    let r = s.get("/_mockcloud/tls/cert").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/x-pem-file");
    let pem = r.text().await.unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
}
