//! ZStack's REST layer reading of a query string (`RestServer.handleQueryApi`).
//!
//! zssdk builds query strings without encoding them and urllib3 only escapes what RFC 3986 forbids, so the
//! parser is lenient: invalid `%` escapes stay literal and `+` becomes a space, like the servlet container.

/// A REST-layer refusal: plain text with a status, never an ErrorCode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestError {
    pub status: u16,
    pub text: String,
}

impl RestError {
    pub fn bad_request(text: impl Into<String>) -> Self {
        RestError { status: 400, text: text.into() }
    }
}

/// The query operators in the order the server tries them: an operator contained in another sits after it.
pub const OPERATORS: [(&str, QueryOp); 12] = [
    ("!=", QueryOp::NotEq),
    (">=", QueryOp::GtEq),
    ("<=", QueryOp::LtEq),
    ("!?=", QueryOp::NotIn),
    ("!~=", QueryOp::NotLike),
    ("~=", QueryOp::Like),
    ("?=", QueryOp::In),
    ("=", QueryOp::Eq),
    (">", QueryOp::Gt),
    ("<", QueryOp::Lt),
    ("is null", QueryOp::IsNull),
    ("not null", QueryOp::NotNull),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryOp {
    Eq,
    NotEq,
    Gt,
    GtEq,
    Lt,
    LtEq,
    In,
    NotIn,
    Like,
    NotLike,
    IsNull,
    NotNull,
}

impl QueryOp {
    pub fn symbol(self) -> &'static str {
        OPERATORS.iter().find(|(_, op)| *op == self).map(|(s, _)| *s).unwrap_or("=")
    }

    pub fn is_unary(self) -> bool {
        matches!(self, QueryOp::IsNull | QueryOp::NotNull)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub name: String,
    pub op: QueryOp,
    /// None for `is null` / `not null`.
    pub value: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortDirection {
    Asc,
    Desc,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryParams {
    pub conditions: Vec<Condition>,
    pub limit: i64,
    pub start: i64,
    pub count: bool,
    pub reply_with_count: bool,
    pub sort: Option<(String, SortDirection)>,
    pub fields: Option<Vec<String>>,
    pub group_by: Option<String>,
}

impl Default for QueryParams {
    fn default() -> Self {
        QueryParams {
            conditions: Vec::new(),
            limit: 1000,
            start: 0,
            count: false,
            reply_with_count: false,
            sort: None,
            fields: None,
            group_by: None,
        }
    }
}

/// Splits a raw query string into (name, values) in first-seen name order, decoding leniently.
pub fn parse_pairs(raw: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for piece in raw.split('&') {
        if piece.is_empty() {
            continue;
        }
        let (name, value) = match piece.find('=') {
            Some(i) => (&piece[..i], &piece[i + 1..]),
            None => (piece, ""),
        };
        let name = lenient_decode(name);
        let value = lenient_decode(value);
        match out.iter_mut().find(|(n, _)| *n == name) {
            Some((_, values)) => values.push(value),
            None => out.push((name, vec![value])),
        }
    }
    out
}

/// `+` → space, valid `%XX` → byte, anything else literal; invalid UTF-8 is replaced, never rejected.
pub fn lenient_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' if i + 2 < bytes.len() && hex_val(bytes[i + 1]).is_some() && hex_val(bytes[i + 2]).is_some() => {
                out.push(hex_val(bytes[i + 1]).unwrap_or(0) * 16 + hex_val(bytes[i + 2]).unwrap_or(0));
                i += 3;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_val(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Java's `Integer.valueOf`: optional sign, ASCII digits, within i32.
fn java_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i32>().ok().map(i64::from)
}

pub fn parse_condition(cond: &str) -> Result<Condition, RestError> {
    let Some((symbol, op)) = OPERATORS.iter().find(|(symbol, _)| cond.contains(symbol)) else {
        let valid: Vec<&str> = OPERATORS.iter().map(|(s, _)| *s).collect();
        return Err(RestError::bad_request(format!(
            "Invalid query parameter. The '{cond}' in the parameter[q] doesn't contain any query operator. Valid query operators are [[{}]]",
            valid.join(", ")
        )));
    };
    let at = cond.find(symbol).unwrap_or(0);
    let name = cond[..at].trim().to_string();
    let value = &cond[at + symbol.len()..];
    if op.is_unary() {
        return Ok(Condition { name, op: *op, value: None });
    }
    if name.is_empty() || value.is_empty() {
        return Err(RestError::bad_request(format!(
            "Invalid query parameter. The '{cond}' in parameter[q] is not a key-value pair split by {symbol}"
        )));
    }
    Ok(Condition { name, op: *op, value: Some(value.to_string()) })
}

/// Reads the query parameters of a collection query; unknown parameters are ignored.
pub fn parse_query(raw: &str) -> Result<QueryParams, RestError> {
    let mut params = QueryParams::default();
    for (name, values) in parse_pairs(raw) {
        let name = name.trim();
        let first = values.first().map(|v| v.trim()).unwrap_or("");
        match name {
            "limit" => {
                params.limit = java_int(first)
                    .ok_or_else(|| RestError::bad_request("Invalid query parameter. 'limit' must be an integer"))?
                    .max(0)
            }
            "start" => {
                params.start = java_int(first)
                    .ok_or_else(|| RestError::bad_request("Invalid query parameter. 'start' must be an integer"))?
                    .max(0)
            }
            "count" => params.count = first.eq_ignore_ascii_case("true"),
            "replyWithCount" => params.reply_with_count = first.eq_ignore_ascii_case("true"),
            "groupBy" => params.group_by = Some(first.to_string()),
            "sort" => {
                let (field, dir) = if let Some(rest) = first.strip_prefix('+') {
                    (rest.trim_start_matches('+'), SortDirection::Asc)
                } else if let Some(rest) = first.strip_prefix('-') {
                    (rest.trim_start_matches('-'), SortDirection::Desc)
                } else {
                    (first, SortDirection::Asc)
                };
                params.sort = Some((field.to_string(), dir));
            }
            "fields" => {
                let fields: Vec<String> =
                    first.split(',').map(|f| f.trim().to_string()).filter(|f| !f.is_empty()).collect();
                if fields.is_empty() {
                    return Err(RestError::bad_request("Invalid query parameter. 'fields' contains zero field"));
                }
                params.fields = Some(fields);
            }
            // The server matches with "q".startsWith(name), so an empty name also counts as q.
            n if "q".starts_with(n) => {
                for cond in &values {
                    params.conditions.push(parse_condition(cond)?);
                }
            }
            _ => {}
        }
    }
    Ok(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_leniently() {
        assert_eq!(lenient_decode("cpuNum%3E=1"), "cpuNum>=1");
        assert_eq!(lenient_decode("name~=web%"), "name~=web%");
        assert_eq!(lenient_decode("name~=web%25"), "name~=web%");
        assert_eq!(lenient_decode("a+b"), "a b");
        assert_eq!(lenient_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn operators_are_tried_in_server_order() {
        let c = parse_condition("cpuNum>=2").unwrap();
        assert_eq!((c.name.as_str(), c.op, c.value.as_deref()), ("cpuNum", QueryOp::GtEq, Some("2")));
        let c = parse_condition("state!?=Running,Stopped").unwrap();
        assert_eq!(c.op, QueryOp::NotIn);
        let c = parse_condition("name~=web%").unwrap();
        assert_eq!(c.op, QueryOp::Like);
        let c = parse_condition("description=a=b").unwrap();
        assert_eq!(c.value.as_deref(), Some("a=b"));
        let c = parse_condition(" hostUuid is null").unwrap();
        assert_eq!((c.name.as_str(), c.op, c.value), ("hostUuid", QueryOp::IsNull, None));
        let c = parse_condition("name= padded ").unwrap();
        assert_eq!(c.value.as_deref(), Some(" padded "));
    }

    #[test]
    fn condition_without_operator_is_a_400() {
        let e = parse_condition("nameTest").unwrap_err();
        assert_eq!(e.status, 400);
        assert_eq!(
            e.text,
            "Invalid query parameter. The 'nameTest' in the parameter[q] doesn't contain any query operator. \
             Valid query operators are [[!=, >=, <=, !?=, !~=, ~=, ?=, =, >, <, is null, not null]]"
        );
        let e = parse_condition("name=").unwrap_err();
        assert_eq!(e.text, "Invalid query parameter. The 'name=' in parameter[q] is not a key-value pair split by =");
    }

    #[test]
    fn reads_paging_sorting_and_fields() {
        let p = parse_query(
            "q=name=Test-VM&q=state!=Destroyed&limit=10&start=2&replyWithCount=True&sort=-createDate&fields=uuid,%20state&sessionId=x",
        )
        .unwrap();
        assert_eq!(p.conditions.len(), 2);
        assert_eq!((p.limit, p.start, p.reply_with_count, p.count), (10, 2, true, false));
        assert_eq!(p.sort, Some(("createDate".into(), SortDirection::Desc)));
        assert_eq!(p.fields, Some(vec!["uuid".into(), "state".into()]));
        let p = parse_query("sort=+name&fields=uuid&fields=name").unwrap();
        assert_eq!(p.sort, Some(("name".into(), SortDirection::Asc)));
        assert_eq!(p.fields, Some(vec!["uuid".into()]));
    }

    #[test]
    fn non_integer_limit_and_start_are_400() {
        assert_eq!(parse_query("limit=x").unwrap_err().text, "Invalid query parameter. 'limit' must be an integer");
        assert_eq!(parse_query("start=1.5").unwrap_err().text, "Invalid query parameter. 'start' must be an integer");
        assert_eq!(parse_query("limit=99999999999").unwrap_err().status, 400);
        assert_eq!(parse_query("limit=+5").unwrap().limit, 5);
    }

    #[test]
    fn defaults_and_booleans() {
        let p = parse_query("").unwrap();
        assert_eq!((p.limit, p.start, p.count), (1000, 0, false));
        assert!(parse_query("count=TRUE").unwrap().count);
        assert!(!parse_query("count=yes").unwrap().count);
    }
}
