//! The secrets check: finds credentials in every blob of a repository's object database, and
//! says which commit first brought each one in. It returns findings with the secret redacted;
//! the raw secret never leaves this module.
//!
//! [`git`] reads the repository and knows nothing of rules; [`scan`] feeds what it reads to the
//! rule [`engine`] and opens no repository; this module opens the repository, runs the two and
//! turns the hits into findings.

pub mod cfg;
pub mod check;
pub mod codes;
pub mod engine;
pub mod git;
pub mod hits;
pub mod placeholder;
pub mod redact;
pub mod rules;
pub mod scan;
pub mod starter;

use crate::finding::{Finding, Location, Severity, Subject};
use engine::RuleSet;
use git::HistoryError;
use serde::Serialize;
use serde_json::json;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

/// What to scan.
#[derive(Clone, Debug)]
pub struct Target {
    /// The repository (work tree or `.git` / bare directory).
    pub path: PathBuf,
    /// Size and binary limits.
    pub limits: Limits,
    /// Put secrets in findings unredacted (`--show-secrets`).
    pub show_secrets: bool,
    /// What to scan: history (the default), the work tree, or the staged changes.
    pub scope: Scope,
    /// Only what a range of commits brought in (`--since`, `--range`); `None` for everything.
    pub range: Option<Range>,
    /// `secret-pattern`s of `[[secrets.allow]]` entries: (entry index, regex). Findings list
    /// the indices whose pattern matches their secret in `evidence.allow_patterns`.
    pub allow_patterns: Vec<(usize, regex::bytes::Regex)>,
}

pub use git::find_repository;
pub use scan::{Limits, Progress, Silent, Stats};

/// What the secrets check reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scope {
    /// Every object of the repository's database (or a range of commits).
    #[default]
    History,
    /// Files on disk: tracked and untracked but not ignored.
    Worktree,
    /// Blobs staged in the index that differ from `HEAD`.
    Staged,
}

/// A range of commits: those reachable from `head` (or from every ref) and not from `base`.
#[derive(Clone, Debug)]
pub struct Range {
    /// The revision the range starts after (`main`, `origin/main`, a commit id).
    pub base: String,
    /// The revision it ends at; `None` for all refs.
    pub head: Option<String>,
}

/// Default blob size limit: 64 MiB.
pub const DEFAULT_MAX_BLOB_SIZE: u64 = 64 * 1024 * 1024;

/// Errors that stop the check.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// The repository could not be read.
    #[error(transparent)]
    History(#[from] HistoryError),
    /// The rules could not be loaded.
    #[error(transparent)]
    Rules(#[from] rules::RuleError),
    /// A file of the work tree could not be read.
    #[error(transparent)]
    Files(#[from] git::FileError),
}

impl From<git::worktree::ListError> for SecretsError {
    fn from(e: git::worktree::ListError) -> Self {
        match e {
            git::worktree::ListError::History(e) => SecretsError::History(e),
            git::worktree::ListError::File(e) => SecretsError::Files(e),
        }
    }
}

/// What the check looked at.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// The repository's git directory.
    pub repository: PathBuf,
    /// Object counts.
    #[serde(flatten)]
    pub stats: Stats,
    /// Whether the clone is shallow.
    pub shallow: bool,
    /// Rules in force.
    pub rules: usize,
    /// What was read: `history`, `range`, `worktree` or `staged`.
    pub scope: &'static str,
    /// Matched values the placeholder filter dropped (`${VAR}`, `changeme`, `xxxx…`).
    pub placeholders_skipped: u64,
}

/// The check's result.
pub struct Outcome {
    /// What it found.
    pub findings: Vec<Finding>,
    /// What it looked at.
    pub summary: Summary,
}

/// The built-in rules and the config's custom ones, compiled.
pub fn rule_set(custom: &[rules::Rule]) -> Result<RuleSet, rules::RuleError> {
    let mut all = rules::builtin()?;
    all.extend(custom.iter().cloned());
    rules::by_priority(&mut all);
    RuleSet::compile(all)
}

/// Keys the redactor (and so secret fingerprints) for `repo`: the raw bytes of the root commit
/// that `HEAD`'s first parents lead to, stable for the life of the repository and absent from
/// every report; the git directory's path for a repository without commits.
fn key_from(repo: &gix::Repository) {
    let mut material = None;
    if let Ok(mut commit) = repo.head_commit() {
        // Bounded by the history's length; each step reads one commit.
        loop {
            let parent = commit.parent_ids().next().map(|id| id.detach());
            match parent.and_then(|id| repo.find_commit(id).ok()) {
                Some(next) => commit = next,
                None => break,
            }
        }
        material = Some(commit.data.clone());
    }
    let material = material.unwrap_or_else(|| {
        std::fs::canonicalize(repo.path())
            .unwrap_or_else(|_| repo.path().to_path_buf())
            .as_os_str()
            .as_encoded_bytes()
            .to_vec()
    });
    crate::redact::set_key(&material);
}

/// One place a secret was seen.
#[derive(Clone, Debug)]
struct Occurrence {
    blob: gix::ObjectId,
    path: Option<String>,
    commit: Option<gix::ObjectId>,
    /// Position of `commit` in topological order; unattributed blobs sort last.
    order: usize,
    line: u32,
    column: u32,
    inline_allow: Option<String>,
    allow_problem: Option<(&'static str, String)>,
    snippet: String,
}

/// Scans what `target.scope` says.
pub fn run(
    target: &Target,
    rules: &RuleSet,
    progress: &dyn Progress,
) -> Result<Outcome, SecretsError> {
    if target.scope != Scope::History {
        return run_files(target, rules);
    }
    let repo = git::open(&target.path)?;
    key_from(&repo);
    // Every pack and loose object verified before anything is read: an object that cannot be
    // listed would be an object not scanned.
    let db = git::Database::open(&repo, target.range.is_none())?;
    // Whole database: every object, attributed afterwards (only if something matched). A
    // range: only the blobs its commits brought in, attributed as they are found.
    let (scanned, range_introductions) = match &target.range {
        None => (
            scan::scan_all(&repo, &db, rules, target.limits, progress)?,
            None,
        ),
        Some(range) => {
            let (scanned, introductions) =
                scan::scan_range(&repo, &db, range, rules, target.limits, progress)?;
            (scanned, Some(introductions))
        }
    };
    let mut findings = Vec::new();
    let shallow = git::is_shallow(&repo);
    if shallow {
        findings.push(Finding {
            ..Finding::of_code(
                crate::checks::secrets::codes::SHALLOW_HISTORY,
                None,
                format!(
                    "{} is a shallow clone: history before the cut was not scanned",
                    repo.path().display()
                ),
            )
        });
    }

    if !scanned.hits.is_empty() {
        let labels = git::refs::ref_labels(&repo, &scanned.commits)?;
        // Commits a ref reaches first (each part in topological order): a blob is attributed
        // to the oldest reachable commit that holds it at a path, and to a commit on no ref
        // (a reflog-only rewrite, a dangling commit) only when no reachable one does.
        let (mut order, unreachable): (Vec<_>, Vec<_>) =
            git::commits::topological_order(&scanned.commits)
                .into_iter()
                .partition(|id| labels.contains_key(id));
        order.extend(unreachable);
        let position: HashMap<gix::ObjectId, usize> =
            order.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        let introductions = match range_introductions {
            Some(found) => found,
            None => {
                let targets: HashSet<gix::ObjectId> = scanned.hits.keys().copied().collect();
                git::trees::attribute(&repo, &db, &order, &scanned.commits, &targets)?
            }
        };

        // Group every sighting by (rule, secret): one finding per secret, however many blobs,
        // paths and commits hold it.
        let mut grouped: BTreeMap<(usize, Vec<u8>), Vec<Occurrence>> = BTreeMap::new();
        for (blob, hits) in &scanned.hits {
            let places = introductions.get(blob);
            for hit in hits {
                let entry = grouped.entry((hit.rule, hit.secret.clone())).or_default();
                match places {
                    Some(places) => entry.extend(places.iter().map(|(path, commit)| Occurrence {
                        blob: *blob,
                        path: Some(path.clone()),
                        commit: Some(*commit),
                        order: position.get(commit).copied().unwrap_or(usize::MAX - 1),
                        line: hit.line,
                        column: hit.column,
                        inline_allow: hit.inline_allow.clone(),
                        allow_problem: hit.allow_problem.clone(),
                        snippet: hit.snippet.clone(),
                    })),
                    None => entry.push(Occurrence {
                        blob: *blob,
                        path: None,
                        commit: None,
                        order: usize::MAX,
                        line: hit.line,
                        column: hit.column,
                        inline_allow: hit.inline_allow.clone(),
                        allow_problem: hit.allow_problem.clone(),
                        snippet: hit.snippet.clone(),
                    }),
                }
            }
        }
        findings.extend(allow_problems(grouped.values().flatten()));
        for ((rule, secret), places) in grouped {
            findings.push(finish_finding(
                target,
                rules,
                rule,
                &secret,
                places,
                &scanned.commits,
                &labels,
                "history",
            ));
        }
        findings.sort_by(|a, b| {
            let key = |f: &Finding| {
                f.evidence
                    .get("order")
                    .and_then(|o| o.as_u64())
                    .unwrap_or(u64::MAX)
            };
            key(a)
                .cmp(&key(b))
                .then_with(|| a.fingerprint.cmp(&b.fingerprint))
        });
        for f in &mut findings {
            f.evidence.remove("order");
        }
    }

    Ok(Outcome {
        findings,
        summary: Summary {
            repository: repo.path().to_path_buf(),
            stats: scanned.stats,
            shallow,
            rules: rules.rules.len(),
            placeholders_skipped: rules.placeholders_skipped(),
            scope: if target.range.is_some() {
                "range"
            } else {
                "history"
            },
        },
    })
}

/// `--worktree` and `--staged`: files, not commits.
fn run_files(target: &Target, rules: &RuleSet) -> Result<Outcome, SecretsError> {
    let (files, stats, repository, scope) = match target.scope {
        Scope::Staged => {
            let repo = git::open(&target.path)?;
            key_from(&repo);
            let db = git::Database::open(&repo, false)?;
            let staged = git::worktree::staged(&repo, &db)?;
            let (files, stats) =
                scan::files::scan_staged(&repo, &db, &staged, rules, target.limits)?;
            (files, stats, repo.path().to_path_buf(), "staged")
        }
        _ => {
            match git::open(&target.path) {
                Ok(repo) => key_from(&repo),
                // A folder outside git: keyed by where it is.
                Err(_) => crate::redact::set_key(
                    std::fs::canonicalize(&target.path)
                        .unwrap_or_else(|_| target.path.clone())
                        .as_os_str()
                        .as_encoded_bytes(),
                ),
            }
            let (root, paths) = git::worktree::files(&target.path)?;
            let (files, stats) = scan::files::scan_worktree(&root, &paths, rules, target.limits)?;
            (files, stats, target.path.clone(), "worktree")
        }
    };
    let mut grouped: BTreeMap<(usize, Vec<u8>), Vec<Occurrence>> = BTreeMap::new();
    for (order, file) in files.iter().enumerate() {
        for hit in &file.hits {
            grouped
                .entry((hit.rule, hit.secret.clone()))
                .or_default()
                .push(Occurrence {
                    blob: file
                        .blob
                        .unwrap_or_else(|| gix::ObjectId::null(gix::hash::Kind::Sha1)),
                    path: Some(file.path.clone()),
                    commit: None,
                    order,
                    line: hit.line,
                    column: hit.column,
                    inline_allow: hit.inline_allow.clone(),
                    allow_problem: hit.allow_problem.clone(),
                    snippet: hit.snippet.clone(),
                });
        }
    }
    let commits = HashMap::new();
    let labels = HashMap::new();
    let mut findings = allow_problems(grouped.values().flatten());
    findings.extend(grouped.into_iter().map(|((rule, secret), places)| {
        finish_finding(
            target, rules, rule, &secret, places, &commits, &labels, scope,
        )
    }));
    Ok(Outcome {
        findings,
        summary: Summary {
            repository,
            stats,
            shallow: false,
            rules: rules.rules.len(),
            placeholders_skipped: rules.placeholders_skipped(),
            scope,
        },
    })
}

/// One warning per inline `palisade:allow` comment that allows nothing (no reason, unknown
/// rule), at each place its line was seen; a line with several secrets is one warning.
fn allow_problems<'a>(places: impl Iterator<Item = &'a Occurrence>) -> Vec<Finding> {
    let mut seen: BTreeMap<(String, u32, &'static str), &str> = BTreeMap::new();
    for place in places {
        if let Some((code, message)) = &place.allow_problem {
            let path = place
                .path
                .clone()
                .unwrap_or_else(|| format!("git-blob:{}", place.blob));
            seen.entry((path, place.line, code)).or_insert(message);
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
#[allow(clippy::too_many_arguments)]
fn finish_finding(
    target: &Target,
    rules: &RuleSet,
    rule: usize,
    secret: &[u8],
    mut places: Vec<Occurrence>,
    commits: &HashMap<gix::ObjectId, git::CommitInfo>,
    labels: &HashMap<gix::ObjectId, String>,
    scope: &str,
) -> Finding {
    places.sort_by(|a, b| {
        (a.order, &a.path, a.blob, a.line).cmp(&(b.order, &b.path, b.blob, b.line))
    });
    let open: Vec<Occurrence> = places
        .iter()
        .filter(|p| p.inline_allow.is_none())
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
        commits,
        labels,
        target.show_secrets,
        scope,
    );
    if allowed {
        let first = &shown[0];
        finding.evidence.insert(
            "inline_allow".into(),
            json!({
                "reason": first.inline_allow,
                "path": first.path.clone().unwrap_or_else(|| format!("git-blob:{}", first.blob)),
                "line": first.line,
            }),
        );
    }
    if scope == "history" {
        // Exposure: a blob no ref reaches (dangling, reflog-only, staged then reset) was
        // never pushed from this clone and is not in a fresh one: a warning that names it.
        let reachable = finding_places_reachable(&finding, labels);
        finding.evidence.insert(
            "exposure".into(),
            json!(if reachable {
                "reachable"
            } else {
                "unreachable"
            }),
        );
        if !reachable {
            finding.rule = crate::checks::secrets::codes::UNREACHABLE;
            finding.help = Some(format!(
                "No ref reaches it, so it is in no fresh clone: drop it here with `git reflog expire --expire-unreachable=now --all && git gc --prune=now`. If it was ever pushed, or this clone was shared, rotate it as well: {}",
                finding.help.unwrap_or_default()
            ));
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

/// Whether any place of the finding is in a commit some ref (or a detached `HEAD`) reaches.
fn finding_places_reachable(finding: &Finding, labels: &HashMap<gix::ObjectId, String>) -> bool {
    let commits = finding
        .locations
        .iter()
        .filter_map(|l| l.commit.as_deref())
        .chain(
            finding
                .evidence
                .get("occurrences")
                .and_then(|o| o.as_array())
                .into_iter()
                .flatten()
                .filter_map(|o| o.get("commit").and_then(|c| c.as_str())),
        );
    commits
        .filter_map(|c| gix::ObjectId::from_hex(c.as_bytes()).ok())
        .any(|c| labels.contains_key(&c))
}

fn commit_json(
    id: gix::ObjectId,
    commits: &HashMap<gix::ObjectId, git::CommitInfo>,
    labels: &HashMap<gix::ObjectId, String>,
) -> serde_json::Value {
    let info = &commits[&id];
    json!({
        "id": id.to_string(),
        "author": info.author,
        "date": jiff::Timestamp::from_second(info.time).map(|t| t.to_string()).unwrap_or_default(),
        "summary": info.summary,
        "reachable_from": labels.get(&id),
    })
}

#[allow(clippy::too_many_arguments)]
fn to_finding(
    rules: &RuleSet,
    rule_index: usize,
    secret: &[u8],
    places: &[Occurrence],
    commits: &HashMap<gix::ObjectId, git::CommitInfo>,
    labels: &HashMap<gix::ObjectId, String>,
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
    let introduced_by = first.commit.map(|c| commit_json(c, commits, labels));
    let where_ = match (&first.path, first.commit) {
        (Some(path), Some(commit)) => format!(
            "{path}:{} (introduced by {} \"{}\")",
            first.line,
            &commit.to_string()[..12],
            commits[&commit].summary
        ),
        (Some(path), None) => format!("{path}:{} ({scope})", first.line),
        _ => format!(
            "blob {} (in no commit: staged, stashed or dangling)",
            &first.blob.to_string()[..12]
        ),
    };
    let occurrences: Vec<serde_json::Value> = places[1..]
        .iter()
        .map(|o| {
            json!({
                "path": o.path,
                "line": o.line,
                "column": o.column,
                "blob": o.blob.to_string(),
                "commit": o.commit.map(|c| c.to_string()),
            })
        })
        .collect();
    let code = rules.rules[rule_index].code;
    let evidence: BTreeMap<String, serde_json::Value> = [
        ("rule", json!(rule.id)),
        ("confidence", json!(rule.confidence.as_str())),
        ("secret", json!(redacted)),
        ("secret_hash", json!(redact::secret_hash(secret))),
        ("blob", json!(first.blob.to_string())),
        ("path", json!(first.path)),
        ("line", json!(first.line)),
        ("column", json!(first.column)),
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
                Some(&first.snippet)
            }),
        ),
        ("order", json!(first.order)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
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
            path: PathBuf::from(
                first
                    .path
                    .clone()
                    .unwrap_or_else(|| format!("git-blob:{}", first.blob)),
            ),
            line: Some(first.line),
            column: Some(first.column),
            commit: first.commit.map(|c| c.to_string()),
        }],
        fingerprint: redact::secret_fingerprint(&rule.id, secret),
        help: Some(rule.fix.clone()),
        reachability: None,
        evidence,
        check: Default::default(),
    }
}
