//! Archives and compressed files, recognised by their magic bytes (never by name): gzip
//! (`.gz`, `.tgz`), xz, bzip2 and zstd (`.tar.xz`, `.tbz2`, `.tar.zst`…), tar, zip and the
//! zip-based `.jar`, `.whl`, `.nupkg`, read with the `flate2`, `lzma-rust2`, `bzip2`, `ruzstd`,
//! `tar` and `zip` crates, each member handed back to [`super::content`], nested to
//! [`MAX_DEPTH`]. A secret inside is reported at the member (`dist/release.tar.gz!release/.env`).
//!
//! Reading is bounded per blob: bytes unpacked (all members, all levels), unpacked bytes per
//! byte stored (a zip bomb), members, a member over the blob size limit, and the memory an xz
//! stream asks for its dictionary. An archive that hits a bound or cannot be read (damaged,
//! encrypted, a zip member compressed with a method no decoder here reads) is reported as a
//! [`Truncation`], which the check turns into a `secrets.archive-truncated`
//! warning: never a silent skip. Members are read one at a time, so memory holds the archive
//! and one member.
//!
//! It parses no container format itself, opens no file and knows nothing of git.

use super::Limits;
use super::content::{self, Scanned};
use super::is_binary;
use crate::checks::secrets::engine::RuleSet;
use std::cell::Cell;
use std::io::{Cursor, Read};
use std::rc::Rc;

/// Archives inside archives: a `.zip` in a `.tar.gz` in the blob is three.
pub const MAX_DEPTH: usize = 3;
/// Bytes unpacked from one blob, every member and level together.
pub const MAX_UNPACKED: u64 = 1 << 30;
/// Bytes unpacked per byte of the blob: text compresses ten to fifty times; a zip bomb, a
/// thousand times and more.
pub const MAX_RATIO: u64 = 200;
/// Members read from one blob, every level together.
pub const MAX_MEMBERS: usize = 100_000;
/// The dictionary an xz stream may ask for, in KiB (`xz -9` asks for 64 MiB).
const MAX_XZ_DICTIONARY_KIB: u32 = 128 * 1024;

/// What a blob's content is, by its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Gzip,
    Xz,
    Bzip2,
    Zstd,
    Zip,
    Tar,
}

/// The archive or compression `data` starts with, if any.
pub fn kind_of(data: &[u8]) -> Option<Kind> {
    if data.starts_with(&[0x1f, 0x8b]) {
        Some(Kind::Gzip)
    } else if data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06") {
        Some(Kind::Zip)
    } else if data.get(257..262) == Some(b"ustar") {
        Some(Kind::Tar)
    } else if data.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        Some(Kind::Xz)
    } else if data.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Some(Kind::Zstd)
    } else if data.starts_with(b"BZh") && data.get(4..10) == Some(b"1AY&SY") {
        Some(Kind::Bzip2)
    } else {
        None
    }
}

/// Why an archive was not read to its end, and where it stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Truncation {
    /// The member (`!`-joined through nested archives) it stopped at or in; `None` for the
    /// archive itself.
    pub member: Option<String>,
    /// What stopped it.
    pub reason: String,
    /// The blob or file itself was not read, being over `--max-blob-size`: it is reported
    /// as `secrets.blob-not-read`, whatever it holds.
    pub whole: bool,
}

impl Truncation {
    /// A blob or file of `size` bytes, over the `max` bytes `--max-blob-size` allows.
    pub fn too_large(size: u64, max: u64) -> Truncation {
        Truncation {
            member: None,
            reason: format!("{size} bytes, over --max-blob-size ({max} bytes)"),
            whole: true,
        }
    }
}

/// What one blob's unpacking may still use. Every decompressing reader counts what it
/// inflates into it (a member skipped unread still passes through the decompressor), so a bomb
/// is stopped while it inflates, whatever part of it is read.
pub struct Budget {
    unpacked: Rc<Cell<u64>>,
    members: usize,
    max_unpacked: u64,
}

impl Budget {
    /// The budget of a blob of `size` bytes.
    pub fn for_blob(size: usize) -> Budget {
        Budget {
            unpacked: Rc::new(Cell::new(0)),
            members: 0,
            max_unpacked: MAX_UNPACKED.min((size as u64).saturating_mul(MAX_RATIO).max(1 << 20)),
        }
    }

    /// Why unpacking must stop, once it must.
    fn over(&self) -> Option<String> {
        (self.unpacked.get() > self.max_unpacked).then(|| {
            format!(
                "stopped after {} unpacked bytes (the bound for this blob: {MAX_RATIO} times its size, at most 1 GiB)",
                self.max_unpacked
            )
        })
    }

    /// `reader` (a decompressor), counting what it yields into this budget.
    fn count<R: Read>(&self, reader: R) -> Counted<R> {
        Counted {
            inner: reader,
            unpacked: self.unpacked.clone(),
            max: self.max_unpacked,
        }
    }
}

/// A decompressor whose output is counted, failing once the blob's budget is spent.
struct Counted<R> {
    inner: R,
    unpacked: Rc<Cell<u64>>,
    max: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.unpacked
            .set(self.unpacked.get().saturating_add(n as u64));
        if self.unpacked.get() > self.max {
            return Err(std::io::Error::other("the unpacked-bytes bound was hit"));
        }
        Ok(n)
    }
}

/// What every level of one blob's unpacking reads with.
#[derive(Clone, Copy)]
struct Reading<'a> {
    rules: &'a RuleSet,
    limits: Limits,
    /// Archives that enclose the one being read.
    depth: usize,
}

/// Reads `data` (of `kind`) and scans every member; `depth` archives already enclose it.
pub fn scan(
    data: &[u8],
    kind: Kind,
    rules: &RuleSet,
    limits: Limits,
    budget: &mut Budget,
    depth: usize,
) -> Scanned {
    unpack(
        Source::<&[u8]>::Bytes(data),
        kind,
        rules,
        limits,
        budget,
        depth,
    )
}

/// [`scan`] of a blob of `size` bytes read as a stream (inflated from its pack or loose file as
/// it is read, never held whole), when its first bytes say it is an archive; `Ok(None)` for
/// anything else and for a zip, which is read by seeking in it (read those the usual way).
pub fn scan_stream(
    mut stream: impl Read,
    size: u64,
    rules: &RuleSet,
    limits: Limits,
) -> std::io::Result<Option<Scanned>> {
    let mut head = Vec::with_capacity(512);
    (&mut stream).take(512).read_to_end(&mut head)?;
    let Some(kind) = kind_of(&head).filter(|k| *k != Kind::Zip) else {
        return Ok(None);
    };
    let mut budget = Budget::for_blob(usize::try_from(size).unwrap_or(usize::MAX));
    let source = Source::Stream(Cursor::new(head).chain(stream));
    Ok(Some(unpack(source, kind, rules, limits, &mut budget, 0)))
}

/// An archive's bytes: in memory (any kind), or a stream (any kind but zip).
enum Source<'a, R> {
    Bytes(&'a [u8]),
    Stream(R),
}

impl<R: Read> Read for Source<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Source::Bytes(data) => data.read(buf),
            Source::Stream(stream) => stream.read(buf),
        }
    }
}

fn unpack<R: Read>(
    source: Source<'_, R>,
    kind: Kind,
    rules: &RuleSet,
    limits: Limits,
    budget: &mut Budget,
    depth: usize,
) -> Scanned {
    let mut out = Scanned::default();
    if depth >= MAX_DEPTH {
        out.truncated.push(Truncation {
            member: None,
            reason: format!("an archive nested {MAX_DEPTH} deep: not opened"),
            whole: false,
        });
        return out;
    }
    let reading = Reading {
        rules,
        limits,
        depth,
    };
    let result = match (kind, source) {
        (Kind::Zip, Source::Bytes(data)) => zip(data, reading, budget, &mut out),
        (Kind::Zip, Source::Stream(_)) => Err("a zip cannot be read as a stream".into()),
        (Kind::Gzip, source) => gzip(source, reading, budget, &mut out),
        (Kind::Xz, source) => {
            let decoder = lzma_rust2::XzReader::new_mem_limit(source, true, MAX_XZ_DICTIONARY_KIB);
            decompressed("xz", budget.count(decoder), reading, budget, &mut out)
        }
        (Kind::Bzip2, source) => {
            let decoder = bzip2::read::MultiBzDecoder::new(source);
            decompressed("bzip2", budget.count(decoder), reading, budget, &mut out)
        }
        (Kind::Zstd, source) => match ruzstd::decoding::StreamingDecoder::new(source) {
            Ok(decoder) => decompressed("zstd", budget.count(decoder), reading, budget, &mut out),
            Err(e) => Err(format!("zstd cannot be read: {e}")),
        },
        (Kind::Tar, source) => tar(source, reading, budget, &mut out),
    };
    if let Err(reason) = result {
        let reason = budget.over().unwrap_or(reason);
        out.truncated.push(Truncation {
            member: out.stopped_at.take(),
            reason,
            whole: false,
        });
    }
    out
}

/// Reads a member whole (within the budget and the blob size limit) and scans it under
/// `name`.
fn member(
    (name, declared): (String, u64),
    reader: impl Read,
    reading: Reading<'_>,
    budget: &mut Budget,
    out: &mut Scanned,
) -> Result<(), String> {
    let Reading {
        rules,
        limits,
        depth,
    } = reading;
    budget.members += 1;
    if budget.members > MAX_MEMBERS {
        out.stopped_at = Some(name);
        return Err(format!(
            "more than {MAX_MEMBERS} members: the rest was not read"
        ));
    }
    if declared > limits.max_blob_size {
        out.truncated.push(Truncation {
            member: Some(name),
            reason: format!("a member of {declared} bytes, over --max-blob-size: not read"),
            whole: false,
        });
        return Ok(());
    }
    // The first 8 KiB say whether the member is worth holding: binary that is no archive is
    // skipped (unless asked) without reading the rest into memory.
    let mut reader = reader.take(limits.max_blob_size.saturating_add(1));
    let mut bytes = Vec::with_capacity(declared.clamp(8192, 1 << 20) as usize);
    let read = (&mut reader)
        .take(8192)
        .read_to_end(&mut bytes)
        .and_then(|_| {
            let skip = bytes.len() == 8192
                && !limits.scan_binary
                && kind_of(&bytes).is_none()
                && is_binary(&bytes);
            if skip {
                Ok(0)
            } else {
                reader.read_to_end(&mut bytes)
            }
        });
    if let Err(e) = read {
        out.stopped_at = Some(name);
        return Err(budget
            .over()
            .unwrap_or_else(|| format!("cannot be read: {e}")));
    }
    if bytes.len() as u64 > limits.max_blob_size {
        out.truncated.push(Truncation {
            member: Some(name),
            reason: "a member over --max-blob-size: not read".into(),
            whole: false,
        });
        return Ok(());
    }
    let inner = content::scan_nested(&bytes, rules, limits, budget, depth + 1);
    out.absorb(&name, inner);
    Ok(())
}

fn gzip(
    data: impl Read,
    reading: Reading<'_>,
    budget: &mut Budget,
    out: &mut Scanned,
) -> Result<(), String> {
    let mut decoder = budget.count(flate2::read::MultiGzDecoder::new(data));
    let mut head = Vec::with_capacity(512);
    (&mut decoder)
        .take(512)
        .read_to_end(&mut head)
        .map_err(|e| format!("gzip cannot be read: {e}"))?;
    let name = decoder
        .inner
        .header()
        .and_then(|h| h.filename())
        .map(|n| String::from_utf8_lossy(n).into_owned());
    let name = name.unwrap_or_else(|| "(gunzipped)".into());
    tar_or_member(head, decoder, name, reading, budget, out)
}

/// An xz, bzip2 or zstd stream (`method`): a tar's members, or one file.
fn decompressed(
    method: &str,
    mut decoder: impl Read,
    reading: Reading<'_>,
    budget: &mut Budget,
    out: &mut Scanned,
) -> Result<(), String> {
    let mut head = Vec::with_capacity(512);
    (&mut decoder)
        .take(512)
        .read_to_end(&mut head)
        .map_err(|e| format!("{method} cannot be read: {e}"))?;
    let name = format!("({method}-decompressed)");
    tar_or_member(head, decoder, name, reading, budget, out)
}

/// A decompressed stream whose first bytes are `head`: a tar's members (a `.tar.gz` has its
/// members named straight after the blob), or one file called `name`.
fn tar_or_member(
    head: Vec<u8>,
    rest: impl Read,
    name: String,
    reading: Reading<'_>,
    budget: &mut Budget,
    out: &mut Scanned,
) -> Result<(), String> {
    let tarred = head.get(257..262) == Some(b"ustar");
    let stream = Cursor::new(head).chain(rest);
    if tarred {
        return tar(stream, reading, budget, out);
    }
    member((name, 0), stream, reading, budget, out)
}

fn tar(
    reader: impl Read,
    reading: Reading<'_>,
    budget: &mut Budget,
    out: &mut Scanned,
) -> Result<(), String> {
    let mut archive = tar::Archive::new(reader);
    let entries = archive
        .entries()
        .map_err(|e| format!("tar cannot be read: {e}"))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("tar cannot be read: {e}"))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let size = entry.size();
        member((name, size), entry, reading, budget, out)?;
    }
    Ok(())
}

/// A zip member compressed with zstd (method 93), which the zip crate names only as a method
/// it does not support here.
#[allow(deprecated)]
const ZSTD_IN_ZIP: zip::CompressionMethod = zip::CompressionMethod::Unsupported(93);

fn zip(
    data: &[u8],
    reading: Reading<'_>,
    budget: &mut Budget,
    out: &mut Scanned,
) -> Result<(), String> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(data)).map_err(|e| format!("zip cannot be read: {e}"))?;
    for index in 0..archive.len() {
        let listed = archive
            .name_for_index(index)
            .and_then(|n| n.ok())
            .map(|n| n.into_owned())
            .unwrap_or_else(|| format!("member {index}"));
        // The zip crate reads zstd members only through a C library: those are read raw and
        // inflated here with the same decoder as zstd streams.
        if archive
            .by_index_raw(index)
            .is_ok_and(|raw| raw.compression() == ZSTD_IN_ZIP && !raw.encrypted())
        {
            let raw = archive
                .by_index_raw(index)
                .map_err(|e| format!("zip cannot be read: {e}"))?;
            let size = raw.size();
            match ruzstd::decoding::StreamingDecoder::new(raw) {
                Ok(decoder) => member((listed, size), budget.count(decoder), reading, budget, out)?,
                Err(e) => out.truncated.push(Truncation {
                    member: Some(listed),
                    reason: format!("zstd cannot be read: {e}"),
                    whole: false,
                }),
            }
            continue;
        }
        let file = match archive.by_index(index) {
            Ok(file) => file,
            Err(e) => {
                // An encrypted member or an unknown compression method: that member is not
                // read, the others are.
                out.truncated.push(Truncation {
                    member: Some(listed),
                    reason: format!("cannot be read: {e}"),
                    whole: false,
                });
                continue;
            }
        };
        if file.is_dir() {
            continue;
        }
        let name = listed;
        if file.encrypted() {
            out.truncated.push(Truncation {
                member: Some(name),
                reason: "encrypted: not read".into(),
                whole: false,
            });
            continue;
        }
        let size = file.size();
        let file = budget.count(file);
        member((name, size), file, reading, budget, out)?;
    }
    Ok(())
}
