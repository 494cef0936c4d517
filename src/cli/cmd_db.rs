//! `cargo palisade db fetch`: clones or updates the RustSec advisory database (the one
//! command that goes online).

use super::Outcome;
use crate::checks::advisories::db;
use crate::note;
use anyhow::Result;
use std::path::Path;

/// Runs it.
pub fn fetch(advisory_db: Option<&Path>) -> Result<Outcome> {
    let path = db::resolve_path(advisory_db, None)?;
    note!(
        "Fetching the RustSec advisory database into {}…",
        path.display()
    );
    db::fetch(&path)?;
    let loaded = db::load(&path)?;
    note!(
        "{} advisories at {}{}",
        loaded.db.iter().count(),
        path.display(),
        loaded
            .commit
            .map(|c| format!(" (commit {c})"))
            .unwrap_or_default()
    );
    Ok(Outcome::Clean)
}

/// `db fetch --go`: downloads the Go vulnerability database.
pub fn fetch_go(go_vulndb: Option<&Path>) -> Result<Outcome> {
    use crate::checks::go::{fetch, osv};
    let path = osv::resolve_path(go_vulndb, None)?;
    note!(
        "Fetching the Go vulnerability database into {}…",
        path.display()
    );
    let count = fetch::fetch(&path)?;
    note!("{count} entries at {}", path.display());
    Ok(Outcome::Clean)
}
