//! The one redactor. Every string that leaves the process (reports, errors, notes, uploads)
//! passes through [`text`] at its sink (see [`crate::output`]): every span the active rule set
//! (built-in and custom rules) detects is replaced by its redacted form. No call site is
//! trusted to remember.
//!
//! The redacted form and secret fingerprints are keyed (HMAC-SHA-256) so that a weak secret
//! cannot be recovered from a report by hashing a dictionary. The key is stable for a
//! repository, so baselines and allow entries by fingerprint keep working, and it is never
//! written anywhere: it is derived from the raw bytes of the repository's root commit (which a
//! report never holds; a commit id does not give them), or from `PALISADE_FINGERPRINT_KEY`.

use crate::checks::secrets::engine::{Match, RuleSet};
use crate::policy::{Decided, Status, Verdict};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::sync::{Arc, OnceLock, RwLock};

/// The environment variable that sets the key (any text; it is hashed).
pub const KEY_VARIABLE: &str = "PALISADE_FINGERPRINT_KEY";

/// The marker every redacted form carries; text holding it is not redacted again.
const MARK: char = '…';

/// The rules the redactor masks with: the built-in set until a config adds custom rules.
static RULES: RwLock<Option<Arc<RuleSet>>> = RwLock::new(None);
/// The key of the repository being scanned, once known.
static KEY: RwLock<Option<[u8; 32]>> = RwLock::new(None);
/// A key for this process alone, until a repository's key is known.
static PROCESS_KEY: OnceLock<[u8; 32]> = OnceLock::new();

/// Set by `--show-secrets`: the sinks stop masking (the user asked to see them).
static SHOW: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Lets secrets through every sink from now on (`--show-secrets`, refused under CI).
pub fn show_secrets() {
    SHOW.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Makes `rules` (built-in plus the config's custom rules) the set every sink masks with.
pub fn use_rules(rules: Arc<RuleSet>) {
    if let Ok(mut slot) = RULES.write() {
        *slot = Some(rules);
    }
}

/// The config's custom rules, compiled with the built-in ones on first use.
static CUSTOM: RwLock<Vec<crate::checks::secrets::rules::Rule>> = RwLock::new(Vec::new());

/// Makes the config's custom rules part of what every sink masks. Compiled only when
/// something is printed, and not at all when a scan hands over its compiled set
/// ([`use_rules`]).
pub fn add_custom_rules(rules: &[crate::checks::secrets::rules::Rule]) {
    if let Ok(mut custom) = CUSTOM.write() {
        *custom = rules.to_vec();
    }
    if let Ok(mut slot) = RULES.write() {
        *slot = None;
    }
}

fn rules() -> Option<Arc<RuleSet>> {
    if let Ok(slot) = RULES.read()
        && let Some(rules) = slot.as_ref()
    {
        return Some(rules.clone());
    }
    let custom = CUSTOM.read().map(|c| c.clone()).unwrap_or_default();
    // The built-in rules are embedded and checked by the test suite, custom ones when the
    // config is read; if they ever failed to compile, the scan reports it.
    let built = crate::checks::secrets::rule_set(&custom)
        .ok()
        .map(Arc::new)?;
    if let Ok(mut slot) = RULES.write() {
        slot.get_or_insert_with(|| built.clone());
    }
    Some(built)
}

/// Sets the key from the text of `PALISADE_FINGERPRINT_KEY` or, without it, from `material`
/// (the raw bytes of a repository's root commit, or another stable identity).
pub fn set_key(material: &[u8]) {
    let key = match std::env::var(KEY_VARIABLE) {
        Ok(text) if !text.is_empty() => derive(text.as_bytes()),
        _ => derive(material),
    };
    if let Ok(mut slot) = KEY.write() {
        *slot = Some(key);
    }
}

fn derive(material: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"palisade fingerprint key v1\0");
    hasher.update(material);
    hasher.finalize().into()
}

fn key() -> [u8; 32] {
    if let Ok(slot) = KEY.read()
        && let Some(key) = *slot
    {
        return key;
    }
    if let Ok(text) = std::env::var(KEY_VARIABLE)
        && !text.is_empty()
    {
        return derive(text.as_bytes());
    }
    *PROCESS_KEY.get_or_init(|| {
        // No repository yet (an error before the scan): a key for this process only.
        use std::hash::{BuildHasher, Hasher};
        let mut material = Vec::new();
        for _ in 0..4 {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos())
                    .unwrap_or_default(),
            );
            material.extend(h.finish().to_le_bytes());
        }
        material.extend(std::process::id().to_le_bytes());
        derive(&material)
    })
}

/// HMAC-SHA-256 under the active key over length-prefixed parts.
fn mac(parts: &[&[u8]]) -> [u8; 32] {
    // HMAC takes keys of any length; a 32-byte key cannot be refused.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key()) else {
        return [0; 32];
    };
    for part in parts {
        mac.update(&(part.len() as u64).to_le_bytes());
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A short keyed hash of a secret, `hmac:` and 12 hex digits: tells two secrets apart without
/// letting anyone test guesses.
pub fn secret_hash(secret: &[u8]) -> String {
    format!("hmac:{}", hex(&mac(&[b"secret", secret])[..6]))
}

/// The fingerprint of a secret finding: keyed over the rule and the secret, 32 hex digits.
pub fn secret_fingerprint(rule: &str, secret: &[u8]) -> String {
    hex(&mac(&[b"fingerprint", rule.as_bytes(), secret])[..16])
}

/// The redacted form: up to 4 leading characters (fewer for short secrets, none below 8),
/// then `…` and the keyed hash.
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
        .filter(|c| c.is_ascii_graphic())
        .collect();
    format!("{prefix}{MARK}[{}]", secret_hash(secret))
}

/// `text` with every secret the active rules find replaced by its redacted form.
pub fn text(text: &str) -> Cow<'_, str> {
    if SHOW.load(std::sync::atomic::Ordering::Relaxed) {
        return Cow::Borrowed(text);
    }
    let Some(rules) = rules() else {
        return Cow::Borrowed(text);
    };
    let spans = secret_spans(&rules, text.as_bytes());
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in spans {
        // Spans come from byte matches: widen them to character boundaries.
        let start = floor_char_boundary(text, start.max(at));
        let end = ceil_char_boundary(text, end);
        if start < at || end <= start {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(&redact(&text.as_bytes()[start..end]));
        at = end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

/// The byte spans of every secret in `data` (every rule's matches, the ones that lost an
/// overlap included), ascending and disjoint, skipping what is already a redacted form.
fn secret_spans(rules: &RuleSet, data: &[u8]) -> Vec<(usize, usize)> {
    let mut matches: Vec<Match> = Vec::new();
    let mut covered: Vec<std::ops::Range<usize>> = Vec::new();
    rules.scan_covering(data, &mut matches, &mut covered);
    let mark = MARK.to_string();
    covered
        .into_iter()
        .filter(|r| memchr::memmem::find(&data[r.clone()], mark.as_bytes()).is_none())
        .map(|r| (r.start, r.end))
        .collect()
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Control characters of data made visible (`\n`, `\u{1b}`), so that a file or branch name
/// cannot start a line of its own in a report (a forged `::error` workflow command) or drive
/// the terminal.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_default().collect::<String>()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// Calls `f` on every one-line string of a decided finding: paths included; evidence keys
/// (ours) and an advisory's Markdown description (whose line breaks are meant) not.
fn each_string(d: &mut Decided, f: &mut dyn FnMut(&mut String)) {
    let finding = &mut d.finding;
    f(&mut finding.message);
    if let Some(help) = &mut finding.help {
        f(help);
    }
    if let Some(subject) = &mut finding.subject {
        f(&mut subject.id);
        f(&mut subject.title);
        subject.aliases.iter_mut().for_each(&mut *f);
        subject.tags.iter_mut().for_each(&mut *f);
        if let Some(url) = &mut subject.url {
            f(url);
        }
    }
    for location in &mut finding.locations {
        each_path(&mut location.path, f);
        if let Some(commit) = &mut location.commit {
            f(commit);
        }
    }
    for value in finding.evidence.values_mut() {
        each_json_string(value, f);
    }
    if let Some(partly) = &mut d.partly_allowed {
        for place in &mut partly.unmatched {
            f(&mut place.path);
        }
    }
    if let Status::Suppressed { by } = &mut d.status {
        f(&mut by.id);
        f(&mut by.reason);
        if let Some(ticket) = &mut by.ticket {
            f(ticket);
        }
        each_path(&mut by.origin.file, f);
    }
}

fn each_path(path: &mut std::path::PathBuf, f: &mut dyn FnMut(&mut String)) {
    let mut text = path.to_string_lossy().into_owned();
    let before = text.len();
    f(&mut text);
    if text.len() != before || path.to_str() != Some(text.as_str()) {
        *path = text.into();
    }
}

fn each_json_string(value: &mut serde_json::Value, f: &mut dyn FnMut(&mut String)) {
    use serde_json::Value;
    match value {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter_mut().for_each(|v| each_json_string(v, f)),
        Value::Object(map) => map.values_mut().for_each(|v| each_json_string(v, f)),
        _ => {}
    }
}

/// Makes every string of every finding safe to print, in place and once for every format:
/// redacted before any format escapes it (a PEM key in a commit message is one string here,
/// `\n`-escaped text in JSON), and its control characters made visible, so that a file or
/// branch name cannot open a line of its own (a forged `::error` workflow command) or drive a
/// terminal. An advisory's Markdown description keeps its line breaks. Strings with nothing
/// to change are not copied.
pub fn verdict_in_place(verdict: &mut Verdict) {
    let mut one_line = |s: &mut String| {
        if let Cow::Owned(redacted) = text(s) {
            *s = redacted;
        }
        if let Cow::Owned(escaped) = escape_controls(s) {
            *s = escaped;
        }
    };
    for d in &mut verdict.findings {
        each_string(d, &mut one_line);
        if let Some(subject) = &mut d.finding.subject
            && let Cow::Owned(redacted) = text(&subject.description)
        {
            subject.description = redacted;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAT: &str = "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";

    #[test]
    fn shows_at_most_four_characters() {
        let r = redact(PAT.as_bytes());
        assert!(r.starts_with("ghp_…[hmac:"), "{r}");
        assert!(!r.contains("WK59"), "{r}");
        assert!(redact(b"short").starts_with('…'));
        assert!(redact(b"mediumsecret").starts_with("me…"));
        assert_ne!(secret_hash(b"a"), secret_hash(b"b"));
    }

    #[test]
    fn hashes_are_keyed_not_plain_sha256() {
        // The unkeyed form this replaced: anyone could hash a dictionary and compare.
        let plain = Sha256::digest(b"Summer2024");
        let plain: String = hex(&plain[..6]);
        assert!(!secret_hash(b"Summer2024").contains(&plain));
        assert!(!secret_fingerprint("secret.x", b"Summer2024").contains(&plain));
    }

    #[test]
    fn masks_secrets_anywhere_in_text() {
        let line = format!("cannot resolve `{PAT}` (refs/heads/{PAT})");
        let masked = text(&line);
        assert!(!masked.contains(PAT), "{masked}");
        assert_eq!(masked.matches("ghp_…[hmac:").count(), 2, "{masked}");
        // Redacting twice changes nothing.
        assert_eq!(text(&masked), masked);
        assert!(matches!(text("nothing to hide here"), Cow::Borrowed(_)));
    }

    #[test]
    fn escapes_control_characters() {
        assert_eq!(
            escape_controls("a\n::error::x\u{1b}[2J"),
            "a\\n::error::x\\u{1b}[2J"
        );
        assert!(matches!(escape_controls("plain"), Cow::Borrowed(_)));
    }
}
