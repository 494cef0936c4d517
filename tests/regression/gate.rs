//! `gate` never passes a check it silently dropped: the repository is found upward as git
//! does, a repository that cannot be opened stops the gate, a lockfile without a manifest is
//! scanned, and a `[fips]` table with nothing to check is an error.

use crate::common::*;
use std::path::Path;

const GITHUB_PAT: &str = "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";

/// A repository whose history holds a secret, with the `app` cargo fixture in `svc/`.
fn repo_with_project_in_subfolder() -> tempfile::TempDir {
    fetch_fixture_crates();
    let dir = new_repo();
    copy_dir(&fixtures().join("app"), &dir.path().join("svc"));
    commit_files(
        dir.path(),
        &[("deploy.env", &format!("GITHUB_TOKEN={GITHUB_PAT}\n"))],
        "init",
    );
    dir
}

fn gate_in(cwd: &Path, extra: &[&str]) -> Run {
    fetch_fixture_crates();
    finish(
        command(cwd)
            .args(["gate", "--advisory-db"])
            .arg(fixtures().join("db"))
            .args(["--format", "json"])
            .args(extra)
            .output()
            .unwrap(),
    )
}

#[test]
fn gate_dropped_secrets_when_run_in_a_repository_subfolder() {
    let dir = repo_with_project_in_subfolder();
    let run = gate_in(&dir.path().join("svc"), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = json(&run);
    assert!(check_names(&doc).contains(&"secrets"), "{doc}");
    assert!(run.stdout.contains("secret.github-pat"), "{}", run.stdout);
}

#[test]
fn gate_dropped_secrets_with_manifest_path_into_a_subfolder() {
    let dir = repo_with_project_in_subfolder();
    let run = gate_in(dir.path(), &["--manifest-path", "svc/Cargo.toml"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = json(&run);
    assert_eq!(check_names(&doc), ["advisories", "secrets"], "{doc}");
}

#[test]
fn gate_dropped_secrets_when_git_config_was_corrupt() {
    let dir = repo_with_project_in_subfolder();
    std::fs::write(dir.path().join(".git/config"), "[core\nbroken = = =\n").unwrap();
    let run = gate_in(&dir.path().join("svc"), &[]);
    assert_error(&run, &["git"]);
}

#[test]
fn gate_dropped_secrets_when_the_gitdir_file_was_broken() {
    let dir = repo_with_project_in_subfolder();
    std::fs::remove_dir_all(dir.path().join(".git")).unwrap();
    std::fs::write(
        dir.path().join(".git"),
        "gitdir: /nonexistent/worktree/.git\n",
    )
    .unwrap();
    let run = gate_in(&dir.path().join("svc"), &[]);
    assert_error(&run, &["git"]);
}

#[test]
fn gate_skipped_advisories_for_a_lockfile_without_a_manifest() {
    fetch_fixture_crates();
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixtures().join("app/Cargo.lock"),
        dir.path().join("Cargo.lock"),
    )
    .unwrap();
    let run = gate_in(dir.path(), &[]);
    let doc = json(&run);
    assert_eq!(check_names(&doc), ["advisories"], "{}", run.stderr);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("advisory.vulnerability"),
        "{}",
        run.stdout
    );
}

#[test]
fn gate_passed_a_manifest_path_that_does_not_exist() {
    let dir = repo_with_project_in_subfolder();
    let run = gate_in(dir.path(), &["--manifest-path", "nope/Cargo.toml"]);
    assert_error(&run, &["nope/Cargo.toml"]);
}

#[test]
fn gate_passed_an_empty_fips_table() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("palisade.toml"), "[fips]\n").unwrap();
    let run = gate_in(dir.path(), &[]);
    assert_error(&run, &["[fips]", "nothing to check"]);
}

#[test]
fn one_check_that_could_not_run_hid_every_other_check() {
    let dir = repo_with_project_in_subfolder();
    let sarif = sarif_dir().join("regression-gate-check-error.sarif");
    let json_file = dir.path().join("r.json");
    let run = finish(
        command(&dir.path().join("svc"))
            .args(["gate", "--advisory-db", "/nonexistent/advisory-db"])
            .args(every_format(&sarif, &json_file))
            .output()
            .unwrap(),
    );
    // Exit 2 (the gate could not do its whole job), one error line naming the check…
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("advisories"), "{}", run.stderr);
    // …and the other checks still reported, the broken one marked in every format.
    assert!(run.stdout.contains("secret.github-pat"), "{}", run.stdout);
    assert!(run.stdout.contains("could not run"), "{}", run.stdout);
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json_file).unwrap()).unwrap();
    assert_eq!(doc["result"]["passed"], false);
    assert_eq!(doc["result"]["errors"], serde_json::json!(["advisories"]));
    let log: serde_json::Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    let runs = log["runs"].as_array().unwrap();
    let by_id = |id: &str| {
        runs.iter()
            .find(|r| r["automationDetails"]["id"] == id)
            .unwrap_or_else(|| panic!("no run {id}: {log}"))
    };
    assert_eq!(
        by_id("palisade/advisories/")["invocations"][0]["executionSuccessful"],
        false
    );
    assert_eq!(
        by_id("palisade/secrets/")["invocations"][0]["executionSuccessful"],
        true
    );
}
