//! The repository as a whole: finding it (upward, as git does) and opening it, whether it is
//! shallow or a partial clone; the errors that stop the git reader, and gix's messages made fit
//! for them (one line, quoted input cut).
//!
//! It must not read objects or walk history (the other modules of [`super`] do), nor know
//! anything of rules or matching.

use gix::ObjectId;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// What stops a history scan.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// Not a git repository, or unreadable.
    #[error("cannot open git repository at {path}: {message}")]
    Open {
        /// The path given.
        path: PathBuf,
        /// gix's reason.
        message: String,
    },
    /// An object is missing or cannot be decoded (corrupt pack, truncated loose object).
    #[error(
        "git object {id} in {repo} cannot be read: {message}; the repository is damaged (try `git fsck`)"
    )]
    Object {
        /// The repository.
        repo: PathBuf,
        /// The object.
        id: ObjectId,
        /// Why.
        message: String,
    },
    /// A file of the object database does not verify: objects would be invisible.
    #[error("cannot trust {path}: {message} (try `git fsck`)")]
    Damaged {
        /// The pack, index, directory or file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// An object a ref reaches is not in the repository (a partial clone, a deleted object).
    #[error("{repo} is incomplete: {message}")]
    Incomplete {
        /// The repository.
        repo: PathBuf,
        /// What is missing, what refers to it, what to do.
        message: String,
    },
    /// A ref, `HEAD` or a revision cannot be read, or names an object that is not there.
    #[error("{what} in {repo} {message}")]
    Ref {
        /// The repository.
        repo: PathBuf,
        /// The ref (`refs/heads/main`, `HEAD`, `packed-refs`) or revision (`--since main`).
        what: String,
        /// What is wrong.
        message: String,
    },
    /// The index (staging area) cannot be read.
    #[error(
        "git index {path} cannot be read: {message}; rebuild it from HEAD with `rm {path} && git reset` (staged changes are lost)"
    )]
    Index {
        /// The index file.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

/// Opens the repository at `path` (a work tree or a bare repository).
pub fn open(path: &Path) -> Result<gix::Repository, HistoryError> {
    // Without a delta-base cache, every delta re-inflates its base chain. The whole-history
    // pass reads packs itself (`objects::Database::read_packed`); the store serves range
    // scans, ref deltas and the rest, for which 8 MB per reading thread is as fast as 16 or
    // 32 MB at a lower peak RSS. Git's own default is 96 MB.
    let mut options = gix::open::Options::default();
    if std::env::var_os("GIX_PACK_CACHE_MEMORY").is_none() {
        options = options.config_overrides(["core.deltaBaseCacheLimit=8m"]);
    }
    gix::open_opts(path, options).map_err(|e| HistoryError::Open {
        path: path.to_path_buf(),
        message: describe(&e),
    })
}

/// The git repository that holds `start`, found upward as git does: the nearest folder with a
/// `.git` entry (a directory, or a file naming the git directory of a worktree or submodule),
/// or a bare repository. `None` when no folder from `start` up is one.
pub fn find_repository(start: &std::path::Path) -> Option<PathBuf> {
    if !start.is_dir() {
        return None;
    }
    let start = std::fs::canonicalize(start).unwrap_or_else(|_| start.to_path_buf());
    start.ancestors().find_map(|dir| {
        let bare =
            dir.join("HEAD").is_file() && dir.join("objects").is_dir() && dir.join("refs").is_dir();
        (dir.join(".git").exists() || bare).then(|| dir.to_path_buf())
    })
}

/// The repository whose work tree holds `dir`, found as git finds it: the nearest folder with
/// a `.git` entry. One that is there but cannot be opened is an error (read as a plain folder,
/// its tracked files that a `.gitignore` matches would be skipped).
pub(crate) fn repository_of(dir: &Path) -> Result<Option<gix::Repository>, HistoryError> {
    for folder in dir.ancestors() {
        if folder.join(".git").symlink_metadata().is_ok() {
            return open(folder).map(Some);
        }
    }
    Ok(None)
}

/// Whether the repository is a shallow clone (history cut off).
pub fn is_shallow(repo: &gix::Repository) -> bool {
    repo.path().join("shallow").is_file()
}

/// The commits the repository's `shallow` file names: their parents are cut off on purpose.
pub fn shallow_commits(repo: &gix::Repository) -> Result<HashSet<ObjectId>, HistoryError> {
    let commits = repo.shallow_commits().map_err(|e| HistoryError::Damaged {
        path: repo.shallow_file(),
        message: format!("cannot read the shallow file: {}", describe(&e)),
    })?;
    Ok(commits
        .map(|c| c.iter().copied().collect())
        .unwrap_or_default())
}

/// Whether the repository is a partial clone (`git clone --filter`): objects may be missing on
/// purpose, to be fetched on demand, which a scanner cannot do.
pub fn is_partial_clone(repo: &gix::Repository) -> bool {
    let config = repo.config_snapshot();
    if config.string("extensions.partialClone").is_some() {
        return true;
    }
    repo.remote_names()
        .iter()
        .any(|name| config.boolean(&format!("remote.{name}.promisor")) == Some(true))
}

/// What to do about a missing object: for a partial clone, fetch what the filter left out.
pub fn partial_clone_hint(repo: &gix::Repository) -> &'static str {
    if is_partial_clone(repo) {
        " (this is a partial clone, made with --filter: the repository is incomplete; fetch every object with `git fetch --refetch` or clone without --filter)"
    } else {
        " (the repository is damaged or incomplete: try `git fsck`)"
    }
}

/// A message from gix made fit for an error line: on one line, and every quoted run longer
/// than a short excerpt cut, because gix quotes what it failed to parse (a ref file's content,
/// which may be anything, a token included).
pub(crate) fn one_line(message: &str) -> String {
    const KEEP: usize = 20;
    let flat = message.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(flat.len());
    let mut quoted: Option<String> = None;
    let close = |out: &mut String, run: &str| {
        if run.chars().count() > KEEP + 4 {
            out.extend(run.chars().take(KEEP));
            out.push('…');
        } else {
            out.push_str(run);
        }
    };
    for c in flat.chars() {
        match (&mut quoted, c) {
            (None, '"') => {
                out.push('"');
                quoted = Some(String::new());
            }
            (None, c) => out.push(c),
            (Some(run), '"') => {
                close(&mut out, run);
                out.push('"');
                quoted = None;
            }
            (Some(run), c) => run.push(c),
        }
    }
    if let Some(run) = quoted {
        close(&mut out, &run);
    }
    out
}

/// An error and its sources on one line, quoted input cut (see [`one_line`]).
pub(crate) fn describe(error: &dyn std::error::Error) -> String {
    one_line(&crate::output::error_chain(error))
}

/// `text` cut to at most 40 characters: the most of an input an error may quote.
pub(crate) fn excerpt(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(MAX - 1).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_cuts_long_quoted_input() {
        let gix = "The reference at \"refs/heads/bad\" could not be instantiated: \"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 garbage\\n\" could not\nbe parsed";
        let line = one_line(gix);
        assert_eq!(
            line,
            "The reference at \"refs/heads/bad\" could not be instantiated: \"ghp_WK59PFkl0JfI2yyV…\" could not be parsed"
        );
        assert_eq!(
            one_line("open \"unterminated and long enough to be cut"),
            "open \"unterminated and lon…"
        );
        assert_eq!(excerpt(&"x".repeat(50)).chars().count(), 40);
    }
}
