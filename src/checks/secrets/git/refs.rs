//! What history starts from and what it must hold: the refs and `HEAD` (read so that a ref
//! that cannot be read is an error, never a ref left out), which ref reaches each commit, and
//! the proof that every object reachable from a ref is in the repository. A partial clone, a
//! deleted object or a ref to nothing is exit 2 naming the object, not a scan of what happens
//! to be left. Git's own rule is followed: an object that only unreachable objects refer to may
//! be missing (`git fsck` ignores it too); one a ref reaches may not.
//!
//! It reads refs, commits, trees and tags; it does not read blobs' content or match.

use super::objects::{Commits, Database, find};
use super::repo::{HistoryError, describe, one_line, partial_clone_hint, shallow_commits};
use super::trees::tree_entries;
use gix::ObjectId;
use gix::objs::Kind;
use std::collections::{HashMap, HashSet};

/// A ref and the object it names (not peeled).
#[derive(Clone, Debug)]
pub struct RefTip {
    /// Full name: `refs/heads/main`, `refs/tags/v1`, `refs/stash`, or `HEAD` when detached.
    pub name: String,
    /// The object the ref names.
    pub target: ObjectId,
}

/// A reference from one object to another that is not in the repository.
#[derive(Clone, Debug)]
pub struct BrokenLink {
    /// The object that refers.
    pub from: ObjectId,
    /// The object referred to, which is missing.
    pub missing: ObjectId,
    /// What it is to `from`: `blob`, `tree`, `parent commit`, `tag target`...
    pub what: &'static str,
    /// The tree entry's name, when `from` is a tree (cut to 40 characters).
    pub name: Option<String>,
}

fn ref_error(repo: &gix::Repository, what: impl Into<String>, message: String) -> HistoryError {
    // gix says a packed ref failed to parse without naming the file: name it.
    let hint = if message.contains("packed") {
        format!(
            " ({} holds a line that is not a ref: fix or remove it)",
            repo.common_dir().join("packed-refs").display()
        )
    } else {
        String::new()
    };
    HistoryError::Ref {
        repo: repo.path().to_path_buf(),
        what: what.into(),
        message: one_line(&format!("{message}{hint}")),
    }
}

/// Every reference of the repository (loose and packed); one that cannot be listed or read is
/// an error naming it.
fn all_references(repo: &gix::Repository) -> Result<Vec<gix::Reference<'_>>, HistoryError> {
    let chain = |e: &dyn std::error::Error| describe(e);
    let platform = repo
        .references()
        .map_err(|e| ref_error(repo, "the refs", format!("cannot be listed: {}", chain(&e))))?;
    let all = platform.all().map_err(|e| {
        ref_error(
            repo,
            "packed-refs",
            format!("cannot be read: {}", chain(&e)),
        )
    })?;
    all.map(|reference| {
        reference.map_err(|e| {
            ref_error(
                repo,
                "a ref",
                format!("cannot be read: {}", chain(e.as_ref())),
            )
        })
    })
    .collect()
}

/// Every ref that names an object, and `HEAD` when it is detached, sorted by name. A ref that
/// cannot be read (a damaged `packed-refs`, a loose ref file holding garbage) or a `HEAD` that
/// is neither a branch nor an object id is an error naming it. Symbolic refs are left out: the
/// ref they point at is listed itself.
pub fn ref_tips(repo: &gix::Repository) -> Result<Vec<RefTip>, HistoryError> {
    let chain = |e: &dyn std::error::Error| describe(e);
    let mut tips = Vec::new();
    let head = repo
        .head()
        .map_err(|e| ref_error(repo, "HEAD", format!("cannot be read: {}", chain(&e))))?;
    if let gix::head::Kind::Detached { target, .. } = head.kind {
        tips.push(RefTip {
            name: "HEAD".into(),
            target,
        });
    }
    for reference in all_references(repo)? {
        if let gix::refs::TargetRef::Object(id) = reference.target() {
            tips.push(RefTip {
                name: reference.name().as_bstr().to_string(),
                target: id.to_owned(),
            });
        }
    }
    tips.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(tips)
}

/// Follows tags from `id` to the object they finally name: `Ok(None)` when that is not a
/// commit (a tag of a tree or blob), an error naming `what` when an object on the way is
/// missing or not what it claims.
pub fn peel_to_commit(
    repo: &gix::Repository,
    what: &str,
    id: ObjectId,
) -> Result<Option<ObjectId>, HistoryError> {
    let (chain, kind) = tag_chain(repo, what, id)?;
    Ok(chain.last().copied().filter(|_| kind == Kind::Commit))
}

/// The annotated tags of the tag chains `refs/tags/*` start, each once, whose chain ends at
/// one of `commits` (a range's): the tags made on a range's commits. A tag that cannot be read
/// is an error naming its ref.
pub fn tags_on(repo: &gix::Repository, commits: &Commits) -> Result<Vec<ObjectId>, HistoryError> {
    let mut found = Vec::new();
    for tip in ref_tips(repo)? {
        if !tip.name.starts_with("refs/tags/") {
            continue;
        }
        let (chain, _) = tag_chain(repo, &tip.name, tip.target)?;
        if let Some((last, rest)) = chain.split_last()
            && commits.contains_key(last)
        {
            found.extend(rest.iter().copied());
        }
    }
    found.sort_unstable();
    found.dedup();
    Ok(found)
}

/// Labels each annotated tag object with the first ref (in [`ref_labels`]' order) whose tag
/// chain passes through it; a tag no ref reaches (its ref deleted, kept by nothing or by a
/// reflog) has no label.
pub fn tag_labels(
    repo: &gix::Repository,
    commits: &Commits,
) -> Result<HashMap<ObjectId, String>, HistoryError> {
    let mut labels = HashMap::new();
    for (_, name, target) in ranked_tips(repo)? {
        let (chain, _) = chain_from(repo, commits, &name, target)?;
        // Every object of the chain but the last is a tag.
        for tag in chain.iter().take(chain.len().saturating_sub(1)) {
            labels.entry(*tag).or_insert_with(|| name.clone());
        }
    }
    Ok(labels)
}

/// [`tag_chain`], without reading anything when `id` is one of `commits` (decoded already):
/// a mirror's thousands of pull request refs each name one.
fn chain_from(
    repo: &gix::Repository,
    commits: &Commits,
    what: &str,
    id: ObjectId,
) -> Result<(Vec<ObjectId>, Kind), HistoryError> {
    match commits.contains_key(&id) {
        true => Ok((vec![id], Kind::Commit)),
        false => tag_chain(repo, what, id),
    }
}

/// The objects from `id` through tags to the first object that is not a tag (the last of the
/// list), with that object's kind. An object on the way that is missing is an error naming
/// `what`; tags of tags are legal, a cycle is not (it cannot be built without a hash
/// collision), so a chain stops at 64.
fn tag_chain(
    repo: &gix::Repository,
    what: &str,
    mut id: ObjectId,
) -> Result<(Vec<ObjectId>, Kind), HistoryError> {
    let mut buf = Vec::new();
    let mut chain = vec![id];
    for _ in 0..64 {
        let data = gix::objs::Find::try_find(&repo.objects, &id, &mut buf)
            .map_err(|e| {
                ref_error(
                    repo,
                    what,
                    format!(
                        "points at object {id}, which cannot be read: {}",
                        describe(&*e)
                    ),
                )
            })?
            .ok_or_else(|| {
                ref_error(
                    repo,
                    what,
                    format!(
                        "points at object {id}, which is not in the repository{}",
                        partial_clone_hint(repo)
                    ),
                )
            })?;
        if data.kind != Kind::Tag {
            return Ok((chain, data.kind));
        }
        id = gix::objs::TagRefIter::from_bytes(data.data, repo.object_hash())
            .target_id()
            .map_err(|e| ref_error(repo, what, format!("tag {id} cannot be decoded: {e}")))?;
        chain.push(id);
    }
    Err(ref_error(repo, what, "names a chain of 64 tags".into()))
}

/// Every ref tip with its rank: branches, then remotes, tags, the stash, others.
fn ranked_tips(repo: &gix::Repository) -> Result<Vec<(u8, String, ObjectId)>, HistoryError> {
    let mut refs: Vec<(u8, String, ObjectId)> = ref_tips(repo)?
        .into_iter()
        .map(|RefTip { name, target }| {
            let rank = match name.as_str() {
                n if n.starts_with("refs/heads/") => 0,
                n if n.starts_with("refs/remotes/") => 1,
                n if n.starts_with("refs/tags/") => 2,
                STASH => 3,
                _ => 4,
            };
            (rank, name, target)
        })
        .collect();
    refs.sort();
    Ok(refs)
}

/// Labels the commits no ref reaches that a reflog still keeps (`git reset --hard`, an amend,
/// a rebase, a stash entry below the top one), with the ref whose reflog it is (`HEAD`,
/// `refs/heads/main`, `refs/stash`), walking each entry's commit and its parents that no ref
/// reaches. A reflog that cannot be read is an error naming it.
pub fn reflog_labels(
    repo: &gix::Repository,
    commits: &Commits,
    labels: &HashMap<ObjectId, String>,
) -> Result<HashMap<ObjectId, String>, HistoryError> {
    // HEAD first (a repository without one has nothing logged under it), then every ref,
    // each read once.
    let head = repo.find_reference("HEAD").ok();
    let mut kept: HashMap<ObjectId, String> = HashMap::new();
    for reference in head.into_iter().chain(all_references(repo)?) {
        let name = reference.name().as_bstr().to_string();
        let reflog_error =
            |message: String| ref_error(repo, format!("the reflog of {name}"), message);
        let mut log = reference.log_iter();
        let Some(entries) = log
            .all()
            .map_err(|e| reflog_error(format!("cannot be read: {e}")))?
        else {
            continue;
        };
        let mut tips = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| reflog_error(format!("cannot be decoded: {e}")))?;
            tips.push(entry.new_oid());
            tips.push(entry.previous_oid());
        }
        let mut stack: Vec<ObjectId> = tips;
        while let Some(id) = stack.pop() {
            let Some(info) = commits.get(&id) else {
                continue;
            };
            if labels.contains_key(&id) || kept.contains_key(&id) {
                continue;
            }
            kept.insert(id, name.clone());
            stack.extend(info.parents.iter().copied());
        }
    }
    Ok(kept)
}

/// The ref `git stash` keeps its entries under: never pushed, in no fresh clone.
pub const STASH: &str = "refs/stash";

/// Labels each commit with the first ref (branches, then remotes, tags, the stash, others)
/// that reaches it; commits no ref reaches have no label.
pub fn ref_labels(
    repo: &gix::Repository,
    commits: &Commits,
) -> Result<HashMap<ObjectId, String>, HistoryError> {
    let mut refs: Vec<(u8, String, ObjectId)> = Vec::new();
    for (rank, name, target) in ranked_tips(repo)? {
        let (chain, kind) = chain_from(repo, commits, &name, target)?;
        if let Some(id) = chain.last().filter(|_| kind == Kind::Commit) {
            refs.push((rank, name, *id));
        }
    }
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

/// Proves that every object a ref reaches is present, given what the object pass saw: every
/// id in the database, every commit, and the links from present objects to missing ones. The
/// common case (no broken link, no missing commit tree or parent) needs no walk at all; only
/// when something is missing are the refs walked to tell whether a ref reaches it.
pub fn check_complete(
    repo: &gix::Repository,
    db: &Database,
    tips: &[RefTip],
    present: &gix::hashtable::HashSet<ObjectId>,
    commits: &Commits,
    mut broken: Vec<BrokenLink>,
) -> Result<(), HistoryError> {
    for tip in tips {
        if !present.contains(&tip.target) {
            return Err(ref_error(
                repo,
                tip.name.clone(),
                format!(
                    "points at object {}, which is not in the repository{}",
                    tip.target,
                    partial_clone_hint(repo)
                ),
            ));
        }
    }
    let shallow = shallow_commits(repo)?;
    for (id, info) in commits {
        if !present.contains(&info.tree) {
            broken.push(BrokenLink {
                from: *id,
                missing: info.tree,
                what: "tree",
                name: None,
            });
        }
        if !shallow.contains(id) {
            for parent in info.parents.iter().filter(|p| !present.contains(*p)) {
                broken.push(BrokenLink {
                    from: *id,
                    missing: *parent,
                    what: "parent commit",
                    name: None,
                });
            }
        }
    }
    if broken.is_empty() {
        return Ok(());
    }
    let mut from: HashMap<ObjectId, Vec<BrokenLink>> = HashMap::new();
    for link in broken {
        from.entry(link.from).or_default().push(link);
    }
    // Rare path: something is missing. Walk from the refs (re-reading trees) until an object
    // with a broken link is reached; links only unreachable objects have are tolerated.
    let mut seen: HashSet<ObjectId> = HashSet::new();
    let mut buf = Vec::new();
    for tip in tips {
        let mut stack = vec![tip.target];
        while let Some(id) = stack.pop() {
            if !seen.insert(id) {
                continue;
            }
            if let Some(links) = from.get(&id) {
                let link = &links[0];
                let name = link
                    .name
                    .as_ref()
                    .map(|n| format!(" `{n}`"))
                    .unwrap_or_default();
                return Err(HistoryError::Incomplete {
                    repo: repo.path().to_path_buf(),
                    message: format!(
                        "{}{name} {} (referenced by {}, reachable from {}) is not in the repository{}",
                        link.what,
                        link.missing,
                        link.from,
                        tip.name,
                        partial_clone_hint(repo)
                    ),
                });
            }
            if let Some(info) = commits.get(&id) {
                stack.push(info.tree);
                if !shallow.contains(&id) {
                    stack.extend(info.parents.iter().copied());
                }
                continue;
            }
            let Some(data) =
                find(repo, db, &id, &mut buf).map_err(|message| HistoryError::Object {
                    repo: repo.path().to_path_buf(),
                    id,
                    message,
                })?
            else {
                continue;
            };
            match data.kind {
                Kind::Tree => {
                    for (mode, _, child) in tree_entries(repo, db, id, &mut buf)? {
                        if !mode.is_commit() {
                            stack.push(child);
                        }
                    }
                }
                Kind::Tag => {
                    if let Ok(target) =
                        gix::objs::TagRefIter::from_bytes(data.data, repo.object_hash()).target_id()
                    {
                        stack.push(target);
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}
