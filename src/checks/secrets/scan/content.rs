//! One blob's or file's content to hits, whatever it is: an archive or compressed file is
//! unpacked ([`super::archive`]), binary content is skipped unless asked, text is matched as
//! stored and decoded ([`super::decode`]). The object pass, the work tree and staged scans all
//! come through here, so every place is read the same way.
//!
//! It is handed bytes; it reads nothing itself and knows nothing of git.

use super::archive::{self, Budget, Truncation};
use super::sketch::{Prior, Sketch};
use super::{Limits, decode, is_binary};
use crate::checks::secrets::engine::{Match, RuleSet};
use crate::checks::secrets::hits::Hit;

/// What a content held.
#[derive(Debug, Default)]
pub struct Scanned {
    /// Its secrets (with the archive member each is in).
    pub hits: Vec<Hit>,
    /// Archives in it that were not read to the end, and why.
    pub truncated: Vec<Truncation>,
    /// Skipped as binary.
    pub binary: bool,
    /// The member an archive stopped at, while its error is on the way up.
    pub(super) stopped_at: Option<String>,
}

impl Scanned {
    /// Takes in what the member `name` of an archive held.
    pub(super) fn absorb(&mut self, name: &str, inner: Scanned) {
        let within = |member: Option<String>| match member {
            Some(deeper) => format!("{name}!{deeper}"),
            None => name.to_string(),
        };
        self.hits.extend(inner.hits.into_iter().map(|mut hit| {
            hit.spot.member = Some(within(hit.spot.member.take()));
            hit
        }));
        self.truncated
            .extend(inner.truncated.into_iter().map(|t| Truncation {
                member: Some(within(t.member)),
                reason: t.reason,
                whole: false,
            }));
    }
}

/// Scans one blob's or file's content.
pub fn scan(data: &[u8], rules: &RuleSet, limits: Limits, matches: &mut Vec<Match>) -> Scanned {
    match archive::kind_of(data) {
        Some(kind) => {
            let mut budget = Budget::for_blob(data.len());
            archive::scan(data, kind, rules, limits, &mut budget, 0)
        }
        None if !limits.scan_binary && is_binary(data) => Scanned {
            binary: true,
            ..Scanned::default()
        },
        None => Scanned {
            hits: decode::hits(data, rules, matches),
            ..Scanned::default()
        },
    }
}

/// [`scan`] for the object pass: text read through its delta's base when there is one
/// ([`Prior`]), and the sketch of it for the deltas against it (`None` for an archive or
/// binary content, which are not read that way).
pub fn scan_sketched(
    data: &[u8],
    rules: &RuleSet,
    limits: Limits,
    matches: &mut Vec<Match>,
    prior: Option<Prior<'_>>,
) -> (Scanned, Option<Sketch>) {
    if archive::kind_of(data).is_some() || (!limits.scan_binary && is_binary(data)) {
        return (scan(data, rules, limits, matches), None);
    }
    let (hits, sketch) = decode::hits_sketched(data, rules, matches, prior);
    (
        Scanned {
            hits,
            ..Scanned::default()
        },
        Some(sketch),
    )
}

/// Scans an archive member, `depth` archives down, within the blob's `budget`.
pub(super) fn scan_nested(
    data: &[u8],
    rules: &RuleSet,
    limits: Limits,
    budget: &mut Budget,
    depth: usize,
) -> Scanned {
    match archive::kind_of(data) {
        Some(kind) => archive::scan(data, kind, rules, limits, budget, depth),
        None if !limits.scan_binary && is_binary(data) => Scanned {
            binary: true,
            ..Scanned::default()
        },
        None => Scanned {
            hits: decode::hits(data, rules, &mut Vec::new()),
            ..Scanned::default()
        },
    }
}
