//! From the places a secret was seen to one finding: where it is (a file, an archive member, a
//! commit or tag message, a note), which commit brought it in, whether any ref reaches it,
//! which allow comments and patterns decided it. The secret is redacted here unless the user
//! asked to see it.
//!
//! It is handed what [`super::git`] and [`super::scan`] found; it reads nothing and matches
//! nothing.

use super::Target;
use super::codes::{ARCHIVE_TRUNCATED, BLOB_NOT_READ, UNREACHABLE};
use super::engine::RuleSet;
use super::git::{self, Commits, TagInfo};
use super::hits::{Hit, Spot};
use super::redact;
use crate::finding::{Finding, Location, Severity, Subject};
use gix::ObjectId;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

/// What holds a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Held {
    /// A blob or file (a note too: notes are blobs).
    Content,
    /// A commit's message (`blob` is the commit).
    CommitMessage,
    /// An annotated tag's message (`blob` is the tag).
    TagMessage,
}

/// One place a secret was seen.
#[derive(Clone, Debug)]
pub(super) struct Occurrence {
    /// The blob, or the commit or tag whose message holds the secret.
    pub blob: ObjectId,
    pub held: Held,
    pub path: Option<String>,
    pub commit: Option<ObjectId>,
    /// Position of `commit` in topological order; unattributed blobs sort last.
    pub order: usize,
    /// Where in it, and what its line says.
    pub spot: Spot,
}

impl Occurrence {
    /// The place `hit` names in `blob`.
    pub fn of(
        hit: &Hit,
        blob: ObjectId,
        held: Held,
        path: Option<String>,
        commit: Option<ObjectId>,
        order: usize,
    ) -> Occurrence {
        Occurrence {
            blob,
            held,
            path,
            commit,
            order,
            spot: hit.spot.clone(),
        }
    }

    /// The path reports and allow-list globs see: the file's path, `git-commit:<id>` or
    /// `git-tag:<name>` for a message; `None` for a blob in no commit.
    fn shown_path(&self, tags: &HashMap<ObjectId, TagInfo>) -> Option<String> {
        match self.held {
            Held::Content => {
                let path = self.path.clone()?;
                Some(match &self.spot.member {
                    Some(member) => format!("{path}!{member}"),
                    None => path,
                })
            }
            Held::CommitMessage => Some(format!("git-commit:{}", self.blob)),
            Held::TagMessage => Some(format!(
                "git-tag:{}",
                tags.get(&self.blob)
                    .map_or_else(|| self.blob.to_string(), |t| t.name.clone())
            )),
        }
    }

    fn shown_path_or_blob(&self, tags: &HashMap<ObjectId, TagInfo>) -> String {
        self.shown_path(tags)
            .unwrap_or_else(|| match &self.spot.member {
                Some(member) => format!("git-blob:{}!{member}", self.blob),
                None => format!("git-blob:{}", self.blob),
            })
    }
}

/// What history knows of the places: commits, tags, and which ref reaches each.
#[derive(Default)]
pub(super) struct History {
    pub commits: Commits,
    /// The first ref that reaches each commit.
    pub labels: HashMap<ObjectId, String>,
    /// The annotated tags whose messages hold secrets.
    pub tags: HashMap<ObjectId, TagInfo>,
    /// The first ref whose tag chain passes through each annotated tag.
    pub tag_labels: HashMap<ObjectId, String>,
    /// Commits no ref reaches that a reflog keeps, with the ref whose reflog it is.
    pub reflogs: HashMap<ObjectId, String>,
}

impl History {
    /// The ref that reaches the place, if any (`refs/stash` included).
    fn reached_by(&self, place: &Occurrence) -> Option<&String> {
        match place.held {
            Held::TagMessage => self.tag_labels.get(&place.blob),
            _ => place.commit.and_then(|c| self.labels.get(&c)),
        }
    }

    /// Whether a ref that is shared reaches the place: any but `refs/stash`, which `git push`
    /// never sends and no clone receives.
    fn shared(&self, place: &Occurrence) -> bool {
        self.reached_by(place)
            .is_some_and(|name| name != git::refs::STASH)
    }

    /// What keeps a place no shared ref reaches: `refs/stash`, the reflog of a ref, or
    /// nothing (the next `git gc` prunes it).
    fn kept_by(&self, place: &Occurrence) -> Option<String> {
        if let Some(name) = self.reached_by(place) {
            return Some(name.clone());
        }
        let commit = place.commit?;
        self.reflogs
            .get(&commit)
            .map(|name| format!("the reflog of {name}"))
    }

    /// The annotated object and notes ref when the place is a note: a blob at a path that
    /// spells an object id (fan-out slashes aside), in a commit only a `refs/notes/*` ref
    /// reaches.
    fn note_of(&self, place: &Occurrence) -> Option<(String, String)> {
        let notes_ref = self.reached_by(place)?;
        if !notes_ref.starts_with("refs/notes/") {
            return None;
        }
        let annotated: String = place
            .path
            .as_deref()?
            .chars()
            .filter(|c| *c != '/')
            .collect();
        ObjectId::from_hex(annotated.as_bytes()).ok()?;
        Some((annotated, notes_ref.clone()))
    }
}

/// One warning per inline `palisade:allow` comment that allows nothing (no reason, unknown
/// rule), at each place its line was seen; a line with several secrets is one warning.
pub(super) fn allow_problems<'a>(
    places: impl Iterator<Item = &'a Occurrence>,
    history: &History,
) -> Vec<Finding> {
    let mut seen: BTreeMap<(String, u32, &'static str), &str> = BTreeMap::new();
    for place in places {
        if let Some((code, message)) = &place.spot.allow_problem {
            let path = place.shown_path_or_blob(&history.tags);
            seen.entry((path, place.spot.line, code)).or_insert(message);
        }
    }
    seen.into_iter()
        .map(|((path, line, code), message)| Finding {
            locations: vec![Location::at_line(PathBuf::from(&path), Some(line))],
            // The place, not the line number: moving the comment keeps the fingerprint.
            fingerprint: crate::finding::fingerprint(&[code, &path, message]),
            ..Finding::of_code(code, None, message.to_string())
        })
        .collect()
}

/// One finding from every place a (rule, secret) was seen: earliest place first; places with
/// an inline allow comment are allowed, and the finding stands on the others (it is
/// suppressed, naming the comment, only when every place is allowed); secret patterns of
/// allow entries are evaluated here, where the secret is known.
pub(super) fn finish_finding(
    target: &Target,
    rules: &RuleSet,
    (rule, secret): (usize, &[u8]),
    mut places: Vec<Occurrence>,
    history: &History,
    scope: &str,
) -> Finding {
    places.sort_by(|a, b| {
        (a.order, &a.path, a.blob, a.spot.line).cmp(&(b.order, &b.path, b.blob, b.spot.line))
    });
    let open: Vec<Occurrence> = places
        .iter()
        .filter(|p| p.spot.inline_allow.is_none())
        .cloned()
        .collect();
    let (shown, allowed) = if open.is_empty() {
        (places, true)
    } else {
        (open, false)
    };
    let mut finding = to_finding(
        rules,
        rule,
        secret,
        &shown,
        history,
        target.show_secrets,
        scope,
    );
    if allowed {
        let first = &shown[0];
        finding.evidence.insert(
            "inline_allow".into(),
            json!({
                "reason": first.spot.inline_allow,
                "path": first.shown_path_or_blob(&history.tags),
                "line": first.spot.line,
            }),
        );
    }
    if scope == "history" {
        // Exposure: a place no shared ref reaches (dangling, reflog-only, only in the stash,
        // staged then reset) was never pushed from this clone and is not in a fresh one: a
        // warning that names it and what keeps it.
        let reachable = shown.iter().any(|p| history.shared(p));
        finding.evidence.insert(
            "exposure".into(),
            json!(if reachable {
                "reachable"
            } else {
                "unreachable"
            }),
        );
        if !reachable {
            let kept_by = history.kept_by(&shown[0]);
            let (kept, drop) = match kept_by.as_deref() {
                Some(git::refs::STASH) => (
                    "only the stash holds it".to_string(),
                    "`git stash drop` the entry (`git stash list`), then `git reflog expire --expire-unreachable=now --all && git gc --prune=now`",
                ),
                Some(reflog) => (
                    format!("only {reflog} keeps it"),
                    "`git reflog expire --expire-unreachable=now --all && git gc --prune=now`",
                ),
                None => ("nothing keeps it".to_string(), "`git gc --prune=now`"),
            };
            finding.rule = UNREACHABLE;
            finding.message = format!("{} (no pushed ref reaches it: {kept})", finding.message);
            finding.help = Some(format!(
                "No ref that is pushed reaches it, so it is in no fresh clone: drop it here with {drop}. If it was ever pushed, or this clone was shared, rotate it as well: {}",
                finding.help.unwrap_or_default()
            ));
            finding.evidence.insert("kept_by".into(), json!(kept_by));
        }
    }
    let matched: Vec<usize> = target
        .allow_patterns
        .iter()
        .filter(|(_, re)| re.is_match(secret))
        .map(|(i, _)| *i)
        .collect();
    if !matched.is_empty() {
        finding
            .evidence
            .insert("allow_patterns".into(), json!(matched));
    }
    finding
}

fn date(time: i64) -> String {
    jiff::Timestamp::from_second(time)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn commit_json(id: ObjectId, history: &History) -> serde_json::Value {
    let Some(info) = history.commits.get(&id) else {
        return json!({ "id": id.to_string() });
    };
    json!({
        "id": id.to_string(),
        "author": info.author,
        "date": date(info.time),
        "summary": info.summary,
        "reachable_from": history.labels.get(&id),
    })
}

fn tag_json(id: ObjectId, history: &History) -> serde_json::Value {
    let Some(info) = history.tags.get(&id) else {
        return json!({ "id": id.to_string() });
    };
    json!({
        "id": id.to_string(),
        "name": info.name,
        "target": info.target.to_string(),
        "tagger": info.tagger,
        "date": date(info.time),
        "summary": info.summary,
        "reachable_from": history.tag_labels.get(&id),
    })
}

fn short(id: ObjectId) -> String {
    id.to_string().chars().take(12).collect()
}

/// Where the first place is, for the finding's message.
fn where_of(first: &Occurrence, history: &History, scope: &str) -> String {
    let summary = |c: ObjectId| {
        history
            .commits
            .get(&c)
            .map(|i| i.summary.clone())
            .unwrap_or_default()
    };
    match (first.held, &first.path, first.commit) {
        (Held::CommitMessage, _, _) => format!(
            "the message of commit {} \"{}\" (line {})",
            short(first.blob),
            summary(first.blob),
            first.spot.line
        ),
        (Held::TagMessage, _, _) => format!(
            "the message of tag {} ({}, line {})",
            history
                .tags
                .get(&first.blob)
                .map_or("?", |t| t.name.as_str()),
            short(first.blob),
            first.spot.line
        ),
        (Held::Content, Some(_), Some(commit)) if history.note_of(first).is_some() => {
            let (annotated, notes_ref) = history.note_of(first).unwrap_or_default();
            format!(
                "the note on {} ({notes_ref}, line {}; added by {} \"{}\")",
                annotated.chars().take(12).collect::<String>(),
                first.spot.line,
                short(commit),
                summary(commit)
            )
        }
        (Held::Content, Some(_), Some(commit)) => format!(
            "{}:{} (introduced by {} \"{}\")",
            first.shown_path_or_blob(&history.tags),
            first.spot.line,
            short(commit),
            summary(commit)
        ),
        (Held::Content, Some(_), None) => format!(
            "{}:{} ({scope})",
            first.shown_path_or_blob(&history.tags),
            first.spot.line
        ),
        (Held::Content, None, _) => format!(
            "blob {}{} (in no commit: staged, stashed or dangling)",
            short(first.blob),
            first
                .spot
                .member
                .as_ref()
                .map(|m| format!("!{m}:{}", first.spot.line))
                .unwrap_or_default()
        ),
    }
}

fn to_finding(
    rules: &RuleSet,
    rule_index: usize,
    secret: &[u8],
    places: &[Occurrence],
    history: &History,
    show_secret: bool,
    scope: &str,
) -> Finding {
    let rule = &rules.rules[rule_index].rule;
    let first = &places[0];
    let redacted = if show_secret {
        String::from_utf8_lossy(secret).into_owned()
    } else {
        redact::redact(secret)
    };
    let introduced_by = first.commit.map(|c| commit_json(c, history));
    let mut where_ = where_of(first, history, scope);
    if let Some((registry, user)) = &first.spot.registry {
        where_.push_str(&format!(", for registry {registry}"));
        if let Some(user) = user {
            where_.push_str(&format!(" as {user}"));
        }
    }
    if let Some(decoding) = &first.spot.decoding {
        where_.push_str(&format!(" (decoded: {decoding})"));
    }
    let held = |o: &Occurrence| match o.held {
        Held::CommitMessage => "commit-message",
        Held::TagMessage => "tag-message",
        Held::Content if history.note_of(o).is_some() => "note",
        Held::Content => "file",
    };
    let occurrences: Vec<serde_json::Value> = places[1..]
        .iter()
        .map(|o| {
            json!({
                "path": o.shown_path(&history.tags),
                "held_in": held(o),
                "member": o.spot.member,
                "decoding": o.spot.decoding,
                "line": o.spot.line,
                "column": o.spot.column,
                "blob": o.blob.to_string(),
                "commit": o.commit.map(|c| c.to_string()),
            })
        })
        .collect();
    let code = rules.rules[rule_index].code;
    let mut evidence: BTreeMap<String, serde_json::Value> = [
        ("rule", json!(rule.id)),
        (
            "confidence",
            json!(
                places
                    .iter()
                    .map(|p| p.spot.confidence)
                    .max()
                    .unwrap_or(rule.confidence)
                    .as_str()
            ),
        ),
        ("secret", json!(redacted)),
        ("secret_hash", json!(redact::secret_hash(secret))),
        ("blob", json!(first.blob.to_string())),
        ("path", json!(first.shown_path(&history.tags))),
        ("held_in", json!(held(first))),
        ("decoding", json!(first.spot.decoding)),
        ("member", json!(first.spot.member)),
        ("line", json!(first.spot.line)),
        ("column", json!(first.spot.column)),
        (
            "introduced_by",
            introduced_by.unwrap_or(serde_json::Value::Null),
        ),
        ("occurrences", json!(occurrences)),
        (
            "snippet",
            json!(if show_secret {
                None
            } else {
                Some(&first.spot.snippet)
            }),
        ),
        ("order", json!(first.order)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    if let Some((registry, user)) = &first.spot.registry {
        evidence.insert("registry".into(), json!({ "name": registry, "user": user }));
    }
    if first.held == Held::TagMessage {
        evidence.insert("tag".into(), tag_json(first.blob, history));
    }
    if let Some((annotated, notes_ref)) = history.note_of(first) {
        evidence.insert(
            "note".into(),
            json!({ "annotates": annotated, "notes_ref": notes_ref }),
        );
    }
    Finding {
        rule: code,
        subject: Some(Subject {
            id: rule.id.clone(),
            aliases: vec![],
            title: rule.name.clone(),
            description: format!("{}\n\n{}", rule.finds, rule.why),
            url: rule.references.first().cloned(),
            score: None,
            tags: vec!["secret".into()],
        }),
        severity: Some(Severity::from(rule.severity)),
        message: format!("{} {redacted} in {where_}", rule.name),
        locations: vec![Location {
            path: PathBuf::from(first.shown_path_or_blob(&history.tags)),
            line: Some(first.spot.line),
            column: Some(first.spot.column),
            commit: first.commit.map(|c| c.to_string()),
        }],
        fingerprint: redact::secret_fingerprint(&rule.id, secret),
        help: Some(rule.fix.clone()),
        reachability: None,
        evidence,
        check: Default::default(),
    }
}

/// The warning for an archive in `blob` not read to its end, at its first place (`path` and
/// the commit that brought it in, or none for a blob in no commit).
pub(super) fn truncation_finding(
    blob: ObjectId,
    truncation: &super::scan::archive::Truncation,
    place: Option<(&str, Option<ObjectId>)>,
    history: &History,
) -> Finding {
    let archive = place.map_or_else(|| format!("git-blob:{blob}"), |(path, _)| path.to_string());
    let shown = match &truncation.member {
        Some(member) => format!("{archive}!{member}"),
        None => archive.clone(),
    };
    let commit = place.and_then(|(_, commit)| commit);
    let introduced = commit
        .map(|c| format!(" (introduced by {})", short(c)))
        .unwrap_or_default();
    let (code, message) = if truncation.whole {
        (
            BLOB_NOT_READ,
            format!(
                "{shown}: not read{introduced}: {}; a secret in it would not be found",
                truncation.reason
            ),
        )
    } else {
        (
            ARCHIVE_TRUNCATED,
            format!(
                "{shown}: the archive was not read to its end{introduced}: {}; a secret past this point would not be found",
                truncation.reason
            ),
        )
    };
    let evidence: BTreeMap<String, serde_json::Value> = [
        ("blob", json!(blob.to_string())),
        ("path", json!(place.map(|(p, _)| p))),
        ("member", json!(truncation.member)),
        ("reason", json!(truncation.reason)),
        (
            "introduced_by",
            commit.map_or(serde_json::Value::Null, |c| commit_json(c, history)),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    Finding {
        locations: vec![Location {
            path: PathBuf::from(&shown),
            line: None,
            column: None,
            commit: commit.map(|c| c.to_string()),
        }],
        // The blob and where in it, not where it sits: moving the archive keeps it.
        fingerprint: crate::finding::fingerprint(&[
            code,
            &blob.to_string(),
            truncation.member.as_deref().unwrap_or(""),
            &truncation.reason,
        ]),
        evidence,
        ..Finding::of_code(code, None, message)
    }
}
