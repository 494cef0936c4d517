//! The `[secrets]` slice of `palisade.toml`.
//!
//! ```toml
//! [secrets]
//! max-blob-size = 67108864       # bytes; larger blobs are skipped and counted
//!
//! [[secrets.allow]]
//! rule = "secret.github-pat"      # with `paths`: this rule (or `rules = [...]`), in these files only
//! paths = ["tests/fixtures/**"]
//! reason = "fake tokens the tests plant"   # required
//! ticket = "SEC-41"                        # required: the ticket or spec that authorises it
//! expires = 2027-06-30                     # optional
//!
//! [[secrets.allow]]
//! fingerprint = "9f2c…"           # one finding, wherever it moves
//! reason = "revoked 2026-10-02, kept in history"
//! ticket = "INC-77"
//!
//! [[secrets.allow]]
//! secret-pattern = "^AKIA[A-Z2-7]{12}EXAMPLE$"   # a regex on the secret itself
//! reason = "vendor documentation examples"
//! ticket = "SEC-12"
//! ```
//!
//! An entry must narrow something: a fingerprint, a rule with paths, or a secret pattern.
//! `paths` without `rule` would allow every kind of secret in those files, so it is refused.

use crate::policy::config::{Origin, Problems, Threshold, globs, parse_date, threshold};
use crate::policy::{Matcher, SecretMatcher, Suppression};
use serde::Deserialize;
use std::path::Path;
use toml::Spanned;

/// Validated `[secrets]` settings.
#[derive(Clone, Debug, Default)]
pub struct SecretsConfig {
    /// `max-blob-size`.
    pub max_blob_size: Option<u64>,
    /// `fail-on`: the threshold for secret findings.
    pub fail_on: Option<Threshold>,
    /// `[[secrets.allow]]` entries, in file order.
    pub allow: Vec<Suppression>,
    /// The entries' `secret-pattern`s: (index in `allow`, regex). The check evaluates them,
    /// since only it sees secrets.
    pub patterns: Vec<(usize, regex::bytes::Regex)>,
    /// `[[secrets.rules]]`: custom rules, in the shape of the built-in ones.
    pub rules: Vec<super::rules::Rule>,
}

/// The raw table, as written.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawSecrets {
    max_blob_size: Option<u64>,
    fail_on: Option<Spanned<String>>,
    #[serde(default)]
    allow: Vec<Spanned<RawAllow>>,
    #[serde(default)]
    rules: Vec<Spanned<super::rules::Rule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawAllow {
    rule: Option<Spanned<String>>,
    rules: Option<Vec<Spanned<String>>>,
    paths: Option<Vec<Spanned<String>>>,
    fingerprint: Option<String>,
    secret_pattern: Option<Spanned<String>>,
    reason: Option<String>,
    ticket: Option<String>,
    expires: Option<Spanned<toml::Value>>,
}

fn present(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

impl SecretsConfig {
    /// Validates the raw table, recording every problem.
    pub fn validate(raw: RawSecrets, file: &Path, problems: &mut Problems<'_>) -> Self {
        let mut config = SecretsConfig {
            max_blob_size: raw.max_blob_size,
            fail_on: raw.fail_on.as_ref().and_then(|t| threshold(t, problems)),
            ..SecretsConfig::default()
        };
        for rule in raw.rules {
            // Compile each custom rule alone (with the built-ins, for duplicate ids) so its
            // error points at its own lines.
            let span = rule.span();
            let rule = rule.into_inner();
            let mut with_builtins = super::rules::builtin().unwrap_or_default();
            with_builtins.push(rule.clone());
            match super::engine::RuleSet::compile(with_builtins) {
                Ok(set) => {
                    let failures = super::engine::check_examples_of(&set, |id| id == rule.id);
                    if let Some(f) = failures.first() {
                        problems.at(span, format!("custom rule {}: {}", f.rule, f.problem));
                    } else {
                        config.rules.push(rule);
                    }
                }
                Err(e) => problems.at(span, format!("custom rule: {e}")),
            }
        }
        for entry in raw.allow {
            let span = entry.span();
            let line = problems.line_of(span.start);
            let entry = entry.into_inner();
            let mut ok = true;
            let (Some(reason), Some(ticket)) = (present(&entry.reason), present(&entry.ticket))
            else {
                problems.at(
                    span.clone(),
                    "a `[[secrets.allow]]` entry needs a `reason` and a `ticket` (the ticket or spec that authorises it)",
                );
                continue;
            };
            let mut rules: Vec<String> = Vec::new();
            if entry.rule.is_some() && entry.rules.is_some() {
                problems.at(span.clone(), "give `rule` or `rules`, not both");
                ok = false;
            }
            for rule in entry.rule.iter().chain(entry.rules.iter().flatten()) {
                if rule.get_ref().starts_with("secret.")
                    && !rule.get_ref().contains(['*', '?', '['])
                {
                    rules.push(rule.get_ref().clone());
                } else {
                    problems.at(rule.span(), format!("`{}` is not a secret rule id (`secret.…`, no patterns; see `cargo palisade rules list`)", rule.get_ref()));
                    ok = false;
                }
            }
            if entry.rules.as_ref().is_some_and(Vec::is_empty) {
                problems.at(span.clone(), "`rules = []` names no rule");
                ok = false;
            }
            let paths = match &entry.paths {
                Some(list) => {
                    let set = globs(list, span.clone(), problems);
                    ok &= set.is_some();
                    set
                }
                None => None,
            };
            if entry.paths.is_some() && entry.rule.is_none() && entry.rules.is_none() {
                problems.at(span.clone(), "`paths` without `rule` would allow every kind of secret in those files; name the rule");
                ok = false;
            }
            let pattern =
                entry.secret_pattern.as_ref().and_then(|p| {
                    match regex::bytes::Regex::new(p.get_ref()) {
                        Ok(re) => Some(re),
                        Err(e) => {
                            problems.at(
                                p.span(),
                                format!(
                                    "bad `secret-pattern`: {}",
                                    crate::advisories::db::one_line(&e.to_string())
                                ),
                            );
                            ok = false;
                            None
                        }
                    }
                });
            let fingerprint = present(&entry.fingerprint);
            let narrows = fingerprint.is_some()
                || pattern.is_some()
                || (!rules.is_empty() && paths.is_some());
            if ok && !narrows {
                problems.at(span.clone(), "a `[[secrets.allow]]` entry must name a `fingerprint`, a `rule` with `paths`, or a `secret-pattern`: blanket allows are not accepted");
                ok = false;
            }
            let expires = entry.expires.as_ref().and_then(|e| parse_date(e, problems));
            if !ok {
                continue;
            }
            let index = config.allow.len();
            let id = fingerprint
                .clone()
                .or_else(|| (!rules.is_empty()).then(|| rules.join(", ")))
                .or_else(|| {
                    entry
                        .secret_pattern
                        .as_ref()
                        .map(|p| format!("secret-pattern {}", p.get_ref()))
                })
                .unwrap_or_default();
            if let Some(re) = pattern {
                config.patterns.push((index, re));
            }
            config.allow.push(Suppression {
                id,
                matcher: Matcher::Secret(SecretMatcher {
                    rules,
                    paths,
                    fingerprint,
                    pattern: entry.secret_pattern.is_some().then_some(index),
                }),
                reason,
                ticket: Some(ticket),
                expires,
                origin: Origin {
                    file: file.to_path_buf(),
                    line,
                },
            });
        }
        config
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::config::{Config, problems};
    use std::path::Path;

    #[test]
    fn reason_and_ticket_are_required() {
        let p = problems("[[secrets.allow]]\nfingerprint = \"ab\"\nreason = \"r\"\n");
        assert_eq!(p.len(), 1);
        assert!(
            p[0].starts_with("1: ") && p[0].contains("`ticket`"),
            "{p:?}"
        );
    }

    #[test]
    fn blanket_entries_are_refused() {
        let p = problems(
            "[[secrets.allow]]\nrule = \"secret.github-pat\"\nreason = \"r\"\nticket = \"T-1\"\n\n[[secrets.allow]]\npaths = [\"**\"]\nreason = \"r\"\nticket = \"T-1\"\n",
        );
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].contains("blanket"), "{p:?}");
        assert!(
            p[1].starts_with("6: ") && p[1].contains("without `rule`"),
            "{p:?}"
        );
    }

    #[test]
    fn bad_glob_and_pattern_and_rule_are_reported() {
        let p = problems(
            "[[secrets.allow]]\nrule = \"github-pat\"\npaths = [\"a/[\"]\nsecret-pattern = \"(\"\nreason = \"r\"\nticket = \"T\"\n",
        );
        assert_eq!(p.len(), 3, "{p:?}");
    }

    #[test]
    fn valid_entries_keep_their_patterns() {
        let config = Config::parse(
            "[[secrets.allow]]\nrule = \"secret.github-pat\"\npaths = [\"fixtures/**\"]\nreason = \"fake\"\nticket = \"PAL-4\"\n\n[[secrets.allow]]\nsecret-pattern = \"^AKIA\"\nreason = \"docs\"\nticket = \"PAL-4\"\n",
            Path::new("p.toml"),
        )
        .unwrap();
        assert_eq!(config.secrets.allow.len(), 2);
        assert_eq!(config.secrets.patterns.len(), 1);
        assert_eq!(config.secrets.patterns[0].0, 1);
        assert_eq!(config.secrets.allow[1].origin.line, 7);
    }
}
