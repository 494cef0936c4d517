//! The `[advisories]` slice of `palisade.toml`.
//!
//! ```toml
//! [advisories]
//! db = "../advisory-db"          # else --advisory-db, $PALISADE_ADVISORY_DB, $CARGO_HOME/advisory-db
//! go-db = "../go-vulndb"         # the Go vulnerability database (see [go])
//! stale-after-days = 90          # older DBs give an advisory.db-stale warning
//! informational = ["unmaintained", "unsound", "notice"]
//!
//! [[advisories.ignore]]
//! id = "RUSTSEC-2023-0071"       # or an alias: CVE-…, GHSA-…
//! reason = "no RSA decryption on attacker-timed paths"
//! ticket = "SEC-142"             # optional
//! expires = 2027-03-31           # optional
//! ```
//!
//! An `id` must look like an advisory id or alias ([`is_advisory_id`]): anything else can match
//! no advisory, and a secret rule id here is a suppression written in the wrong table.

use crate::config::fields::{Field, Table, shown};
use crate::config::{Origin, Problems, Threshold, threshold};
use crate::policy::Suppression;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// Informational advisory kinds that can be reported.
pub const INFORMATIONAL_KINDS: &[&str] = &["unmaintained", "unsound", "notice", "other"];

/// Validated `[advisories]` settings.
#[derive(Clone, Debug, PartialEq)]
pub struct AdvisoriesConfig {
    /// `db`, resolved against the config file's folder.
    pub db: Option<PathBuf>,
    /// `go-db`: the Go vulnerability database (the `go` check's), resolved the same way.
    pub go_db: Option<PathBuf>,
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
            go_db: None,
            stale_after_days: 90,
            informational: ["unmaintained", "unsound", "notice"]
                .map(String::from)
                .to_vec(),
            ignore: Vec::new(),
            fail_on: None,
        }
    }
}

/// The keys of this entry table (unknown ones are errors).
pub const IGNORE_KEYS: &[&str] = &["id", "reason", "ticket", "expires"];

/// What an advisory id or alias looks like: `RUSTSEC-2023-0071`, `CVE-2024-3094`, other OSV
/// databases' `PREFIX-YYYY-N…` (`PYSEC-`, `GO-`), or `GHSA-xxxx-xxxx-xxxx`. Anything else can
/// never match an advisory, and a secret rule id here would be a suppression in the wrong
/// table.
static ADVISORY_ID: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r"(?i)^(?:[a-z][a-z0-9]*-[0-9]{4}-[0-9]{3,}|ghsa(?:-[23456789cfghjmpqrvwx]{4}){3})$",
    )
    .unwrap_or_else(|e| unreachable!("constant regex: {e}"))
});

/// Whether `id` looks like an advisory id or alias.
pub fn is_advisory_id(id: &str) -> bool {
    ADVISORY_ID.is_match(id)
}

/// Whether `id` names a secret rule (`secret.github-pat`, or the bare `github-pat`).
fn is_secret_rule(id: &str) -> bool {
    static RULES: LazyLock<std::collections::HashSet<String>> = LazyLock::new(|| {
        crate::checks::secrets::rules::builtin()
            .unwrap_or_default()
            .into_iter()
            .map(|r| r.id)
            .collect()
    });
    let lower = id.trim().to_ascii_lowercase();
    lower.starts_with("secret.") || RULES.contains(&format!("secret.{lower}"))
}

impl AdvisoriesConfig {
    /// The keys of `[advisories]`.
    pub const KEYS: &[&str] = &[
        "db",
        "go-db",
        "fail-on",
        "stale-after-days",
        "informational",
        "ignore",
    ];

    /// Validates the table, recording every problem.
    pub fn validate(table: Table<'_, '_>, file: &Path, problems: &mut Problems<'_>) -> Self {
        let mut config = AdvisoriesConfig {
            fail_on: threshold(&table, problems),
            ..AdvisoriesConfig::default()
        };
        if let Field::Given(db) = table.string("db", problems) {
            let base = file.parent().unwrap_or(Path::new("."));
            config.db = Some(base.join(db.into_inner()));
        }
        if let Field::Given(db) = table.string("go-db", problems) {
            let base = file.parent().unwrap_or(Path::new("."));
            config.go_db = Some(base.join(db.into_inner()));
        }
        if let Field::Given(days) = table.unsigned("stale-after-days", problems) {
            match u32::try_from(*days.get_ref()) {
                Ok(days) => config.stale_after_days = days,
                Err(_) => problems.at(
                    days.span(),
                    format!(
                        "`stale-after-days` in [advisories] must be at most {}",
                        u32::MAX
                    ),
                ),
            }
        }
        if let Field::Given(kinds) = table.strings("informational", problems) {
            config.informational.clear();
            for kind in kinds {
                if INFORMATIONAL_KINDS.contains(&kind.get_ref().as_str()) {
                    config.informational.push(kind.into_inner());
                } else {
                    problems.at(
                        kind.span(),
                        format!(
                            "`informational` in [advisories] holds an unknown kind; each must be one of {}",
                            INFORMATIONAL_KINDS.join(", ")
                        ),
                    );
                }
            }
        }
        for entry in table.tables("ignore", "[[advisories.ignore]]", IGNORE_KEYS, problems) {
            if let Some(s) = ignore_entry(&entry, "[[advisories.ignore]]", file, problems) {
                config.ignore.push(s);
            }
            entry.finish(problems);
        }
        table.finish(problems);
        config
    }
}

/// One entry of an ignore table of advisories (`[[advisories.ignore]]`, `[[go.ignore]]`, named
/// by `table` in messages); `None` (with the problems recorded) when it is not valid.
pub fn ignore_entry(
    entry: &Table<'_, '_>,
    table: &str,
    file: &Path,
    problems: &mut Problems<'_>,
) -> Option<Suppression> {
    let span = entry.span();
    let line = problems.line_of(span.start);
    let id = entry.string("id", problems);
    let reason = entry.string("reason", problems);
    let ticket = entry.string("ticket", problems);
    let expires = entry.date("expires", problems);
    // Each key judged on its own, so one entry's problems all come out in one run.
    let id = match id {
        Field::Given(id) if !id.get_ref().trim().is_empty() => {
            let text = id.get_ref().trim();
            if is_advisory_id(text) {
                Some(text.to_string())
            } else {
                let message = if is_secret_rule(text) {
                    format!(
                        "`id = \"{}\"` in {table} is a secret rule, not an advisory: allow secrets under [[secrets.allow]] with a fingerprint, paths or a secret-pattern",
                        shown(text)
                    )
                } else {
                    format!(
                        "`id` in {table} must be an advisory id or alias (RUSTSEC-YYYY-NNNN, GO-YYYY-NNNN, CVE-YYYY-NNNN, GHSA-xxxx-xxxx-xxxx)"
                    )
                };
                problems.at(id.span(), message);
                None
            }
        }
        Field::Invalid => None,
        _ => {
            problems.at(
                span.clone(),
                format!("an `{table}` entry needs an `id` (RUSTSEC-…, GO-…, CVE-… or GHSA-…)"),
            );
            None
        }
    };
    // Named in messages only once it is known to be an advisory id.
    let named = id.as_deref().map_or_else(
        || "this ignore entry".to_string(),
        |id| format!("the ignore entry for {id}"),
    );
    let reason = match reason {
        Field::Given(r) if !r.get_ref().trim().is_empty() => {
            Some(r.into_inner().trim().to_string())
        }
        Field::Given(r) => {
            problems.at(r.span(), format!("{named} has an empty `reason`"));
            None
        }
        Field::Invalid => None,
        Field::Absent => {
            problems.at(
                span,
                format!("{named} has no `reason`: say why it is safe to ignore"),
            );
            None
        }
    };
    let (Some(id_text), Some(reason)) = (id, reason) else {
        return None;
    };
    if ticket.is_invalid() || expires.is_invalid() {
        return None;
    }
    Some(Suppression {
        id: id_text,
        matcher: crate::policy::Matcher::Subject,
        reason,
        ticket: ticket.text(),
        expires: expires.ok(),
        origin: Origin::at(file, line),
    })
}

#[cfg(test)]
mod tests {
    use crate::config::root::Config;
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
        let text = "[advisories]\ninformational = [\"sad\"]\n[[advisories.ignore]]\nid = \"RUSTSEC-2020-0001\"\nreason = \"r\"\nexpires = \"soon\"\n";
        let err = Config::parse(text, Path::new("p.toml")).unwrap_err();
        assert_eq!(err.problems.len(), 2, "{err}");
    }
}
