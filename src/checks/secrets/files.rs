//! Scanning what is not (yet) history: the files on disk (`--worktree`) and what is staged in
//! the index and differs from `HEAD` (`--staged`, the pre-commit hook).
//!
//! In a git repository `--worktree` reads exactly what git could commit: every file the index
//! tracks (even one a `.gitignore` now matches, added with `git add -f`) and every untracked
//! file git does not ignore (`.gitignore` files, `.git/info/exclude`, `core.excludesFile`,
//! decided by gix as git decides). Outside a repository it reads every file, honouring
//! `.gitignore` files; `.ignore` files are a ripgrep convention, not git's, and never hide a
//! file from the gate.

use super::SecretsError;
use super::engine::RuleSet;
use super::history::{self, HistoryError, Hit, Limits, Stats};
use super::odb::Database;
use gix::ObjectId;
use rayon::prelude::*;
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

/// One file with secrets.
pub struct FileHits {
    /// Path relative to the scanned root, `/`-separated.
    pub path: String,
    /// The staged blob, for `--staged`.
    pub blob: Option<ObjectId>,
    /// What it holds.
    pub hits: Vec<Hit>,
}

/// A file or folder that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {path}: {message}")]
pub struct FileError {
    /// The path.
    pub path: PathBuf,
    /// Why.
    pub message: String,
}

fn file_error(path: &Path, e: impl std::fmt::Display) -> FileError {
    FileError {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Scans the files under `root`: in a git repository, those git tracks plus the untracked ones
/// it does not ignore; elsewhere every file but those `.gitignore` files exclude. The `.git`
/// folder is never read; hidden files such as `.env` are.
pub fn scan_worktree(
    root: &Path,
    rules: &RuleSet,
    limits: Limits,
) -> Result<(Vec<FileHits>, Stats), SecretsError> {
    let root = root.canonicalize().map_err(|e| file_error(root, e))?;
    let paths = match repository_of(&root)? {
        Some(repo) => git_files(&repo, &root)?,
        None => plain_files(&root)?,
    };
    let results: Vec<Result<(Option<FileHits>, Stats), FileError>> = paths
        .par_iter()
        .map_init(Vec::new, |matches, path| {
            let mut stats = Stats {
                objects: 1,
                blobs: 1,
                ..Stats::default()
            };
            let size = std::fs::metadata(path)
                .map_err(|e| file_error(path, e))?
                .len();
            if size > limits.max_blob_size {
                stats.skipped_large = 1;
                return Ok((None, stats));
            }
            let data = std::fs::read(path).map_err(|e| file_error(path, e))?;
            if !limits.scan_binary && history::is_binary(&data) {
                stats.skipped_binary = 1;
                return Ok((None, stats));
            }
            stats.blobs_scanned = 1;
            stats.bytes_scanned = data.len() as u64;
            let hits = history::hits_in(&data, rules, matches);
            // The blob id the file would get, so findings name a blob as history ones do.
            let found = (!hits.is_empty()).then(|| FileHits {
                path: relative(&root, path),
                blob: gix::objs::compute_hash(gix::hash::Kind::Sha1, gix::objs::Kind::Blob, &data)
                    .ok(),
                hits,
            });
            Ok((found, stats))
        })
        .collect();
    Ok(collect(results)?)
}

/// The repository whose work tree holds `dir`, found as git finds it: the nearest folder with
/// a `.git` entry. One that is there but cannot be opened is an error (read as a plain folder,
/// its tracked files that a `.gitignore` matches would be skipped).
fn repository_of(dir: &Path) -> Result<Option<gix::Repository>, HistoryError> {
    for folder in dir.ancestors() {
        if folder.join(".git").symlink_metadata().is_ok() {
            return history::open(folder).map(Some);
        }
    }
    Ok(None)
}

/// Every file git tracks under `root` (from the index) and every untracked file under it that
/// git does not ignore, sorted.
fn git_files(repo: &gix::Repository, root: &Path) -> Result<Vec<PathBuf>, SecretsError> {
    let workdir = repo
        .workdir()
        .ok_or_else(|| file_error(root, "a bare repository has no work tree to scan"))?
        .canonicalize()
        .map_err(|e| file_error(root, e))?;
    let prefix = root
        .strip_prefix(&workdir)
        .map_err(|_| file_error(root, "is outside the repository's work tree"))?
        .to_path_buf();
    if prefix
        .components()
        .next()
        .is_some_and(|c| c.as_os_str() == ".git")
    {
        return Err(file_error(root, "is inside the git directory, not the work tree").into());
    }
    let index =
        super::index::read(repo)?.unwrap_or_else(|| gix::index::State::new(repo.object_hash()));
    let mut files = BTreeSet::new();
    for entry in index.entries() {
        // A submodule's files belong to its own repository; a sparse directory is not on disk.
        if entry.mode.is_submodule() || entry.mode.is_sparse() {
            continue;
        }
        let path = gix::path::from_bstr(entry.path(&index)).into_owned();
        if !path.starts_with(&prefix) {
            continue;
        }
        let path = workdir.join(path);
        // Deleted since it was staged, or now a directory or a link: nothing to read. A link is
        // tracked as its target's name; following it could leave the work tree.
        if path.symlink_metadata().is_ok_and(|m| m.is_file()) {
            files.insert(path);
        }
    }
    let mut excludes = repo
        .excludes(
            &index,
            None,
            gix::worktree::stack::state::ignore::Source::WorktreeThenIdMappingIfNotSkipped,
        )
        .map_err(|e| {
            file_error(
                &workdir,
                format!(
                    "cannot read the ignore rules: {}",
                    super::reach::describe(&e)
                ),
            )
        })?;
    let mut excluded = |relative: &Path, dir: bool| -> Result<bool, FileError> {
        let mode = if dir {
            gix::index::entry::Mode::DIR
        } else {
            gix::index::entry::Mode::FILE
        };
        excludes
            .at_path(relative, Some(mode))
            .map(|platform| platform.is_excluded())
            .map_err(|e| file_error(&workdir.join(relative), e))
    };
    // Git does not look inside an ignored folder, so nothing untracked below one counts.
    let mut above = PathBuf::new();
    for component in prefix.components() {
        above.push(component);
        if excluded(&above, true)? {
            return Ok(files.into_iter().collect());
        }
    }
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(|e| file_error(&dir, e))? {
            let entry = entry.map_err(|e| file_error(&dir, e))?;
            if entry.file_name() == ".git" {
                continue;
            }
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| file_error(&path, e))?;
            let relative = path.strip_prefix(&workdir).unwrap_or(&path).to_path_buf();
            if kind.is_dir() {
                // A repository nested in the work tree is one unit to git (`git add` records
                // it as a submodule); its files are its own.
                if path.join(".git").symlink_metadata().is_ok() || excluded(&relative, true)? {
                    continue;
                }
                stack.push(path);
            } else if kind.is_file() && !files.contains(&path) && !excluded(&relative, false)? {
                files.insert(path);
            }
        }
    }
    Ok(files.into_iter().collect())
}

/// Every file under `root`, a folder in no repository, but those `.gitignore` files exclude.
fn plain_files(root: &Path) -> Result<Vec<PathBuf>, FileError> {
    let mut paths = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .ignore(false)
        .parents(false)
        .git_global(false)
        .git_exclude(false)
        .git_ignore(true)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build();
    for entry in walker {
        let entry = entry.map_err(|e| file_error(root, e))?;
        if entry.file_type().is_some_and(|t| t.is_file()) {
            paths.push(entry.into_path());
        }
    }
    paths.sort();
    Ok(paths)
}

fn collect<E>(
    results: Vec<Result<(Option<FileHits>, Stats), E>>,
) -> Result<(Vec<FileHits>, Stats), E> {
    let mut files = Vec::new();
    let mut total = Stats::default();
    for result in results {
        let (found, stats) = result?;
        total.objects += stats.objects;
        total.blobs += stats.blobs;
        total.blobs_scanned += stats.blobs_scanned;
        total.bytes_scanned += stats.bytes_scanned;
        total.skipped_binary += stats.skipped_binary;
        total.skipped_large += stats.skipped_large;
        files.extend(found);
    }
    Ok((files, total))
}

/// Scans the blobs staged in the index that `HEAD` does not have at the same path. A damaged
/// index, a `HEAD` that cannot be read or names a missing commit, and a staged blob that is
/// not there are errors: the hook must not pass a commit it could not look at.
pub fn scan_staged(
    repo: &gix::Repository,
    rules: &RuleSet,
    limits: Limits,
) -> Result<(Vec<FileHits>, Stats), HistoryError> {
    let db = Database::open(repo, false)?;
    let index =
        super::index::read(repo)?.unwrap_or_else(|| gix::index::State::new(repo.object_hash()));
    // What HEAD has, as (path, blob); an unborn HEAD (no commit yet) has nothing.
    let mut committed: HashSet<(String, ObjectId)> = HashSet::new();
    let head = repo.head().map_err(|e| HistoryError::Ref {
        repo: repo.path().to_path_buf(),
        what: "HEAD".into(),
        message: format!("cannot be read: {}", super::reach::describe(&e)),
    })?;
    if let Some(id) = head.id() {
        let commit = super::reach::peel_to_commit(repo, "HEAD", id.detach())?;
        if let Some(commit) = commit {
            let mut buf = Vec::new();
            let tree = history::read_commit(repo, &db, &mut buf, commit)
                .map_err(|message| HistoryError::Object {
                    repo: repo.path().to_path_buf(),
                    id: commit,
                    message,
                })?
                .map(|info| info.tree)
                .ok_or_else(|| HistoryError::Object {
                    repo: repo.path().to_path_buf(),
                    id: commit,
                    message: "HEAD's commit is missing".into(),
                })?;
            head_blobs(repo, &db, tree, "", &mut committed, &mut buf)?;
        }
    }
    let staged: Vec<(String, ObjectId)> = index
        .entries()
        .iter()
        .filter(|e| e.stage_raw() == 0 && !e.mode.is_submodule() && !e.mode.is_sparse())
        .map(|e| (e.path(&index).to_string(), e.id))
        .filter(|key| !committed.contains(key))
        .collect();
    let results: Vec<Result<(Option<FileHits>, Stats), HistoryError>> = staged
        .iter()
        .map(|(path, id)| {
            let mut stats = Stats {
                objects: 1,
                blobs: 1,
                ..Stats::default()
            };
            let mut buf = Vec::new();
            let object_error = |message: String| HistoryError::Object {
                repo: repo.path().to_path_buf(),
                id: *id,
                message,
            };
            let data = history::find(repo, &db, id, &mut buf)
                .map_err(object_error)?
                .ok_or_else(|| {
                    object_error(format!(
                        "staged blob `{}` is missing",
                        super::reach::excerpt(path)
                    ))
                })?;
            if data.data.len() as u64 > limits.max_blob_size {
                stats.skipped_large = 1;
                return Ok((None, stats));
            }
            if !limits.scan_binary && history::is_binary(data.data) {
                stats.skipped_binary = 1;
                return Ok((None, stats));
            }
            stats.blobs_scanned = 1;
            stats.bytes_scanned = data.data.len() as u64;
            let hits = history::hits_in(data.data, rules, &mut Vec::new());
            let found = (!hits.is_empty()).then(|| FileHits {
                path: path.clone(),
                blob: Some(*id),
                hits,
            });
            Ok((found, stats))
        })
        .collect();
    collect(results)
}

fn head_blobs(
    repo: &gix::Repository,
    db: &Database,
    tree: ObjectId,
    prefix: &str,
    out: &mut HashSet<(String, ObjectId)>,
    buf: &mut Vec<u8>,
) -> Result<(), HistoryError> {
    for (mode, name, oid) in history::tree_entries(repo, db, tree, buf)? {
        let path = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        if mode.is_tree() {
            head_blobs(repo, db, oid, &path, out, buf)?;
        } else if mode.is_blob_or_symlink() {
            out.insert((path, oid));
        }
    }
    Ok(())
}
