//! From a buffer's matches to hits: each secret with its line, column, inline allow comment and
//! code frame. Reading objects and files is not done here.
//!
//! A blob may hold tens of thousands of secrets (a dump of connection strings), or all of them
//! on one line (minified text), so nothing here rescans the buffer per hit: lines are counted
//! by one cursor that only moves forward, each line is searched once for its end and its allow
//! comment, and a code frame looks up only the matches inside it.

use super::engine::{Match, RuleSet};
use super::redact::redact;
use super::rules::Confidence;
use std::ops::Range;

/// A secret in a blob.
#[derive(Clone, Debug)]
pub struct Hit {
    /// Rule index in the rule set.
    pub rule: usize,
    /// The secret itself; never leaves the secrets module unredacted.
    pub secret: Vec<u8>,
    /// Byte offset in the buffer of where the hit points (the secret, or the encoded run
    /// that holds it).
    pub offset: usize,
    /// Where it is and what its line says.
    pub spot: Spot,
}

/// Where a hit is in its buffer and what its line says: what each place a secret is seen
/// keeps for its finding.
#[derive(Clone, Debug)]
pub struct Spot {
    /// 1-based line.
    pub line: u32,
    /// 1-based column (bytes).
    pub column: u32,
    /// The reason of a `palisade:allow <rule> -- <reason>` comment on the secret's line.
    pub inline_allow: Option<String>,
    /// A `palisade:allow` comment on the line that allows nothing (no reason, or a rule that
    /// does not exist): its finding code and message, reported as a warning at the line.
    pub allow_problem: Option<(&'static str, String)>,
    /// The secret's line with every match of every rule on it redacted, cut to at most 200
    /// characters around this one: the code frame reports show.
    pub snippet: String,
    /// How the secret was decoded when it is not in the buffer as stored (`base64 → Secret
    /// data.DATABASE_URL`, `percent-encoded userinfo`).
    pub decoding: Option<String>,
    /// For a Docker `config.json` credential: the registry and the user it logs in as.
    pub registry: Option<(String, Option<String>)>,
    /// The archive member it is in (`release/.env`; `inner.zip!a/.env` through nested
    /// archives); line and column are the member's.
    pub member: Option<String>,
    /// How sure the match here is ([`super::rules::confidence_of`]).
    pub confidence: Confidence,
}

/// A secret to report at a place of a buffer: a match of the buffer itself, or one found in
/// what a run of the buffer decodes to (reported where the encoded run starts).
#[derive(Clone, Debug)]
pub struct Anchor {
    /// Rule index.
    pub rule: usize,
    /// Where, in the buffer, the finding points: the secret's start, or the encoded run's.
    pub offset: usize,
    /// The secret (percent-decoded for a password in a URI).
    pub secret: Vec<u8>,
    /// How it was decoded, outermost first (`base64 → Secret data.DATABASE_URL`).
    pub decoding: Option<String>,
    /// The registry a Docker `config.json` credential logs in to, and its user.
    pub registry: Option<(String, Option<String>)>,
    /// How sure the match is.
    pub confidence: Confidence,
}

impl Anchor {
    /// A match of `data`, its secret as the rule reads it.
    pub fn of(data: &[u8], rules: &RuleSet, m: &Match) -> Anchor {
        let raw = &data[m.start..m.end];
        let value = rules.rules[m.rule].value_of(raw);
        let decoding = matches!(value, std::borrow::Cow::Owned(_))
            .then(|| "percent-encoded userinfo".to_string());
        Anchor {
            rule: m.rule,
            offset: m.start,
            secret: value.into_owned(),
            decoding,
            registry: None,
            confidence: m.confidence,
        }
    }
}

/// Hits at `anchors` (in any order) of `data`: line, column, the line's allow comment, and
/// the code frame with every `covered` range (ascending, disjoint) masked.
pub fn hits_at(
    data: &[u8],
    rules: &RuleSet,
    covered: &[Range<usize>],
    mut anchors: Vec<Anchor>,
) -> Vec<Hit> {
    anchors.sort_by_key(|a| a.offset);
    let mut frames = Frames::new(data, covered);
    let mut lines = Lines::new(data);
    let ids: Vec<&str> = rules.rules.iter().map(|r| r.rule.id.as_str()).collect();
    // The comment's rule, resolved once per line (a minified line can hold thousands of hits).
    let mut resolved: Option<(usize, Result<&str, Option<&str>>)> = None;
    anchors
        .into_iter()
        .map(|a| {
            let line = lines.at(a.offset);
            let verdict = line.allow.as_ref().map(|comment| {
                let named = match &resolved {
                    Some((n, named)) if *n == line.number => *named,
                    _ => {
                        let named = super::cfg::resolve_rule_id(&comment.named, &ids);
                        resolved = Some((line.number, named));
                        named
                    }
                };
                inline_allow(comment, &named, &rules.rules[a.rule].rule.id)
            });
            let (inline_allow, allow_problem) = match verdict {
                Some(InlineAllow::Allows(reason)) => (Some(reason), None),
                Some(InlineAllow::Refused(code, message)) => (None, Some((code, message))),
                Some(InlineAllow::OtherRule) | None => (None, None),
            };
            Hit {
                rule: a.rule,
                secret: a.secret,
                offset: a.offset,
                spot: Spot {
                    line: u32::try_from(line.number).unwrap_or(u32::MAX),
                    column: u32::try_from(a.offset - line.start + 1).unwrap_or(u32::MAX),
                    inline_allow,
                    allow_problem,
                    snippet: frames.snippet(a.offset, line.start, line.end),
                    decoding: a.decoding,
                    registry: a.registry,
                    member: None,
                    confidence: a.confidence,
                },
            }
        })
        .collect()
}

/// `data` with each of the `covered` ranges (ascending, disjoint) replaced by its redacted
/// form: a commit summary or any other text shown beside a finding.
pub fn masked(data: &[u8], covered: &[Range<usize>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut at = 0;
    for r in covered {
        let (start, end) = (r.start.min(data.len()), r.end.min(data.len()));
        if start < at {
            continue;
        }
        out.extend_from_slice(&data[at..start]);
        out.extend_from_slice(redact(&data[start..end]).as_bytes());
        at = end;
    }
    out.extend_from_slice(&data[at..]);
    out
}

/// The line a cursor stands on.
struct Line {
    /// 1-based.
    number: usize,
    /// Offset of its first byte.
    start: usize,
    /// Offset of its newline (or the end of the buffer).
    end: usize,
    /// Its `palisade:allow` comment.
    allow: Option<Comment>,
}

/// Line numbers and line facts for ascending offsets, each byte read a bounded number of times.
struct Lines<'a> {
    data: &'a [u8],
    /// Newlines before `pos` are counted in `line.number`.
    pos: usize,
    line: Line,
    /// Whether `line.end` and `line.allow` belong to `line.start`.
    known: bool,
}

impl<'a> Lines<'a> {
    fn new(data: &'a [u8]) -> Self {
        Lines {
            data,
            pos: 0,
            line: Line {
                number: 1,
                start: 0,
                end: 0,
                allow: None,
            },
            known: false,
        }
    }

    /// The line holding `offset`. Offsets come in ascending order (the scanner sorts its
    /// matches); an earlier one restarts the count from the top rather than being wrong.
    fn at(&mut self, offset: usize) -> &Line {
        if offset < self.pos {
            *self = Lines::new(self.data);
        }
        for newline in memchr::memchr_iter(b'\n', &self.data[self.pos..offset]) {
            self.line.number += 1;
            self.line.start = self.pos + newline + 1;
            self.known = false;
        }
        self.pos = offset;
        if !self.known {
            let start = self.line.start;
            self.line.end =
                memchr::memchr(b'\n', &self.data[start..]).map_or(self.data.len(), |p| start + p);
            self.line.allow = parse_allow(&self.data[start..self.line.end]);
            self.known = true;
        }
        &self.line
    }
}

/// Code frames over the union of every rule's matches (ascending, disjoint ranges).
struct Frames<'a> {
    data: &'a [u8],
    covered: &'a [Range<usize>],
    /// The redacted form of each range, made once: ranges can be long (overlapping matches
    /// chain) and many frames show the same one.
    redacted: Vec<Option<String>>,
}

impl<'a> Frames<'a> {
    fn new(data: &'a [u8], covered: &'a [Range<usize>]) -> Self {
        Frames {
            data,
            covered,
            redacted: vec![None; covered.len()],
        }
    }

    /// The line around `offset` (which runs from `line_start` to `line_end`), every byte any
    /// rule matched redacted, at most 80 bytes before and 200 after, 240 characters shown.
    fn snippet(&mut self, offset: usize, line_start: usize, line_end: usize) -> String {
        let data = self.data;
        let from = line_start.max(offset.saturating_sub(80));
        let to = line_end.min(offset + 200);
        let mut out = String::new();
        let mut at = from;
        let first = self.covered.partition_point(|r| r.end <= from);
        for (i, r) in self.covered.iter().enumerate().skip(first) {
            if r.start >= to {
                break;
            }
            if r.start > at {
                out.push_str(&String::from_utf8_lossy(&data[at..r.start]));
            }
            let shown = self.redacted[i].get_or_insert_with(|| redact(&data[r.clone()]));
            out.push_str(shown);
            at = r.end;
        }
        if to > at {
            out.push_str(&String::from_utf8_lossy(&data[at..to]));
        }
        let mut out: String = out.chars().filter(|c| *c != '\r').take(240).collect();
        if from > line_start {
            out.insert(0, '…');
        }
        if to < line_end {
            out.push('…');
        }
        out
    }
}

const ALLOW_MARK: &[u8] = b"palisade:allow ";

/// A `palisade:allow <rule-id> -- <reason>` comment, as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Comment {
    /// The rule it names (with or without `secret.`), at most one word.
    pub named: String,
    /// What follows ` -- `, if anything does.
    pub reason: Option<String>,
}

/// The first `palisade:allow` comment on `line`, reason or not: one without a reason is kept so
/// that it can be reported rather than silently allow nothing.
fn parse_allow(line: &[u8]) -> Option<Comment> {
    let at = memchr::memmem::find(line, ALLOW_MARK)?;
    let rest = String::from_utf8_lossy(&line[at + ALLOW_MARK.len()..]);
    let (named, reason) = match rest.split_once(" -- ") {
        Some((named, reason)) => (named, Some(reason)),
        None => (rest.as_ref(), None),
    };
    let close = |s: &str| {
        s.trim()
            .trim_end_matches("*/")
            .trim_end_matches("-->")
            .trim()
            .to_string()
    };
    let named = close(named)
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_string();
    let reason = reason.map(close).filter(|r| !r.is_empty());
    Some(Comment { named, reason })
}

/// What an inline comment does to one hit.
#[derive(Clone, Debug, PartialEq)]
pub enum InlineAllow {
    /// It names the hit's rule and gives a reason: the line is allowed.
    Allows(String),
    /// It names another active rule: nothing to say about this hit.
    OtherRule,
    /// It allows nothing and the user must hear why: (finding code, message).
    Refused(&'static str, String),
}

/// What `comment` does to a hit of `rule`, its named rule already resolved against the active
/// rule set (`Ok(id)`, or `Err(the closest id)` when it names none). The config cannot refuse a
/// comment in a file, so a comment that would allow nothing is a warning at its line: one
/// without a reason, or one naming a rule that does not exist (a typo would otherwise leave
/// the secret failing with no hint, or a comment meant to allow nothing unnoticed).
pub fn inline_allow(
    comment: &Comment,
    named: &Result<&str, Option<&str>>,
    rule: &str,
) -> InlineAllow {
    match named {
        Ok(id) if *id != rule => InlineAllow::OtherRule,
        Ok(id) => match &comment.reason {
            Some(reason) => InlineAllow::Allows(reason.clone()),
            None => InlineAllow::Refused(
                crate::checks::secrets::codes::INLINE_ALLOW_WITHOUT_REASON,
                format!(
                    "`palisade:allow {id}` has no reason, so it allows nothing: write `palisade:allow {id} -- <why this is safe>`"
                ),
            ),
        },
        Err(suggestion) => InlineAllow::Refused(
            crate::checks::secrets::codes::INLINE_ALLOW_UNKNOWN_RULE,
            format!(
                "this `palisade:allow` comment allows nothing: it {}",
                super::cfg::unknown_rule_message(*suggestion)
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every secret stored in `data` (no decoding: that is `scan::decode`'s), with its line,
    /// column and any inline allow comment.
    fn hits_in(data: &[u8], rules: &RuleSet, matches: &mut Vec<Match>) -> Vec<Hit> {
        let mut covered = Vec::new();
        matches.clear();
        rules.scan_covering(data, matches, &mut covered);
        let anchors: Vec<Anchor> = matches.iter().map(|m| Anchor::of(data, rules, m)).collect();
        hits_at(data, rules, &covered, anchors)
    }

    /// The allowed reason of `line` for a hit of `rule`, or the code of its warning.
    fn allow_on(line: &[u8], rule: &str) -> Option<Result<String, &'static str>> {
        let ids = [
            "secret.github-pat",
            "secret.npm-token",
            "secret.postgres-uri",
        ];
        let comment = parse_allow(line)?;
        let named = crate::checks::secrets::cfg::resolve_rule_id(&comment.named, &ids);
        match inline_allow(&comment, &named, rule) {
            InlineAllow::Allows(reason) => Some(Ok(reason)),
            InlineAllow::OtherRule => None,
            InlineAllow::Refused(code, _) => Some(Err(code)),
        }
    }

    #[test]
    fn inline_allow_needs_the_rule_and_a_reason() {
        use crate::checks::secrets::codes::{
            INLINE_ALLOW_UNKNOWN_RULE as UNKNOWN, INLINE_ALLOW_WITHOUT_REASON as NO_REASON,
        };
        let line = b"token = \"ghp_x\" # palisade:allow secret.github-pat -- revoked fixture token";
        let allowed = Some(Ok("revoked fixture token".to_string()));
        assert_eq!(allow_on(line, "secret.github-pat"), allowed);
        assert_eq!(allow_on(line, "secret.npm-token"), None);
        let short = b"x # palisade:allow github-pat -- revoked fixture token */";
        assert_eq!(allow_on(short, "secret.github-pat"), allowed);
        for no_reason in [
            &b"x # palisade:allow secret.github-pat -- "[..],
            b"x # palisade:allow secret.github-pat",
            b"x <!-- palisade:allow github-pat -->",
        ] {
            assert_eq!(
                allow_on(no_reason, "secret.github-pat"),
                Some(Err(NO_REASON))
            );
        }
        assert_eq!(
            allow_on(
                b"x # palisade:allow github-pats -- fake",
                "secret.github-pat"
            ),
            Some(Err(UNKNOWN))
        );
        let Some(comment) = parse_allow(b"# palisade:allow secret.github-pats -- x") else {
            panic!("not parsed");
        };
        let named =
            crate::checks::secrets::cfg::resolve_rule_id(&comment.named, &["secret.github-pat"]);
        let InlineAllow::Refused(_, message) = inline_allow(&comment, &named, "secret.x") else {
            panic!("not refused");
        };
        assert!(
            message.contains("did you mean secret.github-pat?"),
            "{message}"
        );
    }

    #[test]
    fn lines_and_columns_are_one_based() {
        let data = b"a\nbc\nxyz";
        let mut lines = Lines::new(data);
        let mut at = |offset| {
            let l = lines.at(offset);
            (l.number, offset - l.start + 1, &data[l.start..l.end])
        };
        assert_eq!(at(0), (1, 1, &b"a"[..]));
        assert_eq!(at(3), (2, 2, &b"bc"[..]));
        assert_eq!(at(7), (3, 3, &b"xyz"[..]));
        // Out of order still answers right.
        assert_eq!(at(2), (2, 1, &b"bc"[..]));
    }

    /// Line, column, allow and snippet of every hit, computed from the buffer start and over
    /// every masked range, as the first version did.
    fn naive(
        data: &[u8],
        matches: &[Match],
        covered: &[Range<usize>],
        rules: &RuleSet,
    ) -> Vec<(u32, u32, Option<String>, String)> {
        let mut hits = Vec::new();
        for m in matches {
            let before = &data[..m.start];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let start = before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            let end = data[m.start..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(data.len(), |p| m.start + p);
            let ids: Vec<&str> = rules.rules.iter().map(|r| r.rule.id.as_str()).collect();
            let allow = parse_allow(&data[start..end]).and_then(|c| {
                let named = crate::checks::secrets::cfg::resolve_rule_id(&c.named, &ids);
                match inline_allow(&c, &named, &rules.rules[m.rule].rule.id) {
                    InlineAllow::Allows(reason) => Some(reason),
                    _ => None,
                }
            });
            let (from, to) = (
                start.max(m.start.saturating_sub(80)),
                end.min(m.start + 200),
            );
            let mut snippet = String::new();
            let mut at = from;
            for r in covered.iter().filter(|r| r.start < to && r.end > from) {
                snippet.push_str(&String::from_utf8_lossy(&data[at..r.start.max(at)]));
                snippet.push_str(&redact(&data[r.clone()]));
                at = r.end;
            }
            snippet.push_str(&String::from_utf8_lossy(&data[at.min(to)..to]));
            let mut snippet: String = snippet.chars().take(240).collect();
            if from > start {
                snippet.insert(0, '…');
            }
            if to < end {
                snippet.push('…');
            }
            hits.push((line as u32, (m.start - start + 1) as u32, allow, snippet));
        }
        hits
    }

    #[test]
    fn hits_on_many_lines_and_on_one_long_line_match_the_naive_answers() {
        let rules = crate::checks::secrets::rule_set(&[]).unwrap();
        let mut text = String::new();
        for i in 0..300 {
            text.push_str(&format!(
                "URL_{i}=postgres://app:Q9mX2kP7rT4vW{i:04}@db.internal/app"
            ));
            text.push(if i % 3 == 0 { ' ' } else { '\n' });
            if i % 50 == 0 {
                text.push_str("x = 1 # palisade:allow secret.postgres-uri -- fixture\n");
            }
        }
        let data = text.as_bytes();
        let mut matches = Vec::new();
        let hits = hits_in(data, &rules, &mut matches);
        assert_eq!(hits.len(), 300);
        let mut covered = Vec::new();
        rules.scan_covering(data, &mut Vec::new(), &mut covered);
        let expected = naive(data, &matches, &covered, &rules);
        let got: Vec<_> = hits
            .iter()
            .map(|h| {
                (
                    h.spot.line,
                    h.spot.column,
                    h.spot.inline_allow.clone(),
                    h.spot.snippet.clone(),
                )
            })
            .collect();
        assert_eq!(got, expected);
        assert!(hits.iter().any(|h| h.spot.inline_allow.is_some()));
    }

    #[test]
    fn a_snippet_masks_every_rule_s_match_on_the_line() {
        // The password is the PostgreSQL rule's secret, and the any-scheme URI rule's too: one
        // finding, the password masked (the generic rule takes no URL as a value).
        let rules = crate::checks::secrets::rule_set(&[]).unwrap();
        let data = b"password = \"postgres://app:Q9mX2kP7rT4vW8yB@db-7f3k9q2.internal/app\"\n";
        let hits = hits_in(data, &rules, &mut Vec::new());
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(rules.rules[hits[0].rule].rule.id, "secret.postgres-uri");
        let snippet = &hits[0].spot.snippet;
        assert!(snippet.starts_with("password = \""), "{snippet}");
        for visible in ["Q9mX2k", "P7rT4vW8yB"] {
            assert!(!snippet.contains(visible), "{visible} in {snippet}");
        }
    }
}
