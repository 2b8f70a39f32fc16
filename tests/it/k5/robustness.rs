//! Bad input never panics and never gets a 500 the real API would not give: every k5 route, with hostile path
//! variables, query strings and bodies, answers below 500 and the server keeps serving.

use reqwest::Method;
use serde_json::Value;

use super::util::*;
use crate::common::{json, Server};

fn fill(pattern: &str, var: &str) -> String {
    let mut out = String::new();
    for seg in pattern.split('/').skip(1) {
        out.push('/');
        match (seg.find('{'), seg.ends_with('}')) {
            (Some(open), true) => {
                out.push_str(&seg[..open]);
                out.push_str(var);
            }
            _ => out.push_str(seg),
        }
    }
    if pattern == "/" {
        out.push('/');
    }
    out
}

#[tokio::test]
async fn every_route_survives_hostile_input() {
    let s = Server::start().await;
    let t = alice(&s).await;
    let (_, v) = json(s.get("/_mockcloud/routes").await).await;
    let routes: Vec<(String, String)> = v["routes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["operation"].as_str().unwrap().starts_with("k5."))
        .map(|r| (r["method"].as_str().unwrap().to_string(), r["path"].as_str().unwrap().to_string()))
        .collect();
    assert!(routes.len() > 80, "{}", routes.len());
    let long = "x".repeat(5000);
    let deep = format!("{}{}", "[".repeat(2000), "]".repeat(2000));
    let bodies: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"\xff\xfe\x00garbage".to_vec(),
        b"{\"name\":".to_vec(),
        deep.into_bytes(),
        br#"{"name":{"a":1},"location":[1],"os_type":null,"id":{},"min_ram":1e309,"kms":[],"auth":7,"member":5,"status":[]}"#.to_vec(),
        br#"[{"op":"replace","path":"/","value":1},{"path":7}]"#.to_vec(),
        format!("{{\"name\":\"{long}\",\"location\":\"{long}\",\"os_type\":\"{long}\"}}").into_bytes(),
    ];
    let vars = [DEV.to_string(), "%00%ff".to_string(), "..".to_string(), "a%2Fb".to_string(), long.clone()];
    for (method, pattern) in &routes {
        let m = Method::from_bytes(method.as_bytes()).unwrap();
        for var in &vars {
            let path = fill(pattern, var);
            for body in &bodies {
                for query in [
                    "",
                    "?start=-1&limit=x&marker=%ff&format=xml&delimiter=ab&multipart-manifest=put",
                    "?limit=99999999999999999999",
                ] {
                    let r = s
                        .request(m.clone(), &format!("{path}{query}"))
                        .header("X-Auth-Token", &t)
                        .header("Range", "bytes=9-1,x")
                        .header("Content-Type", "application/openstack-images-v2.1-json-patch")
                        .body(body.clone())
                        .send()
                        .await
                        .unwrap_or_else(|e| panic!("{method} {path}{query}: {e}"));
                    assert!(r.status().as_u16() < 500, "{method} {path}{query} -> {}", r.status());
                }
            }
        }
    }
    // Still serving, and the fixture import still works.
    let t = alice(&s).await;
    let (st, v): (u16, Value) = register(&s, &t, &good_import()).await;
    assert!(st == 201 || v["error_code"] == "40025", "{st} {v}");
}
