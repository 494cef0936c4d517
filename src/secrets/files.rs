//! Scanning what is not (yet) history: the files on disk (`--worktree`: tracked and untracked
//! but not ignored, or every file of a folder that is no repository) and what is staged in the
//! index and differs from `HEAD` (`--staged`, the pre-commit hook).

use super::engine::RuleSet;
use super::history::{self, HistoryError, Hit, Limits, Stats};
use gix::ObjectId;
use rayon::prelude::*;
use std::collections::HashSet;
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

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Scans the files under `root`, honouring `.gitignore` (and `.git/info/exclude`), skipping the
/// `.git` folder; hidden files such as `.env` are scanned.
pub fn scan_worktree(
    root: &Path,
    rules: &RuleSet,
    limits: Limits,
) -> Result<(Vec<FileHits>, Stats), FileError> {
    let mut paths = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build();
    for entry in walker {
        let entry = entry.map_err(|e| FileError {
            path: root.to_path_buf(),
            message: e.to_string(),
        })?;
        if entry.file_type().is_some_and(|t| t.is_file()) {
            paths.push(entry.into_path());
        }
    }
    paths.sort();
    let results: Vec<Result<(Option<FileHits>, Stats), FileError>> = paths
        .par_iter()
        .map_init(Vec::new, |matches, path| {
            let mut stats = Stats {
                objects: 1,
                blobs: 1,
                ..Stats::default()
            };
            let size = std::fs::metadata(path)
                .map_err(|e| FileError {
                    path: path.clone(),
                    message: e.to_string(),
                })?
                .len();
            if size > limits.max_blob_size {
                stats.skipped_large = 1;
                return Ok((None, stats));
            }
            let data = std::fs::read(path).map_err(|e| FileError {
                path: path.clone(),
                message: e.to_string(),
            })?;
            if !limits.scan_binary && history::is_binary(&data) {
                stats.skipped_binary = 1;
                return Ok((None, stats));
            }
            stats.blobs_scanned = 1;
            stats.bytes_scanned = data.len() as u64;
            let hits = history::hits_in(&data, rules, matches);
            // The blob id the file would get, so findings name a blob as history ones do.
            let found = (!hits.is_empty()).then(|| FileHits {
                path: relative(root, path),
                blob: gix::objs::compute_hash(gix::hash::Kind::Sha1, gix::objs::Kind::Blob, &data)
                    .ok(),
                hits,
            });
            Ok((found, stats))
        })
        .collect();
    collect(results)
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

/// Scans the blobs staged in the index that `HEAD` does not have at the same path.
pub fn scan_staged(
    repo: &gix::Repository,
    rules: &RuleSet,
    limits: Limits,
) -> Result<(Vec<FileHits>, Stats), HistoryError> {
    let open_error = |message: String| HistoryError::Open {
        path: repo.path().to_path_buf(),
        message,
    };
    let index = repo.index_or_empty().map_err(|e| {
        open_error(format!(
            "cannot read the index: {}",
            crate::advisories::db::error_chain(&e)
        ))
    })?;
    // What HEAD has, as (path, blob); an unborn HEAD has nothing.
    let mut committed: HashSet<(String, ObjectId)> = HashSet::new();
    if let Ok(tree) = repo.head_tree_id() {
        let mut buf = Vec::new();
        head_blobs(repo, tree.detach(), "", &mut committed, &mut buf)?;
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
            let data = gix::objs::Find::try_find(&repo.objects, id, &mut buf)
                .map_err(|e| object_error(crate::advisories::db::error_chain(&*e)))?
                .ok_or_else(|| object_error("staged blob missing".into()))?;
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
    tree: ObjectId,
    prefix: &str,
    out: &mut HashSet<(String, ObjectId)>,
    buf: &mut Vec<u8>,
) -> Result<(), HistoryError> {
    for (mode, name, oid) in history::tree_entries(repo, tree, buf)? {
        let path = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        if mode.is_tree() {
            head_blobs(repo, oid, &path, out, buf)?;
        } else if mode.is_blob_or_symlink() {
            out.insert((path, oid));
        }
    }
    Ok(())
}
