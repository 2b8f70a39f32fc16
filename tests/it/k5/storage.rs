//! Swift object storage: containers, objects, listings in every format with paging, metadata, large objects,
//! ranges, and Swift's own error answers (HTML pages, 409/411/412/413/416/422).

use md5::{Digest, Md5};
use reqwest::{Method, Response};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::util::*;
use crate::common::{json, Server};

fn md5_hex(b: &[u8]) -> String {
    hex::encode(Md5::digest(b))
}

fn acct(path: &str) -> String {
    format!("/objectstorage/v1/AUTH_{DEV}{path}")
}

async fn send(s: &Server, m: Method, path: &str, token: &str) -> Response {
    s.request(m, path).header("X-Auth-Token", token).header("Content-Length", "0").send().await.unwrap()
}

async fn put(s: &Server, path: &str, token: &str, data: &[u8], headers: &[(&str, &str)]) -> Response {
    let mut rb =
        s.request(Method::PUT, path).header("X-Auth-Token", token).header("Content-Length", data.len().to_string());
    for (k, v) in headers {
        rb = rb.header(*k, *v);
    }
    rb.body(data.to_vec()).send().await.unwrap()
}

fn h(r: &Response, name: &str) -> String {
    r.headers().get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

#[tokio::test]
async fn info_is_public_and_under_both_paths() {
    let s = Server::start().await;
    for p in ["/info", "/objectstorage/info"] {
        let (st, v) = json(s.get(p).await).await;
        assert_eq!(st, 200);
        assert_eq!(v["swift"]["max_file_size"], 5368709122u64);
        assert_eq!(v["swift"]["container_listing_limit"], 10000);
        assert_eq!(v["slo"]["max_manifest_segments"], 1000);
        assert!(v.get("dlo").is_some());
    }
}

#[tokio::test]
async fn containers_lifecycle_and_errors() {
    let s = Server::start().await;
    let t = alice(&s).await;
    let r = send(&s, Method::PUT, &acct("/box"), &t).await;
    assert_eq!(r.status(), 201);
    let tx = h(&r, "x-trans-id");
    assert!(tx.starts_with("tx") && tx.len() == 34 && tx.as_bytes()[23] == b'-', "{tx}");
    assert_eq!(h(&r, "x-openstack-request-id"), tx);
    assert_eq!(send(&s, Method::PUT, &acct("/box"), &t).await.status(), 202);
    put(&s, &acct("/box/a.txt"), &t, b"abc", &[]).await;
    let r = send(&s, Method::HEAD, &acct("/box"), &t).await;
    assert_eq!(r.status(), 204);
    assert_eq!(h(&r, "x-container-object-count"), "1");
    assert_eq!(h(&r, "x-container-bytes-used"), "3");
    let r = send(&s, Method::DELETE, &acct("/box"), &t).await;
    assert_eq!(r.status(), 409);
    assert_eq!(h(&r, "content-type"), "text/html; charset=UTF-8");
    assert!(r.text().await.unwrap().contains("<h1>Conflict</h1>"));
    assert_eq!(send(&s, Method::DELETE, &acct("/box/a.txt"), &t).await.status(), 204);
    assert_eq!(send(&s, Method::DELETE, &acct("/box"), &t).await.status(), 204);
    let r = send(&s, Method::HEAD, &acct("/box"), &t).await;
    assert_eq!(r.status(), 404);
    let r = send(&s, Method::GET, &acct("/box"), &t).await;
    assert_eq!(r.status(), 404);
    assert_eq!(r.text().await.unwrap(), "<html><h1>Not Found</h1><p>The resource could not be found.</p></html>");
    let r = s
        .request(Method::POST, &acct("/box"))
        .header("X-Auth-Token", &t)
        .header("X-Container-Meta-Color", "red")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let long = "c".repeat(257);
    assert_eq!(send(&s, Method::PUT, &acct(&format!("/{long}")), &t).await.status(), 400);
}

#[tokio::test]
async fn objects_round_trip_with_md5_etags_and_metadata() {
    let s = Server::start().await;
    let t = alice(&s).await;
    let data = b"some disk bytes";
    let r = put(&s, &acct("/images/disk one.vmdk"), &t, data, &[("X-Object-Meta-Mtime", "1700000000.5")]).await;
    assert_eq!(r.status(), 201);
    assert_eq!(h(&r, "etag"), md5_hex(data));
    assert!(!h(&r, "last-modified").is_empty());

    let r = send(&s, Method::GET, &acct("/images/disk%20one.vmdk"), &t).await;
    assert_eq!(r.status(), 200);
    assert_eq!(h(&r, "etag"), md5_hex(data));
    assert_eq!(h(&r, "content-type"), "application/octet-stream");
    assert_eq!(h(&r, "x-object-meta-mtime"), "1700000000.5");
    assert_eq!(h(&r, "accept-ranges"), "bytes");
    assert!(h(&r, "x-timestamp").contains('.'));
    assert_eq!(r.bytes().await.unwrap().as_ref(), data);

    let r = send(&s, Method::HEAD, &acct("/images/disk%20one.vmdk"), &t).await;
    assert_eq!(r.status(), 200);
    assert_eq!(h(&r, "content-length"), data.len().to_string());

    let r = s
        .request(Method::POST, &acct("/images/disk%20one.vmdk"))
        .header("X-Auth-Token", &t)
        .header("X-Object-Meta-Owner", "team-a")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let r = send(&s, Method::HEAD, &acct("/images/disk%20one.vmdk"), &t).await;
    assert_eq!(h(&r, "x-object-meta-owner"), "team-a");
    assert_eq!(h(&r, "x-object-meta-mtime"), "", "POST replaces the metadata set");

    // Served at /v1/AUTH_* too, the form import locations use.
    let r = send(&s, Method::GET, &format!("/v1/AUTH_{DEV}/images/ubuntu-small.vmdk"), &t).await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().starts_with("# Disk DescriptorFile"));
    let r = send(&s, Method::GET, &acct("/images/README.txt"), &t).await;
    assert_eq!(h(&r, "content-type"), "text/plain");

    let r = s
        .request(Method::PUT, &acct("/images/copy.vmdk"))
        .header("X-Auth-Token", &t)
        .header("X-Copy-From", "/images/ubuntu-small.vmdk")
        .header("Content-Length", "0")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(send(&s, Method::HEAD, &acct("/images/copy.vmdk"), &t).await.headers()["content-length"], "339");

    assert_eq!(send(&s, Method::DELETE, &acct("/images/disk%20one.vmdk"), &t).await.status(), 204);
    assert_eq!(send(&s, Method::GET, &acct("/images/disk%20one.vmdk"), &t).await.status(), 404);
    assert_eq!(send(&s, Method::DELETE, &acct("/images/disk%20one.vmdk"), &t).await.status(), 404);
    assert_eq!(put(&s, &acct("/nocontainer/x"), &t, b"x", &[]).await.status(), 404);
}

#[tokio::test]
async fn upload_errors_422_411_413() {
    let s = Server::start().await;
    let t = alice(&s).await;
    let r = put(&s, &acct("/images/x.vmdk"), &t, b"abc", &[("ETag", "0123456789abcdef0123456789abcdef")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Unprocessable Entity"));
    assert_eq!(send(&s, Method::HEAD, &acct("/images/x.vmdk"), &t).await.status(), 404, "nothing stored");
    assert_eq!(
        put(&s, &acct("/images/x.vmdk"), &t, b"abc", &[("ETag", &format!("\"{}\"", md5_hex(b"abc")))]).await.status(),
        201
    );

    // Raw requests: no length at all, and a declared length above Swift's 5 GiB + 2 limit.
    for (head, want) in [
        (format!("PUT {} HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {t}\r\nConnection: close\r\n\r\n", acct("/images/nolen")), "411"),
        (
            format!(
                "PUT {} HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {t}\r\nContent-Length: 5368709123\r\nConnection: close\r\n\r\n",
                acct("/images/huge")
            ),
            "413",
        ),
    ] {
        let mut sock = tokio::net::TcpStream::connect(s.addr).await.unwrap();
        sock.write_all(head.as_bytes()).await.unwrap();
        let mut buf = vec![0u8; 4096];
        let n = sock.read(&mut buf).await.unwrap();
        let text = String::from_utf8_lossy(&buf[..n]).to_string();
        assert!(text.starts_with(&format!("HTTP/1.1 {want}")), "{text}");
        assert!(text.contains("text/html"), "{text}");
    }
    assert_eq!(send(&s, Method::HEAD, &acct("/images/huge"), &t).await.status(), 404);
}

#[tokio::test]
async fn listings_in_every_format_with_paging() {
    let s = Server::start().await;
    let t = alice(&s).await;
    send(&s, Method::PUT, &acct("/list"), &t).await;
    let r = send(&s, Method::GET, &acct("/list"), &t).await;
    assert_eq!(r.status(), 204, "empty plain listing");
    let r = send(&s, Method::GET, &acct("/list?format=json"), &t).await;
    assert_eq!((r.status().as_u16(), r.text().await.unwrap()), (200, "[]".to_string()));
    for name in ["a", "b/1", "b/2", "c"] {
        put(&s, &acct(&format!("/list/{name}")), &t, name.as_bytes(), &[("Content-Type", "text/plain")]).await;
    }
    let r = send(&s, Method::GET, &acct("/list"), &t).await;
    assert_eq!(h(&r, "content-type"), "text/plain; charset=utf-8");
    assert_eq!(h(&r, "x-container-object-count"), "4");
    assert_eq!(r.text().await.unwrap(), "a\nb/1\nb/2\nc\n");

    let (st, v) = json(send(&s, Method::GET, &acct("/list?format=json&limit=2"), &t).await).await;
    assert_eq!(st, 200);
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[0]["name"], "a");
    assert_eq!(v[0]["hash"], md5_hex(b"a"));
    assert_eq!(v[0]["bytes"], 1);
    assert_eq!(v[0]["content_type"], "text/plain");
    assert_eq!(v[0]["last_modified"].as_str().unwrap().len(), 26);
    let (_, v) = json(send(&s, Method::GET, &acct("/list?format=json&marker=b/1"), &t).await).await;
    assert_eq!(v.as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect::<Vec<_>>(), ["b/2", "c"]);
    let (_, v) = json(send(&s, Method::GET, &acct("/list?format=json&delimiter=/"), &t).await).await;
    assert_eq!(v[1], json!({"subdir": "b/"}));
    assert_eq!(v.as_array().unwrap().len(), 3);
    let (_, v) = json(send(&s, Method::GET, &acct("/list?format=json&prefix=b/&end_marker=b/2"), &t).await).await;
    assert_eq!(v.as_array().unwrap().len(), 1);
    let r = send(&s, Method::GET, &acct("/list?format=json&marker=c"), &t).await;
    assert_eq!(r.text().await.unwrap(), "[]", "paging past the end terminates");

    // openstacksdk style: trailing slash, Accept: application/json, no format.
    let r = s
        .request(Method::GET, &acct("/list/"))
        .header("X-Auth-Token", &t)
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(h(&r, "content-type"), "application/json; charset=utf-8");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v.as_array().unwrap().len(), 4);

    let r = send(&s, Method::GET, &acct("/list?format=xml&limit=1"), &t).await;
    let xml = r.text().await.unwrap();
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<container name=\"list\"><object><hash>"),
        "{xml}"
    );
    assert!(xml.contains("<name>a</name>") && xml.ends_with("</container>"));

    let r = send(&s, Method::GET, &acct("/list?limit=10001"), &t).await;
    assert_eq!(r.status(), 412);
    assert_eq!(send(&s, Method::GET, &acct("/list?limit=x"), &t).await.status(), 412);

    // Account listing and counts.
    let r = s
        .request(Method::GET, &acct("/"))
        .header("X-Auth-Token", &t)
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(h(&r, "x-account-container-count"), "2");
    assert_eq!(h(&r, "x-account-object-count"), "6");
    let v: Value = r.json().await.unwrap();
    let list = v.as_array().unwrap().iter().find(|c| c["name"] == "list").unwrap();
    assert_eq!((list["count"].as_u64(), list["bytes"].as_u64()), (Some(4), Some(8)));
    let r = send(&s, Method::HEAD, &acct(""), &t).await;
    assert_eq!(r.status(), 204);
    assert_eq!(h(&r, "x-account-bytes-used"), (339 + 92 + 8).to_string());
    assert_eq!(send(&s, Method::GET, &acct("?format=plain"), &t).await.text().await.unwrap(), "images\nlist\n");
}

#[tokio::test]
async fn auth_failures_are_swift_401_and_403() {
    let s = Server::start().await;
    let r = s.get(&acct("/images")).await;
    assert_eq!(r.status(), 401);
    assert_eq!(h(&r, "content-type"), "text/html; charset=UTF-8");
    assert_eq!(
        r.text().await.unwrap(),
        "<html><h1>Unauthorized</h1><p>This server could not verify that you are authorized to access the document you requested.</p></html>"
    );
    assert_eq!(send(&s, Method::GET, &acct("/images"), "0123").await.status(), 401);
    // Swift's older header name is accepted too.
    let t = alice(&s).await;
    let r = s.request(Method::HEAD, &acct("/images")).header("X-Storage-Token", &t).send().await.unwrap();
    assert_eq!(r.status(), 204);
    // Another project's account.
    let carol = token(&s, "carol", CONTRACT_B, None).await;
    let r = send(&s, Method::GET, &acct("/images"), &carol).await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("<h1>Forbidden</h1>"));
    // Observers read but do not write.
    let bob = project_token(&s, "bob", CONTRACT_A, DEV).await;
    assert_eq!(send(&s, Method::GET, &acct("/images"), &bob).await.status(), 200);
    assert_eq!(put(&s, &acct("/images/b.vmdk"), &bob, b"x", &[]).await.status(), 403);
    assert_eq!(send(&s, Method::DELETE, &acct("/images/ubuntu-small.vmdk"), &bob).await.status(), 403);
    // Unscoped token: no account.
    let dave = token(&s, "dave", CONTRACT_A, None).await;
    assert_eq!(send(&s, Method::GET, &acct(""), &dave).await.status(), 403);
}

#[tokio::test]
async fn static_large_objects() {
    let s = Server::start().await;
    let t = alice(&s).await;
    send(&s, Method::PUT, &acct("/segs"), &t).await;
    let parts: [&[u8]; 3] = [b"aaaa", b"bbbb", b"cc"];
    let mut manifest = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        put(&s, &acct(&format!("/segs/disk/{i:08}")), &t, p, &[]).await;
        manifest.push(json!({"path": format!("/segs/disk/{i:08}"), "etag": md5_hex(p), "size_bytes": p.len()}));
    }
    let body = serde_json::to_vec(&manifest).unwrap();
    let r = put(&s, &acct("/images/slo.vmdk?multipart-manifest=put"), &t, &body, &[]).await;
    assert_eq!(r.status(), 201);
    let expected = md5_hex(parts.iter().map(|p| md5_hex(p)).collect::<String>().as_bytes());
    assert_eq!(h(&r, "etag"), format!("\"{expected}\""));

    let r = send(&s, Method::GET, &acct("/images/slo.vmdk"), &t).await;
    assert_eq!(h(&r, "x-static-large-object"), "True");
    assert_eq!(h(&r, "etag"), format!("\"{expected}\""));
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"aaaabbbbcc");
    let r = send(&s, Method::HEAD, &acct("/images/slo.vmdk"), &t).await;
    assert_eq!(h(&r, "content-length"), "10");
    let r = s
        .request(Method::GET, &acct("/images/slo.vmdk"))
        .header("X-Auth-Token", &t)
        .header("Range", "bytes=3-5")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 206);
    assert_eq!(h(&r, "content-range"), "bytes 3-5/10");
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"abb");
    let r = s
        .request(Method::GET, &acct("/images/slo.vmdk"))
        .header("X-Auth-Token", &t)
        .header("Range", "bytes=10-")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 416);

    let (_, stored) = json(send(&s, Method::GET, &acct("/images/slo.vmdk?multipart-manifest=get"), &t).await).await;
    assert_eq!(stored[0]["name"], "/segs/disk/00000000");
    assert_eq!(stored[0]["hash"], md5_hex(b"aaaa"));
    assert_eq!(stored[2]["bytes"], 2);

    // Bad manifests: etag mismatch and a missing segment, listed by Swift in a plain-text 400.
    let bad = json!([{"path": "/segs/disk/00000000", "etag": "0".repeat(32), "size_bytes": 4},
                     {"path": "/segs/disk/missing", "etag": null, "size_bytes": null}]);
    let r = put(&s, &acct("/images/bad.vmdk?multipart-manifest=put"), &t, bad.to_string().as_bytes(), &[]).await;
    assert_eq!(r.status(), 400);
    let text = r.text().await.unwrap();
    assert!(
        text.contains("/segs/disk/00000000, Etag Mismatch") && text.contains("/segs/disk/missing, 404 Not Found"),
        "{text}"
    );
    assert_eq!(put(&s, &acct("/images/bad.vmdk?multipart-manifest=put"), &t, b"nope", &[]).await.status(), 400);

    let r = send(&s, Method::DELETE, &acct("/images/slo.vmdk?multipart-manifest=delete"), &t).await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Number Deleted: 4"));
    assert_eq!(send(&s, Method::HEAD, &acct("/segs/disk/00000000"), &t).await.status(), 404);
}

#[tokio::test]
async fn dynamic_large_objects() {
    let s = Server::start().await;
    let t = alice(&s).await;
    send(&s, Method::PUT, &acct("/segs"), &t).await;
    put(&s, &acct("/segs/d/2"), &t, b"world", &[]).await;
    put(&s, &acct("/segs/d/1"), &t, b"hello ", &[]).await;
    let r = put(&s, &acct("/images/dlo.vmdk"), &t, b"", &[("X-Object-Manifest", "segs/d/")]).await;
    assert_eq!(r.status(), 201);
    let r = send(&s, Method::GET, &acct("/images/dlo.vmdk"), &t).await;
    assert_eq!(h(&r, "x-object-manifest"), "segs/d/");
    let expected = md5_hex(format!("{}{}", md5_hex(b"hello "), md5_hex(b"world")).as_bytes());
    assert_eq!(h(&r, "etag"), format!("\"{expected}\""));
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"hello world");
}

#[tokio::test]
async fn server_side_copy_with_copy_method_and_x_copy_from() {
    let s = Server::start().await;
    let t = alice(&s).await;
    put(
        &s,
        &acct("/images/src.txt"),
        &t,
        b"payload",
        &[("Content-Type", "text/x-custom"), ("X-Object-Meta-Kind", "a")],
    )
    .await;
    let copy = Method::from_bytes(b"COPY").unwrap();
    let r = s
        .request(copy.clone(), &acct("/images/src.txt"))
        .header("X-Auth-Token", &t)
        .header("Destination", "/images/dst.txt")
        .header("X-Object-Meta-Extra", "b")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(h(&r, "x-copied-from"), "images/src.txt");
    assert_eq!(h(&r, "etag"), md5_hex(b"payload"));
    let r = send(&s, Method::GET, &acct("/images/dst.txt"), &t).await;
    assert_eq!(h(&r, "content-type"), "text/x-custom");
    assert_eq!((h(&r, "x-object-meta-kind"), h(&r, "x-object-meta-extra")), ("a".into(), "b".into()));
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"payload");

    let r = s.request(copy.clone(), &acct("/images/src.txt")).header("X-Auth-Token", &t).send().await.unwrap();
    assert_eq!(r.status(), 412);
    let r = s
        .request(copy.clone(), &acct("/images/src.txt"))
        .header("X-Auth-Token", &t)
        .header("Destination", "nocontainer/x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = s
        .request(copy, &acct("/images/missing"))
        .header("X-Auth-Token", &t)
        .header("Destination", "images/x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = put(&s, &acct("/images/viaput.txt"), &t, b"", &[("X-Copy-From", "images/src.txt")]).await;
    assert_eq!(r.status(), 201);
    assert_eq!(h(&send(&s, Method::HEAD, &acct("/images/viaput.txt"), &t).await, "content-type"), "text/x-custom");
    assert_eq!(put(&s, &acct("/images/bad.txt"), &t, b"", &[("X-Copy-From", "nothing")]).await.status(), 412);
}
