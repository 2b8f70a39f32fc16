//! Single `Range: bytes=...` requests on Swift objects (multi-range requests are answered with the whole object,
//! which RFC 9110 allows).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeAnswer {
    Full,
    /// Inclusive byte range.
    Partial {
        start: u64,
        end: u64,
    },
    Unsatisfiable,
}

pub fn parse_range(header: Option<&str>, len: u64) -> RangeAnswer {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return RangeAnswer::Full;
    };
    if spec.contains(',') {
        return RangeAnswer::Full;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return RangeAnswer::Full;
    };
    let (a, b) = (a.trim(), b.trim());
    let parse = |s: &str| s.parse::<u64>().ok();
    match (a.is_empty(), b.is_empty()) {
        (true, true) => RangeAnswer::Full,
        (true, false) => match parse(b) {
            Some(0) => RangeAnswer::Unsatisfiable,
            Some(n) if len > 0 => RangeAnswer::Partial { start: len.saturating_sub(n), end: len - 1 },
            Some(_) => RangeAnswer::Unsatisfiable,
            None => RangeAnswer::Full,
        },
        (false, _) => {
            let Some(start) = parse(a) else { return RangeAnswer::Full };
            let end = if b.is_empty() { Some(u64::MAX) } else { parse(b) };
            match end {
                None => RangeAnswer::Full,
                Some(end) if end < start => RangeAnswer::Full,
                Some(_) if start >= len => RangeAnswer::Unsatisfiable,
                Some(end) => RangeAnswer::Partial { start, end: end.min(len - 1) },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range(None, 10), RangeAnswer::Full);
        assert_eq!(parse_range(Some("bytes=0-3"), 10), RangeAnswer::Partial { start: 0, end: 3 });
        assert_eq!(parse_range(Some("bytes=5-"), 10), RangeAnswer::Partial { start: 5, end: 9 });
        assert_eq!(parse_range(Some("bytes=-4"), 10), RangeAnswer::Partial { start: 6, end: 9 });
        assert_eq!(parse_range(Some("bytes=-40"), 10), RangeAnswer::Partial { start: 0, end: 9 });
        assert_eq!(parse_range(Some("bytes=8-100"), 10), RangeAnswer::Partial { start: 8, end: 9 });
        assert_eq!(parse_range(Some("bytes=10-"), 10), RangeAnswer::Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=-0"), 10), RangeAnswer::Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=3-1"), 10), RangeAnswer::Full);
        assert_eq!(parse_range(Some("bytes=0-1,3-4"), 10), RangeAnswer::Full);
        assert_eq!(parse_range(Some("items=0-1"), 10), RangeAnswer::Full);
    }
}
