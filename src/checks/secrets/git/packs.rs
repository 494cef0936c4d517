//! Verifying the files of the object database before anything is read from them, so that no
//! object can be invisible. A pack is listed only through an index whose checksum holds and
//! whose recorded pack trailer is the pack's own, and every byte of the pack is covered by an
//! entry whose CRC-32 the index records; a multi-pack index is checksum-verified; a loose
//! object fan-out that cannot be listed is an error. Anything that does not verify is an error
//! naming the file, never a silently smaller listing.
//!
//! It lists and verifies files; it does not read objects (that is [`super::objects`]), match,
//! attribute or walk history.

use super::repo::{HistoryError, describe};
use gix::ObjectId;
use gix::odb::pack;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

pub(super) fn damaged(path: &Path, message: impl Into<String>) -> HistoryError {
    HistoryError::Damaged {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// The (index, pack) file pairs of a pack directory, sorted; a pack without its index (git
/// cannot read it either, so its objects would be invisible) or an index without its pack is
/// an error. A `multi-pack-index` is checksum-verified and must name only indices that exist.
pub(super) fn pack_pairs(dir: &Path) -> Result<Vec<(PathBuf, PathBuf)>, HistoryError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(damaged(dir, format!("cannot list the packs: {e}"))),
    };
    let mut indices = Vec::new();
    let mut datas = Vec::new();
    let mut multi = None;
    for entry in entries {
        let path = entry
            .map_err(|e| damaged(dir, format!("cannot list the packs: {e}")))?
            .path();
        match path.extension().and_then(|e| e.to_str()) {
            Some("idx") => indices.push(path),
            Some("pack") => datas.push(path),
            _ if path.file_name().is_some_and(|n| n == "multi-pack-index") => multi = Some(path),
            _ => {}
        }
    }
    indices.sort();
    datas.sort();
    for data in &datas {
        if !indices.contains(&data.with_extension("idx")) {
            return Err(damaged(
                data,
                "this pack has no index (.idx), so its objects cannot be listed; rebuild it with `git index-pack`",
            ));
        }
    }
    for idx in &indices {
        if !datas.contains(&idx.with_extension("pack")) {
            return Err(damaged(
                idx,
                "this pack index has no pack (.pack): the objects it lists cannot be read",
            ));
        }
    }
    if let Some(path) = multi {
        let file = pack::multi_index::File::at(&path, None).map_err(|e| {
            damaged(
                &path,
                format!("cannot read the multi-pack index: {}", describe(&e)),
            )
        })?;
        file.verify_checksum(
            &mut gix::features::progress::Discard,
            &AtomicBool::new(false),
        )
        .map_err(|e| {
            damaged(
                &path,
                format!("the multi-pack index fails its checksum: {}", describe(&e)),
            )
        })?;
        if let Some(missing) = file
            .index_names()
            .iter()
            .find(|name| !indices.contains(&dir.join(name)))
        {
            return Err(damaged(
                &path,
                format!(
                    "the multi-pack index names {}, which is not in the pack directory",
                    missing.display()
                ),
            ));
        }
    }
    Ok(indices
        .into_iter()
        .map(|idx| {
            let data = idx.with_extension("pack");
            (idx, data)
        })
        .collect())
}

/// Verifies one pack against its index and returns its entries as (offset, id, offset of the
/// delta base when the entry is a delta against the same pack). The index's
/// own checksum covers the ids, offsets and CRCs it lists; the pack trailer it records must be
/// the pack's; the entries must tile the pack from its header to its trailer, each matching
/// its CRC-32. Together that covers every byte of both files for the price of one SHA-1 over
/// the index and a CRC-32 over the pack (a SHA-1 over the pack costs ten times more; hashing
/// every object's content a hundred).
pub(super) fn verify_pack(
    idx_path: &Path,
    pack_path: &Path,
    kind: gix::hash::Kind,
) -> Result<Vec<(u64, ObjectId, Option<u64>)>, HistoryError> {
    let chain = |e: &dyn std::error::Error| describe(e);
    let index = pack::index::File::at(idx_path, kind).map_err(|e| {
        damaged(
            idx_path,
            format!("cannot read the pack index: {}", chain(&e)),
        )
    })?;
    index
        .verify_checksum(
            &mut gix::features::progress::Discard,
            &AtomicBool::new(false),
        )
        .map_err(|e| {
            damaged(
                idx_path,
                format!(
                    "the pack index fails its checksum (truncated or altered): {}",
                    chain(&e)
                ),
            )
        })?;
    let data = pack::data::File::at(pack_path, kind)
        .map_err(|e| damaged(pack_path, format!("cannot read the pack: {}", chain(&e))))?;
    if data.checksum() != index.pack_checksum() {
        return Err(damaged(
            pack_path,
            format!(
                "the pack's trailer {} is not the {} its index records: the pack is truncated or was replaced",
                data.checksum(),
                index.pack_checksum()
            ),
        ));
    }
    if data.num_objects() != index.num_objects() {
        return Err(damaged(
            pack_path,
            format!(
                "the pack holds {} objects but its index lists {}",
                data.num_objects(),
                index.num_objects()
            ),
        ));
    }
    let mut entries: Vec<pack::index::Entry> = index.iter().collect();
    entries.par_sort_unstable_by_key(|e| e.pack_offset);
    let end = data.pack_end() as u64;
    // The entries must tile the pack: from the 12 bytes of header ("PACK", version, count,
    // checked when the pack was opened) to the trailer, each ending where the next starts.
    let ends: Vec<u64> = entries
        .iter()
        .skip(1)
        .map(|e| e.pack_offset)
        .chain(std::iter::once(end))
        .collect();
    let misplaced = entries
        .iter()
        .zip(&ends)
        .enumerate()
        .find(|(i, (entry, next))| {
            (*i == 0 && entry.pack_offset != 12) || **next <= entry.pack_offset || **next > end
        });
    if let Some((_, (entry, _))) = misplaced {
        return Err(damaged(
            pack_path,
            format!(
                "object {} sits at offset {} where the pack has no entry: the index does not describe this pack",
                entry.oid, entry.pack_offset
            ),
        ));
    }
    // Each entry's bytes against its CRC-32, in parallel (the pack is read whole here); and
    // where its delta base is, for the link check to compare a tree with its base.
    let out: Vec<(u64, ObjectId, Option<u64>)> = entries
        .par_iter()
        .zip(ends.par_iter())
        .map(|(entry, &next)| {
            if let Some(crc) = entry.crc32 {
                let bytes = data.entry_slice(entry.pack_offset..next).ok_or_else(|| {
                    damaged(
                        pack_path,
                        format!("object {} lies beyond the end of the pack", entry.oid),
                    )
                })?;
                if crc32fast::hash(bytes) != crc {
                    return Err(damaged(
                        pack_path,
                        format!(
                            "object {} at offset {} fails its CRC-32: the pack is corrupt",
                            entry.oid, entry.pack_offset
                        ),
                    ));
                }
            }
            let base = data
                .entry(entry.pack_offset)
                .ok()
                .and_then(|e| match e.header {
                    pack::data::entry::Header::OfsDelta { base_distance } => {
                        e.checked_base_pack_offset(base_distance)
                    }
                    _ => None,
                });
            Ok((entry.pack_offset, entry.oid, base))
        })
        .collect::<Result<_, HistoryError>>()?;
    if entries.is_empty() && end != 12 {
        return Err(damaged(
            pack_path,
            "the pack has data its index lists no object for",
        ));
    }
    // Version 1 indices carry no CRCs: fall back to the pack's own SHA-1.
    if index.version() == pack::index::Version::V1 {
        data.verify_checksum(
            &mut gix::features::progress::Discard,
            &AtomicBool::new(false),
        )
        .map_err(|e| {
            damaged(
                pack_path,
                format!("the pack fails its checksum: {}", chain(&e)),
            )
        })?;
    }
    Ok(out)
}

/// The loose objects of an object directory. A fan-out entry (`objects/ab`) that is not a
/// directory, or one that cannot be listed, is an error: git would not find the objects it
/// should hold. Names that are not object ids (git's temporary files) are skipped.
pub(super) fn loose_ids(dir: &Path, kind: gix::hash::Kind) -> Result<Vec<ObjectId>, HistoryError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(damaged(
                dir,
                format!("cannot list the object directory: {e}"),
            ));
        }
    };
    let hex_len = kind.len_in_hex();
    let mut ids = Vec::new();
    for entry in entries {
        let entry =
            entry.map_err(|e| damaged(dir, format!("cannot list the object directory: {e}")))?;
        let name = entry.file_name();
        let Some(prefix) = name
            .to_str()
            .filter(|n| n.len() == 2 && n.bytes().all(|b| b.is_ascii_hexdigit()))
        else {
            continue;
        };
        let fan = entry.path();
        if !std::fs::metadata(&fan).is_ok_and(|m| m.is_dir()) {
            return Err(damaged(
                &fan,
                "this fan-out entry is not a directory, so the loose objects it should hold cannot be read",
            ));
        }
        let objects = std::fs::read_dir(&fan)
            .map_err(|e| damaged(&fan, format!("cannot list the loose objects: {e}")))?;
        for object in objects {
            let object =
                object.map_err(|e| damaged(&fan, format!("cannot list the loose objects: {e}")))?;
            let rest = object.file_name();
            let Some(rest) = rest.to_str().filter(|r| r.len() == hex_len - 2) else {
                continue;
            };
            if let Ok(id) = ObjectId::from_hex(format!("{prefix}{rest}").as_bytes()) {
                ids.push(id);
            }
        }
    }
    Ok(ids)
}
