//! Reports: render a verdict. Every output format lives here, behind one small trait; nothing
//! here changes what fails.

mod github;
mod human;
mod json;
mod sarif;

use crate::advisories::Summary;
use crate::policy::Verdict;
use std::io::{self, Write};

pub use github::{Github, step_summary};
pub use human::{Human, explain_binary};
pub use json::{JSON_SCHEMA_VERSION, Json};
pub use sarif::{Sarif, check_of};

/// Everything a report may show about one run.
pub struct Run<'a> {
    /// The subcommand, e.g. `advisories`.
    pub command: &'a str,
    /// The policy's decisions.
    pub verdict: &'a Verdict,
    /// The threshold in words (`high`, `any`…), for the summary line.
    pub threshold: String,
    /// Whether warnings fail.
    pub deny_warnings: bool,
    /// The advisories check's summary, when it ran.
    pub advisories: Option<&'a Summary>,
    /// The secrets check's summary, when it ran.
    pub secrets: Option<&'a crate::secrets::Summary>,
    /// The FIPS check's per-binary reports, when it ran.
    pub fips: Option<&'a [crate::fips::binary::BinaryReport]>,
    /// For `gate`: the checks that ran, with their wall time.
    pub checks: Vec<CheckRun>,
}

/// One check of a `gate` run.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CheckRun {
    /// `advisories`, `secrets`, `fips`.
    pub name: &'static str,
    /// Wall time, milliseconds.
    pub millis: u128,
}

/// An output format.
pub trait Report {
    /// Writes the whole report.
    fn write(&self, run: &Run<'_>, out: &mut dyn Write) -> io::Result<()>;
}

/// The output formats, as named on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Grouped by crate, coloured on a terminal, with the dependency path and the fix.
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
