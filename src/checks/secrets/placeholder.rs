//! The one placeholder filter every rule shares: values that stand for a secret in docs,
//! templates and examples (`${DB_PASSWORD}`, `<your-token>`, `changeme`, `xxxx…`,
//! `AKIAIOSFODNN7EXAMPLE`) are not leaks, and a gate that fails on them gets switched off.
//! It judges the value a rule captured, never the line around it, and only says yes for
//! shapes no generated credential has: a weak but real password (`Summer2024`) still counts.

/// What `rules explain` says about the filter.
pub const EXPLAIN: &str = "Placeholders are not reported, for every rule: template references \
(${VAR}, $VAR, {{ .Values.x }}, <your-token>, %s, %(name)s, __NAME__), values of one repeated \
character (xxxx, ****, 0000), runs of consecutive characters (123456789, abcdef), and stand-in \
words (password, changeme, example, placeholder, redacted, dummy, your_… / my_…, and the default \
passwords of database images: postgres, mysql, guest…), also with digits after them \
(password123). A weak real password such as Summer2024 is still a finding.";

/// Whole values that only ever stand in for a secret (compared without case, punctuation
/// removed).
const WORDS: &[&str] = &[
    "password",
    "passwd",
    "pass",
    "pwd",
    "changeme",
    "changeit",
    "secret",
    "mysecret",
    "supersecret",
    "test",
    "testing",
    "admin",
    "root",
    "default",
    "sample",
    "dummy",
    "none",
    "null",
    "empty",
    "todo",
    "fixme",
    "foo",
    "bar",
    "foobar",
    "baz",
    "token",
    "apikey",
    "key",
    "value",
    "string",
    "xxx",
    // Default passwords of database and broker images and docs (`postgres:postgres@localhost`).
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "mongo",
    "redis",
    "rabbitmq",
    "guest",
    "user",
    "username",
];

/// Pieces that, anywhere in a value, mark it as a stand-in.
const MARKERS: &[&str] = &[
    "example",
    "placeholder",
    "redacted",
    "changeme",
    "change_me",
    "change-me",
    "dummy",
    "notreal",
    "not_real",
    "not-a-real",
    "insert_",
    "insert-",
    "replace_me",
    "replace-me",
    "your_",
    "your-",
    "yourpassword",
    "yourtoken",
    "yoursecret",
    "yourkey",
    "xxxxx",
];

/// Why `value` is a placeholder, or `None` when it may be a real secret.
pub fn reason(value: &[u8]) -> Option<&'static str> {
    let text = std::str::from_utf8(value).ok()?.trim();
    if text.is_empty() {
        return Some("empty");
    }
    if is_template(text) {
        return Some("a template reference");
    }
    let lower = text.to_ascii_lowercase();
    let letters: String = lower
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    if letters.is_empty() {
        // `…`, `***`, `---`: an elision, never a credential.
        return Some("no letter or digit");
    }
    if text.contains("...") || text.contains('…') {
        // `a...a`, `p...3`, `sk-…`: a value shown with its middle cut out.
        return Some("an elision");
    }
    if WORDS.contains(&letters.as_str()) {
        return Some("a stand-in word");
    }
    if lower.starts_with("my") && WORDS.contains(&&letters[2.min(letters.len())..]) {
        return Some("a stand-in word");
    }
    // A stand-in word with a counter (`password123`, `secret1`, `test2024`): what docs and
    // tests write when a check wants digits.
    let word = letters.trim_end_matches(|c: char| c.is_ascii_digit());
    if word.len() < letters.len() && WORDS.contains(&word) {
        return Some("a stand-in word");
    }
    if MARKERS.iter().any(|m| lower.contains(m)) {
        return Some("a stand-in word");
    }
    if credential_name(text) {
        return Some("the name of a credential");
    }
    if one_character(&lower) {
        return Some("one repeated character");
    }
    if consecutive(&letters) {
        return Some("consecutive characters");
    }
    None
}

/// Whether a host is reserved for documentation (RFC 2606, RFC 6761): `example.com`,
/// `example.org`, `example.net`, and names under `.example`, `.test` and `.invalid`.
/// Credentials for such a host are an example by definition.
pub fn documentation_host(host: &[u8]) -> bool {
    let Ok(host) = std::str::from_utf8(host) else {
        return false;
    };
    let host = host.to_ascii_lowercase();
    let host = host
        .split(':')
        .next()
        .unwrap_or_default()
        .trim_end_matches('.');
    let labels: Vec<&str> = host.split('.').collect();
    let n = labels.len();
    (n >= 2 && labels[n - 2] == "example" && matches!(labels[n - 1], "com" | "org" | "net"))
        || matches!(labels[n - 1], "example" | "test" | "invalid")
}

/// `${VAR}`, `$VAR`, `{{ … }}`, `<…>`, `%s`, `%(name)s`, `#{…}`, `__NAME__`, `{name}`.
fn is_template(text: &str) -> bool {
    let wrapped = |open: &str, close: &str| text.starts_with(open) && text.ends_with(close);
    if wrapped("${", "}")
        || wrapped("{{", "}}")
        || wrapped("<", ">")
        || wrapped("#{", "}")
        || wrapped("%(", "s")
        || wrapped("$(", ")")
        || wrapped("[[", "]]")
        || (wrapped("{", "}") && text[1..text.len() - 1].chars().all(is_name_char))
        || (wrapped("__", "__") && text.len() > 4)
    {
        return true;
    }
    if let Some(name) = text.strip_prefix('$')
        && !name.is_empty()
        && name.chars().all(is_name_char)
    {
        return true;
    }
    matches!(text, "%s" | "%d" | "%v" | "%q" | "{}" | "?")
        || text.contains("${")
        || text.contains("{{")
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'
}

/// Words docs put where a credential goes, naming it (`AuthToken`, `ApiSecret`, `master_key`,
/// `JWTToken`, `client-secret`).
const NAME_WORDS: &[&str] = &[
    "access",
    "account",
    "admin",
    "api",
    "app",
    "application",
    "auth",
    "bearer",
    "bot",
    "client",
    "consumer",
    "id",
    "jwt",
    "key",
    "master",
    "oauth",
    "pass",
    "password",
    "private",
    "public",
    "pwd",
    "refresh",
    "secret",
    "service",
    "session",
    "shared",
    "sid",
    "signing",
    "template",
    "tenant",
    "token",
    "user",
    "username",
    "webhook",
];

/// A value that names a credential or a field instead of holding one: two or more words
/// (split at case changes, `_`, `-` and `.`), letters only, every one of [`NAME_WORDS`]
/// (`AccountSid:AuthToken`, `app_id:master_key`, `template_id:app_id` in a URI template).
fn credential_name(text: &str) -> bool {
    if !text
        .bytes()
        .all(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'-' | b'.'))
    {
        return false;
    }
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        // A new word at a separator, at lower-to-upper (`authToken`), and before the last
        // capital of a capital run followed by lowercase (`JWTToken`: `jwt`, `token`).
        let upper_after_lower =
            b.is_ascii_uppercase() && i > 0 && bytes[i - 1].is_ascii_lowercase();
        let run_end = b.is_ascii_uppercase()
            && i > 0
            && bytes[i - 1].is_ascii_uppercase()
            && bytes.get(i + 1).is_some_and(u8::is_ascii_lowercase);
        if (!b.is_ascii_alphabetic() || upper_after_lower || run_end) && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        if b.is_ascii_alphabetic() {
            current.push(char::from(b.to_ascii_lowercase()));
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    // Two or more such words name a field (`app_id`, `template_id` in a URI template) even
    // without a credential word.
    words.len() >= 2 && words.iter().all(|w| NAME_WORDS.contains(&w.as_str()))
}

/// At least 4 characters, four in five of them the same one (`xxxx`, `0000000`, `aaaaaaab`).
fn one_character(letters: &str) -> bool {
    let bytes = letters.as_bytes();
    if bytes.len() < 4 {
        return false;
    }
    let mut counts = [0usize; 256];
    for &b in bytes {
        counts[usize::from(b)] += 1;
    }
    counts
        .iter()
        .max()
        .is_some_and(|&m| m * 5 >= bytes.len() * 4)
}

/// At least 6 characters, each the one after the last (`123456789`, `abcdefgh`,
/// `0123456789abcdef`), allowing one break.
fn consecutive(letters: &str) -> bool {
    let bytes = letters.as_bytes();
    if bytes.len() < 6 {
        return false;
    }
    let breaks = bytes
        .windows(2)
        .filter(|w| !(w[1] == w[0] + 1 || (w[0] == b'9' && w[1] == b'a')))
        .count();
    breaks <= 1
}

/// Whether a short value (16 bytes or less) spells a credential word inside it (`mypass123`,
/// `l2gpass`, `testsecret`, `Passw0rd`): what a test or a doc types where a password goes. Such
/// a match is reported at low confidence only, as a weak real password still can be.
pub fn self_named(value: &[u8]) -> bool {
    value.len() <= 16
        && ["pass", "pwd", "secret"]
            .iter()
            .any(|word| contains_folded(value, word.as_bytes()))
}

/// Whether `haystack` holds `needle` in any ASCII case.
pub fn contains_folded(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// Whether a value was typed as a run rather than drawn at random: six letters in alphabet
/// order among its letters (`abcdef…`, `a1b2c3d4e5f6`, `AaBbCcDdEeFf`, `…KEYABCDEFGHIJ`) or
/// seven digits in order among its digits (`1234567`, `…7890`). Docs, tests and the peers'
/// hand-written examples fill credentials this way; a random key of 40 characters has such a
/// run about once in ten thousand (a hex key, whose letters are only a–f, once in a thousand).
/// A value that holds one stretch of 12 characters twice (`aB3dE6gH9jK2…aB3dE6gH9jK2…`) was
/// pasted together, not drawn: a random key repeats 12 characters about never.
/// Such a match is reported at low confidence only ([`super::rules::confidence_of`]).
pub fn typed(value: &[u8]) -> bool {
    /// The longest run of steps one up (`wrap`: 9 then 0 too), a letter repeated in the other
    /// case (`Aa`) not breaking it.
    fn steps(value: &[u8], class: fn(&u8) -> bool, wrap: bool) -> usize {
        let (mut best, mut run) = (0, 0);
        let mut last: Option<u8> = None;
        for &b in value.iter().filter(|b| class(b)) {
            match last {
                Some(p) if b != p && b.eq_ignore_ascii_case(&p) => continue,
                Some(p) if b.to_ascii_lowercase() == p.to_ascii_lowercase() + 1 => run += 1,
                Some(b'9') if wrap && b == b'0' => run += 1,
                _ => run = 0,
            }
            best = best.max(run);
            last = Some(b);
        }
        best
    }
    steps(value, u8::is_ascii_alphabetic, false) >= 5
        || steps(value, u8::is_ascii_digit, true) >= 6
        || repeats(value)
}

/// Whether a value of at most 100 bytes, not structured with dots, holds some 12 bytes twice;
/// runs of one byte (`xxxx…`, `0000…`) are the placeholder filter's. Longer tokens are often
/// encoded structures (a JWT's JSON, a macaroon) that do repeat.
fn repeats(value: &[u8]) -> bool {
    const RUN: usize = 12;
    if value.len() < 2 * RUN || value.len() > 100 || value.contains(&b'.') {
        return false;
    }
    let mut seen = std::collections::HashSet::with_capacity(value.len());
    value
        .windows(RUN)
        .filter(|w| w.iter().any(|&b| b != w[0]))
        .any(|w| !seen.insert(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_credentials_are_not_credentials() {
        for name in [
            "AuthToken",
            "ApiSecret",
            "master_key",
            "JWTToken",
            "client-secret",
            "AccessToken",
        ] {
            assert_eq!(
                reason(name.as_bytes()),
                Some("the name of a credential"),
                "{name}"
            );
        }
        for value in [
            "hunterToken",
            "AuthToken7",
            "Zq8nB3vL6mX1kP9r",
            "TokenBucket",
        ] {
            assert_ne!(
                reason(value.as_bytes()),
                Some("the name of a credential"),
                "{value}"
            );
        }
    }

    #[test]
    fn elisions_and_field_names_in_uri_templates_are_stand_ins() {
        for value in [
            "a...a",
            "p...3",
            "sk-…4f2a",
            "app_id",
            "template_id",
            "ClientId",
        ] {
            assert!(reason(value.as_bytes()).is_some(), "{value}");
        }
        for value in ["yesqbrulvaelyxve", "app_dragon", "Zq8nB3vL6mX1kP9r"] {
            assert_eq!(reason(value.as_bytes()), None, "{value}");
        }
    }

    #[test]
    fn short_values_that_spell_a_credential_word_are_stand_ins() {
        for value in [
            "mypass123",
            "l2gpass",
            "realpass",
            "Passw0rd",
            "dbsecret1",
            "root_pwd",
        ] {
            assert!(self_named(value.as_bytes()), "{value}");
        }
        for value in [
            "yesqbrulvaelyxve",
            "Q9mX2kP7rT4vW8yB",
            "sb_secret_9uM4GhB0STF5R4K3HxQtlg",
            "s3cr3t-Pa55w0rd",
        ] {
            assert!(!self_named(value.as_bytes()), "{value}");
        }
    }

    #[test]
    fn typed_runs_are_told_from_random_keys() {
        for typed_value in [
            "bkaa_Qx7Lm2Nv9Rt4Ws8Kp3Zc6Qx7Lm2Nv9Rt4Ws8Kp3Zc6Qx7Lm2Nv9",
            "a1B2c3D4e5F6g7H8i9J0k1L2",
            "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
            "abc123def456ghi789jkl012mno345pq",
            "AaBbCcDdEeFf1234567890==",
            "FwoGZXIvYXdzSESSIONTOKENABCDEFGHIJKLMNOPQRS",
            "sk_live_51H8x1234567890",
        ] {
            assert!(typed(typed_value.as_bytes()), "{typed_value}");
        }
        for random in [
            "Zq8nB3vL6mX1kP9rT4wY7hJ2dF5gS0aC",
            "5Uvoad+/q5QMegD5vfX3r1HDY0hWokTpXtZVuRT+",
            "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",
            "d151c7bc86d545dafe2c1de75e3a174623230a2a",
            "qFj32Da8vf-g_-8qLu9P_k8XPyAHGrvKrzGTQIN4",
        ] {
            assert!(!typed(random.as_bytes()), "{random}");
        }
    }

    #[test]
    fn placeholders_are_recognised() {
        for value in [
            "password",
            "changeme",
            "password123",
            "Secret1!",
            "…",
            "…`",
            "${DB_PASSWORD}",
            "$DB_PASSWORD",
            "{{ .Values.db.password }}",
            "<your-token>",
            "%s",
            "%(password)s",
            "__SECRET__",
            "xxxxxxxxxxxxxxxxxxxxxxxx",
            "************",
            "1234567890",
            "abcdefghijkl",
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "your_api_key_here",
            "REDACTED",
            "mypassword",
            "postgres",
        ] {
            assert!(reason(value.as_bytes()).is_some(), "{value}");
        }
    }

    #[test]
    fn documentation_hosts() {
        for host in [
            "example.com",
            "api.example.org",
            "EXAMPLE.NET:8443",
            "db.test",
            "x.invalid",
            "svc.example",
        ] {
            assert!(documentation_host(host.as_bytes()), "{host}");
        }
        for host in [
            "example.io",
            "mail-relay",
            "db.internal",
            "examples.com",
            "github.com",
        ] {
            assert!(!documentation_host(host.as_bytes()), "{host}");
        }
    }

    #[test]
    fn real_looking_values_are_not_placeholders() {
        for value in [
            "Summer2024",
            "Q9mX2kP7rT4vW8yB",
            "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",
            "5Uvoad+/q5QMegD5vfX3r1HDY0hWokTpXtZVuRT+",
            "sk_live_frCs6SiQdPwVhC6Zz8oXkS0a",
            "hunter2hunter",
        ] {
            assert_eq!(reason(value.as_bytes()), None, "{value}");
        }
    }
}
