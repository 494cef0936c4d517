//! The `[advisories]` slice of `palisade.toml`.
//!
//! ```toml
//! [advisories]
//! db = "../advisory-db"          # else --advisory-db, $PALISADE_ADVISORY_DB, $CARGO_HOME/advisory-db
//! stale-after-days = 90          # older DBs give an advisory.db-stale warning
//! informational = ["unmaintained", "unsound", "notice"]
//!
//! [[advisories.ignore]]
//! id = "RUSTSEC-2023-0071"       # or an alias: CVE-…, GHSA-…
//! reason = "no RSA decryption on attacker-timed paths"
//! ticket = "SEC-142"             # optional
//! expires = 2027-03-31           # optional
//! ```

use crate::policy::Suppression;
use crate::policy::config::{Origin, Problems, Threshold, parse_date, threshold};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// Informational advisory kinds that can be reported.
pub const INFORMATIONAL_KINDS: &[&str] = &["unmaintained", "unsound", "notice", "other"];

/// Validated `[advisories]` settings.
#[derive(Clone, Debug, PartialEq)]
pub struct AdvisoriesConfig {
    /// `db`, resolved against the config file's folder.
    pub db: Option<PathBuf>,
    /// `stale-after-days`.
    pub stale_after_days: u32,
    /// `informational`: the informational kinds to report.
    pub informational: Vec<String>,
    /// `[[advisories.ignore]]` entries.
    pub ignore: Vec<Suppression>,
    /// `fail-on`: the threshold for advisory findings.
    pub fail_on: Option<Threshold>,
}

impl Default for AdvisoriesConfig {
    fn default() -> Self {
        AdvisoriesConfig {
            db: None,
            stale_after_days: 90,
            informational: ["unmaintained", "unsound", "notice"]
                .map(String::from)
                .to_vec(),
            ignore: Vec::new(),
            fail_on: None,
        }
    }
}

/// The raw table, as written.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawAdvisories {
    db: Option<PathBuf>,
    fail_on: Option<Spanned<String>>,
    stale_after_days: Option<u32>,
    informational: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    ignore: Vec<Spanned<RawIgnore>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawIgnore {
    id: Option<Spanned<String>>,
    reason: Option<Spanned<String>>,
    ticket: Option<String>,
    expires: Option<Spanned<toml::Value>>,
}

impl AdvisoriesConfig {
    /// Validates the raw table, recording every problem.
    pub fn validate(raw: RawAdvisories, file: &Path, problems: &mut Problems<'_>) -> Self {
        let mut config = AdvisoriesConfig {
            fail_on: raw.fail_on.as_ref().and_then(|t| threshold(t, problems)),
            ..AdvisoriesConfig::default()
        };
        if let Some(db) = raw.db {
            let base = file.parent().unwrap_or(Path::new("."));
            config.db = Some(base.join(db));
        }
        if let Some(days) = raw.stale_after_days {
            config.stale_after_days = days;
        }
        if let Some(kinds) = raw.informational {
            config.informational.clear();
            for kind in kinds {
                if INFORMATIONAL_KINDS.contains(&kind.get_ref().as_str()) {
                    config.informational.push(kind.into_inner());
                } else {
                    problems.at(
                        kind.span(),
                        format!(
                            "informational kind `{}` is not one of {}",
                            kind.get_ref(),
                            INFORMATIONAL_KINDS.join(", ")
                        ),
                    );
                }
            }
        }
        for entry in raw.ignore {
            let span = entry.span();
            let line = problems.line_of(span.start);
            let entry = entry.into_inner();
            let Some(id) = entry.id.filter(|id| !id.get_ref().trim().is_empty()) else {
                problems.at(
                    span,
                    "an `[[advisories.ignore]]` entry needs an `id` (RUSTSEC-…, CVE-… or GHSA-…)",
                );
                continue;
            };
            let reason = match entry.reason {
                Some(r) if !r.get_ref().trim().is_empty() => r.into_inner(),
                Some(r) => {
                    problems.at(
                        r.span(),
                        format!(
                            "the ignore entry for {} has an empty `reason`",
                            id.get_ref()
                        ),
                    );
                    continue;
                }
                None => {
                    problems.at(
                        span,
                        format!(
                            "the ignore entry for {} has no `reason`: say why it is safe to ignore",
                            id.get_ref()
                        ),
                    );
                    continue;
                }
            };
            let expires = entry.expires.as_ref().and_then(|e| parse_date(e, problems));
            config.ignore.push(Suppression {
                id: id.into_inner(),
                matcher: crate::policy::Matcher::Subject,
                reason,
                ticket: entry.ticket,
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
    use crate::policy::config::Config;
    use std::path::Path;

    #[test]
    fn ignore_without_reason_is_an_error_with_its_line() {
        let text = "[advisories]\n\n[[advisories.ignore]]\nid = \"RUSTSEC-2020-0001\"\n";
        let err = Config::parse(text, Path::new("p.toml")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("RUSTSEC-2020-0001 has no `reason`"), "{msg}");
        assert!(
            msg.starts_with("p.toml:3:") || msg.starts_with("p.toml:4:"),
            "{msg}"
        );
    }

    #[test]
    fn ignore_entries_keep_their_origin_and_date() {
        let text = "[[advisories.ignore]]\nid = \"RUSTSEC-2020-0001\"\nreason = \"not reachable\"\nticket = \"SEC-1\"\nexpires = 2027-01-31\n";
        let config = Config::parse(text, Path::new("p.toml")).unwrap();
        let entry = &config.advisories.ignore[0];
        assert_eq!(entry.origin.line, 1);
        assert_eq!(entry.ticket.as_deref(), Some("SEC-1"));
        assert_eq!(entry.expires.unwrap().to_string(), "2027-01-31");
    }

    #[test]
    fn bad_date_and_kind_are_both_reported() {
        let text = "[advisories]\ninformational = [\"sad\"]\n[[advisories.ignore]]\nid = \"X\"\nreason = \"r\"\nexpires = \"soon\"\n";
        let err = Config::parse(text, Path::new("p.toml")).unwrap_err();
        assert_eq!(err.problems.len(), 2, "{err}");
    }
}
