//! Which requests a rule (or limit) applies to: operation id, method, path pattern, headers, tenant and body
//! fields. Compiled once when the scenario loads; operation patterns are resolved to the router's ids then.

use std::collections::BTreeMap;

use hyper::Method;
use serde_json::Value;

use super::super::call::Call;
use super::super::Core;
use super::model::MatchSpec;

/// `*` matches any run of characters; when `segments` is set it stops at `/` and `**` crosses it.
/// Dynamic programming over (pattern, text) positions, so no pattern can make a request slow.
pub fn glob(pattern: &str, text: &str, segments: bool) -> bool {
    #[derive(Clone, Copy)]
    enum Tok {
        Byte(u8),
        /// A star; `true` when it may cross `/`.
        Star(bool),
    }
    let p = pattern.as_bytes();
    let mut toks = Vec::with_capacity(p.len());
    let mut i = 0;
    while i < p.len() {
        if p[i] == b'*' {
            let double = p.get(i + 1) == Some(&b'*');
            toks.push(Tok::Star(!segments || double));
            i += if double { 2 } else { 1 };
        } else {
            toks.push(Tok::Byte(p[i]));
            i += 1;
        }
    }
    let t = text.as_bytes();
    // reach[j]: the tokens consumed so far can match exactly t[..j].
    let mut reach = vec![false; t.len() + 1];
    reach[0] = true;
    for tok in toks {
        let mut next = vec![false; t.len() + 1];
        match tok {
            Tok::Byte(b) => {
                for j in 0..t.len() {
                    next[j + 1] = reach[j] && t[j] == b;
                }
            }
            Tok::Star(crosses) => {
                let mut open = false;
                for j in 0..=t.len() {
                    open = reach[j] || (open && (crosses || t[j - 1] != b'/'));
                    next[j] = open;
                }
            }
        }
        reach = next;
    }
    reach[t.len()]
}

/// The emulated operation ids (admin routes excluded) a pattern names: those routes declare and those their
/// refinements name (JSON-RPC methods).
pub fn resolve_operations(core: &Core, pattern: &str) -> Vec<&'static str> {
    let declared = core.router().routes().map(|r| r.operation);
    let refined = core.providers().iter().flat_map(|p| p.refined_operations());
    let mut ops: Vec<&'static str> =
        declared.chain(refined).filter(|op| !is_admin(op) && glob(pattern, op, false)).collect();
    ops.sort_unstable();
    ops.dedup();
    ops
}

/// Every emulated operation id, for rules without an operation.
pub fn all_operations(core: &Core) -> Vec<&'static str> {
    resolve_operations(core, "*")
}

/// The admin API is the test's remote control: scenarios never act on it.
pub fn is_admin(operation: &str) -> bool {
    operation.starts_with("mockcloud.")
}

/// The provider name an operation id starts with.
pub fn provider_of(operation: &str) -> &str {
    operation.split('.').next().unwrap_or("")
}

#[derive(Debug)]
pub struct Matcher {
    /// None: any operation.
    operations: Option<Vec<&'static str>>,
    method: Option<Method>,
    path: Option<String>,
    headers: BTreeMap<String, String>,
    tenant: Option<String>,
    body: BTreeMap<String, Value>,
}

impl Matcher {
    /// Compiles a validated spec.
    pub fn new(core: &Core, spec: &MatchSpec) -> Matcher {
        Matcher {
            operations: spec.operation.as_deref().map(|p| resolve_operations(core, p)),
            method: spec.method.as_deref().and_then(|m| Method::from_bytes(m.to_ascii_uppercase().as_bytes()).ok()),
            path: spec.path.clone(),
            headers: spec.headers.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.clone())).collect(),
            tenant: spec.tenant.clone(),
            body: spec.body.clone(),
        }
    }

    /// The operations it can match (every emulated one when it names none).
    pub fn operations(&self, core: &Core) -> Vec<&'static str> {
        self.operations.clone().unwrap_or_else(|| all_operations(core))
    }

    pub fn matches(&self, call: &Call) -> bool {
        if let Some(ops) = &self.operations {
            if !ops.contains(&call.operation) {
                return false;
            }
        }
        if self.method.as_ref().is_some_and(|m| *m != call.method) {
            return false;
        }
        if self.path.as_deref().is_some_and(|p| !glob(p, &call.path, true)) {
            return false;
        }
        if self.tenant.is_some() && self.tenant != call.tenant {
            return false;
        }
        for (name, pattern) in &self.headers {
            match call.header(name) {
                Some(v) if glob(pattern, v, false) => {}
                _ => return false,
            }
        }
        self.body.is_empty() || self.body_matches(call)
    }

    fn body_matches(&self, call: &Call) -> bool {
        let doc = body_document(call);
        self.body.iter().all(|(field, want)| lookup(&doc, field).is_some_and(|got| value_matches(want, got)))
    }
}

/// The body as JSON: parsed JSON, else form fields (`a=b&c=d`) as an object of strings.
fn body_document(call: &Call) -> Value {
    if let Ok(v) = serde_json::from_slice::<Value>(&call.body) {
        return v;
    }
    let form: serde_json::Map<String, Value> =
        form_urlencoded::parse(&call.body).map(|(k, v)| (k.into_owned(), Value::String(v.into_owned()))).collect();
    Value::Object(form)
}

/// A dotted path: `source.url`, `items.0.name`. A key that itself holds dots is found whole first.
fn lookup<'a>(doc: &'a Value, field: &str) -> Option<&'a Value> {
    if let Some(v) = doc.get(field) {
        return Some(v);
    }
    let mut cur = doc;
    for part in field.split('.') {
        cur = match cur {
            Value::Object(m) => m.get(part)?,
            Value::Array(a) => a.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn value_matches(want: &Value, got: &Value) -> bool {
    match (want, got) {
        (Value::String(w), Value::String(g)) => glob(w, g, false),
        // A form body carries numbers and booleans as text.
        (w, Value::String(g)) if !w.is_string() => serde_json::from_str::<Value>(g).is_ok_and(|v| v == *w),
        (w, g) => w == g,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_respect_segments_only_for_paths() {
        assert!(glob("k5.*", "k5.imageimport.create", false));
        assert!(glob("*.get", "zstack.vm.get", false));
        assert!(!glob("k5.*", "zstack.vm.get", false));
        assert!(glob("/v1/imageimport/*/status", "/v1/imageimport/abc/status", true));
        assert!(!glob("/v1/*", "/v1/imageimport/abc", true));
        assert!(glob("/v1/**", "/v1/imageimport/abc", true));
        assert!(glob("/v1/**/status", "/v1/a/b/status", true));
        assert!(glob("*", "", false));
        assert!(!glob("abc", "abd", true));
        assert!(glob("/a/*/c", "/a//c", true));
        assert!(!glob("/a/*", "/a/b/", true));
    }

    #[test]
    fn many_stars_stay_fast() {
        let text = "a".repeat(5000);
        let pattern = format!("{}b", "*a".repeat(40));
        let started = std::time::Instant::now();
        assert!(!glob(&pattern, &text, false));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn body_paths_walk_objects_and_arrays() {
        let doc = serde_json::json!({"a": {"b": [1, {"c": "x-1"}]}, "d.e": true});
        assert_eq!(lookup(&doc, "a.b.1.c"), Some(&Value::String("x-1".into())));
        assert_eq!(lookup(&doc, "d.e"), Some(&Value::Bool(true)));
        assert!(value_matches(&Value::String("x-*".into()), &Value::String("x-1".into())));
        assert!(value_matches(&serde_json::json!(5), &Value::String("5".into())));
    }
}
