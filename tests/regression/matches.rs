//! Many matches in one blob, and what a code frame shows of them.

use crate::common::*;
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

/// A git repository in a temp dir with `files` committed on `main`.
fn repo_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    git_in(path, &["init", "-q", "-b", "main"]);
    for (name, content) in files {
        std::fs::write(path.join(name), content).unwrap();
    }
    git_in(path, &["add", "-A"]);
    git_in(
        path,
        &[
            "-c",
            "user.name=Fixture Author",
            "-c",
            "user.email=author@example.invalid",
            "-c",
            "commit.gpgsign=false",
            "commit",
            "-q",
            "-m",
            "settings",
        ],
    );
    dir
}

/// `secrets . --format json` in `dir`: the run, its findings, and how long it took.
fn scan(dir: &Path) -> (Run, Vec<Value>, Duration) {
    scan_with(dir, &[])
}

fn scan_with(dir: &Path, extra: &[&str]) -> (Run, Vec<Value>, Duration) {
    let started = Instant::now();
    let mut args = vec!["secrets", ".", "--format", "json"];
    args.extend_from_slice(extra);
    let run = palisade_in(dir, &args);
    let took = started.elapsed();
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    let findings = json(&run)["findings"].as_array().unwrap().clone();
    (run, findings, took)
}

/// A real-format key in its own file, beside the text under test: the scan must find it and
/// nothing else.
const REAL_KEY: (&str, &str) = (
    "key.env",
    "GITHUB_TOKEN=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\n",
);

/// Scans `files` and [`REAL_KEY`] committed together (with `extra` arguments) and asserts
/// that the key's file is the only one with a finding.
fn only_the_real_key_is_found(files: &[(&str, &str)], extra: &[&str]) {
    let mut all = files.to_vec();
    all.push(REAL_KEY);
    let dir = repo_with(&all);
    let (_, findings, _) = scan_with(dir.path(), extra);
    let paths: Vec<&str> = findings
        .iter()
        .filter_map(|f| f["evidence"]["path"].as_str())
        .collect();
    assert_eq!(paths, [REAL_KEY.0], "{findings:#?}");
}

/// `n` distinct PostgreSQL URIs, each `(line text, password)`.
fn dsns(n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| {
            // Distinct, and varied enough to pass as a password.
            let password = format!(
                "Q9mX{:08x}kP7rT",
                (i as u64).wrapping_mul(0x9e37_79b9) as u32
            );
            (
                format!(
                    "DATABASE_URL_{i}=postgres://user:{password}@db{}.internal/app",
                    i % 97
                ),
                password,
            )
        })
        .collect()
}

/// The code frame showed the bytes of a match that lost an overlap to an earlier rule: only the
/// winner's secret was masked.
#[test]
fn snippet_masks_the_overlapping_match_of_a_losing_rule() {
    // `secret.github-pat` wins with the token; `secret.generic-assignment` matched the token
    // and the `:x-oauth-basic` after it, and lost.
    let value = "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:x-oauth-basic";
    let dir = repo_with(&[("settings.py", &format!("api_token = \"{value}\"\n"))]);
    let (_, findings, _) = scan_with(dir.path(), &["--min-confidence", "low"]);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let evidence = &findings[0]["evidence"];
    assert_eq!(evidence["rule"], "secret.github-pat");
    let snippet = evidence["snippet"].as_str().unwrap();
    assert!(snippet.contains("…[hmac:"), "nothing masked: {snippet}");
    // Redaction may show 4 leading characters; no 5 consecutive bytes of the losing match may.
    for start in 0..=value.len() - 5 {
        let piece = &value[start..start + 5];
        assert!(
            !snippet.contains(piece),
            "{piece:?} of the losing match shows in {snippet:?}"
        );
    }
}

/// Each hit recounted lines from the start of the blob, and each code frame scanned every match
/// of the blob: 20k connection strings in one file took seconds (60k: half a minute).
#[test]
fn many_secrets_in_one_blob_are_found_in_linear_time() {
    let lines = dsns(20_000);
    let text: String = lines.iter().map(|(l, _)| format!("{l}\n")).collect();
    let dir = repo_with(&[("settings.env", &text)]);
    let (_, findings, took) = scan(dir.path());
    assert_eq!(findings.len(), lines.len());
    let mut seen = vec![false; lines.len()];
    for f in &findings {
        let e = &f["evidence"];
        let line = e["line"].as_u64().unwrap() as usize;
        let (text, password) = &lines[line - 1];
        let column = text.find(password.as_str()).unwrap() + 1;
        assert_eq!(e["column"].as_u64(), Some(column as u64), "{e}");
        let snippet = e["snippet"].as_str().unwrap();
        assert!(
            snippet.starts_with(&format!("DATABASE_URL_{}=postgres://user:", line - 1))
                && !snippet.contains(password.as_str()),
            "line {line}: {snippet}"
        );
        seen[line - 1] = true;
    }
    assert!(seen.iter().all(|s| *s), "a line has no finding");
    // Linear work is about a second even in a debug build on a loaded machine; the quadratic
    // path took over a minute there.
    assert!(took < Duration::from_secs(30), "took {took:?}");
}

/// The same with every secret on one line (minified text): each hit read the whole line again,
/// for its allow comment and for its code frame.
#[test]
fn many_secrets_on_one_line_are_found_in_linear_time() {
    let lines = dsns(8_000);
    let text: String = lines.iter().map(|(l, _)| format!("{l} ")).collect();
    let dir = repo_with(&[("settings.min.js", &text)]);
    let (_, findings, took) = scan(dir.path());
    assert_eq!(findings.len(), lines.len());
    let mut column = 1;
    let mut columns: Vec<u64> = Vec::new();
    for (line, password) in &lines {
        columns.push((column + line.find(password.as_str()).unwrap()) as u64);
        column += line.len() + 1;
    }
    let mut found: Vec<u64> = findings
        .iter()
        .map(|f| {
            assert_eq!(f["evidence"]["line"], 1);
            f["evidence"]["column"].as_u64().unwrap()
        })
        .collect();
    found.sort_unstable();
    assert_eq!(found, columns);
    assert!(took < Duration::from_secs(30), "took {took:?}");
}

/// A custom rule's secret was taken by the built-in generic assignment rule that matched the
/// same value first (rules were ordered built-in first): the custom rule never fired.
#[test]
fn a_custom_rule_lost_its_secret_to_the_generic_rule() {
    let dir = repo_with(&[
        ("svc.env", "ACME_TOKEN=acme_tok_q9m2kp7rt4vw8yb1nc5df3gh\n"),
        ("palisade.toml", ACME_RULE),
    ]);
    let (_, findings, _) = scan_with(dir.path(), &["--min-confidence", "low"]);
    // The config's own example is a finding too; in the service's file, the custom rule's.
    let in_svc: Vec<&str> = findings
        .iter()
        .filter(|f| f["evidence"]["path"] == "svc.env")
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert_eq!(in_svc, ["secret.acme-internal-token"], "{findings:#?}");
}

/// An elision in prose (`password=…` in a rule's own documentation) was reported as a
/// password: a value with no letter or digit is no credential.
#[test]
fn an_elided_password_in_docs_was_a_finding() {
    only_the_real_key_is_found(
        &[(
            "README.md",
            "Pass `jdbc:postgresql://db/app?user=x&password=…` or `Server=db;User Id=app;Password=…;`.\n",
        )],
        &["--min-confidence", "low"],
    );
}

/// A YAML parent key (`acme:`) took the next line as its value, so the nested
/// `api_key: …` under it was never seen.
#[test]
fn a_yaml_parent_key_swallowed_the_nested_secret() {
    let dir = repo_with(&[(
        "values.yaml",
        "acmeapikey:\n  api_key: Qw2eR5tY8uI1oP4aS7dF0gH3jK6lZ9xC\n",
    )]);
    let (_, findings, _) = scan_with(dir.path(), &["--min-confidence", "low"]);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["evidence"]["line"], 2, "{findings:#?}");
}

/// Credentials of an RFC 2606 documentation host (`https://user:s3cr3t@example.com`) were
/// reported as a leak.
#[test]
fn credentials_for_a_documentation_host_were_a_finding() {
    only_the_real_key_is_found(
        &[(
            "docs.md",
            "smtp://mailer:e1cr3McRTrKwtPYKbPiz@mail.example.com:587\nftp://deploy:Vc57VVTiY96vwfRE5e32@files.test/\n",
        )],
        &["--min-confidence", "low"],
    );
}

/// `username = argv[2];` and `password = argv[3];` on the next line of a C program read as one
/// connection string (`User=…;Password=…`): the statements' newline was taken for the
/// connection string's separator.
#[test]
fn c_assignments_on_two_lines_were_a_connection_string() {
    only_the_real_key_is_found(
        &[(
            "x11.c",
            "    if (argc > 3) {\n        username = argv[2];\n        password = argv[3];\n    }\n",
        )],
        &[],
    );
}

/// A list of names (`["secret.nuget-config-password", "secret.okta-…"]`, the rule ids in
/// Palisade's own palisade.toml) was read as a `"key", "value"` pair: the next name became the
/// password. A pair counts only as a call's arguments (`setProperty("NUGET_PASSWORD", "…")`).
#[test]
fn a_list_of_names_was_read_as_a_key_and_its_password() {
    let dir = repo_with(&[
        (
            "ids.toml",
            "rules = [\n    \"secret.nuget-api-key\", \"secret.nuget-config-password\", \"secret.okta-api-token-assignment\",\n    \"secret.nuget-config-password\",\n    \"secret.nvidia-api-key\",\n]\nkeys = [\"NUGET_PASSWORD\", \"Xk9fQ2mL7vR4tW8zB3nC\"]\n",
        ),
        (
            "Build.java",
            "System.setProperty(\"NUGET_PASSWORD\", \"Xk9fQ2mL7vR4tW8zB3nC\");\n",
        ),
    ]);
    let (_, findings, _) = scan(dir.path());
    let paths: Vec<&str> = findings
        .iter()
        .filter_map(|f| f["evidence"]["path"].as_str())
        .collect();
    assert_eq!(paths, ["Build.java"], "{findings:#?}");
}

/// URI templates in docs (`twilio://AccountSid:AuthToken@FromPhoneNo`,
/// `parsep://app_id:master_key@localhost`) were findings: the "password" names the credential.
#[test]
fn uri_templates_naming_their_credentials_were_findings() {
    only_the_real_key_is_found(
        &[(
            "README.md",
            "| twilio://AccountSid:AuthToken@FromPhoneNo | nexmo://ApiKey:ApiSecret@FromPhoneNo |\n('parsep://app_id:master_key@localhost:8080', {\n",
        )],
        &[],
    );
}

/// A value under a service's name that is not in that service's format (a W&B key is 40 hex,
/// this is 32; a sandbox token; a pasted-together stand-in) failed the gate through the
/// generic name rule: it is reported at low confidence only, and a key in the format still
/// fails it.
#[test]
fn a_value_not_in_the_named_services_format_failed_the_gate() {
    let stand_ins = [
        (
            "wandb.env",
            "WANDB_API_KEY=7c1e9a0b3f5d2c8e4a6b9d0f1e3c5a7b\n",
        ),
        (
            "meraki.yml",
            "meraki:\n  api_key: Qx7Lm2Nv9Rt4Ws8Kp3Zc6Hb1Jd5Fg0Ya2Ue4Wi6Oq\n",
        ),
        (
            "mercury.env",
            "MERCURY_API_TOKEN=mercury_sandbox_rma_q2w8e4r6t1y3u5i7o9p0a2s4d6f8g1h3j5k7l9z2x4_yrucrem\n",
        ),
        (
            "agent.env",
            "BUILDKITE_AGENT_TOKEN=bkaa_Qx7Lm2Nv9Rt4Ws8Kp3Zc6Qx7Lm2Nv9Rt4Ws8Kp3Zc6Qx7Lm2Nv9Rt4Ws8Kp3Zc6\n",
        ),
    ];
    only_the_real_key_is_found(&stand_ins, &[]);
    let dir = repo_with(&stand_ins);
    let (_, findings, _) = scan_with(dir.path(), &["--min-confidence", "low"]);
    let mut low: Vec<(&str, &str)> = findings
        .iter()
        .filter_map(|f| {
            Some((
                f["evidence"]["path"].as_str()?,
                f["evidence"]["confidence"].as_str()?,
            ))
        })
        .collect();
    low.sort_unstable();
    assert_eq!(
        low,
        [
            ("agent.env", "low"),
            ("meraki.yml", "low"),
            ("mercury.env", "low"),
            ("wandb.env", "low")
        ],
        "{findings:#?}"
    );
    let real = repo_with(&[(
        "gitea.env",
        "GITEA_TOKEN=5f0c8e2a9d4b7163e8a1c0f9b2d5e7a4c6b8d0e2\n",
    )]);
    let (_, findings, _) = scan(real.path());
    let rules: Vec<&str> = findings.iter().filter_map(|f| f["rule"].as_str()).collect();
    assert_eq!(rules, ["secret.gitea-token"], "{findings:#?}");
}
