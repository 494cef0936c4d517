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
fn stale_database_result_had_no_location_and_an_absolute_lockfile_path_was_a_relative_uri() {
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
    let notes = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n["descriptor"]["id"] == "advisory.db-stale"),
        "{notes:?}"
    );
}
