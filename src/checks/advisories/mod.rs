//! The advisories check: RustSec advisories against a project's `Cargo.lock`, with each
//! vulnerable package placed in the resolved build graph.
//!
//! It reads the lockfile, the advisory DB and (through `cargo metadata`) the build graph, and
//! returns findings. It does not decide what fails, nor render anything.

pub mod cfg;
pub mod check;
pub mod codes;
pub mod db;
pub mod lockfile;

use crate::cargo::{BuildGraph, Workspace, cargo_bin, cargo_message};
use crate::finding::{
    Finding, Location, Reachability, Severity, Subject, fingerprint, relative_to_cwd,
};
use cfg::AdvisoriesConfig;
use lockfile::Lockfile;
use rustsec::advisory::Informational;
use rustsec::database::Query;
use serde::Serialize;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where the project is and how to read it.
#[derive(Clone, Debug, Default)]
pub struct Target {
    /// `--manifest-path`: a `Cargo.toml` (default: found from the current directory by cargo).
    pub manifest_path: Option<PathBuf>,
    /// `--lockfile`: scan this lockfile; without a manifest, the build graph is unknown.
    pub lockfile: Option<PathBuf>,
    /// `--generate-lockfile`: create a missing `Cargo.lock` instead of failing.
    pub generate_lockfile: bool,
    /// `--offline`: pass `--offline` to cargo.
    pub offline: bool,
}

/// Errors that stop the check.
#[derive(Debug, thiserror::Error)]
pub enum AdvisoriesError {
    /// DB problems.
    #[error(transparent)]
    Db(#[from] db::DbError),
    /// Lockfile problems.
    #[error(transparent)]
    Lockfile(#[from] lockfile::LockfileError),
    /// No lockfile, and not asked to make one.
    #[error(
        "no Cargo.lock at {0}: create it with `cargo generate-lockfile` (then commit it), \
         or pass --generate-lockfile"
    )]
    NoLockfile(PathBuf),
    /// `cargo metadata` could not find or read the project.
    #[error("cannot read the cargo project{}: {message}", manifest.as_ref().map(|m| format!(" at {}", m.display())).unwrap_or_default())]
    Project {
        /// The manifest, when given.
        manifest: Option<PathBuf>,
        /// cargo's message.
        message: String,
    },
}

/// What the check looked at, for reports.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// The advisory DB directory.
    pub database: PathBuf,
    /// Advisories in the DB.
    pub advisory_count: usize,
    /// Date of the DB's last update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_updated: Option<String>,
    /// The DB's git commit, when a checkout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_commit: Option<String>,
    /// The lockfile scanned.
    pub lockfile: PathBuf,
    /// Packages in it.
    pub package_count: usize,
    /// How the build graph was obtained.
    pub build_graph: GraphState,
}

/// The check's result.
pub struct Outcome {
    /// What it found.
    pub findings: Vec<Finding>,
    /// What it looked at.
    pub summary: Summary,
}

/// Runs the check.
pub fn run(
    target: &Target,
    db_path: &Path,
    config: &AdvisoriesConfig,
    today: jiff::civil::Date,
) -> Result<Outcome, AdvisoriesError> {
    let mut findings = Vec::new();
    let project = locate(target)?;
    let lockfile = Lockfile::load(&project.lockfile)?;
    let loaded = db::load(db_path)?;

    if let Some(updated) = loaded.last_updated
        && let Ok(age) = today.since(updated)
        && i64::from(age.get_days()) > i64::from(config.stale_after_days)
    {
        findings.push(Finding {
            // Where it matters: the lockfile judged against the old database.
            locations: vec![Location::at_line(relative_to_cwd(&project.lockfile), None)],
            evidence: [("last_updated".to_string(), json!(updated.to_string()))].into(),
            ..Finding::of_code(
                crate::checks::advisories::codes::DB_STALE,
                None,
                format!(
                    "advisory database at {} was last updated {updated} ({} days ago; limit {})",
                    db_path.display(),
                    age.get_days(),
                    config.stale_after_days
                ),
            )
        });
    }

    let vulnerable = loaded
        .db
        .query_vulnerabilities(&lockfile.parsed, &Query::crate_scope());
    let informational = loaded
        .db
        .query_vulnerabilities(&lockfile.parsed, &Query::crate_scope().informational(true));
    let matched: Vec<(&'static str, &rustsec::Vulnerability)> = vulnerable
        .iter()
        .chain(informational.iter())
        .filter_map(|vuln| match &vuln.advisory.informational {
            None => Some((crate::checks::advisories::codes::VULNERABILITY, vuln)),
            Some(kind) => {
                let (rule, name) = informational_rule(kind);
                config
                    .informational
                    .iter()
                    .any(|k| k == name)
                    .then_some((rule, vuln))
            }
        })
        .collect();

    // Resolving the graph costs more than the match itself: only when something matched.
    let (graph, graph_state) = match (&project.workspace, matched.is_empty()) {
        (None, _) if project.cargo_failed.is_some() => {
            findings.push(Finding {
                locations: vec![Location::at_line(relative_to_cwd(&project.lockfile), None)],
                ..Finding::of_code(
                    crate::checks::advisories::codes::GRAPH_UNAVAILABLE,
                    None,
                    format!(
                        "cargo cannot read the project ({}); {} scanned alone, every advisory counted as reachable",
                        project.cargo_failed.as_deref().unwrap_or_default(),
                        relative_to_cwd(&project.lockfile).display()
                    ),
                )
            });
            (None, GraphState::Unavailable)
        }
        (None, _) => (None, GraphState::LockfileOnly),
        (Some(_), true) => (None, GraphState::NotNeeded),
        (Some(ws), false) => resolve_graph(ws, &project.lockfile, target, &mut findings),
    };
    let lock_name = relative_to_cwd(&project.lockfile);
    // Every vulnerability of one crate version: an upgrade is suggested only where it fixes
    // them all (a version patched for one advisory can still be affected by another).
    let mut patched_sets: std::collections::HashMap<(String, String), Vec<&[rustsec::VersionReq]>> =
        std::collections::HashMap::new();
    for (rule, vuln) in &matched {
        if *rule == crate::checks::advisories::codes::VULNERABILITY {
            patched_sets
                .entry((
                    vuln.package.name.to_string(),
                    vuln.package.version.to_string(),
                ))
                .or_default()
                .push(vuln.versions.patched());
        }
    }
    for (rule, vuln) in matched {
        let key = (
            vuln.package.name.to_string(),
            vuln.package.version.to_string(),
        );
        let all_patched = patched_sets
            .get(&key)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let placement = match &graph {
            Some(g) => g.placement(
                vuln.package.name.as_str(),
                &vuln.package.version.to_string(),
            ),
            None => crate::cargo::Placement {
                reachability: Reachability::Unknown,
                path: Vec::new(),
            },
        };
        findings.push(to_finding(
            rule,
            vuln,
            all_patched,
            placement,
            &lockfile,
            &lock_name,
        ));
    }
    Ok(Outcome {
        summary: Summary {
            database: loaded.path,
            advisory_count: loaded.db.iter().count(),
            database_updated: loaded.last_updated.map(|d| d.to_string()),
            database_commit: loaded.commit,
            lockfile: lock_name,
            package_count: lockfile.parsed.packages.len(),
            build_graph: graph_state,
        },
        findings,
    })
}

fn informational_rule(kind: &Informational) -> (&'static str, &'static str) {
    match kind {
        Informational::Unmaintained => (
            crate::checks::advisories::codes::UNMAINTAINED,
            "unmaintained",
        ),
        Informational::Unsound => (crate::checks::advisories::codes::UNSOUND, "unsound"),
        Informational::Notice => (crate::checks::advisories::codes::NOTICE, "notice"),
        _ => (crate::checks::advisories::codes::INFORMATIONAL, "other"),
    }
}

/// What `locate` found.
struct Project {
    lockfile: PathBuf,
    /// `None` for a lockfile-only scan.
    workspace: Option<Workspace>,
    /// Why cargo could not read the project, when the scan fell back to the lockfile alone.
    cargo_failed: Option<String>,
}

/// Finds the lockfile (creating it when asked) and the workspace, without resolving anything.
fn locate(target: &Target) -> Result<Project, AdvisoriesError> {
    if let (Some(lockfile), None) = (&target.lockfile, &target.manifest_path) {
        return Ok(Project {
            lockfile: lockfile.clone(),
            workspace: None,
            cargo_failed: None,
        });
    }
    let project_error = |message: String| AdvisoriesError::Project {
        manifest: target.manifest_path.clone(),
        message,
    };
    // `--no-deps` finds the workspace without resolving, so it never writes a lockfile.
    let mut cmd = cargo_metadata::MetadataCommand::new();
    if let Some(m) = &target.manifest_path {
        cmd.manifest_path(m);
    }
    let shallow = match cmd.no_deps().exec() {
        Ok(metadata) => metadata,
        Err(e) => {
            // cargo itself cannot run here (a rust-toolchain.toml pinning a toolchain that is
            // not installed, a manifest this cargo does not understand): the lockfile beside
            // the manifest is still scanned, every advisory counted as reachable.
            let manifest = target
                .manifest_path
                .clone()
                .unwrap_or_else(|| PathBuf::from("Cargo.toml"));
            let dir = std::fs::canonicalize(&manifest)
                .ok()
                .and_then(|m| m.parent().map(Path::to_path_buf));
            let lockfile = dir.as_deref().and_then(|d| {
                d.ancestors()
                    .map(|a| a.join("Cargo.lock"))
                    .find(|l| l.is_file())
            });
            return match (manifest.is_file(), lockfile) {
                (true, Some(lockfile)) => Ok(Project {
                    lockfile,
                    workspace: None,
                    cargo_failed: Some(cargo_message(&e)),
                }),
                _ => Err(project_error(cargo_message(&e))),
            };
        }
    };
    let root = shallow.workspace_root.into_std_path_buf();
    let lockfile = target
        .lockfile
        .clone()
        .unwrap_or_else(|| root.join("Cargo.lock"));
    if !lockfile.is_file() {
        if !target.generate_lockfile {
            return Err(AdvisoriesError::NoLockfile(lockfile));
        }
        let manifest = root.join("Cargo.toml");
        let status = Command::new(cargo_bin())
            .args(["generate-lockfile", "--manifest-path"])
            .arg(&manifest)
            .status()
            .map_err(|e| project_error(format!("cannot run cargo generate-lockfile: {e}")))?;
        if !status.success() {
            return Err(project_error(format!(
                "`cargo generate-lockfile` failed for {}",
                manifest.display()
            )));
        }
    }
    Ok(Project {
        lockfile,
        cargo_failed: None,
        workspace: Some(Workspace {
            root,
            target_dir: shallow.target_directory.into_std_path_buf(),
        }),
    })
}

/// How the build graph was obtained, for reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GraphState {
    /// Resolved with `cargo metadata`.
    Resolved,
    /// Taken from the cache; its inputs were unchanged.
    Cached,
    /// Nothing matched, so nothing needed placing.
    NotNeeded,
    /// `--lockfile` without a manifest.
    LockfileOnly,
    /// `cargo metadata` failed; everything counts as reachable.
    Unavailable,
}

/// The build graph from the cache, else from `cargo metadata` (then cached). A failure is a
/// warning finding and an unknown graph, so every advisory counts as reachable.
fn resolve_graph(
    ws: &Workspace,
    lockfile: &Path,
    target: &Target,
    findings: &mut Vec<Finding>,
) -> (Option<BuildGraph>, GraphState) {
    match crate::cargo::resolve_cached(ws, lockfile, target.offline) {
        Ok((graph, true)) => (Some(graph), GraphState::Cached),
        Ok((graph, false)) => (Some(graph), GraphState::Resolved),
        Err(e) => {
            findings.push(Finding {
                ..Finding::of_code(
                    crate::checks::advisories::codes::GRAPH_UNAVAILABLE,
                    None,
                    format!(
                        "cannot resolve the build graph ({}); all advisories count as reachable",
                        cargo_message(&e)
                    ),
                )
            });
            (None, GraphState::Unavailable)
        }
    }
}

fn severity_of(meta: &rustsec::advisory::Metadata) -> Option<Severity> {
    use rustsec::advisory::Severity as C;
    Some(match meta.cvss.as_ref()?.severity() {
        C::None => Severity::Info,
        C::Low => Severity::Low,
        C::Medium => Severity::Medium,
        C::High => Severity::High,
        C::Critical => Severity::Critical,
    })
}

fn to_finding(
    rule: &'static str,
    vuln: &rustsec::Vulnerability,
    all_patched: &[&[rustsec::VersionReq]],
    placement: crate::cargo::Placement,
    lockfile: &Lockfile,
    lock_name: &Path,
) -> Finding {
    let meta = &vuln.advisory;
    let id = meta.id.to_string();
    let name = vuln.package.name.as_str();
    let version = vuln.package.version.to_string();
    let url = meta
        .url
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_else(|| format!("https://rustsec.org/advisories/{id}.html"));
    let patched: Vec<String> = vuln
        .versions
        .patched()
        .iter()
        .map(ToString::to_string)
        .collect();
    let upgrade = if all_patched.len() > 1 {
        upgrade_fixing_all(&vuln.package.version, all_patched)
    } else {
        smallest_upgrade(&vuln.package.version, vuln.versions.patched())
    };
    let help = match &upgrade {
        Some(v) => format!(
            "Upgrade {name} to {v} or later within a patched range: cargo update -p {name}@{version} --precise {v}"
        ),
        None if patched.is_empty() => format!(
            "No patched version of {name} exists; remove or replace the dependency, or ignore the advisory with a reason."
        ),
        None => format!(
            "Upgrade {name} to a patched version ({}).",
            patched.join(" or ")
        ),
    };
    let mut tags: Vec<String> = meta.categories.iter().map(|c| c.to_string()).collect();
    tags.extend(meta.keywords.iter().map(|k| k.as_str().to_string()));
    let evidence = [
        ("crate", json!(name)),
        ("version", json!(version)),
        ("advisory", json!(id)),
        (
            "aliases",
            json!(
                meta.aliases
                    .iter()
                    .map(|a| a.to_string())
                    .collect::<Vec<_>>()
            ),
        ),
        ("date", json!(meta.date.as_str())),
        ("cvss", json!(meta.cvss.as_ref().map(|c| c.to_string()))),
        ("patched", json!(patched)),
        ("smallest_upgrade", json!(upgrade.map(|v| v.to_string()))),
        ("dependency_path", json!(placement.path)),
        ("url", json!(url)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    Finding {
        rule,
        subject: Some(Subject {
            id: id.clone(),
            aliases: meta.aliases.iter().map(|a| a.to_string()).collect(),
            title: meta.title.clone(),
            description: meta.description.clone(),
            url: Some(url),
            score: meta.cvss.as_ref().map(|c| c.score()),
            tags,
        }),
        severity: if meta.informational.is_some() && meta.cvss.is_none() {
            None
        } else {
            severity_of(meta)
        },
        message: format!("{name} {version}: {} ({id})", meta.title),
        locations: vec![Location::at_line(
            lock_name,
            lockfile.line_of(name, &version),
        )],
        fingerprint: fingerprint(&[rule, &id, name, &version]),
        help: Some(help),
        reachability: Some(placement.reachability),
        evidence,
        check: Default::default(),
    }
}

/// The smallest version above `current` that every advisory's patched requirements accept:
/// the lower bounds of all of them are the candidates. `None` when one has no patched version
/// or no candidate satisfies them all.
fn upgrade_fixing_all(
    current: &rustsec::Version,
    all: &[&[rustsec::VersionReq]],
) -> Option<rustsec::Version> {
    if all.iter().any(|patched| patched.is_empty()) {
        return None;
    }
    let mut candidates: Vec<rustsec::Version> = all
        .iter()
        .flat_map(|patched| patched_floors(patched))
        .filter(|v| v > current)
        .collect();
    candidates.sort();
    candidates.into_iter().find(|v| {
        all.iter()
            .all(|patched| patched.iter().any(|r| r.matches(v)))
    })
}

/// The smallest version above `current` named by a patched requirement's lower bound.
fn smallest_upgrade(
    current: &rustsec::Version,
    patched: &[rustsec::VersionReq],
) -> Option<rustsec::Version> {
    patched_floors(patched).filter(|v| v > current).min()
}

/// The lower bounds the patched requirements name (`>= 1.4.3`, `^1.4.3`, `~1.4.3`, `=1.4.3`),
/// each one a version the requirement accepts.
fn patched_floors(patched: &[rustsec::VersionReq]) -> impl Iterator<Item = rustsec::Version> + '_ {
    use rustsec::semver::{Op, Version};
    patched.iter().flat_map(|req| {
        req.comparators.iter().filter_map(move |c| {
            if !matches!(c.op, Op::GreaterEq | Op::Caret | Op::Tilde | Op::Exact) {
                return None;
            }
            let mut v = Version::new(c.major, c.minor.unwrap_or(0), c.patch.unwrap_or(0));
            v.pre = c.pre.clone();
            req.matches(&v).then_some(v)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smallest_upgrade_picks_the_nearest_patched_floor() {
        let reqs: Vec<rustsec::VersionReq> = [">= 2.0.1", "^1.4.3", ">= 1.3.9, < 1.4.0"]
            .iter()
            .map(|r| r.parse().unwrap())
            .collect();
        let up = |v: &str| smallest_upgrade(&v.parse().unwrap(), &reqs).map(|v| v.to_string());
        assert_eq!(up("1.3.2").as_deref(), Some("1.3.9"));
        assert_eq!(up("1.4.0").as_deref(), Some("1.4.3"));
        assert_eq!(up("1.9.0").as_deref(), Some("2.0.1"));
        assert_eq!(up("3.0.0"), None);
    }

    #[test]
    fn suggested_upgrade_was_still_affected_by_another_advisory() {
        let parse = |reqs: &[&str]| -> Vec<rustsec::VersionReq> {
            reqs.iter().map(|r| r.parse().unwrap()).collect()
        };
        // One advisory is patched from 1.0.0, another only from 1.0.3 (or in 0.5.2+ of 0.5).
        let first = parse(&[">= 1.0.0"]);
        let second = parse(&[">= 1.0.3", "~0.5.2"]);
        let current: rustsec::Version = "0.4.0".parse().unwrap();
        assert_eq!(
            upgrade_fixing_all(&current, &[&first, &second]).map(|v| v.to_string()),
            Some("1.0.3".to_string())
        );
        let never = parse(&[]);
        assert_eq!(upgrade_fixing_all(&current, &[&first, &never]), None);
    }
}
