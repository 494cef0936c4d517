//! Walking commits: the commits a range holds (`--since`, `--range`), read from the object
//! database and never from a commit-graph cache, what each brought in (through
//! [`super::trees`]), and the order commits came in. A revision, tip or commit the walk needs
//! that is missing is an error naming it, never a smaller range.
//!
//! It reads commits and trees; it does not read blobs' content, match or know any rule.

use super::objects::{Commits, Database, read_commit};
use super::refs::peel_to_commit;
use super::repo::{HistoryError, describe, one_line, partial_clone_hint, shallow_commits};
use super::trees::{Introductions, introduced_by_commits};
use gix::ObjectId;
use std::collections::BinaryHeap;

/// `--since base` and `--range base..head`: the commits of the range, decoded, and the blobs
/// they brought in, with where each was brought in. Every revision, tip and commit the range
/// needs must be there: one that is missing is an error naming it, never a smaller range.
pub fn range(
    repo: &gix::Repository,
    db: &Database,
    base: &str,
    head: Option<&str>,
) -> Result<(Commits, Introductions), HistoryError> {
    let label = match head {
        Some(head) => format!("--range {base}..{head}"),
        None => format!("--since {base}"),
    };
    let base = resolve_revision(repo, &label, base)?;
    // `--since REV` is what HEAD brings in on top of REV (a pull request: every commit of
    // REV..HEAD, so a secret added and removed inside it still counts), not every local or
    // remote branch a full checkout also holds.
    let head = head.unwrap_or("HEAD");
    let tips = vec![resolve_revision(repo, &label, head)?];
    let mut commits = range_commits(repo, db, tips, vec![base], &label)?;
    let order = topological_order(&commits);
    let shallow = shallow_commits(repo)?;
    let mut introductions = introduced_by_commits(repo, db, &order, &commits, &shallow)?;
    notes_on(repo, db, &mut commits, &mut introductions, &shallow)?;
    Ok((commits, introductions))
}

/// Adds the notes (`refs/notes/*`) on the range's commits: each note blob with the notes
/// commit that brought it in, at its path (the annotated commit's id, maybe fanned out), and
/// those notes commits. A note is text attached to a commit of the range, though no commit of
/// the range holds it.
fn notes_on(
    repo: &gix::Repository,
    db: &Database,
    commits: &mut Commits,
    introductions: &mut Introductions,
    shallow: &std::collections::HashSet<ObjectId>,
) -> Result<(), HistoryError> {
    let annotated = |path: &str| {
        let hex: String = path.chars().filter(|c| *c != '/').collect();
        ObjectId::from_hex(hex.as_bytes()).ok()
    };
    for tip in super::refs::ref_tips(repo)? {
        if !tip.name.starts_with("refs/notes/") {
            continue;
        }
        let Some(head) = super::refs::peel_to_commit(repo, &tip.name, tip.target)? else {
            continue;
        };
        let notes = range_commits(repo, db, vec![head], Vec::new(), &tip.name)?;
        let order = topological_order(&notes);
        let brought = introduced_by_commits(repo, db, &order, &notes, shallow)?;
        for (blob, places) in brought {
            let on_range: Vec<(String, ObjectId)> = places
                .into_iter()
                .filter(|(path, _)| annotated(path).is_some_and(|id| commits.contains_key(&id)))
                .collect();
            for (_, note_commit) in &on_range {
                if let Some(info) = notes.get(note_commit) {
                    commits.entry(*note_commit).or_insert_with(|| info.clone());
                }
            }
            if !on_range.is_empty() {
                introductions.entry(blob).or_default().extend(on_range);
            }
        }
    }
    Ok(())
}

/// The commit a revision names (tags peeled), or an error naming the revision.
fn resolve_revision(
    repo: &gix::Repository,
    label: &str,
    spec: &str,
) -> Result<ObjectId, HistoryError> {
    let id = repo
        .rev_parse_single(spec)
        .map_err(|e| HistoryError::Ref {
            repo: repo.path().to_path_buf(),
            what: label.to_string(),
            message: one_line(&format!("cannot resolve `{spec}`: {}", describe(&e))),
        })?
        .detach();
    peel_to_commit(repo, label, id)?.ok_or_else(|| HistoryError::Ref {
        repo: repo.path().to_path_buf(),
        what: label.to_string(),
        message: format!("`{spec}` names {id}, which is not a commit"),
    })
}

/// The commits of a range: reachable from `tips` and not from `hidden`, decoded. The walk
/// reads commits from the object database, not from a commit-graph file, which is a cache
/// that can be stale or damaged; a commit it cannot read is an error naming the range.
fn range_commits(
    repo: &gix::Repository,
    db: &Database,
    tips: Vec<ObjectId>,
    hidden: Vec<ObjectId>,
    label: &str,
) -> Result<Commits, HistoryError> {
    let walk_error = |message: String| HistoryError::Ref {
        repo: repo.path().to_path_buf(),
        what: label.to_string(),
        message: one_line(&format!(
            "cannot walk the commits: {message}{}",
            partial_clone_hint(repo)
        )),
    };
    let walk = repo
        .rev_walk(tips)
        .use_commit_graph(false)
        .with_hidden(hidden)
        .all()
        .map_err(|e| walk_error(describe(&e)))?;
    let mut commits = Commits::default();
    let mut buf = Vec::new();
    for info in walk {
        let info = info.map_err(|e| walk_error(describe(&e)))?;
        let id = info.id;
        let object_error = |message: String| HistoryError::Object {
            repo: repo.path().to_path_buf(),
            id,
            message,
        };
        let commit = read_commit(repo, db, &mut buf, id)
            .map_err(object_error)?
            .ok_or_else(|| object_error("missing".into()))?;
        commits.insert(id, commit);
    }
    Ok(commits)
}

/// Commits parents-first (oldest first among those ready), as a position per commit.
pub fn topological_order(commits: &Commits) -> Vec<ObjectId> {
    let mut waiting: gix::hashtable::HashMap<ObjectId, usize> = Default::default();
    let mut children: gix::hashtable::HashMap<ObjectId, Vec<ObjectId>> = Default::default();
    let mut ready = BinaryHeap::new();
    for (id, info) in commits {
        let present = info
            .parents
            .iter()
            .filter(|p| commits.contains_key(*p))
            .count();
        for parent in info.parents.iter().filter(|p| commits.contains_key(*p)) {
            children.entry(*parent).or_default().push(*id);
        }
        if present == 0 {
            ready.push(std::cmp::Reverse((info.time, *id)));
        } else {
            waiting.insert(*id, present);
        }
    }
    let mut order = Vec::with_capacity(commits.len());
    while let Some(std::cmp::Reverse((_, id))) = ready.pop() {
        order.push(id);
        for child in children.get(&id).into_iter().flatten() {
            if let Some(count) = waiting.get_mut(child) {
                *count -= 1;
                if *count == 0 {
                    waiting.remove(child);
                    ready.push(std::cmp::Reverse((commits[child].time, *child)));
                }
            }
        }
    }
    order
}
