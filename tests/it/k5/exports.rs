//! The export API (its own `error_message` family): request errors, the lifecycle writing the image back to
//! object storage (an export → import round trip), list, status and cancel.

use reqwest::Method;
use serde_json::{json, Value};

use super::util::*;
use crate::common::Server;

const IMG: &str = "12345678-aaaa-4bbb-8ccc-1234567890ab";

async fn with_image(s: &Server) -> String {
    let t = alice(s).await;
    let mut b = good_import();
    b["id"] = json!(IMG);
    assert_eq!(register(s, &t, &b).await.0, 201);
    s.advance(300.0).await;
    t
}

fn container() -> String {
    format!("/v1/AUTH_{DEV}/images")
}

async fn export(s: &Server, t: &str, body: &Value) -> (u16, Value) {
    call(s, Method::POST, "/v1/imageexport", t, Some(body)).await
}

fn assert_export_error(got: (u16, Value), status: u16, code: &str, message: &str) {
    assert_eq!(got.0, status, "{code}: {}", got.1);
    assert_eq!(got.1, json!({"error_code": code, "error_message": message}));
}

#[tokio::test]
async fn request_errors_use_the_export_table() {
    let s = Server::start().await;
    let t = with_image(&s).await;
    let c = container();
    assert_export_error(
        export(&s, &t, &json!({"storage_container": c})).await,
        400,
        "40001",
        "Required parameter 'image_id' is not specified.",
    );
    let r = s.request(Method::POST, "/v1/imageexport").header("X-Auth-Token", &t).body("junk").send().await.unwrap();
    assert_export_error(crate::common::json(r).await, 400, "40001", "Required parameter 'image_id' is not specified.");
    assert_export_error(
        export(&s, &t, &json!({"image_id": IMG})).await,
        400,
        "40003",
        "Required parameter 'storage_container' is not specified.",
    );
    for bad in [json!("abc"), json!("00000000-0000-4000-8000-000000000000"), json!(BASE_IMAGE), json!(5)] {
        assert_export_error(
            export(&s, &t, &json!({"image_id": bad, "storage_container": c})).await,
            400,
            "40002",
            "Parameter 'image_id' has invalid value.",
        );
    }
    for bad in
        [json!("images"), json!(format!("/v1/AUTH_{B_PRJ}/vmdk")), json!(format!("/v1/AUTH_{DEV}/missing")), json!(1)]
    {
        assert_export_error(
            export(&s, &t, &json!({"image_id": IMG, "storage_container": bad})).await,
            400,
            "40004",
            "Parameter 'storage_container' has invalid value.",
        );
    }
    let dave = token(&s, "dave", CONTRACT_A, None).await;
    assert_export_error(
        export(&s, &dave, &json!({"image_id": IMG, "storage_container": c})).await,
        400,
        "40005",
        "Project id does not exist.",
    );
    let bob = project_token(&s, "bob", CONTRACT_A, DEV).await;
    assert_export_error(
        export(&s, &bob, &json!({"image_id": IMG, "storage_container": c})).await,
        403,
        "40301",
        "You cannot execute this API.",
    );
    assert_eq!(export(&s, "nope", &json!({})).await.0, 401);
}

#[tokio::test]
async fn export_writes_the_image_back_and_it_imports_again() {
    let s = Server::start().await;
    let t = with_image(&s).await;
    let (st, v) = export(&s, &t, &json!({"image_id": IMG, "storage_container": format!("{}/", container())})).await;
    assert_eq!(st, 201);
    let id = v["export_id"].as_str().unwrap().to_string();
    let status = format!("/v1/imageexport/{id}/status");
    let (st, v) = call(&s, Method::GET, &status, &t, None).await;
    assert_eq!(st, 200);
    assert_eq!(v["export_status"], "queued");
    assert_eq!(v["image_id"], IMG);
    assert_eq!(v["image_name"], "my-image");
    assert!(v["request_time"].as_str().unwrap().ends_with('Z'));
    s.advance(150.0).await;
    let (_, v) = call(&s, Method::GET, &status, &t, None).await;
    assert_eq!((v["export_status"].as_str(), v["progress"].as_u64()), (Some("processing"), Some(50)));
    s.advance(150.0).await;
    let (_, v) = call(&s, Method::GET, &status, &t, None).await;
    assert_eq!((v["export_status"].as_str(), v["progress"].as_u64()), (Some("succeeded"), Some(100)));

    let r = s
        .request(Method::GET, &format!("/v1/AUTH_{DEV}/images/{IMG}.vmdk"))
        .header("X-Auth-Token", &t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().starts_with("# Disk DescriptorFile"));
    let mut b = good_import();
    b["location"] = json!(format!("/v1/AUTH_{DEV}/images/{IMG}.vmdk"));
    b["checksum"] = json!(UBUNTU_SHA1);
    let (st, _) = register(&s, &t, &b).await;
    assert_eq!(st, 201);

    let (st, v) = call(&s, Method::GET, "/v1/imageexport", &t, None).await;
    assert_eq!(st, 200);
    assert_eq!(v["exports"][0]["export_id"], id.as_str());
    assert_eq!(v["exports"][0]["status"], format!("/v1/imageexport/{id}/status"));
    assert_eq!(v["exports"][0]["export_status"], "succeeded");
    assert_export_error(
        call(&s, Method::GET, "/v1/imageexport?start=x", &t, None).await,
        400,
        "40013",
        "Query parameter 'start' has invalid value.",
    );
    assert_export_error(
        call(&s, Method::GET, "/v1/imageexport?limit=-2", &t, None).await,
        400,
        "40014",
        "Query parameter 'limit' has invalid value.",
    );
    assert_export_error(
        call(&s, Method::GET, "/v1/imageexport/00000000-0000-4000-8000-000000000000/status", &t, None).await,
        404,
        "40401",
        "Invalid export_id.",
    );
    // Finished exports cannot be cancelled.
    let r = s
        .request(Method::POST, &format!("/v1/imageexport/{id}/cancel"))
        .header("X-Auth-Token", &t)
        .send()
        .await
        .unwrap();
    assert_export_error(crate::common::json(r).await, 404, "40402", "Export_id was already finished.");
}

#[tokio::test]
async fn cancel_moves_through_cancelling_to_canceled() {
    let s = Server::start().await;
    let t = with_image(&s).await;
    let (_, v) = export(&s, &t, &json!({"image_id": IMG, "storage_container": container()})).await;
    let id = v["export_id"].as_str().unwrap().to_string();
    let cancel = |id: String| {
        s.request(Method::POST, &format!("/vmimport/v1/imageexport/{id}/cancel")).header("X-Auth-Token", &t).send()
    };
    let r = cancel(id.clone()).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.unwrap().is_empty());
    let status = format!("/v1/imageexport/{id}/status");
    assert_eq!(call(&s, Method::GET, &status, &t, None).await.1["export_status"], "cancelling");
    assert_export_error(
        crate::common::json(cancel(id.clone()).await.unwrap()).await,
        400,
        "40010",
        "Export_id is already accepted cancelling.",
    );
    s.advance(10.0).await;
    assert_eq!(call(&s, Method::GET, &status, &t, None).await.1["export_status"], "canceled");
    assert_export_error(
        crate::common::json(cancel(id.clone()).await.unwrap()).await,
        404,
        "40402",
        "Export_id was already finished.",
    );
    assert_export_error(
        crate::common::json(cancel("00000000-0000-4000-8000-000000000000".into()).await.unwrap()).await,
        404,
        "40401",
        "Invalid export_id.",
    );
    // Nothing was written.
    s.advance(600.0).await;
    let r = s
        .request(Method::HEAD, &format!("/v1/AUTH_{DEV}/images/{IMG}.vmdk"))
        .header("X-Auth-Token", &t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}
