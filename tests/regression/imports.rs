//! Imported SARIF: logs whose tool did not finish passed as clean, files that are not files,
//! messages that quoted the input, and the memory a big log took.

use crate::common::*;
use std::path::{Path, PathBuf};

/// `gate --import-sarif FILE` in an empty folder: only the import runs.
fn gate_import(dir: &Path, sarif: &Path) -> Run {
    finish(
        command(dir)
            .args(["gate", "--import-sarif"])
            .arg(sarif)
            .output()
            .unwrap(),
    )
}

/// A SARIF 2.1.0 log with this `runs` value.
fn log_with_runs(dir: &Path, name: &str, runs: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!(r#"{{"version": "2.1.0", "runs": {runs}}}"#)).unwrap();
    path
}

/// One gosec run with `extra` fields (after a comma) besides its tool.
fn gosec_run(extra: &str) -> String {
    format!(r#"[{{"tool": {{"driver": {{"name": "gosec"}}}}{extra}}}]"#)
}

#[test]
fn sarif_with_execution_successful_false_passed_as_clean() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_with_runs(
        dir.path(),
        "gosec.sarif",
        &gosec_run(r#", "invocations": [{"executionSuccessful": false}], "results": []"#),
    );
    assert_error(
        &gate_import(dir.path(), &path),
        &[
            "gosec.sarif run 1 (gosec)",
            "invocations[0].executionSuccessful is false",
        ],
    );
}

#[test]
fn sarif_of_a_tool_that_did_not_start_or_was_killed_passed_as_clean() {
    let dir = tempfile::tempdir().unwrap();
    for (name, invocation, says) in [
        (
            "killed.sarif",
            r#"{"executionSuccessful": true, "exitSignalName": "SIGKILL"}"#,
            "ended by signal SIGKILL",
        ),
        (
            "killed-9.sarif",
            r#"{"executionSuccessful": true, "exitSignalNumber": 9}"#,
            "ended by signal 9",
        ),
        (
            "no-start.sarif",
            r#"{"executionSuccessful": true, "processStartFailureMessage": "gosec: not found"}"#,
            "did not start (gosec: not found)",
        ),
    ] {
        let path = log_with_runs(
            dir.path(),
            name,
            &gosec_run(&format!(
                r#", "invocations": [{invocation}], "results": []"#
            )),
        );
        assert_error(
            &gate_import(dir.path(), &path),
            &[name, "run 1 (gosec)", says],
        );
    }
}

#[test]
fn sarif_run_with_results_absent_or_null_passed_as_clean() {
    let dir = tempfile::tempdir().unwrap();
    for (name, extra) in [("absent.sarif", ""), ("null.sarif", r#", "results": null"#)] {
        let path = log_with_runs(dir.path(), name, &gosec_run(extra));
        assert_error(
            &gate_import(dir.path(), &path),
            &[name, "run 1 (gosec)", "no `results`"],
        );
    }
    // The second run is the one that failed, and the message says which.
    let path = log_with_runs(
        dir.path(),
        "two.sarif",
        r#"[{"tool": {"driver": {"name": "gosec"}}, "results": []},
            {"tool": {"driver": {"name": "govulncheck"}}}]"#,
    );
    assert_error(
        &gate_import(dir.path(), &path),
        &["two.sarif run 2 (govulncheck)", "no `results`"],
    );
}

#[test]
fn sarif_with_no_runs_passed_as_clean() {
    let dir = tempfile::tempdir().unwrap();
    for (name, runs) in [("empty.sarif", "[]"), ("null.sarif", "null")] {
        let path = log_with_runs(dir.path(), name, runs);
        assert_error(&gate_import(dir.path(), &path), &[name, "has no runs"]);
    }
}

#[test]
fn sarif_with_an_error_notification_passed_as_clean() {
    let dir = tempfile::tempdir().unwrap();
    for (name, list) in [
        ("execution.sarif", "toolExecutionNotifications"),
        ("configuration.sarif", "toolConfigurationNotifications"),
    ] {
        let path = log_with_runs(
            dir.path(),
            name,
            &gosec_run(&format!(
                r#", "invocations": [{{"executionSuccessful": true, "{list}": [
                    {{"level": "error", "descriptor": {{"id": "parse-failure"}},
                      "message": {{"text": "could not load packages"}}}}]}}], "results": []"#
            )),
        );
        assert_error(
            &gate_import(dir.path(), &path),
            &[name, "run 1 (gosec)", list, "parse-failure"],
        );
    }
}

#[test]
fn empty_results_and_warning_notifications_are_still_a_clean_run() {
    // The controls of the tests above: `[]` is SARIF's clean run.
    let dir = tempfile::tempdir().unwrap();
    let path = log_with_runs(
        dir.path(),
        "clean.sarif",
        &gosec_run(
            r#", "invocations": [{"executionSuccessful": true, "toolExecutionNotifications": [
                {"level": "warning", "message": {"text": "skipped vendor/"}}]}], "results": []"#,
        ),
    );
    let run = gate_import(dir.path(), &path);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn sarif_shape_error_quoted_the_whole_offending_value() {
    let dir = tempfile::tempdir().unwrap();
    let token = format!("ghp_{}", "A1b2C3d4E5".repeat(6));
    let path = log_with_runs(
        dir.path(),
        "bad-level.sarif",
        &gosec_run(&format!(
            r#", "results": [{{"message": {{"text": "x"}}, "level": "{token}"}}]"#
        )),
    );
    let run = gate_import(dir.path(), &path);
    assert_error(
        &run,
        &["bad-level.sarif", "not valid SARIF 2.1.0", "line 1"],
    );
    assert!(!run.stderr.contains(&token), "{}", run.stderr);
    assert!(!run.stderr.contains(&token[..41]), "{}", run.stderr);
}

/// `gate --import-sarif PATH`, failing the test if it has not finished within 20 seconds.
fn gate_import_bounded(dir: &Path, path: &Path) -> Run {
    let mut cmd = command(dir);
    cmd.args(["gate", "--import-sarif"]).arg(path);
    finish_within_20s(&mut cmd, &format!("gate --import-sarif {}", path.display()))
}

#[cfg(unix)]
#[test]
fn import_sarif_on_a_fifo_or_device_blocked_forever() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("gosec.sarif");
    mkfifo(&fifo);
    assert_error(
        &gate_import_bounded(dir.path(), &fifo),
        &["cannot read imported SARIF", "gosec.sarif", "FIFO"],
    );
    assert_error(
        &gate_import_bounded(dir.path(), Path::new("/dev/zero")),
        &["/dev/zero", "character device"],
    );
}

/// A gosec-shaped log with `results` results over 40 rules, like scripts/gen-big-sarif.py.
fn big_log(results: usize) -> String {
    let rules: Vec<String> = (0..40)
        .map(|i| {
            format!(
                r#"{{"id":"G{id}","shortDescription":{{"text":"Generated rule {i}"}},"fullDescription":{{"text":"A generated rule ({i})."}},"help":{{"text":"Fix rule {i}."}},"properties":{{"tags":["security","MEDIUM"]}}}}"#,
                id = 100 + i
            )
        })
        .collect();
    let mut out = format!(
        r#"{{"version":"2.1.0","runs":[{{"tool":{{"driver":{{"name":"gosec","rules":[{}]}}}},"invocations":[{{"executionSuccessful":true}}],"results":["#,
        rules.join(",")
    );
    for n in 0..results {
        if n > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            r#"{{"ruleId":"G{rule}","level":"warning","message":{{"text":"Generated finding {n} of rule {rule}"}},"locations":[{{"physicalLocation":{{"artifactLocation":{{"uri":"pkg/m{m}/file{n}.go"}},"region":{{"startLine":{line}}}}}}}]}}"#,
            rule = 100 + n % 40,
            m = n % 997,
            line = 1 + n % 500
        ));
    }
    out.push_str("]}]}\n");
    out
}

#[test]
fn big_sarif_import_held_the_whole_json_tree_in_memory() {
    // A 10 MB log of 50,000 results peaked at 359 MB when it was read as a serde_json::Value
    // and then the full serde-sarif model; streamed into findings it takes about 120 MB
    // (most of it the findings themselves). 200 MB is the line between the two.
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("big.sarif");
    std::fs::write(&sarif, big_log(50_000)).unwrap();
    let report_path = dir.path().join("report.txt");
    let args: Vec<&std::ffi::OsStr> = ["gate", "--format", "human", "--output"]
        .iter()
        .map(std::ffi::OsStr::new)
        .chain([
            report_path.as_os_str(),
            "--import-sarif".as_ref(),
            sarif.as_os_str(),
        ])
        .chain(["--tool", "gosec"].iter().map(std::ffi::OsStr::new))
        .collect();
    let Some((run, kib)) = peak_rss(dir.path(), &args) else {
        return;
    };
    // Every result became a finding (medium: below the default threshold).
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = std::fs::read_to_string(&report_path).unwrap();
    assert!(
        report.contains("50000 findings"),
        "{}",
        report.lines().last().unwrap_or("")
    );
    assert!(
        kib < 200 * 1024,
        "importing a 10 MB SARIF log peaked at {} MB",
        kib / 1024
    );
}

#[test]
fn tiny_results_amplified_into_findings_without_bound() {
    // Each 25-byte result became a finding of about 1.5 KB: a file under the size cap could
    // still ask for gigabytes. Past a million results the import stops before making any.
    let dir = tempfile::tempdir().unwrap();
    let mut log =
        br#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"gosec"}},"results":["#.to_vec();
    log.extend(br#"{"message":{"text":"m"}},"#.repeat(1_000_000));
    log.extend(br#"{"message":{"text":"m"}}]}]}"#);
    let path = dir.path().join("many.sarif");
    std::fs::write(&path, log).unwrap();
    assert_error(
        &gate_import(dir.path(), &path),
        &["many.sarif has 1000001 results", "more than the 1000000"],
    );
}
