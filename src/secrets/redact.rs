//! Redaction: what may be shown of a secret. By default at most its first 4 characters and a
//! short hash, so two findings of the same secret can be told apart without revealing it.

use sha2::{Digest, Sha256};

/// A short, stable hash of a secret, `sha256:` and 12 hex digits.
pub fn secret_hash(secret: &[u8]) -> String {
    let digest = Sha256::digest(secret);
    let hex: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// The redacted form: up to 4 leading characters (fewer for short secrets, none below 8),
/// then `…` and the hash.
pub fn redact(secret: &[u8]) -> String {
    let text = String::from_utf8_lossy(secret);
    let chars = text.chars().count();
    let shown = match chars {
        0..8 => 0,
        8..16 => 2,
        _ => 4,
    };
    let prefix: String = text
        .chars()
        .take(shown)
        .filter(|c| !c.is_control())
        .collect();
    format!("{prefix}…[{}]", secret_hash(secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_at_most_four_characters() {
        let r = redact(b"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");
        assert!(r.starts_with("ghp_…[sha256:"), "{r}");
        assert!(!r.contains("WK59"));
        assert!(redact(b"short").starts_with('…'));
        assert!(redact(b"mediumsecret").starts_with("me…"));
        assert_eq!(redact(b"x"), redact(b"x"));
        assert_ne!(secret_hash(b"a"), secret_hash(b"b"));
    }
}
