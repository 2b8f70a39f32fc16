//! Swift account/container listing rules: query parameters, format negotiation, marker/prefix/delimiter paging.

pub const MAX_LISTING_LIMIT: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Plain,
    Json,
    Xml,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Plain => "text/plain; charset=utf-8",
            Format::Json => "application/json; charset=utf-8",
            Format::Xml => "application/xml; charset=utf-8",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListQuery {
    pub marker: Option<String>,
    pub end_marker: Option<String>,
    pub prefix: Option<String>,
    pub delimiter: Option<char>,
    pub limit: usize,
}

/// Swift answers bad listing parameters with 412 and a plain-text reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreconditionFailed(pub String);

/// `format` wins over `Accept`; Swift's default is plain text, one name per line.
pub fn negotiate(format_param: Option<&str>, accept: Option<&str>) -> Format {
    match format_param.map(|f| f.to_ascii_lowercase()) {
        Some(f) if f == "json" => return Format::Json,
        Some(f) if f == "xml" => return Format::Xml,
        Some(f) if f == "plain" => return Format::Plain,
        _ => {}
    }
    let accept = accept.unwrap_or("").to_ascii_lowercase();
    if accept.contains("application/json") {
        Format::Json
    } else if accept.contains("application/xml") || accept.contains("text/xml") {
        Format::Xml
    } else {
        Format::Plain
    }
}

/// Reads `marker`, `end_marker`, `prefix`, `delimiter`, `limit` from decoded query pairs.
pub fn parse_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<ListQuery, PreconditionFailed> {
    let mut q = ListQuery { limit: MAX_LISTING_LIMIT, ..Default::default() };
    for (k, v) in pairs {
        match k {
            "marker" if !v.is_empty() => q.marker = Some(v.to_string()),
            "end_marker" if !v.is_empty() => q.end_marker = Some(v.to_string()),
            "prefix" if !v.is_empty() => q.prefix = Some(v.to_string()),
            "delimiter" if !v.is_empty() => {
                let mut chars = v.chars();
                let c = chars.next().unwrap_or('/');
                if chars.next().is_some() {
                    return Err(PreconditionFailed("Bad delimiter".into()));
                }
                q.delimiter = Some(c);
            }
            "limit" => {
                let n: usize =
                    v.parse().map_err(|_| PreconditionFailed("Value of limit must be a positive integer".into()))?;
                if n > MAX_LISTING_LIMIT {
                    return Err(PreconditionFailed(format!("Maximum limit is {MAX_LISTING_LIMIT}")));
                }
                q.limit = n;
            }
            _ => {}
        }
    }
    Ok(q)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry<T> {
    Item(T),
    Subdir(String),
}

/// Applies the query to `(name, item)` pairs already sorted by name in byte order.
pub fn select<'a, T>(sorted: impl IntoIterator<Item = (&'a str, T)>, q: &ListQuery) -> Vec<Entry<T>> {
    let mut out: Vec<Entry<T>> = Vec::new();
    let mut last_subdir: Option<String> = None;
    for (name, item) in sorted {
        if out.len() >= q.limit {
            break;
        }
        if q.marker.as_deref().is_some_and(|m| name <= m) {
            continue;
        }
        if q.end_marker.as_deref().is_some_and(|m| name >= m) {
            break;
        }
        let rest = match q.prefix.as_deref() {
            Some(p) => match name.strip_prefix(p) {
                Some(rest) => rest,
                None => continue,
            },
            None => name,
        };
        let subdir = q.delimiter.and_then(|d| {
            rest.find(d).map(|i| format!("{}{}", q.prefix.as_deref().unwrap_or(""), &rest[..i + d.len_utf8()]))
        });
        match subdir {
            Some(s) => {
                if q.marker.as_deref().is_some_and(|m| s.as_str() <= m) || last_subdir.as_deref() == Some(&s) {
                    continue;
                }
                last_subdir = Some(s.clone());
                out.push(Entry::Subdir(s));
            }
            None => out.push(Entry::Item(item)),
        }
    }
    out
}

/// Plain-text listing: one name per line, each ending in a newline.
pub fn plain<T>(entries: &[Entry<T>], name_of: impl Fn(&T) -> &str) -> String {
    let mut s = String::new();
    for e in entries {
        match e {
            Entry::Item(t) => s.push_str(name_of(t)),
            Entry::Subdir(d) => s.push_str(d),
        }
        s.push('\n');
    }
    s
}

pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&'static str], q: &ListQuery) -> Vec<String> {
        select(list.iter().map(|n| (*n, *n)), q)
            .into_iter()
            .map(|e| match e {
                Entry::Item(n) => n.to_string(),
                Entry::Subdir(d) => format!("dir:{d}"),
            })
            .collect()
    }

    fn q(pairs: &[(&str, &str)]) -> ListQuery {
        parse_query(pairs.iter().copied()).unwrap()
    }

    const L: [&str; 6] = ["a", "b/1", "b/2", "c", "d/x/1", "e"];

    #[test]
    fn marker_end_marker_limit() {
        assert_eq!(names(&L, &q(&[])), L.to_vec());
        assert_eq!(names(&L, &q(&[("marker", "b/2")])), vec!["c", "d/x/1", "e"]);
        assert_eq!(names(&L, &q(&[("end_marker", "c")])), vec!["a", "b/1", "b/2"]);
        assert_eq!(names(&L, &q(&[("limit", "2")])), vec!["a", "b/1"]);
        assert_eq!(names(&L, &q(&[("marker", "e")])), Vec::<String>::new());
        assert_eq!(names(&L, &q(&[("limit", "0")])), Vec::<String>::new());
    }

    #[test]
    fn prefix_and_delimiter() {
        assert_eq!(names(&L, &q(&[("prefix", "b/")])), vec!["b/1", "b/2"]);
        assert_eq!(names(&L, &q(&[("delimiter", "/")])), vec!["a", "dir:b/", "c", "dir:d/", "e"]);
        assert_eq!(names(&L, &q(&[("delimiter", "/"), ("prefix", "d/")])), vec!["dir:d/x/"]);
        // Paging past a roll-up with marker = the subdir terminates.
        assert_eq!(names(&L, &q(&[("delimiter", "/"), ("marker", "b/")])), vec!["c", "dir:d/", "e"]);
    }

    #[test]
    fn paging_by_marker_terminates() {
        let mut marker = String::new();
        let mut seen = Vec::new();
        loop {
            let page = names(&L, &q(&[("limit", "4"), ("marker", &marker)]));
            if page.is_empty() {
                break;
            }
            marker = page.last().unwrap().clone();
            seen.extend(page);
        }
        assert_eq!(seen, L.to_vec());
    }

    #[test]
    fn bad_params() {
        assert!(parse_query([("limit", "x")]).is_err());
        assert!(parse_query([("limit", "-1")]).is_err());
        assert_eq!(parse_query([("limit", "10001")]).unwrap_err(), PreconditionFailed("Maximum limit is 10000".into()));
        assert!(parse_query([("delimiter", "ab")]).is_err());
    }

    #[test]
    fn negotiation() {
        assert_eq!(negotiate(None, None), Format::Plain);
        assert_eq!(negotiate(None, Some("*/*")), Format::Plain);
        assert_eq!(negotiate(None, Some("application/json")), Format::Json);
        assert_eq!(negotiate(None, Some("text/xml")), Format::Xml);
        assert_eq!(negotiate(Some("json"), Some("text/plain")), Format::Json);
        assert_eq!(negotiate(Some("plain"), Some("application/json")), Format::Plain);
    }

    #[test]
    fn plain_and_escape() {
        let e = vec![Entry::Item("a"), Entry::Subdir("b/".into())];
        assert_eq!(plain(&e, |s| s), "a\nb/\n");
        assert_eq!(xml_escape("<a&'\">"), "&lt;a&amp;&apos;&quot;&gt;");
    }
}
