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
//! without it), and attributing it needs only the commits the record does not list. For the
//! blobs that held something it keeps where attribution found them, every (path, first commit),
//! and which recorded commits no ref reached: while every recorded commit is still there and
//! still on a ref or not as it was, their order is what it was (commits are ordered parents
//! first, and a new commit is never an old one's parent), so a place's first recorded commit is
//! still the first of the recorded ones, and only the new commits need walking for those blobs
//! too ([`Record::attribution_plan`]).

use super::engine::RuleSet;
use super::git::Commits;
use super::git::trees::Introductions;
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
const MAGIC: &[u8; 16] = b"palisade-record3";
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
/// limits that decide what is read (not `delta-base-cache`, which only changes how fast), the
/// confidence threshold and the object hash.
pub fn stamp(rules: &RuleSet, limits: Limits, hash: gix::hash::Kind) -> [u8; 32] {
    let Limits {
        max_blob_size,
        scan_binary,
        delta_base_cache: _,
    } = limits;
    let mut digest = Sha256::new();
    digest.update(env!("CARGO_PKG_VERSION").as_bytes());
    digest.update(
        format!(
            "max_blob_size: {max_blob_size}, scan_binary: {scan_binary} {:?} {hash:?}",
            rules.min_confidence
        )
        .as_bytes(),
    );
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
    /// The commits of `commits` no ref reached (only when `places` holds something).
    pub unreachable: gix::hashtable::HashSet<ObjectId>,
    /// Where the blobs of `held` were found: every (path, first commit), in the order
    /// attribution lists them (only when `commits` lists every commit).
    pub places: Introductions,
    /// Its signature: a record written again from the same listing has the same.
    pub signature: [u8; 32],
}

/// What a record is written from ([`save`]).
pub struct Listing<'a> {
    /// The blobs read that held nothing.
    pub clean: &'a [ObjectId],
    /// The blobs that held something.
    pub held: &'a [ObjectId],
    /// Every commit (none unless every tree's links were present).
    pub commits: &'a [ObjectId],
    /// The commits of `commits` no ref reaches.
    pub unreachable: &'a [ObjectId],
    /// Where attribution found the blobs of `held` (a blob of `held` it did not list is found
    /// nowhere; other blobs' places are not written).
    pub places: &'a Introductions,
    /// The signature of the record at the place now, when it was trusted
    /// ([`Record::signature`]): the same record is not written again.
    pub kept: Option<[u8; 32]>,
}

impl Record {
    /// The commits of `order` (every commit of `commits`, in attribution's order) attributing
    /// `targets` must walk, and the places of targets the record knows (to be joined with what
    /// the walk finds, by [`with_known`]): only the commits the record does not list when every
    /// target is new since the record or held then with its places kept, and, for the latter,
    /// every recorded commit is still there, on a ref (`reachable`) or not as it was, with no
    /// new commit among its parents (a deepened shallow clone brings some: they would come
    /// first, and change the recorded ones' order); else every commit, and nothing known.
    pub fn attribution_plan(
        &self,
        order: &[ObjectId],
        commits: &Commits,
        targets: &gix::hashtable::HashSet<ObjectId>,
        reachable: impl Fn(&ObjectId) -> bool,
    ) -> (Vec<ObjectId>, Introductions) {
        let everything = || (order.to_vec(), Introductions::new());
        if self.commits.is_empty() {
            return everything();
        }
        let mut known = Introductions::new();
        for target in targets {
            match self.places.get(target) {
                Some(places) => {
                    known.insert(*target, places.clone());
                }
                None if self.held.contains(target) || self.clean.contains(target) => {
                    return everything();
                }
                None => {}
            }
        }
        if !known.is_empty() {
            let as_it_was = self.commits.iter().all(|commit| {
                commits.get(commit).is_some_and(|info| {
                    info.parents
                        .iter()
                        .all(|p| self.commits.contains(p) || !commits.contains_key(p))
                }) && reachable(commit) != self.unreachable.contains(commit)
            });
            if !as_it_was {
                return everything();
            }
        }
        let walk = order
            .iter()
            .filter(|c| !self.commits.contains(*c))
            .copied()
            .collect();
        (walk, known)
    }
}

/// `found`, by walking the commits a record does not list, joined with the places the record
/// `known`: each blob's places in the order of their commits in `position` (a path found in
/// both keeping the earlier commit), as one walk over every commit lists them.
pub fn with_known(
    found: &mut Introductions,
    known: Introductions,
    position: &gix::hashtable::HashMap<ObjectId, usize>,
) {
    for (blob, mut places) in known {
        places.extend(found.remove(&blob).unwrap_or_default());
        // Stable: places of one commit keep the order its tree listed them in.
        places.sort_by_key(|(_, commit)| position.get(commit).copied().unwrap_or(usize::MAX));
        let mut paths = std::collections::HashSet::new();
        places.retain(|(path, _)| paths.insert(path.clone()));
        // A blob no commit holds (a dangling one) has no places, as a walk leaves it.
        if !places.is_empty() {
            found.insert(blob, places);
        }
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
    let reader = Reader {
        rest: ids,
        len: hash.len_in_bytes(),
    };
    match (reader.record(), <[u8; 32]>::try_from(signature)) {
        (Some(record), Ok(signature)) => Loaded::Trusted(Record {
            signature,
            ..record
        }),
        _ => Loaded::Ignored("is damaged"),
    }
}

/// A record's body after its stamp, read in the order [`save`] writes it.
struct Reader<'a> {
    rest: &'a [u8],
    /// The length of an object id.
    len: usize,
}

impl Reader<'_> {
    fn record(mut self) -> Option<Record> {
        let (clean, held, commits, unreachable) =
            (self.ids()?, self.ids()?, self.ids()?, self.ids()?);
        let mut places = Introductions::new();
        for _ in 0..self.count()? {
            let blob = self.id()?;
            let listed = (0..self.count()?)
                .map(|_| {
                    let len = self.count()?;
                    let path = String::from_utf8(self.take(len)?.to_vec()).ok()?;
                    Some((path, self.id()?))
                })
                .collect::<Option<Vec<_>>>()?;
            places.insert(blob, listed);
        }
        self.rest.is_empty().then_some(Record {
            clean,
            held,
            commits,
            unreachable,
            places,
            signature: [0; 32],
        })
    }

    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let (taken, rest) = self.rest.split_at_checked(n)?;
        self.rest = rest;
        Some(taken)
    }

    /// A count: 8 bytes, little-endian.
    fn count(&mut self) -> Option<usize> {
        usize::try_from(u64::from_le_bytes(self.take(8)?.try_into().ok()?)).ok()
    }

    fn id(&mut self) -> Option<ObjectId> {
        ObjectId::try_from(self.take(self.len)?).ok()
    }

    /// A list: its count, then its ids.
    fn ids(&mut self) -> Option<gix::hashtable::HashSet<ObjectId>> {
        let bytes = self.count()?.checked_mul(self.len)?;
        let len = self.len;
        self.take(bytes)?
            .chunks_exact(len)
            .map(|raw| ObjectId::try_from(raw).ok())
            .collect()
    }
}

/// Writes the record at `place` under `stamp` from `listing`, unless the record there holds
/// just that (the same signature). Each list is written sorted (the pass finds blobs in an order that varies with
/// its threads), so the same scan writes the same bytes. Written to a temporary file and
/// renamed, so a reader never sees half a record.
pub fn save(place: &Place, stamp: &[u8; 32], listing: &Listing<'_>) -> std::io::Result<()> {
    let mut body = Vec::new();
    body.extend_from_slice(MAGIC);
    body.extend_from_slice(stamp);
    let count = |body: &mut Vec<u8>, n: usize| body.extend_from_slice(&(n as u64).to_le_bytes());
    for list in [
        listing.clean,
        listing.held,
        listing.commits,
        listing.unreachable,
    ] {
        let mut list = list.to_vec();
        list.sort_unstable();
        count(&mut body, list.len());
        for id in &list {
            body.extend_from_slice(id.as_bytes());
        }
    }
    // Only with every commit listed: places are trusted only against them. A held blob no
    // commit holds (a dangling one) is listed with no places.
    let mut places: Vec<(&ObjectId, &[(String, ObjectId)])> = match listing.commits {
        [] => Vec::new(),
        _ => listing
            .held
            .iter()
            .map(|blob| {
                (
                    blob,
                    listing.places.get(blob).map_or(&[][..], Vec::as_slice),
                )
            })
            .collect(),
    };
    places.sort_unstable_by_key(|(blob, _)| **blob);
    count(&mut body, places.len());
    for (blob, listed) in places {
        body.extend_from_slice(blob.as_bytes());
        count(&mut body, listed.len());
        for (path, commit) in listed {
            count(&mut body, path.len());
            body.extend_from_slice(path.as_bytes());
            body.extend_from_slice(commit.as_bytes());
        }
    }
    let signature = mac(&place.key, &body)
        .ok_or_else(|| std::io::Error::other("no key"))?
        .finalize()
        .into_bytes();
    if listing.kept.is_some_and(|kept| kept[..] == signature[..]) {
        return Ok(());
    }
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

    fn id(n: u8) -> ObjectId {
        ObjectId::from_bytes_or_panic(&[n; 20])
    }

    /// A listing of `clean`, `held` and `commits`, no commit off the refs, no places.
    fn save_lists(
        here: &Place,
        clean: &[ObjectId],
        held: &[ObjectId],
        commits: &[ObjectId],
    ) -> std::io::Result<()> {
        let places = Introductions::new();
        let listing = Listing {
            clean,
            held,
            commits,
            unreachable: &[],
            places: &places,
            kept: None,
        };
        save(here, &[7; 32], &listing)
    }

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
        save_lists(&here, &ids, &ids[1..], &ids[..1]).unwrap();
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
        let ids: Vec<ObjectId> = (1..=5u8).map(id).collect();
        let mut reversed = ids.clone();
        reversed.reverse();
        save_lists(&here, &ids, &ids[..2], &ids[3..]).unwrap();
        let first = std::fs::read(&here.file).unwrap();
        save_lists(&here, &reversed, &reversed[3..], &reversed[..2]).unwrap();
        assert_eq!(std::fs::read(&here.file).unwrap(), first);
    }

    #[test]
    fn held_blobs_places_and_the_commits_off_the_refs_are_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let here = place(dir.path(), b"0123456789abcdef0123456789abcdef");
        let (held, dangling, commits) = ([id(1), id(2)], id(3), [id(7), id(8), id(9)]);
        let mut places = Introductions::new();
        places.insert(
            id(1),
            vec![("a/key.pem".into(), id(7)), ("b/ключ.pem".into(), id(9))],
        );
        // Attribution's places of a blob that held nothing are not written.
        places.insert(id(4), vec![("clean.txt".into(), id(8))]);
        let listing = Listing {
            clean: &[id(4)],
            held: &[held[0], held[1], dangling],
            commits: &commits,
            unreachable: &[id(9)],
            places: &places,
            kept: None,
        };
        save(&here, &[7; 32], &listing).unwrap();
        let Loaded::Trusted(found) = load(&here, &[7; 32], gix::hash::Kind::Sha1) else {
            panic!("not trusted");
        };
        assert_eq!(found.places.get(&id(1)), places.get(&id(1)));
        assert_eq!(
            found.places.get(&id(2)).map(Vec::len),
            Some(0),
            "found nowhere"
        );
        assert_eq!(found.places.get(&dangling).map(Vec::len), Some(0));
        assert!(!found.places.contains_key(&id(4)));
        assert!(found.unreachable.len() == 1 && found.unreachable.contains(&id(9)));
        // Without every commit listed, no places are kept.
        let listing = Listing {
            commits: &[],
            ..listing
        };
        save(&here, &[7; 32], &listing).unwrap();
        let Loaded::Trusted(found) = load(&here, &[7; 32], gix::hash::Kind::Sha1) else {
            panic!("not trusted");
        };
        assert!(found.places.is_empty());
    }

    #[test]
    fn held_blobs_are_attributed_from_the_record_only_while_its_commits_are_as_they_were() {
        let commits: gix::hashtable::HashSet<ObjectId> =
            [id(7), id(8), id(9)].into_iter().collect();
        let mut places = Introductions::new();
        places.insert(id(1), vec![("key.pem".into(), id(8))]);
        let record = Record {
            clean: [id(4)].into_iter().collect(),
            held: [id(1)].into_iter().collect(),
            commits,
            unreachable: [id(9)].into_iter().collect(),
            places,
            signature: [0; 32],
        };
        // A new commit (6) off the first recorded one, before the others in the order.
        let order = [id(6), id(7), id(8), id(9)];
        let commit = |parents: &[ObjectId]| super::super::git::CommitInfo {
            parents: parents.to_vec(),
            tree: id(0),
            author: String::new(),
            time: 0,
            summary: String::new(),
        };
        let commits: Commits = [
            (id(6), commit(&[id(7)])),
            (id(7), commit(&[])),
            (id(8), commit(&[id(7)])),
            (id(9), commit(&[id(8)])),
        ]
        .into_iter()
        .collect();
        let on_refs = |c: &ObjectId| *c != id(9);
        let held: gix::hashtable::HashSet<ObjectId> = [id(1)].into_iter().collect();
        let (walk, known) = record.attribution_plan(&order, &commits, &held, on_refs);
        assert_eq!(walk, [id(6)]);
        assert_eq!(known.get(&id(1)), record.places.get(&id(1)));
        // A new blob too: still only the new commit.
        let both: gix::hashtable::HashSet<ObjectId> = [id(1), id(5)].into_iter().collect();
        assert_eq!(
            record.attribution_plan(&order, &commits, &both, on_refs).0,
            [id(6)]
        );
        // Every commit, and nothing known, when: a recorded commit is gone; one is on a ref
        // that was not (or the other way round); a new commit is a recorded one's parent (a
        // shallow clone deepened); a held blob has no places kept.
        let everything = |order: &[ObjectId], (walk, known): (Vec<ObjectId>, Introductions)| {
            walk == order && known.is_empty()
        };
        let plan = |order: &[ObjectId], commits: &Commits, on_refs: &dyn Fn(&ObjectId) -> bool| {
            record.attribution_plan(order, commits, &held, on_refs)
        };
        let mut fewer = commits.clone();
        fewer.remove(&id(9));
        assert!(everything(&order[..3], plan(&order[..3], &fewer, &on_refs)));
        assert!(everything(&order, plan(&order, &commits, &|_| true)));
        assert!(everything(&order, plan(&order, &commits, &|c| *c == id(6))));
        let mut deepened = commits.clone();
        deepened.insert(id(5), commit(&[]));
        deepened.insert(id(7), commit(&[id(5)]));
        let longer = [id(5), id(6), id(7), id(8), id(9)];
        assert!(everything(&longer, plan(&longer, &deepened, &on_refs)));
        let unplaced = Record {
            places: Introductions::new(),
            ..record
        };
        assert!(everything(
            &order,
            unplaced.attribution_plan(&order, &commits, &held, on_refs)
        ));
    }

    #[test]
    fn places_known_and_found_are_joined_in_commit_order_keeping_the_first_of_each_path() {
        let position: gix::hashtable::HashMap<ObjectId, usize> =
            [(id(6), 0), (id(7), 1), (id(8), 2), (id(9), 3)]
                .into_iter()
                .collect();
        let mut known = Introductions::new();
        known.insert(
            id(1),
            vec![
                ("b".into(), id(7)),
                ("a".into(), id(7)),
                ("c".into(), id(9)),
            ],
        );
        let mut found = Introductions::new();
        found.insert(id(1), vec![("c".into(), id(6)), ("d".into(), id(8))]);
        found.insert(id(2), vec![("x".into(), id(6))]);
        // Found nowhere, before and since (a dangling blob): no places, not an empty list.
        known.insert(id(3), Vec::new());
        with_known(&mut found, known, &position);
        assert!(!found.contains_key(&id(3)));
        assert_eq!(
            found[&id(1)],
            [
                ("c".to_string(), id(6)),
                ("b".to_string(), id(7)),
                ("a".to_string(), id(7)),
                ("d".to_string(), id(8)),
            ]
        );
        assert_eq!(found[&id(2)], [("x".to_string(), id(6))]);
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
