//! `gate` with imported SARIF (`--import-sarif`, `[[import]]`): other tools' results under
//! Palisade's thresholds, suppressions, baseline and reports.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn sarif_fixture(name: &str) -> PathBuf {
    root().join("fixtures/imports").join(name)
}

/// `gate` in an empty folder (no Cargo.toml, no git): only the imports run.
fn gate_in(dir: &Path, args: &[&str]) -> Run {
    finish(command(dir).arg("gate").args(args).output().unwrap())
}

fn import_args(files: &[(&str, Option<&str>)]) -> Vec<String> {
    let mut args = Vec::new();
    for (file, tool) in files {
        args.push("--import-sarif".to_string());
        args.push(sarif_fixture(file).to_string_lossy().into_owned());
        if let Some(tool) = tool {
            args.push("--tool".to_string());
            args.push(tool.to_string());
        }
    }
    args
}

fn finding<'a>(doc: &'a Value, rule: &str, path: &str) -> &'a Value {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["subject"]["id"] == rule && f["locations"][0]["path"] == path)
        .unwrap_or_else(|| panic!("no {rule} at {path} in {doc:#}"))
}

fn run_with(dir: &Path, files: &[(&str, Option<&str>)], extra: &[&str]) -> Run {
    let mut args = import_args(files);
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    gate_in(dir, &refs)
}

#[test]
fn gosec_severities_nosec_and_sarif_run() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = sarif_dir().join("import-gosec.sarif");
    let run = run_with(
        dir.path(),
        &[("gosec.sarif", Some("gosec"))],
        &json_and_sarif(&sarif),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = json(&run);
    assert_eq!(doc["checks"][0]["name"], "import/gosec");
    // Severity from gosec's rule tags.
    let g101 = finding(&doc, "G101", "internal/store/db.go");
    assert_eq!(g101["severity"], "high");
    assert_eq!(g101["status"], "failing");
    assert_eq!(g101["evidence"]["severity_from"], "severity");
    assert_eq!(g101["locations"][0]["line"], 14);
    let g304 = finding(&doc, "G304", "cmd/server/files.go");
    assert_eq!(g304["severity"], "medium");
    assert_eq!(g304["status"], "reported");
    assert_eq!(
        finding(&doc, "G104", "cmd/server/main.go")["severity"],
        "low"
    );
    // A #nosec without a justification is not honoured; one with a reason is.
    let bare = finding(&doc, "G402", "cmd/server/tls.go");
    assert_eq!(bare["status"], "failing");
    assert!(
        bare["message"]
            .as_str()
            .unwrap()
            .contains("without a justification"),
        "{bare}"
    );
    let justified = finding(&doc, "G402", "cmd/server/debug.go");
    assert_eq!(justified["status"], "suppressed");
    assert!(
        justified["by"]["reason"]
            .as_str()
            .unwrap()
            .contains("loopback probe only")
    );
    assert_eq!(doc["result"]["failing"], 2);

    let log: Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["tool"]["driver"]["name"], "gosec");
    assert_eq!(runs[0]["tool"]["driver"]["semanticVersion"], "2.21.4");
    assert_eq!(runs[0]["automationDetails"]["id"], "palisade/import/gosec/");
    let results = runs[0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    assert!(results.iter().any(|r| r["ruleId"] == "G101"
        && r["level"] == "error"
        && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            == "internal/store/db.go"));
    assert_eq!(
        results
            .iter()
            .filter(|r| r.get("suppressions").is_some())
            .count(),
        1
    );
}

#[test]
fn config_imports_with_ignores_thresholds_and_aliases() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("palisade.toml"),
        format!(
            "[[import]]\ntool = \"govulncheck\"\nsarif = \"{}\"\n\n[[import.ignore]]\nrule = \"CVE-2025-22869\"\nreason = \"no SSH server is exposed; sftpd is an internal tool\"\nticket = \"SEC-301\"\n\n[[import]]\ntool = \"semgrep\"\nsarif = \"{}\"\nfail-on = \"medium\"\n\n[[import.ignore]]\nrule = \"G101\"\nreason = \"never matches: this is semgrep\"\n",
            sarif_fixture("govulncheck.sarif").display(),
            sarif_fixture("semgrep.sarif").display()
        ),
    )
    .unwrap();
    let sarif = sarif_dir().join("import-config.sarif");
    let run = gate_in(dir.path(), &json_and_sarif(&sarif));
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = json(&run);
    let checks = check_names(&doc);
    assert_eq!(checks, ["import/govulncheck", "import/semgrep"]);
    assert_eq!(doc["result"]["threshold"], "high; import/semgrep: medium");
    // Suppressed by its CVE alias, naming the config line.
    let called = finding(&doc, "GO-2025-3487", "go.mod");
    assert_eq!(called["status"], "suppressed");
    assert_eq!(called["by"]["origin"]["line"], 5);
    assert_eq!(called["by"]["ticket"], "SEC-301");
    assert_eq!(finding(&doc, "GO-2024-3333", "go.mod")["severity"], "low");
    // security-severity 5.3 → medium, failing under the import's own threshold.
    let md5 = finding(
        &doc,
        "go.lang.security.audit.crypto.use_of_weak_crypto.use-of-md5",
        "internal/auth/token.go",
    );
    assert_eq!(md5["severity"], "medium");
    assert_eq!(md5["subject"]["score"], 5.3);
    assert_eq!(md5["status"], "failing");
    // No level on the result: the rule's default (`error`) → high.
    let sql = finding(
        &doc,
        "go.lang.security.audit.database.string-formatted-query.string-formatted-query",
        "internal/store/query.go",
    );
    assert_eq!(sql["severity"], "high");
    // The ignore that matched nothing is a finding of its own.
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "policy.ignore-unused" && f["evidence"]["ignore_id"] == "G101"),
        "{doc:#}"
    );
    let log: Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    let suppressed: Vec<&Value> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert!(
        suppressed[0]["suppressions"][0]["justification"]
            .as_str()
            .unwrap()
            .contains("SEC-301")
    );
}

#[test]
fn clippy_levels_tool_names_and_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let files = [("clippy.sarif", None), ("semgrep.sarif", None)];
    let baseline = dir.path().join("palisade.baseline.json");
    let first = run_with(
        dir.path(),
        &files,
        &[
            "--format",
            "json",
            "--write-baseline",
            baseline.to_str().unwrap(),
        ],
    );
    // The baseline accepts what is there now.
    assert_eq!(first.code, 0, "{}", first.stderr);
    let doc = json(&first);
    let checks = check_names(&doc);
    assert_eq!(checks, ["import/clippy", "import/semgrep-oss"]);
    assert_eq!(
        finding(&doc, "clippy::unwrap_used", "src/config.rs")["severity"],
        "medium"
    );
    assert_eq!(
        finding(&doc, "clippy::never_loop", "src/net.rs")["severity"],
        "high"
    );
    let again = run_with(
        dir.path(),
        &files,
        &["--baseline", baseline.to_str().unwrap()],
    );
    assert_eq!(again.code, 0, "{}", again.stdout);
    let without = run_with(dir.path(), &files, &[]);
    assert_eq!(without.code, 1, "{}", without.stdout);
    assert!(
        without.stdout.contains("import/semgrep-oss"),
        "{}",
        without.stdout
    );
}

#[test]
fn unreadable_imports_fail_closed_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    assert_error(
        &run_with(dir.path(), &[("truncated.sarif", Some("gosec"))], &[]),
        &["truncated.sarif", "not valid SARIF 2.1.0", "line 5"],
    );
    assert_error(
        &run_with(dir.path(), &[("sarif-1.0.sarif", None)], &[]),
        &["sarif-1.0.sarif", "version 1.0.0"],
    );
    assert_error(
        &gate_in(dir.path(), &["--import-sarif", "missing.sarif"]),
        &["cannot read imported SARIF missing.sarif", "No such file"],
    );
    assert_error(
        &gate_in(
            dir.path(),
            &[
                "--tool",
                "gosec",
                "--import-sarif",
                sarif_fixture("gosec.sarif").to_str().unwrap(),
            ],
        ),
        &["--tool gosec needs an --import-sarif FILE before it"],
    );
    std::fs::write(
        dir.path().join("palisade.toml"),
        "[[import]]\ntool = \"gosec\"\nsarif = \"gosec.sarif\"\n\n[[import.ignore]]\nrule = \"G*\"\nreason = \"all of them\"\n",
    )
    .unwrap();
    assert_error(
        &gate_in(dir.path(), &[]),
        &["palisade.toml:6", "blanket suppressions are not accepted"],
    );
}
