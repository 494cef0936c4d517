//! `cargo palisade secrets`: the secrets check alone (history, a range, the worktree or the
//! index).

use super::args::SecretsArgs;
use super::resolve::{Destination, find_config, policy_for, run_one};
use super::{Outcome, reports};
use crate::check::{Flags, Project, registry};
use anyhow::{Result, bail};

/// Runs it.
pub fn run(a: &SecretsArgs, destinations: &[Destination]) -> Result<Outcome> {
    if a.show_secrets && std::env::var_os("CI").is_some() && !a.allow_show_secrets_in_ci {
        bail!(
            "--show-secrets is refused when CI is set (CI logs are kept and shared); add --allow-show-secrets-in-ci if you mean it"
        );
    }
    if a.show_secrets {
        // Asked for in so many words (and refused under CI above): the sinks let secrets by.
        crate::redact::show_secrets();
    }
    let config = find_config(a.common.config.as_deref(), &a.path)?;
    let project = Project {
        root: a.path.clone(),
        ..Project::default()
    };
    let flags = Flags {
        worktree: a.worktree,
        staged: a.staged,
        since: a.since.clone(),
        range: a.range.clone(),
        max_blob_size: a.max_blob_size,
        scan_binary: a.scan_binary,
        cache: a.cache.clone(),
        no_cache: a.no_cache,
        min_confidence: a.min_confidence,
        show_secrets: a.show_secrets,
        ..Flags::default()
    };
    let check = registry::get("secrets");
    let policy = policy_for(&config, &a.common, check.as_slice());
    let progress = super::progress::for_stderr();
    let checked = run_one("secrets", &project, &config, &flags, progress.as_ref())?;
    reports::conclude("secrets", checked, policy, &a.common, destinations)
}
