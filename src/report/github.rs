//! GitHub Actions: workflow-command annotations (`::error file=…,line=…::…`) on stdout, and a
//! Markdown job summary for `$GITHUB_STEP_SUMMARY`.

use super::{Report, Run};
use crate::policy::Status;
use std::io::{self, Write};

/// The `github` format: one annotation per finding that is not suppressed.
pub struct Github;

/// Escapes a workflow-command message.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow-command property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

impl Report for Github {
    fn write(&self, run: &Run<'_>, out: &mut dyn Write) -> io::Result<()> {
        for d in &run.verdict.findings {
            let level = match (&d.status, d.warning) {
                (Status::Suppressed { .. }, _) => continue,
                (Status::Failing, _) => "error",
                (Status::Reported, false) => "warning",
                (Status::Reported, true) => "notice",
            };
            let mut props = Vec::new();
            if let Some(loc) = d.finding.locations.first() {
                props.push(format!("file={}", property(&loc.path.to_string_lossy())));
                if let Some(line) = loc.line {
                    props.push(format!("line={line}"));
                }
                if let Some(col) = loc.column {
                    props.push(format!("col={col}"));
                }
            }
            let title = d
                .finding
                .subject
                .as_ref()
                .map_or(d.finding.rule.to_string(), |s| {
                    format!("{} {}", d.finding.rule, s.id)
                });
            props.push(format!("title={}", property(&title)));
            writeln!(
                out,
                "::{level} {}::{}",
                props.join(","),
                data(&d.finding.message)
            )?;
        }
        Ok(())
    }
}

/// The Markdown job summary: verdict, per-check table, failing findings.
pub fn step_summary(run: &Run<'_>) -> String {
    let failing = run.verdict.failing();
    let broken = run.checks.iter().any(|c| c.error.is_some());
    let mut md = format!(
        "## Palisade {}: {}\n\n",
        run.command,
        if broken {
            "⚠️ could not run every check"
        } else if failing == 0 {
            "✅ passed"
        } else {
            "❌ failed"
        }
    );
    md.push_str(&format!(
        "{} findings, {failing} failing, {} suppressed (fail-on: {})\n\n",
        run.verdict.findings.len(),
        run.verdict.suppressed(),
        run.threshold
    ));
    if !run.checks.is_empty() {
        md.push_str(
            "| check | findings | suppressed | failing | time |\n|---|---:|---:|---:|---:|\n",
        );
        for check in &run.checks {
            if let Some(error) = &check.error {
                md.push_str(&format!(
                    "| {} | ⚠️ could not run: {} | | | {} ms |\n",
                    check.name,
                    error.replace('|', "\\|"),
                    check.millis
                ));
                continue;
            }
            let counts = run.counts(&check.name);
            md.push_str(&format!(
                "| {} | {} | {} | {} | {} ms |\n",
                check.name, counts.total, counts.suppressed, counts.failing, check.millis
            ));
        }
        md.push('\n');
    }
    for d in run
        .verdict
        .findings
        .iter()
        .filter(|d| matches!(d.status, Status::Failing))
    {
        let loc = d
            .finding
            .locations
            .first()
            .map(|l| match l.line {
                Some(line) => format!(" `{}:{line}`", l.path.display()),
                None => format!(" `{}`", l.path.display()),
            })
            .unwrap_or_default();
        md.push_str(&format!(
            "- **{}**{loc}: {}\n",
            d.finding.rule,
            d.finding.message.replace('\n', " ")
        ));
    }
    md
}
