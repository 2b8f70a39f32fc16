//! The official vSphere Automation SDK for Python (vmware-vcenter 9.1.1.0), unchanged, over JSON-RPC.

use crate::common::{run_client, Server};

#[tokio::test]
async fn python_sdk_logs_in_uploads_and_deploys() {
    let s = Server::start().await;
    let out = run_client(&s, "vcenter/sdk_deploy.py", &[]).await;
    assert!(out.lines().last().is_some_and(|l| l.starts_with("OK sdk deploy flow")), "{out}");
}
