//! The scan record: the blobs a full-history scan read and found nothing in, so that the next
//! scan of the repository reads only what is new. Kept in the repository's git directory
//! (`.git/palisade/secrets.record`) or in `--cache DIR` (which CI can keep between runs).
//!
//! A record is trusted only when everything that decides what a scan finds is what it was
//! (Palisade's version, every rule, the limits and the confidence threshold, folded into a
//! stamp) and its HMAC-SHA256 holds under a key the record itself never holds:
//! `PALISADE_CACHE_KEY` when set (a CI secret), else a random key made once in the git
//! directory (`.git/palisade/key`, outside any `--cache DIR`). A record that is damaged, from
//! another stamp or signed with another key is ignored (one line says so) and the scan reads
//! everything: a tampered record cannot hide a blob. Blobs with secrets or that were not read
//! to the end are never recorded, so their findings are made afresh on every scan.
//!
//! A record also lists the blobs that held something (read again every scan) and, when the scan
//! found every tree's links present, every commit: a blob that is in neither list is new since
//! the record, so no recorded commit can hold it (each recorded commit's trees were complete
//! without it), and attributing it needs only the commits the record does not list.

use super::engine::RuleSet;
use super::scan::Limits;
use gix::ObjectId;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Where the record lives.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Cache {
    /// In the repository's git directory.
    #[default]
    GitDir,
    /// In this folder (`--cache DIR`).
    Dir(PathBuf),
    /// Neither read nor written (`--no-cache`).
    Off,
}

/// The record's file name.
const FILE: &str = "secrets.record";
/// The first bytes of a record (its format's version included).
const MAGIC: &[u8; 16] = b"palisade-record2";
/// The environment variable holding the key records are signed with.
pub const KEY_ENV: &str = "PALISADE_CACHE_KEY";

/// A record's file and the key it is signed with.
pub struct Place {
    /// The record file.
    pub file: PathBuf,
    key: Vec<u8>,
}

impl Cache {
    /// The record of the repository whose git directory is `git_dir`, and its key; `None`
    /// when records are off or no key can be had (a git directory that cannot be written).
    pub fn place(&self, git_dir: &Path) -> Option<Place> {
        let file = match self {
            Cache::Off => return None,
            Cache::GitDir => git_dir.join("palisade").join(FILE),
            Cache::Dir(dir) => dir.join(FILE),
        };
        let key = match std::env::var(KEY_ENV) {
            Ok(key) if !key.is_empty() => key.into_bytes(),
            _ => local_key(&git_dir.join("palisade").join("key"))?,
        };
        Some(Place { file, key })
    }
}

/// The key kept in the git directory, made (32 random bytes) when there is none.
fn local_key(path: &Path) -> Option<Vec<u8>> {
    if let Ok(key) = std::fs::read(path) {
        return (key.len() >= 32).then_some(key);
    }
    let mut key = vec![0u8; 32];
    getrandom::fill(&mut key).ok()?;
    std::fs::create_dir_all(path.parent()?).ok()?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            std::io::Write::write_all(&mut file, &key).ok()?;
            Some(key)
        }
        // Made by a scan running alongside: use that one.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::read(path).ok().filter(|key| key.len() >= 32)
        }
        Err(_) => None,
    }
}

/// What decides what a scan of history finds: Palisade's version, every rule as compiled, the
/// limits, the confidence threshold and the object hash.
pub fn stamp(rules: &RuleSet, limits: Limits, hash: gix::hash::Kind) -> [u8; 32] {
    let mut digest = Sha256::new();
    digest.update(env!("CARGO_PKG_VERSION").as_bytes());
    digest.update(format!("{limits:?} {:?} {hash:?}", rules.min_confidence).as_bytes());
    for compiled in &rules.rules {
        digest.update(format!("{:?}\n", compiled.rule).as_bytes());
    }
    digest.finalize().into()
}

/// What was found at a record's place.
pub enum Loaded {
    /// No record.
    Absent,
    /// A record that is not trusted, and why.
    Ignored(&'static str),
    /// What it says.
    Trusted(Record),
}

/// What a trusted record says.
#[derive(Default)]
pub struct Record {
    /// The blobs read that held nothing.
    pub clean: gix::hashtable::HashSet<ObjectId>,
    /// The blobs that held something (or were not read to the end).
    pub held: gix::hashtable::HashSet<ObjectId>,
    /// Every commit, when every tree's links were present; else none.
    pub commits: gix::hashtable::HashSet<ObjectId>,
}

impl Record {
    /// The commits of `order` that attributing `targets` must walk: when every target is new
    /// since the record (neither clean nor holding something then), none of the commits it
    /// lists can hold one (their trees were complete without it), so only the others; else
    /// every commit.
    pub fn commits_to_walk(
        &self,
        order: &[ObjectId],
        targets: &gix::hashtable::HashSet<ObjectId>,
    ) -> Vec<ObjectId> {
        let new = targets
            .iter()
            .all(|t| !self.held.contains(t) && !self.clean.contains(t));
        if self.commits.is_empty() || !new {
            return order.to_vec();
        }
        order
            .iter()
            .filter(|c| !self.commits.contains(*c))
            .copied()
            .collect()
    }
}

fn mac(key: &[u8], body: &[u8]) -> Option<Hmac<Sha256>> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).ok()?;
    mac.update(body);
    Some(mac)
}

/// Reads the record at `place`, trusted only with this `stamp` and a valid signature.
pub fn load(place: &Place, stamp: &[u8; 32], hash: gix::hash::Kind) -> Loaded {
    let data = match std::fs::read(&place.file) {
        Ok(data) => data,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Loaded::Absent,
        Err(_) => return Loaded::Ignored("cannot be read"),
    };
    let Some(split) = data.len().checked_sub(32) else {
        return Loaded::Ignored("is damaged");
    };
    let (body, signature) = data.split_at(split);
    let valid = mac(&place.key, body).is_some_and(|mac| mac.verify_slice(signature).is_ok());
    if !valid {
        return Loaded::Ignored(
            "fails its signature check (damaged, changed, or signed with another key)",
        );
    }
    let Some(rest) = body.strip_prefix(MAGIC.as_slice()) else {
        return Loaded::Ignored(match body.starts_with(b"palisade-record") {
            true => "is in another Palisade version's format (a full scan replaces it)",
            false => "is not a Palisade scan record",
        });
    };
    let Some(ids) = rest.strip_prefix(stamp.as_slice()) else {
        return Loaded::Ignored(
            "is from another Palisade version, rule set or setting (a full scan replaces it)",
        );
    };
    let len = hash.len_in_bytes();
    // Three lists, each its count (8 bytes, little-endian) then its ids.
    let mut rest = ids;
    let mut list = || -> Option<gix::hashtable::HashSet<ObjectId>> {
        let count = usize::try_from(u64::from_le_bytes(rest.get(..8)?.try_into().ok()?)).ok()?;
        let bytes = count.checked_mul(len)?;
        let ids = rest.get(8..8 + bytes)?;
        rest = &rest[8 + bytes..];
        ids.chunks_exact(len)
            .map(|raw| ObjectId::try_from(raw).ok())
            .collect()
    };
    let (Some(clean), Some(held), Some(commits)) = (list(), list(), list()) else {
        return Loaded::Ignored("is damaged");
    };
    if !rest.is_empty() {
        return Loaded::Ignored("is damaged");
    }
    Loaded::Trusted(Record {
        clean,
        held,
        commits,
    })
}

/// Writes the record at `place` under `stamp`: `clean`, the blobs read that held nothing;
/// `held`, the ones that held something; `commits`, every commit (none unless every tree's
/// links were present). Each list is written sorted (the pass finds blobs in an order that
/// varies with its threads), so the same scan writes the same bytes. Written to a temporary
/// file and renamed, so a reader never sees half a record.
pub fn save(
    place: &Place,
    stamp: &[u8; 32],
    clean: &[ObjectId],
    held: &[ObjectId],
    commits: &[ObjectId],
) -> std::io::Result<()> {
    let mut body = Vec::new();
    body.extend_from_slice(MAGIC);
    body.extend_from_slice(stamp);
    for list in [clean, held, commits] {
        let mut list = list.to_vec();
        list.sort_unstable();
        body.extend_from_slice(&(list.len() as u64).to_le_bytes());
        for id in &list {
            body.extend_from_slice(id.as_bytes());
        }
    }
    let signature = mac(&place.key, &body)
        .ok_or_else(|| std::io::Error::other("no key"))?
        .finalize()
        .into_bytes();
    body.extend_from_slice(&signature);
    let dir = place
        .file
        .parent()
        .ok_or_else(|| std::io::Error::other("no folder"))?;
    std::fs::create_dir_all(dir)?;
    let temporary = dir.join(format!(".{FILE}.{}", std::process::id()));
    std::fs::write(&temporary, &body)?;
    std::fs::rename(&temporary, &place.file).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(dir: &Path, key: &[u8]) -> Place {
        Place {
            file: dir.join(FILE),
            key: key.to_vec(),
        }
    }

    #[test]
    fn a_record_is_read_back_only_with_its_stamp_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let ids = [
            ObjectId::empty_blob(gix::hash::Kind::Sha1),
            ObjectId::null(gix::hash::Kind::Sha1),
        ];
        let here = place(dir.path(), b"0123456789abcdef0123456789abcdef");
        save(&here, &[7; 32], &ids, &ids[1..], &ids[..1]).unwrap();
        match load(&here, &[7; 32], gix::hash::Kind::Sha1) {
            Loaded::Trusted(found) => {
                assert!(ids.iter().all(|id| found.clean.contains(id)));
                assert!(found.held.len() == 1 && found.held.contains(&ids[1]));
                assert!(found.commits.len() == 1 && found.commits.contains(&ids[0]));
            }
            _ => panic!("not trusted"),
        }
        assert!(matches!(
            load(&here, &[8; 32], gix::hash::Kind::Sha1),
            Loaded::Ignored(why) if why.contains("another")
        ));
        let other = place(dir.path(), b"another key, 32 bytes or more...");
        assert!(matches!(
            load(&other, &[7; 32], gix::hash::Kind::Sha1),
            Loaded::Ignored(why) if why.contains("signature")
        ));
        // One byte changed anywhere: not trusted.
        let mut data = std::fs::read(&here.file).unwrap();
        data[MAGIC.len() + 32 + 3] ^= 1;
        std::fs::write(&here.file, &data).unwrap();
        assert!(matches!(
            load(&here, &[7; 32], gix::hash::Kind::Sha1),
            Loaded::Ignored(_)
        ));
        std::fs::write(&here.file, b"short").unwrap();
        assert!(matches!(
            load(&here, &[7; 32], gix::hash::Kind::Sha1),
            Loaded::Ignored(_)
        ));
        std::fs::remove_file(&here.file).unwrap();
        assert!(matches!(
            load(&here, &[7; 32], gix::hash::Kind::Sha1),
            Loaded::Absent
        ));
    }

    #[test]
    fn the_same_scan_wrote_a_record_of_other_bytes_as_its_threads_ran() {
        let dir = tempfile::tempdir().unwrap();
        let here = place(dir.path(), b"0123456789abcdef0123456789abcdef");
        let ids: Vec<ObjectId> = (1..=5u8)
            .map(|n| ObjectId::from_bytes_or_panic(&[n; 20]))
            .collect();
        let mut reversed = ids.clone();
        reversed.reverse();
        save(&here, &[7; 32], &ids, &ids[..2], &ids[3..]).unwrap();
        let first = std::fs::read(&here.file).unwrap();
        save(&here, &[7; 32], &reversed, &reversed[3..], &reversed[..2]).unwrap();
        assert_eq!(std::fs::read(&here.file).unwrap(), first);
    }

    #[test]
    fn the_local_key_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("palisade/key");
        let first = local_key(&path).unwrap();
        assert_eq!(first.len(), 32);
        assert_eq!(local_key(&path).unwrap(), first);
    }
}
