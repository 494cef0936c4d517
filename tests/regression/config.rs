//! `palisade.toml` and baseline files: every problem reported with its line, no value echoed,
//! nothing that switches scanning off accepted, and no input size that makes reading slow.

use crate::common::*;
use std::path::Path;
use std::time::{Duration, Instant};

/// A fake token of the shape a leak would have; it must never reach stderr.
const TOKEN: &str = "ghp_R8v2kXw9TqL4mZp7Ns3Jd6Hf1Yc0Ba5Ge2Uo";
/// A piece of [`TOKEN`] past what any excerpt would show of a value.
const TOKEN_BODY: &str = "R8v2kXw9TqL4";

fn check(dir: &Path, text: &str) -> Run {
    std::fs::write(dir.join("palisade.toml"), text).unwrap();
    palisade_in(dir, &["config", "check"])
}

/// The lines of stderr, each checked to be `palisade.toml:LINE: …`; returns the line numbers.
fn problem_lines(run: &Run) -> Vec<usize> {
    assert_eq!(
        run.code, 2,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    run.stderr
        .lines()
        .map(|l| {
            let rest = l
                .strip_prefix("error: ")
                .unwrap_or(l)
                .strip_prefix("palisade.toml:")
                .unwrap_or_else(|| panic!("no file in {l:?}"));
            let (line, _) = rest
                .split_once(": ")
                .unwrap_or_else(|| panic!("no line in {l:?}"));
            line.parse()
                .unwrap_or_else(|_| panic!("no line number in {l:?}"))
        })
        .collect()
}

#[test]
fn config_check_reported_only_the_first_type_error() {
    let dir = tempfile::tempdir().unwrap();
    let run = check(
        dir.path(),
        "[policy]\nfail-on = 3\n\n[secrets]\nmax-blob-size = \"x\"\n\n[[advisories.ignore]]\nid = \"RUSTSEC-2024-9001\"\nreason = 5\n",
    );
    assert_eq!(problem_lines(&run), [2, 5, 9], "{}", run.stderr);
    assert!(
        run.stderr
            .contains("`fail-on` in [policy] must be a string")
            && run
                .stderr
                .contains("`max-blob-size` in [secrets] must be a whole number")
            && run
                .stderr
                .contains("`reason` in [[advisories.ignore]] must be a string"),
        "{}",
        run.stderr
    );
}

#[test]
fn config_errors_quoted_the_offending_value() {
    let dir = tempfile::tempdir().unwrap();
    // Keys are named (cut to 40 characters); values never are.
    let long_key = format!("ghp_{}", "Z".repeat(60));
    let text = format!(
        "[policy]\nfail-on = \"{TOKEN}\"\nunrated-severity = \"{TOKEN}\"\n{long_key} = 1\n\n\
         [advisories]\ninformational = [\"{TOKEN}\"]\n\n\
         [[advisories.ignore]]\nid = \"{TOKEN}\"\nreason = \"r\"\n\n\
         [[secrets.allow]]\nrule = \"{TOKEN}\"\npaths = [\"{TOKEN}[\"]\nreason = \"r\"\nticket = \"T\"\n\n\
         [[secrets.allow]]\nsecret-pattern = \"{TOKEN}(\"\nreason = \"r\"\nticket = \"T\"\n\n\
         [fips]\n[[fips.binaries]]\npath = \"x\"\nexpect = \"{TOKEN}\"\n\n\
         [[import]]\ntool = \"{}\"\nsarif = \"x.sarif\"\n",
        TOKEN.to_uppercase()
    );
    let run = check(dir.path(), &text);
    let lines = problem_lines(&run);
    assert_eq!(lines.len(), 10, "{}", run.stderr);
    assert!(
        !run.stderr.contains(TOKEN_BODY) && !run.stderr.to_lowercase().contains("r8v2kxw9tql4"),
        "a value reached stderr: {}",
        run.stderr
    );
    // The unknown key is named, cut to 40 characters.
    assert!(run.stderr.contains("unknown field `ghp_"), "{}", run.stderr);
    assert!(!run.stderr.contains(&long_key), "{}", run.stderr);
}

#[test]
fn syntax_errors_stopped_at_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let run = check(
        dir.path(),
        "[policy]\nfail-on = high\n\n[secrets]\nmax-blob-size = = 3\n",
    );
    let lines = problem_lines(&run);
    assert!(lines.contains(&2) && lines.contains(&5), "{}", run.stderr);
}

#[test]
fn secret_pattern_that_allows_every_secret_was_accepted() {
    let dir = tempfile::tempdir().unwrap();
    for (pattern, why) in [
        ("", "empty string"),
        (".*", "empty string"),
        ("x?", "empty string"),
        ("\\\\w", "sample secrets"),
        ("[A-Za-z0-9]", "sample secrets"),
        ("(?s).", "sample secrets"),
    ] {
        let run = check(
            dir.path(),
            &format!(
                "[[secrets.allow]]\nreason = \"r\"\nticket = \"T-1\"\nsecret-pattern = \"{pattern}\"\n"
            ),
        );
        assert_eq!(problem_lines(&run), [4], "{pattern}: {}", run.stderr);
        assert!(run.stderr.contains(why), "{pattern}: {}", run.stderr);
    }
    // A real narrowing pattern is still accepted.
    let run = check(
        dir.path(),
        "[[secrets.allow]]\nsecret-pattern = \"^sk_test_\"\nreason = \"r\"\nticket = \"T-1\"\n",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn max_blob_size_zero_was_accepted() {
    let dir = tempfile::tempdir().unwrap();
    for size in ["0", "1", "1023", "-5"] {
        let run = check(dir.path(), &format!("[secrets]\nmax-blob-size = {size}\n"));
        assert_eq!(problem_lines(&run), [2], "{size}: {}", run.stderr);
    }
    let run = check(dir.path(), "[secrets]\nmax-blob-size = 1024\n");
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn advisory_ignore_with_a_secret_rule_id_was_accepted() {
    let dir = tempfile::tempdir().unwrap();
    for id in ["secret.github-pat", "github-pat", "*", "anything"] {
        let run = check(
            dir.path(),
            &format!("[[advisories.ignore]]\nid = \"{id}\"\nreason = \"r\"\n"),
        );
        assert_eq!(problem_lines(&run), [2], "{id}: {}", run.stderr);
    }
    for id in [
        "RUSTSEC-2023-0071",
        "CVE-2024-3094",
        "GHSA-2rxc-gjrp-vjhx",
        "rustsec-2023-0071",
    ] {
        let run = check(
            dir.path(),
            &format!("[[advisories.ignore]]\nid = \"{id}\"\nreason = \"r\"\n"),
        );
        assert_eq!(run.code, 0, "{id}: {}", run.stderr);
    }
}

#[test]
fn allow_paths_matching_every_file_were_accepted() {
    let dir = tempfile::tempdir().unwrap();
    for paths in ["\"**\"", "\"**/*\"", "\"*\", \"**/*\""] {
        let run = check(
            dir.path(),
            &format!(
                "[[secrets.allow]]\nrule = \"secret.github-pat\"\npaths = [{paths}]\nreason = \"r\"\nticket = \"T-1\"\n"
            ),
        );
        assert_eq!(problem_lines(&run), [1], "{paths}: {}", run.stderr);
    }
    let run = check(
        dir.path(),
        "[[secrets.allow]]\nrule = \"secret.github-pat\"\npaths = [\"tests/**\", \"*.md\"]\nreason = \"r\"\nticket = \"T-1\"\n",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn unrated_severity_info_was_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let run = check(dir.path(), "[policy]\nunrated-severity = \"info\"\n");
    assert_eq!(problem_lines(&run), [2], "{}", run.stderr);
}

/// Generous bound: the fixed reader takes about a second in a debug build; the quadratic one
/// took minutes at this size.
const SLOW: Duration = Duration::from_secs(60);

#[test]
fn config_check_with_many_entries_was_quadratic() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..50_000 {
        text.push_str(&format!(
            "[[advisories.ignore]]\nid = \"RUSTSEC-2024-{i:05}\"\nreason = \"r\"\n\n\
             [[secrets.allow]]\nfingerprint = \"{i:032x}\"\nreason = \"r\"\nticket = \"T\"\n\n"
        ));
    }
    let start = Instant::now();
    let run = check(dir.path(), &text);
    let took = start.elapsed();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("50000 advisory ignores, 50000 secret allow entries"),
        "{}",
        run.stdout
    );
    assert!(took < SLOW, "config check of 100,000 entries took {took:?}");
}

#[test]
fn deciding_many_findings_against_many_entries_was_quadratic() {
    // Imported SARIF: n results, each suppressed by its own `[[import.ignore]]` (listed in
    // reverse, so a linear scan would walk half the list per finding).
    let n = 60_000;
    let dir = tempfile::tempdir().unwrap();
    let results: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "ruleId": format!("R{i}"),
                "level": "error",
                "message": {"text": "m"},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": format!("f{i}.go")},
                    "region": {"startLine": 1}
                }}]
            })
        })
        .collect();
    let sarif = serde_json::json!({
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "x", "rules": []}}, "results": results}]
    });
    std::fs::write(dir.path().join("x.sarif"), sarif.to_string()).unwrap();
    let mut text = String::from("[[import]]\ntool = \"x\"\nsarif = \"x.sarif\"\n");
    for i in (0..n).rev() {
        text.push_str(&format!(
            "\n[[import.ignore]]\nrule = \"R{i}\"\nreason = \"r\"\n"
        ));
    }
    std::fs::write(dir.path().join("palisade.toml"), text).unwrap();
    let start = Instant::now();
    let run = palisade_in(dir.path(), &["gate", "--format", "json"]);
    let took = start.elapsed();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run);
    let suppressed = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "suppressed")
        .count();
    assert_eq!(suppressed, n);
    assert!(
        took < SLOW,
        "gate with {n} findings and entries took {took:?}"
    );
}

#[test]
fn baseline_schema_errors_echoed_the_file() {
    let dir = tempfile::tempdir().unwrap();
    for (text, what) in [
        (
            format!(r#"{{"schema": "{TOKEN}", "fingerprints": []}}"#),
            "`schema` must be",
        ),
        (
            format!(r#"{{"schema": "palisade.baseline/v1", "fingerprints": ["{TOKEN}"]}}"#),
            "entry 1 of `fingerprints`",
        ),
        (
            format!(r#"{{"schema": "palisade.baseline/v1", "fingerprints": "{TOKEN}"}}"#),
            "must be an array",
        ),
        (
            r#"{"schema": "palisade.baseline/v1", "fingerprints": [], "fingerprint": 1}"#
                .to_string(),
            "unknown field",
        ),
        (format!(r#"["{TOKEN}""#), "baseline.json"),
    ] {
        std::fs::write(dir.path().join("baseline.json"), &text).unwrap();
        let run = palisade_in(
            dir.path(),
            &[
                "advisories",
                "--lockfile",
                fixtures().join("app/Cargo.lock").to_str().unwrap(),
                "--advisory-db",
                fixtures().join("db").to_str().unwrap(),
                "--baseline",
                "baseline.json",
            ],
        );
        assert_error(&run, &["baseline baseline.json", what]);
        assert!(!run.stderr.contains(TOKEN_BODY), "{}", run.stderr);
    }
}

#[test]
fn max_blob_size_zero_on_the_command_line_passed_a_leaky_repository() {
    let dir = tempfile::tempdir().unwrap();
    git_in(dir.path(), &["init", "-q", "-b", "main"]);
    git_in(dir.path(), &["config", "user.name", "T"]);
    git_in(dir.path(), &["config", "user.email", "t@example.invalid"]);
    std::fs::write(
        dir.path().join("a.env"),
        "TOKEN=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\n",
    )
    .unwrap();
    git_in(dir.path(), &["add", "."]);
    git_in(dir.path(), &["commit", "-qm", "a"]);
    let run = palisade_in(dir.path(), &["secrets", ".", "--max-blob-size", "0"]);
    assert_error(&run, &["--max-blob-size 0"]);
}
