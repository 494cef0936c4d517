//! Writing the reports of a run: each `--format` to its file or stdout through the sinks of
//! [`crate::output`], and under GitHub Actions the job summary and step outputs.

use super::resolve::Destination;
use crate::output;
use crate::report::{Format, Run};
use anyhow::{Context, Result};
use std::io::Write;
use std::path::PathBuf;

/// Appends to the file a GitHub Actions variable names (`$GITHUB_STEP_SUMMARY`,
/// `$GITHUB_OUTPUT`), when it is set.
fn append_env_file(variable: &str, text: &str) -> Result<()> {
    let Some(path) = std::env::var_os(variable) else {
        return Ok(());
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .with_context(|| {
            format!(
                "cannot open ${variable} ({})",
                PathBuf::from(&path).display()
            )
        })?;
    file.write_all(output::clean(text, output::Kind::Text).as_bytes())
        .with_context(|| {
            format!(
                "cannot write ${variable} ({})",
                PathBuf::from(&path).display()
            )
        })
}

/// Writes every report. Files are written whole or not at all; a closed stdout (a pipe into
/// `head`) is not an error. Under GitHub Actions, a job summary is appended to
/// `$GITHUB_STEP_SUMMARY` and the counts to `$GITHUB_OUTPUT`.
pub fn write(run: &Run<'_>, destinations: &[Destination]) -> Result<()> {
    // The verdict's strings were made safe to show when it was decided (`decide`); the
    // sinks redact the whole text once more.
    if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
        append_env_file("GITHUB_STEP_SUMMARY", &crate::report::step_summary(run))?;
        // Step outputs, for the action and for workflows that call the binary themselves.
        append_env_file(
            "GITHUB_OUTPUT",
            &format!(
                "findings={}\nfailing={}\nsuppressed={}\npassed={}\n",
                run.verdict.findings.len(),
                run.verdict.failing(),
                run.verdict.suppressed(),
                run.verdict.failing() == 0
            ),
        )?;
    }
    if destinations.iter().all(|d| d.file.is_some()) {
        // Every report went to a file: the person at the terminal still gets the verdict.
        let mut line = Vec::new();
        crate::report::verdict_line(run, &mut line)?;
        let files: Vec<String> = destinations
            .iter()
            .filter_map(|d| d.file.as_ref().map(|f| f.display().to_string()))
            .collect();
        let text = format!(
            "{} (reports: {})\n",
            String::from_utf8_lossy(&line).trim(),
            files.join(", ")
        );
        output::stdout(&text, output::Kind::Text).context("cannot write to stdout")?;
    }
    for dest in destinations {
        let kind = match dest.format {
            Format::Human => output::Kind::Text,
            Format::Github => output::Kind::WorkflowCommands,
            Format::Json | Format::Sarif => output::Kind::Data,
        };
        let mut buffer = Vec::new();
        dest.format.reporter().write(run, &mut buffer)?;
        let text = String::from_utf8_lossy(&buffer);
        match &dest.file {
            Some(path) => output::file(path, &text, kind)
                .with_context(|| format!("cannot write report to {}", path.display()))?,
            None => output::stdout(&text, kind).context("cannot write to stdout")?,
        }
    }
    Ok(())
}

/// Decides what fails, writes every report, and says how the run ended: findings over the
/// threshold exit 1; a check that could not run exits 2 once the reports are written (the
/// others are still reported).
pub fn conclude(
    command: &str,
    checked: super::resolve::Checked,
    mut policy: crate::policy::Policy,
    common: &super::args::CommonArgs,
    destinations: &[Destination],
) -> Result<super::Outcome> {
    use super::resolve::{decide, outcome_of, threshold_name};
    let verdict = decide(&mut policy, common, checked.findings)?;
    let run = Run {
        command,
        verdict: &verdict,
        threshold: threshold_name(&policy.config),
        deny_warnings: policy.config.deny_warnings,
        summaries: checked.summaries.iter().map(|(n, s)| (*n, s)).collect(),
        checks: checked.rows,
        verbose: common.verbose,
    };
    write(&run, destinations)?;
    let failed: Vec<&crate::report::CheckRun> =
        run.checks.iter().filter(|c| c.error.is_some()).collect();
    if let Some(first) = failed.first() {
        let names: Vec<&str> = failed.iter().map(|c| c.name.as_str()).collect();
        anyhow::bail!(
            "the gate could not run {} (the other checks were reported): {}",
            names.join(", "),
            first.error.as_deref().unwrap_or_default()
        );
    }
    Ok(outcome_of(&verdict))
}
