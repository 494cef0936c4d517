//! The `[[import]]` entries of `palisade.toml`: SARIF files of other tools for `gate`.
//!
//! ```toml
//! [[import]]
//! tool = "gosec"                 # the name reports use; the run is palisade/import/gosec/
//! sarif = "gosec.sarif"          # relative to palisade.toml; a missing file fails the gate
//! fail-on = "medium"             # optional: this tool's threshold (else [policy] fail-on)
//!
//! [[import.ignore]]              # belongs to the [[import]] above it
//! rule = "G104"                  # the tool's rule id (or a CVE/GHSA alias): required
//! paths = ["cmd/tools/**"]       # optional: only in these files
//! reason = "errors of best-effort cleanup are logged, not returned"   # required
//! ticket = "SEC-88"              # optional
//! expires = 2027-06-30           # optional
//! ```

use super::Source;
use crate::config::fields::{Field, Table, shown};
use crate::config::{Origin, Problems, Threshold, globs, threshold};
use crate::policy::{Matcher, Suppression};
use std::collections::HashSet;
use std::path::Path;

/// One validated `[[import]]` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportEntry {
    /// The file and the tool name.
    pub source: Source,
    /// `fail-on` for this tool's findings.
    pub fail_on: Option<Threshold>,
}

/// Validated `[[import]]` entries.
#[derive(Clone, Debug, Default)]
pub struct ImportConfig {
    /// The files, in config order.
    pub entries: Vec<ImportEntry>,
    /// Every `[[import.ignore]]`, in config order.
    pub ignore: Vec<Suppression>,
}

/// The keys of this entry table (unknown ones are errors).
pub const IGNORE_KEYS: &[&str] = &["rule", "paths", "reason", "ticket", "expires"];

/// A tool's name as reports use it: lowercase, with anything but letters, digits, `-`, `_`
/// and `.` turned into `-` (`Semgrep OSS` → `semgrep-oss`).
pub fn tool_name(name: &str) -> String {
    let mapped: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if mapped.is_empty() {
        "sarif".into()
    } else {
        mapped
    }
}

impl ImportConfig {
    /// The keys of an `[[import]]` entry.
    pub const KEYS: &[&str] = &["tool", "sarif", "fail-on", "ignore"];

    /// Validates the `[[import]]` tables, recording every problem.
    pub fn validate(tables: Vec<Table<'_, '_>>, file: &Path, problems: &mut Problems<'_>) -> Self {
        let base = file.parent().unwrap_or(Path::new("."));
        let mut config = ImportConfig::default();
        let mut names: HashSet<String> = HashSet::new();
        for entry in tables {
            if let Some(e) = import_entry(&entry, base, file, &mut names, &mut config, problems) {
                config.entries.push(e);
            }
            entry.finish(problems);
        }
        config
    }
}

/// One `[[import]]` with its `[[import.ignore]]`s (pushed onto `config`).
fn import_entry(
    entry: &Table<'_, '_>,
    base: &Path,
    file: &Path,
    names: &mut HashSet<String>,
    config: &mut ImportConfig,
    problems: &mut Problems<'_>,
) -> Option<ImportEntry> {
    let span = entry.span();
    let sarif = entry.string("sarif", problems);
    let fail_on = threshold(entry, problems);
    let ignores = entry.tables("ignore", "[[import.ignore]]", IGNORE_KEYS, problems);
    let tool = match entry.string("tool", problems) {
        Field::Given(t) => t,
        Field::Invalid => return None,
        Field::Absent => {
            problems.at(
                span,
                "an `[[import]]` entry needs `tool = \"…\"` (the name reports and ignores use)",
            );
            return None;
        }
    };
    let name = tool_name(tool.get_ref());
    if name != *tool.get_ref() {
        // The suggestion only for names short enough to be names, not a pasted value.
        let example = if name.len() <= 20 {
            format!(" (e.g. \"{name}\")")
        } else {
            String::new()
        };
        problems.at(
            tool.span(),
            format!("`tool` in [[import]]: use lowercase letters, digits, `-`, `_`, `.`{example}"),
        );
    }
    if !names.insert(name.clone()) {
        problems.at(
            tool.span(),
            format!(
                "two `[[import]]` entries are named `{}`; give each its own `tool`",
                shown(&name)
            ),
        );
    }
    let sarif = match sarif {
        Field::Given(s) => s.into_inner(),
        Field::Invalid => return None,
        Field::Absent => {
            problems.at(
                span,
                format!(
                    "`[[import]]` `{}` needs `sarif = \"path/to/file.sarif\"`",
                    shown(&name)
                ),
            );
            return None;
        }
    };
    for ignore in ignores {
        if let Some(s) = ignore_entry(&ignore, &name, file, problems) {
            config.ignore.push(s);
        }
        ignore.finish(problems);
    }
    Some(ImportEntry {
        source: Source {
            tool: Some(name),
            path: base.join(sarif),
        },
        fail_on,
    })
}

/// One `[[import.ignore]]` of the tool `name`.
fn ignore_entry(
    ignore: &Table<'_, '_>,
    name: &str,
    file: &Path,
    problems: &mut Problems<'_>,
) -> Option<Suppression> {
    let span = ignore.span();
    let line = problems.line_of(span.start);
    let rule = ignore.string("rule", problems);
    let reason = ignore.string("reason", problems);
    let paths_field = ignore.strings("paths", problems);
    let ticket = ignore.string("ticket", problems);
    let expires = ignore.date("expires", problems);
    if [
        rule.is_invalid(),
        reason.is_invalid(),
        paths_field.is_invalid(),
        ticket.is_invalid(),
        expires.is_invalid(),
    ]
    .contains(&true)
    {
        return None;
    }
    let (Some(rule), Some(reason)) = (
        rule.ok().filter(|r| !r.get_ref().trim().is_empty()),
        reason.text(),
    ) else {
        problems.at(
            span,
            "an `[[import.ignore]]` entry needs the tool's `rule` id and a `reason`",
        );
        return None;
    };
    if rule.get_ref().contains(['*', '?', '[']) {
        problems.at(
            rule.span(),
            "`rule` in [[import.ignore]] is a pattern: name one rule id (blanket suppressions are not accepted)",
        );
        return None;
    }
    let paths = match &paths_field {
        Field::Given(list) => Some(globs(list, span.clone(), problems)?),
        _ => None,
    };
    Some(Suppression {
        id: rule.get_ref().trim().to_string(),
        matcher: Matcher::Import {
            check: format!("import/{name}"),
            paths,
        },
        reason,
        ticket: ticket.text(),
        expires: expires.ok(),
        origin: Origin::at(file, line),
    })
}

#[cfg(test)]
mod tests {
    use crate::config::root::{Config, problems};
    use std::path::Path;

    #[test]
    fn names_and_blanket_ignores() {
        assert_eq!(super::tool_name("Semgrep OSS"), "semgrep-oss");
        let p = problems(
            "[[import]]\ntool = \"gosec\"\nsarif = \"g.sarif\"\n\n[[import.ignore]]\nrule = \"*\"\nreason = \"r\"\n\n[[import.ignore]]\nrule = \"G101\"\n\n[[import]]\ntool = \"Go Sec\"\n",
        );
        assert_eq!(p.len(), 4, "{p:?}");
        assert!(p[0].starts_with("6: ") && p[0].contains("blanket"), "{p:?}");
        assert!(
            p[1].starts_with("9: ") && p[1].contains("`reason`"),
            "{p:?}"
        );
        assert!(
            p[2].starts_with("12: ") && p[2].contains("needs `sarif"),
            "{p:?}"
        );
        assert!(p[3].starts_with("13: ") && p[3].contains("go-sec"), "{p:?}");
    }

    #[test]
    fn valid_entries_resolve_paths_and_thresholds() {
        let config = Config::parse(
            "[[import]]\ntool = \"gosec\"\nsarif = \"out/g.sarif\"\nfail-on = \"medium\"\n\n[[import.ignore]]\nrule = \"G104\"\npaths = [\"cmd/**\"]\nreason = \"logged\"\nticket = \"SEC-1\"\n",
            Path::new("cfg/p.toml"),
        )
        .unwrap();
        let e = &config.imports.entries[0];
        assert_eq!(e.source.path, Path::new("cfg/out/g.sarif"));
        assert!(e.fail_on.is_some());
        assert_eq!(config.imports.ignore[0].id, "G104");
        assert_eq!(config.imports.ignore[0].origin.line, 6);
    }
}
