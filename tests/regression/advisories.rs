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
