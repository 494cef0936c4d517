//! `cargo palisade go`: the Go check alone.

use super::args::GoArgs;
use super::resolve::{Destination, find_config, policy_for, run_one};
use super::{Outcome, reports};
use crate::check::{Flags, Project, Silent, registry};
use anyhow::Result;
use std::path::Path;

/// Runs it.
pub fn run(a: &GoArgs, destinations: &[Destination]) -> Result<Outcome> {
    let start = a
        .go_mod
        .as_deref()
        .and_then(Path::parent)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let config = find_config(a.common.config.as_deref(), start)?;
    let project = Project {
        root: start.to_path_buf(),
        ..Project::default()
    };
    let flags = Flags {
        go_vulndb: a.go_vulndb.clone(),
        go_mod: a.go_mod.clone(),
        go_version: a.go_version.clone(),
        binaries: a.binaries.clone(),
        ..Flags::default()
    };
    let check = registry::get("go");
    let policy = policy_for(&config, &a.common, check.as_slice());
    let checked = run_one("go", &project, &config, &flags, &Silent)?;
    reports::conclude("go", checked, policy, &a.common, destinations)
}
