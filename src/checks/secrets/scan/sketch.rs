//! Reading a blob stored as a delta through what its base's reading found. The passes that
//! read every byte of a blob (the keyword prefilter, the base64 run finder) find things that
//! depend only on the bytes around them; where a delta copies a stretch of its base, what they
//! found inside the stretch is found again, shifted, and only the bytes the delta inserted (and
//! a margin around each edge of a copy) are read anew. Everything after those passes (the
//! rules' windows, decoding, lines, frames) reads the whole blob as before, so a blob's hits
//! are the same whichever way it was read: a secret a delta copies from its base is this
//! blob's too.
//!
//! Most of a history's blob versions are stored as deltas that copy nearly all of their base
//! (rust-lang/cargo: 65,247 of 69,854 blobs, inflating to 1.8 GB, are 121 MB of delta data).
//! It knows nothing of git beyond [`Copies`]; [`Sketches`] keeps each base's sketch for as long
//! as deltas against it are still to be read, with its content: the deltas are rebuilt from it
//! rather than inflated again through the object store.

use super::decode;
use crate::checks::secrets::engine::{Earlier, Keyword, RuleSet, Windows};
use crate::checks::secrets::git::delta::{Copies, Copy};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, Mutex};

/// What the whole-buffer passes found in one blob's text.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Sketch {
    /// Its size.
    pub len: usize,
    /// Every keyword occurrence, ascending.
    pub keywords: Vec<Keyword>,
    /// Every base64 run, ascending.
    pub runs: Vec<Range<usize>>,
    /// The rule windows searched and what each held (once the blob is read).
    pub windows: Windows,
}

impl Sketch {
    /// The sketch of `data` read whole.
    pub fn of(data: &[u8], rules: &RuleSet) -> Sketch {
        let mut keywords = Vec::new();
        rules.keywords(data, &mut keywords);
        keywords.sort_unstable();
        let mut runs = Vec::new();
        decode::base64_runs_from(data, 0, data.len(), &mut runs);
        Sketch {
            len: data.len(),
            keywords,
            runs,
            windows: Windows::default(),
        }
    }

    /// Roughly the memory it holds.
    fn bytes(&self) -> usize {
        std::mem::size_of::<Sketch>()
            + self.keywords.len() * std::mem::size_of::<Keyword>()
            + self.runs.len() * std::mem::size_of::<Range<usize>>()
            + self.windows.bytes()
    }
}

/// Bytes on each side of an edge of a copy that are read anew: a keyword or run decision
/// reaching across the edge lies within it (runs need 4: the byte before, and the 3 after).
fn margin(rules: &RuleSet) -> usize {
    rules.longest_keyword().max(4)
}

/// A blob's base's sketch and what the blob copies of its base.
pub struct Prior<'a> {
    /// The base's sketch.
    pub sketch: &'a Sketch,
    /// What the blob copies.
    pub copies: &'a Copies,
}

impl Prior<'_> {
    /// Whether the prior fits a blob of `len` bytes (the sizes the delta states are the base's
    /// and the blob's).
    pub fn fits(&self, len: usize) -> bool {
        self.copies.len == len && self.copies.base_len == self.sketch.len
    }

    /// The copy that `range` (of the blob) lies wholly inside, if any.
    fn copy_holding(&self, range: &Range<usize>) -> Option<&Copy> {
        let copies = &self.copies.copies;
        let after = copies.partition_point(|c| c.to <= range.start);
        let copy = copies.get(after.checked_sub(1)?)?;
        (range.end <= copy.to + copy.len).then_some(copy)
    }

    /// The stretches of the blob read anew, ascending and disjoint: everything but the copies'
    /// insides, `margin` bytes from each of their edges.
    fn seams(&self, margin: usize) -> Vec<Range<usize>> {
        let mut seams = Vec::new();
        let mut at = 0;
        for copy in &self.copies.copies {
            let (start, end) = (
                copy.to + margin,
                (copy.to + copy.len).saturating_sub(margin),
            );
            if start < end {
                if at < start {
                    seams.push(at..start);
                }
                at = end;
            }
        }
        if at < self.copies.len {
            seams.push(at..self.copies.len);
        }
        seams
    }

    /// The sketch of `data` (the blob), read through the base's.
    pub fn sketch(&self, data: &[u8], rules: &RuleSet) -> Sketch {
        let mut keywords = Vec::new();
        self.keywords(data, rules, &mut keywords);
        Sketch {
            len: data.len(),
            keywords,
            runs: self.runs(data, rules),
            windows: Windows::default(),
        }
    }

    /// Every keyword occurrence of `data` (the blob): the base's, where a copy holds them, and
    /// the seams' own.
    fn keywords(&self, data: &[u8], rules: &RuleSet, out: &mut Vec<Keyword>) {
        let base = &self.sketch.keywords;
        for copy in &self.copies.copies {
            let first = base.partition_point(|k| (k.start as usize) < copy.from);
            for k in &base[first..] {
                let start = k.start as usize;
                if start >= copy.from + copy.len {
                    break;
                }
                if start + rules.keyword_len(k.keyword) <= copy.from + copy.len {
                    let Ok(start) = u32::try_from(start - copy.from + copy.to) else {
                        continue;
                    };
                    out.push(Keyword {
                        start,
                        keyword: k.keyword,
                    });
                }
            }
        }
        let mut fresh = Vec::new();
        for seam in self.seams(margin(rules)) {
            rules.keywords_within(data, seam, &mut fresh);
        }
        out.extend(fresh.into_iter().filter(|k| {
            let start = k.start as usize;
            self.copy_holding(&(start..start + rules.keyword_len(k.keyword)))
                .is_none()
        }));
        out.sort_unstable();
    }

    /// Every base64 run of `data` (the blob): the base's, where a copy holds them with the
    /// bytes their ends were decided by, and those the seams reach.
    fn runs(&self, data: &[u8], rules: &RuleSet) -> Vec<Range<usize>> {
        // A run's ends are decided by the byte before it and the 3 after its end.
        let context = |run: &Range<usize>| run.start.checked_sub(1).map(|s| s..run.end + 3);
        let mut out = Vec::new();
        let base = &self.sketch.runs;
        for copy in &self.copies.copies {
            let first = base.partition_point(|r| r.start < copy.from + 1);
            for run in &base[first..] {
                let Some(reach) = context(run) else {
                    continue;
                };
                if reach.start >= copy.from + copy.len {
                    break;
                }
                if reach.end <= copy.from + copy.len {
                    out.push(run.start - copy.from + copy.to..run.end - copy.from + copy.to);
                }
            }
        }
        let mut fresh = Vec::new();
        let mut done = 0;
        for seam in self.seams(margin(rules)) {
            if seam.end <= done {
                continue;
            }
            // Back to where the run finder would stand: after a byte of no run, or where it
            // stopped last.
            let mut from = seam.start.max(done);
            while from > done && decode::in_run(data[from - 1]) {
                from -= 1;
            }
            done = decode::base64_runs_from(data, from, seam.end, &mut fresh);
        }
        out.extend(
            fresh
                .into_iter()
                .filter(|run| context(run).is_none_or(|reach| self.copy_holding(&reach).is_none())),
        );
        out.sort_unstable_by_key(|r| (r.start, r.end));
        out.dedup();
        out
    }
}

impl Earlier for Prior<'_> {
    fn copied(&self, range: Range<usize>) -> Option<(&Windows, usize)> {
        let copy = self.copy_holding(&range)?;
        Some((&self.sketch.windows, range.start - copy.to + copy.from))
    }
}

/// The blobs that deltas still to be read are stored against, by (pack, offset), each
/// dropped once the last of them has asked for it. At most the cap it is made with
/// (`delta-base-cache`) is kept: past that, the content whose next delta comes latest in the
/// pass is let go and its sketch kept (a delta against it then rebuilds it from the pack, is
/// still read through its sketch, and offers it back for the deltas after); a blob whose
/// sketch does not fit either is not kept (its deltas are read the usual way, whole).
pub struct Sketches {
    state: Mutex<Held>,
    cap: usize,
}

#[derive(Default)]
struct Held {
    /// Where in the pass the deltas are, grouped by base, ascending within each.
    positions: Vec<usize>,
    /// The deltas not read yet of each base: a stretch of `positions` (the next one first).
    pending: HashMap<(u32, u64), Range<usize>>,
    kept: HashMap<(u32, u64), Kept>,
    /// What is kept with its content, by where the next delta against it is.
    by_next: std::collections::BTreeSet<(usize, (u32, u64))>,
    bytes: usize,
    /// Bases with deltas still to be read that the pass has read (kept or not).
    read: std::collections::HashSet<(u32, u64)>,
}

/// A blob kept for the deltas against it: its sketch, and its content to rebuild them from.
#[derive(Clone)]
pub struct Kept {
    /// Its sketch.
    pub sketch: Arc<Sketch>,
    /// Its content; `None` once let go to stay under the cap (read it again from its pack).
    pub content: Option<Arc<Vec<u8>>>,
}

impl Kept {
    fn bytes(&self) -> usize {
        self.sketch.bytes() + self.content.as_ref().map_or(0, |c| c.len())
    }
}

impl Sketches {
    /// For each delta to be read, its base and where in the pass it is read; what is kept
    /// holds at most `cap` bytes.
    pub fn new(deltas: impl Iterator<Item = ((u32, u64), usize)>, cap: usize) -> Sketches {
        let mut deltas: Vec<((u32, u64), usize)> = deltas.collect();
        deltas.sort_unstable();
        let mut held = Held {
            positions: deltas.iter().map(|(_, at)| *at).collect(),
            ..Held::default()
        };
        for (i, (base, _)) in deltas.iter().enumerate() {
            held.pending.entry(*base).or_insert(i..i).end = i + 1;
        }
        Sketches {
            state: Mutex::new(held),
            cap,
        }
    }

    /// Whether a delta to be read is stored against the object at `at`.
    #[cfg(test)]
    fn wanted(&self, at: (u32, u64)) -> bool {
        self.state
            .lock()
            .is_ok_and(|held| held.pending.contains_key(&at))
    }

    /// Keeps the content and sketch of the object at `at` for the deltas against it.
    pub fn keep(&self, at: (u32, u64), mut sketch: Sketch, content: &[u8]) {
        let Ok(mut held) = self.state.lock() else {
            return;
        };
        let Some(next) = held.next(at) else {
            return;
        };
        sketch.keywords.shrink_to_fit();
        sketch.runs.shrink_to_fit();
        let bytes = sketch.bytes();
        let fits = held.make_room(bytes + content.len(), next, self.cap);
        if !fits && held.bytes + bytes > self.cap {
            return;
        }
        let kept = Kept {
            sketch: Arc::new(sketch),
            content: fits.then(|| Arc::new(content.to_vec())),
        };
        if fits {
            held.by_next.insert((next, at));
        }
        held.bytes += kept.bytes();
        held.kept.insert(at, kept);
    }

    /// Offers back the content of the object at `at`, whose content was let go and has been
    /// read again for a delta against it: kept again if deltas against it are still to come
    /// sooner than those of what it would push out.
    pub fn restore(&self, at: (u32, u64), content: &[u8]) {
        let Ok(mut held) = self.state.lock() else {
            return;
        };
        let Some(next) = held.next(at) else {
            return;
        };
        if held.kept.get(&at).is_none_or(|k| k.content.is_some())
            || !held.make_room(content.len(), next, self.cap)
        {
            return;
        }
        if let Some(kept) = held.kept.get_mut(&at) {
            kept.content = Some(Arc::new(content.to_vec()));
            held.bytes += content.len();
            held.by_next.insert((next, at));
        }
    }

    /// Notes that the pass read the object at `at` (whether or not it was kept).
    pub fn read(&self, at: (u32, u64)) {
        if let Ok(mut held) = self.state.lock()
            && held.pending.contains_key(&at)
        {
            held.read.insert(at);
        }
    }

    /// Whether a delta against the object at `base` should wait: deltas are still to be read
    /// against it and the pass has not read it yet (another thread is about to). Read now, the
    /// delta would be rebuilt through the object store and read whole.
    pub fn waiting(&self, base: (u32, u64)) -> bool {
        self.state.lock().is_ok_and(|held| {
            held.pending.contains_key(&base)
                && !held.kept.contains_key(&base)
                && !held.read.contains(&base)
        })
    }

    /// What is kept of the object at `base`, for one delta against it about to be read (`None`
    /// when it is not read yet or was not kept: the delta is then read the usual way). The
    /// threads read deltas nearly in pass order: the one read is taken to be the next.
    pub fn take(&self, base: (u32, u64)) -> Option<Kept> {
        let mut held = self.state.lock().ok()?;
        let before = held.next(base)?;
        let kept = held.kept.get(&base).cloned();
        let left = held.pending.get_mut(&base).map(|range| {
            range.start += 1;
            range.clone()
        })?;
        if left.is_empty() {
            held.pending.remove(&base);
            held.read.remove(&base);
            held.drop_kept(before, base);
        } else if held.by_next.remove(&(before, base)) {
            let next = held.positions[left.start];
            held.by_next.insert((next, base));
        }
        kept
    }
}

impl Held {
    /// Where the next delta against `at` is read, when any is still to be.
    fn next(&self, at: (u32, u64)) -> Option<usize> {
        let range = self.pending.get(&at)?;
        self.positions
            .get(range.start)
            .filter(|_| !range.is_empty())
            .copied()
    }

    /// Lets go of contents needed after `next` (the latest first) until `bytes` more fit
    /// under `cap`; whether they do.
    fn make_room(&mut self, bytes: usize, next: usize, cap: usize) -> bool {
        while self.bytes + bytes > cap {
            match self.by_next.last().copied() {
                Some((other, key)) if other > next => self.let_go(other, key),
                _ => return false,
            }
        }
        true
    }

    fn drop_kept(&mut self, next: usize, key: (u32, u64)) {
        self.by_next.remove(&(next, key));
        if let Some(kept) = self.kept.remove(&key) {
            self.bytes = self.bytes.saturating_sub(kept.bytes());
        }
    }

    /// Lets the content kept at `key` go, and keeps its sketch.
    fn let_go(&mut self, next: usize, key: (u32, u64)) {
        self.by_next.remove(&(next, key));
        if let Some(content) = self.kept.get_mut(&key).and_then(|k| k.content.take()) {
            self.bytes = self.bytes.saturating_sub(content.len());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::secrets::git::delta::Copy;
    use proptest::prelude::*;

    fn rules() -> &'static RuleSet {
        static RULES: std::sync::LazyLock<RuleSet> = std::sync::LazyLock::new(|| {
            RuleSet::compile(crate::checks::secrets::rules::builtin().expect("rules parse"))
                .expect("built-in rules compile")
        });
        &RULES
    }

    /// `base` edited by `edits` (position in the base, bytes removed, bytes inserted), and the
    /// copies a delta from `base` to the result would hold.
    fn edit(base: &[u8], edits: &[(usize, usize, Vec<u8>)]) -> (Vec<u8>, Copies) {
        let mut edits: Vec<_> = edits
            .iter()
            .map(|(at, cut, text)| ((*at).min(base.len()), *cut, text.clone()))
            .collect();
        edits.sort_by_key(|e| e.0);
        // As stretches of the base in order, each followed by what is inserted after it.
        let (mut parts, mut at) = (Vec::new(), 0);
        for (pos, cut, text) in edits {
            if pos >= at {
                parts.push((at, pos - at, text));
                at = (pos + cut).min(base.len());
            }
        }
        parts.push((at, base.len() - at, Vec::new()));
        splice(base, &parts)
    }

    /// A result made of stretches of `base` (any order, any overlap) and inserted text, and
    /// its copies: what git's delta search may produce.
    fn splice(base: &[u8], parts: &[(usize, usize, Vec<u8>)]) -> (Vec<u8>, Copies) {
        let (mut out, mut copies) = (Vec::new(), Vec::new());
        for (from, len, text) in parts {
            let from = (*from).min(base.len());
            let len = (*len).min(base.len() - from);
            if len > 0 {
                copies.push(Copy {
                    from,
                    to: out.len(),
                    len,
                });
                out.extend_from_slice(&base[from..from + len]);
            }
            out.extend_from_slice(text);
        }
        let len = out.len();
        (
            out,
            Copies {
                base_len: base.len(),
                len,
                copies,
            },
        )
    }

    fn pieces() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            Just(b"password = ".to_vec()),
            Just(b"token".to_vec()),
            Just(b"ghp_".to_vec()),
            Just(b"AKIA".to_vec()),
            Just(b"aGVsbG8gd29ybGQgdGhpcyBpcyBiYXNlNjQ=".to_vec()),
            Just(b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo".to_vec()),
            Just(b"==".to_vec()),
            Just(b"\n".to_vec()),
            Just(b" ".to_vec()),
            "[a-zA-Z0-9+/=_ .:\"\n-]{1,12}".prop_map(String::into_bytes),
            // Values rules accept, built here so that no token-shaped literal sits in the
            // source.
            "[a-zA-Z0-9]{36}".prop_map(|t| format!("gh{}_{t}\n", 'p').into_bytes()),
            "[a-zA-Z0-9]{16,24}".prop_map(|v| format!("password = \"{v}\"").into_bytes()),
            "[a-zA-Z0-9]{20,30}".prop_map(|v| format!("token: {v}").into_bytes()),
        ];
        prop::collection::vec(piece, 0..40).prop_map(|p| p.concat())
    }

    /// What `result` read through `base`'s sketch finds is what a whole read finds.
    fn read_through_base(base: &[u8], result: &[u8], copies: &Copies) -> Result<(), TestCaseError> {
        let rules = rules();
        let sketch = Sketch::of(base, rules);
        let prior = Prior {
            sketch: &sketch,
            copies,
        };
        prop_assert!(prior.fits(result.len()));
        let mut keywords = Vec::new();
        prior.keywords(result, rules, &mut keywords);
        let expected = Sketch::of(result, rules);
        prop_assert_eq!(keywords, expected.keywords);
        prop_assert_eq!(prior.runs(result, rules), expected.runs);
        Ok(())
    }

    /// What `result` read through `base`'s reading (its sketch, and the rule windows it
    /// searched, taken over where the delta copies them) finds is what a whole read finds,
    /// hit by hit and window by window.
    fn windows_through_base(
        base: &[u8],
        result: &[u8],
        copies: &Copies,
    ) -> Result<(), TestCaseError> {
        let rules = rules();
        let mut matches = Vec::new();
        let (_, sketch) = decode::hits_sketched(base, rules, &mut matches, None);
        let prior = Prior {
            sketch: &sketch,
            copies,
        };
        let (hits, through) = decode::hits_sketched(result, rules, &mut matches, Some(prior));
        let (expected, whole) = decode::hits_sketched(result, rules, &mut matches, None);
        prop_assert_eq!(format!("{hits:?}"), format!("{expected:?}"));
        prop_assert_eq!(through, whole);
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// Rule windows taken over from the base find what searching them finds.
        #[test]
        fn a_delta_read_through_its_bases_windows_finds_what_a_whole_read_finds(
            base in pieces(),
            edits in prop::collection::vec((0usize..400, 0usize..20, pieces()), 0..5),
            parts in prop::collection::vec((0usize..400, 0usize..200, pieces()), 0..6),
        ) {
            for (result, copies) in [edit(&base, &edits), splice(&base, &parts)] {
                windows_through_base(&base, &result, &copies)?;
            }
        }

        /// In-order edits, and deltas that reorder and repeat stretches of their base (git's
        /// delta search produces both).
        #[test]
        fn a_delta_read_through_its_base_finds_what_a_whole_read_finds(
            base in pieces(),
            edits in prop::collection::vec((0usize..400, 0usize..20, pieces()), 0..5),
            parts in prop::collection::vec((0usize..400, 0usize..200, pieces()), 0..6),
        ) {
            for (result, copies) in [edit(&base, &edits), splice(&base, &parts)] {
                read_through_base(&base, &result, &copies)?;
            }
        }
    }

    #[test]
    fn a_secret_copied_from_the_base_is_found_in_the_delta_and_an_inserted_one_too() {
        let rules = rules();
        let base = b"x = 1\npassword = \"hunter2-but-longer\"\nend\n".repeat(3);
        let (result, copies) = edit(&base, &[(6, 0, b"token: abc\n".to_vec())]);
        let sketch = Sketch::of(&base, rules);
        let prior = Prior {
            sketch: &sketch,
            copies: &copies,
        };
        let mut keywords = Vec::new();
        prior.keywords(&result, rules, &mut keywords);
        assert_eq!(keywords, Sketch::of(&result, rules).keywords);
        assert!(keywords.len() > 3);
    }

    #[test]
    fn a_window_the_delta_copies_is_taken_from_the_base_not_searched_again() {
        let rules = rules();
        let mut matches = Vec::new();
        let line = format!("token = \"{}\"\n", "x".repeat(30));
        // Far enough from the start that the window (its reach back from the keyword) lies in
        // what the delta copies.
        let base = format!("{}{line}", "# config\n".repeat(300)).into_bytes();
        let (_, mut sketch) = decode::hits_sketched(&base, rules, &mut matches, None);
        assert!(!sketch.windows.is_empty(), "the keyword opens a window");
        // The delta inserts a line before a copy of the whole base.
        let (result, copies) = edit(&base, &[(0, 0, b"# new\n".to_vec())]);
        // A base whose window "held" a match: taken over, it shows where no search finds one.
        let (plain, _) = decode::hits_sketched(&result, rules, &mut matches, None);
        assert!(plain.is_empty());
        sketch.windows.forge_first_match(rules);
        let prior = Prior {
            sketch: &sketch,
            copies: &copies,
        };
        let (through, _) = decode::hits_sketched(&result, rules, &mut matches, Some(prior));
        assert_eq!(through.len(), 1, "the window was taken over, not searched");
    }

    #[test]
    fn a_delta_waits_for_its_base_only_until_the_pass_has_read_it() {
        let sketches = Sketches::new([((0, 10), 5), ((0, 20), 6)].into_iter(), usize::MAX);
        assert!(sketches.waiting((0, 10)));
        assert!(!sketches.waiting((0, 30)), "no delta is against it");
        // Read but not kept (a tree, binary, or no room): waiting would gain nothing.
        sketches.read((0, 10));
        assert!(!sketches.waiting((0, 10)));
        sketches.keep((0, 20), Sketch::default(), b"base");
        assert!(!sketches.waiting((0, 20)), "kept");
        // Its last delta read: forgotten.
        assert!(sketches.take((0, 10)).is_none());
        assert!(sketches.state.lock().unwrap().read.is_empty());
    }

    #[test]
    fn a_base_sketch_is_dropped_after_its_last_delta() {
        let sketches = Sketches::new(
            [((0, 10), 5), ((0, 10), 7), ((0, 20), 6)].into_iter(),
            usize::MAX,
        );
        assert!(sketches.wanted((0, 10)) && !sketches.wanted((0, 30)));
        sketches.keep((0, 10), Sketch::default(), b"base");
        sketches.keep((0, 30), Sketch::default(), b"other");
        assert_eq!(
            sketches.take((0, 10)).unwrap().content.as_deref(),
            Some(&b"base".to_vec())
        );
        assert!(sketches.take((0, 10)).is_some());
        assert!(sketches.take((0, 10)).is_none());
        assert!(!sketches.wanted((0, 10)));
        // Asked for before it was read: not kept afterwards.
        assert!(sketches.take((0, 20)).is_none());
        sketches.keep((0, 20), Sketch::default(), b"late");
        let held = sketches.state.lock().unwrap();
        assert!(held.kept.is_empty() && held.by_next.is_empty() && held.bytes == 0);
    }

    #[test]
    fn past_the_cap_the_content_needed_latest_is_let_go_and_its_sketch_kept() {
        let one = Sketch::default().bytes() + 1000;
        let sketches = Sketches::new(
            [((0, 1), 50), ((0, 2), 10), ((0, 3), 30), ((0, 4), 99)].into_iter(),
            2 * one + 2 * Sketch::default().bytes(),
        );
        let content = [b'x'; 1000];
        sketches.keep((0, 1), Sketch::default(), &content);
        sketches.keep((0, 2), Sketch::default(), &content);
        // Needed before (0, 1): (0, 1)'s content goes, its sketch stays.
        sketches.keep((0, 3), Sketch::default(), &content);
        // Needed after both kept contents: its sketch alone is kept.
        sketches.keep((0, 4), Sketch::default(), &content);
        let with_content = |at| sketches.take(at).expect("kept").content.is_some();
        assert!(!with_content((0, 1)));
        assert!(!with_content((0, 4)));
        assert!(with_content((0, 2)));
        assert!(with_content((0, 3)));
        assert_eq!(sketches.state.lock().unwrap().bytes, 0);
    }

    #[test]
    fn past_the_cap_the_content_whose_next_delta_comes_latest_goes_not_the_one_whose_last_does() {
        let one = Sketch::default().bytes() + 1000;
        // (0, 1) has deltas at 10 and 90, (0, 2) one at 50: at 20, (0, 1) is needed first.
        let sketches = Sketches::new(
            [((0, 1), 10), ((0, 1), 90), ((0, 2), 50), ((0, 3), 30)].into_iter(),
            2 * one + Sketch::default().bytes(),
        );
        let content = [b'x'; 1000];
        sketches.keep((0, 1), Sketch::default(), &content);
        sketches.keep((0, 2), Sketch::default(), &content);
        assert!(
            sketches.take((0, 1)).unwrap().content.is_some(),
            "the delta at 10"
        );
        // Next needed: (0, 2) at 50, (0, 1) at 90. (0, 3), needed at 30, pushes (0, 1) out.
        sketches.keep((0, 3), Sketch::default(), &content);
        assert!(sketches.take((0, 3)).unwrap().content.is_some());
        assert!(sketches.take((0, 2)).unwrap().content.is_some());
        assert!(sketches.take((0, 1)).unwrap().content.is_none());
        assert_eq!(sketches.state.lock().unwrap().bytes, 0);
    }

    #[test]
    fn a_content_let_go_and_read_again_is_kept_again_while_it_fits() {
        let one = Sketch::default().bytes() + 1000;
        let sketches = Sketches::new(
            [((0, 1), 10), ((0, 1), 20), ((0, 1), 40), ((0, 2), 30)].into_iter(),
            one + Sketch::default().bytes(),
        );
        let content = [b'x'; 1000];
        sketches.keep((0, 2), Sketch::default(), &content);
        // (0, 1) is needed before (0, 2): (0, 2)'s content goes.
        sketches.keep((0, 1), Sketch::default(), &content);
        assert!(sketches.take((0, 1)).unwrap().content.is_some());
        assert!(sketches.take((0, 1)).unwrap().content.is_some());
        let kept = sketches.take((0, 2)).unwrap();
        assert!(kept.content.is_none());
        // Offered back: (0, 2) has no delta left, so it is not kept.
        sketches.restore((0, 2), &content);
        assert!(!sketches.wanted((0, 2)));
        // (0, 1)'s content is let go for a blob needed before it, then offered back once
        // that one is done: kept again for its last delta.
        let sketches = Sketches::new(
            [((0, 1), 10), ((0, 1), 40), ((0, 3), 20)].into_iter(),
            one + Sketch::default().bytes(),
        );
        sketches.keep((0, 1), Sketch::default(), &content);
        assert!(sketches.take((0, 1)).unwrap().content.is_some());
        sketches.keep((0, 3), Sketch::default(), &content);
        assert!(sketches.take((0, 3)).unwrap().content.is_some());
        sketches.restore((0, 1), &content);
        let kept = sketches.take((0, 1)).unwrap();
        assert_eq!(kept.content.as_deref(), Some(&content.to_vec()));
        assert_eq!(sketches.state.lock().unwrap().bytes, 0);
    }

    #[test]
    fn a_sketch_that_does_not_fit_either_is_not_kept() {
        let sketches = Sketches::new([((0, 1), 5)].into_iter(), 10);
        sketches.keep((0, 1), Sketch::default(), b"content");
        assert!(sketches.take((0, 1)).is_none());
    }
}
