//! Finding, loading and fetching the RustSec advisory database. Loading is offline: the DB is
//! a directory on disk (a git checkout or a plain copy).

use crate::output::error_chain;
use std::path::{Path, PathBuf};

/// The environment variable naming the DB directory.
pub const ENV_VAR: &str = "PALISADE_ADVISORY_DB";

/// Errors about the advisory database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// No directory at the path.
    #[error(
        "no advisory database at {0}: fetch one with `cargo palisade db fetch --advisory-db {0}`, \
         or pass --advisory-db / set {ENV_VAR}"
    )]
    Missing(PathBuf),
    /// A directory, but not a usable DB.
    #[error("advisory database at {path} is unusable: {message}")]
    Invalid {
        /// The DB directory.
        path: PathBuf,
        /// What rustsec said (names the advisory file).
        message: String,
    },
    /// Fetching failed.
    #[error("fetching the advisory database into {path} failed: {message}")]
    Fetch {
        /// The target directory.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// No default location could be worked out.
    #[error(
        "cannot locate $CARGO_HOME for the default advisory database: pass --advisory-db or set {ENV_VAR}"
    )]
    NoHome,
}

/// A loaded database with what we know about its age.
pub struct LoadedDb {
    /// The advisories.
    pub db: rustsec::Database,
    /// Where it was loaded from.
    pub path: PathBuf,
    /// When it was last updated: the last commit's date for a git checkout, else the newest
    /// advisory's date.
    pub last_updated: Option<jiff::civil::Date>,
    /// The git commit it is at, when it is a checkout.
    pub commit: Option<String>,
}

/// Resolves the DB path: the flag, then the env var (both already merged by clap), then
/// config, then `$CARGO_HOME/advisory-db`.
pub fn resolve_path(flag: Option<&Path>, config: Option<&Path>) -> Result<PathBuf, DbError> {
    if let Some(p) = flag.or(config) {
        return Ok(p.to_path_buf());
    }
    home::cargo_home()
        .map(|h| h.join("advisory-db"))
        .map_err(|_| DbError::NoHome)
}

/// Loads the DB at `path`, offline.
pub fn load(path: &Path) -> Result<LoadedDb, DbError> {
    let invalid = |message: String| DbError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    if path.exists() && !path.is_dir() {
        return Err(invalid(
            "it is a file, not a folder: point --advisory-db at the advisory-db checkout".into(),
        ));
    }
    if !path.is_dir() {
        return Err(DbError::Missing(path.to_path_buf()));
    }
    if !path.join("crates").is_dir() {
        return Err(invalid(
            "it has no `crates/` folder; is this a RustSec advisory-db checkout?".into(),
        ));
    }
    let db = rustsec::Database::open(path).map_err(|e| invalid(error_chain(&e)))?;
    // An empty database passes every lockfile: "0 advisories" is a failure to look, not a
    // clean result.
    if db.iter().next().is_none() {
        return Err(invalid(format!(
            "it holds no advisories (`crates/` has no advisory files): fetch it with `cargo palisade db fetch --advisory-db {}`",
            path.display()
        )));
    }
    let newest_advisory = db
        .iter()
        .filter_map(|a| a.metadata.date.as_str().parse::<jiff::civil::Date>().ok())
        .max();
    let (commit, commit_date) = git_head(path);
    Ok(LoadedDb {
        db,
        path: path.to_path_buf(),
        last_updated: commit_date.or(newest_advisory),
        commit,
    })
}

/// The head commit id and date of a git checkout, read with gix; `(None, None)` otherwise.
fn git_head(path: &Path) -> (Option<String>, Option<jiff::civil::Date>) {
    if !path.join(".git").exists() {
        return (None, None);
    }
    let Ok(repo) = rustsec::repository::git::Repository::open(path) else {
        return (None, None);
    };
    let Ok(commit) = repo.latest_commit() else {
        return (None, None);
    };
    let date = jiff::civil::Date::new(
        commit.timestamp.year() as i16,
        u8::from(commit.timestamp.month()) as i8,
        commit.timestamp.day() as i8,
    )
    .ok();
    (Some(commit.commit_id.to_hex()), date)
}

/// Clones or updates the RustSec DB at `path` (needs network access to GitHub).
pub fn fetch(path: &Path) -> Result<(), DbError> {
    rustsec::repository::git::Repository::fetch(
        rustsec::repository::git::DEFAULT_URL,
        path,
        true,
        std::time::Duration::from_secs(300),
    )
    .map(|_| ())
    .map_err(|e| DbError::Fetch {
        path: path.to_path_buf(),
        message: error_chain(&e),
    })
}
