//! The command line, as the user typed it. Doc comments are the help text.
#![deny(missing_docs)]

use crate::report::Format;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Palisade: one supply-chain security gate for Rust services.
///
/// Run as `cargo palisade <COMMAND>` or `cargo-palisade <COMMAND>`.
///
/// Exit codes: 0 clean, 1 findings over the threshold, 2 Palisade could not do its job (bad
/// config, missing advisory database, unreadable lockfile…); the error line says which file.
#[derive(Debug, Parser)]
#[command(
    name = "cargo-palisade",
    bin_name = "cargo palisade",
    version,
    max_term_width = 100
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check Cargo.lock against the RustSec advisory database (offline).
    ///
    /// Every vulnerable package is placed in the resolved build graph: in the normal build,
    /// build-only, dev-only, or in no build graph at all (a lockfile entry that only a disabled
    /// feature would pull in). By default vulnerabilities rated high or critical in any build
    /// graph fail; those in no graph are reported without failing.
    ///
    /// Examples:
    ///
    ///   cargo palisade advisories --advisory-db ../advisory-db
    ///
    ///   cargo palisade advisories --format sarif --output palisade.sarif --format human
    Advisories(AdvisoriesArgs),
    /// Check a Go module or Go binaries against the Go vulnerability database (offline).
    ///
    /// A go.mod is judged by its build list (after replace and exclude) and the standard
    /// library of the Go release the service ships with (--go-version, else the toolchain
    /// directive, else the go directive); reachability is `package` when the module's non-test
    /// source imports a vulnerable package for the target (build constraints applied), and
    /// `module` otherwise. A binary is judged by its build info and its function table, which
    /// stripping keeps: `symbol` when a vulnerable function is linked in, `package` when only
    /// other functions of the package are, `module` otherwise. By default `symbol` and
    /// `package` findings are high (they fail) and `module` ones are warnings; see [go.severity].
    ///
    /// Examples:
    ///
    ///   cargo palisade go --go-vulndb ../go-vulndb --go-version go1.22.2
    ///
    ///   cargo palisade go --binary dist/server --binary dist/worker --format sarif --output go.sarif
    Go(GoArgs),
    /// Scan a git repository's whole object database for secrets.
    ///
    /// Every blob is read once, packed or loose, reachable or not: other branches, tags, the
    /// stash, reflogs and dangling objects included, so a secret committed and then removed
    /// still fails the gate. Each finding names the commit that first brought the secret in,
    /// and the secret is redacted in every output.
    ///
    /// Examples:
    ///
    ///   cargo palisade secrets
    ///
    ///   cargo palisade secrets path/to/repo --format sarif --output secrets.sarif
    Secrets(SecretsArgs),
    /// Run every check the project has, under one policy, with one set of reports.
    ///
    /// advisories when there is a Cargo.lock, go when there is a go.mod (or [go] binaries),
    /// secrets when the folder is in a git repository
    /// (the whole history, or --since REV in a pull request), fips when palisade.toml has a
    /// [fips] table, and the SARIF of other tools (gosec, govulncheck, clippy-sarif,
    /// semgrep…) named by `[[import]]` entries or --import-sarif. Checks run in parallel;
    /// suppressions, baseline and thresholds apply to all; SARIF has one run per check. Exit 0
    /// clean, 1 findings over the threshold, 2 when any check could not run or an imported
    /// file is missing or malformed.
    ///
    /// Examples:
    ///
    ///   cargo palisade gate --advisory-db ../advisory-db
    ///
    ///   cargo palisade gate --since origin/main --format sarif --output palisade.sarif --format human
    ///
    ///   gosec -fmt sarif -out gosec.sarif ./... ; cargo palisade gate --import-sarif gosec.sarif --tool gosec
    Gate(GateArgs),
    /// Verify FIPS builds from the binaries themselves (ELF, Mach-O, PE; stripped or not).
    ///
    /// Finds the FIPS module a binary links (AWS-LC FIPS, Go BoringCrypto, Go's native FIPS
    /// 140-3 module, Microsoft Go systemcrypto, golang-fips OpenSSL) from its symbols, Go build
    /// settings and telling strings, and its FIPS status stamp. With --expect, a default build
    /// that links a FIPS module, or a FIPS build without one, fails.
    ///
    /// Examples:
    ///
    ///   cargo palisade fips --binary target/release/app --expect non-fips
    ///
    ///   cargo palisade fips --binary dist/app-fips --expect fips --status-stamp FIPSMode=true
    ///
    ///   cargo palisade fips --explain --binary ./server
    Fips(FipsArgs),
    /// Manage the local copy of the advisory database.
    #[command(subcommand)]
    Db(DbCommand),
    /// Write a commented starter palisade.toml fitted to the project found here.
    Init {
        /// Where to write it.
        #[arg(long, value_name = "PATH", default_value = "palisade.toml")]
        output: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Upload a SARIF file to GitHub code scanning and wait until GitHub has processed it.
    ///
    /// The token comes from GITHUB_TOKEN (it needs `security-events: write`) and is never
    /// printed. The repository, commit and ref come from the flags, else from GitHub Actions'
    /// GITHUB_REPOSITORY, GITHUB_SHA and GITHUB_REF, else (commit and ref) from the git
    /// repository here. GitHub's limits are checked before sending: 10 MB gzipped, 20 runs,
    /// 25,000 results per run. Exit 0 when GitHub has processed the file, 2 otherwise.
    ///
    /// Examples:
    ///
    ///   cargo palisade gate --format sarif --output palisade.sarif; cargo palisade upload-sarif palisade.sarif
    ///
    ///   cargo palisade upload-sarif palisade.sarif --repo acme/api --api-url https://ghe.example.com/api/v3
    UploadSarif(UploadArgs),
    /// Validate palisade.toml without scanning anything.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// List, check and explain the secret-detection rules.
    #[command(subcommand)]
    Rules(RulesCommand),
}

/// Options of `upload-sarif`.
#[derive(Debug, Args)]
pub struct UploadArgs {
    /// The SARIF file to upload.
    #[arg(value_name = "SARIF")]
    pub file: PathBuf,

    /// The repository, owner/name.
    #[arg(
        long,
        value_name = "OWNER/NAME",
        env = "GITHUB_REPOSITORY",
        hide_env_values = true
    )]
    pub repo: Option<String>,

    /// The full commit SHA the analysis is of [default: HEAD of the repository here].
    #[arg(long, value_name = "SHA", env = "GITHUB_SHA", hide_env_values = true)]
    pub commit: Option<String>,

    /// The full ref, refs/heads/BRANCH or refs/pull/N/merge [default: the branch checked out
    /// here].
    #[arg(
        long = "ref",
        value_name = "REF",
        env = "GITHUB_REF",
        hide_env_values = true
    )]
    pub git_ref: Option<String>,

    /// The GitHub API; for GitHub Enterprise Server, https://HOST/api/v3.
    #[arg(
        long,
        value_name = "URL",
        env = "GITHUB_API_URL",
        hide_env_values = true,
        default_value = "https://api.github.com"
    )]
    pub api_url: String,

    /// Seconds to wait for GitHub to process the upload; 0 returns once it is accepted.
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    pub wait: u64,

    /// Milliseconds between processing-status polls.
    #[arg(long, value_name = "MS", default_value_t = 3000, hide = true)]
    pub poll_interval_ms: u64,
}

/// `config` subcommands.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Parse and validate the config (every problem with its line); exit 0 when valid, 2 when
    /// not.
    Check {
        /// The config [default: palisade.toml here or in a parent, up to the git root].
        #[arg(long, value_name = "PATH")]
        config: Option<PathBuf>,
    },
}

/// `rules` subcommands.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List every rule: id, severity and name.
    List,
    /// Compile every rule and run its examples: each example must match, each negative example
    /// must not. Exit 1 when one fails.
    Check,
    /// Show one rule: what it finds, why it matters, how to fix a leak, and its pattern.
    Explain {
        /// The rule id, e.g. `secret.age-identity` (the `secret.` prefix may be left out).
        id: String,
    },
}

/// `db` subcommands.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Clone or update the RustSec advisory database (needs network access to GitHub); with
    /// --go, download the Go vulnerability database instead (vulndb.zip from vuln.go.dev, or
    /// $PALISADE_GO_VULNDB_URL).
    Fetch {
        /// Where the RustSec database lives [default: $CARGO_HOME/advisory-db].
        #[arg(long, env = "PALISADE_ADVISORY_DB", value_name = "PATH")]
        advisory_db: Option<PathBuf>,
        /// Fetch the Go vulnerability database.
        #[arg(long)]
        go: bool,
        /// Where the Go vulnerability database lives [default: $CARGO_HOME/go-vulndb].
        #[arg(long, env = "PALISADE_GO_VULNDB", value_name = "PATH", requires = "go")]
        go_vulndb: Option<PathBuf>,
    },
}

/// Options of `go`.
#[derive(Debug, Args)]
pub struct GoArgs {
    /// The go.mod to check [default: `mod` in [go], else go.mod in the current folder; none
    /// when --binary is given].
    #[arg(long, value_name = "PATH")]
    pub go_mod: Option<PathBuf>,

    /// A Go binary to check (ELF, Mach-O, PE; stripped or not); repeat for several. Adds to
    /// `binaries` in [go].
    #[arg(long = "binary", value_name = "PATH")]
    pub binaries: Vec<PathBuf>,

    /// The Go vulnerability database: a folder (the vuln.go.dev layout, or OSV files) or its
    /// vulndb.zip [default: `db` in [go], else `go-db` in [advisories], else
    /// $CARGO_HOME/go-vulndb]. Fetch one with `cargo palisade db fetch --go`.
    #[arg(long, env = "PALISADE_GO_VULNDB", value_name = "PATH")]
    pub go_vulndb: Option<PathBuf>,

    /// The Go release the service ships with, for the standard library (results hold for it
    /// only) [default: `go-version` in [go], else go.mod's toolchain, else its go directive].
    #[arg(long, value_name = "VERSION")]
    pub go_version: Option<String>,

    /// Policy and report options.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Options of `advisories`.
#[derive(Debug, Args)]
pub struct AdvisoriesArgs {
    /// Path to the project's Cargo.toml [default: found from the current directory].
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,

    /// Scan this Cargo.lock. Without --manifest-path the build graph is unknown and every
    /// advisory counts as reachable.
    #[arg(long, value_name = "PATH")]
    pub lockfile: Option<PathBuf>,

    /// The advisory database directory [default: `db` in palisade.toml, else
    /// $CARGO_HOME/advisory-db]. Fetch one with `cargo palisade db fetch`.
    #[arg(long, env = "PALISADE_ADVISORY_DB", value_name = "PATH")]
    pub advisory_db: Option<PathBuf>,

    /// Create Cargo.lock when the project has none (resolves against the registry).
    #[arg(long)]
    pub generate_lockfile: bool,

    /// Run cargo with --offline when resolving the build graph.
    #[arg(long)]
    pub offline: bool,

    /// Policy and report options.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Options of `gate`.
#[derive(Debug, Args)]
pub struct GateArgs {
    /// The project's Cargo.toml [default: the one in the current folder].
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,

    /// The advisory database directory [default: `db` in palisade.toml, else
    /// $CARGO_HOME/advisory-db].
    #[arg(long, env = "PALISADE_ADVISORY_DB", value_name = "PATH")]
    pub advisory_db: Option<PathBuf>,

    /// The Go vulnerability database [default: `db` in [go], else $CARGO_HOME/go-vulndb].
    #[arg(long, env = "PALISADE_GO_VULNDB", value_name = "PATH")]
    pub go_vulndb: Option<PathBuf>,

    /// Go: the Go release the service ships with [default: `go-version` in [go], else
    /// go.mod's toolchain, else its go directive].
    #[arg(long, value_name = "VERSION")]
    pub go_version: Option<String>,

    /// Secrets: only what HEAD brings in on top of REV, every commit of REV..HEAD (a pull
    /// request's base).
    #[arg(long, value_name = "REV")]
    pub since: Option<String>,

    /// Secrets: report matches of at least this confidence [default: `min-confidence` in
    /// [secrets], else medium]. `low` adds generic assignments (`password = "…"`).
    #[arg(long, value_name = "LEVEL")]
    pub min_confidence: Option<crate::checks::secrets::rules::Confidence>,

    /// Secrets: keep the scan record here instead of in the repository's git directory (see
    /// `cargo palisade secrets --help`).
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache: Option<PathBuf>,

    /// Secrets: neither read nor write a scan record.
    #[arg(long)]
    pub no_cache: bool,

    /// Run cargo with --offline.
    #[arg(long)]
    pub offline: bool,

    /// Also judge the results in this SARIF 2.1.0 file (from gosec, govulncheck, clippy-sarif,
    /// semgrep…); repeat for several. Adds to the `[[import]]` entries of palisade.toml.
    #[arg(long, value_name = "FILE")]
    pub import_sarif: Vec<PathBuf>,

    /// The name of the tool of the --import-sarif before it, as reports and `[[import]]`
    /// ignores use it [default: the tool name in the file].
    #[arg(long, value_name = "NAME", requires = "import_sarif")]
    pub tool: Vec<String>,

    /// Policy and report options.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Options of `fips`.
#[derive(Debug, Args)]
pub struct FipsArgs {
    /// A binary to check; repeat for several [default: `[[fips.binaries]]` in palisade.toml,
    /// each with its own expectation].
    #[arg(long = "binary", value_name = "PATH")]
    pub binaries: Vec<PathBuf>,

    /// Judge this Rust project's builds: its default build's resolved graph must hold no FIPS
    /// provider (aws-lc-fips-sys, aws-lc-rs/fips, rustls/fips, boring/fips…), its FIPS build's
    /// must hold one [default: the Cargo.toml in the current folder, when there are no
    /// --binary].
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,

    /// The features that make the FIPS build (comma-separated) [default: `fips-features` in
    /// palisade.toml, else fips].
    #[arg(long, value_name = "FEATURES", value_delimiter = ',')]
    pub fips_features: Vec<String>,

    /// Run cargo with --offline when resolving the build graphs.
    #[arg(long)]
    pub offline: bool,

    /// Fetch a running service's status endpoint (e.g. http://host/about) and check its JSON
    /// field (--status-field) is true for --expect fips, false or absent for --expect non-fips.
    #[arg(long, value_name = "URL", requires = "expect")]
    pub status_url: Option<String>,

    /// The JSON field of the status endpoint, a dotted path [default: `status-field` in
    /// palisade.toml, else fips].
    #[arg(long, value_name = "FIELD")]
    pub status_field: Option<String>,

    /// Check this Makefile or justfile [default: the one in the project folder, if any].
    #[arg(long, value_name = "PATH")]
    pub makefile: Option<PathBuf>,

    /// The default build target, which must set no FIPS switch [default: `build-target` in
    /// palisade.toml, else build].
    #[arg(long, value_name = "NAME")]
    pub build_target: Option<String>,

    /// The FIPS build target, which must exist [default: `fips-target` in palisade.toml, else
    /// fips-build].
    #[arg(long, value_name = "NAME")]
    pub fips_target: Option<String>,

    /// What the binaries must be: `fips` (links a FIPS module and carries the status stamp)
    /// or `non-fips` (links none). Verdicts come from structure (Go build settings, symbols, a
    /// module's integrity region that hashes to its own check value), never from strings in
    /// the file. Without it, verdicts are reported and nothing fails.
    #[arg(long, value_name = "KIND")]
    pub expect: Option<crate::checks::fips::Expect>,

    /// The status stamp a FIPS binary carries [default: `status-stamp` in palisade.toml, else
    /// FIPSMode=true]. It counts only where a build puts it: Go, an `-X` in the recorded
    /// -ldflags whose value, name=value or importpath.name=value is the stamp (Go records
    /// -ldflags only without -trimpath); any binary, a section holding it (`.note.fips-status`
    /// ELF, `__fips_status` Mach-O, `.fips` PE) or a symbol named for it. Never a substring
    /// elsewhere in the file.
    #[arg(long, value_name = "STRING")]
    pub status_stamp: Option<String>,

    /// Print everything found in each binary (format, module, evidence, needed libraries, Go
    /// build settings) and exit 0.
    #[arg(long)]
    pub explain: bool,

    /// Policy and report options.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Options of `secrets`.
#[derive(Debug, Args)]
pub struct SecretsArgs {
    /// The repository: a work tree, its `.git` folder, or a bare repository.
    #[arg(default_value = ".")]
    pub path: PathBuf,

    /// Skip blobs larger than this many bytes (counted in the summary) [default:
    /// `max-blob-size` in palisade.toml, else 64 MiB].
    #[arg(long, value_name = "BYTES")]
    pub max_blob_size: Option<u64>,

    /// Also scan binary blobs (a NUL byte in the first 8 KiB); skipped by default.
    #[arg(long)]
    pub scan_binary: bool,

    /// Keep the scan record here instead of in the repository's git directory
    /// (`.git/palisade/`): the blobs a whole-history scan read and found nothing in, which the
    /// next scan does not read again. Trusted only from the same Palisade version, rules and
    /// settings, and signed with `PALISADE_CACHE_KEY` when set (a CI secret), else with a key
    /// kept in the git directory; any other record is ignored and everything read.
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache: Option<PathBuf>,

    /// Neither read nor write a scan record: read every object.
    #[arg(long)]
    pub no_cache: bool,

    /// Report matches of at least this confidence [default: `min-confidence` in [secrets],
    /// else medium]: high is a service's own format (prefix, length, checksum), medium a
    /// service keyword near an entropy-checked value, low a generic assignment
    /// (`password = "…"`).
    #[arg(long, value_name = "LEVEL")]
    pub min_confidence: Option<crate::checks::secrets::rules::Confidence>,

    /// Only what HEAD brings in on top of REV: every commit of REV..HEAD (e.g. `--since
    /// origin/main` in a pull request), not other branches. Every intermediate commit counts,
    /// so a secret added and removed inside the range still fails.
    #[arg(long, value_name = "REV", conflicts_with = "range")]
    pub since: Option<String>,

    /// Scan the files on disk instead of history: tracked and untracked files that are not
    /// ignored (or every file, for a folder that is not a git repository).
    #[arg(long, conflicts_with_all = ["staged", "since", "range"])]
    pub worktree: bool,

    /// Scan only what is staged in the index and differs from HEAD: what the next commit would
    /// add (the pre-commit hook).
    #[arg(long, conflicts_with_all = ["since", "range"])]
    pub staged: bool,

    /// Show secrets in full in every output instead of redacting them (at most 4 characters
    /// and a hash). Refused when `CI` is set, unless --allow-show-secrets-in-ci is given too.
    #[arg(long)]
    pub show_secrets: bool,

    /// Allow --show-secrets under CI, where logs are kept and widely readable.
    #[arg(long, requires = "show_secrets")]
    pub allow_show_secrets_in_ci: bool,

    /// Only what the commits of A..B brought in (reachable from B, not from A).
    #[arg(long, value_name = "A..B")]
    pub range: Option<String>,

    /// Policy and report options.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Options every scanning command shares: config, policy overrides, reports.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Config file [default: palisade.toml in the project folder or a parent of it].
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Fail on findings at or above this severity (overrides every `fail-on` in the config).
    /// Each finding's severity comes from its source: a secret rule's rating, an advisory's
    /// CVSS score (unscored ones count as `unrated-severity`, default high), a FIPS code's
    /// level, an imported tool's rating.
    #[arg(long, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,

    /// Make warnings fail too: `--deny warnings` (informational advisories, stale database,
    /// expired or unused ignore entries).
    #[arg(long, value_name = "WHAT")]
    pub deny: Vec<Deny>,

    /// Accept the findings whose fingerprints this baseline file lists: they are shown as
    /// suppressed and do not fail. Only new findings count.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Write the fingerprints of every finding of this run to FILE as a baseline, then judge
    /// the run against it (adopting the gate on an old repository).
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,

    /// Output format [default: human]; repeat it to write several. Each --output after a
    /// --format sends that format to the file; a format without --output goes to stdout. When
    /// every format goes to a file, stdout still gets the one-line verdict.
    #[arg(long, value_name = "FORMAT")]
    pub format: Vec<Format>,

    /// Write the preceding --format to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Vec<PathBuf>,

    /// List every suppressed finding in the human report; by default they are counted per
    /// entry that suppressed them.
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

/// `--fail-on` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Only critical findings fail.
    Critical,
    /// High and critical (the default).
    High,
    /// Medium and above.
    Medium,
    /// Low and above.
    Low,
    /// Every deny-level finding, whatever its severity.
    Any,
}

/// `--deny` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    /// Warnings fail the gate.
    Warnings,
}
