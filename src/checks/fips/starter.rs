//! The `[fips]` section of the starter `palisade.toml` (`cargo palisade init`): enabled only
//! when the project already has a FIPS build (a cargo feature, a build target, a FIPS switch
//! in the build files) for it to check.

use std::path::Path;

/// A FIPS build the project already has: what `[fips]` should check.
#[derive(Debug, Default, PartialEq)]
struct FipsBuild {
    /// Cargo features that switch FIPS on (`[features] fips = …`).
    features: Vec<String>,
    /// The build file's FIPS target and default build target.
    targets: Option<(String, String)>,
    /// Where a FIPS switch was seen without a build target to check (a Dockerfile, a script).
    elsewhere: Option<String>,
}

/// Looks for a FIPS build: a cargo feature, a Makefile/justfile target, or a FIPS switch in
/// the build files at the top of the project. Only then does `[fips]` have something to check.
fn fips_build(dir: &Path) -> FipsBuild {
    let mut found = FipsBuild::default();
    if let Ok(text) = std::fs::read_to_string(dir.join("Cargo.toml"))
        && let Ok(manifest) = text.parse::<toml::Table>()
        && let Some(features) = manifest.get("features").and_then(|f| f.as_table())
    {
        found.features = features
            .keys()
            .filter(|k| k.to_ascii_lowercase().contains("fips"))
            .cloned()
            .collect();
    }
    if let Some(file) = crate::checks::fips::wiring::find(dir)
        && let Ok(text) = std::fs::read_to_string(&file)
    {
        let names = crate::checks::fips::wiring::target_names(&text);
        let fips = names
            .iter()
            .find(|n| n.to_ascii_lowercase().contains("fips"));
        let build = names.iter().find(|n| *n == "build").or_else(|| {
            names
                .iter()
                .find(|n| !n.to_ascii_lowercase().contains("fips"))
        });
        if let (Some(fips), Some(build)) = (fips, build) {
            found.targets = Some((fips.clone(), build.clone()));
        }
    }
    const SWITCHES: [&str; 4] = [
        "GOEXPERIMENT=boringcrypto",
        "GOFIPS140",
        "fips140=on",
        "requirefips",
    ];
    let candidates = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.starts_with("Dockerfile")
                    || n.ends_with(".sh")
                    || n.starts_with(".goreleaser")
                    || n.eq_ignore_ascii_case("makefile")
                    || n.eq_ignore_ascii_case("justfile")
            })
        });
    for path in candidates {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if SWITCHES.iter().any(|s| text.contains(s)) {
            found.elsewhere = path.file_name().map(|n| n.to_string_lossy().into_owned());
            break;
        }
    }
    found
}

/// The `[fips]` section for the project in `dir`, when it has a FIPS build to check (or a
/// FIPS switch to list binaries for, commented out).
pub fn section(dir: &Path) -> Option<String> {
    let cargo = dir.join("Cargo.toml").is_file();
    let fips = fips_build(dir);
    let mut out = String::new();
    let (fips_target, build_target) = fips
        .targets
        .clone()
        .unwrap_or_else(|| ("fips-build".into(), "build".into()));
    let features = if fips.features.is_empty() {
        vec!["fips".to_string()]
    } else {
        fips.features.clone()
    };
    let table = format!(
        "[fips]\n\
         fips-features = {features:?}\n\
         build-target = \"{build_target}\"\n\
         fips-target = \"{fips_target}\"\n\
         status-stamp = \"FIPSMode=true\"\n\n\
         # [[fips.binaries]]\n\
         # path = \"bin/server\"\n\
         # expect = \"non-fips\"\n"
    );
    if (cargo && !fips.features.is_empty()) || fips.targets.is_some() {
        let what = match (&fips.targets, fips.features.first()) {
            (Some((target, _)), _) => format!("the `{target}` build target"),
            (None, Some(feature)) => format!("the cargo feature `{feature}`"),
            (None, None) => "a FIPS build".into(),
        };
        out.push_str(&format!(
            "\n# Found {what}: FIPS must be a separate, opt-in build.\n{table}"
        ));
    } else if let Some(file) = &fips.elsewhere {
        // A switch with nothing to check against yet: list the binaries to turn it on.
        let commented: String = table
            .lines()
            .map(|l| format!("# {l}\n").replace("# # ", "# "))
            .collect();
        out.push_str(&format!(
            "\n# {file} sets a FIPS switch: list the FIPS and default binaries, then uncomment.\n{commented}"
        ));
    }
    (!out.is_empty()).then_some(out)
}
