//! Walking history: the commits a range holds and what each brought in (`--since`,
//! `--range`), the order commits came in, and for the blobs that hold secrets where each was
//! first introduced and which ref reaches it. Objects are read through [`super::history`]; a
//! commit or tree the walk needs that is missing is an error naming it, never a shorter walk.

use super::engine::RuleSet;
use super::history::{
    CommitInfo, HistoryError, Limits, Progress, Scanned, read_commit, scan_objects, tree_entries,
};
use super::odb::Database;
use super::reach::RefTip;
use gix::ObjectId;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::rc::Rc;

/// `--since` and `--range`: the blobs the range's commits brought in, scanned, and where each
/// was brought in. Every revision, tip and commit the range needs must be there: one that is
/// missing is an error naming it, never a smaller range.
pub fn scan_range(
    repo: &gix::Repository,
    db: &Database,
    range: &super::Range,
    rules: &RuleSet,
    limits: Limits,
    progress: &dyn Progress,
) -> Result<(Scanned, Introductions), HistoryError> {
    let label = match &range.head {
        Some(head) => format!("--range {}..{head}", range.base),
        None => format!("--since {}", range.base),
    };
    let base = resolve_revision(repo, &label, &range.base)?;
    // `--since REV` is what HEAD brings in on top of REV (a pull request: every commit of
    // REV..HEAD, so a secret added and removed inside it still counts), not every local or
    // remote branch a full checkout also holds.
    let head = range.head.as_deref().unwrap_or("HEAD");
    let tips = vec![resolve_revision(repo, &label, head)?];
    let commits = range_commits(repo, db, tips, vec![base], &label)?;
    let order = topological_order(&commits);
    let shallow = super::reach::shallow_commits(repo)?;
    let introductions = introduced_by_commits(repo, db, &order, &commits, &shallow)?;
    let mut ids: Vec<ObjectId> = introductions.keys().copied().collect();
    ids.sort_unstable();
    let mut scanned = scan_objects(repo, db, &ids, None, rules, limits, progress)?;
    scanned.stats.commits = commits.len();
    scanned.commits = commits;
    Ok((scanned, introductions))
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
            message: super::reach::one_line(&format!(
                "cannot resolve `{spec}`: {}",
                super::reach::describe(&e)
            )),
        })?
        .detach();
    super::reach::peel_to_commit(repo, label, id)?.ok_or_else(|| HistoryError::Ref {
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
) -> Result<HashMap<ObjectId, CommitInfo>, HistoryError> {
    let walk_error = |message: String| HistoryError::Ref {
        repo: repo.path().to_path_buf(),
        what: label.to_string(),
        message: super::reach::one_line(&format!(
            "cannot walk the commits: {message}{}",
            super::reach::partial_clone_hint(repo)
        )),
    };
    let walk = repo
        .rev_walk(tips)
        .use_commit_graph(false)
        .with_hidden(hidden)
        .all()
        .map_err(|e| walk_error(super::reach::describe(&e)))?;
    let mut commits = HashMap::new();
    let mut buf = Vec::new();
    for info in walk {
        let info = info.map_err(|e| walk_error(super::reach::describe(&e)))?;
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

/// For each commit (parents first), the `(path, blob)`s its tree has that none of its parents
/// has at that path: what the commit brought in. Subtrees equal to a parent's are skipped. A
/// parent that is missing is an error, unless the `shallow` file cut it off on purpose.
fn introduced_by_commits(
    repo: &gix::Repository,
    db: &Database,
    order: &[ObjectId],
    commits: &HashMap<ObjectId, CommitInfo>,
    shallow: &HashSet<ObjectId>,
) -> Result<Introductions, HistoryError> {
    let mut found: Introductions = HashMap::new();
    let mut buf = Vec::new();
    for commit in order {
        let info = &commits[commit];
        let mut parent_trees = Vec::new();
        for parent in &info.parents {
            let tree = match commits.get(parent) {
                Some(p) => p.tree,
                None => match read_commit(repo, db, &mut buf, *parent) {
                    Ok(Some(p)) => p.tree,
                    // Cut off by a shallow clone: compare with nothing.
                    Ok(None) if shallow.contains(commit) => continue,
                    Ok(None) => {
                        return Err(HistoryError::Incomplete {
                            repo: repo.path().to_path_buf(),
                            message: format!(
                                "parent commit {parent} of {commit} is not in the repository{}",
                                super::reach::partial_clone_hint(repo)
                            ),
                        });
                    }
                    Err(message) => {
                        return Err(HistoryError::Object {
                            repo: repo.path().to_path_buf(),
                            id: *parent,
                            message,
                        });
                    }
                },
            };
            parent_trees.push(tree);
        }
        let mut new = Vec::new();
        diff_trees(repo, db, info.tree, &parent_trees, "", &mut new, &mut buf)?;
        for (path, blob) in new {
            let places = found.entry(blob).or_default();
            if !places.iter().any(|(p, _)| *p == path) {
                places.push((path, *commit));
            }
        }
    }
    Ok(found)
}

fn diff_trees(
    repo: &gix::Repository,
    db: &Database,
    tree: ObjectId,
    parents: &[ObjectId],
    prefix: &str,
    out: &mut Vec<(String, ObjectId)>,
    buf: &mut Vec<u8>,
) -> Result<(), HistoryError> {
    if parents.contains(&tree) {
        return Ok(());
    }
    let parent_entries: Vec<Vec<(gix::objs::tree::EntryMode, String, ObjectId)>> = parents
        .iter()
        .map(|p| tree_entries(repo, db, *p, buf))
        .collect::<Result<_, _>>()?;
    for (mode, name, oid) in tree_entries(repo, db, tree, buf)? {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        let same_name = parent_entries
            .iter()
            .flat_map(|entries| entries.iter().filter(|(_, n, _)| *n == name));
        if mode.is_tree() {
            let subtrees: Vec<ObjectId> = same_name
                .filter(|(m, _, _)| m.is_tree())
                .map(|(_, _, o)| *o)
                .collect();
            diff_trees(repo, db, oid, &subtrees, &path, out, buf)?;
        } else if mode.is_blob_or_symlink() && !same_name.clone().any(|(_, _, o)| *o == oid) {
            out.push((path, oid));
        }
    }
    Ok(())
}

/// Commits parents-first (oldest first among those ready), as a position per commit.
pub fn topological_order(commits: &HashMap<ObjectId, CommitInfo>) -> Vec<ObjectId> {
    let mut waiting: HashMap<ObjectId, usize> = HashMap::new();
    let mut children: HashMap<ObjectId, Vec<ObjectId>> = HashMap::new();
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

/// Where a blob was brought in: the path and the commit, in introduction order.
pub type Introductions = HashMap<ObjectId, Vec<(String, ObjectId)>>;

/// For each target blob, every `(path, first commit)` it appears at, walking commits
/// parents-first and decoding each distinct tree once.
pub fn attribute(
    repo: &gix::Repository,
    db: &Database,
    order: &[ObjectId],
    commits: &HashMap<ObjectId, CommitInfo>,
    targets: &HashSet<ObjectId>,
) -> Result<Introductions, HistoryError> {
    let mut memo: HashMap<ObjectId, Rc<Vec<(String, ObjectId)>>> = HashMap::new();
    let mut seen: HashSet<(ObjectId, String)> = HashSet::new();
    let mut found: Introductions = HashMap::new();
    let mut buf = Vec::new();
    for commit in order {
        let listing =
            targets_in_tree(repo, db, commits[commit].tree, targets, &mut memo, &mut buf)?;
        for (path, blob) in listing.iter() {
            if seen.insert((*blob, path.clone())) {
                found
                    .entry(*blob)
                    .or_default()
                    .push((path.clone(), *commit));
            }
        }
    }
    Ok(found)
}

fn targets_in_tree(
    repo: &gix::Repository,
    db: &Database,
    tree: ObjectId,
    targets: &HashSet<ObjectId>,
    memo: &mut HashMap<ObjectId, Rc<Vec<(String, ObjectId)>>>,
    buf: &mut Vec<u8>,
) -> Result<Rc<Vec<(String, ObjectId)>>, HistoryError> {
    if let Some(hit) = memo.get(&tree) {
        return Ok(hit.clone());
    }
    // The entries are owned: the buffer is reused by the recursion.
    let entries = tree_entries(repo, db, tree, buf)?;
    let mut listing = Vec::new();
    for (mode, name, oid) in entries {
        if mode.is_tree() {
            let sub = targets_in_tree(repo, db, oid, targets, memo, buf)?;
            listing.extend(sub.iter().map(|(p, b)| (format!("{name}/{p}"), *b)));
        } else if mode.is_blob_or_symlink() && targets.contains(&oid) {
            listing.push((name, oid));
        }
    }
    let listing = Rc::new(listing);
    memo.insert(tree, listing.clone());
    Ok(listing)
}

/// Labels each commit with the first ref (branches, then remotes, tags, the stash, others)
/// that reaches it; commits no ref reaches have no label.
pub fn ref_labels(
    repo: &gix::Repository,
    commits: &HashMap<ObjectId, CommitInfo>,
) -> Result<HashMap<ObjectId, String>, HistoryError> {
    let mut refs: Vec<(u8, String, ObjectId)> = Vec::new();
    for RefTip { name, target } in super::reach::ref_tips(repo)? {
        let Some(id) = super::reach::peel_to_commit(repo, &name, target)? else {
            continue;
        };
        let rank = match name.as_str() {
            n if n.starts_with("refs/heads/") => 0,
            n if n.starts_with("refs/remotes/") => 1,
            n if n.starts_with("refs/tags/") => 2,
            "refs/stash" => 3,
            _ => 4,
        };
        refs.push((rank, name, id));
    }
    refs.sort();
    let mut labels: HashMap<ObjectId, String> = HashMap::new();
    for (_, name, tip) in refs {
        let mut stack = vec![tip];
        while let Some(id) = stack.pop() {
            let Some(info) = commits.get(&id) else {
                continue;
            };
            if labels.contains_key(&id) {
                continue;
            }
            labels.insert(id, name.clone());
            stack.extend(info.parents.iter().copied());
        }
    }
    Ok(labels)
}
