//! One imported result → one finding: its rule, severity, message, location, fingerprint and
//! the tool's own suppression.
//!
//! Severity comes from the richest rating the file carries, in this order: a
//! `security-severity` score (GitHub's convention: ≥ 9.0 critical, ≥ 7.0 high, ≥ 4.0 medium,
//! above 0 low) on the result or its rule; a severity word (gosec's `HIGH`/`MEDIUM`/`LOW` rule
//! tag, or a `severity` property); else the SARIF `level` of the result, or of its rule's
//! default configuration (`error` high, `warning` medium, `note` low, `none` info; SARIF's
//! default is `warning`).

use super::model::{Kind, Properties, Rule, SarifResult};
use crate::codes;
use crate::finding::{Finding, Location, Severity, Subject, fingerprint};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// What every result of one run shares.
pub struct RunContext<'r, 'a> {
    /// The driver's rules.
    pub rules: &'r [Rule<'a>],
    /// The name reports use.
    pub tool: &'r str,
    /// The file read.
    pub file: &'r Path,
}

/// The rule a result names: by index, else by id, in the driver's rules.
fn descriptor<'r, 'a>(rules: &'r [Rule<'a>], result: &SarifResult<'_>) -> Option<&'r Rule<'a>> {
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
    rules.iter().find(|r| &*r.id == id)
}

fn rule_id_of<'s>(result: &'s SarifResult<'_>) -> Option<&'s str> {
    result
        .rule_id
        .as_deref()
        .or_else(|| result.rule.as_ref().and_then(|r| r.id.as_deref()))
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
fn level_of<'s>(result: &SarifResult<'_>, rule: Option<&'s Rule<'_>>) -> &'s str {
    if let Some(level) = result.level {
        return level.as_str();
    }
    rule.and_then(|r| r.default_configuration.as_ref())
        .and_then(|c| c.level.as_deref())
        .unwrap_or("warning")
}

/// The severity of a result and where it came from.
fn severity(
    result: &SarifResult<'_>,
    rule: Option<&Rule<'_>>,
) -> (Severity, Option<f64>, &'static str) {
    let own = result.properties.as_ref();
    let rule_props: Option<&Properties<'_>> = rule.and_then(|r| r.properties.as_ref());
    let score = own
        .and_then(|p| p.security_severity.as_ref())
        .or_else(|| rule_props.and_then(|p| p.security_severity.as_ref()))
        .and_then(score_of);
    if let Some(score) = score {
        return (severity_of_score(score), Some(score), "security-severity");
    }
    let word = own
        .and_then(|p| p.severity.as_ref())
        .or_else(|| rule_props.and_then(|p| p.severity.as_ref()))
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
        severity_of_word(level).unwrap_or(Severity::Medium),
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
fn location_of(result: &SarifResult<'_>) -> Option<Location> {
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
fn message_of(result: &SarifResult<'_>, rule: Option<&Rule<'_>>) -> String {
    if let Some(text) = &result.message.text {
        return text.trim().to_string();
    }
    let template = result.message.id.as_ref().and_then(|id| {
        rule.and_then(|r| r.message_strings.as_ref())
            .and_then(|m| m.get(id))
            .map(|m| m.text.to_string())
    });
    if let Some(mut text) = template {
        for (i, arg) in result.message.arguments.iter().flatten().enumerate() {
            text = text.replace(&format!("{{{i}}}"), arg);
        }
        return text;
    }
    rule.and_then(|r| r.short_description.as_ref())
        .map(|d| d.text.to_string())
        .unwrap_or_else(|| "(no message)".into())
}

/// The finding of one result; `None` for results that are not problems (`pass`,
/// `notApplicable`, gone since the tool's own baseline).
pub fn finding_of(run: &RunContext<'_, '_>, result: &SarifResult<'_>) -> Option<Finding> {
    if matches!(result.kind, Some(Kind::Pass | Kind::NotApplicable))
        || result.baseline_state.as_deref() == Some("absent")
    {
        return None;
    }
    let tool = run.tool;
    let file = run.file;
    let rule = descriptor(run.rules, result);
    let rule_id = rule_id_of(result)
        .or_else(|| rule.map(|r| &*r.id))
        .unwrap_or(tool)
        .to_string();
    let (severity, score, severity_from) = severity(result, rule);
    let message = message_of(result, rule);
    let location = location_of(result);
    let tags: Vec<String> = rule
        .and_then(|r| r.properties.as_ref())
        .and_then(|p| p.tags.as_ref())
        .map(|tags| tags.iter().map(|t| t.to_string()).collect())
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
            .and_then(|r| r.short_description.as_ref().map(|d| d.text.to_string()))
            .or_else(|| rule.and_then(|r| r.name.as_ref().map(|n| n.to_string())))
            .unwrap_or_else(|| rule_id.clone()),
        description: rule
            .and_then(|r| {
                r.full_description
                    .as_ref()
                    .or(r.help.as_ref())
                    .map(|d| d.text.to_string())
            })
            .unwrap_or_default(),
        url: rule.and_then(|r| r.help_uri.as_ref().map(|u| u.to_string())),
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
        .map(|(k, v)| format!("{}={}", &**k, &**v))
        .collect();
    let path_text = location
        .as_ref()
        .map(|l| l.path.to_string_lossy().into_owned())
        .unwrap_or_default();
    let print = if tool_prints.is_empty() {
        fingerprint(&[
            crate::checks::imports::codes::RESULT,
            tool,
            &rule_id,
            &path_text,
            &message,
        ])
    } else {
        fingerprint(&[
            crate::checks::imports::codes::RESULT,
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
            let kind = s
                .kind
                .as_ref()
                .and_then(Value::as_str)
                .unwrap_or("external");
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
            .or_else(|| {
                codes::get(crate::checks::imports::codes::RESULT).map(|c| c.help.to_string())
            }),
        evidence,
        ..Finding::of_code(
            crate::checks::imports::codes::RESULT,
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
