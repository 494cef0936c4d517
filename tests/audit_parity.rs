//! Parity with cargo-audit on the real RustSec database (`../shared/advisory-db`) and a real
//! lockfile (fixtures/advisories/real): the same advisory ids, every difference in what fails
//! explained by the build-graph marking or the severity threshold.
//!
//! Needs the shared database and `cargo audit`, so it is ignored by a plain `cargo test`;
//! CI runs it with `--ignored`, where their absence is a failure, never a skip.

mod common;

use common::*;
use std::collections::BTreeSet;
use std::process::Command;

fn shared_db() -> Option<std::path::PathBuf> {
    let db = root().join("../shared/advisory-db");
    db.join("crates").is_dir().then_some(db)
}

fn cargo_audit_available() -> bool {
    Command::new("cargo")
        .args(["audit", "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn prerequisites() -> std::path::PathBuf {
    assert!(
        cargo_audit_available(),
        "needs `cargo install --locked cargo-audit`"
    );
    shared_db().expect("needs the RustSec database at ../shared/advisory-db")
}

/// cargo-audit's vulnerability ids and informational (warning) ids.
fn cargo_audit(db: &std::path::Path) -> (BTreeSet<String>, BTreeSet<String>) {
    let out = Command::new("cargo")
        .args(["audit", "--no-fetch", "--json", "--db"])
        .arg(db)
        .arg("-f")
        .arg(fixtures().join("real/Cargo.lock"))
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "cargo audit JSON: {e}: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let vulns = doc["vulnerabilities"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["advisory"]["id"].as_str().unwrap().to_string())
        .collect();
    let warnings = doc["warnings"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|list| list.as_array().unwrap().iter())
        .filter_map(|w| w["advisory"]["id"].as_str().map(String::from))
        .collect();
    (vulns, warnings)
}

fn palisade_ids(doc: &serde_json::Value, vulnerability: bool) -> BTreeSet<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["subject"]["id"].is_string())
        .filter(|f| (f["rule"] == "advisory.vulnerability") == vulnerability)
        .map(|f| f["subject"]["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
#[ignore = "needs cargo-audit and ../shared/advisory-db; CI runs it with --ignored"]
fn same_advisories_as_cargo_audit_with_differences_explained() {
    let db = prerequisites();
    let (audit_vulns, audit_warnings) = cargo_audit(&db);
    assert!(
        audit_vulns.len() >= 5,
        "fixture lost its advisories: {audit_vulns:?}"
    );
    let db = db.to_str().unwrap();

    // Lockfile-only: exactly what cargo-audit sees.
    let run = palisade(&[
        "advisories",
        "--lockfile",
        "real/Cargo.lock",
        "--advisory-db",
        db,
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = json(&run);
    assert_eq!(palisade_ids(&doc, true), audit_vulns);
    assert_eq!(palisade_ids(&doc, false), audit_warnings);

    // With the build graph: the same ids; only the marking differs.
    let run = palisade(&[
        "advisories",
        "--manifest-path",
        "real/Cargo.toml",
        "--advisory-db",
        db,
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = json(&run);
    assert_eq!(palisade_ids(&doc, true), audit_vulns);
    for finding in doc["findings"].as_array().unwrap() {
        if finding["rule"] != "advisory.vulnerability" {
            continue;
        }
        let id = finding["subject"]["id"].as_str().unwrap();
        let failing = finding["status"] == "failing";
        let below_threshold = matches!(
            finding["effective_severity"].as_str(),
            Some("low" | "medium" | "info")
        );
        let not_in_graph = finding["reachability"] == "not-in-graph";
        // cargo-audit fails on every one of them; each one we do not fail on has a reason.
        assert!(
            failing || below_threshold || not_in_graph,
            "{id} neither fails nor is explained: {finding}"
        );
        if id == "RUSTSEC-2023-0071" {
            assert_eq!(
                finding["reachability"], "not-in-graph",
                "rsa is behind a feature that is off"
            );
        }
    }
}
