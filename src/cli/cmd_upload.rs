//! `cargo palisade upload-sarif`: a SARIF file to GitHub code scanning, waiting for it to be
//! processed.

use super::Outcome;
use super::args::UploadArgs;
use crate::note;
use anyhow::{Context, Result, bail};

/// Runs it.
pub fn run(a: &UploadArgs) -> Result<Outcome> {
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
