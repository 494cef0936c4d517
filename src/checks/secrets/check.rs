//! The secrets check as the registry runs it: its settings resolved once from the flags, the
//! project and `[secrets]`; its summary as report data.

use super::rules::Confidence;
use super::{Range, Scope, Summary as Scanned, Target};
use crate::check::{Check, CheckOutput, Context, Invocation, Line, Project, Summary, Tone};
use crate::codes::Code;
use crate::config::root::Config;
use anyhow::bail;
use std::path::Path;
use std::sync::Arc;

/// Secrets in the repository's whole history (or its worktree, index or a range).
pub struct Secrets;

/// What a run of the check reads, resolved once.
pub struct Settings {
    /// What to scan and how.
    pub target: Target,
    /// The rules, built-in and the config's own.
    pub rules: Arc<super::engine::RuleSet>,
}

/// Flags, then `[secrets]`, then the defaults. Compiles the rules once and hands them to the
/// redactor, so every output masks what they detect.
pub fn resolve(ctx: &Context<'_>) -> anyhow::Result<Settings> {
    let flags = ctx.flags;
    let config = &ctx.config.secrets;
    if let Some(size) = flags.max_blob_size
        && size < super::cfg::MIN_BLOB_SIZE
    {
        bail!(
            "--max-blob-size {size} would skip nearly every blob; the smallest accepted is {} bytes",
            super::cfg::MIN_BLOB_SIZE
        );
    }
    let mut rules = super::rule_set(&config.rules)?;
    rules.min_confidence = flags
        .min_confidence
        .or(config.min_confidence)
        .unwrap_or(Confidence::Medium);
    let rules = Arc::new(rules);
    // The sinks mask with the set the scan compiled, not a second copy.
    crate::redact::use_rules(rules.clone());
    let here = ctx.project.root.clone();
    // History and staged scans read the repository that holds the path, found upward as git
    // does; `gate` found it already.
    let path = match ctx.invocation {
        Invocation::Gate => ctx.project.repository.clone().unwrap_or(here),
        Invocation::Command if flags.worktree => here,
        Invocation::Command => super::find_repository(&here).unwrap_or(here),
    };
    let range = match (&flags.since, &flags.range) {
        (Some(base), _) => Some(Range {
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
            Some(Range {
                base: base.to_string(),
                head: Some(head.to_string()),
            })
        }
        (None, None) => None,
    };
    Ok(Settings {
        target: Target {
            path,
            limits: super::Limits {
                max_blob_size: flags
                    .max_blob_size
                    .or(config.max_blob_size)
                    .unwrap_or(super::DEFAULT_MAX_BLOB_SIZE),
                scan_binary: flags.scan_binary,
                delta_base_cache: config
                    .delta_base_cache
                    .unwrap_or(super::DEFAULT_DELTA_BASE_CACHE),
            },
            allow_patterns: config.patterns.clone(),
            show_secrets: flags.show_secrets,
            cache: match (&flags.cache, flags.no_cache) {
                (_, true) => super::record::Cache::Off,
                (Some(dir), false) => super::record::Cache::Dir(dir.clone()),
                (None, false) => super::record::Cache::GitDir,
            },
            scope: if flags.worktree {
                Scope::Worktree
            } else if flags.staged {
                Scope::Staged
            } else {
                Scope::History
            },
            range,
        },
        rules,
    })
}

impl Check for Secrets {
    fn name(&self) -> &'static str {
        "secrets"
    }

    fn codes(&self) -> &'static [Code] {
        super::codes::CODES
    }

    fn applies(&self, project: &Project, _: &Config) -> anyhow::Result<bool> {
        Ok(project.repository.is_some())
    }

    fn starter(&self, dir: &Path) -> Option<String> {
        dir.join(".git")
            .exists()
            .then(|| super::starter::section(dir))
    }

    fn run(&self, ctx: &Context<'_>) -> anyhow::Result<CheckOutput> {
        let settings = resolve(ctx)?;
        let outcome = super::run(&settings.target, &settings.rules, ctx.progress)?;
        Ok(CheckOutput {
            findings: outcome.findings,
            summary: summary(&outcome.summary),
            runs: None,
        })
    }
}

/// What was read, for people and for the JSON report.
fn summary(s: &Scanned) -> Summary {
    let mut text = vec![Line::default().with(Tone::Strong, "Scanned").with(
        Tone::Plain,
        format!(
            " {}: {} objects, {} blobs ({} scanned, {} bytes), {} commits; skipped {} binary and {} large blobs; {} rules",
            s.repository.display(),
            s.stats.objects,
            s.stats.blobs,
            s.stats.blobs_scanned,
            s.stats.bytes_scanned,
            s.stats.commits,
            s.stats.skipped_binary,
            s.stats.skipped_large,
            s.rules
        ),
    )];
    if s.stats.blobs_recorded > 0 {
        text.push(Line::plain(format!(
            "  {} blob{} not read again: the scan record says an earlier scan found nothing in them (--no-cache reads them)",
            s.stats.blobs_recorded,
            if s.stats.blobs_recorded == 1 { "" } else { "s" }
        )));
    }
    if s.placeholders_skipped > 0 {
        text.push(Line::plain(format!(
            "  {} placeholder value{} not reported (`cargo palisade rules explain` says which)",
            s.placeholders_skipped,
            if s.placeholders_skipped == 1 { "" } else { "s" }
        )));
    }
    Summary {
        text,
        data: Some(std::sync::Arc::new(s.clone())),
    }
}
