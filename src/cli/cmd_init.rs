//! `cargo palisade init`: writes the starter `palisade.toml` ([`crate::init`]).

use super::Outcome;
use crate::config::root::Config;
use crate::{note, output};
use anyhow::{Context, Result, bail};
use std::path::Path;

/// Runs it.
pub fn run(path: &Path, force: bool) -> Result<Outcome> {
    if path.exists() && !force {
        bail!("{} exists; pass --force to overwrite it", path.display());
    }
    // The starter names paths found in the history (its allow proposals): it leaves through
    // the redactor like every other output, and is checked as written.
    let starter = crate::init::starter(Path::new("."));
    let text = output::clean(&starter, output::Kind::Data);
    // Never write a file we would refuse to read.
    Config::parse(&text, path)?;
    std::fs::write(path, text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    note!(
        "wrote {}; check it with `cargo palisade config check`",
        path.display()
    );
    Ok(Outcome::Clean)
}
