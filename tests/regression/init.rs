//! After `init`, `gate` judges the project (exit 0 or 1) and never fails to run (exit 2):
//! `init` enabled `[fips]` for any `go.mod`, and the next gate stopped on a FIPS build the
//! project did not have.

use crate::common::*;
use std::path::Path;

fn git_repo(dir: &Path) {
    for args in [
        &["init", "-q", "-b", "main"][..],
        &["config", "user.name", "T"],
        &["config", "user.email", "t@example.invalid"],
    ] {
        git_in(dir, args);
    }
}

fn commit_all(dir: &Path) {
    git_in(dir, &["add", "-A"]);
    git_in(dir, &["commit", "-qm", "init"]);
}

fn init_then_gate(dir: &Path) -> Run {
    let init = palisade_in(dir, &["init"]);
    assert_eq!(init.code, 0, "{}", init.stderr);
    let check = palisade_in(dir, &["config", "check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    let db = fixtures().join("db");
    let go_db = root().join("fixtures/go-vulndb");
    palisade_in(
        dir,
        &[
            "gate",
            "--advisory-db",
            db.to_str().unwrap(),
            "--go-vulndb",
            go_db.to_str().unwrap(),
        ],
    )
}

#[test]
fn init_enabled_fips_for_a_go_module_and_the_gate_exited_2() {
    let dir = tempfile::tempdir().unwrap();
    git_repo(dir.path());
    std::fs::write(
        dir.path().join("go.mod"),
        "module example.com/svc\n\ngo 1.22\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("main.go"),
        "package main\n\nfunc main() {}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("Makefile"), "build:\n\tgo build ./...\n").unwrap();
    commit_all(dir.path());
    let run = init_then_gate(dir.path());
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
}

#[test]
fn gate_after_init_judges_every_kind_of_project() {
    fetch_fixture_crates();
    // A plain cargo project (the app fixture: a vulnerable crate, exit 1).
    let cargo = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("app"), cargo.path());
    git_repo(cargo.path());
    commit_all(cargo.path());
    // Rust and Go side by side.
    let both = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("clean"), both.path());
    std::fs::write(
        both.path().join("go.mod"),
        "module example.com/svc\n\ngo 1.22\n",
    )
    .unwrap();
    git_repo(both.path());
    commit_all(both.path());
    // A Node project.
    let node = tempfile::tempdir().unwrap();
    std::fs::write(node.path().join("package.json"), "{\"name\": \"svc\"}\n").unwrap();
    std::fs::write(
        node.path().join("package-lock.json"),
        "{\"lockfileVersion\": 3}\n",
    )
    .unwrap();
    git_repo(node.path());
    commit_all(node.path());
    // An empty repository: no commit yet.
    let empty = tempfile::tempdir().unwrap();
    git_repo(empty.path());
    for (name, dir, code) in [
        ("cargo", &cargo, 1),
        ("rust+go", &both, 0),
        ("node", &node, 0),
        ("empty", &empty, 0),
    ] {
        let run = init_then_gate(dir.path());
        assert_eq!(run.code, code, "{name}: {}\n{}", run.stdout, run.stderr);
    }
}

#[test]
fn go_and_node_dependencies_were_silently_unchecked() {
    let dir = tempfile::tempdir().unwrap();
    git_repo(dir.path());
    std::fs::write(dir.path().join("go.mod"), "module example.com/svc\n").unwrap();
    std::fs::write(dir.path().join("go.sum"), "").unwrap();
    std::fs::write(dir.path().join("package-lock.json"), "{}\n").unwrap();
    commit_all(dir.path());
    let go_db = root().join("fixtures/go-vulndb");
    let go_db = go_db.to_str().unwrap();
    // Go modules are the go check's now: without a Go database the gate cannot look.
    let run = palisade_in(dir.path(), &["gate", "--format", "json"]);
    assert_error(&run, &["no Go vulnerability database at", "--go-vulndb"]);
    let run = palisade_in(
        dir.path(),
        &["gate", "--format", "json", "--go-vulndb", go_db],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run);
    assert!(check_names(&doc).contains(&"go"), "{doc}");
    let notices: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "gate.dependencies-unchecked")
        .map(|f| f["locations"][0]["path"].as_str().unwrap())
        .collect();
    assert_eq!(notices, ["package-lock.json"], "{doc}");
    // With the scanner's SARIF imported, the user took care of it: no notice.
    let sarif = dir.path().join("govulncheck.sarif");
    std::fs::write(
        &sarif,
        r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"govulncheck"}},"results":[]}]}"#,
    )
    .unwrap();
    let run = palisade_in(
        dir.path(),
        &[
            "gate",
            "--format",
            "json",
            "--go-vulndb",
            go_db,
            "--import-sarif",
            sarif.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        !run.stdout.contains("gate.dependencies-unchecked"),
        "{}",
        run.stdout
    );
}
