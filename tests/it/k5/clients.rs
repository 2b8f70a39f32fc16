//! Real OpenStack clients from PyPI against the k5 provider: keystoneauth1, python-swiftclient with
//! python-keystoneclient, and openstacksdk (tests/clients/k5/import_flow.py).

use crate::common::{run_client, Server};

#[tokio::test]
async fn keystoneauth_swiftclient_and_openstacksdk_run_the_import_flow_unchanged() {
    let s = Server::start().await;
    let out = run_client(&s, "k5/import_flow.py", &[]).await;
    assert!(out.contains("ALL OK"), "{out}");
    // The import went through the catalog's vmimport endpoint and was polled to the end.
    let created = s.journal("operation=k5.imageimport.create").await;
    assert!(created.iter().any(|e| e["status"] == 201 && e["path"] == "/vmimport/v1/imageimport"), "{created:?}");
    assert!(!s.journal("operation=k5.image.get").await.is_empty());
    // The swift CLI's re-upload over an SLO read the stored manifest and the SLO manifest was PUT.
    let gets = s.journal("operation=k5.object.get&limit=1000").await;
    assert!(gets.iter().any(|e| e["query"].as_str().is_some_and(|q| q.contains("multipart-manifest=get"))), "{gets:?}");
    let puts = s.journal("operation=k5.object.put&limit=1000").await;
    assert!(puts.iter().any(|e| e["query"].as_str().is_some_and(|q| q.contains("multipart-manifest=put"))));
}
