//! What was typed, resolved once: report destinations (`--format`/`--output` pairs), imports
//! (`--import-sarif`/`--tool` pairs), the config file, the policy (`--fail-on`, `--deny`,
//! baselines), and the run of the chosen checks through the registry.

use super::Outcome;
use super::args::{CommonArgs, Deny, FailOn};
use crate::check::registry::{self, Ran};
use crate::check::{Check, Context, Flags, Invocation, Project};
use crate::config::Threshold;
use crate::config::root::{self, Config};
use crate::finding::{Finding, Severity};
use crate::note;
use crate::policy::cfg::PolicyConfig;
use crate::policy::{Policy, Verdict};
use crate::report::{CheckRun, Format};
use anyhow::{Context as _, Result, bail};
use std::path::{Path, PathBuf};

/// Where one report goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Destination {
    /// The format.
    pub format: Format,
    /// The file, or `None` for stdout.
    pub file: Option<PathBuf>,
}

/// The matches of the subcommand that was typed.
pub fn subcommand_matches(matches: &clap::ArgMatches) -> Result<&clap::ArgMatches> {
    let (_, sub) = matches
        .subcommand()
        .context("internal: no subcommand matches")?;
    Ok(sub)
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
pub fn cli_imports(matches: &clap::ArgMatches) -> Result<Vec<crate::checks::imports::Source>> {
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

/// Finds the config (see `locate_config`); its custom secret rules join the redactor's, so
/// that every output masks what they detect too.
pub fn find_config(explicit: Option<&Path>, start: &Path) -> Result<Config> {
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
        let candidate = dir.join(root::FILE_NAME);
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

/// The policy of the config with the command line's `--fail-on` and `--deny` over it; its
/// suppressions are every entry of the tables of `checks`.
pub fn policy_for(config: &Config, common: &CommonArgs, checks: &[&dyn Check]) -> Policy {
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
        suppressions: checks
            .iter()
            .flat_map(|c| config.suppressions_of(c.name()))
            .cloned()
            .collect(),
        today: today(),
        baseline: None,
    }
}

/// Applies `--baseline` / `--write-baseline`, then decides.
pub fn decide(policy: &mut Policy, common: &CommonArgs, findings: Vec<Finding>) -> Result<Verdict> {
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

/// `high`, or `high; secrets: any` when checks have thresholds of their own.
pub fn threshold_name(config: &PolicyConfig) -> String {
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

/// Exit 1 when something fails.
pub fn outcome_of(verdict: &Verdict) -> Outcome {
    if verdict.failing() > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}

/// What the checks of one run handed back, gathered for the policy and the reports.
pub struct Checked {
    /// Every finding, in registry order.
    pub findings: Vec<Finding>,
    /// Each check's summary, in registry order.
    pub summaries: Vec<(&'static str, crate::check::Summary)>,
    /// The checks table: a row a check (or a run it reports as), with errors.
    pub rows: Vec<CheckRun>,
}

/// Runs `checks` through the registry's runner, `progress` told how a long one advances.
pub fn run_checks(
    checks: &[&'static dyn Check],
    project: &Project,
    config: &Config,
    flags: &Flags,
    invocation: Invocation,
    progress: &dyn crate::check::Progress,
) -> Vec<Ran> {
    let ctx = Context {
        project,
        config,
        flags,
        invocation,
        today: today(),
        progress,
    };
    registry::run(checks, &ctx)
}

/// Gathers what the checks returned: findings, summaries and the checks table (a check that
/// could not run is a row with its error).
pub fn gather(ran: Vec<Ran>) -> Checked {
    let mut checked = Checked {
        findings: Vec::new(),
        summaries: Vec::new(),
        rows: Vec::new(),
    };
    for Ran {
        name,
        millis,
        result,
    } in ran
    {
        match result {
            Ok(mut output) => {
                checked.findings.append(&mut output.findings);
                match output.runs {
                    None => checked.rows.push(CheckRun {
                        name: name.into(),
                        millis,
                        error: None,
                        tool: None,
                    }),
                    Some(runs) => checked.rows.extend(runs.into_iter().map(|r| CheckRun {
                        name: r.name,
                        millis,
                        error: None,
                        tool: r.tool,
                    })),
                }
                checked.summaries.push((name, output.summary));
            }
            Err(e) => checked.rows.push(CheckRun {
                name: name.into(),
                millis,
                error: Some(format!("{e:#}")),
                tool: None,
            }),
        }
    }
    checked
}

/// A single command's one check: its error stops the command (exit 2, no report), and its
/// report has no checks table.
pub fn run_one(
    name: &str,
    project: &Project,
    config: &Config,
    flags: &Flags,
    progress: &dyn crate::check::Progress,
) -> Result<Checked> {
    let check = registry::get(name).with_context(|| format!("internal: no check `{name}`"))?;
    let mut ran = run_checks(
        &[check],
        project,
        config,
        flags,
        Invocation::Command,
        progress,
    );
    if let Some(failed) = ran.iter().position(|r| r.result.is_err())
        && let Err(e) = ran.swap_remove(failed).result
    {
        return Err(e);
    }
    let mut checked = gather(ran);
    checked.rows.clear();
    Ok(checked)
}
