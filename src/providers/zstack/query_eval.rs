//! Evaluates a parsed ZStack query over inventories rendered as JSON: conditions (with nested fields and
//! `__systemTag__`/`__userTag__`), sort, start/limit, count and the `fields` projection.
//!
//! The real server runs these as SQL on MySQL, so string comparisons follow MySQL's default case-insensitive
//! collation, a NULL never satisfies a comparison, and a nested condition matches when any joined row does.

use super::dates::parse_date;
use super::query_string::{Condition, QueryOp, QueryParams, SortDirection};
use serde_json::{Map, Value};
use std::cmp::Ordering;

/// The fields an inventory class exposes, and the classes of its nested inventory lists.
pub struct Shape {
    pub class: &'static str,
    /// Java class of the database row, named by the "illegal sortBy" message.
    pub vo_class: &'static str,
    pub fields: &'static [&'static str],
    pub children: &'static [(&'static str, &'static Shape)],
}

impl Shape {
    fn child(&self, name: &str) -> Option<&'static Shape> {
        self.children.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
    }

    fn has_field(&self, name: &str) -> bool {
        self.fields.contains(&name) || self.child(name).is_some()
    }
}

/// One queryable resource: its inventory plus the tags the special fields query.
pub struct Row {
    pub inventory: Map<String, Value>,
    pub system_tags: Vec<String>,
    pub user_tags: Vec<String>,
}

/// An argument error the API answers with SYS.1007 (the field checks of the query handler).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryArgError(pub String);

pub struct QueryResult {
    pub inventories: Vec<Map<String, Value>>,
    pub total: Option<usize>,
}

pub const SYSTEM_TAG_FIELD: &str = "__systemTag__";
pub const USER_TAG_FIELD: &str = "__userTag__";

pub fn run_query(shape: &Shape, rows: Vec<Row>, params: &QueryParams) -> Result<QueryResult, QueryArgError> {
    for cond in &params.conditions {
        check_condition_name(shape, &cond.name)?;
    }
    if let Some((field, _)) = &params.sort {
        if !shape.fields.contains(&field.as_str()) {
            return Err(QueryArgError(format!(
                "illegal sortBy[{field}], entity[{}] doesn't have this field",
                shape.vo_class
            )));
        }
    }
    if let Some(fields) = &params.fields {
        for f in fields {
            if !shape.has_field(f) {
                return Err(unknown_field(f, shape));
            }
        }
    }

    let mut matched = Vec::new();
    for row in rows {
        let mut keep = true;
        for cond in &params.conditions {
            if !row_matches(&row, cond)? {
                keep = false;
                break;
            }
        }
        if keep {
            matched.push(row.inventory);
        }
    }
    let total = matched.len();
    if params.count {
        return Ok(QueryResult { inventories: Vec::new(), total: Some(total) });
    }
    if let Some((field, dir)) = &params.sort {
        matched.sort_by(|a, b| {
            let ord = compare_for_sort(a.get(field), b.get(field));
            if *dir == SortDirection::Desc {
                ord.reverse()
            } else {
                ord
            }
        });
    }
    let start = usize::try_from(params.start).unwrap_or(0);
    let limit = usize::try_from(params.limit).unwrap_or(0);
    let mut page: Vec<Map<String, Value>> = matched.into_iter().skip(start).take(limit).collect();
    if let Some(fields) = &params.fields {
        for inv in &mut page {
            inv.retain(|k, _| fields.iter().any(|f| f == k));
        }
    }
    Ok(QueryResult { inventories: page, total: params.reply_with_count.then_some(total) })
}

fn unknown_field(name: &str, shape: &Shape) -> QueryArgError {
    QueryArgError(format!("condition name[{name}] is invalid, no such field on inventory class[{}]", shape.class))
}

fn check_condition_name(shape: &Shape, name: &str) -> Result<(), QueryArgError> {
    if name == SYSTEM_TAG_FIELD || name == USER_TAG_FIELD {
        return Ok(());
    }
    let mut current = shape;
    let mut parts = name.split('.').peekable();
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            return if current.has_field(part) { Ok(()) } else { Err(unknown_field(part, current)) };
        }
        current = current.child(part).ok_or_else(|| unknown_field(part, current))?;
    }
    Err(unknown_field(name, shape))
}

/// Every value at a dotted path, flattening nested lists (the SQL join of a nested condition).
fn values_at<'a>(inv: &'a Map<String, Value>, path: &str) -> Vec<&'a Value> {
    let mut current: Vec<&Value> = Vec::new();
    let mut parts = path.split('.');
    let Some(first) = parts.next() else { return current };
    if let Some(v) = inv.get(first) {
        current.push(v);
    }
    for part in parts {
        let mut next = Vec::new();
        for v in current {
            match v {
                Value::Array(items) => next.extend(items.iter().filter_map(|i| i.get(part))),
                Value::Object(o) => next.extend(o.get(part)),
                _ => {}
            }
        }
        current = next;
    }
    // A list-valued leaf (e.g. `dns`) is compared element by element.
    current
        .into_iter()
        .flat_map(|v| match v {
            Value::Array(items) => items.iter().collect::<Vec<_>>(),
            other => vec![other],
        })
        .filter(|v| !v.is_null())
        .collect()
}

fn row_matches(row: &Row, cond: &Condition) -> Result<bool, QueryArgError> {
    let tag_values: Vec<Value>;
    let values: Vec<&Value> = if cond.name == SYSTEM_TAG_FIELD || cond.name == USER_TAG_FIELD {
        let tags = if cond.name == SYSTEM_TAG_FIELD { &row.system_tags } else { &row.user_tags };
        tag_values = tags.iter().map(|t| Value::String(t.clone())).collect();
        tag_values.iter().collect()
    } else {
        values_at(&row.inventory, &cond.name)
    };
    match cond.op {
        QueryOp::IsNull => Ok(values.is_empty()),
        QueryOp::NotNull => Ok(!values.is_empty()),
        _ => {
            let wanted = cond.value.as_deref().unwrap_or("");
            for v in values {
                if value_matches(v, cond.op, wanted)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
    }
}

fn value_matches(v: &Value, op: QueryOp, wanted: &str) -> Result<bool, QueryArgError> {
    match op {
        QueryOp::In | QueryOp::NotIn => {
            let mut found = false;
            for item in wanted.split(',') {
                if compare(v, item)? == Ordering::Equal {
                    found = true;
                    break;
                }
            }
            Ok(found == (op == QueryOp::In))
        }
        QueryOp::Like | QueryOp::NotLike => {
            let text = scalar_text(v);
            Ok(sql_like(&text.to_lowercase(), &wanted.to_lowercase()) == (op == QueryOp::Like))
        }
        QueryOp::Eq => Ok(compare(v, wanted)? == Ordering::Equal),
        QueryOp::NotEq => Ok(compare(v, wanted)? != Ordering::Equal),
        QueryOp::Gt => Ok(compare(v, wanted)? == Ordering::Greater),
        QueryOp::GtEq => Ok(compare(v, wanted)? != Ordering::Less),
        QueryOp::Lt => Ok(compare(v, wanted)? == Ordering::Less),
        QueryOp::LtEq => Ok(compare(v, wanted)? != Ordering::Greater),
        QueryOp::IsNull | QueryOp::NotNull => Ok(false),
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Compares a stored value with a condition value the way the SQL column type would.
fn compare(v: &Value, wanted: &str) -> Result<Ordering, QueryArgError> {
    match v {
        Value::Number(n) => {
            let w: f64 = wanted
                .trim()
                .parse()
                .map_err(|_| QueryArgError(format!("the value[{wanted}] cannot be converted to a number")))?;
            Ok(n.as_f64().unwrap_or(0.0).partial_cmp(&w).unwrap_or(Ordering::Equal))
        }
        Value::Bool(b) => Ok(b.to_string().cmp(&wanted.trim().to_lowercase())),
        Value::String(s) => {
            if let (Some(a), Some(b)) = (parse_date(s), parse_date(wanted)) {
                return Ok(a.cmp(&b));
            }
            Ok(s.to_lowercase().cmp(&wanted.to_lowercase()))
        }
        other => Ok(other.to_string().cmp(&wanted.to_string())),
    }
}

fn compare_for_sort(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    let a = a.filter(|v| !v.is_null());
    let b = b.filter(|v| !v.is_null());
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(Value::Number(x)), Some(Value::Number(y))) => {
            x.as_f64().unwrap_or(0.0).partial_cmp(&y.as_f64().unwrap_or(0.0)).unwrap_or(Ordering::Equal)
        }
        (Some(Value::String(x)), Some(Value::String(y))) => match (parse_date(x), parse_date(y)) {
            (Some(dx), Some(dy)) => dx.cmp(&dy),
            _ => x.to_lowercase().cmp(&y.to_lowercase()),
        },
        (Some(x), Some(y)) => scalar_text(x).cmp(&scalar_text(y)),
    }
}

/// SQL LIKE: `%` matches any run, `_` one character; no escape character.
pub fn sql_like(text: &str, pattern: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    let (mut ti, mut pi) = (0usize, 0usize);
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '_' || p[pi] == t[ti]) {
            ti += 1;
            pi += 1;
        } else if pi < p.len() && p[pi] == '%' {
            backtrack = Some((pi, ti));
            pi += 1;
        } else if let Some((bp, bt)) = backtrack {
            pi = bp + 1;
            ti = bt + 1;
            backtrack = Some((bp, bt + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '%' {
        pi += 1;
    }
    pi == p.len()
}

/// The `schema` map of a reply: JSON paths of nested inventories to Java classes, as `JsonSchemaBuilder`
/// records them (post-order walk, then the whole list reversed, so parents come before their children).
pub fn build_schema(key: &str, shape: &Shape, items: &[Map<String, Value>], as_list: bool) -> Map<String, Value> {
    let mut recorded: Vec<(String, &'static str)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = if as_list { format!("{key}[{i}]") } else { key.to_string() };
        walk_schema(&path, shape, item, &mut recorded);
    }
    recorded.reverse();
    recorded.into_iter().map(|(k, v)| (k, Value::String(v.to_string()))).collect()
}

fn walk_schema(path: &str, shape: &Shape, item: &Map<String, Value>, out: &mut Vec<(String, &'static str)>) {
    for (name, child) in shape.children {
        if let Some(Value::Array(list)) = item.get(*name) {
            for (j, element) in list.iter().enumerate() {
                if let Value::Object(obj) = element {
                    walk_schema(&format!("{path}.{name}[{j}]"), child, obj, out);
                }
            }
        }
    }
    out.push((path.to_string(), shape.class));
}

#[cfg(test)]
mod tests {
    use super::super::query_string::parse_query;
    use super::*;
    use serde_json::json;

    static NIC: Shape = Shape {
        class: "org.zstack.header.vm.VmNicInventory",
        vo_class: "org.zstack.header.vm.VmNicVO",
        fields: &["uuid", "ip", "vmInstanceUuid"],
        children: &[],
    };
    static VM: Shape = Shape {
        class: "org.zstack.header.vm.VmInstanceInventory",
        vo_class: "org.zstack.header.vm.VmInstanceVO",
        fields: &["uuid", "name", "state", "cpuNum", "memorySize", "hostUuid", "createDate", "system"],
        children: &[("vmNics", &NIC)],
    };

    fn rows() -> Vec<Row> {
        let data = [
            json!({"uuid": "a", "name": "web-1", "state": "Running", "cpuNum": 1, "memorySize": 1024, "hostUuid": "h1",
                   "createDate": "Nov 14, 2017 10:20:57 PM", "system": false,
                   "vmNics": [{"uuid": "n1", "ip": "192.168.1.10"}]}),
            json!({"uuid": "b", "name": "Web-2", "state": "Stopped", "cpuNum": 4, "memorySize": 4096,
                   "createDate": "Mar 3, 2021 9:05:12 AM", "system": false,
                   "vmNics": [{"uuid": "n2", "ip": "192.168.1.11"}, {"uuid": "n3", "ip": "10.0.0.5"}]}),
            json!({"uuid": "c", "name": "db", "state": "Stopped", "cpuNum": 2, "memorySize": 2048, "hostUuid": null,
                   "createDate": "Jan 8, 2024 4:31:44 PM", "system": true, "vmNics": []}),
        ];
        data.into_iter()
            .enumerate()
            .map(|(i, v)| Row {
                inventory: v.as_object().unwrap().clone(),
                system_tags: if i == 0 { vec!["ceph::rootPoolName::p1".into()] } else { vec![] },
                user_tags: if i == 1 { vec!["team-a".into()] } else { vec![] },
            })
            .collect()
    }

    fn uuids(q: &str) -> Vec<String> {
        let params = parse_query(q).unwrap();
        run_query(&VM, rows(), &params)
            .unwrap()
            .inventories
            .iter()
            .map(|i| i["uuid"].as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn every_operator() {
        assert_eq!(uuids("q=state=Stopped"), ["b", "c"]);
        assert_eq!(uuids("q=state!=Stopped"), ["a"]);
        assert_eq!(uuids("q=cpuNum>2"), ["b"]);
        assert_eq!(uuids("q=cpuNum>=2"), ["b", "c"]);
        assert_eq!(uuids("q=cpuNum<2"), ["a"]);
        assert_eq!(uuids("q=cpuNum<=2"), ["a", "c"]);
        assert_eq!(uuids("q=name?=db,web-1"), ["a", "c"]);
        assert_eq!(uuids("q=name!?=db,web-1"), ["b"]);
        assert_eq!(uuids("q=name~=web%"), ["a", "b"]);
        assert_eq!(uuids("q=name!~=web%"), ["c"]);
        assert_eq!(uuids("q=name~=d_"), ["c"]);
        assert_eq!(uuids("q=hostUuid is null"), ["b", "c"]);
        assert_eq!(uuids("q=hostUuid not null"), ["a"]);
        assert_eq!(uuids("q=system=true"), ["c"]);
    }

    #[test]
    fn encoded_operators_from_urllib3() {
        assert_eq!(uuids("q=cpuNum%3E=2"), ["b", "c"]);
        assert_eq!(uuids("q=name~=web%25"), ["a", "b"]);
    }

    #[test]
    fn nested_tags_and_dates() {
        assert_eq!(uuids("q=vmNics.ip=10.0.0.5"), ["b"]);
        assert_eq!(uuids("q=vmNics.ip~=192.168.1.%"), ["a", "b"]);
        assert_eq!(uuids("q=__systemTag__=ceph::rootPoolName::p1"), ["a"]);
        assert_eq!(uuids("q=__userTag__~=team%"), ["b"]);
        assert_eq!(uuids("q=createDate>Jan 1, 2020 12:00:00 AM"), ["b", "c"]);
        assert_eq!(uuids("q=state=Stopped&q=cpuNum>2"), ["b"]);
    }

    #[test]
    fn sort_page_count_fields() {
        assert_eq!(uuids("sort=-cpuNum"), ["b", "c", "a"]);
        assert_eq!(uuids("sort=createDate&start=1&limit=1"), ["b"]);
        let params = parse_query("q=state=Stopped&count=true").unwrap();
        let r = run_query(&VM, rows(), &params).unwrap();
        assert_eq!((r.inventories.len(), r.total), (0, Some(2)));
        let params = parse_query("limit=1&replyWithCount=true&fields=uuid,name").unwrap();
        let r = run_query(&VM, rows(), &params).unwrap();
        assert_eq!(r.total, Some(3));
        assert_eq!(Value::Object(r.inventories[0].clone()), json!({"uuid": "a", "name": "web-1"}));
    }

    #[test]
    fn unknown_fields_are_argument_errors() {
        let run = |q: &str| run_query(&VM, rows(), &parse_query(q).unwrap()).err().map(|e| e.0);
        assert_eq!(
            run("q=bogus=1").unwrap(),
            "condition name[bogus] is invalid, no such field on inventory class[org.zstack.header.vm.VmInstanceInventory]"
        );
        assert_eq!(
            run("q=vmNics.mtu=1").unwrap(),
            "condition name[mtu] is invalid, no such field on inventory class[org.zstack.header.vm.VmNicInventory]"
        );
        assert_eq!(
            run("sort=bogus").unwrap(),
            "illegal sortBy[bogus], entity[org.zstack.header.vm.VmInstanceVO] doesn't have this field"
        );
        assert!(run("fields=bogus").is_some());
        assert!(run("q=cpuNum>two").is_some());
    }

    #[test]
    fn like_matcher() {
        assert!(sql_like("web-server", "web%"));
        assert!(sql_like("web-server", "%server"));
        assert!(sql_like("web-server", "%b-s%"));
        assert!(!sql_like("web-server", "web"));
        assert!(sql_like("", "%"));
        assert!(sql_like("abc", "a_c"));
    }

    #[test]
    fn schema_lists_parents_before_children() {
        let params = parse_query("").unwrap();
        let r = run_query(&VM, rows(), &params).unwrap();
        let schema = build_schema("inventories", &VM, &r.inventories[..2], true);
        let keys: Vec<&String> = schema.keys().collect();
        assert_eq!(
            keys,
            [
                "inventories[1]",
                "inventories[1].vmNics[1]",
                "inventories[1].vmNics[0]",
                "inventories[0]",
                "inventories[0].vmNics[0]"
            ]
        );
        assert_eq!(schema["inventories[0].vmNics[0]"], "org.zstack.header.vm.VmNicInventory");
    }
}
