//! Checking, as the object pass reads each tree, that every object the tree names is in the
//! repository: the evidence [`super::refs::check_complete`] needs to prove that nothing a ref
//! reaches is missing. It must not cost the pass more than a fraction of its time, and a
//! repository's trees hold millions of entries (every version of every folder), so it only
//! parses what changed: a tree is compared with the recent trees (the pass reads a tree stored
//! as a delta soon after the version it is stored against), and the bytes it shares with the
//! closest (a common prefix and suffix) hold the same entries, already checked.
//!
//! It checks the bytes of trees and tags it is handed; it does not read objects or match.

use super::refs::BrokenLink;
use gix::ObjectId;

/// How many recent trees to keep to compare with: a tree stored as a delta names its base,
/// which git packs before it, often well before.
const RECENT: usize = 64;

/// How many of the most recent trees to try when a tree's base is not at hand.
const NEAREST: usize = 8;

/// A tree whose links were all present, kept to compare the next trees with.
struct Clean {
    /// Where it sits in its pack, when it was read from one.
    at: Option<(u32, u64)>,
    bytes: Vec<u8>,
    /// Where its entries start.
    starts: Vec<usize>,
}

impl Clean {
    /// The bytes of entry `i`.
    fn entry(&self, i: usize) -> &[u8] {
        let end = self.starts.get(i + 1).copied().unwrap_or(self.bytes.len());
        &self.bytes[self.starts[i]..end]
    }

    /// Whether `entry` (named `name`) is this tree's entry `*next`, byte for byte; moves
    /// `*next` past the entries it has dealt with: the same one, one of the same name that
    /// changed, or ones with smaller names (deleted since).
    fn same_entry(&self, next: &mut usize, entry: &[u8], name: &[u8]) -> bool {
        while *next < self.starts.len() {
            let old = self.entry(*next);
            if old == entry {
                *next += 1;
                return true;
            }
            let old_name = name_of(old.split(|&b| b == 0).next().unwrap_or(old));
            if old_name < name {
                *next += 1;
                continue;
            }
            if old_name == name {
                *next += 1;
            }
            return false;
        }
        false
    }
}

/// The name in an entry's head (`<mode> <name>`).
fn name_of(head: &[u8]) -> &[u8] {
    head.iter()
        .position(|&b| b == b' ')
        .map_or(head, |space| &head[space + 1..])
}

/// Checks the trees one reading thread reads, in order.
pub(crate) struct TreeChecker<'a> {
    present: &'a gix::hashtable::HashSet<ObjectId>,
    hash: gix::hash::Kind,
    /// The tree being checked is read here.
    current: Vec<u8>,
    /// Recent clean trees, most recent first; their buffers are reused, never copied.
    recent: Vec<Clean>,
    spare: Vec<usize>,
}

impl<'a> TreeChecker<'a> {
    pub(crate) fn new(
        present: &'a gix::hashtable::HashSet<ObjectId>,
        hash: gix::hash::Kind,
    ) -> Self {
        TreeChecker {
            present,
            hash,
            current: Vec::new(),
            recent: Vec::with_capacity(RECENT + 1),
            spare: Vec::new(),
        }
    }

    /// Whether the tree at `at` in its pack is one of the recent clean trees.
    pub(crate) fn holds(&self, at: (u32, u64)) -> bool {
        self.recent.iter().any(|clean| clean.at == Some(at))
    }

    /// Rebuilds the tree stored as the (inflated) `delta` against the tree at `base`, one at
    /// hand ([`TreeChecker::holds`]), into [`TreeChecker::buffer`]: no base chain is inflated
    /// again. `false` when the base is not at hand or the delta does not add up.
    pub(crate) fn rebuild(&mut self, base: (u32, u64), delta: &[u8]) -> bool {
        let Some(clean) = self.recent.iter().find(|clean| clean.at == Some(base)) else {
            return false;
        };
        super::delta::apply(&clean.bytes, delta, &mut self.current).is_some()
    }

    /// The buffer the next tree's bytes go in, before [`TreeChecker::check`].
    pub(crate) fn buffer(&mut self) -> &mut Vec<u8> {
        &mut self.current
    }

    /// The entries of tree `id` (its bytes in [`TreeChecker::buffer`]) that name objects not
    /// present. `at` is where the tree sits in its pack and `base` where its delta base does:
    /// the tree most like it, if still at hand. A submodule's commit lives in another
    /// repository and is no link. A tree that does not parse is an error.
    pub(crate) fn check(
        &mut self,
        id: ObjectId,
        at: Option<(u32, u64)>,
        base: Option<(u32, u64)>,
    ) -> Result<Vec<BrokenLink>, String> {
        let len = self.hash.len_in_bytes();
        let data = &self.current;
        let mut starts = std::mem::take(&mut self.spare);
        starts.clear();
        let mut broken = Vec::new();
        let mut pos = 0;
        // The delta base git chose for this tree if it is at hand; else the recent tree that
        // starts most like this one (the most recent on a tie). Only the start is compared to
        // choose; the common prefix is then measured on the one chosen.
        const HEAD: usize = 256;
        let best =
            self.recent
                .iter()
                .find(|clean| base.is_some() && clean.at == base)
                .or_else(|| {
                    self.recent.iter().take(NEAREST).rev().max_by_key(|clean| {
                        common_prefix(&data[..data.len().min(HEAD)], &clean.bytes)
                    })
                });
        let mut suffix = None;
        // The next old entry to compare with, walking both trees in name order.
        let mut next = 0;
        if let Some(old) = best {
            let prefix = common_prefix(data, &old.bytes);
            // Old entries that end inside the common prefix are here, unchanged, at the same
            // places: parsing resumes at the first old entry that does not.
            let within = old.starts.partition_point(|&s| s <= prefix);
            let kept = if within == old.starts.len() && old.bytes.len() <= prefix {
                within
            } else {
                within.saturating_sub(1)
            };
            starts.extend_from_slice(&old.starts[..kept]);
            pos = old.starts.get(kept).copied().unwrap_or(old.bytes.len());
            next = kept;
            suffix = Some(common_suffix(&data[pos..], &old.bytes[pos..]));
        }
        while pos < data.len() {
            // Once parsing reaches an entry start inside the common suffix that is also an
            // old entry start, the rest is the old tree's rest, entry for entry.
            if let (Some(suffix), Some(old)) = (suffix, best)
                && pos + suffix >= data.len()
                && let Ok(j) = old
                    .starts
                    .binary_search(&(pos + old.bytes.len() - data.len()))
            {
                starts.extend(
                    old.starts[j..]
                        .iter()
                        .map(|s| s + data.len() - old.bytes.len()),
                );
                break;
            }
            starts.push(pos);
            let rest = &data[pos..];
            // `<mode> <name>\0<id>`: a name holds any byte but NUL.
            let nul = memchr::memchr(0, rest).ok_or("not a valid tree: an entry has no NUL")?;
            let head = &rest[..nul];
            let end = nul + 1 + len;
            let oid = rest
                .get(nul + 1..end)
                .ok_or("not a valid tree: the last entry is cut short")?;
            pos += end;
            // Between the changes, most entries are the old tree's, byte for byte: those are
            // present without a lookup. Only the byte comparison decides; walking by name
            // just keeps the two trees side by side.
            let unchanged = match best {
                Some(old) => old.same_entry(&mut next, &rest[..end], name_of(head)),
                None => false,
            };
            if unchanged
                || head.starts_with(b"160000 ")
                || self.present.contains(gix::oid::from_bytes_unchecked(oid))
            {
                continue;
            }
            broken.push(BrokenLink {
                from: id,
                missing: gix::oid::from_bytes_unchecked(oid).to_owned(),
                what: if head.starts_with(b"40000 ") || head.starts_with(b"040000 ") {
                    "tree"
                } else {
                    "blob"
                },
                name: Some(super::repo::excerpt(&String::from_utf8_lossy(name_of(
                    head,
                )))),
            });
        }
        // Only a tree whose links are all present may vouch for later ones.
        if broken.is_empty() {
            let bytes = std::mem::take(&mut self.current);
            self.recent.insert(0, Clean { at, bytes, starts });
            if self.recent.len() > RECENT
                && let Some(oldest) = self.recent.pop()
            {
                self.current = oldest.bytes;
                self.spare = oldest.starts;
            }
        } else {
            self.spare = starts;
        }
        Ok(broken)
    }
}

/// How many bytes `a` and `b` share at their start. Trees run to tens of kilobytes and most
/// of a folder's next version is unchanged: compared in large blocks first (a `memcmp` each),
/// then small ones, then bytes.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut at = 0;
    for step in [4096, 64] {
        while at + step <= n && a[at..at + step] == b[at..at + step] {
            at += step;
        }
    }
    at + a[at..]
        .iter()
        .zip(&b[at..])
        .take_while(|(x, y)| x == y)
        .count()
}

/// How many bytes `a` and `b` share at their end.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let (a, b) = (&a[a.len() - n..], &b[b.len() - n..]);
    let mut at = 0;
    for step in [4096, 64] {
        while at + step <= n && a[n - at - step..n - at] == b[n - at - step..n - at] {
            at += step;
        }
    }
    at + a[..n - at]
        .iter()
        .rev()
        .zip(b[..n - at].iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// A tag's target, when it is not present.
pub(crate) fn tag_links(
    id: ObjectId,
    data: &[u8],
    hash: gix::hash::Kind,
    present: &gix::hashtable::HashSet<ObjectId>,
) -> Result<Vec<BrokenLink>, String> {
    let target = gix::objs::TagRefIter::from_bytes(data, hash)
        .target_id()
        .map_err(|e| format!("not a valid tag: {e}"))?;
    Ok(if present.contains(&target) {
        Vec::new()
    } else {
        vec![BrokenLink {
            from: id,
            missing: target,
            what: "tag target",
            name: None,
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SHA1: gix::hash::Kind = gix::hash::Kind::Sha1;

    /// Ids that differ in their last byte only: a changed id leaves a long common prefix.
    fn id(n: u8) -> ObjectId {
        let mut bytes = [0xab; 20];
        bytes[19] = n;
        ObjectId::from_bytes_or_panic(&bytes)
    }

    fn tree(entries: &[(&str, &str, u8)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (mode, name, n) in entries {
            out.extend_from_slice(format!("{mode} {name}\0").as_bytes());
            out.extend_from_slice(id(*n).as_bytes());
        }
        out
    }

    fn check(
        checker: &mut TreeChecker,
        tree_id: u8,
        bytes: &[u8],
    ) -> Result<Vec<BrokenLink>, String> {
        let buffer = checker.buffer();
        buffer.clear();
        buffer.extend_from_slice(bytes);
        checker.check(id(tree_id), None, None)
    }

    #[test]
    fn a_tree_stored_as_a_delta_of_a_tree_at_hand_is_rebuilt_from_it_and_checked() {
        let present: gix::hashtable::HashSet<ObjectId> = [1, 2].into_iter().map(id).collect();
        let mut checker = TreeChecker::new(&present, SHA1);
        let base = tree(&[("100644", "a", 1)]);
        let buffer = checker.buffer();
        buffer.clear();
        buffer.extend_from_slice(&base);
        assert!(
            checker
                .check(id(10), Some((0, 12)), None)
                .unwrap()
                .is_empty()
        );
        assert!(checker.holds((0, 12)));
        // The base copied whole, then an entry inserted: one present, then one missing.
        for (n, missing_after) in [(2u8, false), (3, true)] {
            let added = tree(&[("100644", "b", n)]);
            let target = [base.clone(), added.clone()].concat();
            let mut delta = vec![base.len() as u8, target.len() as u8];
            delta.extend_from_slice(&[0x90, base.len() as u8, added.len() as u8]);
            delta.extend_from_slice(&added);
            assert!(checker.rebuild((0, 12), &delta));
            assert_eq!(checker.buffer().as_slice(), target.as_slice());
            let broken = checker.check(id(11), Some((0, 40)), Some((0, 12))).unwrap();
            assert_eq!(!broken.is_empty(), missing_after);
        }
        // Not at hand, or a delta that does not add up: not rebuilt.
        assert!(!checker.rebuild((0, 99), &[1, 1, 1, b'x']));
        assert!(!checker.rebuild((0, 12), &[base.len() as u8, 200, 0x90, 1]));
    }

    fn missing(broken: &[BrokenLink]) -> Vec<(ObjectId, &'static str)> {
        broken.iter().map(|b| (b.missing, b.what)).collect()
    }

    /// What the checker must find: every non-submodule entry not present, parsed in full.
    fn naive(bytes: &[u8], present: &gix::hashtable::HashSet<ObjectId>) -> Option<Vec<ObjectId>> {
        let mut out = Vec::new();
        for entry in gix::objs::TreeRefIter::from_bytes(bytes, SHA1) {
            let entry = entry.ok()?;
            if !entry.mode.is_commit() && !present.contains(entry.oid) {
                out.push(entry.oid.to_owned());
            }
        }
        Some(out)
    }

    #[test]
    fn common_prefix_and_suffix_across_block_sizes() {
        for len in [0usize, 1, 63, 64, 65, 4095, 4096, 4097, 9000] {
            let a: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            for at in [0, len / 3, len.saturating_sub(1)] {
                if at >= len {
                    continue;
                }
                let mut b = a.clone();
                b[at] ^= 1;
                assert_eq!(common_prefix(&a, &b), at, "{len} {at}");
                assert_eq!(common_suffix(&a, &b), len - at - 1, "{len} {at}");
            }
            assert_eq!(common_prefix(&a, &a), len);
            assert_eq!(common_suffix(&a, &a[len / 2..]), len - len / 2);
            assert_eq!(common_prefix(&a, &a[..len / 2]), len / 2);
        }
    }

    #[test]
    fn each_tree_reports_its_missing_entries_even_after_a_tree_that_had_them() {
        let present: gix::hashtable::HashSet<ObjectId> = [1, 2, 3].into_iter().map(id).collect();
        let mut checker = TreeChecker::new(&present, SHA1);
        let first = tree(&[("100644", "a", 1), ("100644", "b", 9), ("40000", "d", 8)]);
        let broken = check(&mut checker, 100, &first).unwrap();
        assert_eq!(missing(&broken), [(id(9), "blob"), (id(8), "tree")]);
        assert_eq!(broken[0].name.as_deref(), Some("b"));
        // The same tree again: the previous one's missing entries are not taken as present.
        let broken = check(&mut checker, 101, &first).unwrap();
        assert_eq!(missing(&broken), [(id(9), "blob"), (id(8), "tree")]);
    }

    #[test]
    fn added_removed_and_changed_entries_are_checked() {
        let present: gix::hashtable::HashSet<ObjectId> = [1, 2, 3].into_iter().map(id).collect();
        let mut checker = TreeChecker::new(&present, SHA1);
        let base = tree(&[("100644", "a", 1), ("100644", "b", 2), ("100644", "c", 3)]);
        assert!(check(&mut checker, 100, &base).unwrap().is_empty());
        for (changed, expect) in [
            (
                tree(&[("100644", "a", 1), ("100644", "b", 7), ("100644", "c", 3)]),
                7,
            ),
            (
                tree(&[("100644", "a", 1), ("100644", "n", 6), ("100644", "b", 2)]),
                6,
            ),
            (tree(&[("100644", "c", 3), ("100644", "z", 5)]), 5),
            (
                tree(&[
                    ("100644", "a", 1),
                    ("100644", "b", 2),
                    ("100644", "c", 3),
                    ("100644", "d", 4),
                ]),
                4,
            ),
        ] {
            let broken = check(&mut checker, 101, &changed).unwrap();
            assert_eq!(missing(&broken), [(id(expect), "blob")]);
            // Back to the base, so each case starts from it.
            assert!(check(&mut checker, 100, &base).unwrap().is_empty());
        }
    }

    #[test]
    fn submodules_are_not_links_and_bad_trees_are_errors() {
        let present = gix::hashtable::HashSet::default();
        let mut checker = TreeChecker::new(&present, SHA1);
        let with_submodule = tree(&[("160000", "vendor", 42)]);
        assert!(check(&mut checker, 1, &with_submodule).unwrap().is_empty());
        let cut = &tree(&[("100644", "a", 1)])[..10];
        assert!(check(&mut checker, 2, cut).is_err());
        assert!(check(&mut checker, 3, b"100644 no-nul").is_err());
    }

    /// A tree as (mode, name, id) entries, names sorted as git sorts them.
    fn entries() -> impl Strategy<Value = Vec<(u8, u8, u8)>> {
        proptest::collection::btree_map(0u8..24, (0u8..4, 0u8..12), 0..12).prop_map(|m| {
            m.into_iter()
                .map(|(name, (mode, n))| (mode, name, n))
                .collect()
        })
    }

    fn encode(entries: &[(u8, u8, u8)]) -> Vec<u8> {
        let modes = ["100644", "40000", "160000", "100755"];
        let names: Vec<String> = entries
            .iter()
            .map(|(_, name, _)| format!("n{name:02}"))
            .collect();
        let list: Vec<(&str, &str, u8)> = entries
            .iter()
            .zip(&names)
            .map(|((mode, _, n), name)| (modes[*mode as usize], name.as_str(), *n))
            .collect();
        tree(&list)
    }

    /// Bytes that make up modes, names and NULs, so that ids can hold what looks like the
    /// start of an entry, and a tree's bytes can parse differently from an offset in the
    /// middle of an entry: the case where a shared suffix must not be trusted blindly.
    fn tricky_bytes(n: std::ops::Range<usize>) -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(proptest::sample::select(b"1064 a\0".to_vec()), n)
    }

    /// A tree with arbitrary (tricky) names and ids, in git's order.
    fn tricky_tree() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::btree_map(
            tricky_bytes(1..4).prop_filter("a name has no NUL", |n| !n.contains(&0)),
            (
                proptest::sample::select(vec!["100644", "40000", "160000"]),
                tricky_bytes(20..21),
            ),
            1..6,
        )
        .prop_map(|m| {
            let mut out = Vec::new();
            for (name, (mode, oid)) in m {
                out.extend_from_slice(mode.as_bytes());
                out.push(b' ');
                out.extend_from_slice(&name);
                out.push(0);
                out.extend_from_slice(&oid);
            }
            out
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Trees whose bytes are built from a handful of values, each the tail of the one before
        /// behind a new head: comparing with the previous tree finds what parsing each tree
        /// alone finds, however the shared bytes line up with entries.
        #[test]
        fn shared_bytes_that_do_not_line_up_are_parsed(
            trees in proptest::collection::vec((tricky_tree(), tricky_bytes(0..40)), 2..8),
            present in proptest::collection::vec(tricky_bytes(20..21), 0..6),
        ) {
            let present: gix::hashtable::HashSet<ObjectId> =
                present.iter().map(|b| gix::oid::from_bytes_unchecked(b).to_owned()).collect();
            let mut checker = TreeChecker::new(&present, SHA1);
            let mut previous: Vec<u8> = Vec::new();
            for (n, (head, cut)) in trees.into_iter().enumerate() {
                // A new head, then the previous tree from some offset: what parses stays.
                let mut bytes = head;
                let from = cut.len().min(previous.len());
                bytes.extend_from_slice(&previous[from..]);
                // The reference: the same parser on the tree alone, with nothing to compare.
                let ids = |b: Vec<BrokenLink>| b.iter().map(|l| l.missing).collect::<Vec<_>>();
                let expected = check(&mut TreeChecker::new(&present, SHA1), n as u8, &bytes).map(ids);
                let got = check(&mut checker, n as u8, &bytes).map(ids);
                prop_assert_eq!(got.ok(), expected.ok());
                previous = bytes;
            }
        }

        /// Over any run of trees (random, or each a small edit of the one before), the checker
        /// reports exactly what a full parse of each tree would.
        #[test]
        fn finds_what_a_full_parse_finds(
            first in entries(),
            edits in proptest::collection::vec((entries(), any::<bool>(), 0usize..12, any::<u8>()), 1..12),
            present in proptest::collection::btree_set(0u8..12, 0..12),
        ) {
            let present: gix::hashtable::HashSet<ObjectId> = present.into_iter().map(id).collect();
            let mut checker = TreeChecker::new(&present, SHA1);
            let mut current = first;
            for (n, (other, small, at, value)) in edits.into_iter().enumerate() {
                let bytes = encode(&current);
                // Odd steps name a delta base (an earlier tree, or one never seen): whichever
                // tree is compared with, the answer is the same.
                let base = (n % 2 == 1).then(|| (0, u64::from(value) % (n as u64 + 2)));
                let buffer = checker.buffer();
                buffer.clear();
                buffer.extend_from_slice(&bytes);
                let got = checker
                    .check(id(n as u8), Some((0, n as u64)), base)
                    .map(|b| b.iter().map(|l| l.missing).collect::<Vec<_>>());
                prop_assert_eq!(got.ok(), naive(&bytes, &present));
                current = if small && !current.is_empty() {
                    let mut next = current.clone();
                    let i = at % next.len();
                    next[i].2 = value % 12;
                    if value % 3 == 0 { next.remove(i); }
                    next
                } else {
                    other
                };
            }
        }
    }
}
