use serde_json::json;

use crate::common::{json, Server};

#[tokio::test]
async fn health_names_version_providers_and_uptime() {
    let s = Server::start().await;
    let (status, v) = json(s.get("/_mockcloud/health").await).await;
    assert_eq!(status, 200);
    assert_eq!(v["status"], "ok");
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    let providers: Vec<&str> = v["providers"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    assert_eq!(providers, ["horizon", "k5", "vcenter", "zstack"]);
    assert!(v["uptime_seconds"].as_f64().unwrap() >= 0.0);
}

#[tokio::test]
async fn unowned_paths_get_a_json_404_and_admin_paths_a_405_for_wrong_methods() {
    let s = Server::start().await;
    let (status, v) = json(s.get("/no/such/thing").await).await;
    assert_eq!(status, 404);
    assert_eq!(v["error"]["code"], "not_found");
    assert!(v["error"]["message"].as_str().unwrap().contains("/no/such/thing"));

    let r = s.request(reqwest::Method::DELETE, "/_mockcloud/health").send().await.unwrap();
    assert_eq!(r.headers()["allow"], "GET");
    let (status, v) = json(r).await;
    assert_eq!(status, 405);
    assert_eq!(v["error"]["code"], "method_not_allowed");
}

#[tokio::test]
async fn routes_list_every_operation_with_method_and_pattern() {
    let s = Server::start().await;
    let (status, v) = json(s.get("/_mockcloud/routes").await).await;
    assert_eq!(status, 200);
    let routes = v["routes"].as_array().unwrap();
    assert!(routes.iter().any(|r| r["operation"] == "mockcloud.clock.advance" && r["method"] == "POST"));
    for r in routes {
        let op = r["operation"].as_str().unwrap();
        assert_eq!(op.split('.').count(), 3, "operation ids are provider.resource.action: {op}");
    }
}

#[tokio::test]
async fn clock_advance_moves_virtual_time_and_refuses_bad_values() {
    let s = Server::start().await;
    let (_, before) = json(s.get("/_mockcloud/clock").await).await;
    assert_eq!(before["mode"], "virtual");
    let after = s.advance(90.0).await;
    assert_eq!(after["elapsed_seconds"], 90.0);

    for bad in [json!({"seconds": -1}), json!({"seconds": "ten"}), json!({})] {
        let (status, v) = json(s.post_json("/_mockcloud/clock/advance", &bad).await).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(v["error"]["code"], "bad_seconds");
    }
    let r = s.request(reqwest::Method::POST, "/_mockcloud/clock/advance").body("{not json").send().await.unwrap();
    let (status, v) = json(r).await;
    assert_eq!(status, 400);
    assert_eq!(v["error"]["code"], "bad_json");
    let (_, now) = json(s.get("/_mockcloud/clock").await).await;
    assert_eq!(now["elapsed_seconds"], 90.0, "refused advances change nothing");
}

#[tokio::test]
async fn clock_advance_is_a_conflict_under_the_real_clock() {
    let s = Server::start_with(&["--clock", "real"]).await;
    let (status, v) = json(s.post_json("/_mockcloud/clock/advance", &json!({"seconds": 5})).await).await;
    assert_eq!(status, 409);
    assert_eq!(v["error"]["code"], "clock_not_virtual");
}

#[tokio::test]
async fn journal_is_bounded_newest_first_and_filterable() {
    let s = Server::start_with(&["--clock", "virtual", "--journal-size", "3"]).await;
    for i in 0..5 {
        s.get(&format!("/nowhere/{i}")).await;
    }
    let all = s.journal("").await;
    assert_eq!(all.len(), 3);
    let paths: Vec<&str> = all.iter().map(|e| e["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["/nowhere/4", "/nowhere/3", "/nowhere/2"]);
    assert!(all.iter().all(|e| e["status"] == 404));

    let since = all[1]["seq"].as_u64().unwrap();
    let newer = s.journal(&format!("since={since}")).await;
    assert_eq!(newer.len(), 1);
    assert_eq!(s.journal("status=200").await.len(), 0);
    assert_eq!(s.journal("status=404&limit=2").await.len(), 2);

    let (status, v) = json(s.get("/_mockcloud/requests?operation=no.such.op").await).await;
    assert_eq!(status, 400);
    assert_eq!(v["error"]["code"], "unknown_operation");
    let (status, v) = json(s.get("/_mockcloud/requests?status=abc").await).await;
    assert_eq!(status, 400);
    assert_eq!(v["error"]["code"], "bad_filter");
    let (status, _) = json(s.get("/_mockcloud/requests?colour=red").await).await;
    assert_eq!(status, 400);

    let (status, v) = json(s.request(reqwest::Method::DELETE, "/_mockcloud/requests").send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(v["cleared"], 3);
    assert!(s.journal("").await.is_empty(), "admin calls are not journaled");
}

#[tokio::test]
async fn credentials_expire_refuses_unknown_providers_and_bad_filters() {
    let s = Server::start().await;
    let (status, v) = json(s.post_json("/_mockcloud/credentials/expire", &json!({"provider": "aws"})).await).await;
    assert_eq!(status, 400);
    assert_eq!(v["error"]["code"], "unknown_provider");
    let (status, v) = json(s.post_json("/_mockcloud/credentials/expire", &json!({"colour": "red"})).await).await;
    assert_eq!(status, 400);
    assert_eq!(v["error"]["code"], "bad_filter");
    let (status, v) = json(s.post_json("/_mockcloud/credentials/expire", &json!({})).await).await;
    assert_eq!(status, 200);
    assert_eq!(v["expired"], 0);
}

#[tokio::test]
async fn state_save_without_a_state_file_is_a_conflict() {
    let s = Server::start().await;
    let (status, v) = json(s.request(reqwest::Method::POST, "/_mockcloud/state/save").send().await.unwrap()).await;
    assert_eq!(status, 409);
    assert_eq!(v["error"]["code"], "no_state_file");
}

#[tokio::test]
async fn oversized_bodies_get_413_before_any_handler() {
    let s = Server::start_with(&["--clock", "virtual", "--max-body-bytes", "16"]).await;
    let r = s.request(reqwest::Method::POST, "/_mockcloud/clock/advance").body(vec![b' '; 64]).send().await.unwrap();
    let (status, v) = json(r).await;
    assert_eq!(status, 413);
    assert_eq!(v["error"]["code"], "payload_too_large");
    let (_, clock) = json(s.get("/_mockcloud/clock").await).await;
    assert_eq!(clock["elapsed_seconds"], 0.0);
}

#[tokio::test]
async fn malformed_request_lines_get_a_400_and_the_server_keeps_serving() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = Server::start().await;
    for garbage in
        ["NOT A REQUEST\r\n\r\n", "GET / HTTP/1.1\r\nBad Header Without Colon\r\n\r\n", "GET /\x01 HTTP/9.9\r\n\r\n"]
    {
        let mut conn = tokio::net::TcpStream::connect(s.addr).await.unwrap();
        conn.write_all(garbage.as_bytes()).await.unwrap();
        let mut out = Vec::new();
        conn.read_to_end(&mut out).await.unwrap();
        let text = String::from_utf8_lossy(&out);
        assert!(text.starts_with("HTTP/1.1 400"), "{garbage:?} → {text:?}");
    }
    let (status, _) = json(s.get("/_mockcloud/health").await).await;
    assert_eq!(status, 200);
}
