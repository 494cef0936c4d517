//! Reading git: opening a repository ([`repo`]), verifying its object database and reading
//! objects from it ([`packs`], [`objects`]), the trees and commits of history ([`trees`],
//! [`commits`]), the refs and what they reach ([`refs`]), and what is not history yet: the index
//! and the work tree ([`index`], [`worktree`]). Everything here fails closed: an object, ref or
//! file that cannot be read is an error naming it, never a shorter listing.
//!
//! This module knows nothing of rules, matching or findings: nothing under it may import
//! `engine`, `rules`, `hits` or `placeholder`. What it reads is matched by [`super::scan`].

pub mod commits;
pub mod delta;
pub mod index;
mod links;
pub mod objects;
pub mod packs;
pub mod refs;
pub mod repo;
pub mod trees;
pub mod worktree;

pub(crate) use links::{TreeChecker, tag_links};
pub use objects::{CommitInfo, Commits, Database, Placement, TagInfo};
pub use refs::BrokenLink;
pub use repo::{HistoryError, find_repository, is_shallow, open};
pub use worktree::FileError;
