//! Scanning what is not (yet) history: the files on disk (`--worktree`) and what is staged in
//! the index and differs from `HEAD` (`--staged`, the pre-commit hook). Which files and which
//! blobs is [`worktree`]'s answer; this module reads and matches them.
//!
//! It must not open a repository or decide which files git would commit.
//!
//! [`worktree`]: crate::checks::secrets::git::worktree

use super::archive::Truncation;
use super::reader::{large_loose, stream_loose_archive};
use super::{Limits, Stats, content};
use crate::checks::secrets::engine::RuleSet;
use crate::checks::secrets::git::objects::find;
use crate::checks::secrets::git::repo::excerpt;
use crate::checks::secrets::git::worktree::file_error;
use crate::checks::secrets::git::{Database, FileError, HistoryError};
use crate::checks::secrets::hits::Hit;
use gix::ObjectId;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// One file with secrets.
pub struct FileHits {
    /// Path relative to the scanned root, `/`-separated.
    pub path: String,
    /// The staged blob, for `--staged`.
    pub blob: Option<ObjectId>,
    /// What it holds.
    pub hits: Vec<Hit>,
    /// Archives in it not read to the end.
    pub truncated: Vec<Truncation>,
}

impl FileHits {
    /// What a file or staged blob at `path` held, if anything.
    fn of(path: String, blob: Option<ObjectId>, found: content::Scanned) -> Option<FileHits> {
        let held = !found.hits.is_empty() || !found.truncated.is_empty();
        held.then_some(FileHits {
            path,
            blob,
            hits: found.hits,
            truncated: found.truncated,
        })
    }

    /// A file or staged blob of `size` bytes at `path`, over `max`: not read.
    fn unread(path: String, blob: Option<ObjectId>, size: u64, max: u64) -> FileHits {
        FileHits {
            path,
            blob,
            hits: Vec::new(),
            truncated: vec![Truncation::too_large(size, max)],
        }
    }
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Scans `paths`, the files [`worktree::files`] listed under `root` (canonical): each read
/// whole, unless over the size limit or binary.
///
/// [`worktree::files`]: crate::checks::secrets::git::worktree::files
pub fn scan_worktree(
    root: &Path,
    paths: &[PathBuf],
    rules: &RuleSet,
    limits: Limits,
) -> Result<(Vec<FileHits>, Stats), FileError> {
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
                // Binary that is no archive is skipped whatever its size, as a small one is.
                let binary = std::fs::File::open(path)
                    .ok()
                    .and_then(super::head_of)
                    .is_some_and(|head| super::binary_not_archive(&head));
                if !limits.scan_binary && binary {
                    stats.skipped_binary = 1;
                    return Ok((None, stats));
                }
                stats.skipped_large = 1;
                let unread =
                    FileHits::unread(relative(root, path), None, size, limits.max_blob_size);
                return Ok((Some(unread), stats));
            }
            let data = std::fs::read(path).map_err(|e| file_error(path, e))?;
            let scanned = content::scan(&data, rules, limits, matches);
            if scanned.binary {
                stats.skipped_binary = 1;
                return Ok((None, stats));
            }
            stats.blobs_scanned = 1;
            stats.bytes_scanned = data.len() as u64;
            // The blob id the file would get, so findings name a blob as history ones do.
            let blob =
                gix::objs::compute_hash(gix::hash::Kind::Sha1, gix::objs::Kind::Blob, &data).ok();
            Ok((FileHits::of(relative(root, path), blob, scanned), stats))
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
        total.add(&stats);
        files.extend(found);
    }
    Ok((files, total))
}

/// Scans the staged blobs [`worktree::staged`] listed (those `HEAD` does not have at the same
/// path). A staged blob that is not there is an error: the hook must not pass a commit it
/// could not look at.
///
/// [`worktree::staged`]: crate::checks::secrets::git::worktree::staged
pub fn scan_staged(
    repo: &gix::Repository,
    db: &Database,
    staged: &[(String, ObjectId)],
    rules: &RuleSet,
    limits: Limits,
) -> Result<(Vec<FileHits>, Stats), HistoryError> {
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
            // A large staged archive (a loose object) is unpacked as it is inflated, as in
            // history.
            if let Some((size, stream)) = large_loose(db, id)
                && size <= limits.max_blob_size
                && let Some(found) =
                    stream_loose_archive(stream, size, rules, limits).map_err(object_error)?
            {
                stats.blobs_scanned = 1;
                stats.bytes_scanned = size;
                return Ok((FileHits::of(path.clone(), Some(*id), found), stats));
            }
            let data = find(repo, db, id, &mut buf)
                .map_err(object_error)?
                .ok_or_else(|| {
                    object_error(format!("staged blob `{}` is missing", excerpt(path)))
                })?;
            if data.data.len() as u64 > limits.max_blob_size {
                if !limits.scan_binary && super::binary_not_archive(data.data) {
                    stats.skipped_binary = 1;
                    return Ok((None, stats));
                }
                stats.skipped_large = 1;
                let size = data.data.len() as u64;
                let unread = FileHits::unread(path.clone(), Some(*id), size, limits.max_blob_size);
                return Ok((Some(unread), stats));
            }
            let scanned = content::scan(data.data, rules, limits, &mut Vec::new());
            if scanned.binary {
                stats.skipped_binary = 1;
                return Ok((None, stats));
            }
            stats.blobs_scanned = 1;
            stats.bytes_scanned = data.data.len() as u64;
            Ok((FileHits::of(path.clone(), Some(*id), scanned), stats))
        })
        .collect();
    collect(results)
}
