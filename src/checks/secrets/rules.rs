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
        "registries.toml",
        include_str!("../../../rules/registries.toml"),
    ),
    ("ai.toml", include_str!("../../../rules/ai.toml")),
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
}

impl Validator {
    /// Whether `secret` passes.
    pub fn check(self, secret: &[u8]) -> bool {
        match self {
            Validator::GithubCrc32 => github_crc32(secret),
        }
    }
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

/// Every built-in rule, in file order.
pub fn builtin() -> Result<Vec<Rule>, RuleError> {
    let mut rules = Vec::new();
    for (file, text) in BUILTIN {
        rules.extend(parse_file(file, text)?);
    }
    Ok(rules)
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
