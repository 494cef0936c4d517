//! The `[secrets]` section of the starter `palisade.toml` (`cargo palisade init`): for a
//! repository with history, commented allow entries for the secrets its test, fixture and
//! example files hold, with the exact rule ids found there (never for secrets elsewhere:
//! those must be fixed, not allowed).

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
            delta_base_cache: crate::checks::secrets::DEFAULT_DELTA_BASE_CACHE,
        },
        show_secrets: false,
        scope: crate::checks::secrets::Scope::History,
        range: None,
        allow_patterns: Vec::new(),
        cache: crate::checks::secrets::record::Cache::Off,
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

/// The `[secrets]` section for the repository in `dir`, with its allow proposals.
pub fn section(dir: &Path) -> String {
    let mut out = String::from(
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
    out
}

#[cfg(test)]
mod tests {
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
