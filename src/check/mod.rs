//! What a check is: the [`Check`] trait every check implements, what a run hands it
//! ([`Context`]) and what it hands back ([`CheckOutput`]: findings, and a [`Summary`] the
//! reports render without knowing which check wrote it). The registry of every check, and the
//! runner `gate` and the single commands share, are in [`registry`].
//!
//! A check finds things. It never decides what fails (the policy does) nor formats a report.

pub mod registry;

use crate::codes::Code;
use crate::config::root::Config;
use crate::finding::Finding;
use std::path::{Path, PathBuf};

/// One check: a folder under `src/checks/` plus one line in [`registry::CHECKS`].
pub trait Check: Sync {
    /// Its name, as reports, `fail-on` tables and suppressions name it (`secrets`).
    fn name(&self) -> &'static str;

    /// The finding codes it may emit (its `codes.rs`).
    fn codes(&self) -> &'static [Code];

    /// Whether `gate` runs it on this project with this config: the project has what it
    /// reads, or the config asks for it. An error is a config that asks for it where it has
    /// nothing to read: the gate stops before running anything.
    fn applies(&self, project: &Project, config: &Config) -> anyhow::Result<bool>;

    /// Its section of the starter `palisade.toml` that `init` writes for the project in
    /// `dir`, when it has one.
    fn starter(&self, dir: &Path) -> Option<String>;

    /// Runs it. An error means it could not do its job (the run exits 2); findings are what
    /// it found.
    fn run(&self, ctx: &Context<'_>) -> anyhow::Result<CheckOutput>;
}

/// Where the project under check is, found once from the command line.
#[derive(Clone, Debug, Default)]
pub struct Project {
    /// The folder the config was looked up from (the manifest's folder, `PATH`, or `.`).
    pub root: PathBuf,
    /// The `Cargo.toml` to read, when there is one.
    pub manifest: Option<PathBuf>,
    /// A `Cargo.lock` to read without a manifest (a vendored or generated one).
    pub lockfile: Option<PathBuf>,
    /// The git repository that holds the project, found upward as git does.
    pub repository: Option<PathBuf>,
}

/// How the checks were asked for: they read the same flags, but a single command checks
/// what it is pointed at and `gate` checks every part of the project it finds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invocation {
    /// `cargo palisade gate`.
    Gate,
    /// `cargo palisade <check>`.
    Command,
}

/// Everything a check's run reads besides its own inputs.
pub struct Context<'a> {
    /// Where the project is.
    pub project: &'a Project,
    /// The validated `palisade.toml` (the defaults when there is none).
    pub config: &'a Config,
    /// What was typed, flattened (every check resolves its slice of it with its config).
    pub flags: &'a Flags,
    /// How it was asked for.
    pub invocation: Invocation,
    /// Today (ages, expiries), pinned by `PALISADE_TODAY` in tests.
    pub today: jiff::civil::Date,
    /// Where a long check reports how far it got (drawn only on a terminal, never in CI).
    pub progress: &'a dyn Progress,
}

/// Told how a long pass advances; the caller decides how (or whether) to show it.
pub trait Progress: Sync {
    /// The pass starts over this many items.
    fn start(&self, items: u64);
    /// More items (and bytes) were read.
    fn advance(&self, items: u64, bytes: u64);
    /// The pass is over.
    fn finish(&self);
}

/// Shows nothing.
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: u64) {}
    fn advance(&self, _: u64, _: u64) {}
    fn finish(&self) {}
}

/// The flags of every check, as typed: `gate` fills the few it takes, a single command its
/// own. Each check turns these and its config slice into its settings once (its `resolve`).
#[derive(Clone, Debug, Default)]
pub struct Flags {
    /// `--manifest-path`.
    pub manifest_path: Option<PathBuf>,
    /// `--offline`: pass `--offline` to cargo.
    pub offline: bool,
    /// `--advisory-db`.
    pub advisory_db: Option<PathBuf>,
    /// `--generate-lockfile`.
    pub generate_lockfile: bool,
    /// `--worktree`.
    pub worktree: bool,
    /// `--staged`.
    pub staged: bool,
    /// `--since REV`.
    pub since: Option<String>,
    /// `--range A..B`.
    pub range: Option<String>,
    /// `--max-blob-size`.
    pub max_blob_size: Option<u64>,
    /// `--scan-binary`.
    pub scan_binary: bool,
    /// `--cache DIR`.
    pub cache: Option<PathBuf>,
    /// `--no-cache`.
    pub no_cache: bool,
    /// `--min-confidence`.
    pub min_confidence: Option<crate::checks::secrets::rules::Confidence>,
    /// `--show-secrets` (refused under CI unless `--allow-show-secrets-in-ci`).
    pub show_secrets: bool,
    /// `--binary PATH`…
    pub binaries: Vec<PathBuf>,
    /// `--expect fips|non-fips`.
    pub expect: Option<crate::checks::fips::Expect>,
    /// `--status-stamp`.
    pub status_stamp: Option<String>,
    /// `--status-url`.
    pub status_url: Option<String>,
    /// `--status-field`.
    pub status_field: Option<String>,
    /// `--fips-features`.
    pub fips_features: Vec<String>,
    /// `--build-target`.
    pub build_target: Option<String>,
    /// `--fips-target`.
    pub fips_target: Option<String>,
    /// `--makefile`.
    pub makefile: Option<PathBuf>,
    /// `--go-vulndb`.
    pub go_vulndb: Option<PathBuf>,
    /// `--go-mod`.
    pub go_mod: Option<PathBuf>,
    /// `--go-version`.
    pub go_version: Option<String>,
    /// `--import-sarif FILE [--tool NAME]`…
    pub imports: Vec<crate::checks::imports::Source>,
}

/// What a check hands back.
#[derive(Default)]
pub struct CheckOutput {
    /// What it found.
    pub findings: Vec<Finding>,
    /// What it looked at, for the reports.
    pub summary: Summary,
    /// The runs its results are reported as, when not one run under its own name (each
    /// imported SARIF file is a run named after its tool; none when there was nothing to
    /// import); `None` for one run under its own name.
    pub runs: Option<Vec<RunAs>>,
}

/// A run a check's results are reported under, with the tool that produced them.
#[derive(Clone, Debug)]
pub struct RunAs {
    /// The run's name (`import/gosec`): the checks table row, the SARIF run id.
    pub name: String,
    /// The tool whose results these are, when not Palisade.
    pub tool: Option<ImportedTool>,
}

/// A tool whose results a run reports (its SARIF was imported), as reports name it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ImportedTool {
    /// The run it is reported as (`import/<tool>`).
    pub check: String,
    /// The tool as its file names it (`gosec`).
    pub driver: String,
    /// Its version, when the file says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Its home page, when the file says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub information_uri: Option<String>,
    /// The file read.
    pub file: std::path::PathBuf,
}

/// What a check says about its run besides findings, as data: lines of styled text for
/// people, and a value for the JSON report (under the check's name).
#[derive(Clone, Default)]
pub struct Summary {
    /// Lines for the human report, before the findings.
    pub text: Vec<Line>,
    /// What the JSON report carries under the check's name: the check's own typed value,
    /// serialised as it declares its fields.
    pub data: Option<std::sync::Arc<dyn erased_serde::Serialize + Send + Sync>>,
}

/// One line of a summary: spans of text, each with how it should stand out.
#[derive(Clone, Debug, Default)]
pub struct Line(pub Vec<(Tone, String)>);

impl Line {
    /// A line of one plain span.
    pub fn plain(text: impl Into<String>) -> Line {
        Line(vec![(Tone::Plain, text.into())])
    }

    /// Adds a span.
    pub fn with(mut self, tone: Tone, text: impl Into<String>) -> Line {
        self.0.push((tone, text.into()));
        self
    }
}

/// How a span of summary text stands out (the human report maps these to styles).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// As is.
    Plain,
    /// Emphasised (a heading word, a name).
    Strong,
    /// Set back (labels, bullets).
    Dim,
    /// A good outcome.
    Good,
    /// Worth a look.
    Caution,
}
