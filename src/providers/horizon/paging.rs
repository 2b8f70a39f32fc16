//! Spring `Page<T>` envelopes: `page`, `size`, `sort` parameters and the exact totals clients page by.
//!
//! hcs-cli stops when `page + 1 >= totalPages`, so `totalPages` must be exact; the PowerShell module asks for
//! `size=1000` and sends a bare `sort=asc`, which must be accepted.

use serde_json::{json, Value};
use std::cmp::Ordering;

pub const DEFAULT_SIZE: usize = 20;
pub const MAX_SIZE: usize = 2000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    pub property: String,
    pub descending: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub page: usize,
    pub size: usize,
    /// Only keys naming a sortable property; unknown ones fall back to the default order.
    pub sort: Vec<SortKey>,
}

/// Reads `page`, `size` and every `sort` from the query pairs. A non-integer page or size is an error
/// (Spring answers 400 for a type mismatch); out-of-range values are clamped.
pub fn page_request(pairs: &[(String, String)], sortable: &[&str]) -> Result<PageRequest, String> {
    let mut page = 0usize;
    let mut size = DEFAULT_SIZE;
    let mut sort = Vec::new();
    for (key, value) in pairs {
        match key.as_str() {
            "page" => page = parse_int("page", value)?.max(0) as usize,
            "size" => {
                let n = parse_int("size", value)?;
                size = if n < 1 { DEFAULT_SIZE } else { (n as usize).min(MAX_SIZE) };
            }
            "sort" | "sort[]" => {
                for spec in value.split(';') {
                    if let Some(key) = parse_sort(spec, sortable) {
                        sort.push(key);
                    }
                }
            }
            _ => {}
        }
    }
    Ok(PageRequest { page, size, sort })
}

fn parse_int(name: &str, value: &str) -> Result<i64, String> {
    value.trim().parse::<i64>().map_err(|_| format!("Parameter '{name}' must be an integer, got '{value}'"))
}

fn parse_sort(spec: &str, sortable: &[&str]) -> Option<SortKey> {
    let mut parts = spec.split(',').map(str::trim);
    let property = parts.next()?;
    let dir = parts.next().unwrap_or("asc");
    if !sortable.contains(&property) {
        return None;
    }
    Some(SortKey { property: property.to_string(), descending: dir.eq_ignore_ascii_case("desc") })
}

/// Sorts `items` by the request's keys, then by the default key (creation time, then id) so pages are stable.
pub fn sort_items<T>(
    items: &mut [T],
    keys: &[SortKey],
    field: impl Fn(&T, &str) -> Value,
    default_key: impl Fn(&T) -> (String, String),
) {
    items.sort_by(|a, b| {
        for key in keys {
            let ord = compare_values(&field(a, &key.property), &field(b, &key.property));
            let ord = if key.descending { ord.reverse() } else { ord };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        default_key(a).cmp(&default_key(b))
    });
}

fn compare_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64().partial_cmp(&y.as_f64()).unwrap_or(Ordering::Equal),
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::String(x), Value::String(y)) => x.cmp(y),
        _ => a.to_string().cmp(&b.to_string()),
    }
}

/// The envelope for one page of an already filtered and sorted list.
pub fn envelope(all: Vec<Value>, req: &PageRequest) -> Value {
    let total = all.len();
    let total_pages = total.div_ceil(req.size);
    let start = req.page.saturating_mul(req.size).min(total);
    let content: Vec<Value> = all.into_iter().skip(start).take(req.size).collect();
    let sorted = !req.sort.is_empty();
    let sort = json!({"empty": !sorted, "sorted": sorted, "unsorted": !sorted});
    let n = content.len();
    json!({
        "content": content,
        "pageable": {
            "sort": sort,
            "offset": req.page.saturating_mul(req.size),
            "pageNumber": req.page,
            "pageSize": req.size,
            "paged": true,
            "unpaged": false
        },
        "totalPages": total_pages,
        "totalElements": total,
        "last": req.page + 1 >= total_pages,
        "size": req.size,
        "number": req.page,
        "sort": sort,
        "numberOfElements": n,
        "first": req.page == 0,
        "empty": n == 0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn items(n: usize) -> Vec<Value> {
        (0..n).map(|i| json!({"i": i})).collect()
    }

    #[test]
    fn defaults_and_clamps() {
        let r = page_request(&q(&[("limit", "20"), ("orgId", "x")]), &[]).unwrap();
        assert_eq!((r.page, r.size), (0, 20));
        let r = page_request(&q(&[("page", "-3"), ("size", "100000")]), &[]).unwrap();
        assert_eq!((r.page, r.size), (0, MAX_SIZE));
        let r = page_request(&q(&[("size", "0")]), &[]).unwrap();
        assert_eq!(r.size, DEFAULT_SIZE);
        assert!(page_request(&q(&[("page", "one")]), &[]).unwrap_err().contains("'page'"));
    }

    #[test]
    fn sort_keys_are_parsed_and_unknown_ones_dropped() {
        let r = page_request(&q(&[("sort", "asc"), ("sort", "name,desc"), ("sort", "colour,asc")]), &["name"]).unwrap();
        assert_eq!(r.sort, vec![SortKey { property: "name".into(), descending: true }]);
    }

    #[test]
    fn total_pages_is_exact_at_the_edges() {
        let req = PageRequest { page: 0, size: 2, sort: vec![] };
        assert_eq!(envelope(items(0), &req)["totalPages"], 0);
        assert_eq!(envelope(items(0), &req)["empty"], true);
        assert_eq!(envelope(items(0), &req)["last"], true);
        assert_eq!(envelope(items(2), &req)["totalPages"], 1);
        assert_eq!(envelope(items(3), &req)["totalPages"], 2);
        assert_eq!(envelope(items(3), &req)["last"], false);
    }

    #[test]
    fn past_the_end_is_empty_with_true_totals() {
        let req = PageRequest { page: 5, size: 2, sort: vec![] };
        let page = envelope(items(3), &req);
        assert_eq!(page["content"], json!([]));
        assert_eq!(page["totalElements"], 3);
        assert_eq!(page["pageable"]["offset"], 10);
        assert_eq!(page["numberOfElements"], 0);
    }

    #[test]
    fn second_page_holds_the_rest() {
        let req = PageRequest { page: 1, size: 2, sort: vec![] };
        let page = envelope(items(3), &req);
        assert_eq!(page["content"], json!([{"i": 2}]));
        assert_eq!(page["first"], false);
        assert_eq!(page["last"], true);
    }

    #[test]
    fn sorting_uses_keys_then_default() {
        let mut v = vec![json!({"n": "b", "c": "1"}), json!({"n": "a", "c": "2"}), json!({"n": "b", "c": "0"})];
        let keys = vec![SortKey { property: "n".into(), descending: true }];
        sort_items(&mut v, &keys, |x, p| x[p].clone(), |x| (x["c"].as_str().unwrap().to_string(), String::new()));
        let order: Vec<&str> = v.iter().map(|x| x["c"].as_str().unwrap()).collect();
        assert_eq!(order, ["0", "1", "2"]);
    }
}
