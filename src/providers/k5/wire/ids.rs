//! Identifier shapes K5 uses on the wire: 32-hex Keystone ids, 8-4-4-4-12 UUIDs for imports and images.

/// True for a UUID in the canonical 8-4-4-4-12 hex form (either case), which is what `uuidgen` prints.
pub fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    let lens = [8, 4, 4, 4, 12];
    groups.len() == 5 && groups.iter().zip(lens).all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// True for a Keystone-style id: exactly 32 lowercase hex characters.
pub fn is_hex32(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// True for a SHA1 hex digest (40 hex characters, either case).
pub fn is_sha1_hex(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_shapes() {
        assert!(is_uuid("6bf65660-70ee-4a75-b61a-36ac040c289c"));
        assert!(is_uuid("6BF65660-70EE-4A75-B61A-36AC040C289C"));
        assert!(!is_uuid("abc"));
        assert!(!is_uuid("6bf6566070ee4a75b61a36ac040c289c"));
        assert!(!is_uuid("6bf65660-70ee-4a75-b61a-36ac040c289g"));
        assert!(!is_uuid("6bf65660-70ee-4a75-b61a-36ac040c289c-"));
    }

    #[test]
    fn hex32_and_sha1() {
        assert!(is_hex32("73734414ba00e310cc645e118b6a6c4a"));
        assert!(!is_hex32("73734414BA00E310CC645E118B6A6C4A"));
        assert!(!is_hex32("73734414ba00e310cc645e118b6a6c4"));
        assert!(is_sha1_hex("8555915e2685d2ab798de30713eb337fbd83c6e8"));
        assert!(!is_sha1_hex("8555915e2685d2ab798de30713eb337fbd83c6e"));
        assert!(!is_sha1_hex("8555915e2685d2ab798de30713eb337fbd83c6ez"));
    }
}
