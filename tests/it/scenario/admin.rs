//! `/_mockcloud/scenarios`: put (create, replace), get, list with hit counts, delete one or all.

use reqwest::Method;
use serde_json::json;

use super::{put, start};
use crate::common::json;

#[tokio::test]
async fn scenarios_are_put_listed_replaced_and_deleted() {
    let s = start().await;
    let busy = json!({"rules": [{"name": "busy", "match": {"operation": "tp.item.get"}, "act": {"error": {"code": "TP.BUSY"}}}]});
    let (status, v) = put(&s, "one", &busy).await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["name"], "one", "the URL names a scenario without a name");
    s.get("/tp/items/1").await;
    s.get("/tp/items/2").await;
    let (status, all) = json(s.get("/_mockcloud/scenarios").await).await;
    assert_eq!(status, 200);
    let rule = &all["scenarios"][0]["rules"][0];
    assert_eq!(
        (rule["name"].as_str(), rule["hits"].as_u64(), rule["matched"].as_u64()),
        (Some("busy"), Some(2), Some(2))
    );
    assert_eq!(rule["act"], json!({"error": {"code": "TP.BUSY"}}));

    let (status, v) = put(&s, "one", &busy).await;
    assert_eq!(status, 200, "putting the same name replaces it");
    assert_eq!(v["rules"][0]["hits"], 0, "with fresh counts");

    let (status, v) = put(&s, "two", &json!({"name": "three", "rules": []})).await;
    assert_eq!(status, 400);
    assert_eq!(v["error"]["problems"][0]["path"], "name");
    let (status, v) = put(&s, "bad%20name", &json!({})).await;
    assert_eq!((status, v["error"]["code"].as_str()), (400, Some("bad_scenario_name")));

    let (status, v) = json(s.request(Method::DELETE, "/_mockcloud/scenarios/one").send().await.unwrap()).await;
    assert_eq!((status, v), (200, json!({"deleted": "one"})));
    assert_eq!(s.get("/tp/items/1").await.status(), 200, "a deleted scenario stops acting");
    let (status, v) = json(s.request(Method::DELETE, "/_mockcloud/scenarios/one").send().await.unwrap()).await;
    assert_eq!((status, v["error"]["code"].as_str()), (404, Some("unknown_scenario")));
    let (status, _) = json(s.get("/_mockcloud/scenarios/one").await).await;
    assert_eq!(status, 404);

    put(&s, "a", &busy).await;
    put(&s, "b", &busy).await;
    let (status, v) = json(s.request(Method::DELETE, "/_mockcloud/scenarios").send().await.unwrap()).await;
    assert_eq!((status, v), (200, json!({"cleared": 2})));
    assert_eq!(s.get("/tp/items/1").await.status(), 200);
}
