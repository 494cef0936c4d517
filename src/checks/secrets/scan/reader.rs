//! Reading one object of the object pass, on one of its threads: a blob is matched (unless
//! binary or over the size limit), a commit or annotated tag decoded and its message matched
//! (the summary reports show beside a finding is masked here, where the matches are known),
//! and with the completeness check on, a tree's or tag's links to missing objects collected.
//!
//! It reads through the repository and database it is handed, with [`super::super::git`]'s
//! decoders and tree checker; it does not open anything, list objects or walk history.

use super::Limits;
use super::archive::Truncation;
use super::content;
use super::decode::hits_covering;
use super::sketch::{Prior, Sketches};
use crate::checks::secrets::engine::{Match, RuleSet};
use crate::checks::secrets::git::delta::{apply, result_size};
use crate::checks::secrets::git::objects::{
    LooseStream, decode_commit_and_message, decode_tag, summary_of,
};
use crate::checks::secrets::git::repo::describe;
use crate::checks::secrets::git::{
    BrokenLink, CommitInfo, Database, Placement, TagInfo, TreeChecker, tag_links,
};
use crate::checks::secrets::hits::{Hit, masked};
use gix::ObjectId;
use gix::objs::{Find, FindHeader, Kind};

pub(super) enum Seen {
    Blob {
        scanned: Option<u64>,
        binary: bool,
        large: bool,
        hits: Vec<Hit>,
        truncated: Vec<Truncation>,
    },
    /// A commit, with the secrets of its message.
    Commit(CommitInfo, Vec<Hit>),
    /// An annotated tag, with the secrets of its message and its links to objects that are
    /// not present.
    Tag(TagInfo, Vec<Hit>, Vec<BrokenLink>),
    /// A tree, with the links to objects that are not present.
    Links(Vec<BrokenLink>),
    /// A blob the scan record says an earlier scan read and found nothing in: not read.
    Recorded,
    Other,
}

impl Seen {
    /// A blob of `size` bytes, read: what it held.
    fn read(size: u64, found: content::Scanned) -> Seen {
        Seen::Blob {
            scanned: (!found.binary).then_some(size),
            binary: found.binary,
            large: false,
            hits: found.hits,
            truncated: found.truncated,
        }
    }

    /// A blob of `size` bytes, over `max`: not read.
    fn too_large(size: u64, max: u64) -> Seen {
        Seen::Blob {
            scanned: None,
            binary: false,
            large: true,
            hits: Vec::new(),
            truncated: vec![Truncation::too_large(size, max)],
        }
    }
}

/// Reads objects for one thread of the object pass.
pub(super) struct Reader<'a> {
    pub(super) repo: &'a gix::Repository,
    pub(super) db: &'a Database,
    pub(super) present: Option<&'a gix::hashtable::HashSet<ObjectId>>,
    pub(super) trees: Option<TreeChecker<'a>>,
    pub(super) rules: &'a RuleSet,
    pub(super) limits: Limits,
    pub(super) buf: Vec<u8>,
    pub(super) matches: Vec<Match>,
    /// The sketches of delta bases (whole-database pass only).
    pub(super) sketches: Option<&'a Sketches>,
    /// A delta's instructions, read.
    pub(super) delta: Vec<u8>,
    /// A delta's base read again (its content was not kept, its sketch was).
    pub(super) rebuilt: Vec<u8>,
    /// The blobs the scan record says hold nothing (whole-database pass only).
    pub(super) recorded: Option<&'a gix::hashtable::HashSet<ObjectId>>,
}

impl Reader<'_> {
    pub(super) fn read_object(
        &mut self,
        id: ObjectId,
        placement: Option<Placement>,
    ) -> Result<Seen, String> {
        let mut buf = std::mem::take(&mut self.buf);
        let seen = self.read_into(id, placement, &mut buf);
        self.buf = buf;
        seen
    }

    fn read_into(
        &mut self,
        id: ObjectId,
        placement: Option<Placement>,
        buf: &mut Vec<u8>,
    ) -> Result<Seen, String> {
        let Reader {
            repo,
            db,
            present,
            trees,
            rules,
            limits,
            matches,
            sketches,
            delta,
            rebuilt,
            recorded,
            ..
        } = self;
        // Packed only: a loose copy is hash-checked on every read (it can be swapped without
        // touching a pack's checksums), and loose objects are few.
        if placement.is_some() && recorded.is_some_and(|r| r.contains(&id)) && !db.is_loose(&id) {
            return Ok(Seen::Recorded);
        }
        let chain = |e: Box<dyn std::error::Error + Send + Sync>| describe(&*e);
        let at = placement.map(|p| (p.pack, p.offset));
        let base = placement.and_then(|p| Some((p.pack, p.base?)));
        // A delta against a blob kept for it is a blob (a delta is its base's kind): rebuilt
        // from the kept content (or, when only the base's sketch was kept, from the base read
        // again from its pack, then offered back to be kept) and read through its sketch,
        // without reading its header first (which walks the delta chain to its root). A delta
        // that does not add up is read the usual way below.
        let kept = match (*sketches, placement, base) {
            (Some(sketches), Some(placement), Some(base))
                if !db.is_loose(&id)
                    && !trees.as_ref().is_some_and(|checker| checker.holds(base)) =>
            {
                sketches
                    .take(base)
                    .map(|kept| (sketches, placement, base, kept))
            }
            _ => None,
        };
        if let Some((sketches, placement, (pack, offset), kept)) = kept
            && db.read_delta(placement, delta)
        {
            let size = result_size(delta).unwrap_or(0) as u64;
            if size > limits.max_blob_size {
                return Ok(Seen::too_large(size, limits.max_blob_size));
            }
            let content = match &kept.content {
                Some(content) => Some(content.as_slice()),
                None => {
                    let at = Placement {
                        pack,
                        offset,
                        base: None,
                    };
                    let read =
                        matches!(db.read_packed(at, u64::MAX, rebuilt), Ok(Some(Kind::Blob)));
                    if read {
                        sketches.restore((pack, offset), rebuilt);
                    }
                    read.then_some(rebuilt.as_slice())
                }
            };
            if let Some(content) = content
                && let Some(copies) = apply(content, delta, buf)
            {
                let prior = Prior {
                    sketch: &kept.sketch,
                    copies: &copies,
                };
                return Ok(kept_and_read(
                    buf,
                    rules,
                    *limits,
                    matches,
                    sketches,
                    placement,
                    Some(prior),
                ));
            }
        }
        // A delta against a tree the checker holds is rebuilt from it.
        if let (Some(p), Some(b), Some(checker)) = (placement, base, trees.as_mut())
            && checker.holds(b)
            && db.read_delta(p, delta)
            && checker.rebuild(b, delta)
        {
            return Ok(Seen::Links(checker.check(id, at, base)?));
        }
        // Any other packed object is read from its pack (the pack's bytes are never mapped:
        // see [`Database::read_packed`]), unless it is a delta against an object named by id,
        // or a blob over the size limit or large enough to stream (read the usual way below).
        if let Some(p) = placement
            && !db.is_loose(&id)
        {
            let large = limits.max_blob_size.saturating_add(1).min(STREAM_FROM);
            if let Some(kind) = db.read_packed(p, large, buf)? {
                return self.seen(id, placement, kind, buf);
            }
        }
        // A loose copy is read whole (and hash-checked); a packed one header first, so a blob
        // over the size limit is never inflated.
        let (kind, size) = if db.is_loose(&id) {
            (None, 0)
        } else {
            let header = repo
                .objects
                .try_header(&id)
                .map_err(chain)?
                .ok_or("listed in an index but missing")?;
            (Some(header.kind), header.size)
        };
        let skip = match kind {
            Some(Kind::Blob) => size > limits.max_blob_size,
            // A tag's message is matched even when its links are not checked.
            Some(Kind::Tree) => present.is_none(),
            _ => false,
        };
        if skip {
            return Ok(match kind {
                // Binary that is no archive is skipped whatever its size, as a small one is.
                Some(Kind::Blob) if !limits.scan_binary && packed_binary(db, &id) => Seen::Blob {
                    scanned: None,
                    binary: true,
                    large: false,
                    hits: Vec::new(),
                    truncated: Vec::new(),
                },
                Some(Kind::Blob) => Seen::too_large(size, limits.max_blob_size),
                _ => Seen::Other,
            });
        }
        if kind.is_none()
            && let Some((size, stream)) = large_loose(db, &id)
        {
            if size > limits.max_blob_size {
                return Ok(Seen::too_large(size, limits.max_blob_size));
            }
            if let Some(found) = stream_loose_archive(stream, size, rules, *limits)? {
                return Ok(Seen::read(size, found));
            }
        }
        if kind == Some(Kind::Blob)
            && size >= STREAM_FROM
            && let Some(found) = stream_archive(db, &id, size, rules, *limits)
        {
            return Ok(Seen::read(size, found));
        }
        let data = match kind {
            None => db.read_loose(&id, buf)?.ok_or("listed but missing")?,
            Some(_) => repo
                .objects
                .try_find(&id, buf)
                .map_err(chain)?
                .ok_or("missing")?,
        };
        self.seen(
            id,
            placement.filter(|_| kind.is_some()),
            data.kind,
            data.data,
        )
    }

    /// What the object `id` holds, read: `data`, of `kind`; `placement` where a pack holds it
    /// (`None` for a loose copy).
    fn seen(
        &mut self,
        id: ObjectId,
        placement: Option<Placement>,
        kind: Kind,
        data: &[u8],
    ) -> Result<Seen, String> {
        let Reader {
            repo,
            present,
            trees,
            rules,
            limits,
            matches,
            sketches,
            ..
        } = self;
        let hash = repo.object_hash();
        Ok(match kind {
            Kind::Blob if data.len() as u64 > limits.max_blob_size => {
                Seen::too_large(data.len() as u64, limits.max_blob_size)
            }
            Kind::Blob => match (*sketches, placement) {
                (Some(sketches), Some(placement)) => {
                    kept_and_read(data, rules, *limits, matches, sketches, placement, None)
                }
                _ => Seen::read(
                    data.len() as u64,
                    content::scan(data, rules, *limits, matches),
                ),
            },
            Kind::Commit => {
                let (mut info, message) = decode_commit_and_message(data, hash)?;
                let (hits, summary) = message_hits(message, rules, matches);
                if let Some(summary) = summary {
                    info.summary = summary;
                }
                Seen::Commit(info, hits)
            }
            Kind::Tree => match trees {
                Some(checker) => {
                    let buffer = checker.buffer();
                    buffer.clear();
                    buffer.extend_from_slice(data);
                    let (at, base) = placement.map_or((None, None), |p| {
                        (Some((p.pack, p.offset)), p.base.map(|b| (p.pack, b)))
                    });
                    Seen::Links(checker.check(id, at, base)?)
                }
                None => Seen::Other,
            },
            Kind::Tag => {
                let links = match present {
                    Some(present) => tag_links(id, data, hash, present)?,
                    None => Vec::new(),
                };
                let (mut info, message) = decode_tag(data, hash)?;
                let (hits, summary) = message_hits(message, rules, matches);
                if let Some(summary) = summary {
                    info.summary = summary;
                }
                Seen::Tag(info, hits, links)
            }
        })
    }
}

/// Reads a packed blob (through its base's sketch, when `prior` is given), and keeps its
/// content and sketch when deltas against it are still to be read.
fn kept_and_read(
    data: &[u8],
    rules: &RuleSet,
    limits: Limits,
    matches: &mut Vec<Match>,
    sketches: &Sketches,
    placement: Placement,
    prior: Option<Prior<'_>>,
) -> Seen {
    // Both callers have ruled out a blob over the size limit (from its header, or its content).
    let (found, sketch) = content::scan_sketched(data, rules, limits, matches, prior);
    if let Some(sketch) = sketch {
        sketches.keep((placement.pack, placement.offset), sketch, data);
    }
    Seen::read(data.len() as u64, found)
}

/// The secrets of a commit or tag message, and its summary masked when any rule matched in
/// the message (a token pasted into "rotate key, the old one was …" must not reach a report
/// through the summary shown beside every finding of that commit).
fn message_hits(
    message: &[u8],
    rules: &RuleSet,
    matches: &mut Vec<Match>,
) -> (Vec<Hit>, Option<String>) {
    let mut covered = Vec::new();
    let hits = hits_covering(message, rules, matches, &mut covered);
    let summary = (!covered.is_empty()).then(|| summary_of(&masked(message, &covered)));
    (hits, summary)
}

/// Blobs this large that are archives (not zips, which are read by seeking) are unpacked as
/// they are inflated, never held whole: peak memory with a large archive in history stays near
/// the archive's own size.
pub(super) const STREAM_FROM: u64 = 8 << 20;

/// The loose blob `id` as a stream with its size, when it is large enough to be streamed. An
/// archive hardly compresses: a loose file under half that size holds no archive this large.
pub(super) fn large_loose(db: &Database, id: &ObjectId) -> Option<(u64, LooseStream)> {
    db.loose_stream(id, STREAM_FROM / 2)
        .filter(|(size, _)| *size >= STREAM_FROM)
}

/// Unpacks the blob `id` as a stream when a pack holds it whole and it is an archive that can
/// be read that way; `None` otherwise (it is then read the usual way).
fn stream_archive(
    db: &Database,
    id: &ObjectId,
    size: u64,
    rules: &RuleSet,
    limits: Limits,
) -> Option<content::Scanned> {
    super::archive::scan_stream(db.blob_stream(id)?, size, rules, limits)
        .ok()
        .flatten()
}

/// Whether a blob a pack holds whole is binary and no archive, by inflating its first 8 KiB.
/// `false` when that cannot be known cheaply (a delta, a loose object).
fn packed_binary(db: &Database, id: &ObjectId) -> bool {
    db.blob_stream(id)
        .and_then(super::head_of)
        .is_some_and(|head| super::binary_not_archive(&head))
}

/// [`stream_archive`] for a loose blob; the loose file's hash is checked once it is read
/// (`Err` when it does not match).
pub(super) fn stream_loose_archive(
    mut stream: LooseStream,
    size: u64,
    rules: &RuleSet,
    limits: Limits,
) -> Result<Option<content::Scanned>, String> {
    let found = super::archive::scan_stream(&mut stream, size, rules, limits)
        .map_err(|e| format!("the loose object file cannot be read: {e}"))?;
    if found.is_some() {
        stream.verify()?;
    }
    Ok(found)
}
