//! What trees hold, by path: a tree's entries; what each commit of a range brought in (its tree
//! against its parents' trees); and, for given blobs, every path and first commit they appear
//! at. A tree or commit the walk needs that is missing or does not decode is an error naming
//! it, never a shorter walk.
//!
//! It reads trees and commits handed to it; it does not choose which commits to walk (that is
//! [`super::commits`]), read blobs' content or match.

use super::objects::{Commits, Database, find, read_commit};
use super::repo::{HistoryError, partial_clone_hint};
use gix::ObjectId;
use gix::objs::Kind;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// The entries of a tree: mode, name, id. A tree that is missing or does not decode is an
/// error naming it.
pub(crate) fn tree_entries(
    repo: &gix::Repository,
    db: &Database,
    tree: ObjectId,
    buf: &mut Vec<u8>,
) -> Result<Vec<(gix::objs::tree::EntryMode, String, ObjectId)>, HistoryError> {
    let data = tree_data(repo, db, tree, buf)?;
    let mut entries = Vec::new();
    for entry in gix::objs::TreeRefIter::from_bytes(data, repo.object_hash()) {
        let entry = entry.map_err(|e| not_a_tree(repo, tree, e))?;
        entries.push((entry.mode, entry.filename.to_string(), entry.oid.to_owned()));
    }
    Ok(entries)
}

/// The content of the tree `tree`, read into `buf`; missing, or another kind, is an error
/// naming it.
fn tree_data<'a>(
    repo: &gix::Repository,
    db: &Database,
    tree: ObjectId,
    buf: &'a mut Vec<u8>,
) -> Result<&'a [u8], HistoryError> {
    let object_error = |message: String| HistoryError::Object {
        repo: repo.path().to_path_buf(),
        id: tree,
        message,
    };
    let data = find(repo, db, &tree, buf)
        .map_err(object_error)?
        .ok_or_else(|| object_error(format!("tree missing{}", partial_clone_hint(repo))))?;
    if data.kind != Kind::Tree {
        return Err(object_error(format!(
            "a {} where a tree was expected",
            data.kind
        )));
    }
    Ok(data.data)
}

/// A tree whose entries do not decode.
fn not_a_tree(repo: &gix::Repository, tree: ObjectId, e: impl std::fmt::Display) -> HistoryError {
    HistoryError::Object {
        repo: repo.path().to_path_buf(),
        id: tree,
        message: format!("not a valid tree: {e}"),
    }
}

/// Where a blob was brought in: the path and the commit, in introduction order.
pub type Introductions = HashMap<ObjectId, Vec<(String, ObjectId)>>;

/// For each commit (parents first), the `(path, blob)`s its tree has that none of its parents
/// has at that path: what the commit brought in. Subtrees equal to a parent's are skipped. A
/// parent that is missing is an error, unless the `shallow` file cut it off on purpose.
pub(crate) fn introduced_by_commits(
    repo: &gix::Repository,
    db: &Database,
    order: &[ObjectId],
    commits: &Commits,
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
                                partial_clone_hint(repo)
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

/// For each target blob, every `(path, first commit)` it appears at, walking commits
/// parents-first. The commits are split in runs, eight per thread, handed out as threads free up
/// (later commits have larger trees: halves took unequal time); each thread decodes a distinct
/// tree once for all the runs it walks (what a tree leads to does not depend on the commit it
/// was reached from), and the runs are joined in order: a place a later run also found keeps
/// the earlier run's commit, as one walk would.
pub fn attribute(
    repo: &gix::Repository,
    db: &Database,
    order: &[ObjectId],
    commits: &Commits,
    targets: &gix::hashtable::HashSet<ObjectId>,
) -> Result<Introductions, HistoryError> {
    use rayon::prelude::*;
    let run = order
        .len()
        .div_ceil(rayon::current_num_threads() * 8)
        .max(1);
    let sync = repo.clone().into_sync();
    // Each run's (blob, path, commit) places, in its commits' order.
    type Places = Vec<(ObjectId, String, ObjectId)>;
    let runs: Vec<Result<Places, HistoryError>> = order
        .par_chunks(run)
        .map_init(
            || (sync.to_thread_local(), Memo::default(), Vec::new()),
            |(repo, memo, buf), part| {
                let mut seen: HashSet<(ObjectId, String)> = HashSet::new();
                let mut places = Vec::new();
                for commit in part {
                    let Some(info) = commits.get(commit) else {
                        continue;
                    };
                    let listing = targets_in_tree(repo, db, info.tree, targets, memo, buf)?;
                    for (path, blob) in listing.iter() {
                        if seen.insert((*blob, path.clone())) {
                            places.push((*blob, path.clone(), *commit));
                        }
                    }
                }
                Ok(places)
            },
        )
        .collect();
    let mut seen: HashSet<(ObjectId, String)> = HashSet::new();
    let mut found: Introductions = HashMap::new();
    for places in runs {
        for (blob, path, commit) in places? {
            if seen.insert((blob, path.clone())) {
                found.entry(blob).or_default().push((path, commit));
            }
        }
    }
    Ok(found)
}

/// The targets each tree read leads to, by path.
#[derive(Default)]
struct Memo {
    trees: gix::hashtable::HashMap<ObjectId, Rc<Vec<(String, ObjectId)>>>,
    /// The listing of the trees that lead to none.
    empty: Rc<Vec<(String, ObjectId)>>,
}

fn targets_in_tree(
    repo: &gix::Repository,
    db: &Database,
    tree: ObjectId,
    targets: &gix::hashtable::HashSet<ObjectId>,
    memo: &mut Memo,
    buf: &mut Vec<u8>,
) -> Result<Rc<Vec<(String, ObjectId)>>, HistoryError> {
    if let Some(hit) = memo.trees.get(&tree) {
        return Ok(hit.clone());
    }
    // The tree is copied out: the buffer is reused by the recursion. Names are made only for
    // what leads to a target (most entries of most trees do not).
    let data = tree_data(repo, db, tree, buf)?.to_vec();
    let mut listing = Vec::new();
    for entry in gix::objs::TreeRefIter::from_bytes(&data, repo.object_hash()) {
        let entry = entry.map_err(|e| not_a_tree(repo, tree, e))?;
        if entry.mode.is_tree() {
            let sub = targets_in_tree(repo, db, entry.oid.to_owned(), targets, memo, buf)?;
            if !sub.is_empty() {
                let name = entry.filename.to_string();
                listing.extend(sub.iter().map(|(p, b)| (format!("{name}/{p}"), *b)));
            }
        } else if entry.mode.is_blob_or_symlink() && targets.contains(entry.oid) {
            listing.push((entry.filename.to_string(), entry.oid.to_owned()));
        }
    }
    // Most trees lead to no target: they share one empty listing.
    let listing = match listing.is_empty() {
        true => memo.empty.clone(),
        false => Rc::new(listing),
    };
    memo.trees.insert(tree, listing.clone());
    Ok(listing)
}
