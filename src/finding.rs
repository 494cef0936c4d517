//! The one shared model of what a check found.
//!
//! Every check returns [`Finding`]s; the policy decides which of them fail, and the reports
//! render them. Nothing in here knows about output formats or exit codes.

use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

/// How bad a finding is, from the source's own rating (CVSS for advisories).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational: nothing to fix by itself.
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// The lowercase name used in config, CLI and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parses the lowercase name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "info" => Severity::Info,
            "low" => Severity::Low,
            "medium" => Severity::Medium,
            "high" => Severity::High,
            "critical" => Severity::Critical,
            _ => return None,
        })
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a dependency sits in the project's build, for findings about dependencies.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Reachability {
    /// Compiled into the shipped artifacts (a normal dependency of a workspace member).
    Normal,
    /// Compiled only to run build scripts or proc-macros at build time.
    Build,
    /// Compiled only for tests, examples and benchmarks.
    Dev,
    /// In `Cargo.lock` but in no build graph for the resolved features (for example an
    /// optional dependency whose feature is off).
    NotInGraph,
    /// The build graph could not be resolved (lockfile-only scan): assume the worst.
    Unknown,
}

impl Reachability {
    /// The kebab-case name used in config and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Reachability::Normal => "normal",
            Reachability::Build => "build",
            Reachability::Dev => "dev",
            Reachability::NotInGraph => "not-in-graph",
            Reachability::Unknown => "unknown",
        }
    }

    /// What it means, in a few words for humans.
    pub fn describe(self) -> &'static str {
        match self {
            Reachability::Normal => "in the normal build",
            Reachability::Build => "build-time only (build script or proc-macro)",
            Reachability::Dev => "dev-only (tests, examples, benches)",
            Reachability::NotInGraph => "in Cargo.lock but in no build graph",
            Reachability::Unknown => "build graph unknown (lockfile-only scan)",
        }
    }
}

/// A place a finding points at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    /// File path, relative to the project root where possible.
    pub path: PathBuf,
    /// 1-based line, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based column, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// The commit this location belongs to, for findings in git history.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

impl Location {
    /// A location at a file and line.
    pub fn at_line(path: impl Into<PathBuf>, line: Option<u32>) -> Self {
        Location {
            path: path.into(),
            line,
            column: None,
            commit: None,
        }
    }
}

/// The specific rule a finding instantiates, when it is finer than the finding code: one
/// advisory (`RUSTSEC-2023-0071`) under `advisory.vulnerability`, for instance. SARIF gets one
/// rule per distinct `Subject`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Subject {
    /// Identifier, e.g. `RUSTSEC-2023-0071`.
    pub id: String,
    /// Other identifiers for the same thing (CVE, GHSA).
    pub aliases: Vec<String>,
    /// One-line summary.
    pub title: String,
    /// Full description (Markdown).
    pub description: String,
    /// Where to read more.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Numeric score (CVSS base score), when rated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// Free tags (categories, keywords).
    pub tags: Vec<String>,
}

/// One thing a check found.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// Stable finding code, e.g. `advisory.vulnerability` (see [`crate::codes`]).
    pub rule: &'static str,
    /// The specific advisory / rule instance, when finer than `rule`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<Subject>,
    /// The source's rating; `None` when the source gives none (policy decides what that means).
    pub severity: Option<Severity>,
    /// One-line message for humans.
    pub message: String,
    /// Where it is; the first is the primary location.
    pub locations: Vec<Location>,
    /// Stable across unrelated edits; see [`fingerprint`].
    pub fingerprint: String,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Where a dependency sits in the build, for dependency findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reachability: Option<Reachability>,
    /// Check-specific facts (crate, version, dependency path, patched versions…).
    pub evidence: BTreeMap<String, serde_json::Value>,
    /// The check (or run) it belongs to: the registry's runner writes the check's name on
    /// what it returns; empty for the policy's own findings. See [`Finding::check`].
    #[serde(skip)]
    pub check: std::borrow::Cow<'static, str>,
}

impl Finding {
    /// A finding of a registered code (see [`crate::codes`]): no subject, its help taken from
    /// the registry, fingerprinted by the code alone. Callers add locations and evidence, and
    /// a finer fingerprint where one code can fire more than once.
    pub fn of_code(rule: &'static str, severity: Option<Severity>, message: String) -> Finding {
        Finding {
            rule,
            subject: None,
            severity,
            message,
            locations: Vec::new(),
            fingerprint: fingerprint(&[rule]),
            help: crate::codes::get(rule).map(|c| c.help.to_string()),
            reachability: None,
            evidence: BTreeMap::new(),
            check: std::borrow::Cow::Borrowed(""),
        }
    }

    /// The check that produced it, as reports group findings and thresholds apply:
    /// `advisories`, `secrets`, `fips`, `import/<tool>` for imported SARIF, `policy` for the
    /// policy's own findings.
    pub fn check(&self) -> &str {
        if self.check.is_empty() {
            "policy"
        } else {
            &self.check
        }
    }

    /// Identifiers a suppression may name for this finding: the subject's id and aliases.
    pub fn subject_ids(&self) -> impl Iterator<Item = &str> {
        self.subject.iter().flat_map(|s| {
            std::iter::once(s.id.as_str()).chain(s.aliases.iter().map(String::as_str))
        })
    }
}

/// `path` relative to the current directory when it lies below it (reports name files as the
/// user and code scanning see them, from where the tool runs); else unchanged.
pub fn relative_to_cwd(path: &std::path::Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(PathBuf::from))
        .unwrap_or_else(|| path.to_path_buf())
}

/// A stable fingerprint over the parts that identify a finding (never line numbers): the first
/// 32 hex digits of a SHA-256 over the parts, each length-prefixed so `("ab","c")` and
/// `("a","bc")` differ.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_stable_and_separates_parts() {
        let a = fingerprint(&[
            "advisory.vulnerability",
            "RUSTSEC-2023-0071",
            "rsa",
            "0.9.6",
        ]);
        assert_eq!(a.len(), 32);
        assert_eq!(
            a,
            fingerprint(&[
                "advisory.vulnerability",
                "RUSTSEC-2023-0071",
                "rsa",
                "0.9.6"
            ])
        );
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
    }

    #[test]
    fn severity_order_and_names_round_trip() {
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
        for s in [
            Severity::Info,
            Severity::Low,
            Severity::Medium,
            Severity::High,
            Severity::Critical,
        ] {
            assert_eq!(Severity::parse(s.as_str()), Some(s));
        }
    }
}
