//! Resolved cargo build graphs, shared by the checks that need to know what a build really
//! compiles (advisories place each vulnerable crate; FIPS finds the providers of each build).
//! `cargo metadata` runs here and nowhere else; its graph is cached per workspace ([`cache`]).

pub mod cache;
pub mod graph;

pub use graph::{BuildGraph, Placement};
use std::path::{Path, PathBuf};

/// The cargo workspace around the lockfile.
pub struct Workspace {
    /// Its root folder (where the root `Cargo.toml` is).
    pub root: PathBuf,
    /// Its target directory (where the graph cache lives).
    pub target_dir: PathBuf,
}

/// The cargo that runs us (`$CARGO`), else `cargo` on the PATH.
pub fn cargo_bin() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// cargo's own error line, without the "`cargo metadata` exited with an error:" wrapper.
pub fn cargo_message(err: &cargo_metadata::Error) -> String {
    let text = err.to_string();
    let text = text
        .strip_prefix("`cargo metadata` exited with an error:")
        .unwrap_or(&text);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines
        .iter()
        .find_map(|l| l.strip_prefix("error:"))
        .map_or_else(
            || lines.join(" "),
            |l| {
                // cargo puts the cause on "Caused by:" lines below; keep the last one.
                let cause = lines
                    .iter()
                    .skip_while(|l| !l.starts_with("Caused by"))
                    .nth(1);
                match cause {
                    Some(c) => format!("{}: {c}", l.trim()),
                    None => l.trim().to_string(),
                }
            },
        )
}

/// The build graph of a workspace from the cache, else from `cargo metadata --locked`
/// (then cached); `true` when it came from the cache.
pub fn resolve_cached(
    ws: &Workspace,
    lockfile: &Path,
    offline: bool,
) -> Result<(BuildGraph, bool), cargo_metadata::Error> {
    let options = cargo_options(offline);
    let key = options.join(" ");
    let cache = cache::path(&ws.target_dir, &ws.root);
    if let Some(graph) = cache::load(&cache, &key) {
        return Ok((graph, true));
    }
    let mut cmd = cargo_metadata::MetadataCommand::new();
    cmd.manifest_path(ws.root.join("Cargo.toml"));
    cmd.other_options(options);
    let metadata = cmd.exec()?;
    let mut inputs = vec![lockfile.to_path_buf()];
    inputs.extend(
        metadata
            .packages
            .iter()
            .filter(|p| p.source.is_none())
            .map(|p| p.manifest_path.clone().into_std_path_buf()),
    );
    inputs.extend(cache::cargo_configs(&ws.root));
    let graph = BuildGraph::from_metadata(&metadata);
    cache::store(&cache, &key, &inputs, &graph);
    Ok((graph, false))
}

/// The metadata and build graph of `manifest` with `features` on (none: the default build),
/// resolved with `--locked`, never cached (each feature set is its own graph).
pub fn resolve_with_features(
    manifest: &Path,
    features: &[String],
    offline: bool,
) -> Result<(cargo_metadata::Metadata, BuildGraph), cargo_metadata::Error> {
    let mut cmd = cargo_metadata::MetadataCommand::new();
    cmd.manifest_path(manifest);
    if !features.is_empty() {
        cmd.features(cargo_metadata::CargoOpt::SomeFeatures(features.to_vec()));
    }
    cmd.other_options(cargo_options(offline));
    let metadata = cmd.exec()?;
    let graph = BuildGraph::from_metadata(&metadata);
    Ok((metadata, graph))
}

/// `--locked`, and `--offline` when asked: a scan never rewrites the lockfile.
fn cargo_options(offline: bool) -> Vec<String> {
    let mut options = vec!["--locked".to_string()];
    if offline {
        options.push("--offline".into());
    }
    options
}
