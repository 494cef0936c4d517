//! The object pass: every object of the database (or the blobs, commits and tags of a range)
//! read once, in parallel, blobs and commit and tag messages matched, commits decoded; for the whole database, the proof that every
//! object a ref reaches is present, from the links of trees and tags checked on the way.
//!
//! The repository and its verified object database are handed to it; refs, ranges and
//! completeness come from [`super::super::git`]. It does not open a repository.

use super::archive::Truncation;
use super::reader::{Reader, Seen};
use super::sketch::Sketches;
use super::{Limits, Progress, Stats};
use crate::checks::secrets::Range;
use crate::checks::secrets::engine::RuleSet;
use crate::checks::secrets::git::trees::Introductions;
use crate::checks::secrets::git::{
    BrokenLink, Commits, Database, HistoryError, Placement, TagInfo, TreeChecker, commits, refs,
};
use crate::checks::secrets::hits::Hit;
use gix::ObjectId;
use rayon::prelude::*;
use std::collections::HashMap;

/// Everything the object pass found.
#[derive(Default)]
pub struct Scanned {
    /// Blobs with secrets.
    pub hits: HashMap<ObjectId, Vec<Hit>>,
    /// Blobs holding archives that were not read to the end.
    pub truncated: HashMap<ObjectId, Vec<Truncation>>,
    /// Every commit in the database.
    pub commits: Commits,
    /// Commit and tag messages with secrets.
    pub messages: Vec<MessageHits>,
    /// The annotated tags whose messages hold secrets.
    pub tags: HashMap<ObjectId, TagInfo>,
    /// Counters.
    pub stats: Stats,
    /// Links from the trees and tags read to objects the database does not hold (only when
    /// the pass was asked to check them).
    pub broken: Vec<BrokenLink>,
    /// Blobs read (or taken from the scan record) that hold nothing: what the next record
    /// lists.
    pub clean: Vec<ObjectId>,
    /// Whether every tree and tag read had all its links present (whole-database pass).
    pub links_complete: bool,
}

impl Scanned {
    /// Takes in what one object held.
    fn take(&mut self, id: ObjectId, seen: Seen) {
        match seen {
            Seen::Blob {
                scanned: size,
                binary,
                large,
                hits,
                truncated,
            } => {
                self.stats.blobs += 1;
                if let Some(size) = size {
                    self.stats.blobs_scanned += 1;
                    self.stats.bytes_scanned += size;
                }
                self.stats.skipped_binary += usize::from(binary);
                self.stats.skipped_large += usize::from(large);
                if hits.is_empty() && truncated.is_empty() && !large {
                    self.clean.push(id);
                }
                if !hits.is_empty() {
                    self.hits.insert(id, hits);
                }
                if !truncated.is_empty() {
                    self.truncated.insert(id, truncated);
                }
            }
            Seen::Recorded => {
                self.stats.blobs += 1;
                self.stats.blobs_recorded += 1;
                self.clean.push(id);
            }
            Seen::Commit(info, hits) => {
                self.stats.commits += 1;
                self.commits.insert(id, info);
                if !hits.is_empty() {
                    self.messages.push(MessageHits {
                        object: id,
                        tag: false,
                        hits,
                    });
                }
            }
            Seen::Tag(info, hits, broken) => {
                self.broken.extend(broken);
                if !hits.is_empty() {
                    self.tags.insert(id, info);
                    self.messages.push(MessageHits {
                        object: id,
                        tag: true,
                        hits,
                    });
                }
            }
            Seen::Links(broken) => self.broken.extend(broken),
            Seen::Other => {}
        }
    }

    /// Takes in what a later part of the pass found.
    fn join(&mut self, other: Scanned) {
        self.hits.extend(other.hits);
        self.truncated.extend(other.truncated);
        self.commits.extend(other.commits);
        self.messages.extend(other.messages);
        self.tags.extend(other.tags);
        self.broken.extend(other.broken);
        self.clean.extend(other.clean);
        self.stats.add(&other.stats);
    }
}

/// The secrets of a commit's or an annotated tag's message.
pub struct MessageHits {
    /// The commit or tag.
    pub object: ObjectId,
    /// Whether it is a tag (else a commit).
    pub tag: bool,
    /// What its message holds (lines and columns within the message).
    pub hits: Vec<Hit>,
}

/// What the whole-database pass checks trees and tags against.
pub struct Completeness<'a> {
    /// Every id of the database.
    pub present: &'a gix::hashtable::HashSet<ObjectId>,
    /// Where each of the ids scanned sits in its pack (`None` when loose), index for index.
    pub placements: &'a [Option<Placement>],
    /// Blobs the scan record says hold nothing: not read.
    pub recorded: Option<&'a gix::hashtable::HashSet<ObjectId>>,
}

/// Reads the given objects once each, in parallel: blobs are matched, commits decoded. With
/// `complete`, trees and tags are decoded too and each link to an object not present is
/// returned, for [`refs::check_complete`].
pub fn scan_objects(
    repo: &gix::Repository,
    db: &Database,
    ids: &[ObjectId],
    complete: Option<&Completeness<'_>>,
    rules: &RuleSet,
    limits: Limits,
    progress: &dyn Progress,
) -> Result<Scanned, HistoryError> {
    let repo_path = repo.path().to_path_buf();
    let object_error = |id: ObjectId, message: String| HistoryError::Object {
        repo: repo_path.clone(),
        id,
        message,
    };
    let sync = repo.clone().into_sync();
    // Chunks handed out in order, to one reader (one repository handle) per thread: the whole
    // database is listed bases first, each delta after its base ([`Database::ids`]), so a
    // delta's base has mostly been read (and kept) by the same thread just before; small
    // enough that a slow chunk leaves the other threads work to take, and smaller as the end
    // nears, so that no thread is left alone with a long one.
    let threads = rayon::current_num_threads();
    let mut chunks: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    while start < ids.len() {
        let size = ((ids.len() - start) / (threads * 8)).clamp(64, ids.len() / (threads * 32) + 64);
        chunks.push(start..(start + size).min(ids.len()));
        start += size;
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let sketches = complete.map(|c| {
        Sketches::new(
            c.placements
                .iter()
                .enumerate()
                .filter_map(|(i, p)| p.and_then(|p| Some(((p.pack, p.base?), i)))),
            usize::try_from(limits.delta_base_cache).unwrap_or(usize::MAX),
        )
    });
    progress.start(ids.len() as u64);
    let present = complete.map(|c| c.present);
    // Each chunk folded as it is read (a history's objects are mostly trees and blobs
    // without secrets: nothing is kept of them), the chunks then joined in order.
    let mut parts: Vec<(usize, Result<Scanned, HistoryError>)> = (0..rayon::current_num_threads())
        .into_par_iter()
        .flat_map_iter(|_| {
            let repo = sync.to_thread_local();
            let mut reader = Reader {
                repo: &repo,
                db,
                present,
                trees: present.map(|p| TreeChecker::new(p, repo.object_hash())),
                rules,
                limits,
                buf: Vec::new(),
                matches: Vec::new(),
                sketches: sketches.as_ref(),
                delta: Vec::new(),
                rebuilt: Vec::new(),
                recorded: complete.and_then(|c| c.recorded),
            };
            let mut parts = Vec::new();
            while let Some(range) =
                chunks.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
            {
                let placements = complete.and_then(|c| c.placements.get(range.start..));
                let mut part = Scanned::default();
                let mut since = (0u64, 0u64);
                let mut failed = None;
                // Deltas whose base another thread is about to read: read after the rest of
                // the chunk, by when it mostly has (and kept it to rebuild them from).
                let mut later = Vec::new();
                let mut step = |id: ObjectId, placement: Option<Placement>| -> bool {
                    let seen = match reader.read_object(id, placement) {
                        Ok(seen) => seen,
                        Err(message) => {
                            failed = Some(object_error(id, message));
                            return false;
                        }
                    };
                    if let (Some(sketches), Some(p)) = (sketches.as_ref(), placement) {
                        sketches.read((p.pack, p.offset));
                    }
                    since.0 += 1;
                    if let Seen::Blob {
                        scanned: Some(bytes),
                        ..
                    } = &seen
                    {
                        since.1 += bytes;
                    }
                    if since.0 == 256 {
                        progress.advance(since.0, since.1);
                        since = (0, 0);
                    }
                    part.take(id, seen);
                    true
                };
                let mut ok = true;
                for (i, &id) in ids[range.clone()].iter().enumerate() {
                    let placement = placements.and_then(|p| p.get(i).copied().flatten());
                    let waits = placement.is_some_and(|p| {
                        p.base.is_some_and(|base| {
                            sketches.as_ref().is_some_and(|s| s.waiting((p.pack, base)))
                        })
                    });
                    if waits {
                        later.push((id, placement));
                    } else if !step(id, placement) {
                        ok = false;
                        break;
                    }
                }
                if ok {
                    for (id, placement) in later {
                        if !step(id, placement) {
                            break;
                        }
                    }
                }
                progress.advance(since.0, since.1);
                parts.push((range.start, failed.map_or(Ok(part), Err)));
            }
            parts
        })
        .collect();
    parts.sort_unstable_by_key(|(start, _)| *start);
    progress.finish();

    let mut scanned = Scanned::default();
    for (_, part) in parts {
        scanned.join(part?);
    }
    scanned.stats.objects = ids.len();
    Ok(scanned)
}

/// The whole database: every object read once, then the proof that every object a ref
/// reaches is present (the pass checks each tree's and tag's links as it reads them).
pub fn scan_all(
    repo: &gix::Repository,
    db: &Database,
    rules: &RuleSet,
    limits: Limits,
    progress: &dyn Progress,
    recorded: Option<&gix::hashtable::HashSet<ObjectId>>,
) -> Result<Scanned, HistoryError> {
    // Refs first: one that cannot be read fails the scan before any work is done.
    let tips = refs::ref_tips(repo)?;
    let present: gix::hashtable::HashSet<ObjectId> = db.ids.iter().copied().collect();
    let complete = Completeness {
        present: &present,
        placements: &db.placements,
        recorded,
    };
    let mut scanned = scan_objects(repo, db, &db.ids, Some(&complete), rules, limits, progress)?;
    let broken = std::mem::take(&mut scanned.broken);
    scanned.links_complete = broken.is_empty();
    refs::check_complete(repo, db, &tips, &present, &scanned.commits, broken)?;
    Ok(scanned)
}

/// `--since` and `--range`: the blobs the range's commits brought in, scanned, and where each
/// was brought in; the messages of its commits and of the annotated tags on them. Every
/// revision, tip and commit the range needs must be there: one that is missing is an error
/// naming it, never a smaller range.
pub fn scan_range(
    repo: &gix::Repository,
    db: &Database,
    range: &Range,
    rules: &RuleSet,
    limits: Limits,
    progress: &dyn Progress,
) -> Result<(Scanned, Introductions), HistoryError> {
    let (mut commits, introductions) =
        commits::range(repo, db, &range.base, range.head.as_deref())?;
    let mut ids: Vec<ObjectId> = introductions.keys().copied().collect();
    ids.extend(commits.keys().copied());
    ids.extend(refs::tags_on(repo, &commits)?);
    ids.sort_unstable();
    ids.dedup();
    let mut scanned = scan_objects(repo, db, &ids, None, rules, limits, progress)?;
    // The pass decoded the same commits, with their summaries masked.
    commits.extend(scanned.commits.drain());
    scanned.stats.commits = commits.len();
    scanned.stats.objects = introductions.len();
    scanned.commits = commits;
    Ok((scanned, introductions))
}
