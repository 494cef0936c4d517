//! SARIF that code scanning accepts: every result has a physical location (run-level notices
//! go to the invocation's notifications), and an absolute path is a `file://` URI, never a
//! relative reference that starts with `/`. CI validates the files written here with the
//! SARIF Multitool under both its default and GitHub rules.

use crate::common::*;

fn uris(doc: &serde_json::Value) -> Vec<String> {
    let mut found = Vec::new();
    for run in doc["runs"].as_array().unwrap() {
        for result in run["results"].as_array().unwrap() {
            let locations = result["locations"].as_array();
            assert!(
                locations.is_some_and(|l| !l.is_empty()),
                "a result without a location: {result}"
            );
            for l in locations.unwrap() {
                found.push(
                    l["physicalLocation"]["artifactLocation"]["uri"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                );
            }
        }
    }
    found
}

#[test]
fn absolute_lockfile_path_was_a_relative_uri_and_the_stale_database_had_no_location() {
    fetch_fixture_crates();
    let sarif = sarif_dir().join("regression-stale-absolute.sarif");
    let manifest = fixtures().join("app/Cargo.toml");
    let outside = tempfile::tempdir().unwrap();
    let run = finish(
        command(outside.path())
            // Years after the fixture database's last update: it is stale.
            .env("PALISADE_TODAY", "2031-01-01")
            .args(["advisories", "--manifest-path"])
            .arg(&manifest)
            .arg("--advisory-db")
            .arg(fixtures().join("db"))
            .args(["--format", "sarif", "--output"])
            .arg(&sarif)
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    let uris = uris(&doc);
    assert!(!uris.is_empty());
    for uri in &uris {
        assert!(uri.starts_with("file:///"), "{uri}");
    }
    // The stale database is a result too, at the lockfile it was judged against.
    let stale = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "advisory.db-stale")
        .unwrap_or_else(|| panic!("no stale-database result: {doc}"));
    let uri = stale["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        uri.starts_with("file:///") && uri.ends_with("/Cargo.lock"),
        "{uri}"
    );
}

#[test]
fn shallow_clone_notice_was_a_result_without_a_location() {
    let origin = tempfile::tempdir().unwrap();
    let git = |dir: &std::path::Path, args: &[&str]| git_in(dir, args);
    git(origin.path(), &["init", "-q", "-b", "main"]);
    git(origin.path(), &["config", "user.name", "T"]);
    git(
        origin.path(),
        &["config", "user.email", "t@example.invalid"],
    );
    for n in 0..2 {
        std::fs::write(origin.path().join("f.txt"), format!("{n}\n")).unwrap();
        git(origin.path(), &["add", "."]);
        git(origin.path(), &["commit", "-qm", "c"]);
    }
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    git(clone.path(), &["clone", "-q", "--depth", "1", &url, "."]);
    let sarif = sarif_dir().join("regression-shallow.sarif");
    let run = palisade_in(
        clone.path(),
        &[
            "secrets",
            ".",
            "--format",
            "sarif",
            "--output",
            sarif.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    uris(&doc);
    let notes = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n["descriptor"]["id"] == "secrets.shallow-history"),
        "{notes:?}"
    );
}
