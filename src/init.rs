//! `cargo palisade init`: a commented starter `palisade.toml` fitted to what is in the folder
//! (a cargo workspace, a git repository, a FIPS build: a cargo feature, a build target, a
//! FIPS switch in the build files), and for a repository with history, commented allow
//! entries for the secrets its test, fixture and example files hold, with the exact rule ids
//! found there (never for secrets elsewhere: those must be fixed, not allowed).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Folders whose files are tests, fixtures or examples: the secrets in them are usually fakes
/// planted on purpose. Compared with each folder of a path, exactly.
const FIXTURE_DIRS: &[&str] = &[
    "test",
    "tests",
    "testdata",
    "test-data",
    "test_data",
    "fixtures",
    "fixture",
    "__fixtures__",
    "examples",
    "example",
    "__tests__",
    "__mocks__",
    "spec",
    "specs",
];

/// Test file names, as `.gitignore`-style globs without a `/` (they match at any depth).
const FIXTURE_FILES: &[&str] = &[
    "*_test.go",
    "*.test.ts",
    "*.test.tsx",
    "*.test.js",
    "*.test.jsx",
    "*.spec.ts",
    "*.spec.js",
    "test_*.py",
    "*_test.py",
    "*_spec.rb",
    "*Test.java",
    "*Tests.cs",
];

/// The glob an allow entry would use for `path` when it is a test, fixture or example file:
/// its outermost fixture folder (`testdata/`), else its test file pattern (`*_test.go`).
/// Both come from the lists above, never from the path, so nothing of the repository is
/// written into the starter but rule ids.
fn fixture_glob(path: &str) -> Option<&'static str> {
    let mut parts: Vec<&str> = path.split('/').collect();
    let file = parts.pop()?;
    let dir = parts
        .iter()
        .find_map(|d| FIXTURE_DIRS.iter().position(|f| f == d));
    if let Some(i) = dir {
        return Some(DIR_GLOBS[i]);
    }
    FIXTURE_FILES.iter().copied().find(|pattern| {
        globset::Glob::new(pattern)
            .map(|g| g.compile_matcher().is_match(file))
            .unwrap_or(false)
    })
}

/// [`FIXTURE_DIRS`] as folder globs, in the same order.
const DIR_GLOBS: &[&str] = &[
    "test/",
    "tests/",
    "testdata/",
    "test-data/",
    "test_data/",
    "fixtures/",
    "fixture/",
    "__fixtures__/",
    "examples/",
    "example/",
    "__tests__/",
    "__mocks__/",
    "spec/",
    "specs/",
];

/// The secrets of `repo`'s whole history that sit in test, fixture and example files, as
/// allow entries to propose: path glob → the rule ids found under it. Secrets elsewhere are
/// left out: they must be fixed.
pub fn fixture_allows(
    repo: &Path,
) -> Result<BTreeMap<&'static str, BTreeSet<String>>, crate::checks::secrets::SecretsError> {
    let target = crate::checks::secrets::Target {
        path: repo.to_path_buf(),
        limits: crate::checks::secrets::Limits {
            max_blob_size: crate::checks::secrets::DEFAULT_MAX_BLOB_SIZE,
            scan_binary: false,
        },
        show_secrets: false,
        scope: crate::checks::secrets::Scope::History,
        range: None,
        allow_patterns: Vec::new(),
    };
    let rules = crate::checks::secrets::rule_set(&[])?;
    let outcome = crate::checks::secrets::run(&target, &rules, &crate::checks::secrets::Silent)?;
    let mut found: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    for finding in &outcome.findings {
        let Some(subject) = finding
            .subject
            .as_ref()
            .filter(|_| finding.rule.starts_with("secret."))
        else {
            continue;
        };
        for place in crate::policy::finding_places(finding) {
            if let Some(glob) = fixture_glob(&place.path) {
                found.entry(glob).or_default().insert(subject.id.clone());
            }
        }
    }
    Ok(found)
}

/// The starter's allow proposals for the repository in `dir`, commented out with `reason` and
/// `ticket` left blank: `config check` refuses them until the user fills both in.
fn allow_proposals(dir: &Path) -> String {
    let found = match fixture_allows(dir) {
        Ok(found) => found,
        // A starter is not a gate: say the history could not be read, and write the rest.
        Err(e) => {
            let why: String = crate::output::one_line(&e.to_string())
                .chars()
                .take(200)
                .collect();
            return format!(
                "\n# The history could not be scanned for test fixtures ({why}); run\n\
                 # `cargo palisade secrets` to see what it holds.\n"
            );
        }
    };
    if found.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "\n# Secrets found in test, fixture and example files of the history. If they are fakes,\n\
         # fill in `reason` and `ticket`, then uncomment (`config check` refuses them blank).\n\
         # Secrets found anywhere else are not listed: they must be removed and rotated.\n",
    );
    for (glob, rules) in &found {
        let rules: Vec<String> = rules.iter().map(|r| format!("\"{r}\"")).collect();
        out.push_str(&format!(
            "#\n# [[secrets.allow]]\n# rules = [{}]\n# paths = [\"{glob}\"]\n# reason = \"\"\n# ticket = \"\"\n",
            rules.join(", ")
        ));
    }
    out
}

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
             # paths = [\"tests/fixtures/\"]     # .gitignore style: `dir/`, `*_test.go` at any depth\n\
             # reason = \"fake tokens the tests plant\"\n\
             # ticket = \"SEC-2\"\n",
        );
        out.push_str(&allow_proposals(dir));
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
    use crate::config::root::Config;

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
mod allow_tests {
    use super::*;

    #[test]
    fn fixture_paths_get_their_folder_or_file_glob() {
        assert_eq!(fixture_glob("tests/fixtures/a.json"), Some("tests/"));
        assert_eq!(fixture_glob("pkg/x/testdata/a.json"), Some("testdata/"));
        assert_eq!(fixture_glob("pkg/x/a_test.go"), Some("*_test.go"));
        assert_eq!(fixture_glob("web/src/app.test.ts"), Some("*.test.ts"));
        assert_eq!(fixture_glob("src/config.rs"), None);
        // A file named like a folder is not in one.
        assert_eq!(fixture_glob("tests"), None);
        assert_eq!(fixture_glob("src/latest/a.txt"), None);
        assert_eq!(FIXTURE_DIRS.len(), DIR_GLOBS.len());
        for (d, g) in FIXTURE_DIRS.iter().zip(DIR_GLOBS) {
            assert_eq!(format!("{d}/"), *g);
        }
    }
}

#[cfg(test)]
mod fips_tests {
    use super::*;
    use crate::config::root::Config;

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
