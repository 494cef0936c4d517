//! The Rust side of FIPS wiring: which FIPS providers each build's resolved dependency graph
//! contains. `Cargo.lock` lists FIPS crates even for a default build (it is resolved with
//! every feature on), so the graph is resolved with `cargo metadata` for the features of each
//! build, and a marker counts only when it is in that graph with its FIPS feature on.

use std::path::Path;

/// A crate (optionally with one of its features) that means "a FIPS module is linked".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    /// Crate name.
    pub krate: &'static str,
    /// The feature that makes it FIPS; `None` when the crate itself is the FIPS module.
    pub feature: Option<&'static str>,
}

/// The built-in markers.
pub const MARKERS: &[Marker] = &[
    Marker {
        krate: "aws-lc-fips-sys",
        feature: None,
    },
    Marker {
        krate: "aws-lc-rs",
        feature: Some("fips"),
    },
    Marker {
        krate: "rustls",
        feature: Some("fips"),
    },
    Marker {
        krate: "boring",
        feature: Some("fips"),
    },
    Marker {
        krate: "boring-sys",
        feature: Some("fips"),
    },
    Marker {
        krate: "openssl",
        feature: Some("fips"),
    },
];

/// A marker found in a build's graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provider {
    /// `name version` and, for feature markers, `with feature fips`.
    pub what: String,
    /// The dependency path from a workspace member.
    pub path: Vec<String>,
}

/// Resolves the graph of `manifest` with `features` (none: the default build) and returns the
/// FIPS providers in it.
pub fn providers(
    manifest: &Path,
    features: &[String],
    offline: bool,
    extra: &[(String, Option<String>)],
) -> Result<Vec<Provider>, String> {
    let (metadata, graph) = crate::cargo::resolve_with_features(manifest, features, offline)
        .map_err(|e| crate::output::one_line(&e.to_string()))?;
    let Some(resolve) = &metadata.resolve else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for node in &resolve.nodes {
        let Some(package) = metadata.packages.iter().find(|p| p.id == node.id) else {
            continue;
        };
        let markers = MARKERS
            .iter()
            .map(|m| (m.krate, m.feature))
            .chain(extra.iter().map(|(k, f)| (k.as_str(), f.as_deref())));
        for (_, feature) in markers.filter(|(k, _)| package.name.as_str() == *k) {
            let enabled = match feature {
                None => true,
                Some(f) => node.features.iter().any(|g| g.as_str() == f),
            };
            let placement = graph.placement(package.name.as_str(), &package.version.to_string());
            if enabled && placement.reachability != crate::finding::Reachability::NotInGraph {
                found.push(Provider {
                    what: match feature {
                        None => format!("{} {}", package.name, package.version),
                        Some(f) => {
                            format!("{} {} with feature `{f}`", package.name, package.version)
                        }
                    },
                    path: placement.path,
                });
            }
        }
    }
    // The provider nearest a workspace member first: that is the one the user's feature pulled.
    found.sort_by_key(|p| p.path.len());
    Ok(found)
}
