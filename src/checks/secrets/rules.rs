//! Secret rules: data, not code. The built-in rules are the TOML files under `rules/`, compiled
//! into the binary; custom rules come from `palisade.toml` in the same shape. Every rule carries
//! examples that must match and examples that must not, and `cargo palisade rules check` (and a
//! test) runs them all.

use crate::finding::Severity;
use serde::Deserialize;

/// The built-in rule files, embedded at build time: `(file name, contents)`.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "private-keys.toml",
        include_str!("../../../rules/private-keys.toml"),
    ),
    ("vcs-ci.toml", include_str!("../../../rules/vcs-ci.toml")),
    ("cloud.toml", include_str!("../../../rules/cloud.toml")),
    ("infra.toml", include_str!("../../../rules/infra.toml")),
    ("saas.toml", include_str!("../../../rules/saas.toml")),
    (
        "messaging.toml",
        include_str!("../../../rules/messaging.toml"),
    ),
    (
        "registries.toml",
        include_str!("../../../rules/registries.toml"),
    ),
    ("ai.toml", include_str!("../../../rules/ai.toml")),
    (
        "dev-tools.toml",
        include_str!("../../../rules/dev-tools.toml"),
    ),
    (
        "services.toml",
        include_str!("../../../rules/services.toml"),
    ),
    ("generic.toml", include_str!("../../../rules/generic.toml")),
];

/// A rule as written in TOML.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Rule {
    /// Stable id, `secret.kebab-case`; the finding code of what it finds.
    pub id: String,
    /// Human name.
    pub name: String,
    /// How bad a leak is.
    pub severity: RuleSeverity,
    /// Literal strings one of which must occur (ASCII case-insensitive) for the regex to run.
    pub keywords: Vec<String>,
    /// The regex; the secret is the named group `secret` (else the whole match).
    pub pattern: String,
    /// How many bytes from a keyword the secret may lie (default 512); multi-line secrets
    /// such as PEM keys need more.
    #[serde(default)]
    pub window: Option<usize>,
    /// Minimum Shannon entropy (bits per byte) of the secret.
    #[serde(default)]
    pub min_entropy: Option<f64>,
    /// Documented, public example values (an emulator's fixed key, a vendor's docs example)
    /// that are never reported.
    #[serde(default)]
    pub public_values: Vec<String>,
    /// A regex over what a match holds before the secret (the key's name and the operator):
    /// a match where it is found is dropped. For names that read like credentials and are not
    /// (`csrfToken`, `publicKey`, `nextPageToken`).
    #[serde(default)]
    pub not_named: Option<String>,
    /// Services whose every credential format this rule knows (`wandb`): a generic rule's
    /// match under a name that names one of them as a word (`WANDB_API_KEY`) is reported at
    /// low confidence only ([`super::claims`]).
    #[serde(default)]
    pub service_names: Vec<String>,
    /// A checksum the secret must satisfy.
    #[serde(default)]
    pub validator: Option<Validator>,
    /// How sure a match is to be a live credential (default `high`: a service format with a
    /// fixed prefix, length or checksum). `medium`: a service keyword near an entropy-checked
    /// value; `low`: a generic assignment.
    #[serde(default)]
    pub confidence: Confidence,
    /// What it finds.
    pub finds: String,
    /// Why a leak matters.
    pub why: String,
    /// What to do about a leak.
    pub fix: String,
    /// Where the format is documented.
    #[serde(default)]
    pub references: Vec<String>,
    /// Text that must match (each must yield a finding).
    pub examples: Vec<String>,
    /// Text that must not match.
    #[serde(default)]
    pub negative_examples: Vec<String>,
    /// The group it is listed under: its file's name for built-in rules (`cloud`), `custom`
    /// for the config's own.
    #[serde(skip)]
    pub category: String,
}

/// Severity in rule files.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RuleSeverity {
    /// Critical.
    Critical,
    /// High.
    High,
    /// Medium.
    Medium,
    /// Low.
    Low,
}

impl From<RuleSeverity> for Severity {
    fn from(s: RuleSeverity) -> Severity {
        match s {
            RuleSeverity::Critical => Severity::Critical,
            RuleSeverity::High => Severity::High,
            RuleSeverity::Medium => Severity::Medium,
            RuleSeverity::Low => Severity::Low,
        }
    }
}

/// How sure a rule's match is to be a real credential; `min-confidence` chooses which are
/// reported.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    Deserialize,
    serde::Serialize,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// A generic assignment: a secret-like name and a value that passes the entropy and
    /// placeholder checks.
    Low,
    /// A service's keyword near an entropy-checked value of its alphabet and length.
    Medium,
    /// A service's own format: a fixed prefix, length or checksum.
    #[default]
    High,
}

/// How sure one match is: its rule's confidence, or low when the value was typed as a run
/// (`abcdef123456`, [`super::placeholder::typed`]): a stand-in more likely than a key; or
/// when it spells a credential word ([`super::placeholder::self_named`]: `mypass123`); or when
/// a generic rule found it under a name a service rule claims and that rule did not match it
/// (`claimed`, [`super::claims`]).
pub fn confidence_of(rule: &Rule, secret: &[u8], claimed: bool) -> Confidence {
    if claimed || super::placeholder::typed(secret) || super::placeholder::self_named(secret) {
        Confidence::Low
    } else {
        rule.confidence
    }
}

impl Confidence {
    /// The lowercase name used in config, CLI and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }

    /// Parses the lowercase name.
    pub fn parse(text: &str) -> Option<Confidence> {
        match text {
            "low" => Some(Confidence::Low),
            "medium" => Some(Confidence::Medium),
            "high" => Some(Confidence::High),
            _ => None,
        }
    }
}

/// Checksums a secret must pass.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Validator {
    /// GitHub's token format: the last 6 characters are the base62 CRC32 of the 30 before them.
    GithubCrc32,
    /// A value assigned to a secret-like name that reads as a credential, not as code: see
    /// [`credential_value`].
    CredentialValue,
    /// HTTP Basic credentials: base64 of `user:password`, the password not a placeholder.
    BasicCredentials,
}

impl Validator {
    /// Whether `secret` passes.
    pub fn check(self, secret: &[u8]) -> bool {
        match self {
            Validator::GithubCrc32 => github_crc32(secret),
            Validator::CredentialValue => credential_value(secret),
            Validator::BasicCredentials => basic_credentials(secret),
        }
    }
}

/// Whether a value assigned to a secret-like name (`password = …`, `<token>…</token>`) reads as
/// a credential rather than as code or prose: generic rules match names, so the value must
/// carry the evidence. It must mix character kinds (a digit or a symbol, and a letter), and
/// must not be an identifier or a dotted path (`settings.SECRET_KEY`, `getToken`,
/// `os.environ`), a call, a file path, a URL, a version, a boolean or a type name. Weak real
/// passwords (`Summer2024!`) still pass.
pub fn credential_value(value: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(value) else {
        return false;
    };
    let has_digit = text.bytes().any(|b| b.is_ascii_digit());
    let has_letter = text.bytes().any(|b| b.is_ascii_alphabetic());
    let has_symbol = text
        .bytes()
        .any(|b| b.is_ascii_punctuation() && !matches!(b, b'_' | b'-' | b'.'));
    let mixed_case = text.bytes().any(|b| b.is_ascii_uppercase())
        && text.bytes().any(|b| b.is_ascii_lowercase());
    // Letters alone count when long, mixed-case and random-looking (a generated key), never
    // as a word or an identifier (`getUserPasswordHash` has humps: a capital every few letters
    // after lowercase runs, so its entropy is lower than a random string's of its length).
    let random_letters = mixed_case && text.len() >= 16 && super::engine::entropy(value) >= 3.7;
    if !has_letter || !(has_digit || has_symbol || random_letters) {
        return false;
    }
    // Code: a call, an index, a dotted or namespaced path, a file path, a URL.
    if text.contains(['(', ')', '[', ']'])
        || text.contains("::")
        || text.contains("->")
        || text.starts_with(['/', '.', '~', '@', '#', '&', '*', '!', '%'])
        || text.contains("://")
    {
        return false;
    }
    let dotted_identifier = !has_digit
        && text.split('.').count() > 1
        && text.split('.').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                && !part.bytes().next().is_some_and(|b| b.is_ascii_digit())
        });
    if dotted_identifier {
        return false;
    }
    // A version (`1.2.3`, `v2.0.1-rc1`) or a date.
    let core = text
        .trim_start_matches(['v', 'V'])
        .split(['-', '+'])
        .next()
        .unwrap_or_default();
    let version = core.contains('.')
        && core.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && core.bytes().next().is_some_and(|b| b.is_ascii_digit());
    let date = text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b':' | b'T' | b'Z'));
    if version || date {
        return false;
    }
    // An environment-variable or constant name with a digit (`AWS_SECRET_KEY_2`, `KEY_V1`),
    // or quoted with its operator (`SERVICE_API_KEY=` in prose).
    let constant = text
        .trim_end_matches(['=', ':'])
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        && text.contains('_');
    if constant {
        return false;
    }
    if elided(text) || reference(text) || words(text) || host_name(text) || code_path(text) {
        return false;
    }
    super::engine::entropy(value) >= 2.8
}

/// A value cut short in docs (`ops_eyJzaWdu...`) or a JWT whose signature is a stand-in
/// (`eyJ….eyJ….signature`).
fn elided(text: &str) -> bool {
    if text.contains("...") {
        return true;
    }
    text.starts_with("eyJ")
        && text.contains('.')
        && text
            .rsplit('.')
            .next()
            .is_none_or(|sig| sig.len() < 16 || sig.bytes().all(|b| b.is_ascii_lowercase()))
}

/// A reference to where the secret is kept, not the secret (`arn:aws:secretsmanager:…`,
/// `vault:secret/data/app#password`, `env:DB_PASSWORD`, `file:/run/secrets/db`).
fn reference(text: &str) -> bool {
    const SCHEMES: &[&str] = &[
        "arn",
        "vault",
        "env",
        "file",
        "ssm",
        "secretsmanager",
        "keyvault",
        "ref",
        "classpath",
        "op",
        "gsm",
        "sm",
        "secret",
        "secrets",
        "projects",
        "akv",
        "kms",
    ];
    text.split_once(':')
        .is_some_and(|(scheme, _)| SCHEMES.contains(&scheme.to_ascii_lowercase().as_str()))
}

/// Words and numbers joined by separators: a package coordinate or file name
/// (`jjwt-jackson-0.11.2`, `io.jsonwebtoken:jjwt-api`), a resource name (`prod-db-backup-2`), a
/// route (`cms/sites/passwords#update`),
/// not a generated key: every part is lowercase letters or digits, two or more parts are
/// letters, and one of those has a vowel.
fn words(text: &str) -> bool {
    let parts: Vec<&str> = text.split(['-', '_', '.', ':', '/', '#']).collect();
    if parts.iter().filter(|p| !p.is_empty()).count() < 2 {
        return false;
    }
    let (mut wordy, mut vowels) = (0, 0);
    for part in parts.iter().filter(|p| !p.is_empty()) {
        let letters = part.bytes().all(|b| b.is_ascii_lowercase());
        let number = part.bytes().all(|b| b.is_ascii_digit())
            || (part.starts_with('v')
                && part.len() > 1
                && part[1..].bytes().all(|b| b.is_ascii_digit()));
        if !(letters || number) {
            return false;
        }
        if letters && part.len() >= 2 {
            wordy += 1;
            vowels += usize::from(part.bytes().any(|b| b"aeiouy".contains(&b)));
        }
    }
    wordy >= 2 && vowels >= 1
}

/// A host name, with or without a port (`dev-lb1.api.corp.com:5215`).
fn host_name(text: &str) -> bool {
    let host = text.split(':').next().unwrap_or_default();
    let port_ok = text[host.len()..]
        .strip_prefix(':')
        .is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let tld = host.rsplit('.').next().unwrap_or_default();
    port_ok
        && host.matches('.').count() >= 2
        && host
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && (2..=6).contains(&tld.len())
        && tld.bytes().all(|b| b.is_ascii_lowercase())
}

/// A dotted path of identifiers with digits in it (`X25519.secret_length`,
/// `config.v2.token`): each part an identifier, short or a snake_case word; a JWT's or a
/// key's long random parts are neither.
fn code_path(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    parts.len() > 1
        && parts.iter().all(|part| {
            let ident = part
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
                && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            let snake = part.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
            ident && (part.len() <= 8 || snake)
        })
}

/// Whether `value` is base64 of `user:password` with a password that is not a placeholder.
fn basic_credentials(value: &[u8]) -> bool {
    use base64::Engine as _;
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(value) else {
        return false;
    };
    let Some(colon) = decoded.iter().position(|&b| b == b':') else {
        return false;
    };
    let (user, password) = (&decoded[..colon], &decoded[colon + 1..]);
    !user.is_empty()
        && password.len() >= 3
        && std::str::from_utf8(password).is_ok_and(|p| !p.chars().any(char::is_control))
        && super::placeholder::reason(password).is_none()
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn github_crc32(token: &[u8]) -> bool {
    // prefix_ + 30 random + 6 checksum
    let Some(underscore) = token.iter().position(|&b| b == b'_') else {
        return false;
    };
    let body = &token[underscore + 1..];
    if body.len() != 36 {
        return false;
    }
    let (random, checksum) = body.split_at(30);
    let mut value = crc32fast::hash(random);
    let mut encoded = [b'0'; 6];
    for slot in encoded.iter_mut().rev() {
        *slot = BASE62[(value % 62) as usize];
        value /= 62;
    }
    value == 0 && encoded == checksum
}

/// One rule file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    rules: Vec<Rule>,
}

/// A rule file that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("rule file {file}: {message}")]
pub struct RuleError {
    /// The file (built-in name or config path).
    pub file: String,
    /// What is wrong, with the line where known.
    pub message: String,
}

/// Parses a rule file's text.
pub fn parse_file(file: &str, text: &str) -> Result<Vec<Rule>, RuleError> {
    toml::from_str::<RuleFile>(text)
        .map(|f| f.rules)
        .map_err(|e| RuleError {
            file: file.to_string(),
            message: crate::output::one_line(&e.to_string()),
        })
}

/// Orders rules for matching: where two rules match one secret the earlier wins, so the more
/// certain come first (a custom rule for a known format beats a generic assignment), in
/// their given order within a confidence.
pub fn by_priority(rules: &mut [Rule]) {
    rules.sort_by_key(|r| std::cmp::Reverse(r.confidence));
}

/// Every built-in rule, in file order.
pub fn builtin() -> Result<Vec<Rule>, RuleError> {
    let mut rules = Vec::new();
    for (file, text) in BUILTIN {
        let category = file.trim_end_matches(".toml");
        rules.extend(parse_file(file, text)?.into_iter().map(|r| Rule {
            category: category.to_string(),
            ..r
        }));
    }
    Ok(rules)
}

/// The categories of `rules` in first-seen order, each with its rules in their order.
pub fn by_category<'a>(rules: impl IntoIterator<Item = &'a Rule>) -> Vec<(&'a str, Vec<&'a Rule>)> {
    let mut groups: Vec<(&str, Vec<&Rule>)> = Vec::new();
    for rule in rules {
        match groups.iter_mut().find(|(c, _)| *c == rule.category) {
            Some((_, list)) => list.push(rule),
            None => groups.push((&rule.category, vec![rule])),
        }
    }
    groups
}

/// `docs/RULES.md`: every built-in rule by category, generated from `rules/*.toml` (a test
/// fails when the checked-in file is not what this writes).
pub fn markdown(rules: &[Rule]) -> String {
    let mut out = String::from(
        "# Secret rules\n\n\
         Generated from `rules/*.toml` by `PALISADE_UPDATE_DOCS=1 cargo test rules_md`; do not edit.\n\
         `cargo palisade rules explain ID` prints a rule's full documentation.\n\n\
         Confidence: **high**, a service's own format (a fixed prefix, length or checksum);\n\
         **medium**, a service keyword near an entropy-checked value; **low**, a generic\n\
         assignment. `--min-confidence` (default medium) chooses what is reported.\n",
    );
    let groups = by_category(rules);
    out.push_str(&format!(
        "\n{} rules in {} categories.\n",
        rules.len(),
        groups.len()
    ));
    for (category, list) in groups {
        out.push_str(&format!(
            "\n## {category} ({})\n\n| id | finds | severity | confidence |\n|---|---|---|---|\n",
            list.len()
        ));
        for r in list {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                r.id,
                r.finds.replace('|', "\\|").replace('\n', " "),
                Severity::from(r.severity).as_str(),
                r.confidence.as_str()
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_checksum() {
        assert!(github_crc32(b"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"));
        assert!(!github_crc32(b"ghp_WK59PFkl0JfI2yyVlbPegBPrUhRZds40ieVx"));
        assert!(!github_crc32(b"ghp_short"));
    }

    #[test]
    fn credential_values_and_code() {
        for real in [
            "Summer2024!",
            "5lpQan%IE^rVvwaw4SFZGK50",
            "Q9mX2kP7rT4vW8yB",
            "s3cr3t-Pa55w0rd",
            "hunter2hunter2",
        ] {
            assert!(credential_value(real.as_bytes()), "{real}");
        }
        for code in [
            "request.form",
            "settings.SECRET_KEY",
            "getPassword()",
            "os.environ.get",
            "self.token",
            "AWS_SECRET_KEY_2",
            "SERVICE_API_KEY=",
            "1.2.3",
            "v2.0.1-rc1",
            "2024-01-02T03:04:05Z",
            "/run/secrets/db2",
            "https://vault.example/v1",
            "config::TOKEN",
            "true",
            "password",
            "abcdefghij",
            "tokens[0]",
            "jjwt-jackson-0.11.2",
            "io.jsonwebtoken:jjwt-api",
            "dev-lb7.api.corp-intra.com:5215",
            "X25519.secret_length",
            "ops_eyJzaWduSW5BZGRyZXNz...",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.signature",
            "cms/sites/passwords#update",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-Zx81Qa",
            "vault:secret/data/app#password2",
        ] {
            assert!(!credential_value(code.as_bytes()), "{code}");
        }
    }

    #[test]
    fn generated_keys_are_credentials() {
        for generated in [
            "zglnu04lj6p9q30or5szx2cpwy_ukl8m",
            "f5321c52951d17ab347ee05a375317e4",
            "29cefb22-bae9-6a39-6168-db84e491efed",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.Zm4f3nQ0J2b9mS4kQ7yX1cV8pL5tR2wE",
            "mercury_sandbox_rma_24pnbcT7NygLbp",
            "52817364:Hq7rT2vK9mX4wB1nC6yL3pD8fJ0gS5aZe",
            "base64:q8Zr2kW7vN1xB4mT9yL6pC3dH0fJ5gSa",
        ] {
            assert!(credential_value(generated.as_bytes()), "{generated}");
        }
    }

    #[test]
    fn rules_md_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/RULES.md");
        let generated = markdown(&builtin().unwrap());
        if std::env::var_os("PALISADE_UPDATE_DOCS").is_some() {
            std::fs::write(&path, &generated).unwrap();
        }
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            current == generated,
            "docs/RULES.md is stale: run `PALISADE_UPDATE_DOCS=1 cargo test rules_md`"
        );
    }

    #[test]
    fn every_rule_file_under_rules_is_embedded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml"))
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = BUILTIN.iter().map(|(n, _)| n.to_string()).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded);
    }
}
