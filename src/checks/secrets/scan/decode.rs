//! What a buffer hides in encoded form: base64 runs (standard and URL-safe: Kubernetes Secret
//! `data:` values, a base64 PEM key, a JWT or config stored base64) and JSON strings with
//! escapes (`\u002F`, `\/`). Each is decoded and matched again, to [`MAX_DEPTH`] layers; a
//! secret found inside is reported where the encoded text starts, with the decoding path
//! (`base64 → Secret data.DATABASE_URL`), and the encoded text is masked in every code frame.
//!
//! Decoders run only where triggered: a base64 run of [`MIN_RUN`] characters or more whose
//! first bytes decode to text, a backslash escape inside a JSON string. Decoding only shrinks
//! (base64 by a quarter, an escape to one character), so what is decoded stays within the
//! buffer's size at every layer. It matches through [`crate::checks::secrets::hits`]; it reads
//! nothing and knows nothing of git.

use super::fields;
use super::sketch::{Prior, Sketch};
use crate::checks::secrets::engine::{Carry, Earlier, Keyword, Match, RuleSet, Windows};
use crate::checks::secrets::hits::{Anchor, Hit, hits_at};
use base64::Engine as _;
use std::ops::Range;

/// Decoding layers below the stored text (base64 inside base64 is two).
pub const MAX_DEPTH: usize = 2;

/// The shortest base64 run decoded: 18 bytes, enough for a `user:password`.
pub const MIN_RUN: usize = 24;

/// Context kept from the encoded run's line on each side of what it decodes to, so a rule
/// whose keyword stands before the value (`password: <base64>`) still sees it.
const CONTEXT_BEFORE: usize = 256;
const CONTEXT_AFTER: usize = 64;

/// Every secret in `data`, plain and decoded.
pub fn hits(data: &[u8], rules: &RuleSet, matches: &mut Vec<Match>) -> Vec<Hit> {
    hits_covering(data, rules, matches, &mut Vec::new())
}

/// [`hits`], and what any output of `data` must mask (replacing `covered`): every rule's
/// matches and every encoded run that holds a secret.
pub fn hits_covering(
    data: &[u8],
    rules: &RuleSet,
    matches: &mut Vec<Match>,
    covered: &mut Vec<Range<usize>>,
) -> Vec<Hit> {
    layer(data, rules, matches, covered, 0)
}

/// [`hits`] read through a delta's base when there is one ([`Prior`]), and what the passes
/// over every byte found, for the deltas against this blob.
pub fn hits_sketched(
    data: &[u8],
    rules: &RuleSet,
    matches: &mut Vec<Match>,
    prior: Option<Prior<'_>>,
) -> (Vec<Hit>, Sketch) {
    let prior = prior.filter(|p| p.fits(data.len()));
    let mut sketch = match &prior {
        Some(prior) => prior.sketch(data, rules),
        None => Sketch::of(data, rules),
    };
    // The rule windows lying in what the delta copies are its base's, searched already.
    let mut carry = Carry {
        earlier: prior.as_ref().map(|p| p as &dyn Earlier),
        windows: Windows::default(),
    };
    let hits = layer_with(
        data,
        rules,
        matches,
        &mut Vec::new(),
        0,
        (&sketch.keywords, &sketch.runs),
        Some(&mut carry),
    );
    sketch.windows = carry.windows;
    (hits, sketch)
}

fn layer(
    data: &[u8],
    rules: &RuleSet,
    matches: &mut Vec<Match>,
    covered: &mut Vec<Range<usize>>,
    depth: usize,
) -> Vec<Hit> {
    let mut keywords = Vec::new();
    rules.keywords(data, &mut keywords);
    let mut runs = Vec::new();
    if depth < MAX_DEPTH {
        base64_runs_from(data, 0, data.len(), &mut runs);
    }
    layer_with(
        data,
        rules,
        matches,
        covered,
        depth,
        (&keywords, &runs),
        None,
    )
}

/// One layer, its keyword occurrences and base64 runs known.
fn layer_with(
    data: &[u8],
    rules: &RuleSet,
    matches: &mut Vec<Match>,
    covered: &mut Vec<Range<usize>>,
    depth: usize,
    (keywords, runs): (&[Keyword], &[Range<usize>]),
    carry: Option<&mut Carry<'_>>,
) -> Vec<Hit> {
    matches.clear();
    rules.scan_keywords_covering(data, keywords, matches, covered, carry);
    let mut anchors: Vec<Anchor> = matches.iter().map(|m| Anchor::of(data, rules, m)).collect();
    for anchor in anchors
        .iter_mut()
        .filter(|a| rules.rules[a.rule].rule.id == fields::DOCKER_CONFIG_AUTH)
    {
        fields::docker_registry(data, anchor);
    }
    if depth < MAX_DEPTH {
        let mut holding: Vec<Range<usize>> = Vec::new();
        for (run, decoded, how) in encoded(data, runs) {
            let found = inner(data, &run, &decoded, how, rules, depth);
            // A secret matched as stored inside the run is reported as stored.
            let plain = |a: &Anchor| {
                anchors.iter().any(|p| {
                    p.rule == a.rule
                        && p.secret == a.secret
                        && p.decoding.is_none()
                        && run.contains(&p.offset)
                })
            };
            let found: Vec<Anchor> = found.into_iter().filter(|a| !plain(a)).collect();
            if !found.is_empty() {
                holding.push(run);
                anchors.extend(found);
            }
        }
        if !holding.is_empty() {
            covered.extend(holding);
            merge(covered);
        }
    }
    hits_at(data, rules, covered, anchors)
}

/// The secrets of what `run` decodes to, matched with its line's context around it, as
/// anchors at the run's start.
fn inner(
    data: &[u8],
    run: &Range<usize>,
    decoded: &[u8],
    how: &str,
    rules: &RuleSet,
    depth: usize,
) -> Vec<Anchor> {
    let line_start = memchr::memrchr(b'\n', &data[..run.start]).map_or(0, |p| p + 1);
    let line_end = memchr::memchr(b'\n', &data[run.end..]).map_or(data.len(), |p| run.end + p);
    let before = &data[line_start.max(run.start.saturating_sub(CONTEXT_BEFORE))..run.start];
    let after = &data[run.end..line_end.min(run.end + CONTEXT_AFTER)];
    let mut buffer = Vec::with_capacity(before.len() + decoded.len() + after.len());
    buffer.extend_from_slice(before);
    buffer.extend_from_slice(decoded);
    buffer.extend_from_slice(after);
    let inside = before.len()..before.len() + decoded.len();
    let label = match fields::field_of(data, run.start) {
        Some(field) => format!("{how} → {field}"),
        None => how.to_string(),
    };
    layer(&buffer, rules, &mut Vec::new(), &mut Vec::new(), depth + 1)
        .into_iter()
        .filter(|h| inside.contains(&h.offset))
        .map(|h| Anchor {
            rule: h.rule,
            offset: run.start,
            secret: h.secret,
            decoding: Some(match h.spot.decoding {
                Some(deeper) => format!("{label} → {deeper}"),
                None => label.clone(),
            }),
            registry: h.spot.registry,
            confidence: h.spot.confidence,
        })
        .collect()
}

/// Sorts and merges ranges into ascending disjoint ones.
fn merge(ranges: &mut Vec<Range<usize>>) {
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges.drain(..) {
        match out.last_mut() {
            Some(last) if r.start < last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    *ranges = out;
}

/// Every encoded stretch of `data` that decodes to text, its base64 `runs` known: (where,
/// decoded, how).
fn encoded(data: &[u8], runs: &[Range<usize>]) -> Vec<(Range<usize>, Vec<u8>, &'static str)> {
    let mut found = Vec::new();
    let mut i = 0;
    // Runs of a block that did not decode as a whole are not tried as the start of another:
    // each would join the rest of the block again (quadratic in a large binary block).
    let mut in_block = 0;
    while i < runs.len() {
        if i >= in_block
            && let Some((block, joined, used)) = wrapped(data, &runs[i..])
        {
            if let Some(decoded) = decode_base64(&joined) {
                found.push((block, decoded, "base64 (wrapped)"));
                i += used;
                continue;
            }
            in_block = i + used;
        }
        let run = runs[i].clone();
        if let Some(decoded) = decode_base64(&data[run.clone()]) {
            found.push((run, decoded, "base64"));
        }
        i += 1;
    }
    for string in escaped_json_strings(data) {
        if let Some(decoded) = unescape_json(&data[string.clone()]) {
            found.push((string, decoded, "JSON string escapes"));
        }
    }
    found
}

/// The bytes of a base64 run, both alphabets (`=` only as padding at the end, so it is not
/// one of them): a table, since every scanned byte may be looked up.
static BASE64: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        table[i] = b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_');
        i += 1;
    }
    table
};

/// Whether `byte` can be part of a base64 run (its characters and `=`).
pub(super) fn in_run(byte: u8) -> bool {
    BASE64[usize::from(byte)] || byte == b'='
}

/// Appends the runs of at least [`MIN_RUN`] base64 characters (and their `=` padding) that
/// start at `from` or later and before `until` (`from` is 0, or follows a byte that is in no
/// run); returns where the search stopped (the same kind of place, to go on from). Found
/// window by window from the right end (as Horspool's search does): in text a window fails at
/// its last space or punctuation within a few bytes and the next one starts past it, so about
/// one byte in five is looked at.
pub(super) fn base64_runs_from(
    data: &[u8],
    from: usize,
    until: usize,
    runs: &mut Vec<Range<usize>>,
) -> usize {
    // The window's start; the byte before it is never a base64 byte.
    let mut start = from;
    while start < until && start + MIN_RUN <= data.len() {
        let window = &data[start..start + MIN_RUN];
        if let Some(at) = window.iter().rposition(|&b| !BASE64[usize::from(b)]) {
            start += at + 1;
            continue;
        }
        let end = data[start + MIN_RUN..]
            .iter()
            .position(|&b| !BASE64[usize::from(b)])
            .map_or(data.len(), |p| start + MIN_RUN + p);
        let mut padded = end
            + data[end..]
                .iter()
                .take(2)
                .take_while(|&&b| b == b'=')
                .count();
        // `NAME=value`: the `=` is no padding when a run follows it.
        if data.get(padded).is_some_and(|&b| BASE64[usize::from(b)]) {
            padded = end;
        }
        runs.push(start..padded);
        start = padded + 1;
    }
    start
}

/// A base64 block wrapped over lines, as `base64` (76 characters), PEM and MIME (64, 76)
/// write it: `runs[0]` ends its line, and each next line holds nothing but base64 (after its
/// indentation, as under a YAML `|`), as long as the first, up to a shorter last one. The
/// width is a multiple of 4, as every wrapper's is. Returns the block (first character to
/// last), its characters joined, and how many of `runs` it holds; `None` for a lone line.
fn wrapped(data: &[u8], runs: &[Range<usize>]) -> Option<(Range<usize>, Vec<u8>, usize)> {
    let first = runs.first()?;
    let width = first.len();
    if width % 4 != 0 || !matches!(data.get(first.end), Some(b'\n' | b'\r')) {
        return None;
    }
    let mut joined = data[first.clone()].to_vec();
    let (mut end, mut lines, mut used) = (first.end, 1, 1);
    while joined.last() != Some(&b'=') {
        // The next line's text, after its line break and indentation.
        let Some(next) = data[end..]
            .iter()
            .position(|&b| b == b'\n')
            .map(|p| end + p + 1)
        else {
            break;
        };
        if data[end..next - 1].iter().any(|&b| b != b'\r') {
            break;
        }
        let start = next
            + data[next..]
                .iter()
                .take_while(|&&b| b == b' ' || b == b'\t')
                .count();
        let line_end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |p| start + p);
        let line_end = if line_end > start && data[line_end - 1] == b'\r' {
            line_end - 1
        } else {
            line_end
        };
        let line = &data[start..line_end];
        let body = line.iter().rposition(|&b| b != b'=').map_or(0, |p| p + 1);
        let padding = line.len() - body;
        if body == 0
            || line.len() > width
            || padding > 2
            || !line[..body].iter().all(|&b| BASE64[usize::from(b)])
        {
            break;
        }
        joined.extend_from_slice(line);
        end = line_end;
        lines += 1;
        if runs.get(used).is_some_and(|r| r.start == start) {
            used += 1;
        }
        if line.len() < width {
            break;
        }
    }
    (lines > 1).then_some((first.start..end, joined, used))
}

/// What a base64 run decodes to, when that is text (valid UTF-8 without control characters
/// but whitespace): the first 48 characters are tried before the rest, so a run of binary
/// (an image, a DER key, a hash) costs little.
fn decode_base64(run: &[u8]) -> Option<Vec<u8>> {
    // Hex (a commit id, a digest) is a base64 run too, but text never encodes to hex alone.
    if run.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let url_safe = run.iter().any(|b| matches!(b, b'-' | b'_'));
    if url_safe && run.iter().any(|b| matches!(b, b'+' | b'/')) {
        return None;
    }
    let body: &[u8] = {
        let end = run.iter().rposition(|b| *b != b'=').map_or(0, |p| p + 1);
        &run[..end]
    };
    let decode = |text: &[u8]| {
        let engine = if url_safe {
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
        } else {
            &base64::engine::general_purpose::STANDARD_NO_PAD
        };
        engine.decode(text).ok()
    };
    if body.len() > 64 {
        let head = decode(&body[..48])?;
        if !is_text(&head, true) {
            return None;
        }
    }
    let decoded = decode(body)?;
    is_text(&decoded, false).then_some(decoded)
}

/// Valid UTF-8 (a character cut at the end allowed when `cut`) with no control character
/// but tab, newline and carriage return.
fn is_text(bytes: &[u8], cut: bool) -> bool {
    let valid = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) if cut && e.error_len().is_none() => {
            // Only the last character is cut.
            match std::str::from_utf8(&bytes[..e.valid_up_to()]) {
                Ok(text) => text,
                Err(_) => return false,
            }
        }
        Err(_) => return false,
    };
    !valid.is_empty()
        && valid
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
}

/// The bodies (between the quotes) of JSON strings on one line that hold a `\uXXXX` or `\/`
/// escape: what they decode to may spell a key (`5Uvoad+\u002Fq5…`) that no rule sees as
/// stored.
fn escaped_json_strings(data: &[u8]) -> Vec<Range<usize>> {
    let mut strings: Vec<Range<usize>> = Vec::new();
    for at in memchr::memchr_iter(b'\\', data) {
        if !matches!(data.get(at + 1), Some(b'u' | b'/')) {
            continue;
        }
        if strings.last().is_some_and(|s| s.contains(&at)) {
            continue;
        }
        let line_start = memchr::memrchr(b'\n', &data[..at]).map_or(0, |p| p + 1);
        let Some(open) = quote_before(&data[line_start..at]).map(|p| line_start + p) else {
            continue;
        };
        let Some(close) = quote_after(&data[at..]).map(|p| at + p) else {
            continue;
        };
        if close - (open + 1) >= 16 {
            strings.push(open + 1..close);
        }
    }
    strings
}

/// The last unescaped `"` of `text`, if any.
fn quote_before(text: &[u8]) -> Option<usize> {
    let mut at = text.len();
    while let Some(p) = memchr::memrchr(b'"', &text[..at]) {
        let slashes = text[..p].iter().rev().take_while(|b| **b == b'\\').count();
        if slashes % 2 == 0 {
            return Some(p);
        }
        at = p;
    }
    None
}

/// The first unescaped `"` of `text` before the end of its line.
fn quote_after(text: &[u8]) -> Option<usize> {
    let mut escaped = false;
    for (i, b) in text.iter().enumerate() {
        match b {
            b'\n' => return None,
            b'"' if !escaped => return Some(i),
            b'\\' => escaped = !escaped,
            _ => escaped = false,
        }
    }
    None
}

/// A JSON string body unescaped, when it is valid and differs from the stored text.
fn unescape_json(body: &[u8]) -> Option<Vec<u8>> {
    let mut quoted = Vec::with_capacity(body.len() + 2);
    quoted.push(b'"');
    quoted.extend_from_slice(body);
    quoted.push(b'"');
    let text: String = serde_json::from_slice(&quoted).ok()?;
    (text.as_bytes() != body).then(|| text.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base64_runs(data: &[u8]) -> Vec<Range<usize>> {
        let mut runs = Vec::new();
        base64_runs_from(data, 0, data.len(), &mut runs);
        runs
    }

    fn encoded_all(data: &[u8]) -> Vec<(Range<usize>, Vec<u8>, &'static str)> {
        encoded(data, &base64_runs(data))
    }

    proptest::proptest! {
        /// The probing search finds the runs a byte-by-byte one finds.
        #[test]
        fn runs_are_the_maximal_stretches_of_base64(
            text in proptest::collection::vec(
                proptest::prop_oneof![
                    8 => proptest::sample::select(b"aZ09+/_-".to_vec()),
                    1 => proptest::sample::select(b" =.\n\"".to_vec()),
                ],
                0..400,
            )
        ) {
            let mut naive = Vec::new();
            let mut at = 0;
            while at < text.len() {
                let len = text[at..].iter().take_while(|&&b| BASE64[usize::from(b)]).count();
                if len >= MIN_RUN {
                    let end = at + len;
                    let mut padded =
                        end + text[end..].iter().take(2).take_while(|&&b| b == b'=').count();
                    if text.get(padded).is_some_and(|&b| BASE64[usize::from(b)]) {
                        padded = end;
                    }
                    naive.push(at..padded);
                    at = padded + 1;
                } else {
                    at += len + 1;
                }
            }
            proptest::prop_assert_eq!(base64_runs(&text), naive);
        }
    }

    #[test]
    fn runs_are_found_whole_however_the_probe_lands() {
        for pad in 0..MIN_RUN + 3 {
            let mut text = " ".repeat(pad);
            text.push_str(
                "data: cG9zdGdyZXM6Ly9hcHA6WnI4S3EyVm41THg5VGI0V0BkYi5pbnRlcm5hbC9hcHA=\n",
            );
            let runs = base64_runs(text.as_bytes());
            assert_eq!(runs.len(), 1, "{pad}: {runs:?}");
            let run = &text.as_bytes()[runs[0].clone()];
            assert!(run.starts_with(b"cG9z") && run.ends_with(b"="), "{pad}");
            assert_eq!(
                decode_base64(run).as_deref(),
                Some(&b"postgres://app:Zr8Kq2Vn5Lx9Tb4W@db.internal/app"[..])
            );
        }
    }

    #[test]
    fn a_long_name_assigned_a_run_does_not_eat_its_first_character() {
        let data = b"SOME_RATHER_LONG_VARIABLE_NAME=cG9zdGdyZXM6Ly9hcHA6WnI4S3EyVm41THg5VGI0V0BkYi5pbnRlcm5hbC9hcHA=\n";
        let runs = base64_runs(data);
        assert_eq!(runs.len(), 2, "{runs:?}");
        assert_eq!(&data[runs[0].clone()], b"SOME_RATHER_LONG_VARIABLE_NAME");
        assert!(data[runs[1].clone()].starts_with(b"cG9z"));
    }

    #[test]
    fn binary_and_short_runs_are_not_decoded() {
        // A SHA-256 in base64 and a hex digest: no text inside.
        assert_eq!(
            decode_base64(b"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="),
            None
        );
        assert_eq!(base64_runs(b"key = abc123").len(), 0);
        assert_eq!(
            decode_base64(b"da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            None
        );
    }

    #[test]
    fn a_block_wrapped_over_lines_decodes_whole() {
        let config = "# deploy settings\nDATABASE_URL=postgres://app:Q9mX2kP7rT4vW8yB@db.internal/app\nGITHUB_TOKEN=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\n";
        let stored = base64::engine::general_purpose::STANDARD.encode(config);
        let wrapped_at = |width: usize, indent: &str| {
            stored
                .as_bytes()
                .chunks(width)
                .map(|c| format!("{indent}{}", String::from_utf8_lossy(c)))
                .collect::<Vec<_>>()
                .join("\r\n")
        };
        for (width, text) in [
            (76, format!("settings.b64: |\n{}\n", wrapped_at(76, "  "))),
            (64, format!("CONFIG={}\n", wrapped_at(64, "").trim_start())),
        ] {
            let found = encoded_all(text.as_bytes());
            assert_eq!(found.len(), 1, "{width}: {found:?}");
            let (range, decoded, how) = &found[0];
            assert_eq!(decoded.as_slice(), config.as_bytes(), "{width}");
            assert_eq!(*how, "base64 (wrapped)");
            assert_eq!(&text[range.clone()].replace(['\r', '\n', ' '], ""), &stored);
        }
        // Lines of keys, each its own: not one block, and none decodes to text.
        let keys = "Zq8nB3vL6mX1kP9rT4wY7hJ2dF5gS0aC\nQx7Lm2Nv9Rt4Ws8Kp3Zc6Hb1Jd5Fg0Ya\n";
        assert!(encoded_all(keys.as_bytes()).is_empty());
    }

    /// A large block of wrapped base64 that decodes to binary (an image, random bytes) was
    /// joined again from each of its lines: quadratic, minutes for a few megabytes.
    #[test]
    fn a_large_wrapped_binary_block_was_joined_from_every_line() {
        let block = |lines: usize| {
            // Bytes no text is made of.
            let bytes: Vec<u8> = (0..lines * 57)
                .map(|i: usize| (i.wrapping_mul(0x9e37_79b9) >> 11) as u8 | 0x80)
                .collect();
            let text = base64::engine::general_purpose::STANDARD.encode(bytes);
            text.as_bytes()
                .chunks(76)
                .flat_map(|line| line.iter().copied().chain([b'\n']))
                .collect::<Vec<u8>>()
        };
        let time = |data: &[u8]| {
            let started = std::time::Instant::now();
            assert!(encoded_all(data).is_empty());
            started.elapsed()
        };
        let (small, large) = (block(5_000), block(20_000));
        let (small, large) = (time(&small), time(&large));
        // Four times the lines: four times the work, not sixteen.
        assert!(
            large < small * 10 + std::time::Duration::from_millis(50),
            "{small:?} then {large:?}"
        );
    }

    #[test]
    fn url_safe_and_escaped_json_decode() {
        assert_eq!(
            decode_base64(b"eyJzdmMiOiJkYj4-P3Rva2VuIn0=").as_deref(),
            Some(&br#"{"svc":"db>>?token"}"#[..])
        );
        let data = br#"{"k": "5Uvoad+\u002Fq5QMegD5vfX3r1HDY0hWokTpXtZVuRT+"}"#;
        let strings = escaped_json_strings(data);
        assert_eq!(strings.len(), 1);
        assert_eq!(
            unescape_json(&data[strings[0].clone()]).as_deref(),
            Some(&b"5Uvoad+/q5QMegD5vfX3r1HDY0hWokTpXtZVuRT+"[..])
        );
    }
}
