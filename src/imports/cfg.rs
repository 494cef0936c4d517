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
use crate::policy::config::{Origin, Problems, Threshold, globs, parse_date, threshold};
use crate::policy::{Matcher, Suppression};
use serde::Deserialize;
use std::path::Path;
use toml::Spanned;

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

/// The raw entry, as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawImport {
    tool: Option<Spanned<String>>,
    sarif: Option<std::path::PathBuf>,
    fail_on: Option<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<RawIgnore>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawIgnore {
    rule: Option<Spanned<String>>,
    paths: Option<Vec<Spanned<String>>>,
    reason: Option<String>,
    ticket: Option<String>,
    expires: Option<Spanned<toml::Value>>,
}

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
    /// Validates the raw entries, recording every problem.
    pub fn validate(
        raw: Vec<Spanned<RawImport>>,
        file: &Path,
        problems: &mut Problems<'_>,
    ) -> Self {
        let base = file.parent().unwrap_or(Path::new("."));
        let mut config = ImportConfig::default();
        for entry in raw {
            let span = entry.span();
            let entry = entry.into_inner();
            let Some(tool) = entry.tool else {
                problems.at(
                    span,
                    "an `[[import]]` entry needs `tool = \"…\"` (the name reports and ignores use)",
                );
                continue;
            };
            let name = tool_name(tool.get_ref());
            if name != *tool.get_ref() {
                problems.at(
                    tool.span(),
                    format!(
                        "`tool = \"{}\"`: use lowercase letters, digits, `-`, `_`, `.` (e.g. \"{name}\")",
                        tool.get_ref()
                    ),
                );
            }
            if config
                .entries
                .iter()
                .any(|e| e.source.tool.as_deref() == Some(&name))
            {
                problems.at(
                    tool.span(),
                    format!(
                        "two `[[import]]` entries are named `{name}`; give each its own `tool`"
                    ),
                );
            }
            let Some(sarif) = entry.sarif else {
                problems.at(
                    span,
                    format!("`[[import]]` `{name}` needs `sarif = \"path/to/file.sarif\"`"),
                );
                continue;
            };
            let fail_on = entry.fail_on.as_ref().and_then(|t| threshold(t, problems));
            for ignore in entry.ignore {
                let span = ignore.span();
                let line = problems.line_of(span.start);
                let ignore = ignore.into_inner();
                let (Some(rule), Some(reason)) = (
                    ignore
                        .rule
                        .as_ref()
                        .filter(|r| !r.get_ref().trim().is_empty()),
                    ignore
                        .reason
                        .as_deref()
                        .map(str::trim)
                        .filter(|r| !r.is_empty()),
                ) else {
                    problems.at(
                        span,
                        "an `[[import.ignore]]` entry needs the tool's `rule` id and a `reason`",
                    );
                    continue;
                };
                if rule.get_ref().contains(['*', '?', '[']) {
                    problems.at(
                        rule.span(),
                        format!("`rule = \"{}\"` is a pattern: name one rule id (blanket suppressions are not accepted)", rule.get_ref()),
                    );
                    continue;
                }
                let paths = match &ignore.paths {
                    Some(list) => match globs(list, span.clone(), problems) {
                        Some(set) => Some(set),
                        None => continue,
                    },
                    None => None,
                };
                let expires = ignore
                    .expires
                    .as_ref()
                    .and_then(|e| parse_date(e, problems));
                config.ignore.push(Suppression {
                    id: rule.get_ref().trim().to_string(),
                    matcher: Matcher::Import {
                        check: format!("import/{name}"),
                        paths,
                    },
                    reason: reason.to_string(),
                    ticket: ignore
                        .ticket
                        .map(|t| t.trim().to_string())
                        .filter(|t| !t.is_empty()),
                    expires,
                    origin: Origin {
                        file: file.to_path_buf(),
                        line,
                    },
                });
            }
            config.entries.push(ImportEntry {
                source: Source {
                    tool: Some(name),
                    path: base.join(sarif),
                },
                fail_on,
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
        assert!(p[2].starts_with("13: ") && p[2].contains("go-sec"), "{p:?}");
        assert!(p[3].contains("needs `sarif"), "{p:?}");
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
