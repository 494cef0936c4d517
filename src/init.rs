//! `cargo palisade init`: a commented starter `palisade.toml` fitted to what is in the folder
//! (a cargo workspace, a git repository, a FIPS build: a cargo feature, a build target, a
//! FIPS switch in the build files).

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
    if let Some(file) = crate::fips::wiring::find(dir)
        && let Ok(text) = std::fs::read_to_string(&file)
    {
        let names = crate::fips::wiring::target_names(&text);
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

/// The starter config text for the project in `dir`.
pub fn starter(dir: &Path) -> String {
    let cargo = dir.join("Cargo.toml").is_file();
    let git = dir.join(".git").exists();
    let fips = fips_build(dir);
    let mut out = String::from(
        "# Palisade config; README.md documents every key. `cargo palisade config check` validates it.\n\
         # Every suppression needs a reason; secrets allow entries need a ticket too.\n\n\
         [policy]\n\
         fail-on = \"high\"            # critical | high | medium | low | any\n\
         deny-warnings = false       # true: stale DB, informational advisories, shallow clones fail\n\
         unrated-severity = \"high\"   # advisories without a CVSS score\n\
         fail-not-in-graph = false   # vulnerabilities in no build graph are reported, not failing\n",
    );
    if cargo {
        out.push_str(
            "\n# Found a cargo project: RustSec advisories on its Cargo.lock.\n\
             [advisories]\n\
             # db = \"../advisory-db\"     # else --advisory-db, $PALISADE_ADVISORY_DB, $CARGO_HOME/advisory-db\n\
             stale-after-days = 90\n\
             informational = [\"unmaintained\", \"unsound\", \"notice\"]\n\n\
             # [[advisories.ignore]]\n\
             # id = \"RUSTSEC-2023-0071\"\n\
             # reason = \"why it does not affect us\"\n\
             # ticket = \"SEC-1\"\n\
             # expires = 2027-01-01\n",
        );
    }
    if git {
        out.push_str(
            "\n# Found a git repository: secrets in its whole history (`gate --since origin/main` in PRs).\n\
             [secrets]\n\
             max-blob-size = 67108864\n\n\
             # [[secrets.allow]]\n\
             # rule = \"secret.github-pat\"\n\
             # paths = [\"tests/fixtures/**\"]\n\
             # reason = \"fake tokens the tests plant\"\n\
             # ticket = \"SEC-2\"\n",
        );
    }
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
    out.push_str(
        "\n# Other tools' SARIF (gosec, govulncheck, clippy-sarif, semgrep…), judged by the same policy.\n\
         # [[import]]\n\
         # tool = \"gosec\"\n\
         # sarif = \"gosec.sarif\"\n\
         # fail-on = \"medium\"        # optional: this tool's own threshold\n\
         #\n\
         # [[import.ignore]]\n\
         # rule = \"G104\"\n\
         # reason = \"why it is safe here\"\n\
         # ticket = \"SEC-3\"\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::config::Config;

    #[test]
    fn starters_are_valid_configs() {
        for files in [
            &[][..],
            &["Cargo.toml"][..],
            &["Cargo.toml", ".git", "go.mod"][..],
        ] {
            let dir = tempfile::tempdir().unwrap();
            for f in files {
                if *f == ".git" {
                    std::fs::create_dir(dir.path().join(f)).unwrap();
                } else {
                    std::fs::write(dir.path().join(f), "").unwrap();
                }
            }
            let text = starter(dir.path());
            let config = Config::parse(&text, Path::new("palisade.toml")).unwrap();
            // A Go module alone is no FIPS build: nothing for [fips] to check.
            assert!(!config.fips.enabled, "{text}");
            assert_eq!(text.contains("[advisories]"), files.contains(&"Cargo.toml"));
        }
    }
}

#[cfg(test)]
mod fips_tests {
    use super::*;
    use crate::policy::config::Config;

    fn starter_with(files: &[(&str, &str)]) -> (String, Config) {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let text = starter(dir.path());
        let config = Config::parse(&text, Path::new("palisade.toml")).unwrap();
        (text, config)
    }

    #[test]
    fn init_enabled_fips_for_any_go_module() {
        let (text, config) = starter_with(&[("go.mod", "module x\n\ngo 1.22\n")]);
        assert!(!config.fips.enabled, "{text}");
        // A FIPS switch in a Dockerfile: suggested, not enabled (no binary to check yet).
        let (text, config) = starter_with(&[
            ("go.mod", "module x\n"),
            (
                "Dockerfile",
                "RUN GOEXPERIMENT=boringcrypto go build ./...\n",
            ),
        ]);
        assert!(!config.fips.enabled, "{text}");
        assert!(
            text.contains("# [fips]") && text.contains("Dockerfile sets a FIPS switch"),
            "{text}"
        );
    }

    #[test]
    fn fips_is_enabled_with_the_names_the_project_uses() {
        let (text, config) = starter_with(&[
            (
                "Cargo.toml",
                "[package]\nname = \"x\"\n[features]\nfips-mode = [\"dep:y\"]\n",
            ),
            (
                "Makefile",
                "compile:\n\tcargo build\nrelease-fips:\n\tcargo build --features fips-mode\n",
            ),
        ]);
        assert!(config.fips.enabled, "{text}");
        assert_eq!(
            config.fips.fips_features,
            Some(vec!["fips-mode".to_string()])
        );
        assert_eq!(config.fips.fips_target.as_deref(), Some("release-fips"));
        assert_eq!(config.fips.build_target.as_deref(), Some("compile"));
    }
}
