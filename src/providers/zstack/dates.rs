//! ZStack prints `java.sql.Timestamp` with Gson's default US-locale pattern `MMM d, yyyy h:mm:ss a`
//! (e.g. `Nov 14, 2017 10:20:57 PM`), with an ASCII space before AM/PM as Java 8 prints it.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

const FORMAT: &str = "%b %-d, %Y %-I:%M:%S %p";

pub fn format_date(t: DateTime<Utc>) -> String {
    t.format(FORMAT).to_string()
}

/// Parses a date printed by `format_date` (used to compare dates in queries and sorts).
pub fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(s.trim(), "%b %d, %Y %I:%M:%S %p").ok().map(|n| Utc.from_utc_datetime(&n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_java() {
        let t = Utc.with_ymd_and_hms(2017, 11, 14, 22, 20, 57).unwrap();
        assert_eq!(format_date(t), "Nov 14, 2017 10:20:57 PM");
        let t = Utc.with_ymd_and_hms(2017, 1, 1, 0, 5, 6).unwrap();
        assert_eq!(format_date(t), "Jan 1, 2017 12:05:06 AM");
        let t = Utc.with_ymd_and_hms(2017, 1, 1, 12, 0, 0).unwrap();
        assert_eq!(format_date(t), "Jan 1, 2017 12:00:00 PM");
    }

    #[test]
    fn parses_back() {
        let t = Utc.with_ymd_and_hms(2021, 3, 3, 9, 5, 12).unwrap();
        assert_eq!(parse_date(&format_date(t)), Some(t));
        assert_eq!(
            parse_date("Nov 14, 2017 10:20:57 PM"),
            Some(Utc.with_ymd_and_hms(2017, 11, 14, 22, 20, 57).unwrap())
        );
        assert_eq!(parse_date("yesterday"), None);
    }
}
