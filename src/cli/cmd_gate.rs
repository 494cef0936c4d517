//! `cargo palisade gate`: every check the registry finds something for, side by side, under
//! one policy, into one set of reports.

use super::args::GateArgs;
use super::resolve::{Destination, find_config, gather, policy_for, run_checks};
use super::{Outcome, reports};
use crate::check::{Check, Flags, Invocation, Project, Silent, registry};
use anyhow::{Result, bail};
use std::path::{Path, PathBuf};

/// Runs it.
pub fn run(
    a: &GateArgs,
    destinations: &[Destination],
    imports: Vec<crate::checks::imports::Source>,
) -> Result<Outcome> {
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
    let project = Project {
        // A lockfile without a manifest (a vendored or generated Cargo.lock) is still scanned.
        lockfile: (!has_manifest)
            .then(|| root.join("Cargo.lock"))
            .filter(|l| l.is_file()),
        manifest: has_manifest.then_some(manifest),
        // The repository that holds the project, found upward as git does: a project in a
        // subfolder is still scanned, and a repository that is there but cannot be opened (a
        // corrupt config, a broken gitdir file) is the secrets check failing (exit 2), never
        // a dropped check. The check opens it, once.
        repository: crate::checks::secrets::find_repository(&root),
        root,
    };
    let flags = Flags {
        advisory_db: a.advisory_db.clone(),
        go_vulndb: a.go_vulndb.clone(),
        go_version: a.go_version.clone(),
        offline: a.offline,
        since: a.since.clone(),
        min_confidence: a.min_confidence,
        cache: a.cache.clone(),
        no_cache: a.no_cache,
        imports,
        ..Flags::default()
    };
    let mut checks: Vec<&'static dyn Check> = Vec::new();
    for check in registry::CHECKS {
        if check.applies(&project, &config)? {
            checks.push(*check);
        }
    }
    // The import check always applies (it names the ecosystems nothing covered); with no
    // other check, there is nothing to gate.
    if !checks.iter().any(|c| c.name() != "import")
        && config.imports.entries.is_empty()
        && flags.imports.is_empty()
    {
        bail!(
            "nothing to check in {}: no Cargo.toml, no git repository, no [fips] or [[import]] in palisade.toml",
            project.root.display()
        );
    }
    let policy = policy_for(&config, &a.common, &checks);
    let ran = run_checks(
        &checks,
        &project,
        &config,
        &flags,
        Invocation::Gate,
        &Silent,
    );
    reports::conclude("gate", gather(ran), policy, &a.common, destinations)
}
