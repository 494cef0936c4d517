//! `cargo palisade fips`: the FIPS check alone (binaries, a cargo project's two builds, the
//! build file's targets, a running service's status); `--explain` prints each binary's
//! evidence and judges nothing.

use super::args::FipsArgs;
use super::resolve::{Destination, find_config, policy_for, run_one};
use super::{Outcome, reports};
use crate::check::{Flags, Project, Silent};
use crate::output;
use anyhow::{Context, Result};
use std::path::Path;

/// Runs it.
pub fn run(a: &FipsArgs, destinations: &[Destination]) -> Result<Outcome> {
    let start = a
        .binaries
        .first()
        .or(a.manifest_path.as_ref())
        .and_then(|b| b.parent())
        .unwrap_or(Path::new("."));
    let config = find_config(a.common.config.as_deref(), start)?;
    let project = Project {
        root: start.to_path_buf(),
        manifest: a.manifest_path.clone(),
        ..Project::default()
    };
    let flags = Flags {
        manifest_path: a.manifest_path.clone(),
        offline: a.offline,
        binaries: a.binaries.clone(),
        expect: a.expect,
        status_stamp: a.status_stamp.clone(),
        status_url: a.status_url.clone(),
        status_field: a.status_field.clone(),
        fips_features: a.fips_features.clone(),
        build_target: a.build_target.clone(),
        fips_target: a.fips_target.clone(),
        makefile: a.makefile.clone(),
        ..Flags::default()
    };
    let checked = run_one("fips", &project, &config, &flags, &Silent)?;
    if a.explain {
        let text: String = checked
            .summaries
            .iter()
            .map(|(_, s)| crate::report::summary_text(s))
            .collect();
        output::stdout(&text, output::Kind::Text).context("cannot write to stdout")?;
        return Ok(Outcome::Clean);
    }
    // The FIPS check has no suppressions: a build is FIPS or it is not.
    let policy = policy_for(&config, &a.common, &[]);
    reports::conclude("fips", checked, policy, &a.common, destinations)
}
