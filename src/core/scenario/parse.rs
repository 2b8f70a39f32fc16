//! Reading a scenario document. Each section (and each element of a list) is read on its own so that one bad
//! field does not hide the problems after it: `mockcloud scenario check` prints them all.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::model::{Positions, ScenarioSpec, TOP_LEVEL_KEYS};

/// One thing wrong with a scenario, at a JSON path such as `rules[2].act.error.code`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

impl Problem {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem { path: path.into(), message: message.into() }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// A scenario name is a URL path segment of the admin API and a prefix in the journal.
pub fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(format!("{name:?} is not a valid scenario name: use 1 to 100 letters, digits, '-', '_' or '.'"))
    }
}

/// Parses a document; `default_name` applies when it has no `name` (a file's stem, the admin URL's name).
/// Gives back what could be read (so its meaning can be checked too) with the problems found; no scenario
/// at all when the document is not a JSON object.
pub fn parse(bytes: &[u8], default_name: Option<&str>) -> (Option<ScenarioSpec>, Vec<Problem>) {
    match parse_document(bytes, default_name) {
        Ok(read) => read,
        Err(problem) => (None, vec![problem]),
    }
}

fn parse_document(bytes: &[u8], default_name: Option<&str>) -> Result<(Option<ScenarioSpec>, Vec<Problem>), Problem> {
    let doc: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            let where_ = format!("line {}, column {}", e.line(), e.column());
            return Err(Problem::new("", format!("malformed JSON at {where_}: {e}")));
        }
    };
    let Value::Object(mut top) = doc else {
        return Err(Problem::new("", "a scenario is a JSON object"));
    };
    let mut problems = Vec::new();
    for key in top.keys() {
        if !TOP_LEVEL_KEYS.contains(&key.as_str()) {
            problems.push(Problem::new(
                key.as_str(),
                format!("unknown field; expected one of {}", TOP_LEVEL_KEYS.join(", ")),
            ));
        }
    }
    let name = match top.remove("name") {
        Some(Value::String(s)) => Some(s),
        Some(_) => {
            problems.push(Problem::new("name", "must be a string"));
            None
        }
        None => default_name.map(str::to_string),
    };
    let name = match name {
        Some(n) => {
            if let Err(e) = check_name(&n) {
                problems.push(Problem::new("name", e));
            }
            n
        }
        None => {
            problems.push(Problem::new("name", "missing: every scenario has a name"));
            String::new()
        }
    };
    let description = field(&mut top, "description", &mut problems);
    let seed = field(&mut top, "seed", &mut problems);
    let clock = field(&mut top, "clock", &mut problems);
    let (lifecycles, lifecycle_at) = list(&mut top, "lifecycles", &mut problems);
    let (rules, rule_at) = list(&mut top, "rules", &mut problems);
    let (limits, limit_at) = list(&mut top, "limits", &mut problems);
    let positions = Positions { lifecycles: lifecycle_at, rules: rule_at, limits: limit_at };
    Ok((Some(ScenarioSpec { name, description, seed, clock, lifecycles, rules, limits, positions }), problems))
}

fn read<T: DeserializeOwned>(value: Value, at: &str, problems: &mut Vec<Problem>) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(v) => Some(v),
        Err(e) => {
            let inner = e.path().to_string();
            let path = if inner == "." || inner.is_empty() {
                at.to_string()
            } else if inner.starts_with('[') {
                format!("{at}{inner}")
            } else {
                format!("{at}.{inner}")
            };
            problems.push(Problem::new(path, e.into_inner().to_string()));
            None
        }
    }
}

fn field<T: DeserializeOwned>(top: &mut Map<String, Value>, key: &str, problems: &mut Vec<Problem>) -> Option<T> {
    let v = top.remove(key)?;
    if v.is_null() {
        return None;
    }
    read(v, key, problems)
}

/// The elements that could be read, with their positions in the document.
fn list<T: DeserializeOwned>(
    top: &mut Map<String, Value>,
    key: &str,
    problems: &mut Vec<Problem>,
) -> (Vec<T>, Vec<usize>) {
    match top.remove(key) {
        None | Some(Value::Null) => (Vec::new(), Vec::new()),
        Some(Value::Array(items)) => items
            .into_iter()
            .enumerate()
            .filter_map(|(i, item)| read(item, &format!("{key}[{i}]"), problems).map(|v| (v, i)))
            .unzip(),
        Some(_) => {
            problems.push(Problem::new(key, "must be a list"));
            (Vec::new(), Vec::new())
        }
    }
}
