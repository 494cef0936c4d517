//! What is not history yet, as git sees it: the files of a work tree git could commit, and the
//! blobs staged in the index that `HEAD` does not have.
//!
//! In a git repository the work tree listing is exactly what git could commit: every file the
//! index tracks (even one a `.gitignore` now matches, added with `git add -f`) and every
//! untracked file git does not ignore (`.gitignore` files, `.git/info/exclude`,
//! `core.excludesFile`, decided by gix as git decides). Outside a repository it is every file,
//! honouring `.gitignore` files; `.ignore` files are a ripgrep convention, not git's, and never
//! hide a file from the gate.
//!
//! It lists paths and blob ids; it does not read the files' content or match (that is
//! [`super::super::scan`]).

use super::objects::{Database, read_commit};
use super::refs::peel_to_commit;
use super::repo::{HistoryError, describe, repository_of};
use super::trees::tree_entries;
use gix::ObjectId;
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

/// A file or folder that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {path}: {message}")]
pub struct FileError {
    /// The path.
    pub path: PathBuf,
    /// Why.
    pub message: String,
}

/// What stops listing a work tree: the repository or its index cannot be read, or a file or
/// folder cannot.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// The repository or its index.
    #[error(transparent)]
    History(#[from] HistoryError),
    /// A file or folder.
    #[error(transparent)]
    File(#[from] FileError),
}

pub(crate) fn file_error(path: &Path, e: impl std::fmt::Display) -> FileError {
    FileError {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// The files under `root`, which is made canonical first: in a git repository, those git
/// tracks plus the untracked ones it does not ignore; elsewhere every file but those
/// `.gitignore` files exclude. The `.git` folder is never listed; hidden files such as `.env`
/// are. Returns the canonical root with the paths, sorted.
pub fn files(root: &Path) -> Result<(PathBuf, Vec<PathBuf>), ListError> {
    let root = root.canonicalize().map_err(|e| file_error(root, e))?;
    let paths = match repository_of(&root)? {
        Some(repo) => git_files(&repo, &root)?,
        None => plain_files(&root)?,
    };
    Ok((root, paths))
}

/// Every file git tracks under `root` (from the index) and every untracked file under it that
/// git does not ignore, sorted.
fn git_files(repo: &gix::Repository, root: &Path) -> Result<Vec<PathBuf>, ListError> {
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
                format!("cannot read the ignore rules: {}", describe(&e)),
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

/// The blobs staged in the index that `HEAD` does not have at the same path, as (path, blob),
/// in index order. A damaged index and a `HEAD` that cannot be read or names a missing commit
/// are errors: the hook must not pass a commit it could not look at.
pub fn staged(
    repo: &gix::Repository,
    db: &Database,
) -> Result<Vec<(String, ObjectId)>, HistoryError> {
    let index =
        super::index::read(repo)?.unwrap_or_else(|| gix::index::State::new(repo.object_hash()));
    // What HEAD has, as (path, blob); an unborn HEAD (no commit yet) has nothing.
    let mut committed: HashSet<(String, ObjectId)> = HashSet::new();
    let head = repo.head().map_err(|e| HistoryError::Ref {
        repo: repo.path().to_path_buf(),
        what: "HEAD".into(),
        message: format!("cannot be read: {}", describe(&e)),
    })?;
    if let Some(id) = head.id() {
        let commit = peel_to_commit(repo, "HEAD", id.detach())?;
        if let Some(commit) = commit {
            let mut buf = Vec::new();
            let tree = read_commit(repo, db, &mut buf, commit)
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
            head_blobs(repo, db, tree, "", &mut committed, &mut buf)?;
        }
    }
    let staged: Vec<(String, ObjectId)> = index
        .entries()
        .iter()
        .filter(|e| e.stage_raw() == 0 && !e.mode.is_submodule() && !e.mode.is_sparse())
        .map(|e| (e.path(&index).to_string(), e.id))
        .filter(|key| !committed.contains(key))
        .collect();
    Ok(staged)
}

fn head_blobs(
    repo: &gix::Repository,
    db: &Database,
    tree: ObjectId,
    prefix: &str,
    out: &mut HashSet<(String, ObjectId)>,
    buf: &mut Vec<u8>,
) -> Result<(), HistoryError> {
    for (mode, name, oid) in tree_entries(repo, db, tree, buf)? {
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
