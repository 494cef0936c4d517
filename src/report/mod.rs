//! Reports: render a verdict. Every output format lives here, behind one small trait; nothing
//! here changes what fails.

mod github;
mod human;
mod json;
mod sarif;

use crate::check::{ImportedTool, Summary};
use crate::policy::{Decided, Status, Verdict};
use std::io::{self, Write};

pub use github::{Github, step_summary};
pub use human::{Human, summary_text, verdict_line};
pub use json::{JSON_SCHEMA_VERSION, Json};
pub use sarif::Sarif;

/// Everything a report may show about one run.
#[derive(Clone)]
pub struct Run<'a> {
    /// The subcommand, e.g. `advisories`.
    pub command: &'a str,
    /// The policy's decisions.
    pub verdict: &'a Verdict,
    /// The threshold in words (`high`, `any`…), for the summary line.
    pub threshold: String,
    /// Whether warnings fail.
    pub deny_warnings: bool,
    /// What each check that ran says about its run (its name, then the summary), in the
    /// registry's order.
    pub summaries: Vec<(&'a str, &'a Summary)>,
    /// For `gate`: the checks (or runs) that ran, with their wall time.
    pub checks: Vec<CheckRun>,
    /// List suppressed findings one by one in the human report (`--verbose`).
    pub verbose: bool,
}

/// One check of a `gate` run.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CheckRun {
    /// `advisories`, `secrets`, `fips`, `import/<tool>`: the check or run.
    pub name: String,
    /// Wall time, milliseconds.
    pub millis: u128,
    /// Why the check could not run (the gate then exits 2); `None` when it ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The tool whose results the run holds, when another tool's SARIF was imported.
    #[serde(skip)]
    pub tool: Option<ImportedTool>,
}

/// Per-check tallies for the summary tables.
pub struct CheckCounts {
    /// Findings of the check.
    pub total: usize,
    /// Of which suppressed.
    pub suppressed: usize,
    /// Of which failing.
    pub failing: usize,
}

impl Run<'_> {
    /// The findings of one check (see [`crate::finding::Finding::check`]).
    pub fn findings_of<'s>(&'s self, check: &'s str) -> impl Iterator<Item = &'s Decided> + 's {
        self.verdict
            .findings
            .iter()
            .filter(move |d| d.finding.check() == check)
    }

    /// Tallies of one check.
    pub fn counts(&self, check: &str) -> CheckCounts {
        let mut counts = CheckCounts {
            total: 0,
            suppressed: 0,
            failing: 0,
        };
        for d in self.findings_of(check) {
            counts.total += 1;
            match d.status {
                Status::Suppressed { .. } => counts.suppressed += 1,
                Status::Failing => counts.failing += 1,
                Status::Reported => {}
            }
        }
        counts
    }
}

/// An output format.
pub trait Report {
    /// Writes the whole report.
    fn write(&self, run: &Run<'_>, out: &mut dyn Write) -> io::Result<()>;
}

/// The output formats, as named on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: each finding with where it is and how to fix it (dependencies grouped by
    /// crate, with their dependency path), coloured on a terminal, then the verdict.
    Human,
    /// Versioned JSON (see docs/json-report.md).
    Json,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// GitHub Actions workflow annotations (::error file=…,line=…::…).
    Github,
}

impl Format {
    /// The reporter for this format.
    pub fn reporter(self) -> Box<dyn Report> {
        match self {
            Format::Human => Box::new(Human),
            Format::Json => Box::new(Json),
            Format::Sarif => Box::new(Sarif),
            Format::Github => Box::new(Github),
        }
    }
}

/// The tool's version, as reports state it.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
