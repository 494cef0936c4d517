//! What the typed command line resolves to, and the run of each command: checks, then policy,
//! then reports. Errors come back to `main`, which prints them and exits 2.

use crate::advisories::{self, db};
use crate::args::{
    AdvisoriesArgs, Cli, Command, CommonArgs, ConfigCommand, DbCommand, Deny, FailOn, FipsArgs,
    GateArgs, RulesCommand, SecretsArgs,
};
use crate::finding::Severity;
use crate::policy::config::{self, Config, Threshold};
use crate::policy::{Policy, Verdict};
use crate::report::{Format, Run};
use crate::secrets::engine;
use anyhow::{Context, Result, bail};
use clap::{CommandFactory, FromArgMatches};
use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

/// How a run ended, as `main` maps it to an exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing over the threshold: exit 0.
    Clean,
    /// Findings over the threshold: exit 1.
    Findings,
}

/// Where one report goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Destination {
    /// The format.
    pub format: Format,
    /// The file, or `None` for stdout.
    pub file: Option<PathBuf>,
}

/// Parses the arguments (without cargo's `palisade` word) and runs the command.
pub fn run(args: Vec<OsString>) -> Result<Outcome> {
    let matches = match Cli::command().try_get_matches_from(args) {
        Ok(m) => m,
        // --help and --version print and exit 0; usage errors exit 2.
        Err(e) => e.exit(),
    };
    let cli = Cli::from_arg_matches(&matches).map_err(|e| anyhow::anyhow!("{e}"))?;
    match cli.command {
        Command::Advisories(a) => run_advisories(&a, &destinations_of(&matches)?),
        Command::Rules(cmd) => run_rules(&cmd),
        Command::Config(ConfigCommand::Check { config }) => {
            let found = find_config(config.as_deref(), Path::new("."))?;
            match &found.path {
                Some(path) => println!(
                    "{}: valid ({} advisory ignores, {} secret allow entries, {} custom rules, [fips] {})",
                    path.display(),
                    found.advisories.ignore.len(),
                    found.secrets.allow.len(),
                    found.secrets.rules.len(),
                    if found.fips.enabled { "set" } else { "not set" }
                ),
                None => println!("no palisade.toml found here or above: the defaults apply"),
            }
            Ok(Outcome::Clean)
        }
        Command::Init { output, force } => {
            if output.exists() && !force {
                bail!("{} exists; pass --force to overwrite it", output.display());
            }
            let text = crate::init::starter(Path::new("."));
            // Never write a file we would refuse to read.
            crate::policy::config::Config::parse(&text, &output)?;
            std::fs::write(&output, &text)
                .with_context(|| format!("cannot write {}", output.display()))?;
            eprintln!(
                "wrote {}; check it with `cargo palisade config check`",
                output.display()
            );
            Ok(Outcome::Clean)
        }
        Command::Gate(a) => {
            let sub = subcommand_matches(&matches)?;
            run_gate(&a, &destinations(sub)?, cli_imports(sub)?)
        }
        Command::Fips(a) => run_fips(&a, &destinations_of(&matches)?),
        Command::Secrets(a) => run_secrets(&a, &destinations_of(&matches)?),
        Command::UploadSarif(a) => run_upload(&a),
        Command::Db(DbCommand::Fetch { advisory_db }) => {
            let path = db::resolve_path(advisory_db.as_deref(), None)?;
            eprintln!(
                "Fetching the RustSec advisory database into {}…",
                path.display()
            );
            db::fetch(&path)?;
            let loaded = db::load(&path)?;
            eprintln!(
                "{} advisories at {}{}",
                loaded.db.iter().count(),
                path.display(),
                loaded
                    .commit
                    .map(|c| format!(" (commit {c})"))
                    .unwrap_or_default()
            );
            Ok(Outcome::Clean)
        }
    }
}

/// The matches of the subcommand that was typed.
fn subcommand_matches(matches: &clap::ArgMatches) -> Result<&clap::ArgMatches> {
    let (_, sub) = matches
        .subcommand()
        .context("internal: no subcommand matches")?;
    Ok(sub)
}

/// The report destinations of the subcommand that was typed.
fn destinations_of(matches: &clap::ArgMatches) -> Result<Vec<Destination>> {
    destinations(subcommand_matches(matches)?)
}

/// How pairing a flag with the one typed before it failed.
enum Unpaired<S> {
    /// This value has no leading flag before it.
    Orphan(S),
    /// Two values for one leading flag.
    Twice(S, S),
}

/// Pairs each value of the flag `second` with the value of the flag `first` typed before it
/// (`--format sarif --output f.sarif`, `--import-sarif g.sarif --tool gosec`).
fn pair_flags<F, S>(
    matches: &clap::ArgMatches,
    first: &str,
    second: &str,
) -> std::result::Result<Vec<(F, Option<S>)>, Unpaired<S>>
where
    F: Clone + Send + Sync + 'static,
    S: Clone + Send + Sync + 'static,
{
    let firsts: Vec<(usize, F)> = match (matches.indices_of(first), matches.get_many::<F>(first)) {
        (Some(i), Some(v)) => i.zip(v.cloned()).collect(),
        _ => Vec::new(),
    };
    let seconds: Vec<(usize, S)> = match (matches.indices_of(second), matches.get_many::<S>(second))
    {
        (Some(i), Some(v)) => i.zip(v.cloned()).collect(),
        _ => Vec::new(),
    };
    let mut pairs: Vec<(F, Option<S>)> = firsts.iter().map(|(_, f)| (f.clone(), None)).collect();
    for (index, value) in seconds {
        let Some(slot) = firsts.iter().rposition(|(i, _)| *i < index) else {
            return Err(Unpaired::Orphan(value));
        };
        if let Some(previous) = pairs[slot].1.take() {
            return Err(Unpaired::Twice(previous, value));
        }
        pairs[slot].1 = Some(value);
    }
    Ok(pairs)
}

/// Pairs every `--output` with the `--format` typed before it.
pub fn destinations(matches: &clap::ArgMatches) -> Result<Vec<Destination>> {
    let pairs = match pair_flags::<Format, PathBuf>(matches, "format", "output") {
        Ok(pairs) => pairs,
        Err(Unpaired::Orphan(file)) => bail!(
            "--output {} needs a --format before it (e.g. --format sarif --output {})",
            file.display(),
            file.display()
        ),
        Err(Unpaired::Twice(a, b)) => bail!(
            "two --output files ({} and {}) for one --format; repeat --format for each",
            a.display(),
            b.display()
        ),
    };
    if pairs.is_empty() {
        return Ok(vec![Destination {
            format: Format::Human,
            file: None,
        }]);
    }
    if pairs.iter().filter(|(_, file)| file.is_none()).count() > 1 {
        bail!("only one --format can go to stdout; give the others an --output FILE");
    }
    Ok(pairs
        .into_iter()
        .map(|(format, file)| Destination { format, file })
        .collect())
}

/// Pairs every `--tool` with the `--import-sarif` typed before it.
fn cli_imports(matches: &clap::ArgMatches) -> Result<Vec<crate::imports::Source>> {
    match pair_flags::<PathBuf, String>(matches, "import_sarif", "tool") {
        Ok(pairs) => Ok(pairs
            .into_iter()
            .map(|(path, tool)| crate::imports::Source {
                tool: tool.map(|t| crate::imports::cfg::tool_name(&t)),
                path,
            })
            .collect()),
        Err(Unpaired::Orphan(tool)) => {
            bail!("--tool {tool} needs an --import-sarif FILE before it")
        }
        Err(Unpaired::Twice(a, b)) => {
            bail!("two --tool names ({a} and {b}) for one --import-sarif; give each file one")
        }
    }
}

/// Finds the config: `--config`, else `palisade.toml` in `start` or the nearest parent,
/// stopping at a git repository's root.
fn find_config(explicit: Option<&Path>, start: &Path) -> Result<Config> {
    if let Some(path) = explicit {
        return Ok(Config::load(path)?);
    }
    let start = if start.as_os_str().is_empty() {
        Path::new(".")
    } else {
        start
    };
    let absolute = std::fs::canonicalize(start).unwrap_or_else(|_| start.to_path_buf());
    for dir in absolute.ancestors() {
        let candidate = dir.join(config::FILE_NAME);
        if candidate.is_file() {
            // Named as the user sees it, so suppressions cite `palisade.toml:18`.
            return Ok(Config::load(&crate::finding::relative_to_cwd(&candidate))?);
        }
        if dir.join(".git").exists() {
            break;
        }
    }
    Ok(Config::default())
}

fn policy_for(config: &Config, common: &CommonArgs) -> Policy {
    let mut policy = config.policy.clone();
    if let Some(fail_on) = common.fail_on {
        policy.fail_on = match fail_on {
            FailOn::Critical => Threshold::AtLeast(Severity::Critical),
            FailOn::High => Threshold::AtLeast(Severity::High),
            FailOn::Medium => Threshold::AtLeast(Severity::Medium),
            FailOn::Low => Threshold::AtLeast(Severity::Low),
            FailOn::Any => Threshold::Any,
        };
        // The command line wins over every threshold of the file.
        policy.per_check.clear();
    }
    if common.deny.contains(&Deny::Warnings) {
        policy.deny_warnings = true;
    }
    Policy {
        config: policy,
        suppressions: config.advisories.ignore.clone(),
        today: today(),
        baseline: None,
    }
}

/// Applies `--baseline` / `--write-baseline`, then decides.
fn decide(
    policy: &mut Policy,
    common: &CommonArgs,
    findings: Vec<crate::finding::Finding>,
) -> Result<Verdict> {
    if let Some(path) = &common.baseline {
        policy.baseline = Some(crate::policy::baseline::Baseline::load(path)?);
    }
    if let Some(path) = &common.write_baseline {
        let fingerprints = findings
            .iter()
            .filter(|f| crate::codes::level_of(f.rule) == crate::codes::Level::Deny)
            .map(|f| f.fingerprint.clone())
            .collect();
        let written = crate::policy::baseline::Baseline::write(path, fingerprints)?;
        eprintln!(
            "wrote {} fingerprints to baseline {}",
            written.fingerprints.len(),
            path.display()
        );
        policy.baseline = Some(written);
    }
    Ok(policy.decide(findings))
}

/// Today's date in UTC; `PALISADE_TODAY=YYYY-MM-DD` pins it (for reproducible reports).
pub fn today() -> jiff::civil::Date {
    if let Ok(pinned) = std::env::var("PALISADE_TODAY")
        && let Ok(date) = pinned.parse()
    {
        return date;
    }
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

fn run_advisories(a: &AdvisoriesArgs, destinations: &[Destination]) -> Result<Outcome> {
    let start = a
        .manifest_path
        .as_deref()
        .or(a.lockfile.as_deref())
        .and_then(Path::parent)
        .unwrap_or(Path::new("."));
    let config = find_config(a.common.config.as_deref(), start)?;
    let db_path = db::resolve_path(a.advisory_db.as_deref(), config.advisories.db.as_deref())?;
    let target = advisories::Target {
        manifest_path: a.manifest_path.clone(),
        lockfile: a.lockfile.clone(),
        generate_lockfile: a.generate_lockfile,
        offline: a.offline,
    };
    let mut policy = policy_for(&config, &a.common);
    let outcome = advisories::run(&target, &db_path, &config.advisories, policy.today)?;
    let verdict = decide(&mut policy, &a.common, outcome.findings)?;
    let run = Run {
        advisories: Some(&outcome.summary),
        ..command_run("advisories", &verdict, &policy.config)
    };
    write_reports(&run, destinations)?;
    Ok(outcome_of(&verdict))
}

fn run_secrets(a: &SecretsArgs, destinations: &[Destination]) -> Result<Outcome> {
    if a.show_secrets && std::env::var_os("CI").is_some() && !a.allow_show_secrets_in_ci {
        bail!(
            "--show-secrets is refused when CI is set (CI logs are kept and shared); add --allow-show-secrets-in-ci if you mean it"
        );
    }
    let config = find_config(a.common.config.as_deref(), &a.path)?;
    let mut policy = policy_for(&config, &a.common);
    policy.suppressions = config.secrets.allow.clone();
    let rules = crate::secrets::rule_set(&config.secrets.rules)?;
    let target = crate::secrets::Target {
        path: a.path.clone(),
        limits: crate::secrets::history::Limits {
            max_blob_size: a
                .max_blob_size
                .or(config.secrets.max_blob_size)
                .unwrap_or(crate::secrets::DEFAULT_MAX_BLOB_SIZE),
            scan_binary: a.scan_binary,
        },
        allow_patterns: config.secrets.patterns.clone(),
        show_secrets: a.show_secrets,
        scope: if a.worktree {
            crate::secrets::Scope::Worktree
        } else if a.staged {
            crate::secrets::Scope::Staged
        } else {
            crate::secrets::Scope::History
        },
        range: match (&a.since, &a.range) {
            (Some(base), _) => Some(crate::secrets::Range {
                base: base.clone(),
                head: None,
            }),
            (None, Some(spec)) => {
                let Some((base, head)) = spec
                    .split_once("..")
                    .filter(|(b, h)| !b.is_empty() && !h.is_empty() && !h.starts_with('.'))
                else {
                    bail!("--range takes A..B (two revisions), not `{spec}`");
                };
                Some(crate::secrets::Range {
                    base: base.to_string(),
                    head: Some(head.to_string()),
                })
            }
            (None, None) => None,
        },
    };
    let outcome = if std::io::stderr().is_terminal() && std::env::var_os("CI").is_none() {
        crate::secrets::run(&target, &rules, &TerminalProgress::default())?
    } else {
        crate::secrets::run(&target, &rules, &crate::secrets::Silent)?
    };
    let verdict = decide(&mut policy, &a.common, outcome.findings)?;
    let run = Run {
        secrets: Some(&outcome.summary),
        ..command_run("secrets", &verdict, &policy.config)
    };
    write_reports(&run, destinations)?;
    Ok(outcome_of(&verdict))
}

fn run_fips(a: &FipsArgs, destinations: &[Destination]) -> Result<Outcome> {
    let start = a
        .binaries
        .first()
        .or(a.manifest_path.as_ref())
        .and_then(|b| b.parent())
        .unwrap_or(Path::new("."));
    let config = find_config(a.common.config.as_deref(), start)?;
    let cfg = &config.fips;
    let stamp = a
        .status_stamp
        .clone()
        .or_else(|| cfg.status_stamp.clone())
        .unwrap_or_else(|| crate::fips::DEFAULT_STAMP.to_string());
    let binaries: Vec<(PathBuf, Option<crate::fips::Expect>)> = if a.binaries.is_empty() {
        cfg.binaries
            .iter()
            .map(|(p, e)| (p.clone(), Some(a.expect.unwrap_or(*e))))
            .collect()
    } else {
        a.binaries.iter().map(|p| (p.clone(), a.expect)).collect()
    };
    let mut outcome = crate::fips::run(&binaries, &stamp)?;
    let status_field = a
        .status_field
        .clone()
        .or_else(|| cfg.status_field.clone())
        .unwrap_or_else(|| "fips".into());
    let fips_features = if a.fips_features.is_empty() {
        cfg.fips_features
            .clone()
            .unwrap_or_else(|| vec!["fips".into()])
    } else {
        a.fips_features.clone()
    };
    let build_target = a
        .build_target
        .clone()
        .or_else(|| cfg.build_target.clone())
        .unwrap_or_else(|| "build".into());
    let fips_target = a
        .fips_target
        .clone()
        .or_else(|| cfg.fips_target.clone())
        .unwrap_or_else(|| "fips-build".into());
    let manifest = a.manifest_path.clone().or_else(|| {
        let here = PathBuf::from("Cargo.toml");
        (binaries.is_empty() && a.makefile.is_none() && a.status_url.is_none() && here.is_file())
            .then_some(here)
    });
    let makefile = a.makefile.clone().or_else(|| {
        let dir = match &manifest {
            Some(m) => m.parent().map(Path::to_path_buf).unwrap_or_default(),
            None if binaries.is_empty() && a.status_url.is_none() => PathBuf::from("."),
            None => return None,
        };
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        crate::fips::wiring::find(&dir)
    });
    if let (Some(url), Some(expect)) = (&a.status_url, a.expect) {
        outcome
            .findings
            .extend(crate::fips::check_status(url, &status_field, expect)?);
    }
    if manifest.is_none() && makefile.is_none() && binaries.is_empty() && a.status_url.is_none() {
        bail!(
            "nothing to check: pass --binary PATH, --manifest-path or --makefile (or run in a cargo project)"
        );
    }
    if let Some(manifest) = manifest {
        outcome
            .findings
            .extend(crate::fips::check_project(&crate::fips::Project {
                manifest,
                fips_features,
                offline: a.offline,
                extra_markers: cfg.markers.clone(),
            })?);
    }
    if let Some(makefile) = makefile {
        outcome.findings.extend(crate::fips::check_wiring(
            &makefile,
            &build_target,
            &fips_target,
        )?);
    }
    if a.explain {
        let stdout = io::stdout();
        let mut out = anstream::AutoStream::auto(stdout.lock());
        for report in &outcome.reports {
            let written = crate::report::explain_binary(&mut out, report);
            match written {
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => break,
                other => other?,
            }
        }
        return Ok(Outcome::Clean);
    }
    let mut policy = policy_for(&config, &a.common);
    policy.suppressions = Vec::new();
    let verdict = decide(&mut policy, &a.common, outcome.findings)?;
    let run = Run {
        fips: Some(&outcome.reports),
        ..command_run("fips", &verdict, &policy.config)
    };
    write_reports(&run, destinations)?;
    Ok(outcome_of(&verdict))
}

fn run_gate(
    a: &GateArgs,
    destinations: &[Destination],
    cli_imports: Vec<crate::imports::Source>,
) -> Result<Outcome> {
    use crate::report::CheckRun;
    use std::time::Instant;
    let manifest = a
        .manifest_path
        .clone()
        .unwrap_or_else(|| PathBuf::from("Cargo.toml"));
    let root = manifest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let config = find_config(a.common.config.as_deref(), &root)?;
    let run_advisories = manifest.is_file();
    // A `.git` that does not open is a damaged repository, not the absence of one: the
    // secrets check runs and fails, rather than being skipped.
    let run_secrets = root.join(".git").symlink_metadata().is_ok()
        || crate::secrets::history::open(&root).is_ok();
    let import_sources: Vec<crate::imports::Source> = config
        .imports
        .entries
        .iter()
        .map(|e| e.source.clone())
        .chain(cli_imports)
        .collect();
    if !run_advisories && !run_secrets && !config.fips.enabled && import_sources.is_empty() {
        bail!(
            "nothing to check in {}: no Cargo.toml, no git repository, no [fips] or [[import]] in palisade.toml",
            root.display()
        );
    }
    let mut policy = policy_for(&config, &a.common);
    policy.suppressions = config.advisories.ignore.clone();
    policy
        .suppressions
        .extend(config.secrets.allow.iter().cloned());
    policy
        .suppressions
        .extend(config.imports.ignore.iter().cloned());
    let today = policy.today;
    // The checks read different inputs: run them side by side.
    let (imported, advisories, secrets, fips) = std::thread::scope(|scope| {
        // FIPS reads binaries and resolves feature graphs: its own inputs, its own thread.
        let fips = scope.spawn(|| -> Result<Option<(crate::fips::Outcome, u128)>> {
            if !config.fips.enabled {
                return Ok(None);
            }
            let started = Instant::now();
            let cfg = &config.fips;
            let stamp = cfg
                .status_stamp
                .clone()
                .unwrap_or_else(|| crate::fips::DEFAULT_STAMP.to_string());
            let binaries: Vec<_> = cfg
                .binaries
                .iter()
                .map(|(p, e)| (p.clone(), Some(*e)))
                .collect();
            let mut outcome = crate::fips::run(&binaries, &stamp)?;
            if run_advisories {
                outcome
                    .findings
                    .extend(crate::fips::check_project(&crate::fips::Project {
                        manifest: manifest.clone(),
                        fips_features: cfg
                            .fips_features
                            .clone()
                            .unwrap_or_else(|| vec!["fips".into()]),
                        offline: a.offline,
                        extra_markers: cfg.markers.clone(),
                    })?);
            }
            if let Some(makefile) = crate::fips::wiring::find(&root) {
                outcome.findings.extend(crate::fips::check_wiring(
                    &makefile,
                    cfg.build_target.as_deref().unwrap_or("build"),
                    cfg.fips_target.as_deref().unwrap_or("fips-build"),
                )?);
            }
            Ok(Some((outcome, started.elapsed().as_millis())))
        });
        let advisories = scope.spawn(|| -> Result<Option<(advisories::Outcome, u128)>> {
            if !run_advisories {
                return Ok(None);
            }
            let started = Instant::now();
            let db_path =
                db::resolve_path(a.advisory_db.as_deref(), config.advisories.db.as_deref())?;
            let target = advisories::Target {
                manifest_path: Some(manifest.clone()),
                lockfile: None,
                generate_lockfile: false,
                offline: a.offline,
            };
            let outcome = advisories::run(&target, &db_path, &config.advisories, today)?;
            Ok(Some((outcome, started.elapsed().as_millis())))
        });
        let secrets = scope.spawn(|| -> Result<Option<(crate::secrets::Outcome, u128)>> {
            if !run_secrets {
                return Ok(None);
            }
            let started = Instant::now();
            let rules = crate::secrets::rule_set(&config.secrets.rules)?;
            let target = crate::secrets::Target {
                path: root.clone(),
                limits: crate::secrets::history::Limits {
                    max_blob_size: config
                        .secrets
                        .max_blob_size
                        .unwrap_or(crate::secrets::DEFAULT_MAX_BLOB_SIZE),
                    scan_binary: false,
                },
                allow_patterns: config.secrets.patterns.clone(),
                show_secrets: false,
                scope: crate::secrets::Scope::History,
                range: a.since.as_ref().map(|base| crate::secrets::Range {
                    base: base.clone(),
                    head: None,
                }),
            };
            let outcome = crate::secrets::run(&target, &rules, &crate::secrets::Silent)?;
            Ok(Some((outcome, started.elapsed().as_millis())))
        });
        // Imported SARIF is small: read on this thread while the checks above run.
        let started = Instant::now();
        let imported = read_imports(&import_sources);
        let import_millis = started.elapsed().as_millis();
        (
            imported.map(|i| (i, import_millis)),
            advisories
                .join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("the advisories check panicked"))),
            secrets
                .join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("the secrets check panicked"))),
            fips.join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("the fips check panicked"))),
        )
    });
    let (advisories, secrets, fips) = (advisories?, secrets?, fips?);
    let (imported, import_millis) = imported?;

    let mut findings = Vec::new();
    let mut checks = Vec::new();
    if let Some((outcome, millis)) = &advisories {
        findings.extend(outcome.findings.iter().cloned());
        checks.push(CheckRun {
            name: "advisories".into(),
            millis: *millis,
        });
    }
    if let Some((outcome, millis)) = &secrets {
        findings.extend(outcome.findings.iter().cloned());
        checks.push(CheckRun {
            name: "secrets".into(),
            millis: *millis,
        });
    }
    let mut fips_reports = None;
    if let Some((outcome, millis)) = fips {
        findings.extend(outcome.findings);
        fips_reports = Some(outcome.reports);
        checks.push(CheckRun {
            name: "fips".into(),
            millis,
        });
    }
    let mut imports = Vec::new();
    for i in imported {
        checks.push(CheckRun {
            name: i.check(),
            millis: import_millis,
        });
        imports.push(crate::report::ImportedTool {
            check: i.check(),
            driver: i.driver,
            version: i.version,
            information_uri: i.information_uri,
            file: i.file,
        });
        findings.extend(i.findings);
    }
    let verdict = decide(&mut policy, &a.common, findings)?;
    let run = Run {
        command: "gate",
        verdict: &verdict,
        threshold: threshold_name(&policy.config),
        deny_warnings: policy.config.deny_warnings,
        advisories: advisories.as_ref().map(|(o, _)| &o.summary),
        secrets: secrets.as_ref().map(|(o, _)| &o.summary),
        fips: fips_reports.as_deref(),
        checks,
        imports,
    };
    write_reports(&run, destinations)?;
    Ok(outcome_of(&verdict))
}

fn run_upload(a: &crate::args::UploadArgs) -> Result<Outcome> {
    let token = std::env::var("GITHUB_TOKEN").unwrap_or_default();
    if token.trim().is_empty() {
        bail!(
            "GITHUB_TOKEN is not set: export a token with `security-events: write` (in a workflow: `env: GITHUB_TOKEN: ${{{{ secrets.GITHUB_TOKEN }}}}`)"
        );
    }
    let Some(repository) = a.repo.clone().filter(|r| !r.is_empty()) else {
        bail!("no repository: pass --repo OWNER/NAME (GitHub Actions sets GITHUB_REPOSITORY)");
    };
    // Outside Actions, the commit and ref of the repository here.
    let local = || gix::discover(".").ok();
    let commit = match a.commit.clone().filter(|c| !c.is_empty()) {
        Some(c) => c,
        None => local()
            .and_then(|repo| repo.head_id().ok().map(|id| id.to_string()))
            .context("no commit: pass --commit SHA (GitHub Actions sets GITHUB_SHA)")?,
    };
    let git_ref = match a.git_ref.clone().filter(|r| !r.is_empty()) {
        Some(r) => r,
        None => local()
            .and_then(|repo| repo.head_name().ok().flatten().map(|n| n.to_string()))
            .context("no ref: pass --ref refs/heads/BRANCH (GitHub Actions sets GITHUB_REF)")?,
    };
    let upload = crate::upload::Upload {
        file: a.file.clone(),
        repository,
        commit,
        git_ref,
        api_url: a.api_url.clone(),
        token,
        wait: std::time::Duration::from_secs(a.wait),
        poll_interval: std::time::Duration::from_millis(a.poll_interval_ms),
    };
    let done = crate::upload::upload(&upload, &|line| eprintln!("{line}"))?;
    match &done.analyses_url {
        Some(url) => eprintln!("upload {}: {} ({url})", done.id, done.status),
        None => eprintln!("upload {}: {}", done.id, done.status),
    }
    Ok(Outcome::Clean)
}

/// Reads every imported SARIF file; two imports of one tool name are told apart as
/// `gosec`, `gosec-2`.
fn read_imports(sources: &[crate::imports::Source]) -> Result<Vec<crate::imports::Imported>> {
    let mut imported: Vec<crate::imports::Imported> = Vec::new();
    for source in sources {
        for mut run in crate::imports::read(source)? {
            let base = run.tool.clone();
            let mut n = 1;
            while imported.iter().any(|i| i.tool == run.tool) {
                n += 1;
                run.tool = format!("{base}-{n}");
            }
            if run.tool != base {
                for f in &mut run.findings {
                    f.evidence
                        .insert("tool".into(), serde_json::json!(run.tool));
                }
            }
            imported.push(run);
        }
    }
    Ok(imported)
}

/// The report of a single-check command, before its check's summary is added.
fn command_run<'a>(
    command: &'a str,
    verdict: &'a Verdict,
    config: &config::PolicyConfig,
) -> Run<'a> {
    Run {
        command,
        verdict,
        threshold: threshold_name(config),
        deny_warnings: config.deny_warnings,
        advisories: None,
        secrets: None,
        fips: None,
        checks: Vec::new(),
        imports: Vec::new(),
    }
}

/// `high`, or `high; secrets: any` when checks have thresholds of their own.
fn threshold_name(config: &config::PolicyConfig) -> String {
    let name = |t: Threshold| match t {
        Threshold::Any => "any".to_string(),
        Threshold::AtLeast(s) => s.to_string(),
    };
    let mut text = name(config.fail_on);
    for (i, (check, t)) in config.per_check.iter().enumerate() {
        text.push_str(if i == 0 { "; " } else { ", " });
        text.push_str(&format!("{check}: {}", name(*t)));
    }
    text
}

fn outcome_of(verdict: &Verdict) -> Outcome {
    if verdict.failing() > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}

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
    file.write_all(text.as_bytes()).with_context(|| {
        format!(
            "cannot write ${variable} ({})",
            PathBuf::from(&path).display()
        )
    })
}

/// Writes every report. Files are written whole or not at all; a closed stdout (a pipe into
/// `head`) is not an error. Under GitHub Actions, a job summary is appended to
/// `$GITHUB_STEP_SUMMARY` and the counts to `$GITHUB_OUTPUT`.
fn write_reports(run: &Run<'_>, destinations: &[Destination]) -> Result<()> {
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
    for dest in destinations {
        let reporter = dest.format.reporter();
        match &dest.file {
            Some(path) => {
                let mut buffer = Vec::new();
                reporter.write(run, &mut buffer)?;
                std::fs::write(path, buffer)
                    .with_context(|| format!("cannot write report to {}", path.display()))?;
            }
            None => {
                let stdout = io::stdout();
                let mut out = anstream::AutoStream::auto(stdout.lock());
                let result = reporter.write(run, &mut out).and_then(|()| out.flush());
                match result {
                    Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
                    other => other.context("cannot write to stdout")?,
                }
            }
        }
    }
    Ok(())
}

fn run_rules(cmd: &RulesCommand) -> Result<Outcome> {
    // Custom rules of the palisade.toml found from here are listed and checked too.
    let config = find_config(None, Path::new("."))?;
    let set = crate::secrets::rule_set(&config.secrets.rules)?;
    let stdout = io::stdout();
    let mut out = anstream::AutoStream::auto(stdout.lock());
    let result = match cmd {
        RulesCommand::List => {
            for c in &set.rules {
                writeln!(
                    out,
                    "{:<40} {:<9} {}",
                    c.rule.id,
                    Severity::from(c.rule.severity).as_str(),
                    c.rule.name
                )?;
            }
            writeln!(out, "{} rules", set.rules.len())?;
            Outcome::Clean
        }
        RulesCommand::Check => {
            let failures = engine::check_examples(&set);
            for f in &failures {
                writeln!(out, "FAIL {}: {}", f.rule, f.problem)?;
            }
            let examples: usize = set
                .rules
                .iter()
                .map(|c| c.rule.examples.len() + c.rule.negative_examples.len())
                .sum();
            writeln!(
                out,
                "{} rules, {examples} examples, {} failed",
                set.rules.len(),
                failures.len()
            )?;
            if failures.is_empty() {
                Outcome::Clean
            } else {
                Outcome::Findings
            }
        }
        RulesCommand::Explain { id } => {
            let full = if id.starts_with("secret.") {
                id.clone()
            } else {
                format!("secret.{id}")
            };
            let Some(c) = set.get(&full) else {
                bail!("no rule `{id}`; `cargo palisade rules list` shows them all");
            };
            let r = &c.rule;
            writeln!(out, "{} ({})", r.name, r.id)?;
            writeln!(out, "severity: {}", Severity::from(r.severity).as_str())?;
            writeln!(
                out,
                "\nWhat it finds\n  {}\n\nWhy it matters\n  {}\n\nHow to fix a leak\n  {}",
                r.finds, r.why, r.fix
            )?;
            writeln!(out, "\nkeywords: {}", r.keywords.join(", "))?;
            writeln!(out, "pattern:  {}", r.pattern)?;
            if let Some(e) = r.min_entropy {
                writeln!(out, "minimum entropy: {e} bits/byte")?;
            }
            if let Some(v) = r.validator {
                writeln!(out, "validator: {v:?}")?;
            }
            for reference in &r.references {
                writeln!(out, "see: {reference}")?;
            }
            writeln!(
                out,
                "{} examples, {} negative examples (`rules check` runs them)",
                r.examples.len(),
                r.negative_examples.len()
            )?;
            Outcome::Clean
        }
    };
    Ok(result)
}

/// Object/byte progress on a terminal's stderr (the secrets scan); never on a pipe or in CI.
#[derive(Default)]
struct TerminalProgress {
    bar: std::sync::OnceLock<indicatif::ProgressBar>,
    bytes: std::sync::atomic::AtomicU64,
}

impl crate::secrets::Progress for TerminalProgress {
    fn start(&self, objects: u64) {
        let bar = indicatif::ProgressBar::new(objects);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} {pos}/{len} objects, {msg} of blobs [{elapsed}]",
        ) {
            bar.set_style(style);
        }
        let _ = self.bar.set(bar);
    }

    fn advance(&self, objects: u64, bytes: u64) {
        if let Some(bar) = self.bar.get() {
            let total = self
                .bytes
                .fetch_add(bytes, std::sync::atomic::Ordering::Relaxed)
                + bytes;
            bar.set_message(indicatif::HumanBytes(total).to_string());
            bar.inc(objects);
        }
    }

    fn finish(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}
