//! One list request end to end: search filter, sort, page, envelope. Lists work on the rendered transfer
//! objects, so what a client can search and sort by is exactly what it reads.

use serde_json::Value;

use super::errors::{ApiError, ApiResult};
use super::paging::{envelope, page_request, sort_items};
use super::search::{parse_search, SearchClause};

pub struct ListSpec<'a> {
    pub searchable: &'a [&'a str],
    pub sortable: &'a [&'a str],
}

/// Compares a clause with a field the way a client means it: strings exactly, booleans and numbers by
/// their JSON text.
pub fn field_matches(item: &Value, clause: &SearchClause) -> bool {
    match item.get(&clause.field) {
        Some(Value::String(s)) => *s == clause.value,
        Some(Value::Bool(b)) => b.to_string().eq_ignore_ascii_case(&clause.value),
        Some(Value::Number(n)) => n.to_string() == clause.value,
        _ => false,
    }
}

/// Parses the request's `search` (if any) against the list's fields.
pub fn search_clause(pairs: &[(String, String)], spec: &ListSpec) -> ApiResult<Option<SearchClause>> {
    match pairs.iter().find(|(k, _)| k == "search").map(|(_, v)| v) {
        None => Ok(None),
        Some(raw) if raw.trim().is_empty() => Ok(None),
        Some(raw) => parse_search(raw, spec.searchable).map(Some).map_err(|m| ApiError::new("INVALID_SEARCH", m)),
    }
}

/// Sorts and pages already-filtered items into a Spring page envelope.
/// The `search` filter, then `page`: a whole list answer from rendered items.
pub fn searched_page(items: Vec<Value>, pairs: &[(String, String)], spec: &ListSpec) -> ApiResult<Value> {
    let clause = search_clause(pairs, spec)?;
    let items = items.into_iter().filter(|v| clause.as_ref().is_none_or(|c| field_matches(v, c))).collect();
    page(items, pairs, spec)
}

pub fn page(mut items: Vec<Value>, pairs: &[(String, String)], spec: &ListSpec) -> ApiResult<Value> {
    let req = page_request(pairs, spec.sortable).map_err(|m| ApiError::new("INVALID_PARAMETER", m))?;
    sort_items(
        &mut items,
        &req.sort,
        |v, p| v.get(p).cloned().unwrap_or(Value::Null),
        |v| {
            (
                v.get("createdAt").and_then(Value::as_str).unwrap_or("").to_string(),
                v.get("id").and_then(Value::as_str).unwrap_or("").to_string(),
            )
        },
    );
    Ok(envelope(items, &req))
}
