//! `cargo palisade gate`: every check under one policy, one set of reports.

mod common;

use common::*;
use std::path::Path;

/// The advisories `app` fixture as a git repository with a committed secret.
fn project() -> tempfile::TempDir {
    fetch_fixture_crates();
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("app"), dir.path());
    std::fs::write(
        dir.path().join("deploy.env"),
        "GITHUB_TOKEN=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\n",
    )
    .unwrap();
    git_in(dir.path(), &["init", "-q", "-b", "main"]);
    git_in(
        dir.path(),
        &[
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@example.invalid",
            "add",
            "-A",
        ],
    );
    git_in(
        dir.path(),
        &[
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@example.invalid",
            "commit",
            "-q",
            "-m",
            "init",
        ],
    );
    dir
}

fn gate(dir: &Path, extra: &[&str]) -> Run {
    let db = fixtures().join("db");
    finish(
        command(dir)
            .args(["gate", "--advisory-db"])
            .arg(&db)
            .args(extra)
            .output()
            .unwrap(),
    )
}

#[test]
fn runs_every_check_with_one_verdict_and_one_sarif_run_per_check() {
    let dir = project();
    let sarif = sarif_dir().join("gate.sarif");
    let run = gate(dir.path(), &json_and_sarif(&sarif));
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = json(&run);
    let checks = check_names(&doc);
    assert_eq!(checks, ["advisories", "secrets"]);
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"advisory.vulnerability") && rules.contains(&"secret.github-pat"),
        "{rules:?}"
    );
    let sarif: serde_json::Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    let ids: Vec<&str> = sarif["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["automationDetails"]["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.starts_with(&["palisade/advisories/", "palisade/secrets/"]),
        "{ids:?}"
    );
}

#[test]
fn one_policy_for_all_checks() {
    let dir = project();
    std::fs::write(
        dir.path().join("palisade.toml"),
        "[advisories]\nstale-after-days = 36500\n\n[[advisories.ignore]]\nid = \"RUSTSEC-2024-9001\"\nreason = \"fixture\"\n\n[[advisories.ignore]]\nid = \"RUSTSEC-2024-9003\"\nreason = \"dev-only\"\n\n[[secrets.allow]]\nrule = \"secret.github-pat\"\npaths = [\"deploy.env\"]\nreason = \"fake token\"\nticket = \"PAL-6\"\n",
    )
    .unwrap();
    let run = gate(dir.path(), &["--format", "human"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("check        findings  suppressed  failing"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("PASS:"), "{}", run.stdout);
}

#[test]
fn a_check_that_cannot_run_fails_the_gate() {
    let dir = project();
    let run = finish(
        command(dir.path())
            .args(["gate", "--advisory-db", "no/such/db"])
            .output()
            .unwrap(),
    );
    assert_error(&run, &["no advisory database at no/such/db"]);
}

#[test]
fn nothing_to_check() {
    let dir = tempfile::tempdir().unwrap();
    let run = finish(command(dir.path()).arg("gate").output().unwrap());
    assert_error(&run, &["nothing to check"]);
}

#[test]
fn github_annotations_and_step_summary() {
    let dir = project();
    let summary = dir.path().join("summary.md");
    let outputs = dir.path().join("outputs.txt");
    let run = finish(
        command(dir.path())
            .args(["gate", "--advisory-db"])
            .arg(fixtures().join("db"))
            .args(["--format", "github"])
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_OUTPUT", &outputs)
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let secret = run
        .stdout
        .lines()
        .find(|l| l.contains("secret.github-pat"))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(
        secret.starts_with("::error file=deploy.env,line=1,col=14,title=secret.github-pat"),
        "{secret}"
    );
    assert!(
        !run.stdout.contains("WK59PFkl"),
        "annotations must be redacted: {}",
        run.stdout
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.contains("## Palisade gate: ❌ failed"), "{md}");
    assert!(
        md.contains("| advisories |") && md.contains("| secrets |"),
        "{md}"
    );
    assert!(!md.contains("WK59PFkl"), "{md}");
    let outputs = std::fs::read_to_string(&outputs).unwrap();
    assert!(outputs.contains("\npassed=false\n"), "{outputs}");
    let failing: usize = outputs
        .lines()
        .find_map(|l| l.strip_prefix("failing="))
        .unwrap()
        .parse()
        .unwrap();
    assert!(failing >= 1, "{outputs}");
}
