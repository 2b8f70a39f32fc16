//! `?start=&limit=` of the import and export lists: a 0-based window into the newest-first list.

/// Which parameter was bad, so each API can answer with its own code (import 40035/40036, export 40013/40014).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadWindow {
    Start,
    Limit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: usize,
    pub limit: Option<usize>,
}

fn non_negative(v: &str) -> Option<usize> {
    (!v.is_empty() && v.len() <= 18 && v.bytes().all(|b| b.is_ascii_digit())).then(|| v.parse().ok())?
}

/// Reads `start` and `limit` from decoded query pairs; `start` is checked first. An empty value is invalid.
pub fn parse_window<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Window, BadWindow> {
    let mut start = None;
    let mut limit = None;
    let mut bad_start = false;
    let mut bad_limit = false;
    for (k, v) in pairs {
        match k {
            "start" if start.is_none() && !bad_start => match non_negative(v) {
                Some(n) => start = Some(n),
                None => bad_start = true,
            },
            "limit" if limit.is_none() && !bad_limit => match non_negative(v) {
                Some(n) => limit = Some(n),
                None => bad_limit = true,
            },
            _ => {}
        }
    }
    if bad_start {
        return Err(BadWindow::Start);
    }
    if bad_limit {
        return Err(BadWindow::Limit);
    }
    Ok(Window { start: start.unwrap_or(0), limit })
}

impl Window {
    /// The slice of a newest-first list this window selects, never more than `cap` items.
    pub fn apply<T: Clone>(&self, newest_first: &[T], cap: usize) -> Vec<T> {
        let take = self.limit.unwrap_or(cap).min(cap);
        newest_first.iter().skip(self.start).take(take).cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_applies() {
        let w = parse_window([("start", "1"), ("limit", "2")]).unwrap();
        assert_eq!(w.apply(&[5, 4, 3, 2, 1], 100), vec![4, 3]);
        assert_eq!(parse_window([]).unwrap().apply(&(0..150).collect::<Vec<_>>(), 100).len(), 100);
        assert_eq!(parse_window([("limit", "500")]).unwrap().apply(&(0..150).collect::<Vec<_>>(), 100).len(), 100);
        assert_eq!(parse_window([("start", "9")]).unwrap().apply(&[1, 2], 100), Vec::<i32>::new());
    }

    #[test]
    fn bad_values() {
        for bad in ["-1", "x", "", "1.5", " 1"] {
            assert_eq!(parse_window([("start", bad)]), Err(BadWindow::Start), "{bad}");
            assert_eq!(parse_window([("limit", bad)]), Err(BadWindow::Limit), "{bad}");
        }
        assert_eq!(parse_window([("limit", "x"), ("start", "x")]), Err(BadWindow::Start));
    }
}
