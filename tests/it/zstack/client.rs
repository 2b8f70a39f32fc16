//! The real-client check: a Python client that puts on the wire exactly what ZStack's Python SDK (zssdk)
//! sends, with the SDK's HTTP library (urllib3), run against the emulator.

use crate::common::{run_client, Server};

#[tokio::test]
async fn zssdk_wire_client_runs_unchanged() {
    let s = Server::start().await;
    // The client advances the virtual clock by 1 s before each poll, as a test suite using zssdk would.
    let out = run_client(&s, "zstack/check_zstack.py", &["1"]).await;
    assert!(out.contains(" passed, 0 failed"), "{out}");
    assert!(!out.contains("FAIL"), "{out}");
}
