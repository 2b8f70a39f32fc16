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
    // The clients met no error they did not ask for: only the script's deliberate 400 and 401, and the
    // HEADs swiftclient sends before uploading a new object.
    let all = s.journal("limit=10000").await;
    let unexpected: Vec<String> = all
        .iter()
        .filter(|e| e["status"].as_u64().unwrap_or(0) >= 400)
        .filter(|e| {
            let (m, st, op) = (e["method"].as_str(), e["status"].as_u64(), e["operation"].as_str());
            !matches!(
                (m, st, op),
                (Some("HEAD"), Some(404), Some("k5.object.head"))
                    | (Some("POST"), Some(400), Some("k5.imageimport.create"))
                    | (Some("POST"), Some(401), Some("k5.token.create"))
            )
        })
        .map(|e| format!("{} {} -> {}", e["method"], e["path"], e["status"]))
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:#?}");
    let puts = s.journal("operation=k5.object.put&limit=1000").await;
    assert!(puts.iter().any(|e| e["query"].as_str().is_some_and(|q| q.contains("multipart-manifest=put"))));
}
