//! The `[secrets]` slice of `palisade.toml`.
//!
//! ```toml
//! [secrets]
//! max-blob-size = 67108864       # bytes; larger blobs are skipped and counted
//! delta-base-cache = 25165824    # bytes of delta bases a history scan keeps (speed, not findings)
//!
//! [[secrets.allow]]
//! rule = "secret.github-pat"      # with `paths`: this rule (or `rules = [...]`), in these files only
//! paths = ["tests/fixtures/**"]
//! reason = "fake tokens the tests plant"   # required
//! ticket = "SEC-41"                        # required: the ticket or spec that authorises it
//! expires = 2027-06-30                     # optional
//!
//! [[secrets.allow]]
//! fingerprint = "9f2c…"           # one finding, wherever it moves
//! reason = "revoked 2026-10-02, kept in history"
//! ticket = "INC-77"
//!
//! [[secrets.allow]]
//! secret-pattern = "^AKIA[A-Z2-7]{12}EXAMPLE$"   # a regex on the secret itself
//! reason = "vendor documentation examples"
//! ticket = "SEC-12"
//! ```
//!
//! An entry must narrow something: a fingerprint, a rule with paths, or a secret pattern.
//! `paths` without `rule` would allow every kind of secret in those files, so it is refused.
//! So is anything that would switch scanning off while looking narrow: a `secret-pattern` that
//! matches the empty string or every one of [`PROBE_SECRETS`], `paths` that match every one of
//! [`PROBE_PATHS`], and a `max-blob-size` under [`MIN_BLOB_SIZE`].

use super::rules::{Confidence, Rule, RuleSeverity, Validator};
use crate::config::fields::{Field, Table, shown};
use crate::config::{Origin, Problems, Threshold, globs, threshold};
use crate::policy::{Matcher, SecretMatcher, Suppression};
use std::collections::HashSet;
use std::path::Path;
use toml::Spanned;

/// The smallest `max-blob-size` accepted (1 KiB): below it nearly every file would be skipped
/// as too large, which switches scanning off while the gate reports success.
pub const MIN_BLOB_SIZE: u64 = 1024;

/// Fake secrets of varied shapes and alphabets. A `secret-pattern` that matches all of them
/// allows every secret: a blanket suppression, refused like any other. (All fake; this file is
/// allow-listed for the project's own gate.)
pub const PROBE_SECRETS: &[&str] = &[
    "ghp_R8v2kXw9TqL4mZp7Ns3Jd6Hf1Yc0Ba5Ge2Uo",
    "AKIAZ7Q3R5T2W4Y6U8I0",
    "xoxb-2817465093-5820394718263-kR7pW2mQ9vX4nT6yL3sD8fH1",
    "sk_live_51Hb7Kq2Lm9Np4Rs6Tv8Wx0Yz",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.Xq3Lr8Vt2Mz9Kp5Wn7Bc4Dy6Fh1Gj0Sa",
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC+/==",
    "c3f1a9e07b52d864f0a2e9c17d3b5a68",
    "qzmvkrptwxbnhlsd",
    "ZXUVWQKRTPLMNBHG",
    "8305917264038571",
    "hunter2!Correct-Horse",
];

/// Paths of varied depths and kinds. `paths` that match all of them allow the rule in every
/// file: the rule switched off.
pub const PROBE_PATHS: &[&str] = &[
    "Cargo.toml",
    ".env",
    "src/main.rs",
    "config/production/secrets.yaml",
    "deploy/.aws/credentials",
    "a/b/c/d/e/f/g/h/id_rsa",
];

/// Validated `[secrets]` settings.
#[derive(Clone, Debug, Default)]
pub struct SecretsConfig {
    /// `max-blob-size`.
    pub max_blob_size: Option<u64>,
    /// `delta-base-cache`.
    pub delta_base_cache: Option<u64>,
    /// `fail-on`: the threshold for secret findings.
    pub fail_on: Option<Threshold>,
    /// `[[secrets.allow]]` entries, in file order.
    pub allow: Vec<Suppression>,
    /// The entries' `secret-pattern`s: (index in `allow`, regex). The check evaluates them,
    /// since only it sees secrets.
    pub patterns: Vec<(usize, regex::bytes::Regex)>,
    /// `[[secrets.rules]]`: custom rules, in the shape of the built-in ones.
    pub rules: Vec<Rule>,
    /// `min-confidence`: the least confident matches reported (`--min-confidence` wins).
    pub min_confidence: Option<Confidence>,
}

/// The keys of this entry table (unknown ones are errors).
pub const ALLOW_KEYS: &[&str] = &[
    "rule",
    "rules",
    "paths",
    "fingerprint",
    "secret-pattern",
    "reason",
    "ticket",
    "expires",
];

/// The keys of this entry table (unknown ones are errors).
pub const RULE_KEYS: &[&str] = &[
    "id",
    "name",
    "severity",
    "keywords",
    "pattern",
    "window",
    "min-entropy",
    "public-values",
    "not-named",
    "service-names",
    "validator",
    "confidence",
    "finds",
    "why",
    "fix",
    "references",
    "examples",
    "negative-examples",
];

/// What is wrong with a regex, without the regex: `regex::Error` quotes the whole pattern,
/// and a pattern written to allow one secret may hold that secret.
pub fn regex_problem(err: &regex::Error) -> String {
    match err {
        regex::Error::Syntax(text) => text
            .lines()
            .find_map(|l| l.trim().strip_prefix("error: "))
            .unwrap_or("invalid syntax")
            .to_string(),
        regex::Error::CompiledTooBig(limit) => {
            format!("it compiles to more than {limit} bytes")
        }
        _ => "invalid regex".to_string(),
    }
}

impl SecretsConfig {
    /// The keys of `[secrets]`.
    pub const KEYS: &[&str] = &[
        "max-blob-size",
        "delta-base-cache",
        "fail-on",
        "min-confidence",
        "allow",
        "rules",
    ];

    /// Validates the table, recording every problem.
    pub fn validate(table: Table<'_, '_>, file: &Path, problems: &mut Problems<'_>) -> Self {
        let mut config = SecretsConfig {
            fail_on: threshold(&table, problems),
            ..SecretsConfig::default()
        };
        if let Field::Given(size) = table.unsigned("max-blob-size", problems) {
            if *size.get_ref() < MIN_BLOB_SIZE {
                problems.at(
                    size.span(),
                    format!(
                        "`max-blob-size` in [secrets] must be at least {MIN_BLOB_SIZE} bytes: smaller skips nearly every file unscanned"
                    ),
                );
            } else {
                config.max_blob_size = Some(size.into_inner());
            }
        }
        if let Field::Given(size) = table.unsigned("delta-base-cache", problems) {
            config.delta_base_cache = Some(size.into_inner());
        }
        if let Field::Given(c) = table.string("min-confidence", problems) {
            config.min_confidence = confidence_of(&c, "[secrets]", problems);
        }
        config.rules = custom_rules(
            table.tables("rules", "[[secrets.rules]]", RULE_KEYS, problems),
            problems,
        );
        // Allow entries name rules of the active set: built-in and this file's custom ones.
        let builtin = super::rules::builtin().unwrap_or_default();
        let ids: HashSet<String> = builtin
            .into_iter()
            .map(|r| r.id)
            .chain(config.rules.iter().map(|r| r.id.clone()))
            .collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        for entry in table.tables("allow", "[[secrets.allow]]", ALLOW_KEYS, problems) {
            allow_entry(&entry, file, &ids, &mut config, problems);
            entry.finish(problems);
        }
        table.finish(problems);
        config
    }
}

/// A `confidence` or `min-confidence` value: `low`, `medium` or `high`.
fn confidence_of(
    value: &Spanned<String>,
    table: &str,
    problems: &mut Problems<'_>,
) -> Option<Confidence> {
    let parsed = Confidence::parse(value.get_ref());
    if parsed.is_none() {
        problems.at(
            value.span(),
            format!("confidence in {table} must be one of low, medium, high"),
        );
    }
    parsed
}

/// A string that is present and not blank, trimmed.
fn present(field: &Field<Spanned<String>>) -> Option<String> {
    field
        .as_ref()
        .ok()
        .map(|s| s.get_ref().trim().to_string())
        .filter(|s| !s.is_empty())
}

/// One `[[secrets.allow]]`: pushed onto `config` when valid, else its problems recorded.
fn allow_entry(
    entry: &Table<'_, '_>,
    file: &Path,
    ids: &[&str],
    config: &mut SecretsConfig,
    problems: &mut Problems<'_>,
) {
    let span = entry.span();
    let line = problems.line_of(span.start);
    let rule = entry.string("rule", problems);
    let rules_field = entry.strings("rules", problems);
    let paths_field = entry.strings("paths", problems);
    let fingerprint = entry.string("fingerprint", problems);
    let secret_pattern = entry.string("secret-pattern", problems);
    let reason = entry.string("reason", problems);
    let ticket = entry.string("ticket", problems);
    let expires = entry.date("expires", problems);
    // A field of the wrong type is already reported: it is neither "missing" nor "blanket".
    let any_invalid = [
        rule.is_invalid(),
        rules_field.is_invalid(),
        paths_field.is_invalid(),
        fingerprint.is_invalid(),
        secret_pattern.is_invalid(),
        reason.is_invalid(),
        ticket.is_invalid(),
        expires.is_invalid(),
    ]
    .contains(&true);
    let reason_missing = !reason.is_invalid() && present(&reason).is_none();
    let ticket_missing = !ticket.is_invalid() && present(&ticket).is_none();
    if reason_missing || ticket_missing {
        problems.at(
            span.clone(),
            "a `[[secrets.allow]]` entry needs a `reason` and a `ticket` (the ticket or spec that authorises it)",
        );
    }
    // Whether what the entry matches on is valid so far; the "narrows nothing" judgement needs
    // every criterion readable.
    let mut criteria_ok = !any_invalid;
    let mut rules: Vec<String> = Vec::new();
    if rule.is_present() && rules_field.is_present() {
        problems.at(span.clone(), "give `rule` or `rules`, not both");
        criteria_ok = false;
    }
    let named: Vec<Spanned<String>> = match (&rule, rules_field.as_ref()) {
        (Field::Given(r), _) => vec![r.clone()],
        (_, Field::Given(list)) => list.clone(),
        _ => Vec::new(),
    };
    for rule in &named {
        let id = rule.get_ref().trim();
        if id.contains(['*', '?', '[']) {
            problems.at(
                rule.span(),
                "`rule` in [[secrets.allow]] must be a secret rule id, not a pattern (see `cargo palisade rules list`)",
            );
            criteria_ok = false;
            continue;
        }
        match resolve_rule_id(id, ids) {
            Ok(id) => rules.push(id.to_string()),
            Err(suggestion) => {
                problems.at(
                    rule.span(),
                    format!(
                        "`rule` in [[secrets.allow]] {}",
                        unknown_rule_message(suggestion)
                    ),
                );
                criteria_ok = false;
            }
        }
    }
    if matches!(&rules_field, Field::Given(list) if list.is_empty()) {
        problems.at(span.clone(), "`rules = []` names no rule");
        criteria_ok = false;
    }
    let no_rule_field = !rule.is_present() && !rules_field.is_present();
    let paths = match &paths_field {
        Field::Given(list) => {
            let set = globs(list, span.clone(), problems);
            if no_rule_field {
                problems.at(
                    span.clone(),
                    "`paths` without `rule` would allow every kind of secret in those files; name the rule",
                );
                criteria_ok = false;
            } else if let Some(set) = &set
                && PROBE_PATHS.iter().all(|p| set.set.is_match(p))
            {
                problems.at(
                    span.clone(),
                    "`paths` in [[secrets.allow]] match every file, which switches the rule off: name the folders that hold the fake secrets",
                );
                criteria_ok = false;
            }
            criteria_ok &= set.is_some();
            set
        }
        _ => None,
    };
    let pattern = match &secret_pattern {
        Field::Given(p) => {
            let re = secret_regex(p, problems);
            criteria_ok &= re.is_some();
            re
        }
        _ => None,
    };
    let fingerprint = present(&fingerprint);
    let narrows =
        fingerprint.is_some() || pattern.is_some() || (!rules.is_empty() && paths.is_some());
    if criteria_ok && !narrows {
        problems.at(span.clone(), "a `[[secrets.allow]]` entry must name a `fingerprint`, a `rule` with `paths`, or a `secret-pattern`: blanket allows are not accepted");
    }
    let (Some(reason), Some(ticket), true, true) =
        (present(&reason), present(&ticket), criteria_ok, narrows)
    else {
        return;
    };
    let index = config.allow.len();
    // Named by line, not by the pattern: a pattern can hold the secret it allows, and this id
    // is printed in reports.
    let id = fingerprint
        .clone()
        .or_else(|| (!rules.is_empty()).then(|| rules.join(", ")))
        .unwrap_or_else(|| format!("secret-pattern (line {line})"));
    let has_pattern = pattern.is_some();
    if let Some(re) = pattern {
        config.patterns.push((index, re));
    }
    config.allow.push(Suppression {
        id,
        matcher: Matcher::Secret(SecretMatcher {
            rules,
            paths,
            fingerprint,
            pattern: has_pattern.then_some(index),
        }),
        reason,
        ticket: Some(ticket),
        expires: expires.ok(),
        origin: Origin::at(file, line),
    });
}

/// The active rule id that `named` means: the id itself or without its `secret.` prefix
/// (`postgres-uri` is `secret.postgres-uri`), ASCII case-insensitively. Else the closest id, if
/// one is close enough to be a typo.
pub fn resolve_rule_id<'a>(named: &str, ids: &[&'a str]) -> Result<&'a str, Option<&'a str>> {
    let named = named.trim();
    let full = if named.to_ascii_lowercase().starts_with("secret.") {
        named.to_string()
    } else {
        format!("secret.{named}")
    };
    if let Some(id) = ids.iter().find(|id| id.eq_ignore_ascii_case(&full)) {
        return Ok(id);
    }
    Err(did_you_mean(&full.to_ascii_lowercase(), ids))
}

/// The id nearest `named` by edit distance, when it is a plausible typo: at most 3 edits and
/// under a third of the name's length, both counted without the `secret.` prefix every id
/// shares (so `secret.x` suggests nothing); ties go to the first id in sorted order, so the
/// answer does not depend on the set's order.
pub fn did_you_mean<'a>(named: &str, ids: &[&'a str]) -> Option<&'a str> {
    let bare = |id: &str| {
        let id = id.to_ascii_lowercase();
        id.strip_prefix("secret.").map(str::to_string).unwrap_or(id)
    };
    let named = bare(named);
    ids.iter()
        .map(|id| (edit_distance(&named, &bare(id)), *id))
        .filter(|(d, id)| *d <= 3 && *d * 3 < bare(id).chars().count())
        .min()
        .map(|(_, id)| id)
}

/// Levenshtein distance over chars, in two rows.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut row = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = prev[j] + usize::from(ca != *cb);
            row[j + 1] = substitute.min(prev[j + 1] + 1).min(row[j] + 1);
        }
        std::mem::swap(&mut prev, &mut row);
    }
    prev[b.len()]
}

/// "names no rule" with the did-you-mean. The name written is not repeated: it is input, and a
/// value pasted in the wrong place can be a secret; the suggestion is an id of ours.
pub fn unknown_rule_message(suggestion: Option<&str>) -> String {
    match suggestion {
        Some(id) => format!("names no secret rule (built-in or custom): did you mean {id}?"),
        None => {
            "names no secret rule (built-in or custom): see `cargo palisade rules list`".to_string()
        }
    }
}

/// Compiles a `secret-pattern`, refusing one that would allow every secret.
fn secret_regex(
    pattern: &Spanned<String>,
    problems: &mut Problems<'_>,
) -> Option<regex::bytes::Regex> {
    let re = match regex::bytes::Regex::new(pattern.get_ref()) {
        Ok(re) => re,
        Err(e) => {
            problems.at(
                pattern.span(),
                format!("bad `secret-pattern`: {}", regex_problem(&e)),
            );
            return None;
        }
    };
    if re.is_match(b"") {
        problems.at(
            pattern.span(),
            "`secret-pattern` matches the empty string, so it allows every secret: anchor it on the text it allows (e.g. \"^sk_test_\")",
        );
        return None;
    }
    if PROBE_SECRETS.iter().all(|s| re.is_match(s.as_bytes())) {
        problems.at(
            pattern.span(),
            format!(
                "`secret-pattern` matches all {} sample secrets of different kinds, so it allows nearly every secret: anchor it on the text it allows (e.g. \"^sk_test_\")",
                PROBE_SECRETS.len()
            ),
        );
        return None;
    }
    Some(re)
}

/// Reads `[[secrets.rules]]`, then runs every valid rule's examples against the built-in
/// rules and the other custom ones, as a scan would; only rules that pass are kept.
fn custom_rules(tables: Vec<Table<'_, '_>>, problems: &mut Problems<'_>) -> Vec<Rule> {
    let builtin = super::rules::builtin().unwrap_or_default();
    let mut ids: HashSet<String> = builtin.iter().map(|r| r.id.clone()).collect();
    let mut candidates: Vec<(std::ops::Range<usize>, Rule)> = Vec::new();
    for table in tables {
        let span = table.span();
        let rule = read_rule(&table, problems);
        table.finish(problems);
        let Some(rule) = rule else { continue };
        if !ids.insert(rule.id.clone()) {
            problems.at(
                span,
                format!(
                    "custom rule `{}`: another rule has this id",
                    shown(&rule.id)
                ),
            );
            continue;
        }
        if let Err(e) = regex::bytes::RegexBuilder::new(&rule.pattern)
            .size_limit(1 << 24)
            .build()
        {
            problems.at(
                span,
                format!(
                    "custom rule `{}`: bad `pattern`: {}",
                    shown(&rule.id),
                    regex_problem(&e)
                ),
            );
            continue;
        }
        // Compiled alone for what a rule must satisfy by itself (id shape, keywords).
        if let Err(e) = super::engine::RuleSet::compile(vec![rule.clone()]) {
            problems.at(
                span,
                format!("custom rule `{}`: {}", shown(&rule.id), e.message),
            );
            continue;
        }
        candidates.push((span, rule));
    }
    if candidates.is_empty() {
        return Vec::new();
    }
    // One set for all: each example must be found by its own rule among all the others.
    let mut all = builtin;
    all.extend(candidates.iter().map(|(_, r)| r.clone()));
    super::rules::by_priority(&mut all);
    let set = match super::engine::RuleSet::compile(all) {
        Ok(set) => set,
        Err(e) => {
            let span = candidates[0].0.clone();
            problems.at(span, format!("custom rules: {}", e.message));
            return Vec::new();
        }
    };
    let custom: HashSet<&str> = candidates.iter().map(|(_, r)| r.id.as_str()).collect();
    let failures = super::engine::check_examples_of(&set, |id| custom.contains(id));
    let mut failed: HashSet<&str> = HashSet::new();
    let by_id: std::collections::HashMap<&str, &std::ops::Range<usize>> = candidates
        .iter()
        .map(|(span, r)| (r.id.as_str(), span))
        .collect();
    for f in &failures {
        // The first failure of each rule, as before: one line per broken rule.
        if failed.insert(f.rule.as_str())
            && let Some(span) = by_id.get(f.rule.as_str())
        {
            problems.at(
                (*span).clone(),
                format!("custom rule {}: {}", shown(&f.rule), f.problem),
            );
        }
    }
    let failed: HashSet<String> = failed.into_iter().map(String::from).collect();
    candidates
        .into_iter()
        .map(|(_, r)| r)
        .filter(|r| !failed.contains(&r.id))
        .collect()
}

/// One `[[secrets.rules]]` table as a rule; `None` with the problems recorded.
fn read_rule(t: &Table<'_, '_>, problems: &mut Problems<'_>) -> Option<Rule> {
    let text = |key: &'static str, problems: &mut Problems<'_>| match t.string(key, problems) {
        Field::Given(s) => Some(s.into_inner()),
        Field::Invalid => None,
        Field::Absent => {
            problems.at(
                t.span(),
                format!("a `[[secrets.rules]]` entry needs `{key}`"),
            );
            None
        }
    };
    let list = |key: &'static str, required: bool, problems: &mut Problems<'_>| match t
        .strings(key, problems)
    {
        Field::Given(v) => Some(v.into_iter().map(Spanned::into_inner).collect::<Vec<_>>()),
        Field::Invalid => None,
        Field::Absent if required => {
            problems.at(
                t.span(),
                format!("a `[[secrets.rules]]` entry needs `{key}`"),
            );
            None
        }
        Field::Absent => Some(Vec::new()),
    };
    let id = text("id", problems);
    let name = text("name", problems);
    let severity = match t.string("severity", problems) {
        Field::Given(s) => match s.get_ref().as_str() {
            "critical" => Some(RuleSeverity::Critical),
            "high" => Some(RuleSeverity::High),
            "medium" => Some(RuleSeverity::Medium),
            "low" => Some(RuleSeverity::Low),
            _ => {
                problems.at(
                    s.span(),
                    "`severity` in [[secrets.rules]] must be one of critical, high, medium, low",
                );
                None
            }
        },
        Field::Invalid => None,
        Field::Absent => {
            problems.at(t.span(), "a `[[secrets.rules]]` entry needs `severity`");
            None
        }
    };
    let keywords = list("keywords", true, problems);
    let pattern = text("pattern", problems);
    let window = match t.unsigned("window", problems) {
        Field::Given(w) => match usize::try_from(*w.get_ref()) {
            Ok(n) => Some(Some(n)),
            Err(_) => {
                problems.at(w.span(), "`window` in [[secrets.rules]] is too large");
                None
            }
        },
        Field::Invalid => None,
        Field::Absent => Some(None),
    };
    let min_entropy = match t.number("min-entropy", problems) {
        Field::Given(n) => Some(Some(n)),
        Field::Invalid => None,
        Field::Absent => Some(None),
    };
    let public_values = list("public-values", false, problems);
    let not_named = match t.string("not-named", problems) {
        Field::Given(v) => Some(Some(v.get_ref().to_string())),
        Field::Invalid => None,
        Field::Absent => Some(None),
    };
    let service_names = list("service-names", false, problems);
    let validator = match t.string("validator", problems) {
        Field::Given(v) if v.get_ref() == "github-crc32" => Some(Some(Validator::GithubCrc32)),
        Field::Given(v) if v.get_ref() == "credential-value" => {
            Some(Some(Validator::CredentialValue))
        }
        Field::Given(v) => {
            problems.at(
                v.span(),
                "`validator` in [[secrets.rules]] must be `github-crc32` or `credential-value`",
            );
            None
        }
        Field::Invalid => None,
        Field::Absent => Some(None),
    };
    let confidence = match t.string("confidence", problems) {
        Field::Given(c) => confidence_of(&c, "[[secrets.rules]]", problems).map(Some),
        Field::Invalid => None,
        Field::Absent => Some(None),
    };
    let finds = text("finds", problems);
    let why = text("why", problems);
    let fix = text("fix", problems);
    let references = list("references", false, problems);
    let examples = list("examples", true, problems);
    let negative_examples = list("negative-examples", false, problems);
    Some(Rule {
        id: id?,
        name: name?,
        severity: severity?,
        keywords: keywords?,
        pattern: pattern?,
        window: window?,
        min_entropy: min_entropy?,
        public_values: public_values?,
        not_named: not_named?,
        service_names: service_names?,
        validator: validator?,
        confidence: confidence?.unwrap_or_default(),
        finds: finds?,
        why: why?,
        fix: fix?,
        references: references?,
        examples: examples?,
        negative_examples: negative_examples?,
        category: "custom".to_string(),
    })
}

#[cfg(test)]
mod tests {
    use crate::config::root::{Config, problems};
    use std::path::Path;

    #[test]
    fn reason_and_ticket_are_required() {
        let p = problems("[[secrets.allow]]\nfingerprint = \"ab\"\nreason = \"r\"\n");
        assert_eq!(p.len(), 1);
        assert!(
            p[0].starts_with("1: ") && p[0].contains("`ticket`"),
            "{p:?}"
        );
    }

    #[test]
    fn blanket_entries_are_refused() {
        let p = problems(
            "[[secrets.allow]]\nrule = \"secret.github-pat\"\nreason = \"r\"\nticket = \"T-1\"\n\n[[secrets.allow]]\npaths = [\"**\"]\nreason = \"r\"\nticket = \"T-1\"\n",
        );
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].contains("blanket"), "{p:?}");
        assert!(
            p[1].starts_with("6: ") && p[1].contains("without `rule`"),
            "{p:?}"
        );
    }

    #[test]
    fn bad_glob_and_pattern_and_rule_are_reported() {
        let p = problems(
            "[[secrets.allow]]\nrule = \"gitlab-pats-x\"\npaths = [\"a/[\"]\nsecret-pattern = \"(\"\nreason = \"r\"\nticket = \"T\"\n",
        );
        assert_eq!(p.len(), 3, "{p:?}");
    }

    #[test]
    fn rule_ids_resolve_with_or_without_prefix_and_typos_get_a_suggestion() {
        use super::{did_you_mean, resolve_rule_id};
        let ids = [
            "secret.github-pat",
            "secret.postgres-uri",
            "secret.my-token",
        ];
        assert_eq!(
            resolve_rule_id("postgres-uri", &ids),
            Ok("secret.postgres-uri")
        );
        assert_eq!(
            resolve_rule_id("secret.postgres-uri", &ids),
            Ok("secret.postgres-uri")
        );
        assert_eq!(
            resolve_rule_id("secret.github-pats", &ids),
            Err(Some("secret.github-pat"))
        );
        assert_eq!(
            resolve_rule_id("gihtub-pat", &ids),
            Err(Some("secret.github-pat"))
        );
        assert_eq!(resolve_rule_id("aws-key", &ids), Err(None));
        assert_eq!(did_you_mean("secret.x", &["secret.y"]), None);
        let p = problems(
            "[[secrets.allow]]\nrules = [\"secret.github-pats\", \"postgres-uri\"]\npaths = [\"t/\"]\nreason = \"r\"\nticket = \"T-1\"\n",
        );
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].starts_with("2: ") && p[0].contains("did you mean secret.github-pat?"),
            "{p:?}"
        );
    }

    #[test]
    fn valid_entries_keep_their_patterns() {
        let config = Config::parse(
            "[[secrets.allow]]\nrule = \"secret.github-pat\"\npaths = [\"fixtures/**\"]\nreason = \"fake\"\nticket = \"PAL-4\"\n\n[[secrets.allow]]\nsecret-pattern = \"^AKIA\"\nreason = \"docs\"\nticket = \"PAL-4\"\n",
            Path::new("p.toml"),
        )
        .unwrap();
        assert_eq!(config.secrets.allow.len(), 2);
        assert_eq!(config.secrets.patterns.len(), 1);
        assert_eq!(config.secrets.patterns[0].0, 1);
        assert_eq!(config.secrets.allow[1].origin.line, 7);
    }

    #[test]
    fn one_entry_reports_every_problem() {
        // No ticket, a pattern that allows everything, a bad date: three lines, not one.
        let p = problems(
            "[[secrets.allow]]\nsecret-pattern = \".*\"\nreason = \"r\"\nexpires = \"soon\"\n",
        );
        assert_eq!(p.len(), 3, "{p:?}");
        let p =
            problems("[[advisories.ignore]]\nid = \"secret.github-pat\"\nexpires = 2027-01-01\n");
        assert_eq!(p.len(), 2, "{p:?}");
    }
}
