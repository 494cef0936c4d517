//! Imported SARIF: the results of other tools (gosec, govulncheck, clippy-sarif, semgrep…),
//! read from their SARIF 2.1.0 files and turned into findings, so `gate` puts them through the
//! same thresholds, suppressions, baseline and reports as its own checks.
//!
//! Severity comes from the richest rating the file carries, in this order: a
//! `security-severity` score (GitHub's convention: ≥ 9.0 critical, ≥ 7.0 high, ≥ 4.0 medium,
//! above 0 low) on the result or its rule; a severity word (gosec's `HIGH`/`MEDIUM`/`LOW` rule
//! tag, or a `severity` property); else the SARIF `level` of the result, or of its rule's
//! default configuration (`error` high, `warning` medium, `note` low, `none` info; SARIF's
//! default is `warning`).

pub mod cfg;

use crate::codes;
use crate::finding::{Finding, Location, Severity, Subject, fingerprint};
use serde_json::{Value, json};
use serde_sarif::sarif;
use std::path::{Path, PathBuf};

/// One SARIF file to import.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    /// The name reports use (`gosec`); else the file's tool name.
    pub tool: Option<String>,
    /// The SARIF file.
    pub path: PathBuf,
}

/// Why a SARIF file could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("cannot read imported SARIF {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Not JSON, or not shaped as SARIF.
    #[error("{} is not valid SARIF 2.1.0: {message}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column.
        message: String,
    },
    /// Another SARIF version.
    #[error("{} is SARIF version {version}; only 2.1.0 is read (ask the tool for SARIF 2.1.0)", path.display())]
    Version {
        /// The file.
        path: PathBuf,
        /// The version it declares.
        version: String,
    },
}

/// The results of one imported run.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The name reports use: `--tool`/`tool`, else the driver's name (lowercased).
    pub tool: String,
    /// The tool as the file names it.
    pub driver: String,
    /// Its version, when the file says.
    pub version: Option<String>,
    /// Its home page, when the file says.
    pub information_uri: Option<String>,
    /// The file read.
    pub file: PathBuf,
    /// One finding per result.
    pub findings: Vec<Finding>,
}

impl Imported {
    /// The check name findings and reports use: `import/<tool>`.
    pub fn check(&self) -> String {
        format!("import/{}", self.tool)
    }
}

/// Reads one SARIF file: one [`Imported`] per run with results or rules.
pub fn read(source: &Source) -> Result<Vec<Imported>, ImportError> {
    let path = &source.path;
    let bytes = std::fs::read(path).map_err(|e| ImportError::Read {
        path: path.clone(),
        source: e,
    })?;
    let malformed = |message: String| ImportError::Malformed {
        path: path.clone(),
        message,
    };
    // The version first, so a SARIF 1.0 file gets the right message, not a shape error.
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| malformed(e.to_string()))?;
    match value.get("version") {
        Some(Value::String(v)) if v == "2.1.0" => {}
        Some(Value::String(v)) => {
            return Err(ImportError::Version {
                path: path.clone(),
                version: v.clone(),
            });
        }
        Some(_) => return Err(malformed("`version` is not a string".into())),
        None => return Err(malformed("no `version` (expected \"2.1.0\")".into())),
    }
    let log: sarif::Sarif = serde_json::from_value(value)
        .map_err(|e| malformed(crate::advisories::db::one_line(&e.to_string())))?;
    let mut imported = Vec::new();
    for run in &log.runs {
        let driver = &run.tool.driver;
        let tool = source
            .tool
            .clone()
            .unwrap_or_else(|| cfg::tool_name(&driver.name));
        let mut findings = Vec::new();
        for result in run.results.iter().flatten() {
            if let Some(f) = finding_of(run, result, &tool, path) {
                findings.push(f);
            }
        }
        imported.push(Imported {
            tool,
            driver: driver.name.clone(),
            version: driver
                .semantic_version
                .clone()
                .or_else(|| driver.version.clone()),
            information_uri: driver.information_uri.clone(),
            file: path.clone(),
            findings,
        });
    }
    Ok(imported)
}

/// The rule a result names: by index, else by id, in the driver's rules.
fn descriptor<'a>(
    run: &'a sarif::Run,
    result: &sarif::Result,
) -> Option<&'a sarif::ReportingDescriptor> {
    let rules = run.tool.driver.rules.as_deref()?;
    let index = result
        .rule_index
        .or_else(|| result.rule.as_ref().and_then(|r| r.index));
    if let Some(rule) = index
        .and_then(|i| usize::try_from(i).ok())
        .and_then(|i| rules.get(i))
    {
        return Some(rule);
    }
    let id = rule_id_of(result)?;
    rules.iter().find(|r| r.id == id)
}

fn rule_id_of(result: &sarif::Result) -> Option<&str> {
    result
        .rule_id
        .as_deref()
        .or_else(|| result.rule.as_ref().and_then(|r| r.id.as_deref()))
}

fn property<'a>(bag: Option<&'a sarif::PropertyBag>, key: &str) -> Option<&'a Value> {
    bag.and_then(|b| b.additional_properties.get(key))
}

/// A `security-severity` score: a number, or a string holding one.
fn score_of(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|s: &f64| s.is_finite() && (0.0..=10.0).contains(s))
}

/// GitHub's bands for `security-severity`.
pub fn severity_of_score(score: f64) -> Severity {
    if score >= 9.0 {
        Severity::Critical
    } else if score >= 7.0 {
        Severity::High
    } else if score >= 4.0 {
        Severity::Medium
    } else if score > 0.0 {
        Severity::Low
    } else {
        Severity::Info
    }
}

/// A severity word, as gosec tags its rules (`HIGH`) or a `severity` property says.
fn severity_of_word(word: &str) -> Option<Severity> {
    match word.to_ascii_lowercase().as_str() {
        "critical" => Some(Severity::Critical),
        "high" | "error" => Some(Severity::High),
        "medium" | "moderate" | "warning" => Some(Severity::Medium),
        "low" | "note" => Some(Severity::Low),
        "info" | "informational" | "none" => Some(Severity::Info),
        _ => None,
    }
}

/// The SARIF `level` word of a result: its own, else its rule's default, else `warning`.
fn level_of(result: &sarif::Result, rule: Option<&sarif::ReportingDescriptor>) -> String {
    if let Some(level) = result.level {
        return level.to_string();
    }
    rule.and_then(|r| r.default_configuration.as_ref())
        .and_then(|c| c.level.as_ref())
        .and_then(Value::as_str)
        .unwrap_or("warning")
        .to_string()
}

/// The severity of a result and where it came from.
fn severity(
    result: &sarif::Result,
    rule: Option<&sarif::ReportingDescriptor>,
) -> (Severity, Option<f64>, &'static str) {
    let rule_props = rule.and_then(|r| r.properties.as_ref());
    let score = property(result.properties.as_ref(), "security-severity")
        .or_else(|| property(rule_props, "security-severity"))
        .and_then(score_of);
    if let Some(score) = score {
        return (severity_of_score(score), Some(score), "security-severity");
    }
    let word = property(result.properties.as_ref(), "severity")
        .or_else(|| property(rule_props, "severity"))
        .and_then(Value::as_str)
        .and_then(severity_of_word)
        .or_else(|| {
            // gosec: the rule's tags are ["security", "HIGH"].
            rule_props
                .and_then(|p| p.tags.as_ref())
                .into_iter()
                .flatten()
                .filter(|t| t.chars().all(|c| c.is_ascii_uppercase()))
                .find_map(|t| severity_of_word(t))
        });
    if let Some(s) = word {
        return (s, None, "severity");
    }
    let level = level_of(result, rule);
    (
        severity_of_word(&level).unwrap_or(Severity::Medium),
        None,
        "level",
    )
}

/// A tool's multi-line help as one line (`What\nSeverity: HIGH` → `What; Severity: HIGH`).
fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// `%20` → space, for `uri`s.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The result's primary location as a path the user sees: relative URIs as they are,
/// `file://` URIs made relative to the current folder where they lie below it.
fn location_of(result: &sarif::Result) -> Option<Location> {
    let physical = result
        .locations
        .as_deref()?
        .iter()
        .find_map(|l| l.physical_location.as_ref())?;
    let uri = physical.artifact_location.as_ref()?.uri.as_deref()?;
    let path = match uri.strip_prefix("file://") {
        Some(rest) => crate::finding::relative_to_cwd(Path::new(&percent_decode(rest))),
        None => PathBuf::from(percent_decode(uri)),
    };
    let region = physical.region.as_ref();
    Some(Location {
        path,
        line: region
            .and_then(|r| r.start_line)
            .and_then(|l| u32::try_from(l).ok()),
        column: region
            .and_then(|r| r.start_column)
            .and_then(|c| u32::try_from(c).ok()),
        commit: None,
    })
}

/// The result's message: its text, else its rule's message string, else the rule's summary.
fn message_of(result: &sarif::Result, rule: Option<&sarif::ReportingDescriptor>) -> String {
    if let Some(text) = &result.message.text {
        return text.trim().to_string();
    }
    let template = result.message.id.as_ref().and_then(|id| {
        rule.and_then(|r| r.message_strings.as_ref())
            .and_then(|m| m.get(id))
            .map(|m| m.text.clone())
    });
    if let Some(mut text) = template {
        for (i, arg) in result.message.arguments.iter().flatten().enumerate() {
            text = text.replace(&format!("{{{i}}}"), arg);
        }
        return text;
    }
    rule.and_then(|r| r.short_description.as_ref())
        .map(|d| d.text.clone())
        .unwrap_or_else(|| "(no message)".into())
}

fn finding_of(
    run: &sarif::Run,
    result: &sarif::Result,
    tool: &str,
    file: &Path,
) -> Option<Finding> {
    // Passing checks and results gone since the tool's own baseline are not findings.
    if matches!(
        result.kind,
        Some(sarif::ResultKind::Pass | sarif::ResultKind::NotApplicable)
    ) || result.baseline_state.as_ref().and_then(Value::as_str) == Some("absent")
    {
        return None;
    }
    let rule = descriptor(run, result);
    let rule_id = rule_id_of(result)
        .map(str::to_string)
        .or_else(|| rule.map(|r| r.id.clone()))
        .unwrap_or_else(|| tool.to_string());
    let (severity, score, severity_from) = severity(result, rule);
    let message = message_of(result, rule);
    let location = location_of(result);
    let tags: Vec<String> = rule
        .and_then(|r| r.properties.as_ref())
        .and_then(|p| p.tags.clone())
        .unwrap_or_default();
    let aliases = tags
        .iter()
        .filter(|t| t.starts_with("CVE-") || t.starts_with("GHSA-"))
        .cloned()
        .collect();
    let subject = Subject {
        id: rule_id.clone(),
        aliases,
        title: rule
            .and_then(|r| r.short_description.as_ref().map(|d| d.text.clone()))
            .or_else(|| rule.and_then(|r| r.name.clone()))
            .unwrap_or_else(|| rule_id.clone()),
        description: rule
            .and_then(|r| {
                r.full_description
                    .as_ref()
                    .or(r.help.as_ref())
                    .map(|d| d.text.clone())
            })
            .unwrap_or_default(),
        url: rule.and_then(|r| r.help_uri.clone()),
        score,
        tags,
    };
    // The tool's own fingerprints when it gives them (stable by its design), else the rule,
    // the file and the message: never a line number.
    let tool_prints: Vec<String> = result
        .partial_fingerprints
        .iter()
        .chain(result.fingerprints.iter())
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let path_text = location
        .as_ref()
        .map(|l| l.path.to_string_lossy().into_owned())
        .unwrap_or_default();
    let print = if tool_prints.is_empty() {
        fingerprint(&[codes::IMPORT_RESULT, tool, &rule_id, &path_text, &message])
    } else {
        fingerprint(&[
            codes::IMPORT_RESULT,
            tool,
            &rule_id,
            &tool_prints.join("\n"),
        ])
    };
    let mut evidence = std::collections::BTreeMap::new();
    evidence.insert("tool".to_string(), json!(tool));
    evidence.insert("imported_from".to_string(), json!(file.to_string_lossy()));
    evidence.insert("tool_level".to_string(), json!(level_of(result, rule)));
    evidence.insert("severity_from".to_string(), json!(severity_from));
    // A suppression the tool recorded counts when it gives a reason; one without a reason is
    // not honoured (the guide wants every suppression justified).
    let mut message = message;
    for s in result.suppressions.iter().flatten() {
        let status = s
            .status
            .as_ref()
            .and_then(Value::as_str)
            .unwrap_or("accepted");
        let reason = s.justification.as_deref().map(str::trim).unwrap_or("");
        if status != "accepted" {
            continue;
        }
        if reason.is_empty() {
            evidence.insert("tool_suppression_ignored".to_string(), json!(true));
            message.push_str(" (suppressed in the tool without a justification: not honoured)");
        } else if !evidence.contains_key("inline_allow") {
            let kind = s.kind.as_str().unwrap_or("external");
            evidence.insert(
                "inline_allow".to_string(),
                json!({
                    "reason": format!("{tool} {kind} suppression: {reason}"),
                    "path": location.as_ref().map_or_else(|| file.to_string_lossy().into_owned(), |l| l.path.to_string_lossy().into_owned()),
                    "line": location.as_ref().and_then(|l| l.line).unwrap_or(0),
                }),
            );
        }
    }
    Some(Finding {
        subject: Some(subject),
        locations: location.into_iter().collect(),
        fingerprint: print,
        help: rule
            .and_then(|r| r.help.as_ref())
            .map(|h| one_line(&h.text))
            .filter(|h| !h.is_empty())
            .or_else(|| codes::get(codes::IMPORT_RESULT).map(|c| c.help.to_string())),
        evidence,
        ..Finding::of_code(
            codes::IMPORT_RESULT,
            Some(severity),
            format!("{tool} {rule_id}: {message}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_bands_follow_github() {
        assert_eq!(severity_of_score(9.8), Severity::Critical);
        assert_eq!(severity_of_score(9.0), Severity::Critical);
        assert_eq!(severity_of_score(8.9), Severity::High);
        assert_eq!(severity_of_score(7.0), Severity::High);
        assert_eq!(severity_of_score(4.0), Severity::Medium);
        assert_eq!(severity_of_score(0.1), Severity::Low);
        assert_eq!(severity_of_score(0.0), Severity::Info);
        assert_eq!(score_of(&json!("7.5")), Some(7.5));
        assert_eq!(score_of(&json!(11)), None);
        assert_eq!(score_of(&json!("high")), None);
    }

    #[test]
    fn uris_are_decoded() {
        assert_eq!(percent_decode("a%20b/c%2Fd%zz"), "a b/c/d%zz");
    }
}
