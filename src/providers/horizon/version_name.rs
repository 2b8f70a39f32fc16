//! Version names (`major.minor.patch`) and the numbering rules of Create Image Catalog and Add Version.
//!
//! The docs say only that `versionSource` "0.0" with MAJOR starts at 1.0.0 and that the version type with the
//! source's number decides the new name; the rest follows reference §7.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct VersionNumber {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionType {
    Major,
    Minor,
    Patch,
}

impl VersionType {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "MAJOR" => Some(Self::Major),
            "MINOR" => Some(Self::Minor),
            "PATCH" => Some(Self::Patch),
            _ => None,
        }
    }
}

impl fmt::Display for VersionNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl VersionNumber {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Self { major, minor, patch }
    }

    /// Parses `X`, `X.Y` or `X.Y.Z` (missing parts are 0). Clients send `"0"`, `"0.0"` or `"1.0.0"`.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let parts: Vec<&str> = text.split('.').collect();
        if parts.is_empty() || parts.len() > 3 {
            return None;
        }
        let mut nums = [0u32; 3];
        for (slot, part) in nums.iter_mut().zip(&parts) {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            *slot = part.parse().ok()?;
        }
        Some(Self::new(nums[0], nums[1], nums[2]))
    }

    /// `versionSource` arrives as a string or as a JSON number (hcs-cli sends `0.0`); a number is read through
    /// its decimal rendering, so `1.5` is "1.5".
    pub fn parse_json(value: &serde_json::Value) -> Option<Self> {
        match value {
            serde_json::Value::String(s) => Self::parse(s),
            serde_json::Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    Self::parse(&u.to_string())
                } else {
                    let f = n.as_f64()?;
                    if !(0.0..1e9).contains(&f) {
                        return None;
                    }
                    Self::parse(&format!("{f:?}"))
                }
            }
            _ => None,
        }
    }

    /// The first version of a new image: `versionSource` bumped by `versionType`.
    pub fn bump(self, kind: VersionType) -> Self {
        match kind {
            VersionType::Major => Self::new(self.major.saturating_add(1), 0, 0),
            VersionType::Minor => Self::new(self.major, self.minor.saturating_add(1), 0),
            VersionType::Patch => Self::new(self.major, self.minor, self.patch.saturating_add(1)),
        }
    }
}

/// Add Version MAJOR: one past the highest major the image has, so names never collide.
pub fn next_major(existing: &[VersionNumber]) -> VersionNumber {
    let top = existing.iter().map(|v| v.major).max().unwrap_or(0);
    VersionNumber::new(top.saturating_add(1), 0, 0)
}

/// Add Version MINOR from a source version: the next unused minor under the source's major.
pub fn next_minor(source: VersionNumber, existing: &[VersionNumber]) -> VersionNumber {
    let top = existing.iter().filter(|v| v.major == source.major).map(|v| v.minor).max().unwrap_or(source.minor);
    VersionNumber::new(source.major, top.max(source.minor).saturating_add(1), 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_the_shapes_clients_send() {
        assert_eq!(VersionNumber::parse("0"), Some(VersionNumber::new(0, 0, 0)));
        assert_eq!(VersionNumber::parse("0.0"), Some(VersionNumber::new(0, 0, 0)));
        assert_eq!(VersionNumber::parse("1.2.3"), Some(VersionNumber::new(1, 2, 3)));
        assert_eq!(VersionNumber::parse_json(&json!(0.0)), Some(VersionNumber::new(0, 0, 0)));
        assert_eq!(VersionNumber::parse_json(&json!(2)), Some(VersionNumber::new(2, 0, 0)));
        assert_eq!(VersionNumber::parse_json(&json!(1.5)), Some(VersionNumber::new(1, 5, 0)));
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["", "a", "1..2", "1.2.3.4", "-1", "1.x", " . "] {
            assert_eq!(VersionNumber::parse(bad), None, "{bad:?}");
        }
        assert_eq!(VersionNumber::parse_json(&json!(-1.0)), None);
        assert_eq!(VersionNumber::parse_json(&json!(true)), None);
        assert_eq!(VersionNumber::parse_json(&json!(null)), None);
    }

    #[test]
    fn create_numbering_follows_the_docs() {
        let zero = VersionNumber::parse("0.0").unwrap();
        assert_eq!(zero.bump(VersionType::Major).to_string(), "1.0.0");
        assert_eq!(VersionNumber::parse("1.0").unwrap().bump(VersionType::Minor).to_string(), "1.1.0");
        assert_eq!(VersionNumber::parse("1.1.0").unwrap().bump(VersionType::Patch).to_string(), "1.1.1");
    }

    #[test]
    fn add_version_numbering_never_collides() {
        let have = [VersionNumber::new(1, 0, 0), VersionNumber::new(1, 1, 0), VersionNumber::new(2, 0, 0)];
        assert_eq!(next_major(&have).to_string(), "3.0.0");
        assert_eq!(next_minor(VersionNumber::new(1, 0, 0), &have).to_string(), "1.2.0");
        assert_eq!(next_minor(VersionNumber::new(2, 0, 0), &have).to_string(), "2.1.0");
        assert_eq!(next_major(&[]).to_string(), "1.0.0");
    }
}
