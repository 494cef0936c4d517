//! The human report: findings grouped by crate, each with where it sits in the build, the
//! dependency path and the fix; then other findings; then one result line. Styles are plain
//! ANSI; the caller's stream strips them when it is not a terminal.

use super::{Report, Run};
use crate::policy::{Decided, Status};
use anstyle::{AnsiColor, Style};
use std::io::{self, Write};

/// The human reporter.
pub struct Human;

const RED: Style = AnsiColor::Red.on_default().bold();
const YELLOW: Style = AnsiColor::Yellow.on_default().bold();
const GREEN: Style = AnsiColor::Green.on_default().bold();
const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();

fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

fn evidence_str<'a>(d: &'a Decided, key: &str) -> Option<&'a str> {
    d.finding.evidence.get(key).and_then(|v| v.as_str())
}

fn status_tag(d: &Decided) -> String {
    match (&d.status, d.warning) {
        (Status::Failing, false) => paint(RED, "FAIL"),
        (Status::Failing, true) => paint(RED, "FAIL (warning)"),
        (Status::Reported, false) => paint(YELLOW, "report"),
        (Status::Reported, true) => paint(YELLOW, "warning"),
        (Status::Suppressed { .. }, _) => paint(DIM, "suppressed"),
    }
}

fn location(d: &Decided) -> Option<String> {
    let loc = d.finding.locations.first()?;
    Some(match loc.line {
        Some(line) => format!("{}:{line}", loc.path.display()),
        None => loc.path.display().to_string(),
    })
}

impl Report for Human {
    fn write(&self, run: &Run<'_>, out: &mut dyn Write) -> io::Result<()> {
        for (_, summary) in &run.summaries {
            out.write_all(summary_text(summary).as_bytes())?;
        }

        // Crate findings, grouped by `crate version` in first-seen order.
        let mut groups: Vec<(String, Vec<&Decided>)> = Vec::new();
        let mut others = Vec::new();
        for d in &run.verdict.findings {
            if !run.verbose && matches!(d.status, Status::Suppressed { .. }) {
                continue;
            }
            match (evidence_str(d, "crate"), evidence_str(d, "version")) {
                (Some(name), Some(version)) => {
                    let key = format!("{name} {version}");
                    match groups.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, list)) => list.push(d),
                        None => groups.push((key, vec![d])),
                    }
                }
                _ => others.push(d),
            }
        }
        for (key, list) in &groups {
            let first = list[0];
            writeln!(out)?;
            write!(out, "{}", paint(BOLD, key))?;
            if let Some(loc) = location(first) {
                write!(out, "  {}", paint(DIM, &loc))?;
            }
            if let Some(r) = first.finding.reachability {
                write!(out, "  {}", r.describe())?;
            }
            writeln!(out)?;
            if let Some(path) = first
                .finding
                .evidence
                .get("dependency_path")
                .and_then(|p| p.as_array())
                && !path.is_empty()
            {
                let hops: Vec<&str> = path.iter().filter_map(|h| h.as_str()).collect();
                writeln!(out, "  {} {}", paint(DIM, "path:"), hops.join(" → "))?;
            }
            for d in list {
                write_advisory(out, d)?;
            }
        }
        if !others.is_empty() {
            writeln!(out)?;
        }
        for d in others {
            write!(
                out,
                "{} [{}] {}",
                status_tag(d),
                d.finding.rule,
                d.finding.message
            )?;
            match location(d) {
                Some(loc) => writeln!(out, "  {}", paint(DIM, &format!("--> {loc}")))?,
                None => writeln!(out)?,
            }
            // A suppressed finding needs no fix: the line that suppressed it is enough.
            if matches!(d.status, Status::Suppressed { .. }) {
                write_suppression(out, "  ", d)?;
                continue;
            }
            if let (Some(snippet), Some(line)) = (
                evidence_str(d, "snippet"),
                d.finding.locations.first().and_then(|l| l.line),
            ) {
                let gutter = line.to_string();
                writeln!(out, "  {} {}", paint(DIM, &format!("{gutter} |")), snippet)?;
            }
            write_suppression(out, "  ", d)?;
            write_partly_allowed(out, "  ", d)?;
            if let Some(help) = &d.finding.help {
                writeln!(out, "  {} {help}", paint(DIM, "help:"))?;
            }
        }

        if !run.checks.is_empty() {
            writeln!(out)?;
            let width = run
                .checks
                .iter()
                .map(|c| c.name.len())
                .max()
                .unwrap_or(0)
                .max(12);
            writeln!(
                out,
                "{}",
                paint(
                    BOLD,
                    &format!(
                        "{:<width$} findings  suppressed  failing      time",
                        "check"
                    )
                )
            )?;
            for check in &run.checks {
                if let Some(error) = &check.error {
                    writeln!(
                        out,
                        "{:<width$} {}  {:>6} ms  {error}",
                        check.name,
                        paint(RED, "   ERROR: could not run"),
                        check.millis
                    )?;
                    continue;
                }
                let counts = run.counts(&check.name);
                writeln!(
                    out,
                    "{:<width$} {:>8}  {:>10}  {:>7}  {:>6} ms",
                    check.name, counts.total, counts.suppressed, counts.failing, check.millis
                )?;
            }
        }
        if !run.verbose {
            write_suppressed_counts(out, run)?;
        }
        verdict_line(run, out)
    }
}

/// Suppressed findings counted per entry that suppressed them (`--verbose` lists each).
fn write_suppressed_counts(out: &mut dyn Write, run: &Run<'_>) -> io::Result<()> {
    let mut entries: Vec<(String, String, usize)> = Vec::new();
    for d in &run.verdict.findings {
        let Status::Suppressed { by } = &d.status else {
            continue;
        };
        let place = if by.origin.line > 0 {
            format!("{}:{}", by.origin.file.display(), by.origin.line)
        } else {
            by.origin.file.display().to_string()
        };
        match entries.iter_mut().find(|(p, _, _)| *p == place) {
            Some(entry) => entry.2 += 1,
            None => {
                let ticket = by
                    .ticket
                    .as_ref()
                    .map(|t| format!(" ({t})"))
                    .unwrap_or_default();
                entries.push((place, format!("{}{ticket}", by.reason), 1));
            }
        }
    }
    if entries.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "{} (--verbose lists them)", paint(BOLD, "Suppressed"))?;
    for (place, reason, count) in entries {
        writeln!(out, "  {count:>5} by {place} — {reason}",)?;
    }
    Ok(())
}

/// The closing line: PASS, FAIL or ERROR, with the counts and the threshold.
pub fn verdict_line(run: &Run<'_>, out: &mut dyn Write) -> io::Result<()> {
    let broken: Vec<&str> = run
        .checks
        .iter()
        .filter(|c| c.error.is_some())
        .map(|c| c.name.as_str())
        .collect();
    let failing = run.verdict.failing();
    let total = run.verdict.findings.len();
    let suppressed = run.verdict.suppressed();
    writeln!(out)?;
    let verdict = if !broken.is_empty() {
        paint(RED, &format!("ERROR ({} could not run)", broken.join(", ")))
    } else if failing == 0 {
        paint(GREEN, "PASS")
    } else {
        paint(RED, "FAIL")
    };
    writeln!(
        out,
        "{verdict}: {total} finding{}, {failing} failing, {suppressed} suppressed (fail-on: {}{})",
        if total == 1 { "" } else { "s" },
        run.threshold,
        if run.deny_warnings {
            ", warnings denied"
        } else {
            ""
        }
    )
}

fn write_advisory(out: &mut dyn Write, d: &Decided) -> io::Result<()> {
    let f = &d.finding;
    let Some(subject) = &f.subject else {
        return writeln!(out, "  {} {}", status_tag(d), f.message);
    };
    let score = subject
        .score
        .map(|s| format!(" {s:.1}"))
        .unwrap_or_default();
    let rated = if f.severity.is_some() {
        ""
    } else {
        " (unrated)"
    };
    writeln!(
        out,
        "  {} {}{}{} {} {}",
        status_tag(d),
        d.effective_severity,
        score,
        rated,
        paint(BOLD, &subject.id),
        subject.title
    )?;
    let pad = "      ";
    if f.rule != crate::checks::advisories::codes::VULNERABILITY {
        writeln!(out, "{pad}{} {}", paint(DIM, "kind:"), f.rule)?;
    }
    if !subject.aliases.is_empty() {
        writeln!(
            out,
            "{pad}{} {}",
            paint(DIM, "aliases:"),
            subject.aliases.join(", ")
        )?;
    }
    if let Some(help) = &f.help {
        writeln!(out, "{pad}{} {help}", paint(DIM, "fix:"))?;
    }
    if let Some(url) = &subject.url {
        writeln!(out, "{pad}{} {url}", paint(DIM, "see:"))?;
    }
    write_suppression(out, pad, d)?;
    Ok(())
}

/// The entry that suppressed a finding, when one did.
fn write_suppression(out: &mut dyn Write, pad: &str, d: &Decided) -> io::Result<()> {
    let Status::Suppressed { by } = &d.status else {
        return Ok(());
    };
    let ticket = by
        .ticket
        .as_ref()
        .map(|t| format!(" ({t})"))
        .unwrap_or_default();
    writeln!(
        out,
        "{pad}{} {}:{} — {}{ticket}",
        paint(DIM, "suppressed by"),
        by.origin.file.display(),
        by.origin.line,
        by.reason,
    )
}

/// At most this many unmatched places are listed under a finding; the rest are counted.
const MAX_UNMATCHED_SHOWN: usize = 20;

/// Why a finding that allow entries matched in part still stands: the places none matched,
/// each with its line and the commit that brought it in.
fn write_partly_allowed(out: &mut dyn Write, pad: &str, d: &Decided) -> io::Result<()> {
    let Some(partly) = &d.partly_allowed else {
        return Ok(());
    };
    let entries: Vec<String> = partly
        .by
        .iter()
        .map(|o| format!("{}:{}", o.file.display(), o.line))
        .collect();
    writeln!(
        out,
        "{pad}{} {} matched {} of {} places; not matched:",
        paint(DIM, "allowed in part:"),
        entries.join(", "),
        partly_count(d) - partly.unmatched.len(),
        partly_count(d),
    )?;
    for place in partly.unmatched.iter().take(MAX_UNMATCHED_SHOWN) {
        let line = place.line.map(|l| format!(":{l}")).unwrap_or_default();
        let commit = place
            .commit
            .as_deref()
            .map(|c| format!(" (commit {})", c.get(..12).unwrap_or(c)))
            .unwrap_or_default();
        writeln!(out, "{pad}  - {}{line}{commit}", place.path)?;
    }
    if partly.unmatched.len() > MAX_UNMATCHED_SHOWN {
        writeln!(
            out,
            "{pad}  … and {} more (the JSON report lists them all)",
            partly.unmatched.len() - MAX_UNMATCHED_SHOWN
        )?;
    }
    Ok(())
}

/// How many places the finding names.
fn partly_count(d: &Decided) -> usize {
    crate::policy::finding_places(&d.finding).len()
}

/// A check's summary lines, styled.
pub fn summary_text(summary: &crate::check::Summary) -> String {
    use crate::check::Tone;
    let mut text = String::new();
    for line in &summary.text {
        for (tone, span) in &line.0 {
            let style = match tone {
                Tone::Plain => None,
                Tone::Strong => Some(BOLD),
                Tone::Dim => Some(DIM),
                Tone::Good => Some(GREEN),
                Tone::Caution => Some(YELLOW),
            };
            match style {
                Some(style) => text.push_str(&paint(style, span)),
                None => text.push_str(span),
            }
        }
        text.push('\n');
    }
    text
}
