//! The object database as a gate must see it: every object the repository holds (its own
//! object directory and its alternates), listed from files [`super::packs`] verified first, so
//! that no object can be invisible; and reading objects from it: a loose copy hash-checked, any
//! other through the object store, a commit decoded as far as findings need. Anything that
//! does not verify is an error naming the file or object, never a silently smaller listing.
//!
//! This module lists, verifies and reads; it does not match, attribute or walk history.

use super::delta::{apply, result_size};
use super::packs::{damaged, loose_ids, pack_pairs, verify_pack};
use super::repo::{HistoryError, describe};
use gix::ObjectId;
use gix::objs::{Find, Kind};
use gix::odb::pack::data::Entry;
use gix::odb::pack::data::entry::Header;
use std::collections::HashMap;

/// Every object of the repository (its own object directory and its alternates), verified.
pub struct Database {
    /// Every object id, each once: packed objects first, in [`delta_first`] order (each object
    /// stored whole, then the deltas against it, each followed by the deltas against it: a
    /// delta is read while its base is at hand), then loose objects. Empty when the listing was
    /// not asked for.
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

/// Stretches of pack files one thread read last, with positioned reads (no cursor shared
/// between threads): most entries are a few hundred bytes, and the entries a stretch holds past
/// the one asked for (the next version of a file, often) cost no system call.
#[derive(Default)]
struct Blocks {
    /// (pack, where the stretch starts, its bytes).
    blocks: Vec<(u32, u64, Vec<u8>)>,
    /// The one to replace next.
    next: usize,
}

impl Blocks {
    const COUNT: usize = 4;
    const SIZE: usize = 16 << 10;

    /// The stretch holding `at` in pack `pack` (read now if none does): its index, and where
    /// `at` is in it. An empty stretch at the file's end.
    fn holding(
        &mut self,
        file: &std::fs::File,
        pack: u32,
        at: u64,
    ) -> std::io::Result<(usize, usize)> {
        let found = self.blocks.iter().position(|(p, start, bytes)| {
            *p == pack && *start <= at && at < start + bytes.len() as u64
        });
        if let Some(i) = found {
            return Ok((i, (at - self.blocks[i].1) as usize));
        }
        let i = if self.blocks.len() < Self::COUNT {
            self.blocks.push((pack, at, Vec::new()));
            self.blocks.len() - 1
        } else {
            self.next = (self.next + 1) % Self::COUNT;
            self.next
        };
        let (p, start, bytes) = &mut self.blocks[i];
        (*p, *start) = (pack, at);
        bytes.resize(Self::SIZE, 0);
        let mut filled = 0;
        while filled < bytes.len() {
            #[cfg(unix)]
            let n =
                std::os::unix::fs::FileExt::read_at(file, &mut bytes[filled..], at + filled as u64);
            #[cfg(windows)]
            let n = std::os::windows::fs::FileExt::seek_read(
                file,
                &mut bytes[filled..],
                at + filled as u64,
            );
            match n {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    bytes.clear();
                    return Err(e);
                }
            }
        }
        bytes.truncate(filled);
        Ok((i, 0))
    }
}

/// A pack file read from a position on, through this thread's [`Blocks`].
struct EntryData<'a> {
    blocks: &'a mut Blocks,
    file: &'a std::fs::File,
    pack: u32,
    at: u64,
}

impl std::io::Read for EntryData<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use std::io::BufRead;
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl std::io::BufRead for EntryData<'_> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        let (i, from) = self.blocks.holding(self.file, self.pack, self.at)?;
        Ok(&self.blocks.blocks[i].2[from..])
    }

    fn consume(&mut self, n: usize) {
        self.at += n as u64;
    }
}

impl LazyPack {
    fn open(&self) -> Option<(gix::odb::pack::index::File, gix::odb::pack::data::File)> {
        let index = gix::odb::pack::index::File::at(&self.index, self.kind).ok()?;
        let data = gix::odb::pack::data::File::at(&self.data, self.kind).ok()?;
        Some((index, data))
    }
}

/// The longest chain of deltas read (git's `pack.depth` is at most 4095).
const MAX_CHAIN: usize = 4096;

/// Inflates `size` bytes of `reader`'s zlib stream into `out` (replacing what it held), with
/// this thread's inflater, reset rather than made anew for each object; an error when the
/// stream is damaged or does not hold `size` bytes.
fn inflate_into(reader: &mut EntryData<'_>, size: u64, out: &mut Vec<u8>) -> Result<(), String> {
    use std::io::BufRead;
    let size = usize::try_from(size).map_err(|_| "too large for this machine")?;
    out.clear();
    out.reserve_exact(size);
    // Inflated from the small buffer itself (a `read` decoder would read ahead 32 KiB).
    INFLATE.with_borrow_mut(|inflate| {
        inflate.reset(true);
        while out.len() < size {
            let input = reader.fill_buf().map_err(|e| e.to_string())?;
            let (before, written) = (inflate.total_in(), out.len());
            let status = inflate
                .decompress_vec(input, out, flate2::FlushDecompress::None)
                .map_err(|e| e.to_string())?;
            let used = usize::try_from(inflate.total_in() - before).unwrap_or(usize::MAX);
            // The stream's end, or no progress (input exhausted, or a stream that stalls):
            // what was inflated is checked against the size stated below.
            let end = status == flate2::Status::StreamEnd || (used == 0 && out.len() == written);
            reader.consume(used);
            if end {
                break;
            }
        }
        Ok::<(), String>(())
    })?;
    if out.len() != size {
        return Err(format!("{} bytes where its entry states {size}", out.len()));
    }
    Ok(())
}

/// What one reading thread keeps to read packs ([`Database::read_packed`]).
#[derive(Default)]
struct Local {
    recent: Recent,
    blocks: Blocks,
    /// The deltas of the chain being read, inflated (buffers reused from read to read).
    deltas: Vec<Vec<u8>>,
    /// The next link's result.
    next: Vec<u8>,
}

/// Objects one reading thread rebuilt on its recent delta chains (and the trees it read: the
/// next version of a folder is stored against one), for the next chains through them: git
/// chains the versions of a file or folder, and neighbours share most of their links. Bounded
/// in bytes; the least recently used goes first.
struct Recent {
    kept: clru::CLruCache<(u32, u64), (Kind, Vec<u8>), std::hash::RandomState, ByLen>,
}

/// Weighs a kept object by its size.
struct ByLen;

impl clru::WeightScale<(u32, u64), (Kind, Vec<u8>)> for ByLen {
    fn weight(&self, _: &(u32, u64), (_, data): &(Kind, Vec<u8>)) -> usize {
        data.len()
    }
}

impl Default for Recent {
    fn default() -> Self {
        let bytes = std::num::NonZeroUsize::new(Self::BYTES).unwrap_or(std::num::NonZeroUsize::MIN);
        Recent {
            kept: clru::CLruCache::with_config(clru::CLruCacheConfig::new(bytes).with_scale(ByLen)),
        }
    }
}

impl Recent {
    const BYTES: usize = 2 << 20;
    /// Larger objects are not kept.
    const LARGEST: usize = 256 << 10;

    /// The object at `at` into `out` when kept, and its kind.
    fn copy(&mut self, at: (u32, u64), out: &mut Vec<u8>) -> Option<Kind> {
        let (kind, data) = self.kept.get(&at)?;
        out.clear();
        out.extend_from_slice(data);
        Some(*kind)
    }

    fn keep(&mut self, at: (u32, u64), kind: Kind, data: &[u8]) {
        if data.len() > Self::LARGEST || self.kept.contains(&at) {
            return;
        }
        // Refused only when heavier than the whole cache, which `LARGEST` rules out.
        let _ = self.kept.put_with_weight(at, (kind, data.to_vec()));
    }
}

#[cfg(test)]
thread_local! {
    /// How many pack entries this thread's reads walked through.
    static WALKED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

thread_local! {
    /// What each reading thread keeps to read packs ([`Database::read_packed`]).
    static LOCAL: std::cell::RefCell<Local> = std::cell::RefCell::default();
    /// Each reading thread's inflater for the deltas it reads ([`Database::read_delta`]).
    static INFLATE: std::cell::RefCell<flate2::Decompress> =
        std::cell::RefCell::new(flate2::Decompress::new(true));
}

/// The order to read packed objects in, as indexes into `placements` (every pack's objects,
/// the packs one after the other, each in offset order): each object stored whole (or against
/// an object not listed), then depth first the deltas stored against it, each followed by the
/// deltas against it. A delta is then read while its base, read just before it or a few
/// subtrees before, is still at hand: no base is ever rebuilt through its whole chain again,
/// as one is when read in pack order (git writes an object's versions by recency, its deltas
/// anywhere in the pack), and what is held at a time is one chain per reading thread.
pub(crate) fn delta_first(placements: &[Option<Placement>]) -> Option<Vec<u32>> {
    // 32-bit indexes: this runs over every object of the repository at once (`None` past
    // them, more objects than a pack index can list).
    const NONE: u32 = u32::MAX;
    let count = u32::try_from(placements.len()).ok()?;
    let key = |p: &Option<Placement>| p.map_or((u32::MAX, u64::MAX), |p| (p.pack, p.offset));
    // What each rests on: an earlier entry of its pack (a base always sits before its delta).
    let base: Vec<u32> = placements
        .iter()
        .enumerate()
        .map(|(i, p)| {
            p.and_then(|p| Some((p.pack, p.base?)))
                .and_then(|at| placements.binary_search_by(|q| key(q).cmp(&at)).ok())
                .filter(|&b| b < i)
                .map_or(NONE, |b| b as u32)
        })
        .collect();
    // The deltas against each, in pack order: `on[starts[i]..starts[i + 1]]`.
    let mut starts = vec![0u32; placements.len() + 1];
    for &b in base.iter().filter(|&&b| b != NONE) {
        starts[b as usize + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let mut filled = starts.clone();
    let mut on = vec![0u32; starts[placements.len()] as usize];
    for (i, &b) in (0..count).zip(&base) {
        if b != NONE {
            on[filled[b as usize] as usize] = i;
            filled[b as usize] += 1;
        }
    }
    drop(filled);
    let mut order = Vec::with_capacity(placements.len());
    let mut stack = Vec::new();
    for root in (0..count).filter(|&i| base[i as usize] == NONE) {
        stack.push(root);
        while let Some(i) = stack.pop() {
            order.push(i);
            let i = i as usize;
            stack.extend(on[starts[i] as usize..starts[i + 1] as usize].iter().rev());
        }
    }
    Some(order)
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
            // Past 32-bit indexes, in pack order.
            if let Some(order) = delta_first(&placements) {
                ids = order.iter().map(|&i| ids[i as usize]).collect();
                placements = order.iter().map(|&i| placements[i as usize]).collect();
            }
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
        LOCAL.with_borrow_mut(|local| {
            let (entry, mut reader) = self
                .entry_at(&mut local.blocks, placement.pack, placement.offset)
                .ok()?;
            if !matches!(entry.header, Header::OfsDelta { .. }) {
                return None;
            }
            inflate_into(&mut reader, entry.decompressed_size, delta).ok()
        })
    }

    /// The header of the entry at `offset` in pack `pack`, and a reader of its data.
    ///
    /// Packs are read here with positioned reads rather than through a mapping of the pack:
    /// a mapping's pages, once read, count in the process's memory until it ends (the whole
    /// pack, by the end of a history scan), where pages read are only the system's cache.
    fn entry_at<'b>(
        &'b self,
        blocks: &'b mut Blocks,
        pack: u32,
        offset: u64,
    ) -> Result<(Entry, EntryData<'b>), String> {
        let mut reader = self.data_at(blocks, pack, offset)?;
        let hash_len = self
            .packs
            .get(pack as usize)
            .map_or(20, |p| p.kind.len_in_bytes());
        let entry = Entry::from_read(&mut reader, offset, hash_len)
            .map_err(|e| format!("its entry at offset {offset} cannot be read: {e}"))?;
        Ok((entry, reader))
    }

    /// A reader of pack `pack` from `offset` on.
    fn data_at<'b>(
        &'b self,
        blocks: &'b mut Blocks,
        pack: u32,
        offset: u64,
    ) -> Result<EntryData<'b>, String> {
        let lazy = self.packs.get(pack as usize).ok_or("in no pack listed")?;
        let file = lazy
            .file
            .get_or_init(|| std::fs::File::open(&lazy.data).ok())
            .as_ref()
            .ok_or_else(|| format!("{} cannot be opened", lazy.data.display()))?;
        Ok(EntryData {
            blocks,
            file,
            pack,
            at: offset,
        })
    }

    /// Reads the object at `placement` from its pack into `out`, rebuilding it through its
    /// chain of deltas, and returns its kind. `Ok(None)` for what is read the usual way
    /// instead: a delta against an object named by id, and a blob of `large` bytes or more
    /// (whose size the caller checks before anything is inflated, or which it streams).
    pub fn read_packed(
        &self,
        placement: Placement,
        large: u64,
        out: &mut Vec<u8>,
    ) -> Result<Option<Kind>, String> {
        LOCAL.with_borrow_mut(|local| {
            let read = self.read_packed_with(placement, large, out, local);
            // A rare long chain leaves no more buffers behind than a usual one needs.
            local.deltas.truncate(64);
            read
        })
    }

    fn read_packed_with(
        &self,
        placement: Placement,
        large: u64,
        out: &mut Vec<u8>,
        local: &mut Local,
    ) -> Result<Option<Kind>, String> {
        let Local {
            recent,
            blocks,
            deltas,
            next,
        } = local;
        let Placement { pack, offset, .. } = placement;
        // Where the deltas from the object down to what they rest on are; each inflated into
        // `deltas` (the same index) while its entry is at hand.
        let mut links: Vec<u64> = Vec::new();
        let mut at = offset;
        let kind = loop {
            if let Some(kind) = recent.copy((pack, at), out) {
                break kind;
            }
            let (entry, mut reader) = self.entry_at(blocks, pack, at)?;
            #[cfg(test)]
            WALKED.with(|walked| walked.set(walked.get() + 1));
            match entry.header {
                Header::OfsDelta { base_distance } => {
                    if links.len() == MAX_CHAIN {
                        return Err(format!(
                            "a chain of more than {MAX_CHAIN} deltas: the pack is damaged"
                        ));
                    }
                    if deltas.len() == links.len() {
                        deltas.push(Vec::new());
                    }
                    inflate_into(
                        &mut reader,
                        entry.decompressed_size,
                        &mut deltas[links.len()],
                    )
                    .map_err(|e| format!("the delta at offset {at} does not inflate: {e}"))?;
                    links.push(at);
                    at = entry
                        .checked_base_pack_offset(base_distance)
                        .ok_or("a delta whose base would lie before the pack's start")?;
                }
                Header::RefDelta { .. } => return Ok(None),
                header => {
                    let kind = header.as_kind().ok_or("an entry of no known kind")?;
                    if links.is_empty() && kind == Kind::Blob && entry.decompressed_size >= large {
                        return Ok(None);
                    }
                    inflate_into(&mut reader, entry.decompressed_size, out)
                        .map_err(|e| format!("the object at offset {at} does not inflate: {e}"))?;
                    if !links.is_empty() {
                        recent.keep((pack, at), kind, out);
                    }
                    break kind;
                }
            }
        };
        if kind == Kind::Blob
            && deltas
                .first()
                .filter(|_| !links.is_empty())
                .is_some_and(|top| result_size(top).is_none_or(|n| n as u64 >= large))
        {
            return Ok(None);
        }
        for (i, &at) in links.iter().enumerate().rev() {
            apply(out, &deltas[i], next)
                .ok_or_else(|| format!("the delta at offset {at} does not apply to its base"))?;
            std::mem::swap(out, next);
            if i > 0 || kind == Kind::Tree {
                recent.keep((pack, at), kind, out);
            }
        }
        Ok(Some(kind))
    }

    /// Reads `id` from the first pack that holds it ([`Database::read_packed`]); `Ok(None)`
    /// when none does or it is a delta against an object named by id (read it through the
    /// object store).
    pub fn find_packed(&self, id: &ObjectId, out: &mut Vec<u8>) -> Result<Option<Kind>, String> {
        for (n, pack) in self.packs.iter().enumerate() {
            let Some((index, _)) = pack.opened.get_or_init(|| pack.open()) else {
                continue;
            };
            let Some(at) = index.lookup(id) else {
                continue;
            };
            let placement = Placement {
                pack: u32::try_from(n).map_err(|_| "too many packs")?,
                offset: index.pack_offset_at_index(at),
                base: None,
            };
            return self.read_packed(placement, u64::MAX, out);
        }
        Ok(None)
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
    if let Some(kind) = db.find_packed(id, buf)? {
        return Ok(Some(gix::objs::Data::new(buf, kind, id.kind())));
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn git(dir: &std::path::Path, args: &[&str]) {
        let out = Command::new("git")
            .current_dir(dir)
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
    }

    /// Bytes that hardly compress (so that entries span the reader's 16 KiB stretches).
    fn noise(seed: u64, len: usize) -> String {
        let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                char::from(b'!' + (x % 90) as u8)
            })
            .collect()
    }

    #[test]
    fn every_packed_object_reads_from_the_pack_as_the_object_store_reads_it() {
        // Versions of files small and large (up to several of the reader's stretches), edited
        // a little each time, in folders: packed with long delta chains of blobs and trees.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path();
        git(path, &["init", "-q"]);
        let mut text = noise(1, 70_000);
        for version in 0..40u64 {
            // Each version edits the one before: git chains them.
            text.insert_str(
                (version as usize * 1733) % text.len(),
                &noise(version + 2, 400),
            );
            std::fs::create_dir_all(path.join(format!("dir{}", version % 3))).unwrap();
            std::fs::write(path.join("big.txt"), &text).unwrap();
            std::fs::write(
                path.join(format!("dir{}/small.txt", version % 3)),
                format!("line one\nversion {version}\nline three\n"),
            )
            .unwrap();
            git(path, &["add", "-A"]);
            git(path, &["commit", "-qm", &format!("version {version}")]);
        }
        git(path, &["repack", "-adfq", "--depth=50", "--window=50"]);
        let repo = gix::open(path).unwrap();
        let db = Database::open(&repo, true).unwrap();
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        let mut deltas = 0;
        for (id, placement) in db.ids.iter().zip(&db.placements) {
            let placement = placement.expect("every object is packed");
            deltas += usize::from(placement.base.is_some());
            let kind = db
                .read_packed(placement, u64::MAX, &mut ours)
                .unwrap()
                .expect("read from the pack");
            let data = repo.objects.try_find(id, &mut theirs).unwrap().unwrap();
            assert_eq!((kind, ours.as_slice()), (data.kind, data.data), "{id}");
            // By id as well, and a blob at or over the size asked for is left to the caller.
            assert_eq!(db.find_packed(id, &mut ours).unwrap(), Some(kind));
            if kind == Kind::Blob {
                let size = theirs.len() as u64;
                assert_eq!(db.read_packed(placement, size, &mut ours).unwrap(), None);
                assert_eq!(
                    db.read_packed(placement, size + 1, &mut ours).unwrap(),
                    Some(Kind::Blob)
                );
            }
        }
        // Chains, not only single deltas: some deltas are against deltas.
        let stored_as_deltas: std::collections::HashSet<u64> = db
            .placements
            .iter()
            .flatten()
            .filter(|p| p.base.is_some())
            .map(|p| p.offset)
            .collect();
        let chained = db
            .placements
            .iter()
            .flatten()
            .filter(|p| p.base.is_some_and(|b| stored_as_deltas.contains(&b)))
            .count();
        assert!(
            deltas >= 30 && chained >= 10,
            "the versions are not stored as delta chains: {deltas} deltas, {chained} chained"
        );
    }

    /// Checks that `order` reads `placements` depth first through their deltas: each once,
    /// each delta after its base with only the base's other deltas (and theirs) in between.
    fn assert_delta_first(placements: &[Option<Placement>], order: &[u32]) {
        let mut sorted: Vec<usize> = order.iter().map(|&i| i as usize).collect();
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            (0..placements.len()).collect::<Vec<_>>(),
            "each once"
        );
        let offset = |i: usize| placements[i].map(|p| (p.pack, p.offset));
        let listed: std::collections::HashSet<(u32, u64)> = placements
            .iter()
            .flatten()
            .map(|p| (p.pack, p.offset))
            .collect();
        // The chain from the object read last down to what it rests on.
        let mut chain: Vec<usize> = Vec::new();
        for &i in order {
            let i = i as usize;
            let base = placements[i]
                .and_then(|p| Some((p.pack, p.base?)))
                .filter(|b| listed.contains(b));
            while chain
                .last()
                .is_some_and(|&c| Some(offset(c)) != base.map(Some))
            {
                chain.pop();
            }
            assert_eq!(
                chain.last().map(|&c| offset(c)),
                base.map(Some),
                "entry {i} is read away from its base"
            );
            chain.push(i);
        }
    }

    #[test]
    fn deltas_are_read_depth_first_after_their_bases() {
        let at = |offset, base| {
            Some(Placement {
                pack: 0,
                offset,
                base,
            })
        };
        // 10 <- 20 <- 40, 10 <- 30, 50 alone, 60 <- 70 (pack 1: 10 is another object).
        let placements = vec![
            at(10, None),
            at(20, Some(10)),
            at(30, Some(10)),
            at(40, Some(20)),
            at(50, None),
            Some(Placement {
                pack: 1,
                offset: 10,
                base: None,
            }),
            Some(Placement {
                pack: 1,
                offset: 20,
                base: Some(10),
            }),
            None,
        ];
        let order = delta_first(&placements).unwrap();
        assert_eq!(order, vec![0, 1, 3, 2, 4, 5, 6, 7]);
        assert_delta_first(&placements, &order);
        // A base that is not listed (the same id in an earlier pack): read as stored whole.
        let placements = vec![at(10, Some(5)), at(20, Some(10))];
        assert_eq!(delta_first(&placements), Some(vec![0, 1]));
    }

    #[test]
    fn a_packed_history_is_listed_depth_first_through_its_delta_chains() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path();
        git(path, &["init", "-q"]);
        let mut text = noise(3, 20_000);
        for version in 0..30u64 {
            text.insert_str((version as usize * 977) % text.len(), &noise(version, 50));
            std::fs::write(path.join(format!("f{}.txt", version % 4)), &text).unwrap();
            git(path, &["add", "-A"]);
            git(path, &["commit", "-qm", &format!("version {version}")]);
        }
        git(path, &["repack", "-adfq", "--depth=50", "--window=50"]);
        let repo = gix::open(path).unwrap();
        let db = Database::open(&repo, true).unwrap();
        assert_delta_first(
            &db.placements,
            &(0..db.placements.len() as u32).collect::<Vec<_>>(),
        );
        // Not already so in the pack: the four files' versions are written interleaved.
        let mut in_pack = db.placements.clone();
        in_pack.sort_by_key(|p| p.map(|p| (p.pack, p.offset)));
        let order = delta_first(&in_pack).unwrap();
        assert_ne!(order, (0..in_pack.len() as u32).collect::<Vec<_>>());
        assert_delta_first(&in_pack, &order);
        let deltas = db.placements.iter().flatten().filter(|p| p.base.is_some());
        assert!(deltas.count() >= 30, "stored as deltas");
    }

    #[test]
    fn a_tree_read_after_the_one_it_is_stored_against_walks_one_link_not_the_whole_chain() {
        // Attribution reads each commit's trees after its parent's: when the tree a version is
        // stored against was just read, reading the version must not walk its chain again
        // (on a synthetic history with 50-link tree chains that made attribution 3x slower).
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path();
        git(path, &["init", "-q"]);
        std::fs::create_dir_all(path.join("folder")).unwrap();
        for version in 0..30 {
            std::fs::write(path.join(format!("folder/file{version}.txt")), "a file\n").unwrap();
            git(path, &["add", "-A"]);
            git(path, &["commit", "-qm", &format!("version {version}")]);
        }
        git(path, &["repack", "-adfq", "--depth=50", "--window=50"]);
        let repo = gix::open(path).unwrap();
        let db = Database::open(&repo, true).unwrap();
        let placements: Vec<Placement> = db.placements.iter().flatten().copied().collect();
        let by_offset: HashMap<u64, Placement> =
            placements.iter().map(|p| (p.offset, *p)).collect();
        let mut out = Vec::new();
        let mut tested = 0;
        for p in &placements {
            // A tree stored against a tree that is itself stored as a delta.
            let Some(base) = p.base.and_then(|b| by_offset.get(&b)) else {
                continue;
            };
            // Bases sit before their deltas in a pack: no earlier round read `p`.
            if base.base.is_none()
                || db.read_packed(*base, u64::MAX, &mut out).unwrap() != Some(Kind::Tree)
            {
                continue;
            }
            WALKED.with(|walked| walked.set(0));
            assert_eq!(
                db.read_packed(*p, u64::MAX, &mut out).unwrap(),
                Some(Kind::Tree)
            );
            assert_eq!(
                WALKED.with(std::cell::Cell::get),
                1,
                "at offset {}",
                p.offset
            );
            tested += 1;
        }
        assert!(tested >= 5, "too few chained trees: {tested}");
    }
}
