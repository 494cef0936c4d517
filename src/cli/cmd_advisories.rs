//! `cargo palisade advisories`: the advisories check alone.

use super::args::AdvisoriesArgs;
use super::resolve::{Destination, find_config, policy_for, run_one};
use super::{Outcome, reports};
use crate::check::{Flags, Project, Silent, registry};
use anyhow::Result;
use std::path::Path;

/// Runs it.
pub fn run(a: &AdvisoriesArgs, destinations: &[Destination]) -> Result<Outcome> {
    let start = a
        .manifest_path
        .as_deref()
        .or(a.lockfile.as_deref())
        .and_then(Path::parent)
        .unwrap_or(Path::new("."));
    let config = find_config(a.common.config.as_deref(), start)?;
    let project = Project {
        root: start.to_path_buf(),
        manifest: a.manifest_path.clone(),
        lockfile: a.lockfile.clone(),
        repository: None,
    };
    let flags = Flags {
        manifest_path: a.manifest_path.clone(),
        advisory_db: a.advisory_db.clone(),
        generate_lockfile: a.generate_lockfile,
        offline: a.offline,
        ..Flags::default()
    };
    let check = registry::get("advisories");
    let policy = policy_for(&config, &a.common, check.as_slice());
    let checked = run_one("advisories", &project, &config, &flags, &Silent)?;
    reports::conclude("advisories", checked, policy, &a.common, destinations)
}
