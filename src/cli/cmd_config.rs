//! `cargo palisade config check`: validates the config that would be used here.

use super::Outcome;
use super::resolve::find_config;
use crate::output;
use anyhow::{Context, Result};
use std::path::Path;

/// Runs it.
pub fn check(explicit: Option<&Path>) -> Result<Outcome> {
    let found = find_config(explicit, Path::new("."))?;
    let line = match &found.path {
        Some(path) => format!(
            "{}: valid ({} advisory ignores, {} secret allow entries, {} custom rules, [fips] {})\n",
            path.display(),
            found.advisories.ignore.len(),
            found.secrets.allow.len(),
            found.secrets.rules.len(),
            if found.fips.enabled { "set" } else { "not set" }
        ),
        None => "no palisade.toml found here or above: the defaults apply\n".to_string(),
    };
    output::stdout(&line, output::Kind::Text).context("cannot write to stdout")?;
    Ok(Outcome::Clean)
}
