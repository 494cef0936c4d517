//! A cache of the resolved build graph, so repeated scans skip `cargo metadata` (which costs
//! more than the whole advisory match on a large lockfile).
//!
//! An entry records every file the resolve depended on — `Cargo.lock`, the manifest of every
//! path package, and each `.cargo/config(.toml)` cargo would read from the workspace root up,
//! present or absent — with a hash. It is used only when all of them still hash the same and
//! it was written by this Palisade version with the same cargo options; anything else
//! re-resolves. A cache that cannot be read or written is ignored, never an error.

use super::graph::BuildGraph;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

const FORMAT: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Entry<G> {
    format: u32,
    tool_version: String,
    options: String,
    /// `(file, sha256 or None when absent)`.
    inputs: Vec<(PathBuf, Option<String>)>,
    graph: G,
}

/// Where the cache for a workspace lives: `<target dir>/palisade/build-graph-<hash>.json`,
/// the hash taken over the workspace root, since one target dir (`CARGO_TARGET_DIR`) may
/// serve several workspaces.
pub fn path(target_dir: &Path, workspace_root: &Path) -> PathBuf {
    let digest = Sha256::digest(workspace_root.as_os_str().as_encoded_bytes());
    let short: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    target_dir
        .join("palisade")
        .join(format!("build-graph-{short}.json"))
}

fn hash_file(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    let digest = Sha256::digest(&bytes);
    Some(digest.iter().map(|b| format!("{b:02x}")).collect())
}

/// The cargo config files cargo reads for a workspace: `.cargo/config.toml` and
/// `.cargo/config` in the root and every parent.
pub fn cargo_configs(workspace_root: &Path) -> Vec<PathBuf> {
    workspace_root
        .ancestors()
        .flat_map(|dir| {
            ["config.toml", "config"]
                .into_iter()
                .map(move |name| dir.join(".cargo").join(name))
        })
        .collect()
}

/// The cached graph, if every recorded input is unchanged.
pub fn load(cache: &Path, options: &str) -> Option<BuildGraph> {
    let entry: Entry<BuildGraph> = serde_json::from_slice(&std::fs::read(cache).ok()?).ok()?;
    let fresh = entry.format == FORMAT
        && entry.tool_version == env!("CARGO_PKG_VERSION")
        && entry.options == options
        && entry
            .inputs
            .iter()
            .all(|(file, hash)| hash_file(file) == *hash);
    fresh.then_some(entry.graph)
}

/// Records a graph with the files it was resolved from. Best effort.
pub fn store(cache: &Path, options: &str, inputs: &[PathBuf], graph: &BuildGraph) {
    let entry = Entry {
        format: FORMAT,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        options: options.to_string(),
        inputs: inputs.iter().map(|p| (p.clone(), hash_file(p))).collect(),
        graph,
    };
    let Ok(bytes) = serde_json::to_vec(&entry) else {
        return;
    };
    if let Some(dir) = cache.parent()
        && std::fs::create_dir_all(dir).is_ok()
    {
        // Write then rename, so a concurrent reader never sees half a file.
        let tmp = cache.with_extension(format!("json.{}", std::process::id()));
        if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, cache).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edited_or_new_input_invalidates_the_entry() {
        let dir = tempfile::tempdir().unwrap();
        let lock = dir.path().join("Cargo.lock");
        let config = dir.path().join(".cargo/config.toml");
        std::fs::write(&lock, "a").unwrap();
        let cache = path(&dir.path().join("target"), dir.path());
        assert_ne!(
            cache,
            path(&dir.path().join("target"), &dir.path().join("other"))
        );
        store(
            &cache,
            "--locked",
            &[lock.clone(), config.clone()],
            &BuildGraph::default(),
        );
        assert!(load(&cache, "--locked").is_some());
        assert!(
            load(&cache, "--locked --offline").is_none(),
            "other options"
        );
        std::fs::write(&lock, "b").unwrap();
        assert!(load(&cache, "--locked").is_none(), "edited lockfile");
        store(
            &cache,
            "--locked",
            &[lock.clone(), config.clone()],
            &BuildGraph::default(),
        );
        std::fs::create_dir_all(config.parent().unwrap()).unwrap();
        std::fs::write(&config, "[patch]").unwrap();
        assert!(load(&cache, "--locked").is_none(), "a config file appeared");
    }
}
