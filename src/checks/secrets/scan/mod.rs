//! Feeding blobs to the rule engine: the object pass over the whole database or a range
//! ([`history`], each object read by a per-thread reader), the work tree and staged scans
//! ([`files`]), one content's reading whatever it is ([`content`]: archives unpacked by
//! [`archive`], encoded text decoded by [`decode`]), and their limits, counters and progress.
//!
//! It is handed an open repository, a verified object database or a listing of files, and
//! calls [`super::git`] for everything it needs to know about git: it must not open a
//! repository, list one's files or walk history itself.

pub mod archive;
pub mod content;
pub mod decode;
mod fields;
pub mod files;
pub mod history;
mod reader;
pub mod sketch;

pub use history::{MessageHits, Scanned, scan_all, scan_objects, scan_range};

/// How the object pass is shown: the check's progress (see [`crate::check::Progress`]).
pub use crate::check::{Progress, Silent};

/// Scan limits.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Blobs larger than this are skipped and counted.
    pub max_blob_size: u64,
    /// Scan blobs with a NUL in their first 8 KiB too.
    pub scan_binary: bool,
    /// Memory the whole-history scan may hold in blobs kept for the deltas against them
    /// (`delta-base-cache`); it changes how long a scan takes, never what it finds.
    pub delta_base_cache: u64,
}

/// Counters for the summary.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Stats {
    /// Distinct objects in the database.
    pub objects: usize,
    /// Distinct blobs.
    pub blobs: usize,
    /// Blobs whose contents were matched.
    pub blobs_scanned: usize,
    /// Bytes matched.
    pub bytes_scanned: u64,
    /// Blobs skipped as binary.
    pub skipped_binary: usize,
    /// Blobs skipped as larger than the limit.
    pub skipped_large: usize,
    /// Blobs not read because the scan record says an earlier scan read them and found
    /// nothing.
    pub blobs_recorded: usize,
    /// Commits in the database.
    pub commits: usize,
    /// Commits whose trees were walked to place what was found: every commit, or on a
    /// rescan only those the scan record does not list when it knows the rest.
    pub commits_walked: usize,
}

impl Stats {
    /// Adds what another part of a scan counted.
    pub fn add(&mut self, other: &Stats) {
        self.objects += other.objects;
        self.blobs += other.blobs;
        self.blobs_scanned += other.blobs_scanned;
        self.bytes_scanned += other.bytes_scanned;
        self.skipped_binary += other.skipped_binary;
        self.skipped_large += other.skipped_large;
        self.blobs_recorded += other.blobs_recorded;
        self.commits += other.commits;
        self.commits_walked += other.commits_walked;
    }
}

/// Whether content whose first bytes are `head` is skipped as binary: binary, and no archive
/// (archives are read).
pub fn binary_not_archive(head: &[u8]) -> bool {
    archive::kind_of(head).is_none() && is_binary(head)
}

/// The first 8 KiB of `reader` (what [`is_binary`] looks at), or `None` if it cannot be read.
fn head_of(reader: impl std::io::Read) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::with_capacity(8192);
    reader.take(8192).read_to_end(&mut head).ok()?;
    Some(head)
}

/// Whether contents look binary: a NUL byte in the first 8 KiB.
pub fn is_binary(data: &[u8]) -> bool {
    memchr::memchr(0, &data[..data.len().min(8192)]).is_some()
}
