//! The `search` query parameter: `<field> $eq <value>`.
//!
//! Only `$eq` appears in any source. The value is the rest of the string after the operator, so it may hold
//! spaces (`name $eq Windows 11 gold`). Anything else is refused with a message that names the problem.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchClause {
    pub field: String,
    pub value: String,
}

/// Parses one clause and checks its field against the fields the list allows.
pub fn parse_search(raw: &str, allowed_fields: &[&str]) -> Result<SearchClause, String> {
    let text = raw.trim();
    let (field, rest) = text
        .split_once(char::is_whitespace)
        .ok_or_else(|| format!("Invalid search '{raw}': expected '<field> $eq <value>'"))?;
    let rest = rest.trim_start();
    let (op, value) = match rest.split_once(char::is_whitespace) {
        Some((op, value)) => (op, value.trim()),
        None => (rest, ""),
    };
    if op != "$eq" {
        return Err(format!("Invalid search '{raw}': unsupported operator '{op}', only $eq is supported"));
    }
    if value.is_empty() {
        return Err(format!("Invalid search '{raw}': missing value"));
    }
    if !allowed_fields.contains(&field) {
        return Err(format!(
            "Invalid search '{raw}': unknown field '{field}'; searchable fields: {}",
            allowed_fields.join(", ")
        ));
    }
    Ok(SearchClause { field: field.to_string(), value: value.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[&str] = &["name", "status", "multiSession"];

    #[test]
    fn value_keeps_inner_spaces() {
        let c = parse_search("name $eq Windows 11 gold", FIELDS).unwrap();
        assert_eq!(c, SearchClause { field: "name".into(), value: "Windows 11 gold".into() });
    }

    #[test]
    fn tolerates_extra_whitespace() {
        let c = parse_search("  status   $eq  AVAILABLE ", FIELDS).unwrap();
        assert_eq!(c.value, "AVAILABLE");
    }

    #[test]
    fn refuses_other_operators_fields_and_shapes() {
        assert!(parse_search("name $ne x", FIELDS).unwrap_err().contains("unsupported operator '$ne'"));
        assert!(parse_search("colour $eq red", FIELDS).unwrap_err().contains("unknown field 'colour'"));
        assert!(parse_search("name", FIELDS).unwrap_err().contains("expected"));
        assert!(parse_search("name $eq", FIELDS).unwrap_err().contains("missing value"));
        assert!(parse_search("", FIELDS).is_err());
    }
}
