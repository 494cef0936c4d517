//! The FIPS check as the registry runs it: its settings resolved once from the flags, the
//! project and `[fips]`; each binary's verdict and evidence as report data.

use super::binary::{BinaryReport, Verdict};
use super::{DEFAULT_STAMP, Expect};
use crate::check::{Check, CheckOutput, Context, Invocation, Line, Project, Summary, Tone};
use crate::codes::Code;
use crate::config::root::Config;
use anyhow::bail;
use std::path::{Path, PathBuf};

/// FIPS builds: the default build links no FIPS module, the FIPS build does and says so.
pub struct Fips;

/// What a run of the check reads, resolved once.
pub struct Settings {
    /// Binaries to judge, each with what it must be.
    pub binaries: Vec<(PathBuf, Option<Expect>)>,
    /// The status stamp a FIPS binary carries.
    pub stamp: String,
    /// A running service's status endpoint: URL, JSON field, what it must say.
    pub status: Option<(String, String, Expect)>,
    /// The cargo project whose two builds' graphs to judge.
    pub project: Option<super::Project>,
    /// The Makefile/justfile with its default and FIPS targets.
    pub wiring: Option<(PathBuf, String, String)>,
}

/// Flags, then `[fips]`, then the defaults.
pub fn resolve(ctx: &Context<'_>) -> anyhow::Result<Settings> {
    let (flags, cfg) = (ctx.flags, &ctx.config.fips);
    let stamp = flags
        .status_stamp
        .clone()
        .or_else(|| cfg.status_stamp.clone())
        .unwrap_or_else(|| DEFAULT_STAMP.to_string());
    let binaries: Vec<(PathBuf, Option<Expect>)> = if flags.binaries.is_empty() {
        cfg.binaries
            .iter()
            .map(|(p, e)| (p.clone(), Some(flags.expect.unwrap_or(*e))))
            .collect()
    } else {
        flags
            .binaries
            .iter()
            .map(|p| (p.clone(), flags.expect))
            .collect()
    };
    let status_field = flags
        .status_field
        .clone()
        .or_else(|| cfg.status_field.clone())
        .unwrap_or_else(|| "fips".into());
    let fips_features = if flags.fips_features.is_empty() {
        cfg.fips_features
            .clone()
            .unwrap_or_else(|| vec!["fips".into()])
    } else {
        flags.fips_features.clone()
    };
    let build_target = flags
        .build_target
        .clone()
        .or_else(|| cfg.build_target.clone())
        .unwrap_or_else(|| "build".into());
    let fips_target = flags
        .fips_target
        .clone()
        .or_else(|| cfg.fips_target.clone())
        .unwrap_or_else(|| "fips-build".into());
    let (manifest, makefile) = match ctx.invocation {
        // The gate judges every FIPS part of the project it finds.
        Invocation::Gate => (
            ctx.project.manifest.clone(),
            super::wiring::find(&ctx.project.root),
        ),
        // A command judges what it is pointed at; with nothing named, the project here.
        Invocation::Command => {
            let manifest = flags.manifest_path.clone().or_else(|| {
                let here = PathBuf::from("Cargo.toml");
                (binaries.is_empty()
                    && flags.makefile.is_none()
                    && flags.status_url.is_none()
                    && here.is_file())
                .then_some(here)
            });
            let makefile = flags.makefile.clone().or_else(|| {
                let dir = match &manifest {
                    Some(m) => m.parent().map(Path::to_path_buf).unwrap_or_default(),
                    None if binaries.is_empty() && flags.status_url.is_none() => PathBuf::from("."),
                    None => return None,
                };
                let dir = if dir.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    dir
                };
                super::wiring::find(&dir)
            });
            (manifest, makefile)
        }
    };
    let status = match (&flags.status_url, flags.expect) {
        (Some(url), Some(expect)) => Some((url.clone(), status_field, expect)),
        _ => None,
    };
    if manifest.is_none() && makefile.is_none() && binaries.is_empty() && flags.status_url.is_none()
    {
        bail!(
            "nothing to check: pass --binary PATH, --manifest-path or --makefile (or run in a cargo project)"
        );
    }
    Ok(Settings {
        binaries,
        stamp,
        status,
        project: manifest.map(|manifest| super::Project {
            manifest,
            fips_features,
            offline: flags.offline,
            extra_markers: cfg.markers.clone(),
        }),
        wiring: makefile.map(|m| (m, build_target, fips_target)),
    })
}

impl Check for Fips {
    fn name(&self) -> &'static str {
        "fips"
    }

    fn codes(&self) -> &'static [Code] {
        super::codes::CODES
    }

    fn applies(&self, project: &Project, config: &Config) -> anyhow::Result<bool> {
        if !config.fips.enabled {
            return Ok(false);
        }
        if config.fips.binaries.is_empty()
            && project.manifest.is_none()
            && super::wiring::find(&project.root).is_none()
        {
            bail!(
                "[fips] in {} has nothing to check in {}: list [[fips.binaries]], or run where the Cargo.toml or the Makefile/justfile with the FIPS target is",
                config
                    .path
                    .as_deref()
                    .map_or_else(|| "palisade.toml".into(), |p| p.display().to_string()),
                project.root.display()
            );
        }
        Ok(true)
    }

    fn starter(&self, dir: &Path) -> Option<String> {
        super::starter::section(dir)
    }

    fn run(&self, ctx: &Context<'_>) -> anyhow::Result<CheckOutput> {
        let settings = resolve(ctx)?;
        let mut outcome = super::run(&settings.binaries, &settings.stamp)?;
        if let Some((url, field, expect)) = &settings.status {
            outcome
                .findings
                .extend(super::check_status(url, field, *expect)?);
        }
        if let Some(project) = &settings.project {
            outcome.findings.extend(super::check_project(project)?);
        }
        if let Some((makefile, build, fips)) = &settings.wiring {
            outcome
                .findings
                .extend(super::check_wiring(makefile, build, fips)?);
        }
        Ok(CheckOutput {
            findings: outcome.findings,
            summary: summary(&outcome.reports),
            runs: None,
        })
    }
}

/// Each binary's verdict and evidence (also what `fips --explain` prints).
fn summary(reports: &[BinaryReport]) -> Summary {
    let mut text = Vec::new();
    for r in reports {
        let verdict = match r.verdict {
            Verdict::Fips => (Tone::Good, "FIPS"),
            Verdict::NonFips => (Tone::Strong, "non-FIPS"),
            Verdict::RuntimeOpenssl => (Tone::Caution, "runtime OpenSSL"),
            Verdict::Unknown => (Tone::Dim, "no known crypto"),
        };
        text.push(
            Line::default()
                .with(Tone::Strong, r.path.display().to_string())
                .with(Tone::Plain, ": ")
                .with(verdict.0, verdict.1)
                .with(
                    Tone::Plain,
                    format!(
                        "{} ({}{})",
                        r.module
                            .as_ref()
                            .map(|m| format!(", {m}"))
                            .unwrap_or_default(),
                        r.format,
                        if r.stripped { ", stripped" } else { "" }
                    ),
                ),
        );
        for e in &r.evidence {
            text.push(
                Line::plain("  ")
                    .with(Tone::Dim, "-")
                    .with(Tone::Plain, format!(" {e}")),
            );
        }
        if !r.needed.is_empty() {
            text.push(
                Line::plain("  ")
                    .with(Tone::Dim, "needs:")
                    .with(Tone::Plain, format!(" {}", r.needed.join(", "))),
            );
        }
        text.push(Line::plain("  ").with(Tone::Dim, "status stamp:").with(
            Tone::Plain,
            format!(" {}", if r.status_stamp { "present" } else { "absent" }),
        ));
    }
    Summary {
        text,
        data: Some(std::sync::Arc::new(reports.to_vec())),
    }
}
