//! The matcher: one pass over the buffer for every rule's keywords (a triple-hash filter, or
//! Teddy for small sets) picks the rules worth running on a buffer and where; only those rules' regexes run, then entropy and checksum filters. One
//! [`RuleSet`] is built per scan and shared by every thread.

use super::rules::{Rule, RuleError};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::bytes::Regex;
use std::ops::Range;

/// A compiled rule.
pub struct Compiled {
    /// The rule as written.
    pub rule: Rule,
    /// The rule id as a finding code (rule sets live for the whole run).
    pub code: &'static str,
    /// The rule's regexes, built on first use ([`Compiled::regexes`]): a command that only
    /// masks its output builds those of the few rules whose keywords the output holds.
    regexes: std::sync::OnceLock<Regexes>,
    /// A generic rule that finds a value by its name: a match under a name a service rule
    /// claims is low confidence ([`super::claims`]).
    defers: bool,
    secret_group: Option<usize>,
    /// The `host` group, when the rule names the host a credential is for.
    host_group: Option<usize>,
    /// Whether the secret is a URI's password (the pattern names a `user` group): it is read
    /// percent-decoded, as a client would send it.
    userinfo: bool,
    /// Values this rule matched that the placeholder filter dropped.
    placeholders: std::sync::atomic::AtomicU64,
    /// How far from a keyword the rule's regex runs: its `window`, or less when the pattern
    /// cannot match more bytes than that (a match holds its keyword, so it lies within its
    /// longest match of it).
    reach: usize,
    /// When the pattern opens with a left boundary (`(?:^|[^A-Za-z0-9_-])`) and then a literal
    /// that starts with one of its keywords (`ghp_`, `pat`): those keywords (by index) and the
    /// bytes the boundary takes. An occurrence of such a keyword after any other byte (`pat` in
    /// `filepath`) cannot start a match, and the occurrence that starts one always passes, so
    /// it opens no window.
    lead: Option<(Vec<usize>, Box<[bool; 256]>)>,
    /// Whether the rule has a lead and its matches cannot outgrow its window: the pattern is
    /// then also built anchored at its haystack's start, tried at each lead keyword
    /// ([`Compiled::find_led`]).
    anchors: bool,
}

/// The regexes of one rule.
struct Regexes {
    regex: Regex,
    /// The rule's `not-named` regex.
    not_named: Option<Regex>,
    /// The pattern anchored at its start (when [`Compiled::anchors`]).
    anchored: Option<Regex>,
}

impl Regexes {
    /// Builds them. Syntax was checked when the set was compiled; what is left to fail is the
    /// size limit, which every built-in rule passes (a test builds them all) and custom rules
    /// are built eagerly to report.
    fn build(rule: &Rule, anchors: bool) -> Result<Regexes, String> {
        // ASCII classes (`\w`, `\s`, `[^…]` over bytes): credentials are ASCII, and Unicode
        // classes multiply the automata's size (several times the memory on large blobs).
        let build = |pattern: &str, limit: bool| {
            let mut builder = regex::bytes::RegexBuilder::new(pattern);
            builder.unicode(false);
            if limit {
                builder.size_limit(1 << 24);
            }
            builder.build()
        };
        let regex = build(&rule.pattern, true).map_err(|e| format!("bad pattern: {e}"))?;
        let not_named = match &rule.not_named {
            Some(pattern) => {
                Some(build(pattern, false).map_err(|e| format!("bad not-named: {e}"))?)
            }
            None => None,
        };
        let anchored = match anchors {
            true => Some(
                build(&format!(r"\A(?:{})", rule.pattern), true)
                    .map_err(|e| format!("bad pattern: {e}"))?,
            ),
            false => None,
        };
        Ok(Regexes {
            regex,
            not_named,
            anchored,
        })
    }

    /// Matches nothing: what a rule whose regexes could not be built would use (never a
    /// built-in one, see [`Regexes::build`]).
    fn none() -> Regexes {
        Regexes {
            regex: Regex::new(r"[^\x00-\x{10FFFF}]").unwrap_or_else(|_| unreachable!()),
            not_named: None,
            anchored: None,
        }
    }
}

/// Every rule, compiled, with the keyword prefilter.
pub struct RuleSet {
    /// The rules, in priority order (an earlier rule wins an identical match).
    pub rules: Vec<Compiled>,
    prefilter: Prefilter,
    /// Keyword index → the rules it enables.
    keyword_rules: Vec<Vec<usize>>,
    /// Keyword index → its length in bytes.
    keyword_lens: Vec<usize>,
    /// The service names rules claim.
    claims: super::claims::Claims,
    /// Matches of rules below this confidence are not reported (they still mask output:
    /// [`RuleSet::scan_covering`] covers every rule's matches).
    pub min_confidence: super::rules::Confidence,
}

/// Finds where keywords occur (every keyword at every position, overlaps included).
enum Prefilter {
    /// SIMD (Teddy) searchers over a lowercased copy of the buffer, one per group of at most
    /// [`TEDDY_GROUP`] keywords; a hit is confirmed against the group's keywords that start
    /// with its byte. Several times faster than a DFA on text with few keywords.
    Packed {
        groups: Vec<PackedGroup>,
        /// Lowercase keywords, by keyword index.
        keywords: Vec<Vec<u8>>,
    },
    /// The Aho-Corasick DFA, ASCII case-insensitive: where the CPU has no Teddy.
    Dfa(AhoCorasick),
    /// One pass testing every three adjacent bytes against the rarest three of every
    /// keyword: for sets too large for Teddy groups.
    Triples(Triples),
}

struct PackedGroup {
    searcher: aho_corasick::packed::Searcher,
    /// First byte → the keyword indexes of this group that start with it.
    by_first: Vec<Vec<usize>>,
}

/// Keywords per Teddy searcher. Small groups keep Teddy's buckets selective, so fewer false
/// candidates reach verification; 16 measured fastest on the advisory-db corpus (8: 1.22 s,
/// 12: 1.15 s, 16: 1.11 s, 24: 1.26 s, 48: 1.27 s, 64: 1.39 s, DFA: 1.38 s).
const TEDDY_GROUP: usize = 16;

/// Above this many keywords the prefilter is [`Triples`] instead of Teddy groups.
const MAX_TEDDY_KEYWORDS: usize = 256;

impl Prefilter {
    fn build(keywords: &[String]) -> Result<Prefilter, String> {
        // Teddy costs a pass over the buffer per group: past a few hundred keywords one pass
        // is cheaper (632 keywords, advisory-db corpus, user CPU: 40 Teddy groups 3.8 s, one
        // lowercase Aho-Corasick DFA 2.6 s, triples 2.2 s; before the rules grew, 1.7 s).
        if keywords.len() > MAX_TEDDY_KEYWORDS {
            return Ok(Prefilter::Triples(Triples::new(keywords)));
        }
        Prefilter::teddy(keywords)
    }

    /// Teddy searchers over groups of [`TEDDY_GROUP`] keywords (a DFA where the CPU has no
    /// SIMD).
    fn teddy(keywords: &[String]) -> Result<Prefilter, String> {
        let lower: Vec<Vec<u8>> = keywords
            .iter()
            .map(|k| k.to_ascii_lowercase().into_bytes())
            .collect();
        let mut groups = Vec::new();
        for first in (0..lower.len()).step_by(TEDDY_GROUP) {
            let chunk = first..(first + TEDDY_GROUP).min(lower.len());
            let mut config = aho_corasick::packed::Config::new();
            config.only_teddy(true).heuristic_pattern_limits(false);
            let mut builder = config.builder();
            let mut by_first = vec![Vec::new(); 256];
            for k in chunk {
                builder.add(&lower[k]);
                by_first[usize::from(lower[k][0])].push(k);
            }
            match builder.build() {
                Some(searcher) => groups.push(PackedGroup { searcher, by_first }),
                // No SIMD here: one DFA over every keyword.
                None => return Prefilter::dfa(keywords),
            }
        }
        Ok(Prefilter::Packed {
            groups,
            keywords: lower,
        })
    }

    fn dfa(keywords: &[String]) -> Result<Prefilter, String> {
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .match_kind(MatchKind::Standard)
            .build(keywords)
            .map(Prefilter::Dfa)
            .map_err(|e| e.to_string())
    }

    /// Calls `hit(keyword, start)` for every keyword occurrence.
    fn for_each(&self, data: &[u8], scratch: &mut Vec<u8>, mut hit: impl FnMut(usize, usize)) {
        match self {
            Prefilter::Dfa(ac) => {
                for m in ac.find_overlapping_iter(data) {
                    hit(m.pattern().as_usize(), m.start());
                }
            }
            Prefilter::Triples(triples) => triples.for_each(data, hit),
            Prefilter::Packed { groups, keywords } => {
                scratch.clear();
                scratch.extend(data.iter().map(u8::to_ascii_lowercase));
                let lower = &scratch[..];
                for group in groups {
                    let mut at = 0;
                    while at < lower.len() {
                        let Some(m) = group
                            .searcher
                            .find_in(lower, aho_corasick::Span::from(at..lower.len()))
                        else {
                            break;
                        };
                        let p = m.start();
                        // Every keyword of the group at p, not only the one Teddy reported.
                        for &k in &group.by_first[usize::from(lower[p])] {
                            if lower[p..].starts_with(&keywords[k]) {
                                hit(k, p);
                            }
                        }
                        at = p + 1;
                    }
                }
            }
        }
    }
}

/// The 2,048 most frequent three-byte sequences of ordinary source code, config and docs
/// (letters lower-cased), most frequent first; made by `scripts/common-triples.py`.
const COMMON_TRIPLES: &[u8] = include_bytes!("common-triples.bin");

/// Bytes from the most to the least frequent in source code and config (lowercased; measured
/// on this repository and the RustSec advisory database). Bytes not listed are rarer still.
const COMMON_BYTES: &[u8] = b" etsaironc\nlduh\"pmf.:g/-b,()`yv0=w_2[]k1x;{}34&>658#9<j!q7|\\z'*?";

/// How rare three bytes of a keyword are in text, for [`Triples`] to pick each keyword's
/// rarest: the ones not in [`COMMON_TRIPLES`] first (fewest separators, then the rarest
/// bytes), then the table's from its end.
fn triple_rarity(
    triple: &[u8],
    common: &std::collections::HashMap<&[u8], usize>,
) -> (usize, usize, usize) {
    match common.get(triple) {
        Some(&rank) => (0, rank, 0),
        None => {
            let separators = triple.iter().filter(|b| b" \t\n=:\"".contains(b)).count();
            let bytes = triple
                .iter()
                .map(|b| {
                    COMMON_BYTES
                        .iter()
                        .position(|c| c == b)
                        .unwrap_or(COMMON_BYTES.len())
                })
                .sum();
            (1, 3 - separators, bytes)
        }
    }
}

/// A keyword prefilter for large sets: each keyword is looked for by its rarest three
/// adjacent bytes. One scalar pass hashes every three bytes of the buffer (case folded) into
/// a 128 Kbit table (16 KiB, in L1 cache) of the chosen triples; only the positions that hit
/// are compared with the keywords that chose a triple there. Its cost hardly grows with the
/// number of keywords, and it needs no lowercased copy of the buffer.
struct Triples {
    /// Bit [`Triples::slot`] of each chosen triple.
    bits: Vec<u64>,
    /// Open addressing by slot: (folded triple, its range in `chosen`); a zero triple is an
    /// empty entry (a folded byte is never zero).
    table: Vec<(u32, u32, u32)>,
    /// (keyword index, offset of its triple in the keyword), grouped by triple.
    chosen: Vec<(u32, u32)>,
    /// Lowercase keywords, by index.
    keywords: Vec<Vec<u8>>,
}

/// log2 of the number of bits in [`Triples::bits`].
const TRIPLE_BITS: u32 = 17;

impl Triples {
    /// Keywords have 3 or more bytes (the rule compiler checks), so each has a triple.
    fn new(keywords: &[String]) -> Triples {
        let keywords: Vec<Vec<u8>> = keywords
            .iter()
            .map(|k| k.to_ascii_lowercase().into_bytes())
            .collect();
        let common: std::collections::HashMap<&[u8], usize> = COMMON_TRIPLES
            .chunks_exact(3)
            .enumerate()
            .map(|(rank, triple)| (triple, rank))
            .collect();
        let mut bits = vec![0u64; 1 << (TRIPLE_BITS - 6)];
        let mut by_triple: std::collections::BTreeMap<u32, Vec<(u32, u32)>> = Default::default();
        for (index, keyword) in keywords.iter().enumerate() {
            // The rarest triple; the later one on a tie (keywords share common prefixes).
            let best = (0..keyword.len().saturating_sub(2))
                .max_by_key(|&at| (triple_rarity(&keyword[at..at + 3], &common), at));
            if let Some(at) = best {
                // Little-endian, as the scan reads it: first byte lowest.
                let triple = keyword[at..at + 3]
                    .iter()
                    .rev()
                    .fold(0u32, |h, &b| h << 8 | u32::from(fold(b)));
                let slot = Triples::slot(triple);
                bits[slot as usize >> 6] |= 1 << (slot & 63);
                by_triple
                    .entry(triple)
                    .or_default()
                    .push((index as u32, at as u32));
            }
        }
        // At most half full: short probes.
        let size = (by_triple.len() * 2).next_power_of_two().max(16);
        let mut table = vec![(0u32, 0u32, 0u32); size];
        let mut chosen = Vec::new();
        for (triple, list) in by_triple {
            let start = chosen.len() as u32;
            chosen.extend(list);
            let mut i = Triples::slot(triple) as usize & (size - 1);
            while table[i].0 != 0 {
                i = (i + 1) & (size - 1);
            }
            table[i] = (triple, start, chosen.len() as u32);
        }
        Triples {
            bits,
            table,
            chosen,
            keywords,
        }
    }

    /// Where a folded triple's bit is.
    fn slot(triple: u32) -> u32 {
        triple.wrapping_mul(0x9E37_79B1) >> (32 - TRIPLE_BITS)
    }

    /// Calls `hit(keyword, start)` for every keyword occurrence.
    fn for_each(&self, data: &[u8], mut hit: impl FnMut(usize, usize)) {
        let bit = |triple: u32| {
            let slot = Triples::slot(triple);
            self.bits[slot as usize >> 6] >> (slot & 63) & 1
        };
        // Eight bytes at a time hold six triples, tested together: one branch for six.
        let mut at = 0;
        while let Some(chunk) = data.get(at..at + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let word = u64::from_le_bytes(word) | 0x2020_2020_2020_2020;
            let mut found = 0u64;
            for k in 0..6 {
                found |= bit((word >> (8 * k)) as u32 & 0x00FF_FFFF) << k;
            }
            while found != 0 {
                let k = found.trailing_zeros() as usize;
                found &= found - 1;
                self.confirm(
                    data,
                    at + k,
                    (word >> (8 * k)) as u32 & 0x00FF_FFFF,
                    &mut hit,
                );
            }
            at += 6;
        }
        while at + 3 <= data.len() {
            let triple = data[at..at + 3]
                .iter()
                .rev()
                .fold(0u32, |t, &b| t << 8 | u32::from(fold(b)));
            if bit(triple) != 0 {
                self.confirm(data, at, triple, &mut hit);
            }
            at += 1;
        }
    }

    /// Compares the keywords that chose `triple` (found at `at`) with the buffer there.
    fn confirm(&self, data: &[u8], at: usize, triple: u32, hit: &mut impl FnMut(usize, usize)) {
        let mask = self.table.len() - 1;
        let mut i = Triples::slot(triple) as usize & mask;
        let (start, end) = loop {
            match self.table[i] {
                (0, _, _) => return,
                (t, start, end) if t == triple => break (start as usize, end as usize),
                _ => i = (i + 1) & mask,
            }
        };
        for &(keyword, offset) in &self.chosen[start..end] {
            let Some(from) = at.checked_sub(offset as usize) else {
                continue;
            };
            let keyword = keyword as usize;
            let text = &self.keywords[keyword];
            if data
                .get(from..from + text.len())
                .is_some_and(|found| found.eq_ignore_ascii_case(text))
            {
                hit(keyword, from);
            }
        }
    }
}

/// ASCII letters to lower case; other bytes may merge with another byte (`_` with DEL, `@`
/// with a backquote, control bytes with punctuation), which only adds candidates that the
/// comparison with the keyword then drops.
fn fold(byte: u8) -> u8 {
    byte | 0x20
}

/// Where a keyword occurs in a buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Keyword {
    /// Where it starts.
    pub start: u32,
    /// Which keyword it is.
    pub keyword: u32,
}

/// One secret found in a buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Match {
    /// Index into [`RuleSet::rules`].
    pub rule: usize,
    /// Byte range of the secret.
    pub start: usize,
    /// End of the secret (exclusive).
    pub end: usize,
    /// How sure this match is ([`super::rules::confidence_of`]).
    pub confidence: super::rules::Confidence,
}

/// The rule windows one text's keywords opened ([`RuleSet::scan_keywords_covering`]) and
/// what searching each found, kept with a blob for the deltas against it: a delta's window
/// whose bytes it copies from this blob (with the context a search reads) is not searched
/// again; this blob's result is taken over.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Windows {
    /// Every window searched, by (start, end, rule) once the text is read.
    list: Vec<Window>,
    /// The accepted matches of every window, offsets from its start.
    found: Vec<Match>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    start: usize,
    end: usize,
    rule: usize,
    /// Values the placeholder filter dropped in it.
    placeholders: u32,
    /// Its matches in [`Windows::found`].
    found: (u32, u32),
}

impl Windows {
    /// Roughly the memory it holds.
    pub fn bytes(&self) -> usize {
        self.list.len() * std::mem::size_of::<Window>()
            + self.found.len() * std::mem::size_of::<Match>()
    }

    /// Whether none was.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    fn push(
        &mut self,
        rule: usize,
        (start, end): (usize, usize),
        found: &[Match],
        placeholders: u32,
    ) {
        let first = self.found.len();
        self.found.extend(found.iter().map(|m| Match {
            start: m.start - start,
            end: m.end - start,
            ..m.clone()
        }));
        self.list.push(Window {
            start,
            end,
            rule,
            placeholders,
            found: (first as u32, self.found.len() as u32),
        });
    }

    fn seal(&mut self) {
        self.list.sort_unstable_by_key(|w| (w.start, w.end, w.rule));
        self.found.shrink_to_fit();
        self.list.shrink_to_fit();
    }

    /// Makes the first window hold a match of its rule over its first 20 bytes, as if its
    /// search had found one (for tests that tell a window taken over from one searched).
    #[cfg(test)]
    pub fn forge_first_match(&mut self, rules: &RuleSet) {
        let Some(window) = self.list.first_mut() else {
            return;
        };
        let first = self.found.len() as u32;
        self.found.push(Match {
            rule: window.rule,
            start: 0,
            end: 20.min(window.end - window.start),
            confidence: rules.rules[window.rule].rule.confidence,
        });
        window.found = (first, first + 1);
    }

    /// The window `(start, end)` of `rule`, if it was searched.
    fn get(&self, rule: usize, start: usize, end: usize) -> Option<&Window> {
        self.list
            .binary_search_by_key(&(start, end, rule), |w| (w.start, w.end, w.rule))
            .ok()
            .map(|i| &self.list[i])
    }
}

/// Where stretches of the text being read are the same bytes as stretches of an earlier text
/// whose [`Windows`] are known (a delta's copies from its base).
pub trait Earlier {
    /// The earlier text's windows, and where `range` of this text starts in it, when the
    /// whole of `range` is one stretch copied from it.
    fn copied(&self, range: Range<usize>) -> Option<(&Windows, usize)>;
}

/// Windows of a search: an earlier text's to take over from, and this one's, recorded.
pub struct Carry<'a> {
    /// The earlier text.
    pub earlier: Option<&'a dyn Earlier>,
    /// This text's windows.
    pub windows: Windows,
}

/// Searches a text's windows, taking over an earlier text's result where the window and what
/// a search of it reads lie in a stretch copied from it.
struct Searcher<'a, 'b> {
    rules: &'a RuleSet,
    data: &'a [u8],
    carry: Option<&'a mut Carry<'b>>,
}

impl Searcher<'_, '_> {
    /// Searches `window` for rule `index`'s matches (appended to `out`).
    fn search(&mut self, index: usize, window: (usize, usize), out: &mut Vec<Match>) {
        let compiled = &self.rules.rules[index];
        let Some(carry) = self.carry.as_mut() else {
            let dropped = compiled.find_in(index, &self.rules.claims, self.data, window, out);
            compiled.count_placeholders(dropped);
            return;
        };
        if let Some(earlier) = carry.earlier
            && let Some((windows, found)) = copied(earlier, self.data, index, window)
        {
            let w = *found;
            let shift = window.0;
            let range = w.found.0 as usize..w.found.1 as usize;
            out.extend(windows.found[range.clone()].iter().map(|m| Match {
                start: m.start + shift,
                end: m.end + shift,
                ..m.clone()
            }));
            compiled.count_placeholders(w.placeholders);
            let first = out.len() - range.len();
            carry
                .windows
                .push(index, window, &out[first..], w.placeholders);
            return;
        }
        let first = out.len();
        let dropped = compiled.find_in(index, &self.rules.claims, self.data, window, out);
        compiled.count_placeholders(dropped);
        carry.windows.push(index, window, &out[first..], dropped);
    }
}

/// The earlier text's search of rule `rule`'s window `(start, end)`, when that search read
/// the same bytes: the window and everything a search of it reads before its start (back to
/// the newline that starts its line: look-behind is one character, and a match's checks look
/// back no further than its line) lie in one copied stretch, and the earlier text searched
/// the same window. Within 4 KiB: a longer line is searched anew.
fn copied<'e>(
    earlier: &'e dyn Earlier,
    data: &[u8],
    rule: usize,
    (start, end): (usize, usize),
) -> Option<(&'e Windows, &'e Window)> {
    const LOOK_BACK: usize = 4096;
    let back = start.saturating_sub(LOOK_BACK);
    let (from, at_text_start) = match memchr::memrchr(b'\n', &data[back..start]) {
        Some(newline) => (back + newline, false),
        None if back == 0 => (0, true),
        None => return None,
    };
    let (windows, mapped) = earlier.copied(from..end)?;
    // A line that starts the text must start the earlier one too.
    if at_text_start && mapped != 0 {
        return None;
    }
    let shift = start - from;
    let window = windows.get(rule, mapped + shift, mapped + shift + (end - start))?;
    Some((windows, window))
}

/// Shannon entropy of `bytes` in bits per byte.
pub fn entropy(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let len = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

thread_local! {
    /// The lowercased copy of the buffer the packed prefilter searches, reused per thread.
    static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// How far from a keyword a rule's secret may lie, unless the rule says (`window`).
pub const DEFAULT_WINDOW: usize = 512;

/// `[at - reach, at + reach]`, the end widened to the next blank (by at most 256 bytes), so
/// a pattern's `$` or end-of-text boundary holds only where a token really ends. The start
/// needs no widening: the search starts there but sees the bytes before it, so `^` and
/// boundary classes read what they would in the whole buffer.
fn line_window(data: &[u8], at: usize, reach: usize) -> (usize, usize) {
    let start = at.saturating_sub(reach);
    let hi = (at + reach).min(data.len());
    let ahead = &data[hi..(hi + 256).min(data.len())];
    let end = match ahead
        .iter()
        .position(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
    {
        Some(p) => hi + p,
        None if hi + 256 >= data.len() => data.len(),
        None => hi,
    };
    (start, end)
}

/// A pattern's left boundary and the literal after it: for `(?:^|[^A-Za-z0-9_-])(?P<s>pat[…]…)`,
/// the bytes the boundary takes (the class, and a newline where `^` is a line start) and
/// `pat`. `None` for any other opening.
fn left_boundary(hir: &regex_syntax::hir::Hir) -> Option<(Box<[bool; 256]>, Vec<u8>)> {
    use regex_syntax::hir::{Class, HirKind, Look};
    let HirKind::Concat(parts) = hir.kind() else {
        return None;
    };
    let HirKind::Alternation(alternatives) = parts.first()?.kind() else {
        return None;
    };
    let mut before = Box::new([false; 256]);
    let mut text_start = false;
    for alternative in alternatives {
        match alternative.kind() {
            HirKind::Look(Look::Start) => text_start = true,
            HirKind::Look(Look::StartLF) => {
                text_start = true;
                before[usize::from(b'\n')] = true;
            }
            HirKind::Class(Class::Bytes(class)) => {
                for range in class.ranges() {
                    for b in range.start()..=range.end() {
                        before[usize::from(b)] = true;
                    }
                }
            }
            _ => return None,
        }
    }
    if !text_start {
        return None;
    }
    // The literal that follows, inside the secret's group or not, in either case (`(?i:lob)`,
    // lowercased: keywords are found in any case).
    let mut literal = Vec::new();
    opening_literal(&parts[1..], &mut literal);
    (!literal.is_empty()).then_some((before, literal))
}

/// Appends to `literal` the bytes `parts` open with: literals, and letters in either case
/// (lowercased), through groups and concatenations. Returns whether all of `parts` was read.
fn opening_literal(parts: &[regex_syntax::hir::Hir], literal: &mut Vec<u8>) -> bool {
    use regex_syntax::hir::{Class, HirKind};
    for part in parts {
        match part.kind() {
            HirKind::Capture(capture) => {
                if !opening_literal(std::slice::from_ref(&capture.sub), literal) {
                    return false;
                }
            }
            HirKind::Concat(inner) => {
                if !opening_literal(inner, literal) {
                    return false;
                }
            }
            HirKind::Literal(text) => literal.extend_from_slice(&text.0),
            HirKind::Class(Class::Bytes(class)) => {
                let ranges = class.ranges();
                let letter = match ranges {
                    [upper, lower]
                        if upper.start() == upper.end()
                            && lower.start() == lower.end()
                            && upper.start().is_ascii_uppercase()
                            && lower.start() == upper.start().to_ascii_lowercase() =>
                    {
                        lower.start()
                    }
                    _ => return false,
                };
                literal.push(letter);
            }
            _ => return false,
        }
    }
    true
}

/// Whether a match that takes a comma for its operator, a `"key", "value"` pair (the text
/// before the secret ends in a quote, a comma and maybe a quote), has them as a call's
/// arguments (`setProperty("KEY", "value")`, `os.setenv('KEY', 'value')`): the key's opening
/// quote follows a `(`. In a list of names (`["API_TOKEN", "API_SECRET"]`, a TOML array of
/// rule ids) the next name is no value. Any other match passes.
fn call_pair(text: &[u8], start: usize, secret: usize) -> bool {
    let quote = |b: u8| matches!(b, b'"' | b'\'' | b'`');
    let blank = |b: &u8| matches!(b, b' ' | b'\t');
    let prefix = &text[start..secret];
    let mut end = prefix.len();
    if end > 0 && quote(prefix[end - 1]) {
        end -= 1;
    }
    // The value may start on the next line (`"KEY",\n    "value"`).
    let before_comma = prefix[..end]
        .iter()
        .rposition(|b| !blank(b) && !matches!(b, b'\n' | b'\r'));
    let Some(comma) = before_comma.filter(|&c| prefix[c] == b',') else {
        return true;
    };
    let Some(close) = prefix[..comma].iter().rposition(|b| !blank(b)) else {
        return true;
    };
    if !quote(prefix[close]) {
        return true;
    }
    let close = start + close;
    let Some(open) = text[..close]
        .iter()
        .rposition(|&b| b == text[close] || b == b'\n')
        .filter(|&o| text[o] == text[close])
    else {
        return false;
    };
    text[..open]
        .iter()
        .rev()
        .find(|b| !blank(b))
        .is_some_and(|&b| b == b'(')
}

/// Whether a rule's keyword `keyword` opens the literal its pattern starts with.
fn leads(literal: &[u8], keyword: &str) -> bool {
    literal
        .get(..keyword.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(keyword.as_bytes()))
}

/// What of a rule is read from its pattern's syntax, on its own (in parallel with the
/// others'): syntax errors, the capture groups, its left boundary and reach.
struct Patterns {
    /// The pattern's left boundary and opening literal ([`left_boundary`]).
    boundary: Option<(Box<[bool; 256]>, Vec<u8>)>,
    reach: usize,
    /// Whether no match can outgrow the window.
    bounded: bool,
    /// Capture group names, by group index.
    names: Vec<Option<String>>,
}

/// The names of a pattern's capture groups, by index (0: the whole match).
fn capture_names(hir: &regex_syntax::hir::Hir, names: &mut Vec<Option<String>>) {
    use regex_syntax::hir::HirKind;
    match hir.kind() {
        HirKind::Capture(capture) => {
            let index = capture.index as usize;
            if names.len() <= index {
                names.resize(index + 1, None);
            }
            names[index] = capture.name.as_deref().map(str::to_string);
            capture_names(&capture.sub, names);
        }
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            for sub in subs {
                capture_names(sub, names);
            }
        }
        HirKind::Repetition(repetition) => capture_names(&repetition.sub, names),
        _ => {}
    }
}

impl Patterns {
    fn compile(rule: &Rule) -> Result<Patterns, String> {
        let parse = |pattern: &str, what: &str| {
            regex_syntax::ParserBuilder::new()
                .unicode(false)
                .utf8(false)
                .build()
                .parse(pattern)
                .map_err(|e| format!("bad {what}: {e}"))
        };
        let hir = parse(&rule.pattern, "pattern")?;
        if let Some(pattern) = &rule.not_named {
            parse(pattern, "not-named")?;
        }
        let longest = hir.properties().maximum_len();
        let boundary = left_boundary(&hir);
        let reach = rule
            .window
            .unwrap_or(DEFAULT_WINDOW)
            .min(longest.unwrap_or(usize::MAX));
        // Only where a match cannot outgrow the window (a longer one is cut where windows
        // end, and merged windows reach further).
        let bounded = longest.is_some_and(|l| l <= reach);
        let mut names = vec![None];
        capture_names(&hir, &mut names);
        Ok(Patterns {
            boundary,
            reach,
            bounded,
            names,
        })
    }
}

impl Compiled {
    /// The rule's regexes, built on first use.
    fn regexes(&self) -> &Regexes {
        self.regexes.get_or_init(|| {
            Regexes::build(&self.rule, self.anchors).unwrap_or_else(|_| Regexes::none())
        })
    }

    /// The secret as the service reads it: a URI's password percent-decoded (`p%40ss` is
    /// `p@ss`, `%24%7BPASSWORD%7D` a template), any other secret as matched.
    pub fn value_of<'a>(&self, raw: &'a [u8]) -> std::borrow::Cow<'a, [u8]> {
        if self.userinfo && memchr::memchr(b'%', raw).is_some() {
            let decoded: std::borrow::Cow<'a, [u8]> = percent_encoding::percent_decode(raw).into();
            if decoded.as_ref() != raw {
                return std::borrow::Cow::Owned(decoded.into_owned());
            }
        }
        std::borrow::Cow::Borrowed(raw)
    }

    /// Runs the regex over `data[start..end]`, pushing accepted matches (in buffer offsets).
    fn find_in(
        &self,
        index: usize,
        claims: &super::claims::Claims,
        data: &[u8],
        (start, end): (usize, usize),
        out: &mut Vec<Match>,
    ) -> u32 {
        // The text up to the window's end, searched from its start: what lies before the
        // start is context for look-behind (`^`, boundaries), never part of a match.
        let text = &data[..end];
        let mut from = start;
        let mut placeholders = 0;
        while from <= end {
            let Some(caps) = self.regexes().regex.captures_at(text, from) else {
                break;
            };
            let Some(whole) = caps.get(0) else {
                break;
            };
            from = if whole.end() > whole.start() {
                whole.end()
            } else {
                whole.end() + 1
            };
            placeholders += u32::from(self.accept(index, claims, text, &caps, 0, out));
        }
        placeholders
    }

    /// The match that starts at a lead keyword found at `at` (its left boundary already seen,
    /// [`Compiled::lead`]), if any, searched no further than `end`: the pattern anchored there,
    /// which fails within a few bytes where a window search would read the whole window.
    /// Returns where the match ends.
    fn find_led(
        &self,
        index: usize,
        claims: &super::claims::Claims,
        data: &[u8],
        (at, end): (usize, usize),
        out: &mut Vec<Match>,
    ) -> Option<usize> {
        // The haystack starts at the keyword: its boundary is the haystack's start (`^`).
        let caps = self.regexes().anchored.as_ref()?.captures(&data[at..end])?;
        let whole = caps.get(0)?;
        if self.accept(index, claims, &data[..end], &caps, at, out) {
            self.count_placeholders(1);
        }
        Some(at + whole.end())
    }

    /// Adds to the count of values the placeholder filter dropped.
    fn count_placeholders(&self, n: u32) {
        if n > 0 {
            self.placeholders
                .fetch_add(u64::from(n), std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Checks one regex match (`caps`, its offsets `shift` bytes into `text`) and pushes it
    /// when it is a secret. Returns whether the placeholder filter dropped it (for the caller
    /// to count). It reads `text` from the match's line's start (the last newline before the
    /// match) to the match's end, nothing before.
    fn accept(
        &self,
        index: usize,
        claims: &super::claims::Claims,
        text: &[u8],
        caps: &regex::bytes::Captures,
        shift: usize,
        out: &mut Vec<Match>,
    ) -> bool {
        let Some(whole) = caps.get(0) else {
            return false;
        };
        let Some(span) = self
            .secret_group
            .and_then(|g| caps.get(g))
            .or_else(|| caps.get(0))
        else {
            return false;
        };
        let (whole_start, span) = (
            whole.start() + shift,
            span.start() + shift..span.end() + shift,
        );
        let name = &text[whole_start..span.start.max(whole_start)];
        if !call_pair(text, whole_start, span.start.max(whole_start)) {
            return false;
        }
        if let Some(not_named) = &self.regexes().not_named
            && not_named.is_match(name)
        {
            return false;
        }
        let value = self.value_of(&text[span.clone()]);
        let secret: &[u8] = &value;
        if let Some(min) = self.rule.min_entropy
            && entropy(secret) < min
        {
            return false;
        }
        if self
            .rule
            .public_values
            .iter()
            .any(|v| v.as_bytes() == secret)
        {
            return false;
        }
        if let Some(v) = self.rule.validator
            && !v.check(secret)
        {
            return false;
        }
        let documentation_host = self
            .host_group
            .and_then(|g| caps.get(g))
            .is_some_and(|h| super::placeholder::documentation_host(h.as_bytes()));
        if documentation_host || super::placeholder::reason(secret).is_some() {
            return true;
        }
        let claimed = self.defers && claims.claimed(name);
        out.push(Match {
            rule: index,
            start: span.start,
            end: span.end,
            confidence: super::rules::confidence_of(&self.rule, secret, claimed),
        });
        false
    }
}

impl RuleSet {
    /// Compiles rules; every problem (bad regex, duplicate id, no keyword) is an error naming
    /// the rule.
    pub fn compile(rules: Vec<Rule>) -> Result<RuleSet, RuleError> {
        Self::compile_with(rules, Prefilter::build)
    }

    /// [`RuleSet::compile`] with the prefilter `build` makes from the lowercase keywords.
    fn compile_with(
        rules: Vec<Rule>,
        build: impl FnOnce(&[String]) -> Result<Prefilter, String>,
    ) -> Result<RuleSet, RuleError> {
        let claims = super::claims::Claims::new(&rules).map_err(|message| RuleError {
            file: "rules".into(),
            message,
        })?;
        // The regexes of every rule, compiled in parallel (most of start-up time); the rest, in
        // order, below. Each rule's problems are reported in the order they always were: its
        // id, its keywords, then its patterns; the first rule with one fails the set.
        use rayon::prelude::*;
        let parts: Vec<Result<Patterns, String>> =
            rules.par_iter().map(Patterns::compile).collect();
        let mut compiled = Vec::with_capacity(rules.len());
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        for (index, (rule, parts)) in rules.into_iter().zip(parts).enumerate() {
            let err = |message: String| RuleError {
                file: rule.id.clone(),
                message,
            };
            if !valid_id(&rule.id) {
                return Err(err("rule ids look like `secret.kebab-case`".into()));
            }
            if compiled.iter().any(|c: &Compiled| c.rule.id == rule.id) {
                return Err(err("duplicate rule id".into()));
            }
            if rule.keywords.is_empty() || rule.keywords.iter().any(|k| k.len() < 3) {
                return Err(err(
                    "every rule needs keywords of 3 or more characters for the prefilter".into(),
                ));
            }
            let Patterns {
                boundary,
                reach,
                bounded,
                names,
            } = parts.map_err(err)?;
            let named = |wanted: &str| names.iter().position(|n| n.as_deref() == Some(wanted));
            let secret_group = named("secret");
            let host_group = named("host");
            let userinfo = named("user").is_some();
            for keyword in &rule.keywords {
                let lower = keyword.to_ascii_lowercase();
                match keywords.iter().position(|k| *k == lower) {
                    Some(i) => keyword_rules[i].push(index),
                    None => {
                        keywords.push(lower);
                        keyword_rules.push(vec![index]);
                    }
                }
            }
            let lead = boundary.and_then(|(before, literal)| {
                let led: Vec<usize> = rule
                    .keywords
                    .iter()
                    .filter(|k| leads(&literal, k))
                    .filter_map(|k| {
                        keywords
                            .iter()
                            .position(|known| known.eq_ignore_ascii_case(k))
                    })
                    .collect();
                (!led.is_empty()).then_some((led, before))
            });
            let anchors = bounded && lead.is_some();
            // The config's own rules are built now, so a pattern over the size limit is a
            // config error, not a rule that silently matches nothing.
            let regexes = std::sync::OnceLock::new();
            if rule.category == "custom" {
                let _ = regexes.set(Regexes::build(&rule, anchors).map_err(err)?);
            }
            let code: &'static str = Box::leak(rule.id.clone().into_boxed_str());
            let defers = rule.category == "generic"
                && rule.validator == Some(super::rules::Validator::CredentialValue);
            compiled.push(Compiled {
                code,
                rule,
                regexes,
                defers,
                secret_group,
                host_group,
                userinfo,
                placeholders: std::sync::atomic::AtomicU64::new(0),
                reach,
                anchors,
                lead,
            });
        }
        let prefilter = build(&keywords).map_err(|e| RuleError {
            file: "rules".into(),
            message: format!("keyword prefilter: {e}"),
        })?;
        Ok(RuleSet {
            rules: compiled,
            prefilter,
            keyword_rules,
            keyword_lens: keywords.iter().map(String::len).collect(),
            claims,
            min_confidence: super::rules::Confidence::Low,
        })
    }

    /// Finds every secret in `data`, appending to `out` in order of position. Where two rules
    /// match the same secret, only the earlier rule is kept.
    pub fn scan(&self, data: &[u8], out: &mut Vec<Match>) {
        let mut keywords = Vec::new();
        self.keywords(data, &mut keywords);
        self.scan_into(data, &keywords, out, None, None);
    }

    /// [`RuleSet::scan`], and also what a code frame must mask: the union of every accepted
    /// match of every rule, the ones that lost an overlap included, as ascending disjoint
    /// byte ranges (replacing `covered`).
    pub fn scan_covering(
        &self,
        data: &[u8],
        out: &mut Vec<Match>,
        covered: &mut Vec<Range<usize>>,
    ) {
        let mut keywords = Vec::new();
        self.keywords(data, &mut keywords);
        self.scan_keywords_covering(data, &keywords, out, covered, None);
    }

    /// [`RuleSet::scan_covering`] with the keyword occurrences of `data` already known (every
    /// one, as [`RuleSet::keywords`] finds them, in any order). With `carry`, the windows
    /// searched are recorded in it, and an earlier text's result is taken over where its search
    /// read the same bytes: what is found is the same either way.
    pub fn scan_keywords_covering(
        &self,
        data: &[u8],
        keywords: &[Keyword],
        out: &mut Vec<Match>,
        covered: &mut Vec<Range<usize>>,
        carry: Option<&mut Carry<'_>>,
    ) {
        covered.clear();
        self.scan_into(data, keywords, out, Some(covered), carry);
    }

    /// Appends every keyword occurrence of `data` (every keyword at every position, overlaps
    /// included) to `out`. Data of 4 GiB or more has none: offsets are 32-bit, and no blob the
    /// scan reads is that large.
    pub fn keywords(&self, data: &[u8], out: &mut Vec<Keyword>) {
        self.keywords_within(data, 0..data.len(), out);
    }

    /// Appends the keyword occurrences lying wholly inside `data[range]` (offsets in `data`).
    pub fn keywords_within(&self, data: &[u8], range: Range<usize>, out: &mut Vec<Keyword>) {
        let Ok(shift) = u32::try_from(range.start) else {
            return;
        };
        if u32::try_from(range.end).is_err() {
            return;
        }
        let Some(part) = data.get(range) else {
            return;
        };
        SCRATCH.with_borrow_mut(|scratch| {
            self.prefilter.for_each(part, scratch, |keyword, start| {
                out.push(Keyword {
                    keyword: keyword as u32,
                    start: shift + start as u32,
                });
            });
        });
    }

    /// How many bytes keyword `keyword` has.
    pub fn keyword_len(&self, keyword: u32) -> usize {
        self.keyword_lens
            .get(keyword as usize)
            .copied()
            .unwrap_or(usize::MAX)
    }

    /// The longest keyword's length.
    pub fn longest_keyword(&self) -> usize {
        self.keyword_lens.iter().copied().max().unwrap_or(0)
    }

    fn scan_into(
        &self,
        data: &[u8],
        keywords: &[Keyword],
        out: &mut Vec<Match>,
        covered: Option<&mut Vec<Range<usize>>>,
        carry: Option<&mut Carry<'_>>,
    ) {
        let mut searcher = Searcher {
            rules: self,
            data,
            carry,
        };
        // Where each rule's keywords occur: (rule, keyword start, whether the keyword is one
        // its pattern opens with).
        let mut hits: Vec<(usize, usize, bool)> = Vec::new();
        for &Keyword { keyword, start } in keywords {
            let (keyword, start) = (keyword as usize, start as usize);
            let Some(rules) = self.keyword_rules.get(keyword) else {
                continue;
            };
            for &rule in rules {
                let led = match &self.rules[rule].lead {
                    Some((led, before)) if led.contains(&keyword) => {
                        if start > 0 && !before[usize::from(data[start - 1])] {
                            continue;
                        }
                        true
                    }
                    _ => false,
                };
                hits.push((rule, start, led));
            }
        }
        if hits.is_empty() {
            return;
        }
        hits.sort_unstable();
        let first = out.len();
        let mut i = 0;
        while i < hits.len() {
            let index = hits[i].0;
            let compiled = &self.rules[index];
            let reach = compiled.reach;
            let count = hits[i..].iter().take_while(|h| h.0 == index).count();
            // Where every hit is a keyword the pattern opens with, each match starts at one:
            // the pattern is tried there, anchored. Hits inside a match are passed over, as a
            // search resuming after the match would.
            if compiled.anchors && hits[i..i + count].iter().all(|h| h.2) {
                let mut after = 0;
                for &(_, at, _) in &hits[i..i + count] {
                    if at >= after {
                        let end = line_window(data, at, reach).1;
                        if let Some(e) =
                            compiled.find_led(index, &self.claims, data, (at, end), out)
                        {
                            after = e;
                        }
                    }
                }
                i += count;
                continue;
            }
            // A secret lies within `window` bytes of one of its rule's keywords: run the regex
            // only there, each window reaching its line's end and merged with its neighbours.
            let mut window: Option<(usize, usize)> = None;
            while i < hits.len() && hits[i].0 == index {
                let (start, end) = line_window(data, hits[i].1, reach);
                window = match window {
                    Some((ws, we)) if start <= we => Some((ws, we.max(end))),
                    Some((ws, we)) => {
                        searcher.search(index, (ws, we), out);
                        Some((start, end))
                    }
                    None => Some((start, end)),
                };
                i += 1;
            }
            if let Some((ws, we)) = window {
                searcher.search(index, (ws, we), out);
            }
        }
        let found = &mut out[first..];
        found.sort_unstable_by_key(|m| (m.start, m.end, m.rule));
        if let Some(covered) = covered {
            union_of(found, covered);
        }
        let kept = if self.min_confidence > super::rules::Confidence::Low {
            // Left out before overlaps are settled: a generic match set aside must not
            // hide a service rule's match of the same value.
            let reported: Vec<Match> = found
                .iter()
                .filter(|m| m.confidence >= self.min_confidence)
                .cloned()
                .collect();
            resolve_overlaps(&reported)
        } else {
            resolve_overlaps(found)
        };
        out.truncate(first);
        out.extend(kept);
        if let Some(carry) = searcher.carry {
            carry.windows.seal();
        }
    }

    /// How many matched values the placeholder filter dropped so far, every rule together.
    pub fn placeholders_skipped(&self) -> u64 {
        self.rules
            .iter()
            .map(|c| c.placeholders.load(std::sync::atomic::Ordering::Relaxed))
            .sum()
    }

    /// Looks a rule up by id.
    pub fn get(&self, id: &str) -> Option<&Compiled> {
        self.rules.iter().find(|c| c.rule.id == id)
    }
}

/// Of overlapping matches of different rules, keeps the earliest rule's. `found` is sorted by
/// (start, end, rule); the result keeps that order.
///
/// Linear in the matches: sorted by start, a kept match can only overlap a later one while its
/// end lies beyond the later one's start, so only those (the `live` ones) are compared. Kept
/// matches of different rules never overlap each other, and one rule's matches never overlap,
/// so `live` stays as small as the number of rules.
fn resolve_overlaps(found: &[Match]) -> Vec<Match> {
    let overlap = |a: &Match, b: &Match| a.start < b.end && b.start < a.end;
    // `None`: kept, then displaced by an earlier rule's overlapping match.
    let mut kept: Vec<Option<Match>> = Vec::with_capacity(found.len());
    let mut live: Vec<usize> = Vec::new();
    for m in found {
        // Kept matches ending at or before `m.start` overlap neither `m` nor anything after it.
        live.retain(|&k| kept[k].as_ref().is_some_and(|k| k.end > m.start));
        let taken = live.iter().any(|&k| {
            kept[k]
                .as_ref()
                .is_some_and(|k| overlap(k, m) && k.rule < m.rule)
        });
        if taken {
            continue;
        }
        for &k in &live {
            if kept[k]
                .as_ref()
                .is_some_and(|k| overlap(k, m) && k.rule > m.rule)
            {
                kept[k] = None;
            }
        }
        live.push(kept.len());
        kept.push(Some(m.clone()));
    }
    kept.into_iter().flatten().collect()
}

/// The bytes `found` (sorted by start) cover, as ascending disjoint ranges: overlapping matches
/// merge; matches that only touch stay apart, so each keeps its own redaction.
fn union_of(found: &[Match], covered: &mut Vec<Range<usize>>) {
    for m in found.iter().filter(|m| m.start < m.end) {
        match covered.last_mut() {
            Some(last) if m.start < last.end => last.end = last.end.max(m.end),
            _ => covered.push(m.start..m.end),
        }
    }
}

fn valid_id(id: &str) -> bool {
    id.strip_prefix("secret.").is_some_and(|name| {
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    })
}

/// A failed rule example.
#[derive(Debug, PartialEq, Eq)]
pub struct ExampleFailure {
    /// The rule.
    pub rule: String,
    /// What went wrong.
    pub problem: String,
}

/// Runs every rule's examples against the whole rule set: each example must be found by its
/// own rule; each negative example must not be found by its rule.
pub fn check_examples(set: &RuleSet) -> Vec<ExampleFailure> {
    check_examples_of(set, |_| true)
}

/// [`check_examples`] for the rules whose id `wanted` accepts (a custom rule being loaded).
pub fn check_examples_of(set: &RuleSet, wanted: impl Fn(&str) -> bool) -> Vec<ExampleFailure> {
    let mut failures = Vec::new();
    let mut found = Vec::new();
    for (index, compiled) in set.rules.iter().enumerate() {
        if !wanted(&compiled.rule.id) {
            continue;
        }
        let rule = &compiled.rule;
        if rule.examples.is_empty() {
            failures.push(ExampleFailure {
                rule: rule.id.clone(),
                problem: "has no examples".into(),
            });
        }
        for example in &rule.examples {
            found.clear();
            set.scan(example.as_bytes(), &mut found);
            if !found.iter().any(|m| m.rule == index) {
                let by: Vec<&str> = found
                    .iter()
                    .map(|m| set.rules[m.rule].rule.id.as_str())
                    .collect();
                failures.push(ExampleFailure {
                    rule: rule.id.clone(),
                    problem: format!(
                        "example not matched{}: {}",
                        if by.is_empty() {
                            String::new()
                        } else {
                            format!(" (taken by {})", by.join(", "))
                        },
                        crate::checks::secrets::redact::redact(example.as_bytes())
                    ),
                });
            }
        }
        for example in &rule.negative_examples {
            found.clear();
            set.scan(example.as_bytes(), &mut found);
            if found.iter().any(|m| m.rule == index) {
                failures.push(ExampleFailure {
                    rule: rule.id.clone(),
                    problem: format!(
                        "negative example matched: {}",
                        crate::checks::secrets::redact::redact(example.as_bytes())
                    ),
                });
            }
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_rule_builds_its_regexes_and_none_matches_nothing() {
        // Built on first use in a scan: a rule that could not be built would match nothing.
        let set = RuleSet::compile(crate::checks::secrets::rules::builtin().unwrap()).unwrap();
        for compiled in &set.rules {
            let built = Regexes::build(&compiled.rule, compiled.anchors);
            assert!(built.is_ok(), "{}: {:?}", compiled.rule.id, built.err());
        }
        let none = Regexes::none();
        assert!(!none.regex.is_match(b"") && !none.regex.is_match(b"\x00abc\xff"));
    }
    use crate::checks::secrets::rules;

    /// The built-in rules in the order a scan uses them (by confidence).
    fn builtin() -> RuleSet {
        crate::checks::secrets::rule_set(&[]).unwrap()
    }

    #[test]
    fn every_builtin_example_passes() {
        let set = builtin();
        let failures = check_examples(&set);
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn at_least_fifty_rules() {
        assert!(builtin().rules.len() >= 50, "{}", builtin().rules.len());
    }

    #[test]
    fn entropy_of_uniform_and_constant_text() {
        assert_eq!(entropy(b"aaaa"), 0.0);
        assert!((entropy(b"abcd") - 2.0).abs() < 1e-9);
    }

    #[test]
    fn keyword_prefilter_is_case_insensitive_and_skips_clean_text() {
        // The AWS rule's regex takes its keyword in any case; its keywords are lowercase, so
        // the secret is found only if the prefilter matches `AWS_SECRET_ACCESS_KEY` and
        // `Aws_Secret_Access_Key` to `aws_secret`.
        let secret = b"5Uvoad+/q5QMegD5vfX3r1HDY0hWokTpXtZVuRT+";
        let upper = b"export AWS_SECRET_ACCESS_KEY=5Uvoad+/q5QMegD5vfX3r1HDY0hWokTpXtZVuRT+\n";
        let mixed = b"Aws_Secret_Access_Key: \"5Uvoad+/q5QMegD5vfX3r1HDY0hWokTpXtZVuRT+\"";
        let packed = builtin();
        let dfa = RuleSet::compile_with(rules::builtin().unwrap(), Prefilter::dfa).unwrap();
        assert!(matches!(dfa.prefilter, Prefilter::Dfa(_)));
        for set in [&packed, &dfa] {
            for text in [&upper[..], &mixed[..]] {
                let mut out = Vec::new();
                set.scan(text, &mut out);
                let found: Vec<&[u8]> = out
                    .iter()
                    .filter(|m| set.rules[m.rule].rule.id == "secret.aws-secret-access-key")
                    .map(|m| &text[m.start..m.end])
                    .collect();
                assert_eq!(found, [&secret[..]], "{}", String::from_utf8_lossy(text));
            }
            let mut out = Vec::new();
            set.scan(b"nothing to see here", &mut out);
            assert!(out.is_empty());
        }
    }

    /// The overlap resolution as first written (quadratic), kept as the reference.
    fn resolve_overlaps_reference(found: &[Match]) -> Vec<Match> {
        let mut kept: Vec<Match> = Vec::new();
        for m in found {
            if kept
                .iter()
                .any(|k| k.start < m.end && m.start < k.end && k.rule < m.rule)
            {
                continue;
            }
            kept.retain(|k| !(k.start < m.end && m.start < k.end && k.rule > m.rule));
            kept.push(m.clone());
        }
        kept
    }

    proptest::proptest! {
        #[test]
        fn linear_overlap_resolution_keeps_what_the_quadratic_one_kept(
            raw in proptest::collection::vec((0usize..6, 0usize..200, 0usize..40), 0..120)
        ) {
            // Like the scanner's output: one rule's matches never overlap each other.
            let mut found: Vec<Match> = Vec::new();
            for (rule, start, len) in raw {
                let m = Match {
                    rule,
                    start,
                    end: start + len,
                    confidence: rules::Confidence::Medium,
                };
                if !found.iter().any(|f| f.rule == rule && f.start < m.end && m.start < f.end) {
                    found.push(m);
                }
            }
            found.sort_unstable_by_key(|m| (m.start, m.end, m.rule));
            proptest::prop_assert_eq!(resolve_overlaps(&found), resolve_overlaps_reference(&found));
            let mut covered = Vec::new();
            union_of(&found, &mut covered);
            for pair in covered.windows(2) {
                proptest::prop_assert!(pair[0].end <= pair[1].start);
            }
            for at in 0..260 {
                let in_match = found.iter().any(|m| m.start <= at && at < m.end);
                let in_union = covered.iter().any(|r| r.contains(&at));
                proptest::prop_assert_eq!(in_match, in_union, "byte {}", at);
            }
        }
    }

    #[test]
    fn packed_and_dfa_prefilters_agree_on_overlaps_and_case() {
        let keywords = all_keywords();
        let text = b"SECRET_KEY_BASE=x token_secret Password: ghp_ AKIA... xoxb- https://u:p@h\n-----BEGIN RSA PRIVATE KEY-----\nsecret_access_key";
        let mut scratch = Vec::new();
        let collect = |p: &Prefilter, scratch: &mut Vec<u8>| {
            let mut hits = Vec::new();
            p.for_each(text, scratch, |k, at| hits.push((k, at)));
            hits.sort_unstable();
            hits
        };
        let dfa = collect(&Prefilter::dfa(&keywords).unwrap(), &mut scratch);
        let teddy = Prefilter::teddy(&keywords).unwrap();
        assert_eq!(collect(&teddy, &mut scratch), dfa);
        let triples = Prefilter::Triples(Triples::new(&keywords));
        assert_eq!(collect(&triples, &mut scratch), dfa);
        // A keyword inside another at the same place counts for both.
        let at = |kw: &str| {
            keywords
                .iter()
                .position(|k| k.eq_ignore_ascii_case(kw))
                .unwrap()
        };
        assert!(
            dfa.contains(&(at("secret_key_base"), 0)) && dfa.contains(&(at("secret"), 0)),
            "{dfa:?}"
        );
    }

    proptest::proptest! {
        /// Text made of keyword pieces in any case, separators and random bytes: the triple
        /// prefilter finds exactly the keyword occurrences the case-insensitive DFA finds.
        #[test]
        fn triple_prefilter_finds_what_the_dfa_finds(
            pieces in proptest::collection::vec((0usize..1000, 0usize..40, proptest::bits::u8::ANY, 0u8..6), 0..40)
        ) {
            static BUILT: std::sync::LazyLock<(Vec<String>, Prefilter, Prefilter)> =
                std::sync::LazyLock::new(|| {
                    let keywords = all_keywords();
                    let dfa = Prefilter::dfa(&keywords).unwrap();
                    let triples = Prefilter::Triples(Triples::new(&keywords));
                    (keywords, dfa, triples)
                });
            let (keywords, dfa, triples) = &*BUILT;
            let mut text: Vec<u8> = Vec::new();
            for (pick, cut, noise, kind) in pieces {
                let keyword = keywords[pick % keywords.len()].as_bytes();
                match kind {
                    0 => text.extend(keyword.iter().map(u8::to_ascii_uppercase)),
                    1 => text.extend_from_slice(&keyword[..cut.min(keyword.len())]),
                    2 => text.push(noise),
                    3 => text.extend_from_slice(b" = \"x\"\n"),
                    _ => text.extend(keyword.iter().enumerate().map(|(i, b)| if i % 2 == 0 { b.to_ascii_uppercase() } else { *b })),
                }
            }
            let collect = |p: &Prefilter| {
                let mut hits = Vec::new();
                p.for_each(&text, &mut Vec::new(), |k, at| hits.push((k, at)));
                hits.sort_unstable();
                hits
            };
            proptest::prop_assert_eq!(collect(triples), collect(dfa));
        }
    }

    /// Every built-in keyword once, sorted.
    fn all_keywords() -> Vec<String> {
        builtin()
            .rules
            .iter()
            .flat_map(|c| c.rule.keywords.iter().map(|k| k.to_ascii_lowercase()))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    #[test]
    fn not_named_drops_a_match_whose_name_reads_as_a_credential_and_is_not() {
        let set = builtin();
        let value = "Zq8nB3vL6mX1kP9rT4wY7hJ2dF5gS0aCxQ4e";
        let rules_of = |text: String| {
            let mut out = Vec::new();
            set.scan(text.as_bytes(), &mut out);
            out.iter()
                .map(|m| set.rules[m.rule].rule.id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            rules_of(format!("acmeToken = \"{value}\"")),
            ["secret.named-api-key"]
        );
        for name in [
            "csrfToken",
            "nextPageToken",
            "PUBLIC_API_KEY",
            "x.csrf_token",
        ] {
            let found = rules_of(format!("{name} = \"{value}\""));
            assert!(
                !found
                    .iter()
                    .any(|id| id.starts_with("secret.named-api-key")),
                "{name}: {found:?}"
            );
        }
        let mut rule = rules::builtin().unwrap().remove(0);
        rule.not_named = Some("(".into());
        let err = RuleSet::compile(vec![rule]).err().unwrap();
        assert!(err.to_string().contains("not-named"), "{err}");
    }

    #[test]
    fn skipping_keywords_inside_words_loses_no_match() {
        let mut led = builtin();
        let airtable = led.get("secret.airtable-pat").and_then(|c| c.lead.as_ref());
        assert!(
            airtable.is_some(),
            "the Airtable PAT rule opens with a boundary and `pat`"
        );
        let lob = led
            .get("secret.lob-key-assignment")
            .and_then(|c| c.lead.as_ref());
        assert!(lob.is_some(), "`(?i:lob)` after a boundary leads too");
        let mut text = Vec::new();
        for rule in &led.rules {
            for example in rule
                .rule
                .examples
                .iter()
                .chain(&rule.rule.negative_examples)
            {
                text.extend_from_slice(b"filepath xpat global_key ");
                text.extend_from_slice(example.as_bytes());
                text.push(b'\n');
            }
        }
        let mut with = Vec::new();
        led.scan(&text, &mut with);
        for rule in &mut led.rules {
            rule.lead = None;
        }
        let mut without = Vec::new();
        led.scan(&text, &mut without);
        let only = |a: &[Match], b: &[Match]| -> Vec<(String, String)> {
            a.iter()
                .filter(|m| !b.contains(m))
                .map(|m| {
                    let line_start = text[..m.start]
                        .iter()
                        .rposition(|&b| b == b'\n')
                        .map_or(0, |p| p + 1);
                    let line_end = text[m.end..]
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(text.len(), |p| m.end + p);
                    (
                        led.rules[m.rule].rule.id.clone(),
                        String::from_utf8_lossy(&text[line_start..line_end]).into_owned(),
                    )
                })
                .collect()
        };
        assert!(
            with == without,
            "only with: {:#?}\nonly without: {:#?}",
            only(&with, &without),
            only(&without, &with)
        );
        assert!(with.len() > 500, "{}", with.len());
    }

    #[test]
    fn bad_rules_are_refused_with_their_id() {
        let mut rule = rules::builtin().unwrap().remove(0);
        rule.pattern = "(".into();
        let err = RuleSet::compile(vec![rule.clone()]).err().unwrap();
        assert!(err.to_string().contains(&rule.id), "{err}");
        let mut dup = rules::builtin().unwrap().remove(0);
        dup.id = "secret.x".into();
        let err = RuleSet::compile(vec![dup.clone(), dup]).err().unwrap();
        assert!(err.to_string().contains("duplicate"), "{err}");
    }
}
