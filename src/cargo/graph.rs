//! The resolved build graph: which lockfile packages the workspace actually builds, and how.
//!
//! `Cargo.lock` is resolved with every feature of every member on, so it lists crates that no
//! build compiles (an optional dependency whose feature is off, say). `cargo metadata`'s
//! resolve follows the features the build really enables; a walk from the workspace members
//! over it tells, for each package, whether it is in the normal build, only in build scripts
//! and proc-macros, only in tests, or in no graph at all, and the shortest path that pulls it in.

use crate::finding::Reachability;
use cargo_metadata::{DependencyKind, Metadata, PackageId};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet, VecDeque};

/// Where a package sits, and the dependency path from a workspace member to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    /// How it is built.
    pub reachability: Reachability,
    /// `name version` from a workspace member down to the package itself.
    pub path: Vec<String>,
}

/// Placements of every package in the resolve, keyed by `name version`.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct BuildGraph {
    placements: HashMap<String, Placement>,
}

/// How a package is reached, weakest last: once a path passes through a build or dev edge,
/// everything below it is built only in that context.
fn rank(r: Reachability) -> u8 {
    match r {
        Reachability::Normal => 0,
        Reachability::Build => 1,
        Reachability::Dev => 2,
        _ => 3,
    }
}

impl BuildGraph {
    /// Walks the resolve from the workspace members.
    pub fn from_metadata(metadata: &Metadata) -> BuildGraph {
        let Some(resolve) = &metadata.resolve else {
            return BuildGraph::default();
        };
        let nodes: HashMap<&PackageId, &cargo_metadata::Node> =
            resolve.nodes.iter().map(|n| (&n.id, n)).collect();
        let labels: HashMap<&PackageId, String> = metadata
            .packages
            .iter()
            .map(|p| (&p.id, format!("{} {}", p.name, p.version)))
            .collect();
        let label = |id: &PackageId| labels.get(id).cloned().unwrap_or_else(|| id.repr.clone());

        // Breadth-first over (package, context) states; a package can be reached in up to
        // three contexts, and we keep the strongest with its shortest path.
        let mut best: HashMap<&PackageId, (Reachability, Vec<&PackageId>)> = HashMap::new();
        let mut queue: VecDeque<(&PackageId, Reachability, Vec<&PackageId>)> = metadata
            .workspace_members
            .iter()
            .map(|m| (m, Reachability::Normal, vec![m]))
            .collect();
        let mut visited: HashSet<(&PackageId, u8)> = HashSet::new();
        while let Some((id, context, path)) = queue.pop_front() {
            if !visited.insert((id, rank(context))) {
                continue;
            }
            match best.get(id) {
                Some((r, _)) if rank(*r) <= rank(context) => {}
                _ => {
                    best.insert(id, (context, path.clone()));
                }
            }
            let Some(node) = nodes.get(id) else { continue };
            for dep in &node.deps {
                let mut edge = Reachability::Dev;
                for info in &dep.dep_kinds {
                    let kind = match info.kind {
                        DependencyKind::Normal => Reachability::Normal,
                        DependencyKind::Build => Reachability::Build,
                        _ => Reachability::Dev,
                    };
                    if rank(kind) < rank(edge) {
                        edge = kind;
                    }
                }
                let next = if rank(edge) > rank(context) {
                    edge
                } else {
                    context
                };
                let mut next_path = path.clone();
                next_path.push(&dep.pkg);
                queue.push_back((&dep.pkg, next, next_path));
            }
        }

        let mut placements = HashMap::new();
        for package in &metadata.packages {
            if let Some((reachability, path)) = best.get(&package.id) {
                placements.insert(
                    format!("{} {}", package.name, package.version),
                    Placement {
                        reachability: *reachability,
                        path: path.iter().map(|id| label(id)).collect(),
                    },
                );
            }
        }
        BuildGraph { placements }
    }

    /// Where `name version` sits; `NotInGraph` when the resolve does not build it.
    pub fn placement(&self, name: &str, version: &str) -> Placement {
        self.placements
            .get(&format!("{name} {version}"))
            .cloned()
            .unwrap_or(Placement {
                reachability: Reachability::NotInGraph,
                path: Vec::new(),
            })
    }
}
