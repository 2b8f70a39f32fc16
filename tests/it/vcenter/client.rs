//! The official vSphere Automation SDK for Python (vmware-vcenter 9.1.1.0), unchanged, over JSON-RPC.

use crate::common::{run_client, Server};

#[tokio::test]
async fn python_sdk_logs_in_uploads_and_deploys() {
    let s = Server::start().await;
    let out = run_client(&s, "vcenter/sdk_deploy.py", &[]).await;
    assert!(out.lines().last().is_some_and(|l| l.starts_with("OK sdk deploy flow")), "{out}");
}

/// `create_vsphere_client()` builds `https://` URLs only: the TLS side of the same port serves it.
#[tokio::test]
async fn create_vsphere_client_works_over_https_on_the_same_port() {
    let s = Server::start().await;
    let out = run_client(&s, "vcenter/sdk_https.py", &[]).await;
    assert!(out.lines().last().is_some_and(|l| l.starts_with("OK create_vsphere_client over https")), "{out}");
}
