//! The advisories check's inputs: a database or lockfile that holds nothing to check is a
//! failure to look (exit 2, naming it), never a clean "0 advisories" / "0 packages" pass.

use crate::common::*;
use std::path::Path;

fn scan(lockfile: &Path, db: &Path) -> Run {
    palisade(&[
        "advisories",
        "--lockfile",
        lockfile.to_str().unwrap(),
        "--advisory-db",
        db.to_str().unwrap(),
    ])
}

#[test]
fn advisory_db_with_empty_crates_folder_passed_with_0_advisories() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("advisory-db");
    std::fs::create_dir_all(db.join("crates")).unwrap();
    let run = scan(&fixtures().join("app/Cargo.lock"), &db);
    assert_error(
        &run,
        &[
            db.to_str().unwrap(),
            "no advisories",
            "cargo palisade db fetch",
        ],
    );
    // Crate folders with no advisory file in them are no better.
    std::fs::create_dir_all(db.join("crates/itoa")).unwrap();
    let run = scan(&fixtures().join("app/Cargo.lock"), &db);
    assert_error(&run, &[db.to_str().unwrap(), "no advisories"]);
}

#[test]
fn advisory_db_without_crates_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let run = scan(&fixtures().join("app/Cargo.lock"), dir.path());
    assert_error(&run, &[dir.path().to_str().unwrap(), "no `crates/` folder"]);
}

#[test]
fn advisory_db_path_that_is_a_file_was_called_missing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("advisory-db");
    std::fs::write(&file, "").unwrap();
    let run = scan(&fixtures().join("app/Cargo.lock"), &file);
    assert_error(&run, &[file.to_str().unwrap(), "is a file, not a folder"]);
}

#[test]
fn empty_lockfile_passed_with_0_packages() {
    let run = scan(&fixtures().join("bad/empty.lock"), &fixtures().join("db"));
    assert_error(
        &run,
        &[
            "bad/empty.lock",
            "no packages",
            "is this the lockfile cargo generated?",
        ],
    );
}

#[test]
fn lockfile_with_only_a_version_passed_with_0_packages() {
    let run = scan(
        &fixtures().join("bad/no-packages.lock"),
        &fixtures().join("db"),
    );
    assert_error(&run, &["bad/no-packages.lock", "no packages"]);
}

#[test]
fn lockfile_whose_packages_lack_versions_names_the_file() {
    let run = scan(
        &fixtures().join("bad/no-versions.lock"),
        &fixtures().join("db"),
    );
    assert_error(
        &run,
        &[
            "bad/no-versions.lock:5:",
            "not a valid Cargo.lock",
            "version",
        ],
    );
}

#[test]
fn gate_passed_on_an_empty_lockfile() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("clean"), dir.path());
    std::fs::write(dir.path().join("Cargo.lock"), "").unwrap();
    let db = fixtures().join("db");
    let run = palisade_in(dir.path(), &["gate", "--advisory-db", db.to_str().unwrap()]);
    assert_error(&run, &["Cargo.lock", "no packages"]);
}

#[test]
fn uninstalled_pinned_toolchain_made_cargo_fail_and_the_scan_abort() {
    fetch_fixture_crates();
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("app"), dir.path());
    std::fs::write(
        dir.path().join("rust-toolchain.toml"),
        "[toolchain]\nchannel = \"1.40.0\"\n",
    )
    .unwrap();
    // What rustup's cargo says when the pinned toolchain is not installed (and it cannot
    // fetch one): cargo itself does not run.
    let cargo = dir.path().join("cargo-without-toolchain");
    std::fs::write(
        &cargo,
        "#!/bin/sh\necho \"error: toolchain '1.40.0-x86_64-unknown-linux-gnu' is not installed\" >&2\nexit 1\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = finish(
        command(dir.path())
            .env("CARGO", &cargo)
            .args(["advisories", "--advisory-db"])
            .arg(fixtures().join("db"))
            .args(["--format", "json"])
            .output()
            .unwrap(),
    );
    // The lockfile is still judged, every advisory counted as reachable (fail closed).
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = json(&run);
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"advisory.graph-unavailable"), "{rules:?}");
    assert!(rules.contains(&"advisory.vulnerability"), "{rules:?}");
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "advisory.vulnerability")
            .all(|f| f["reachability"] == "unknown"),
        "{doc}"
    );
}
