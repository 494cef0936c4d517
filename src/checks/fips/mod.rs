//! The FIPS check: proves from the binaries themselves whether a build links a FIPS-validated
//! crypto module, and whether it carries its FIPS status stamp. It returns findings and the
//! per-binary evidence; policy and reports do the rest.

pub mod binary;
pub mod cfg;
pub mod check;
pub mod codes;
pub mod gobuild;
pub mod gomodule;
pub mod graph;
pub mod integrity;
pub mod layout;
pub mod stamp;
pub mod starter;
pub mod status;
pub mod wiring;

use crate::finding::{Finding, Location, Severity, fingerprint, relative_to_cwd};
use binary::{BinaryReport, Verdict};
use serde_json::json;
use std::path::PathBuf;

/// What a binary is expected to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Expect {
    /// The FIPS build: it must link a FIPS module and carry the status stamp.
    Fips,
    /// The default build: it must not link a FIPS module.
    NonFips,
}

/// The default status stamp a FIPS binary carries (`-ldflags -X main.BuildStamp=FIPSMode=true`
/// in Go, a `.note.fips-status` section in Rust; [`stamp`] lists the accepted forms).
pub const DEFAULT_STAMP: &str = "FIPSMode=true";

/// The check's result.
pub struct Outcome {
    /// Findings.
    pub findings: Vec<Finding>,
    /// What each binary showed.
    pub reports: Vec<BinaryReport>,
}

/// The Rust project whose builds to judge.
pub struct Project {
    /// Its `Cargo.toml`.
    pub manifest: PathBuf,
    /// The features that make the FIPS build (the default build uses none).
    pub fips_features: Vec<String>,
    /// Pass `--offline` to cargo.
    pub offline: bool,
    /// Markers beyond the built-in ones: (crate, feature).
    pub extra_markers: Vec<(String, Option<String>)>,
}

/// Errors that stop the check.
#[derive(Debug, thiserror::Error)]
pub enum FipsError {
    /// A binary could not be read.
    #[error(transparent)]
    Binary(#[from] binary::BinaryError),
    /// The status endpoint could not be read.
    #[error(transparent)]
    Status(#[from] status::StatusError),
    /// The build file could not be read.
    #[error("cannot read {path}: {message}")]
    Wiring {
        /// The Makefile or justfile.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The project's graph could not be resolved.
    #[error("cannot resolve the build graph of {manifest}: {message}")]
    Graph {
        /// The manifest.
        manifest: PathBuf,
        /// cargo's reason.
        message: String,
    },
}

/// Judges the project's default and FIPS builds: the default graph must hold no FIPS
/// provider, the FIPS graph must hold one.
pub fn check_project(project: &Project) -> Result<Vec<Finding>, FipsError> {
    let graph_error = |message: String| FipsError::Graph {
        manifest: project.manifest.clone(),
        message,
    };
    let default = graph::providers(
        &project.manifest,
        &[],
        project.offline,
        &project.extra_markers,
    )
    .map_err(graph_error)?;
    let fips = graph::providers(
        &project.manifest,
        &project.fips_features,
        project.offline,
        &project.extra_markers,
    )
    .map_err(graph_error)?;
    let shown = relative_to_cwd(&project.manifest);
    let mut findings = Vec::new();
    let mut push = |rule: &'static str, message: String, providers: &[graph::Provider]| {
        let listed: Vec<serde_json::Value> = providers
            .iter()
            .map(|p| json!({"provider": p.what, "dependency_path": p.path}))
            .collect();
        findings.push(Finding {
            locations: vec![Location::at_line(shown.clone(), None)],
            fingerprint: fingerprint(&[rule, &shown.to_string_lossy()]),
            evidence: [("providers".to_string(), json!(listed))].into(),
            ..Finding::of_code(rule, Some(Severity::High), message)
        });
    };
    if let Some(first) = default.first() {
        push(
            crate::checks::fips::codes::DEFAULT_LINKS_FIPS,
            format!(
                "the default build of {} links {} via {}",
                shown.display(),
                first.what,
                first.path.join(" → ")
            ),
            &default,
        );
    }
    if fips.is_empty() {
        push(
            crate::checks::fips::codes::BUILD_MISSING_MODULE,
            format!(
                "the FIPS build of {} (--features {}) links no FIPS provider",
                shown.display(),
                project.fips_features.join(",")
            ),
            &fips,
        );
    }
    Ok(findings)
}

/// Checks a Makefile or justfile: a distinct FIPS target, and no FIPS switch in the default
/// build target.
pub fn check_wiring(
    path: &std::path::Path,
    default_target: &str,
    fips_target: &str,
) -> Result<Vec<Finding>, FipsError> {
    let wiring_error = |message: String| FipsError::Wiring {
        path: path.to_path_buf(),
        message,
    };
    // A build file is text of a few kilobytes; a FIFO or a device here must not hang the gate.
    let bytes =
        crate::input::read_regular(path, 16 << 20).map_err(|e| wiring_error(e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        wiring_error(format!(
            "not UTF-8 text (byte {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    let shown = relative_to_cwd(path);
    Ok(wiring::check(&text, default_target, fips_target)
        .into_iter()
        .map(|problem| {
            let (rule, message, line) = match problem {
                wiring::Problem::DefaultSetsFips { target, switch, line } => (
                    crate::checks::fips::codes::DEFAULT_LINKS_FIPS,
                    format!("the default `{target}` target of {} sets {switch}: FIPS must be a separate, opt-in build", shown.display()),
                    u32::try_from(line).ok(),
                ),
                wiring::Problem::NoFipsTarget { target } => (
                    crate::checks::fips::codes::NO_FIPS_TARGET,
                    format!("{} has no `{target}` target: the FIPS build must be a distinct target", shown.display()),
                    None,
                ),
            };
            Finding {
                locations: vec![Location::at_line(shown.clone(), line)],
                fingerprint: fingerprint(&[rule, &shown.to_string_lossy(), &line.unwrap_or(0).to_string()]),
                ..Finding::of_code(rule, Some(Severity::High), message)
            }
        })
        .collect())
}

/// Judges a running service's status endpoint against `expect`.
pub fn check_status(url: &str, field: &str, expect: Expect) -> Result<Vec<Finding>, FipsError> {
    let reported = status::fetch(url, field, std::time::Duration::from_secs(10))?;
    let problem = match (expect, reported) {
        (Expect::Fips, Some(true)) | (Expect::NonFips, Some(false) | None) => None,
        (Expect::Fips, other) => Some((
            crate::checks::fips::codes::STATUS_NOT_REPORTED,
            format!(
                "{url} reports `{field}` as {} but the FIPS build must report true",
                other.map_or("absent".to_string(), |b| b.to_string())
            ),
        )),
        (Expect::NonFips, Some(true)) => Some((
            crate::checks::fips::codes::DEFAULT_LINKS_FIPS,
            format!("{url} reports `{field}` true but the default build must not run in FIPS mode"),
        )),
    };
    Ok(problem
        .into_iter()
        .map(|(rule, message)| Finding {
            locations: vec![Location::at_line(url, None)],
            fingerprint: fingerprint(&[rule, url, field]),
            evidence: [
                ("reported".to_string(), json!(reported)),
                ("field".to_string(), json!(field)),
            ]
            .into(),
            ..Finding::of_code(rule, Some(Severity::High), message)
        })
        .collect())
}

/// Analyses every binary and judges it against its expectation, if any.
pub fn run(
    binaries: &[(PathBuf, Option<Expect>)],
    stamp: &str,
) -> Result<Outcome, binary::BinaryError> {
    let mut findings = Vec::new();
    let mut reports = Vec::new();
    for (path, expect) in binaries {
        let expect = *expect;
        let report = binary::analyse(path, stamp)?;
        let shown = relative_to_cwd(path);
        let mut finding = |rule: &'static str, severity: Option<Severity>, message: String| {
            findings.push(Finding {
                locations: vec![Location::at_line(shown.clone(), None)],
                fingerprint: fingerprint(&[rule, &shown.to_string_lossy()]),
                evidence: [
                    ("verdict".to_string(), json!(report.verdict)),
                    ("module".to_string(), json!(report.module)),
                    ("evidence".to_string(), json!(report.evidence)),
                ]
                .into(),
                ..Finding::of_code(rule, severity, message)
            });
        };
        let name = shown.display();
        match (expect, report.verdict) {
            (Some(Expect::NonFips), Verdict::Fips) => finding(
                crate::checks::fips::codes::DEFAULT_LINKS_FIPS,
                Some(Severity::High),
                format!(
                    "{name} is expected to be the default build but links {}",
                    report.module.as_deref().unwrap_or("a FIPS module")
                ),
            ),
            (Some(Expect::Fips), Verdict::Fips) if !report.status_stamp => finding(
                crate::checks::fips::codes::STATUS_NOT_REPORTED,
                Some(Severity::High),
                format!(
                    "{name} links {} but does not carry the status stamp \"{}\" where it counts (Go: -ldflags -X, built without -trimpath; else a .note.fips-status section)",
                    report.module.as_deref().unwrap_or("a FIPS module"),
                    crate::input::excerpt(stamp, 40)
                ),
            ),
            (Some(Expect::Fips), Verdict::Fips) => {}
            (Some(Expect::Fips), verdict) => finding(
                crate::checks::fips::codes::BUILD_MISSING_MODULE,
                Some(Severity::High),
                format!(
                    "{name} is expected to be the FIPS build but links no FIPS module ({})",
                    match verdict {
                        Verdict::RuntimeOpenssl => "it uses the system OpenSSL",
                        Verdict::NonFips => "its crypto is not a FIPS module",
                        _ => "no known crypto library found",
                    }
                ),
            ),
            _ => {}
        }
        if report.verdict == Verdict::Fips
            && let Some(why) = &report.unvalidated
        {
            finding(
                crate::checks::fips::codes::UNVALIDATED_MODULE,
                None,
                format!(
                    "{name} runs in FIPS mode with {}, which is not a validated module version: {why}",
                    report.module.as_deref().unwrap_or("a FIPS module")
                ),
            );
        }
        if report.verdict == Verdict::RuntimeOpenssl {
            finding(
                crate::checks::fips::codes::RUNTIME_OPENSSL,
                None,
                format!(
                    "{name} uses the system OpenSSL: FIPS depends on the runtime OpenSSL configuration"
                ),
            );
        }
        reports.push(report);
    }
    Ok(Outcome { findings, reports })
}
