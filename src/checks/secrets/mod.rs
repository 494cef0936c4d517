//! The secrets check: finds credentials in every blob of a repository's object database, and
//! says which commit first brought each one in. It returns findings with the secret redacted;
//! the raw secret never leaves this module.
//!
//! [`git`] reads the repository and knows nothing of rules; [`scan`] feeds what it reads to the
//! rule [`engine`] and opens no repository; this module opens the repository, runs the two and
//! turns the hits into findings.

pub mod cfg;
pub mod check;
mod claims;
pub mod codes;
pub mod engine;
mod findings;
pub mod git;
pub mod hits;
pub mod placeholder;
pub mod record;
pub mod redact;
pub mod rules;
pub mod scan;
pub mod starter;

use crate::finding::Finding;
use engine::RuleSet;
use findings::{Held, History, Occurrence, allow_problems, finish_finding};
use git::HistoryError;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
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
    /// Where the scan record of a whole-history scan lives ([`record`]).
    pub cache: record::Cache,
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

/// Default memory for delta bases kept by the whole-history scan: 24 MiB.
pub const DEFAULT_DELTA_BASE_CACHE: u64 = 24 * 1024 * 1024;

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
    key_at(repo.path(), repo.open_options().clone());
}

/// [`key_from`] the repository at `path`, through a handle of its own, dropped after: the
/// object store maps the pack files it reads, and the pages a walk over every commit touches
/// would stay in the process's memory for the whole scan (the scan itself reads packs without
/// mapping them). Its own handle also lets it run beside the packs' verification.
fn key_at(path: &std::path::Path, options: gix::open::Options) {
    let root = gix::open_opts(path, options).ok().and_then(|repo| {
        let mut commit = repo.head_commit().ok()?;
        // Bounded by the history's length; each step reads one commit.
        loop {
            let parent = commit.parent_ids().next().map(|id| id.detach());
            match parent.and_then(|id| repo.find_commit(id).ok()) {
                Some(next) => commit = next,
                None => break,
            }
        }
        Some(commit.data.clone())
    });
    match root {
        Some(root) => crate::redact::set_key(&root),
        None => key_of_place(path),
    }
}

/// The key of what has no commit (an empty repository, a folder outside git): where it is.
fn key_of_place(path: &std::path::Path) {
    crate::redact::set_key(
        std::fs::canonicalize(path)
            .unwrap_or_else(|_| path.to_path_buf())
            .as_os_str()
            .as_encoded_bytes(),
    );
}

/// The whole database, without the blobs a trusted scan record lists. Returns, with what was
/// found, the record (the commits it listed, the blobs it said held something and where) and
/// the record to write once attribution is done (see [`record`]).
fn scan_recorded(
    repo: &gix::Repository,
    db: &git::Database,
    target: &Target,
    rules: &RuleSet,
    progress: &dyn Progress,
) -> Result<(scan::Scanned, Option<record::Record>, Option<Pending>), SecretsError> {
    let place = target.cache.place(repo.path());
    let stamp = record::stamp(rules, target.limits, repo.object_hash());
    let recorded = match place
        .as_ref()
        .map(|p| (p, record::load(p, &stamp, repo.object_hash())))
    {
        Some((_, record::Loaded::Trusted(record))) => Some(record),
        Some((place, record::Loaded::Ignored(why))) => {
            crate::note!(
                "note: the scan record {} {why}: every object is read",
                place.file.display()
            );
            None
        }
        _ => None,
    };
    let scanned = scan::scan_all(
        repo,
        db,
        rules,
        target.limits,
        progress,
        recorded.as_ref().map(|r| &r.clean),
    )?;
    let pending = place.map(|place| Pending {
        place,
        stamp,
        kept: recorded.as_ref().map(|r| r.signature),
        held: scanned
            .hits
            .keys()
            .chain(scanned.truncated.keys())
            .copied()
            .collect(),
        commits: match scanned.links_complete {
            true => scanned.commits.keys().copied().collect(),
            false => Vec::new(),
        },
        unreachable: Vec::new(),
        places: HashMap::new(),
    });
    Ok((scanned, recorded, pending))
}

/// The scan record to write: what the pass found, and where attribution found the blobs that
/// held something.
struct Pending {
    place: record::Place,
    stamp: [u8; 32],
    /// The signature of the trusted record read at the start ([`record::Record::signature`]).
    kept: Option<[u8; 32]>,
    held: Vec<gix::ObjectId>,
    commits: Vec<gix::ObjectId>,
    unreachable: Vec<gix::ObjectId>,
    places: git::trees::Introductions,
}

impl Pending {
    /// Writes it, with `clean`, the blobs read that held nothing; only objects still in the
    /// database, so a record never outgrows the repository.
    fn save(&self, clean: &[gix::ObjectId]) {
        let listing = record::Listing {
            clean,
            held: &self.held,
            commits: &self.commits,
            unreachable: &self.unreachable,
            places: &self.places,
            kept: self.kept,
        };
        if let Err(e) = record::save(&self.place, &self.stamp, &listing) {
            crate::note!(
                "note: the scan record {} cannot be written ({e}): the next scan reads every object again",
                self.place.file.display()
            );
        }
    }
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
    // Every pack and loose object verified before anything is read: an object that cannot be
    // listed would be an object not scanned. The redactor's key (from the root commit) is
    // found meanwhile; nothing is matched or printed before both are done.
    let (path, options) = (repo.path().to_path_buf(), repo.open_options().clone());
    let db = std::thread::scope(|scope| {
        scope.spawn(move || key_at(&path, options));
        git::Database::open(&repo, target.range.is_none())
    })?;
    // Whole database: every object, attributed afterwards (only if something matched). A
    // range: only the blobs its commits brought in, attributed as they are found.
    let (mut scanned, range_introductions, recorded, mut pending) = match &target.range {
        None => {
            let (scanned, recorded, pending) = scan_recorded(&repo, &db, target, rules, progress)?;
            (scanned, None, recorded, pending)
        }
        Some(range) => {
            let (scanned, introductions) =
                scan::scan_range(&repo, &db, range, rules, target.limits, progress)?;
            (scanned, Some(introductions), None, None)
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

    if !scanned.hits.is_empty() || !scanned.messages.is_empty() || !scanned.truncated.is_empty() {
        let labels = git::refs::ref_labels(&repo, &scanned.commits)?;
        let tag_labels = if scanned.tags.is_empty() {
            HashMap::new()
        } else {
            git::refs::tag_labels(&repo, &scanned.commits)?
        };
        // Commits a ref reaches first (each part in topological order): a blob is attributed
        // to the oldest reachable commit that holds it at a path, and to a commit on no ref
        // (a reflog-only rewrite, a dangling commit) only when no reachable one does.
        let (mut order, unreachable): (Vec<_>, Vec<_>) =
            git::commits::topological_order(&scanned.commits)
                .into_iter()
                .partition(|id| labels.contains_key(id));
        order.extend(unreachable);
        let position: gix::hashtable::HashMap<gix::ObjectId, usize> =
            order.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        let introductions = match range_introductions {
            Some(found) => found,
            None if scanned.hits.is_empty() && scanned.truncated.is_empty() => HashMap::new(),
            None => {
                let targets: gix::hashtable::HashSet<gix::ObjectId> = scanned
                    .hits
                    .keys()
                    .chain(scanned.truncated.keys())
                    .copied()
                    .collect();
                let (walk, known) = match &recorded {
                    Some(record) => {
                        record.attribution_plan(&order, &scanned.commits, &targets, |c| {
                            labels.contains_key(c)
                        })
                    }
                    None => (order.clone(), HashMap::new()),
                };
                scanned.stats.commits_walked = walk.len();
                let mut found =
                    git::trees::attribute(&repo, &db, &walk, &scanned.commits, &targets)?;
                record::with_known(&mut found, known, &position);
                found
            }
        };
        if let Some(pending) = pending.as_mut().filter(|p| !p.commits.is_empty()) {
            pending.unreachable = pending
                .commits
                .iter()
                .filter(|c| !labels.contains_key(*c))
                .copied()
                .collect();
            pending.places = introductions.clone();
        }

        // Group every sighting by (rule, secret): one finding per secret, however many blobs,
        // paths, commits and messages hold it.
        let mut grouped: BTreeMap<(usize, Vec<u8>), Vec<Occurrence>> = BTreeMap::new();
        for (blob, hits) in &scanned.hits {
            let places = introductions.get(blob);
            for hit in hits {
                let entry = grouped.entry((hit.rule, hit.secret.clone())).or_default();
                match places {
                    Some(places) => entry.extend(places.iter().map(|(path, commit)| {
                        let order = position.get(commit).copied().unwrap_or(usize::MAX - 1);
                        Occurrence::of(
                            hit,
                            *blob,
                            Held::Content,
                            Some(path.clone()),
                            Some(*commit),
                            order,
                        )
                    })),
                    None => entry.push(Occurrence::of(
                        hit,
                        *blob,
                        Held::Content,
                        None,
                        None,
                        usize::MAX,
                    )),
                }
            }
        }
        for message in &scanned.messages {
            for hit in &message.hits {
                let place = if message.tag {
                    Occurrence::of(
                        hit,
                        message.object,
                        Held::TagMessage,
                        None,
                        None,
                        usize::MAX - 1,
                    )
                } else {
                    let order = position
                        .get(&message.object)
                        .copied()
                        .unwrap_or(usize::MAX - 1);
                    Occurrence::of(
                        hit,
                        message.object,
                        Held::CommitMessage,
                        None,
                        Some(message.object),
                        order,
                    )
                };
                grouped
                    .entry((hit.rule, hit.secret.clone()))
                    .or_default()
                    .push(place);
            }
        }
        // Only when some commit is on no ref: what keeps it is read from the reflogs.
        let reflogs = if labels.len() < scanned.commits.len() {
            git::refs::reflog_labels(&repo, &scanned.commits, &labels)?
        } else {
            HashMap::new()
        };
        let history = History {
            commits: std::mem::take(&mut scanned.commits),
            labels,
            tags: std::mem::take(&mut scanned.tags),
            tag_labels,
            reflogs,
        };
        findings.extend(allow_problems(grouped.values().flatten(), &history));
        for (blob, truncations) in &scanned.truncated {
            // The first place that holds the archive, in the order commits came in.
            let place = introductions.get(blob).and_then(|places| {
                places
                    .iter()
                    .min_by_key(|(path, commit)| (position.get(commit), path))
                    .map(|(path, commit)| (path.as_str(), Some(*commit)))
            });
            findings.extend(
                truncations
                    .iter()
                    .map(|t| findings::truncation_finding(*blob, t, place, &history)),
            );
        }
        for ((rule, secret), places) in grouped {
            findings.push(finish_finding(
                target,
                rules,
                (rule, &secret),
                places,
                &history,
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
    if let Some(pending) = pending {
        pending.save(&scanned.clean);
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
                Err(_) => key_of_place(&target.path),
            }
            let (root, paths) = git::worktree::files(&target.path)?;
            let (files, stats) = scan::files::scan_worktree(&root, &paths, rules, target.limits)?;
            (files, stats, target.path.clone(), "worktree")
        }
    };
    let mut grouped: BTreeMap<(usize, Vec<u8>), Vec<Occurrence>> = BTreeMap::new();
    for (order, file) in files.iter().enumerate() {
        let blob = file
            .blob
            .unwrap_or_else(|| gix::ObjectId::null(gix::hash::Kind::Sha1));
        for hit in &file.hits {
            grouped
                .entry((hit.rule, hit.secret.clone()))
                .or_default()
                .push(Occurrence::of(
                    hit,
                    blob,
                    Held::Content,
                    Some(file.path.clone()),
                    None,
                    order,
                ));
        }
    }
    let history = History::default();
    let mut findings = allow_problems(grouped.values().flatten(), &history);
    for file in &files {
        let blob = file
            .blob
            .unwrap_or_else(|| gix::ObjectId::null(gix::hash::Kind::Sha1));
        findings.extend(file.truncated.iter().map(|t| {
            findings::truncation_finding(blob, t, Some((file.path.as_str(), None)), &history)
        }));
    }
    findings.extend(grouped.into_iter().map(|((rule, secret), places)| {
        finish_finding(target, rules, (rule, &secret), places, &history, scope)
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
