//! The object database as a gate must see it: every object the repository holds (its own
//! object directory and its alternates), listed from files [`super::packs`] verified first, so
//! that no object can be invisible; and reading objects from it: a loose copy hash-checked, any
//! other through the object store, a commit decoded as far as findings need. Anything that
//! does not verify is an error naming the file or object, never a silently smaller listing.
//!
//! This module lists, verifies and reads; it does not match, attribute or walk history.

use super::packs::{damaged, loose_ids, pack_pairs, verify_pack};
use super::repo::{HistoryError, describe};
use gix::ObjectId;
use gix::objs::{Find, Kind};
use std::collections::HashMap;

/// Every object of the repository (its own object directory and its alternates), verified.
pub struct Database {
    /// Every object id, each once: packed objects in (pack, offset) order first (a delta's base
    /// usually sits just before it, so a thread walking a stretch of the pack finds bases in its
    /// delta cache), then loose objects. Empty when the listing was not asked for.
    pub ids: Vec<ObjectId>,
    /// Where each of `ids` sits in its pack, or `None` for a loose object.
    pub placements: Vec<Option<Placement>>,
    /// Loose objects: which loose store holds each (a loose copy is read from there and
    /// hash-checked even when a pack holds the same id).
    loose: HashMap<ObjectId, usize>,
    stores: Vec<gix::odb::loose::Store>,
    /// Every verified pack's (index, data) files, opened again when a large blob is read from
    /// one as a stream ([`Database::blob_stream`]).
    packs: Vec<LazyPack>,
}

/// A loose blob's content, inflated and hashed as it is read.
pub struct LooseStream {
    inflated: flate2::read::ZlibDecoder<std::io::BufReader<std::fs::File>>,
    hasher: Option<gix::hash::Hasher>,
    id: ObjectId,
    path: std::path::PathBuf,
}

impl std::io::Read for LooseStream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inflated.read(buf)?;
        if let Some(hasher) = &mut self.hasher {
            hasher.update(&buf[..n]);
        }
        Ok(n)
    }
}

impl LooseStream {
    /// Reads what is left and checks that the content hashed to the object's id: git names a
    /// loose object by the hash of its content, and a file whose content does not match is
    /// not that object.
    pub fn verify(mut self) -> Result<(), String> {
        std::io::copy(&mut self, &mut std::io::sink())
            .map_err(|e| format!("the loose object file cannot be read: {e}"))?;
        let actual = self
            .hasher
            .take()
            .ok_or("already verified")?
            .try_finalize()
            .map_err(|e| format!("cannot hash it: {e}"))?;
        if actual != self.id {
            return Err(format!(
                "the loose object file {} holds content whose hash is {actual}, not its name",
                self.path.display()
            ));
        }
        Ok(())
    }
}

/// A pack's files, by path, opened on first use.
struct LazyPack {
    kind: gix::hash::Kind,
    index: std::path::PathBuf,
    data: std::path::PathBuf,
    opened: std::sync::OnceLock<Option<(gix::odb::pack::index::File, gix::odb::pack::data::File)>>,
    /// The pack file, for positioned reads.
    file: std::sync::OnceLock<Option<std::fs::File>>,
}

/// A file read from a position on, with positioned reads (no cursor shared between threads).
struct FileAt<'a> {
    file: &'a std::fs::File,
    at: u64,
}

impl std::io::Read for FileAt<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        #[cfg(unix)]
        let n = std::os::unix::fs::FileExt::read_at(self.file, buf, self.at)?;
        #[cfg(windows)]
        let n = std::os::windows::fs::FileExt::seek_read(self.file, buf, self.at)?;
        self.at += n as u64;
        Ok(n)
    }
}

impl LazyPack {
    fn open(&self) -> Option<(gix::odb::pack::index::File, gix::odb::pack::data::File)> {
        let index = gix::odb::pack::index::File::at(&self.index, self.kind).ok()?;
        let data = gix::odb::pack::data::File::at(&self.data, self.kind).ok()?;
        Some((index, data))
    }
}

thread_local! {
    /// Each reading thread's inflater for the deltas it reads ([`Database::read_delta`]).
    static INFLATE: std::cell::RefCell<flate2::Decompress> =
        std::cell::RefCell::new(flate2::Decompress::new(true));
}

/// Where a packed object sits.
#[derive(Clone, Copy, Debug)]
pub struct Placement {
    /// Which pack (numbered in the order they were verified).
    pub pack: u32,
    /// Its offset in the pack.
    pub offset: u64,
    /// The offset of its delta base in the same pack, when it is stored as such a delta.
    pub base: Option<u64>,
}

impl Database {
    /// Verifies every pack of the repository and lists its loose objects; with `list`, also
    /// every object id (the whole-database scan needs them; a range scan does not).
    pub fn open(repo: &gix::Repository, list: bool) -> Result<Database, HistoryError> {
        let kind = repo.object_hash();
        let primary = repo.objects.store_ref().path().to_path_buf();
        let cwd = std::env::current_dir().unwrap_or_default();
        let mut dirs = vec![primary.clone()];
        dirs.extend(
            gix::odb::alternate::resolve(primary.clone(), &cwd).map_err(|e| {
                damaged(
                    &primary.join("info/alternates"),
                    format!(
                        "cannot resolve the alternate object directories: {}",
                        describe(&e)
                    ),
                )
            })?,
        );
        let mut packed: Vec<(u32, u64, ObjectId, Option<u64>)> = Vec::new();
        let mut loose = HashMap::new();
        let mut stores = Vec::new();
        let mut lazy = Vec::new();
        let mut packs = 0u32;
        for dir in &dirs {
            for (idx, data) in pack_pairs(&dir.join("pack"))? {
                let entries = verify_pack(&idx, &data, kind)?;
                lazy.push(LazyPack {
                    kind,
                    index: idx.clone(),
                    data: data.clone(),
                    opened: std::sync::OnceLock::new(),
                    file: std::sync::OnceLock::new(),
                });
                if list {
                    packed.extend(
                        entries
                            .into_iter()
                            .map(|(offset, id, base)| (packs, offset, id, base)),
                    );
                }
                packs += 1;
            }
            let store = stores.len();
            for id in loose_ids(dir, kind)? {
                loose.entry(id).or_insert(store);
            }
            stores.push(gix::odb::loose::Store::at(dir.clone(), kind, None));
        }
        let mut ids = Vec::new();
        let mut placements = Vec::new();
        if list {
            // Already in (pack, offset) order: packs are listed one after the other, each in
            // offset order. An id can be listed twice only across packs or loose objects.
            let single = packs <= 1;
            let mut unique = gix::hashtable::HashSet::default();
            ids.reserve(packed.len() + loose.len());
            placements.reserve(packed.len() + loose.len());
            for (pack, offset, id, base) in packed {
                if single || unique.insert(id) {
                    ids.push(id);
                    placements.push(Some(Placement { pack, offset, base }));
                }
            }
            if single && !loose.is_empty() {
                unique.extend(ids.iter().copied());
            }
            let mut rest: Vec<ObjectId> = loose
                .keys()
                .filter(|id| !unique.contains(*id))
                .copied()
                .collect();
            rest.sort_unstable();
            placements.extend(rest.iter().map(|_| None));
            ids.extend(rest);
        }
        Ok(Database {
            ids,
            placements,
            loose,
            stores,
            packs: lazy,
        })
    }

    /// The loose blob `id` as a stream, when its file holds `min_stored` bytes or more: its
    /// size, and its content inflated from the loose file as it is read, hashed on the way
    /// ([`LooseStream::verify`] checks it once read). `None` when `id` has no loose copy, a
    /// smaller file, is no blob, or its header cannot be read (read it the usual way, which
    /// reports why).
    pub fn loose_stream(&self, id: &ObjectId, min_stored: u64) -> Option<(u64, LooseStream)> {
        use std::io::Read;
        let store = &self.stores[*self.loose.get(id)?];
        let path = store.object_path(id);
        // Called for every loose object: a stat, not an open, rules the small ones out.
        if std::fs::metadata(&path).ok()?.len() < min_stored {
            return None;
        }
        let file = std::fs::File::open(&path).ok()?;
        let mut inflated = flate2::read::ZlibDecoder::new(std::io::BufReader::new(file));
        // `blob <size>\0`, then the content.
        let mut header = Vec::with_capacity(32);
        let mut byte = [0u8; 1];
        while header.len() < 32 {
            inflated.read_exact(&mut byte).ok()?;
            header.push(byte[0]);
            if byte[0] == 0 {
                break;
            }
        }
        let size: u64 = std::str::from_utf8(header.strip_prefix(b"blob ")?.strip_suffix(b"\0")?)
            .ok()?
            .parse()
            .ok()?;
        let mut hasher = gix::hash::hasher(id.kind());
        hasher.update(&header);
        Some((
            size,
            LooseStream {
                inflated,
                hasher: Some(hasher),
                id: *id,
                path,
            },
        ))
    }

    /// The content of `id` as a stream, inflated from its pack as it is read, when a pack
    /// holds it whole (not as a delta) as a blob: a large archive is then unpacked without the
    /// blob ever held in memory. `None` for anything else (read it the usual way). A loose
    /// copy, which takes precedence, must be ruled out first ([`Database::is_loose`]).
    pub fn blob_stream(&self, id: &ObjectId) -> Option<impl std::io::Read + '_> {
        for pack in &self.packs {
            let opened = pack.opened.get_or_init(|| pack.open());
            let Some((index, data)) = opened else {
                continue;
            };
            let Some(at) = index.lookup(id) else {
                continue;
            };
            let entry = data.entry(index.pack_offset_at_index(at)).ok()?;
            if entry.header != gix::odb::pack::data::entry::Header::Blob {
                return None;
            }
            let compressed = data.entry_slice(entry.data_offset..data.pack_end() as u64)?;
            return Some(flate2::read::ZlibDecoder::new(compressed));
        }
        None
    }

    /// The (inflated) delta of the packed object at `placement` into `delta`, when it is
    /// stored as a delta against an object of the same pack ([`Placement::base`]); `false`
    /// when it is not such a delta or cannot be read ([`super::delta`] reads it).
    pub fn read_delta(&self, placement: Placement, delta: &mut Vec<u8>) -> bool {
        self.delta_into(placement, delta).is_some()
    }

    fn delta_into(&self, placement: Placement, delta: &mut Vec<u8>) -> Option<()> {
        placement.base?;
        let pack = self.packs.get(placement.pack as usize)?;
        // Read with positioned reads rather than through a second mapping of the pack, whose
        // pages would count twice in the process's memory.
        let file = pack
            .file
            .get_or_init(|| std::fs::File::open(&pack.data).ok())
            .as_ref()?;
        let mut reader = std::io::BufReader::with_capacity(
            4096,
            FileAt {
                file,
                at: placement.offset,
            },
        );
        let entry = gix::odb::pack::data::Entry::from_read(
            &mut reader,
            placement.offset,
            pack.kind.len_in_bytes(),
        )
        .ok()?;
        if !matches!(
            entry.header,
            gix::odb::pack::data::entry::Header::OfsDelta { .. }
        ) {
            return None;
        }
        let size = usize::try_from(entry.decompressed_size).ok()?;
        delta.clear();
        delta.reserve_exact(size);
        // Inflated from the small buffer itself (a `read` decoder would read ahead 32 KiB),
        // by this thread's inflater, reset rather than made anew for each delta.
        INFLATE.with_borrow_mut(|inflate| {
            use std::io::BufRead;
            inflate.reset(true);
            while delta.len() < size {
                let input = reader.fill_buf().ok()?;
                let (before, written) = (inflate.total_in(), delta.len());
                let status = inflate
                    .decompress_vec(input, delta, flate2::FlushDecompress::None)
                    .ok()?;
                let used = usize::try_from(inflate.total_in() - before).ok()?;
                // The stream's end, or no progress (input exhausted, or a stream that stalls):
                // what was inflated is checked against the size stated below.
                let end =
                    status == flate2::Status::StreamEnd || (used == 0 && delta.len() == written);
                reader.consume(used);
                if end {
                    break;
                }
            }
            Some(())
        })?;
        (delta.len() == size).then_some(())
    }

    /// Whether `id` has a loose copy (which must then be read with [`Database::read_loose`]).
    pub fn is_loose(&self, id: &ObjectId) -> bool {
        !self.loose.is_empty() && self.loose.contains_key(id)
    }

    /// Reads the loose copy of `id` and checks that its content hashes to `id`: git names a
    /// loose object by the hash of its content, and a file whose content does not match is
    /// not that object (damage, or a copy put there by hand).
    pub fn read_loose<'a>(
        &self,
        id: &ObjectId,
        buf: &'a mut Vec<u8>,
    ) -> Result<Option<gix::objs::Data<'a>>, String> {
        let Some(&store) = self.loose.get(id) else {
            return Ok(None);
        };
        let store = &self.stores[store];
        let data = store
            .try_find(id, buf)
            .map_err(|e| describe(&e))?
            .ok_or("the loose object file disappeared while reading")?;
        let actual = gix::objs::compute_hash(id.kind(), data.kind, data.data)
            .map_err(|e| format!("cannot hash it: {e}"))?;
        if actual != *id {
            return Err(format!(
                "the loose object file {} holds content whose hash is {actual}, not its name",
                store.object_path(id).display()
            ));
        }
        Ok(Some(data))
    }
}

/// Commits by id.
pub type Commits = gix::hashtable::HashMap<ObjectId, CommitInfo>;

/// A commit, as much as findings need.
#[derive(Clone, Debug)]
pub struct CommitInfo {
    /// Parent ids.
    pub parents: Vec<ObjectId>,
    /// Root tree.
    pub tree: ObjectId,
    /// `Name <email>`.
    pub author: String,
    /// Author time, seconds since the epoch.
    pub time: i64,
    /// First line of the message.
    pub summary: String,
}

/// Reads one object: a loose copy through [`Database::read_loose`] (hash-checked), any other
/// through the object store.
pub(crate) fn find<'a>(
    repo: &gix::Repository,
    db: &Database,
    id: &ObjectId,
    buf: &'a mut Vec<u8>,
) -> Result<Option<gix::objs::Data<'a>>, String> {
    if db.is_loose(id) {
        return db.read_loose(id, buf);
    }
    repo.objects.try_find(id, buf).map_err(|e| describe(&*e))
}

/// Decodes a commit's bytes, as much as findings need.
pub(crate) fn decode_commit(data: &[u8], hash: gix::hash::Kind) -> Result<CommitInfo, String> {
    decode_commit_and_message(data, hash).map(|(info, _)| info)
}

/// Decodes a commit's bytes, and returns its whole message (subject and body, as stored) to
/// be matched as well.
pub(crate) fn decode_commit_and_message(
    data: &[u8],
    hash: gix::hash::Kind,
) -> Result<(CommitInfo, &[u8]), String> {
    let commit = gix::objs::CommitRef::from_bytes(data, hash)
        .map_err(|e| format!("not a valid commit: {e}"))?;
    let author = commit.author().ok();
    let info = CommitInfo {
        parents: commit.parents().collect(),
        tree: commit.tree(),
        author: author
            .map(|a| format!("{} <{}>", a.name, a.email))
            .unwrap_or_default(),
        time: commit.time().map(|t| t.seconds).unwrap_or(0),
        summary: summary_of(commit.message),
    };
    Ok((info, commit.message))
}

/// The summary git shows for a message: its first paragraph on one line.
pub fn summary_of(message: &[u8]) -> String {
    gix::objs::commit::MessageRef::from_bytes(message)
        .summary()
        .to_string()
}

/// An annotated tag, as much as findings need.
#[derive(Clone, Debug)]
pub struct TagInfo {
    /// The name it was created with (`v1.0`): the `tag` header, not a ref.
    pub name: String,
    /// The object it names.
    pub target: ObjectId,
    /// `Name <email>` of the tagger, when the tag has one.
    pub tagger: String,
    /// Tagging time, seconds since the epoch (0 when unknown).
    pub time: i64,
    /// First paragraph of the message.
    pub summary: String,
}

/// Decodes an annotated tag's bytes, and returns its message (to be matched).
pub(crate) fn decode_tag(data: &[u8], hash: gix::hash::Kind) -> Result<(TagInfo, &[u8]), String> {
    let tag =
        gix::objs::TagRef::from_bytes(data, hash).map_err(|e| format!("not a valid tag: {e}"))?;
    let target = ObjectId::from_hex(tag.target).map_err(|e| format!("not a valid tag: {e}"))?;
    let tagger = tag.tagger().ok().flatten();
    let info = TagInfo {
        name: tag.name.to_string(),
        target,
        tagger: tagger
            .map(|t| format!("{} <{}>", t.name, t.email))
            .unwrap_or_default(),
        time: tagger
            .and_then(|t| t.time().ok())
            .map(|t| t.seconds)
            .unwrap_or(0),
        summary: summary_of(tag.message),
    };
    Ok((info, tag.message))
}

/// Reads and decodes one commit.
pub(crate) fn read_commit(
    repo: &gix::Repository,
    db: &Database,
    buf: &mut Vec<u8>,
    id: ObjectId,
) -> Result<Option<CommitInfo>, String> {
    match find(repo, db, &id, buf)? {
        Some(data) if data.kind == Kind::Commit => {
            decode_commit(data.data, repo.object_hash()).map(Some)
        }
        Some(data) => Err(format!("a {} where a commit was expected", data.kind)),
        None => Ok(None),
    }
}
