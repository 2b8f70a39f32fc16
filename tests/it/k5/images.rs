//! Glance v2 under `/image`: discovery, list/show/update/delete, members, and webob-style errors.

use reqwest::Method;
use serde_json::json;

use super::util::*;
use crate::common::{json, Server};

/// Registers the fixture VMDK as image `id` and runs the import to the end.
async fn imported(s: &Server, t: &str, id: &str, name: &str) {
    let mut b = good_import();
    b["id"] = json!(id);
    b["name"] = json!(name);
    assert_eq!(register(s, t, &b).await.0, 201);
    s.advance(300.0).await;
}

const IMG: &str = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";

#[tokio::test]
async fn version_discovery_is_glance_shaped() {
    let s = Server::start().await;
    for p in ["/image", "/image/"] {
        let (st, v) = json(s.get(p).await).await;
        assert_eq!(st, 300);
        assert_eq!(v["versions"][0]["id"], "v2.6");
        assert_eq!(v["versions"][0]["status"], "CURRENT");
        assert_eq!(v["versions"][0]["links"][0]["href"], format!("{}/image/v2/", s.base));
    }
    assert_eq!(s.get("/image/versions").await.status(), 200);
}

#[tokio::test]
async fn list_and_show_what_the_project_may_see() {
    let s = Server::start().await;
    let t = alice(&s).await;
    imported(&s, &t, IMG, "mine").await;
    let (st, v) = call(&s, Method::GET, "/image/v2/images", &t, None).await;
    assert_eq!(st, 200);
    let ids: Vec<&str> = v["images"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [IMG, BASE_IMAGE], "newest first");
    assert_eq!(v["first"], "/v2/images");
    assert!(v.get("next").is_none());
    let (_, v) = call(&s, Method::GET, "/image/v2/images?limit=1", &t, None).await;
    assert_eq!(v["next"], format!("/v2/images?marker={IMG}&limit=1"));
    let (_, v) = call(&s, Method::GET, &format!("/image/v2/images?limit=1&marker={IMG}"), &t, None).await;
    assert_eq!(v["images"][0]["id"], BASE_IMAGE);
    let (_, v) = call(&s, Method::GET, "/image/v2/images?visibility=private", &t, None).await;
    assert_eq!(v["images"].as_array().unwrap().len(), 1);
    let (st, v) = call(&s, Method::GET, "/image/v2/images?marker=nope", &t, None).await;
    assert_eq!(st, 400);
    assert_eq!(v["code"], "400 Bad Request");

    let (st, img) = call(&s, Method::GET, &format!("/image/v2/images/{IMG}"), &t, None).await;
    assert_eq!(st, 200);
    assert_eq!(img["self"], format!("/v2/images/{IMG}"));
    assert_eq!(img["file"], format!("/v2/images/{IMG}/file"));
    assert_eq!(img["schema"], "/v2/schemas/image");
    assert_eq!(img["checksum"].as_str().unwrap().len(), 32);

    // Another contract sees the public image only.
    let carol = token(&s, "carol", CONTRACT_B, None).await;
    let (_, v) = call(&s, Method::GET, "/image/v2/images", &carol, None).await;
    assert_eq!(v["images"].as_array().unwrap().len(), 1);
    let (st, v) = call(&s, Method::GET, &format!("/image/v2/images/{IMG}"), &carol, None).await;
    assert_eq!(st, 404);
    assert_eq!(v["message"], format!("No image found with ID {IMG}"));
    // Without Accept: application/json, webob's HTML page.
    let r =
        s.request(Method::GET, &format!("/image/v2/images/{IMG}")).header("X-Auth-Token", &carol).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("<h1>404 Not Found</h1>"));
    let (st, v) = json(s.get("/image/v2/images").await).await;
    assert_eq!((st, v["error"]["code"].as_u64()), (401, Some(401)));
}

#[tokio::test]
async fn update_with_json_patch_and_delete() {
    let s = Server::start().await;
    let t = alice(&s).await;
    imported(&s, &t, IMG, "mine").await;
    let patch = |body: serde_json::Value, ct: &'static str| {
        s.request(Method::PATCH, &format!("/image/v2/images/{IMG}"))
            .header("X-Auth-Token", &t)
            .header("Accept", "application/json")
            .header("Content-Type", ct)
            .body(body.to_string())
    };
    let ok =
        json!([{"op": "replace", "path": "/name", "value": "renamed"}, {"op": "add", "path": "/note", "value": "hi"}]);
    let (st, v) = json(patch(ok.clone(), "application/json").send().await.unwrap()).await;
    assert_eq!(st, 415, "{v}");
    let (st, v) = json(patch(ok, "application/openstack-images-v2.1-json-patch").send().await.unwrap()).await;
    assert_eq!(st, 200);
    assert_eq!(v["name"], "renamed");
    assert_eq!(v["note"], "hi");
    let (st, v) = json(
        patch(json!([{"op": "replace", "path": "/id", "value": "x"}]), "application/openstack-images-v2.1-json-patch")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(st, 403);
    assert_eq!(v["message"], "Attribute 'id' is read-only.");
    let (st, _) = json(
        patch(
            json!([{"op": "replace", "path": "/min_ram", "value": -5}]),
            "application/openstack-images-v2.1-json-patch",
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(st, 400);

    let (st, v) = call(&s, Method::DELETE, &format!("/image/v2/images/{BASE_IMAGE}"), &t, None).await;
    assert_eq!(st, 403, "{v}");
    let r =
        s.request(Method::DELETE, &format!("/image/v2/images/{IMG}")).header("X-Auth-Token", &t).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(call(&s, Method::GET, &format!("/image/v2/images/{IMG}"), &t, None).await.0, 404);
}

#[tokio::test]
async fn members_share_an_imported_image_with_another_project() {
    let s = Server::start().await;
    let t = alice(&s).await;
    imported(&s, &t, IMG, "shared").await;
    let carol = token(&s, "carol", CONTRACT_B, None).await;
    let path = format!("/image/v2/images/{IMG}/members");
    let (st, m) = call(&s, Method::POST, &path, &t, Some(&json!({"member": B_PRJ}))).await;
    assert_eq!(st, 200);
    assert_eq!((m["status"].as_str(), m["member_id"].as_str()), (Some("pending"), Some(B_PRJ)));
    assert_eq!(call(&s, Method::POST, &path, &t, Some(&json!({"member": B_PRJ}))).await.0, 409);
    assert_eq!(call(&s, Method::POST, &path, &t, Some(&json!({}))).await.0, 400);

    // The consumer can read it but does not list it until accepted.
    assert_eq!(call(&s, Method::GET, &format!("/image/v2/images/{IMG}"), &carol, None).await.0, 200);
    let (_, v) = call(&s, Method::GET, "/image/v2/images", &carol, None).await;
    assert!(v["images"].as_array().unwrap().iter().all(|i| i["id"] != IMG));
    let member = format!("{path}/{B_PRJ}");
    assert_eq!(call(&s, Method::PUT, &member, &t, Some(&json!({"status": "accepted"}))).await.0, 403);
    assert_eq!(call(&s, Method::PUT, &member, &carol, Some(&json!({"status": "maybe"}))).await.0, 400);
    let (st, v) = call(&s, Method::PUT, &member, &carol, Some(&json!({"status": "accepted"}))).await;
    assert_eq!((st, v["status"].as_str()), (200, Some("accepted")));
    let (_, v) = call(&s, Method::GET, "/image/v2/images", &carol, None).await;
    assert!(v["images"].as_array().unwrap().iter().any(|i| i["id"] == IMG));
    let (_, v) = call(&s, Method::GET, &path, &t, None).await;
    assert_eq!(v["members"].as_array().unwrap().len(), 1);

    let r = s.request(Method::DELETE, &member).header("X-Auth-Token", &t).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(call(&s, Method::GET, &format!("/image/v2/images/{IMG}"), &carol, None).await.0, 404);
    // Public images have no members.
    let (st, _) =
        call(&s, Method::POST, &format!("/image/v2/images/{BASE_IMAGE}/members"), &t, Some(&json!({"member": B_PRJ})))
            .await;
    assert_eq!(st, 403);
}

#[tokio::test]
async fn image_file_download_returns_the_imported_bytes() {
    let s = Server::start().await;
    let t = alice(&s).await;
    imported(&s, &t, IMG, "dl").await;
    let r = s
        .request(Method::GET, &format!("/image/v2/images/{IMG}/file"))
        .header("X-Auth-Token", &t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let md5 = r.headers()["content-md5"].to_str().unwrap().to_string();
    let body = r.bytes().await.unwrap();
    assert!(body.starts_with(b"# Disk DescriptorFile"));
    let (_, img) = call(&s, Method::GET, &format!("/image/v2/images/{IMG}"), &t, None).await;
    assert_eq!(img["checksum"], md5);
    let r = s
        .request(Method::GET, &format!("/image/v2/images/{BASE_IMAGE}/file"))
        .header("X-Auth-Token", &t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
}

#[tokio::test]
async fn tags_are_added_and_removed() {
    let s = Server::start().await;
    let t = alice(&s).await;
    imported(&s, &t, IMG, "tagged").await;
    let tag = |m: Method, name: &str| {
        s.request(m, &format!("/image/v2/images/{IMG}/tags/{name}"))
            .header("X-Auth-Token", &t)
            .header("Accept", "application/json")
            .send()
    };
    assert_eq!(tag(Method::PUT, "golden").await.unwrap().status(), 204);
    assert_eq!(tag(Method::PUT, "golden").await.unwrap().status(), 204);
    let (_, img) = call(&s, Method::GET, &format!("/image/v2/images/{IMG}"), &t, None).await;
    assert_eq!(img["tags"], json!(["golden"]));
    assert_eq!(tag(Method::DELETE, "golden").await.unwrap().status(), 204);
    assert_eq!(tag(Method::DELETE, "golden").await.unwrap().status(), 404);
    let r = s
        .request(Method::PUT, &format!("/image/v2/images/{BASE_IMAGE}/tags/x"))
        .header("X-Auth-Token", &t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}
