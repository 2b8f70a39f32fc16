//! The timestamp formats each K5 service prints.

use chrono::{DateTime, Utc};

/// Keystone `issued_at` / `expires_at`: microseconds and `Z`.
pub fn keystone(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Swift listing `last_modified`: microseconds, no zone.
pub fn swift_listing(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

/// HTTP dates (`Last-Modified`): RFC 1123, second precision.
pub fn http(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Swift `X-Timestamp`: Unix seconds with five decimals.
pub fn swift_timestamp(t: DateTime<Utc>) -> String {
    format!("{:.5}", t.timestamp_micros() as f64 / 1_000_000.0)
}

/// Glance `created_at` / `updated_at` and the import/export `request_time`: seconds and `Z`.
pub fn seconds(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn formats() {
        let t = Utc.timestamp_micros(1_560_435_715_338_480).unwrap();
        assert_eq!(keystone(t), "2019-06-13T14:21:55.338480Z");
        assert_eq!(swift_listing(t), "2019-06-13T14:21:55.338480");
        assert_eq!(http(t), "Thu, 13 Jun 2019 14:21:55 GMT");
        assert_eq!(swift_timestamp(t), "1560435715.33848");
        assert_eq!(seconds(t), "2019-06-13T14:21:55Z");
    }
}
