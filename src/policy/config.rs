//! `palisade.toml`: parse into a raw form that keeps spans, then validate into typed settings,
//! collecting every error with its line instead of stopping at the first. Unknown keys are
//! errors.
//!
//! Each check owns its slice of the file (`crate::advisories::cfg`); this module owns the file,
//! the `[policy]` table, and the error plumbing they share.

use crate::advisories::cfg::{AdvisoriesConfig, RawAdvisories};
use crate::finding::Severity;
use crate::fips::cfg::{FipsConfig, RawFips};
use crate::imports::cfg::{ImportConfig, RawImport};
use crate::secrets::cfg::{RawSecrets, SecretsConfig};
use serde::Deserialize;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The config file name looked up at the workspace root.
pub const FILE_NAME: &str = "palisade.toml";

/// A config file that could not be read or is not valid; every problem, each with its line.
#[derive(Debug, thiserror::Error)]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// `(line, message)` pairs; line 0 when the problem has no position.
    pub problems: Vec<(usize, String)>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (line, message)) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            if *line > 0 {
                write!(f, "{}:{line}: {message}", self.path.display())?;
            } else {
                write!(f, "{}: {message}", self.path.display())?;
            }
        }
        Ok(())
    }
}

/// Collects validation problems against the text they came from.
pub struct Problems<'a> {
    text: &'a str,
    found: Vec<(usize, String)>,
}

impl<'a> Problems<'a> {
    fn new(text: &'a str) -> Self {
        Problems {
            text,
            found: Vec::new(),
        }
    }

    /// The 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    /// Records a problem at a span.
    pub fn at(&mut self, span: Range<usize>, message: impl Into<String>) {
        let line = self.line_of(span.start);
        self.found.push((line, message.into()));
    }
}

/// Where a config entry was written, so a finding can name the entry that decided it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Origin {
    /// The config file.
    pub file: PathBuf,
    /// 1-based line of the entry.
    pub line: usize,
}

/// How severe a finding must be to fail the gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Threshold {
    /// Fail at this severity or above.
    AtLeast(Severity),
    /// Fail on any finding of a deny-level code, whatever its severity.
    Any,
}

impl Threshold {
    /// Parses `critical|high|medium|low|any`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "any" => Some(Threshold::Any),
            "info" => None,
            other => Severity::parse(other).map(Threshold::AtLeast),
        }
    }

    /// Whether a severity reaches it.
    pub fn reached_by(self, severity: Severity) -> bool {
        match self {
            Threshold::Any => true,
            Threshold::AtLeast(min) => severity >= min,
        }
    }
}

/// The `[policy]` table.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyConfig {
    /// `fail-on`; the CLI's `--fail-on` wins over it.
    pub fail_on: Threshold,
    /// `deny-warnings`: warnings (informational advisories, stale DB…) fail too.
    pub deny_warnings: bool,
    /// `unrated-severity`: the severity given to findings whose source has no rating.
    pub unrated_severity: Severity,
    /// `fail-not-in-graph`: whether vulnerabilities in no build graph fail.
    pub fail_not_in_graph: bool,
    /// `fail-on` of a check's own table (`[secrets]`, `[[import]]`…), by check name
    /// (`secrets`, `import/gosec`); wins over `fail_on`. `--fail-on` clears them.
    pub per_check: std::collections::BTreeMap<String, Threshold>,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            fail_on: Threshold::AtLeast(Severity::High),
            deny_warnings: false,
            unrated_severity: Severity::High,
            fail_not_in_graph: false,
            per_check: Default::default(),
        }
    }
}

/// The whole validated file.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The file it came from; `None` for the built-in defaults.
    pub path: Option<PathBuf>,
    /// `[policy]`.
    pub policy: PolicyConfig,
    /// `[advisories]`.
    pub advisories: AdvisoriesConfig,
    /// `[secrets]`.
    pub secrets: SecretsConfig,
    /// `[fips]`.
    pub fips: FipsConfig,
    /// `[[import]]`.
    pub imports: ImportConfig,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    policy: Option<RawPolicy>,
    advisories: Option<RawAdvisories>,
    secrets: Option<RawSecrets>,
    fips: Option<RawFips>,
    #[serde(default)]
    import: Vec<Spanned<RawImport>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPolicy {
    fail_on: Option<Spanned<String>>,
    deny_warnings: Option<bool>,
    unrated_severity: Option<Spanned<String>>,
    fail_not_in_graph: Option<bool>,
}

impl Config {
    /// Loads and validates a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|err| ConfigError {
            path: path.to_path_buf(),
            problems: vec![(0, format!("cannot read config: {err}"))],
        })?;
        Config::parse(&text, path)
    }

    /// Validates config text; `path` is used for messages and origins.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let mut problems = Problems::new(text);
        let raw: RawConfig = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(err) => {
                let line = err.span().map_or(0, |s| problems.line_of(s.start));
                return Err(ConfigError {
                    path: path.to_path_buf(),
                    problems: vec![(line, err.message().trim().to_string())],
                });
            }
        };
        let mut policy = validate_policy(raw.policy.unwrap_or_default(), &mut problems);
        let advisories =
            AdvisoriesConfig::validate(raw.advisories.unwrap_or_default(), path, &mut problems);
        let secrets = SecretsConfig::validate(raw.secrets.unwrap_or_default(), path, &mut problems);
        let fips_enabled = raw.fips.is_some();
        let mut fips = FipsConfig::validate(raw.fips.unwrap_or_default(), path, &mut problems);
        fips.enabled = fips_enabled;
        let imports = ImportConfig::validate(raw.import, path, &mut problems);
        for (check, threshold) in [
            ("advisories", advisories.fail_on),
            ("secrets", secrets.fail_on),
            ("fips", fips.fail_on),
        ] {
            if let Some(t) = threshold {
                policy.per_check.insert(check.to_string(), t);
            }
        }
        for entry in &imports.entries {
            if let (Some(tool), Some(t)) = (&entry.source.tool, entry.fail_on) {
                policy.per_check.insert(format!("import/{tool}"), t);
            }
        }
        if problems.found.is_empty() {
            Ok(Config {
                path: Some(path.to_path_buf()),
                policy,
                advisories,
                secrets,
                fips,
                imports,
            })
        } else {
            Err(ConfigError {
                path: path.to_path_buf(),
                problems: problems.found,
            })
        }
    }
}

fn validate_policy(raw: RawPolicy, problems: &mut Problems<'_>) -> PolicyConfig {
    let mut policy = PolicyConfig::default();
    if let Some(t) = raw.fail_on.as_ref().and_then(|t| threshold(t, problems)) {
        policy.fail_on = t;
    }
    if let Some(unrated) = raw.unrated_severity {
        match Severity::parse(unrated.get_ref()) {
            Some(s) => policy.unrated_severity = s,
            None => problems.at(
                unrated.span(),
                format!(
                    "`unrated-severity = \"{}\"` is not one of critical, high, medium, low, info",
                    unrated.get_ref()
                ),
            ),
        }
    }
    policy.deny_warnings = raw.deny_warnings.unwrap_or(false);
    policy.fail_not_in_graph = raw.fail_not_in_graph.unwrap_or(false);
    policy
}

/// Reads a `fail-on` value.
pub fn threshold(value: &Spanned<String>, problems: &mut Problems<'_>) -> Option<Threshold> {
    let parsed = Threshold::parse(value.get_ref());
    if parsed.is_none() {
        problems.at(
            value.span(),
            format!(
                "`fail-on = \"{}\"` is not one of critical, high, medium, low, any",
                value.get_ref()
            ),
        );
    }
    parsed
}

/// Compiles a `paths` list (`*` stays within one folder, `**` crosses folders); `None`, with
/// each bad glob recorded, when one does not compile.
pub fn globs(
    list: &[Spanned<String>],
    entry: Range<usize>,
    problems: &mut Problems<'_>,
) -> Option<crate::policy::Globs> {
    let mut builder = globset::GlobSetBuilder::new();
    let mut ok = true;
    for glob in list {
        match globset::GlobBuilder::new(glob.get_ref())
            .literal_separator(true)
            .build()
        {
            Ok(g) => {
                builder.add(g);
            }
            Err(e) => {
                problems.at(glob.span(), format!("bad glob `{}`: {e}", glob.get_ref()));
                ok = false;
            }
        }
    }
    if list.is_empty() {
        problems.at(
            entry,
            "`paths = []` matches nothing; remove it or name the files",
        );
        return None;
    }
    let set = builder.build().ok().filter(|_| ok)?;
    Some(crate::policy::Globs {
        set,
        patterns: list.iter().map(|g| g.get_ref().clone()).collect(),
    })
}

/// Reads an optional `expires` value: a TOML date (`2027-01-31`) or a string holding one.
pub fn parse_date(
    value: &Spanned<toml::Value>,
    problems: &mut Problems<'_>,
) -> Option<jiff::civil::Date> {
    let text = match value.get_ref() {
        toml::Value::String(s) => s.clone(),
        toml::Value::Datetime(d) => d.to_string(),
        _ => String::new(),
    };
    match text.parse::<jiff::civil::Date>() {
        Ok(date) => Some(date),
        Err(_) => {
            problems.at(value.span(), "`expires` must be a date like 2027-01-31");
            None
        }
    }
}

/// Every problem of config text as `line: message`, none when valid (for the config tests).
#[cfg(test)]
pub fn problems(text: &str) -> Vec<String> {
    match Config::parse(text, Path::new("p.toml")) {
        Ok(_) => vec![],
        Err(e) => e
            .problems
            .into_iter()
            .map(|(l, m)| format!("{l}: {m}"))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("palisade.toml"))
    }

    #[test]
    fn empty_file_gives_defaults() {
        let config = parse("").unwrap();
        assert_eq!(config.policy, PolicyConfig::default());
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let err = parse("[policy]\nfail-on = \"low\"\nfial-on = 1\n").unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("palisade.toml:3: unknown field `fial-on`"),
            "{text}"
        );
    }

    #[test]
    fn bad_values_are_all_reported() {
        let err =
            parse("[policy]\nfail-on = \"severe\"\nunrated-severity = \"meh\"\n").unwrap_err();
        assert_eq!(err.problems.len(), 2, "{err}");
        assert_eq!(err.problems[0].0, 2);
        assert_eq!(err.problems[1].0, 3);
    }

    #[test]
    fn threshold_parsing() {
        assert_eq!(Threshold::parse("any"), Some(Threshold::Any));
        assert_eq!(Threshold::parse("info"), None);
        assert!(
            Threshold::parse("medium")
                .unwrap()
                .reached_by(Severity::High)
        );
        assert!(
            !Threshold::parse("critical")
                .unwrap()
                .reached_by(Severity::High)
        );
    }
}
