//! Never print a secret, whatever text it sits in: commit and tag messages, file and branch
//! names, allow entries, error messages, imported SARIF. Each test plants fake secrets (rule
//! examples; none was ever issued) and greps every format, every file written and stderr.

use crate::common::*;
use sha2::{Digest, Sha256};
use std::path::Path;

const GITHUB_PAT: &str = "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";
const AGE_KEY: &str = "AGE-SECRET-KEY-1S7QK7CYERV7XG744X4XNCZR4A2XPAM8AVRFXQYDMD3JFM0XCEA5SX4P7L0";
const STRIPE: &str = "sk_live_frCs6SiQdPwVhC6Zz8oXkS0a";
/// A weak password: a plain hash of it falls to a dictionary.
const WEAK: &str = "Summer2024";

fn repo() -> tempfile::TempDir {
    let dir = new_repo();
    commit_files(dir.path(), &[("README.md", "hello\n")], "first");
    dir
}

/// Every output of `args` in `cwd`: stdout, stderr, and each report file, with names.
fn outputs(cwd: &Path, args: &[&str]) -> (i32, Vec<(String, String)>) {
    let out = tempfile::tempdir().unwrap();
    let json = out.path().join("r.json");
    let sarif = out.path().join("r.sarif");
    let github = out.path().join("r.github");
    let summary = out.path().join("summary.md");
    let mut full: Vec<&str> = args.to_vec();
    full.extend([
        "--format",
        "json",
        "--output",
        json.to_str().unwrap(),
        "--format",
        "sarif",
        "--output",
        sarif.to_str().unwrap(),
        "--format",
        "github",
        "--output",
        github.to_str().unwrap(),
        "--format",
        "human",
    ]);
    fetch_fixture_crates();
    let output = command(cwd)
        .args(&full)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    let run = finish(output);
    let mut texts = vec![
        ("stdout".to_string(), run.stdout.clone()),
        ("stderr".to_string(), run.stderr.clone()),
    ];
    for file in [&json, &sarif, &github, &summary] {
        if let Ok(text) = std::fs::read_to_string(file) {
            texts.push((file.display().to_string(), text));
        }
    }
    (run.code, texts)
}

fn assert_no_secret(texts: &[(String, String)], secrets: &[&str]) {
    let weak_hash: String = Sha256::digest(WEAK.as_bytes())[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    for (name, text) in texts {
        for secret in secrets {
            assert!(
                !text.contains(secret),
                "{secret} printed in {name}:\n{text}"
            );
        }
        assert!(
            !text.contains(&weak_hash),
            "an unkeyed hash of a weak secret in {name}:\n{text}"
        );
    }
}

#[test]
fn secrets_in_commit_and_tag_messages_file_and_branch_names_were_printed() {
    let dir = repo();
    let git = |args: &[&str]| git_in(dir.path(), args);
    std::fs::create_dir(dir.path().join("tokens")).unwrap();
    // A file named after a token, holding a weak database password.
    std::fs::write(
        dir.path().join(format!("tokens/{GITHUB_PAT}.txt")),
        format!("DATABASE_URL=postgres://app:{WEAK}@db.internal:5432/app\n"),
    )
    .unwrap();
    git(&["add", "."]);
    git(&[
        "commit",
        "-qm",
        &format!("rotate key, the old one was {STRIPE}"),
    ]);
    git(&["tag", "-a", "v1", "-m", &format!("release key {AGE_KEY}")]);
    git(&["branch", &format!("leak/{STRIPE}")]);
    for args in [
        &["secrets", "."][..],
        &["gate"][..],
        &["secrets", ".", "--worktree"][..],
    ] {
        let (code, texts) = outputs(dir.path(), args);
        assert_eq!(code, 1, "{args:?}: {texts:?}");
        assert_no_secret(&texts, &[GITHUB_PAT, STRIPE, AGE_KEY, WEAK]);
    }
}

#[test]
fn secret_pattern_allow_entry_was_echoed_in_suppressions_and_unused_warnings() {
    let dir = repo();
    let git = |args: &[&str]| git_in(dir.path(), args);
    std::fs::write(dir.path().join("pay.py"), format!("key = '{STRIPE}'\n")).unwrap();
    git(&["add", "."]);
    git(&["commit", "-qm", "pay"]);
    std::fs::write(
        dir.path().join("palisade.toml"),
        format!(
            "[[secrets.allow]]\nsecret-pattern = \"^{STRIPE}$\"\nreason = \"sandbox\"\nticket = \"PAY-2\"\n\n\
             [[secrets.allow]]\nsecret-pattern = \"^{GITHUB_PAT}$\"\nreason = \"gone\"\nticket = \"PAY-3\"\n"
        ),
    )
    .unwrap();
    let (code, texts) = outputs(dir.path(), &["secrets", "."]);
    assert_eq!(code, 0, "{texts:?}");
    assert_no_secret(&texts, &[STRIPE, GITHUB_PAT]);
}

#[test]
fn errors_echoed_revisions_paths_and_config_values() {
    let dir = repo();
    let cases: Vec<Vec<String>> = vec![
        vec![
            "secrets".into(),
            ".".into(),
            "--since".into(),
            GITHUB_PAT.into(),
        ],
        vec![
            "secrets".into(),
            ".".into(),
            "--range".into(),
            format!("{STRIPE}..HEAD"),
        ],
        vec!["secrets".into(), format!("missing/{GITHUB_PAT}")],
        vec![
            "gate".into(),
            "--baseline".into(),
            format!("{AGE_KEY}.json"),
        ],
    ];
    for args in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = palisade_in(dir.path(), &args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        for secret in [GITHUB_PAT, STRIPE, AGE_KEY] {
            assert!(!run.stderr.contains(secret), "{args:?}: {}", run.stderr);
            assert!(!run.stdout.contains(secret), "{args:?}: {}", run.stdout);
        }
    }
    // A config whose values are secrets, of the wrong type and unknown keys.
    std::fs::write(
        dir.path().join("palisade.toml"),
        format!("[policy]\nfail-on = \"{GITHUB_PAT}\"\n{STRIPE} = 1\n[secrets]\nmax-blob-size = \"{AGE_KEY}\"\n"),
    )
    .unwrap();
    let run = palisade_in(dir.path(), &["config", "check"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    for secret in [GITHUB_PAT, STRIPE, AGE_KEY] {
        assert!(!run.stderr.contains(secret), "{}", run.stderr);
    }
    // A file passed as the repository: its content is not dumped into the error.
    std::fs::remove_file(dir.path().join("palisade.toml")).unwrap();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, format!("token {GITHUB_PAT}\n")).unwrap();
    let run = palisade_in(dir.path(), &["secrets", file.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!run.stderr.contains(GITHUB_PAT), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn imported_sarif_message_text_was_printed() {
    let dir = repo();
    let sarif = dir.path().join("tool.sarif");
    std::fs::write(
        &sarif,
        serde_json::json!({
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {"name": "leaky", "rules": [{"id": "L1"}]}},
                "results": [{
                    "ruleId": "L1",
                    "level": "error",
                    "message": {"text": format!("found {GITHUB_PAT} in config")},
                    "locations": [{"physicalLocation": {
                        "artifactLocation": {"uri": "app.cfg"},
                        "region": {"startLine": 1}
                    }}]
                }]
            }]
        })
        .to_string(),
    )
    .unwrap();
    let (code, texts) = outputs(
        dir.path(),
        &["gate", "--import-sarif", sarif.to_str().unwrap()],
    );
    assert_eq!(code, 1, "{texts:?}");
    assert_no_secret(&texts, &[GITHUB_PAT]);
}

#[test]
fn a_file_name_forged_a_workflow_command_in_the_human_report() {
    let dir = repo();
    let git = |args: &[&str]| git_in(dir.path(), args);
    let name = "x\n::error file=README.md::Forged\n.env";
    std::fs::write(dir.path().join(name), format!("TOKEN={GITHUB_PAT}\n")).unwrap();
    git(&["add", "."]);
    git(&["commit", "-qm", "add"]);
    let (code, texts) = outputs(dir.path(), &["secrets", "."]);
    assert_eq!(code, 1, "{texts:?}");
    for (name, text) in &texts {
        if name.ends_with(".json") || name.ends_with(".sarif") {
            continue;
        }
        for line in text.lines() {
            assert!(
                !line.trim_start().starts_with("::error file=README.md"),
                "a forged workflow command in {name}: {line}"
            );
        }
    }
}

#[test]
fn a_base64_secret_in_a_commit_summary_was_printed_in_the_introduced_by_line() {
    use base64::Engine as _;
    let dir = repo();
    // No rule sees the encoded form, so the sink's redactor cannot mask it: the summary is
    // masked where the message was matched.
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!(
        "DATABASE_URL=postgres://app:{WEAK}Zr8Kq2Vn@db.internal/app"
    ));
    std::fs::write(dir.path().join(".env"), format!("TOKEN={GITHUB_PAT}\n")).unwrap();
    git_in(dir.path(), &["add", "."]);
    git_in(dir.path(), &["commit", "-qm", &format!("env {encoded}")]);
    let (code, texts) = outputs(dir.path(), &["secrets", "."]);
    assert_eq!(code, 1, "{texts:?}");
    assert_no_secret(&texts, &[GITHUB_PAT, &encoded[8..24], &encoded[24..40]]);
}
