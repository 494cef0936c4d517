//! SARIF 2.1.0 for code scanning, built with `serde-sarif`.
//!
//! One rule per advisory (or per finding code when a finding has no advisory), with
//! `security-severity` for GitHub; one result per finding at its primary location, with
//! `partialFingerprints.primaryLocationLineHash` from our stable fingerprint; suppressed
//! findings carry a `suppressions` entry with the config entry's reason.

use super::{Report, Run, TOOL_VERSION};
use crate::check::ImportedTool;
use crate::codes;
use crate::finding::Severity;
use crate::policy::{Decided, Status};
use serde_json::json;
use serde_sarif::sarif;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Write};

/// The SARIF reporter.
pub struct Sarif;

/// GitHub reads `security-severity` as a CVSS-like score; use the real score when there is
/// one, else the middle of the band of the effective severity.
fn security_severity(d: &Decided) -> String {
    let score =
        d.finding
            .subject
            .as_ref()
            .and_then(|s| s.score)
            .unwrap_or(match d.effective_severity {
                Severity::Critical => 9.5,
                Severity::High => 8.0,
                Severity::Medium => 5.5,
                Severity::Low => 2.0,
                Severity::Info => 0.0,
            });
    format!("{score:.1}")
}

fn text(s: impl Into<String>) -> sarif::MultiformatMessageString {
    sarif::MultiformatMessageString::builder()
        .text(s.into())
        .build()
}

fn rule_id(d: &Decided) -> String {
    d.finding
        .subject
        .as_ref()
        .map_or_else(|| d.finding.rule.to_string(), |s| s.id.clone())
}

fn rule_for(d: &Decided) -> sarif::ReportingDescriptor {
    let f = &d.finding;
    let code = codes::get(f.rule);
    let mut props = BTreeMap::new();
    props.insert("security-severity".to_string(), json!(security_severity(d)));
    props.insert("palisade-code".to_string(), json!(f.rule));
    let mut tags = vec!["security".to_string(), f.rule.to_string()];
    match &f.subject {
        Some(s) => {
            // SARIF wants tags unique; imported rules often carry `security` themselves (and
            // an imported file may carry any number: a set, not a scan per tag).
            let mut unique: HashSet<&str> = tags.iter().map(String::as_str).collect();
            let new: Vec<&String> = s.tags.iter().filter(|t| unique.insert(t)).collect();
            tags.extend(new.into_iter().cloned());
            let mut markdown = format!("**{}** ({})\n\n{}\n", s.title, s.id, s.description.trim());
            if !s.aliases.is_empty() {
                markdown.push_str(&format!("\nAliases: {}\n", s.aliases.join(", ")));
            }
            if let Some(help) = &f.help {
                markdown.push_str(&format!("\n**Fix:** {help}\n"));
            }
            let mut rule = sarif::ReportingDescriptor::builder()
                .id(s.id.clone())
                .name(pascal_case(f.rule))
                .short_description(text(s.title.clone()))
                .full_description(text(first_paragraph(&s.description)))
                .help(
                    sarif::MultiformatMessageString::builder()
                        .text(f.help.clone().unwrap_or_else(|| s.title.clone()))
                        .markdown(markdown)
                        .build(),
                )
                .properties(
                    sarif::PropertyBag::builder()
                        .tags(tags)
                        .additional_properties(props)
                        .build(),
                )
                .build();
            rule.help_uri = s.url.clone();
            rule
        }
        None => {
            let (summary, help) = code.map_or(("", ""), |c| (c.summary, c.help));
            sarif::ReportingDescriptor::builder()
                .id(f.rule.to_string())
                .name(pascal_case(f.rule))
                .short_description(text(summary))
                .full_description(text(summary))
                .help(
                    sarif::MultiformatMessageString::builder()
                        .text(help.to_string())
                        .markdown(help.to_string())
                        .build(),
                )
                .properties(
                    sarif::PropertyBag::builder()
                        .tags(tags)
                        .additional_properties(props)
                        .build(),
                )
                .build()
        }
    }
}

/// `advisory.db-stale` → `AdvisoryDbStale`: SARIF wants a readable name distinct from the id.
fn pascal_case(code: &str) -> String {
    code.split(['.', '-'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn first_paragraph(s: &str) -> String {
    let p = s.trim().split("\n\n").next().unwrap_or_default().trim();
    if p.is_empty() {
        "No description.".into()
    } else {
        p.to_string()
    }
}

/// A path as a SARIF URI: a relative reference for a relative path (resolved against the
/// folder the tool ran in), a `file://` URI for an absolute one (an absolute path is not a
/// valid relative reference), a `git-blob:<id>` URI as it is; characters a URI may not hold
/// are percent-encoded.
fn uri(path: &std::path::Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    // Places in git that no file path names (an unattributed blob, a commit message).
    for scheme in ["git-blob:", "git-commit:", "git-tag:"] {
        if let Some(rest) = text.strip_prefix(scheme) {
            return format!("{scheme}{}", percent_encode(rest));
        }
    }
    if path.is_absolute() || text.starts_with('/') {
        return format!("file://{}", percent_encode(&text));
    }
    percent_encode(&text)
}

/// Percent-encodes every byte outside RFC 3986's unreserved set and `/` (a `:` too, which in
/// a first segment would read as a scheme).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A finding that names no place (a stale database, a shallow clone): code scanning needs
/// a location on every result, so it is a notification of the run's invocation instead.
fn notification_for(d: &Decided) -> sarif::Notification {
    let level = match (&d.status, d.warning) {
        (Status::Failing, _) => "error",
        (_, false) => "warning",
        (_, true) => "note",
    };
    sarif::Notification::builder()
        .descriptor(
            sarif::ReportingDescriptorReference::builder()
                .id(d.finding.rule.to_string())
                .build(),
        )
        .level(json!(level))
        .message(
            sarif::Message::builder()
                .text(d.finding.message.clone())
                .build(),
        )
        .properties(
            sarif::PropertyBag::builder()
                .additional_properties(BTreeMap::from([
                    ("palisade-code".to_string(), json!(d.finding.rule)),
                    ("status".to_string(), json!(status_name(d))),
                ]))
                .build(),
        )
        .build()
}

fn status_name(d: &Decided) -> &'static str {
    match d.status {
        Status::Failing => "failing",
        Status::Reported => "reported",
        Status::Suppressed { .. } => "suppressed",
    }
}

fn result_for(d: &Decided, rule_index: usize) -> sarif::Result {
    let f = &d.finding;
    let level = match (&d.status, d.warning) {
        (Status::Failing, _) => sarif::ResultLevel::Error,
        (_, false) => sarif::ResultLevel::Warning,
        (_, true) => sarif::ResultLevel::Note,
    };
    let locations: Vec<sarif::Location> = f
        .locations
        .iter()
        .take(1)
        .map(|loc| {
            let artifact = sarif::ArtifactLocation::builder()
                .uri(uri(&loc.path))
                .build();
            let physical = match loc.line {
                Some(line) => sarif::PhysicalLocation::builder()
                    .artifact_location(artifact)
                    .region(sarif::Region::builder().start_line(i64::from(line)).build())
                    .build(),
                None => sarif::PhysicalLocation::builder()
                    .artifact_location(artifact)
                    .build(),
            };
            sarif::Location::builder()
                .physical_location(physical)
                .build()
        })
        .collect();
    let mut props: BTreeMap<String, serde_json::Value> = f
        .evidence
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    props.insert("palisade-code".into(), json!(f.rule));
    props.insert("severity".into(), json!(d.effective_severity));
    props.insert("fingerprint".into(), json!(f.fingerprint));
    if let Some(r) = f.reachability {
        props.insert("reachability".into(), json!(r));
    }
    let mut result = sarif::Result::builder()
        .rule_id(rule_id(d))
        .rule_index(rule_index as i64)
        .level(level)
        .message(sarif::Message::builder().text(f.message.clone()).build())
        .partial_fingerprints(BTreeMap::from([(
            "primaryLocationLineHash".to_string(),
            f.fingerprint.clone(),
        )]))
        .properties(
            sarif::PropertyBag::builder()
                .additional_properties(props)
                .build(),
        )
        .build();
    if !locations.is_empty() {
        result.locations = Some(locations);
    }
    if let Status::Suppressed { by } = &d.status {
        let mut justification = by.reason.clone();
        if let Some(ticket) = &by.ticket {
            justification.push_str(&format!(" ({ticket})"));
        }
        result.suppressions = Some(vec![
            sarif::Suppression::builder()
                .kind(json!("external"))
                .status(json!("accepted"))
                .justification(justification)
                .properties(
                    sarif::PropertyBag::builder()
                        .additional_properties(BTreeMap::from([
                            ("config-file".to_string(), json!(uri(&by.origin.file))),
                            ("config-line".to_string(), json!(by.origin.line)),
                            ("ticket".to_string(), json!(by.ticket)),
                        ]))
                        .build(),
                )
                .build(),
        ]);
    }
    result
}

fn sarif_run(
    id: &str,
    findings: &[&Decided],
    import: Option<&ImportedTool>,
    error: Option<&str>,
) -> sarif::Run {
    let mut rules: Vec<sarif::ReportingDescriptor> = Vec::new();
    // Rule id → index in `rules`: an imported file may name thousands of rules.
    let mut index_of: HashMap<String, usize> = HashMap::new();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for d in findings {
        if d.finding.locations.is_empty() {
            notifications.push(notification_for(d));
            continue;
        }
        let index = *index_of.entry(rule_id(d)).or_insert_with(|| {
            rules.push(rule_for(d));
            rules.len() - 1
        });
        results.push(result_for(d, index));
    }
    // An imported tool's results keep its name, so code scanning shows them as its own; the
    // run's properties say Palisade decided them and which file they came from.
    let (name, version) = match import {
        Some(i) => (i.driver.clone(), i.version.clone()),
        None => ("palisade".to_string(), Some(TOOL_VERSION.to_string())),
    };
    let mut driver = sarif::ToolComponent::builder()
        .name(name)
        .rules(rules)
        .build();
    driver.semantic_version = version;
    driver.information_uri = import.and_then(|i| i.information_uri.clone());
    let mut run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .automation_details(
            sarif::RunAutomationDetails::builder()
                .id(format!("palisade/{id}/"))
                .build(),
        )
        .results(results)
        .invocations(vec![
            sarif::Invocation::builder()
                // A check that could not run says so; its absence of results is no pass.
                .execution_successful(error.is_none())
                .tool_execution_notifications(
                    error
                        .map(|e| {
                            sarif::Notification::builder()
                                .level(json!("error"))
                                .message(sarif::Message::builder().text(e.to_string()).build())
                                .build()
                        })
                        .into_iter()
                        .chain(notifications)
                        .collect::<Vec<_>>(),
                )
                .build(),
        ])
        .build();
    if let Some(i) = import {
        run.properties = Some(
            sarif::PropertyBag::builder()
                .additional_properties(BTreeMap::from([
                    (
                        "palisade-imported-from".to_string(),
                        json!(uri(&crate::finding::relative_to_cwd(&i.file))),
                    ),
                    ("palisade-version".to_string(), json!(TOOL_VERSION)),
                ]))
                .build(),
        );
    }
    run
}

impl Report for Sarif {
    fn write(&self, run: &Run<'_>, out: &mut dyn Write) -> io::Result<()> {
        // One run per check: a single command is one check; `gate` splits by check.
        let mut groups: Vec<(&str, Vec<&Decided>)> = Vec::new();
        if run.command == "gate" {
            for check in run.checks.iter().map(|c| c.name.as_str()) {
                groups.push((check, run.findings_of(check).collect()));
            }
            // The policy's own findings, and any of a run that has no row: never dropped.
            let rest: Vec<&Decided> = run
                .verdict
                .findings
                .iter()
                .filter(|d| !run.checks.iter().any(|c| c.name == d.finding.check()))
                .collect();
            if !rest.is_empty() {
                groups.push(("policy", rest));
            }
        } else {
            groups.push((run.command, run.verdict.findings.iter().collect()));
        }
        let runs = groups
            .iter()
            .map(|(id, findings)| {
                let import = run
                    .checks
                    .iter()
                    .find(|c| c.name == *id)
                    .and_then(|c| c.tool.as_ref());
                let error = run
                    .checks
                    .iter()
                    .find(|c| c.name == *id)
                    .and_then(|c| c.error.as_deref());
                sarif_run(id, findings, import, error)
            })
            .collect::<Vec<_>>();
        let log = sarif::Sarif::builder()
            .schema(sarif::SCHEMA_URL)
            .version(json!("2.1.0"))
            .runs(runs)
            .build();
        serde_json::to_writer_pretty(&mut *out, &log)?;
        writeln!(out)
    }
}
