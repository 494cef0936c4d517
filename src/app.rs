//! What the typed command line resolves to, and the run of each command: checks, then policy,
//! then reports. Errors come back to `main`, which prints them and exits 2.

use crate::args::{
    AdvisoriesArgs, Cli, Command, CommonArgs, ConfigCommand, DbCommand, Deny, FailOn, FipsArgs,
    GateArgs, RulesCommand, SecretsArgs,
};
use crate::checks::advisories::{self, db};
use crate::checks::secrets::engine;
use crate::config::Threshold;
use crate::config::root::{self as config, Config};
use crate::finding::Severity;
use crate::policy::cfg::PolicyConfig;
use crate::policy::{Policy, Verdict};
use crate::report::{Format, Run};
use crate::{note, output};
use anyhow::{Context, Result, bail};
use clap::{CommandFactory, FromArgMatches};
use std::ffi::OsString;
use std::io::Write;
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
            let line = match &found.path {
                Some(path) => format!(
                    "{}: valid ({} advisory ignores, {} secret allow entries, {} custom rules, [fips] {})\n",
                    path.display(),
                    found.advisories.ignore.len(),
                    found.secrets.allow.len(),
                    found.secrets.rules.len(),
                    if found.fips.enabled { "set" } else { "not set" }
                ),
                None => "no palisade.toml found here or above: the defaults apply\n".to_string(),
            };
            output::stdout(&line, output::Kind::Text).context("cannot write to stdout")?;
            Ok(Outcome::Clean)
        }
        Command::Init { output, force } => {
            if output.exists() && !force {
                bail!("{} exists; pass --force to overwrite it", output.display());
            }
            // The starter names paths found in the history (its allow proposals): it leaves
            // through the redactor like every other output, and is checked as written.
            let starter = crate::init::starter(Path::new("."));
            let text = crate::output::clean(&starter, crate::output::Kind::Data);
            // Never write a file we would refuse to read.
            crate::config::root::Config::parse(&text, &output)?;
            std::fs::write(&output, text.as_bytes())
                .with_context(|| format!("cannot write {}", output.display()))?;
            note!(
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
            note!(
                "Fetching the RustSec advisory database into {}…",
                path.display()
            );
            db::fetch(&path)?;
            let loaded = db::load(&path)?;
            note!(
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
fn cli_imports(matches: &clap::ArgMatches) -> Result<Vec<crate::checks::imports::Source>> {
    match pair_flags::<PathBuf, String>(matches, "import_sarif", "tool") {
        Ok(pairs) => Ok(pairs
            .into_iter()
            .map(|(path, tool)| crate::checks::imports::Source {
                tool: tool.map(|t| crate::checks::imports::cfg::tool_name(&t)),
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

/// Finds the config (see [`locate_config`]); its custom secret rules join the redactor's, so
/// that every output masks what they detect too.
fn find_config(explicit: Option<&Path>, start: &Path) -> Result<Config> {
    let config = locate_config(explicit, start)?;
    if !config.secrets.rules.is_empty() {
        crate::redact::add_custom_rules(&config.secrets.rules);
    }
    Ok(config)
}

/// Finds the config: `--config`, else `palisade.toml` in `start` or the nearest parent,
/// stopping at a git repository's root.
fn locate_config(explicit: Option<&Path>, start: &Path) -> Result<Config> {
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
        note!(
            "wrote {} fingerprints to baseline {}",
            written.fingerprints.len(),
            path.display()
        );
        policy.baseline = Some(written);
    }
    let mut verdict = policy.decide(findings);
    // Decided: from here on every string is only shown, so make it safe to show, once.
    crate::redact::verdict_in_place(&mut verdict);
    Ok(verdict)
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
        verbose: a.common.verbose,
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
    if a.show_secrets {
        // Asked for in so many words (and refused under CI above): the sinks let secrets by.
        crate::redact::show_secrets();
    }
    if let Some(size) = a.max_blob_size
        && size < crate::checks::secrets::cfg::MIN_BLOB_SIZE
    {
        bail!(
            "--max-blob-size {size} would skip nearly every blob; the smallest accepted is {} bytes",
            crate::checks::secrets::cfg::MIN_BLOB_SIZE
        );
    }
    let config = find_config(a.common.config.as_deref(), &a.path)?;
    let mut policy = policy_for(&config, &a.common);
    policy.suppressions = config.secrets.allow.clone();
    let rules = std::sync::Arc::new(crate::checks::secrets::rule_set(&config.secrets.rules)?);
    // The sinks mask with the set the scan compiled, not a second copy.
    crate::redact::use_rules(rules.clone());
    // History and staged scans read the repository that holds PATH, found upward as git does.
    let path = if a.worktree {
        a.path.clone()
    } else {
        crate::checks::secrets::find_repository(&a.path).unwrap_or_else(|| a.path.clone())
    };
    let target = crate::checks::secrets::Target {
        path,
        limits: crate::checks::secrets::Limits {
            max_blob_size: a
                .max_blob_size
                .or(config.secrets.max_blob_size)
                .unwrap_or(crate::checks::secrets::DEFAULT_MAX_BLOB_SIZE),
            scan_binary: a.scan_binary,
        },
        allow_patterns: config.secrets.patterns.clone(),
        show_secrets: a.show_secrets,
        scope: if a.worktree {
            crate::checks::secrets::Scope::Worktree
        } else if a.staged {
            crate::checks::secrets::Scope::Staged
        } else {
            crate::checks::secrets::Scope::History
        },
        range: match (&a.since, &a.range) {
            (Some(base), _) => Some(crate::checks::secrets::Range {
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
                Some(crate::checks::secrets::Range {
                    base: base.to_string(),
                    head: Some(head.to_string()),
                })
            }
            (None, None) => None,
        },
    };
    let outcome = if output::stderr_is_terminal() && std::env::var_os("CI").is_none() {
        crate::checks::secrets::run(&target, &rules, &TerminalProgress::default())?
    } else {
        crate::checks::secrets::run(&target, &rules, &crate::checks::secrets::Silent)?
    };
    let verdict = decide(&mut policy, &a.common, outcome.findings)?;
    let run = Run {
        secrets: Some(&outcome.summary),
        verbose: a.common.verbose,
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
        .unwrap_or_else(|| crate::checks::fips::DEFAULT_STAMP.to_string());
    let binaries: Vec<(PathBuf, Option<crate::checks::fips::Expect>)> = if a.binaries.is_empty() {
        cfg.binaries
            .iter()
            .map(|(p, e)| (p.clone(), Some(a.expect.unwrap_or(*e))))
            .collect()
    } else {
        a.binaries.iter().map(|p| (p.clone(), a.expect)).collect()
    };
    let mut outcome = crate::checks::fips::run(&binaries, &stamp)?;
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
        crate::checks::fips::wiring::find(&dir)
    });
    if let (Some(url), Some(expect)) = (&a.status_url, a.expect) {
        outcome.findings.extend(crate::checks::fips::check_status(
            url,
            &status_field,
            expect,
        )?);
    }
    if manifest.is_none() && makefile.is_none() && binaries.is_empty() && a.status_url.is_none() {
        bail!(
            "nothing to check: pass --binary PATH, --manifest-path or --makefile (or run in a cargo project)"
        );
    }
    if let Some(manifest) = manifest {
        outcome.findings.extend(crate::checks::fips::check_project(
            &crate::checks::fips::Project {
                manifest,
                fips_features,
                offline: a.offline,
                extra_markers: cfg.markers.clone(),
            },
        )?);
    }
    if let Some(makefile) = makefile {
        outcome.findings.extend(crate::checks::fips::check_wiring(
            &makefile,
            &build_target,
            &fips_target,
        )?);
    }
    if a.explain {
        let mut text = Vec::new();
        for report in &outcome.reports {
            crate::report::explain_binary(&mut text, report)?;
        }
        output::stdout(&String::from_utf8_lossy(&text), output::Kind::Text)
            .context("cannot write to stdout")?;
        return Ok(Outcome::Clean);
    }
    let mut policy = policy_for(&config, &a.common);
    policy.suppressions = Vec::new();
    let verdict = decide(&mut policy, &a.common, outcome.findings)?;
    let run = Run {
        fips: Some(&outcome.reports),
        verbose: a.common.verbose,
        ..command_run("fips", &verdict, &policy.config)
    };
    write_reports(&run, destinations)?;
    Ok(outcome_of(&verdict))
}

fn run_gate(
    a: &GateArgs,
    destinations: &[Destination],
    cli_imports: Vec<crate::checks::imports::Source>,
) -> Result<Outcome> {
    use crate::report::CheckRun;
    use std::time::Instant;
    if let Some(manifest) = &a.manifest_path
        && !manifest.is_file()
    {
        bail!("--manifest-path {}: no such file", manifest.display());
    }
    let manifest = a
        .manifest_path
        .clone()
        .unwrap_or_else(|| PathBuf::from("Cargo.toml"));
    let root = manifest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let config = find_config(a.common.config.as_deref(), &root)?;
    let has_manifest = manifest.is_file();
    // A lockfile without a manifest (a vendored or generated Cargo.lock) is still scanned.
    let lockfile_only = (!has_manifest)
        .then(|| root.join("Cargo.lock"))
        .filter(|l| l.is_file());
    let run_advisories = has_manifest || lockfile_only.is_some();
    // The repository that holds the project, found upward as git does: a project in a
    // subfolder is still scanned, and a repository that is there but cannot be opened (a
    // corrupt config, a broken gitdir file) is the secrets check failing (exit 2), never a
    // dropped check. The check opens it, once.
    let repository = crate::checks::secrets::find_repository(&root);
    let run_secrets = repository.is_some();
    let secrets_root = repository.clone().unwrap_or_else(|| root.clone());
    let import_sources: Vec<crate::checks::imports::Source> = config
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
    let fips_makefile = crate::checks::fips::wiring::find(&root);
    if config.fips.enabled
        && config.fips.binaries.is_empty()
        && !has_manifest
        && fips_makefile.is_none()
    {
        bail!(
            "[fips] in {} has nothing to check in {}: list [[fips.binaries]], or run where the Cargo.toml or the Makefile/justfile with the FIPS target is",
            config
                .path
                .as_deref()
                .map_or_else(|| "palisade.toml".into(), |p| p.display().to_string()),
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
        let fips = scope.spawn(|| {
            timed(|| -> Result<Option<crate::checks::fips::Outcome>> {
                if !config.fips.enabled {
                    return Ok(None);
                }
                let cfg = &config.fips;
                let stamp = cfg
                    .status_stamp
                    .clone()
                    .unwrap_or_else(|| crate::checks::fips::DEFAULT_STAMP.to_string());
                let binaries: Vec<_> = cfg
                    .binaries
                    .iter()
                    .map(|(p, e)| (p.clone(), Some(*e)))
                    .collect();
                let mut outcome = crate::checks::fips::run(&binaries, &stamp)?;
                if has_manifest {
                    outcome.findings.extend(crate::checks::fips::check_project(
                        &crate::checks::fips::Project {
                            manifest: manifest.clone(),
                            fips_features: cfg
                                .fips_features
                                .clone()
                                .unwrap_or_else(|| vec!["fips".into()]),
                            offline: a.offline,
                            extra_markers: cfg.markers.clone(),
                        },
                    )?);
                }
                if let Some(makefile) = &fips_makefile {
                    outcome.findings.extend(crate::checks::fips::check_wiring(
                        makefile,
                        cfg.build_target.as_deref().unwrap_or("build"),
                        cfg.fips_target.as_deref().unwrap_or("fips-build"),
                    )?);
                }
                Ok(Some(outcome))
            })
        });
        let advisories = scope.spawn(|| {
            timed(|| -> Result<Option<advisories::Outcome>> {
                if !run_advisories {
                    return Ok(None);
                }
                let db_path =
                    db::resolve_path(a.advisory_db.as_deref(), config.advisories.db.as_deref())?;
                let target = advisories::Target {
                    manifest_path: has_manifest.then(|| manifest.clone()),
                    lockfile: lockfile_only.clone(),
                    generate_lockfile: false,
                    offline: a.offline,
                };
                let outcome = advisories::run(&target, &db_path, &config.advisories, today)?;
                Ok(Some(outcome))
            })
        });
        let secrets = scope.spawn(|| {
            timed(|| -> Result<Option<crate::checks::secrets::Outcome>> {
                if !run_secrets {
                    return Ok(None);
                }
                let rules =
                    std::sync::Arc::new(crate::checks::secrets::rule_set(&config.secrets.rules)?);
                crate::redact::use_rules(rules.clone());
                let target = crate::checks::secrets::Target {
                    path: secrets_root.clone(),
                    limits: crate::checks::secrets::Limits {
                        max_blob_size: config
                            .secrets
                            .max_blob_size
                            .unwrap_or(crate::checks::secrets::DEFAULT_MAX_BLOB_SIZE),
                        scan_binary: false,
                    },
                    allow_patterns: config.secrets.patterns.clone(),
                    show_secrets: false,
                    scope: crate::checks::secrets::Scope::History,
                    range: a.since.as_ref().map(|base| crate::checks::secrets::Range {
                        base: base.clone(),
                        head: None,
                    }),
                };
                let outcome =
                    crate::checks::secrets::run(&target, &rules, &crate::checks::secrets::Silent)?;
                Ok(Some(outcome))
            })
        });
        // Imported SARIF is small: read on this thread while the checks above run.
        let started = Instant::now();
        let imported = read_imports(&import_sources);
        let import_millis = started.elapsed().as_millis();
        (
            (imported, import_millis),
            advisories.join().unwrap_or_else(|_| panicked("advisories")),
            secrets.join().unwrap_or_else(|_| panicked("secrets")),
            fips.join().unwrap_or_else(|_| panicked("fips")),
        )
    });

    // A check that could not run does not hide the others: they are reported, it is marked
    // as an error in every report, and the gate exits 2 after the reports are written.
    let mut findings = Vec::new();
    let mut checks = Vec::new();
    let mut advisories = settle("advisories", advisories, &mut checks);
    let mut secrets = settle("secrets", secrets, &mut checks);
    let fips = settle("fips", fips, &mut checks);
    let import_millis = imported.1;
    let imported = match imported {
        (Ok(imported), _) => imported,
        (Err(e), millis) => {
            checks.push(CheckRun {
                name: "import".into(),
                millis,
                error: Some(format!("{e:#}")),
            });
            Vec::new()
        }
    };
    // Moved, not cloned: only the summaries stay for the reports.
    if let Some(outcome) = &mut advisories {
        findings.append(&mut outcome.findings);
    }
    if let Some(outcome) = &mut secrets {
        findings.append(&mut outcome.findings);
    }
    let mut fips_reports = None;
    if let Some(outcome) = fips {
        findings.extend(outcome.findings);
        fips_reports = Some(outcome.reports);
    }
    let mut imports = Vec::new();
    for i in imported {
        checks.push(CheckRun {
            name: i.check(),
            millis: import_millis,
            error: None,
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
    if import_sources.is_empty() {
        findings.extend(unchecked_dependencies(&root));
    }
    let verdict = decide(&mut policy, &a.common, findings)?;
    let run = Run {
        command: "gate",
        verdict: &verdict,
        threshold: threshold_name(&policy.config),
        deny_warnings: policy.config.deny_warnings,
        advisories: advisories.as_ref().map(|o| &o.summary),
        secrets: secrets.as_ref().map(|o| &o.summary),
        fips: fips_reports.as_deref(),
        checks,
        imports,
        verbose: a.common.verbose,
    };
    write_reports(&run, destinations)?;
    let failed: Vec<&CheckRun> = run.checks.iter().filter(|c| c.error.is_some()).collect();
    if let Some(first) = failed.first() {
        let names: Vec<&str> = failed.iter().map(|c| c.name.as_str()).collect();
        bail!(
            "the gate could not run {} (the other checks were reported): {}",
            names.join(", "),
            first.error.as_deref().unwrap_or_default()
        );
    }
    Ok(outcome_of(&verdict))
}

/// A notice for each lockfile of an ecosystem the gate has no check for: silence would read
/// as "checked".
fn unchecked_dependencies(root: &Path) -> Vec<crate::finding::Finding> {
    const LOCKFILES: [(&str, &str); 5] = [
        ("go.sum", "Go modules"),
        ("package-lock.json", "npm packages"),
        ("yarn.lock", "Yarn packages"),
        ("pnpm-lock.yaml", "pnpm packages"),
        ("requirements.txt", "Python packages"),
    ];
    LOCKFILES
        .iter()
        .filter(|(file, _)| root.join(file).is_file())
        .map(|(file, what)| {
            let path = if root == Path::new(".") {
                PathBuf::from(file)
            } else {
                crate::finding::relative_to_cwd(&root.join(file))
            };
            crate::finding::Finding {
                locations: vec![crate::finding::Location::at_line(path.clone(), Some(1))],
                fingerprint: crate::finding::fingerprint(&[
                    crate::codes::GATE_DEPENDENCIES_UNCHECKED,
                    file,
                ]),
                ..crate::finding::Finding::of_code(
                    crate::codes::GATE_DEPENDENCIES_UNCHECKED,
                    None,
                    format!(
                        "{}: {what} were not checked for vulnerabilities; import a scanner's SARIF (--import-sarif)",
                        path.display()
                    ),
                )
            }
        })
        .collect()
}

/// A check's result as the gate keeps it: its outcome when it ran, and a row of the checks
/// table (with the error when it could not run).
fn settle<T>(
    name: &str,
    (result, millis): (Result<Option<T>>, u128),
    checks: &mut Vec<crate::report::CheckRun>,
) -> Option<T> {
    let (outcome, error) = match result {
        Ok(outcome) => (outcome, None),
        Err(e) => (None, Some(format!("{e:#}"))),
    };
    if outcome.is_some() || error.is_some() {
        checks.push(crate::report::CheckRun {
            name: name.into(),
            millis,
            error,
        });
    }
    outcome
}

/// What a check thread that panicked stands for: an error result, never a pass.
fn panicked<T>(check: &str) -> (Result<Option<T>>, u128) {
    (Err(anyhow::anyhow!("the {check} check panicked")), 0)
}

/// Runs a check and times it, whatever it returns.
fn timed<T>(check: impl FnOnce() -> Result<Option<T>>) -> (Result<Option<T>>, u128) {
    let started = std::time::Instant::now();
    let result = check();
    (result, started.elapsed().as_millis())
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
    let done = crate::upload::upload(&upload, &|line| note!("{line}"))?;
    match &done.analyses_url {
        Some(url) => note!("upload {}: {} ({url})", done.id, done.status),
        None => note!("upload {}: {}", done.id, done.status),
    }
    Ok(Outcome::Clean)
}

/// Reads every imported SARIF file; two imports of one tool name are told apart as
/// `gosec`, `gosec-2`.
fn read_imports(
    sources: &[crate::checks::imports::Source],
) -> Result<Vec<crate::checks::imports::Imported>> {
    let mut imported: Vec<crate::checks::imports::Imported> = Vec::new();
    for source in sources {
        for mut run in crate::checks::imports::read(source)? {
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
fn command_run<'a>(command: &'a str, verdict: &'a Verdict, config: &PolicyConfig) -> Run<'a> {
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
        verbose: false,
    }
}

/// `high`, or `high; secrets: any` when checks have thresholds of their own.
fn threshold_name(config: &PolicyConfig) -> String {
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
fn write_reports(run: &Run<'_>, destinations: &[Destination]) -> Result<()> {
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

fn run_rules(cmd: &RulesCommand) -> Result<Outcome> {
    // Custom rules of the palisade.toml found from here are listed and checked too.
    let config = find_config(None, Path::new("."))?;
    let set = std::sync::Arc::new(crate::checks::secrets::rule_set(&config.secrets.rules)?);
    crate::redact::use_rules(set.clone());
    let mut out: Vec<u8> = Vec::new();
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
            writeln!(out, "\n{}", crate::checks::secrets::placeholder::EXPLAIN)?;
            writeln!(
                out,
                "{} examples, {} negative examples (`rules check` runs them)",
                r.examples.len(),
                r.negative_examples.len()
            )?;
            Outcome::Clean
        }
    };
    output::stdout(&String::from_utf8_lossy(&out), output::Kind::Text)
        .context("cannot write to stdout")?;
    Ok(result)
}

/// Object/byte progress on a terminal's stderr (the secrets scan); never on a pipe or in CI.
#[derive(Default)]
struct TerminalProgress {
    bar: std::sync::OnceLock<indicatif::ProgressBar>,
    bytes: std::sync::atomic::AtomicU64,
}

impl crate::checks::secrets::Progress for TerminalProgress {
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
