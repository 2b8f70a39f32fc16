//! JWT-shaped CSP access tokens.
//!
//! Clients decode the token without checking its signature (hcs-cli reads `context_name` as the org and
//! `perms`; the PowerShell module wants `eyJ…` with dots and reads `exp`). The server never trusts the claims:
//! it looks the whole token up in the credential registry. The HS256 signature is real so the token is
//! well-formed for any library that does verify shape.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};

const BLOCK: usize = 64;

pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block_key = [0u8; BLOCK];
    if key.len() > BLOCK {
        block_key[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block_key[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block_key.map(|b| b ^ 0x36));
    inner.update(message);
    let inner = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(block_key.map(|b| b ^ 0x5c));
    outer.update(inner);
    outer.finalize().into()
}

pub fn encode(claims: &Value, secret: &[u8]) -> String {
    let header = serde_json::json!({"alg": "HS256", "typ": "JWT", "kid": "mockcloud"});
    let signing_input =
        format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
    let signature = hmac_sha256(secret, signing_input.as_bytes());
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// The claims of a token signed with `secret`; None for anything else (other providers' tokens, edits).
pub fn verified_claims(token: &str, secret: &[u8]) -> Option<Value> {
    let (signing_input, signature) = token.rsplit_once('.')?;
    let (_, payload) = signing_input.split_once('.')?;
    let expected = hmac_sha256(secret, signing_input.as_bytes());
    if URL_SAFE_NO_PAD.decode(signature).ok()?.as_slice() != expected.as_slice() {
        return None;
    }
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(hex(&mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    #[test]
    fn token_looks_like_a_jwt_and_round_trips_claims() {
        let claims_in = json!({"context_name": "org-1", "exp": 2000000000u64, "perms": ["a"]});
        let token = encode(&claims_in, b"k");
        assert!(token.starts_with("eyJ"));
        assert_eq!(token.matches('.').count(), 2);
        assert_eq!(verified_claims(&token, b"k").unwrap(), claims_in);
        assert!(verified_claims(&token, b"other").is_none());
        assert!(verified_claims("not-a-token", b"k").is_none());
        let (head, _) = token.rsplit_once('.').unwrap();
        assert!(verified_claims(&format!("{head}.AAAA"), b"k").is_none());
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}
