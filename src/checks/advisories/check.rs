//! The advisories check as the registry runs it: its settings resolved once from the flags,
//! the project and `[advisories]`; its summary as report data.

use super::{Summary as Scanned, Target, db};
use crate::check::{Check, CheckOutput, Context, Line, Project, Summary, Tone};
use crate::codes::Code;
use crate::config::root::Config;
use std::path::{Path, PathBuf};

/// RustSec advisories against the project's `Cargo.lock`.
pub struct Advisories;

/// What a run of the check reads, resolved once.
pub struct Settings {
    /// The project and how to read it.
    pub target: Target,
    /// The advisory DB.
    pub db_path: PathBuf,
}

/// Flags, then `[advisories]`, then the defaults.
pub fn resolve(ctx: &Context<'_>) -> anyhow::Result<Settings> {
    let db_path = db::resolve_path(
        ctx.flags.advisory_db.as_deref(),
        ctx.config.advisories.db.as_deref(),
    )?;
    Ok(Settings {
        target: Target {
            manifest_path: ctx.project.manifest.clone(),
            lockfile: ctx.project.lockfile.clone(),
            generate_lockfile: ctx.flags.generate_lockfile,
            offline: ctx.flags.offline,
        },
        db_path,
    })
}

impl Check for Advisories {
    fn name(&self) -> &'static str {
        "advisories"
    }

    fn codes(&self) -> &'static [Code] {
        super::codes::CODES
    }

    fn applies(&self, project: &Project, _: &Config) -> anyhow::Result<bool> {
        Ok(project.manifest.is_some() || project.lockfile.is_some())
    }

    fn starter(&self, dir: &Path) -> Option<String> {
        dir.join("Cargo.toml").is_file().then(|| {
            "\n# Found a cargo project: RustSec advisories on its Cargo.lock.\n\
             [advisories]\n\
             # db = \"../advisory-db\"     # else --advisory-db, $PALISADE_ADVISORY_DB, $CARGO_HOME/advisory-db\n\
             stale-after-days = 90\n\
             informational = [\"unmaintained\", \"unsound\", \"notice\"]\n\n\
             # [[advisories.ignore]]\n\
             # id = \"RUSTSEC-2023-0071\"\n\
             # reason = \"why it does not affect us\"\n\
             # ticket = \"SEC-1\"\n\
             # expires = 2027-01-01\n"
                .to_string()
        })
    }

    fn run(&self, ctx: &Context<'_>) -> anyhow::Result<CheckOutput> {
        let settings = resolve(ctx)?;
        let outcome = super::run(
            &settings.target,
            &settings.db_path,
            &ctx.config.advisories,
            ctx.today,
        )?;
        Ok(CheckOutput {
            findings: outcome.findings,
            summary: summary(&outcome.summary),
            runs: None,
        })
    }
}

/// The lockfile and database scanned, for people and for the JSON report.
fn summary(s: &Scanned) -> Summary {
    let line = Line::default().with(Tone::Strong, "Scanned").with(
        Tone::Plain,
        format!(
            " {} ({} packages) against {} advisories in {}{}",
            s.lockfile.display(),
            s.package_count,
            s.advisory_count,
            s.database.display(),
            s.database_updated
                .as_ref()
                .map(|d| format!(" (updated {d})"))
                .unwrap_or_default()
        ),
    );
    Summary {
        text: vec![line],
        data: Some(std::sync::Arc::new(s.clone())),
    }
}
