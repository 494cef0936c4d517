//! Allow-list semantics a user can live with (issue 11): path globs read as `.gitignore`
//! patterns, rule ids checked against the active rule set, no placeholder tickets, partial
//! matches explained, and `init` proposing the fixture entries. Every test builds a real git
//! repository; the secrets are rule examples (fakes, never issued).

use crate::common::*;
use std::path::Path;

const PG_URI: &str = "postgres://app:Q9mX2kP7rT4vW8yB@db.internal/app";
const STRIPE: &str = "sk_live_frCs6SiQdPwVhC6Zz8oXkS0a";
const GITHUB_PAT: &str = "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";

/// A repository with `files` committed in one commit.
fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git_in(dir.path(), &["init", "-q", "-b", "main"]);
    git_in(dir.path(), &["config", "user.name", "T"]);
    git_in(dir.path(), &["config", "user.email", "t@example.invalid"]);
    git_in(dir.path(), &["config", "commit.gpgsign", "false"]);
    commit(dir.path(), files, "add files");
    dir
}

/// Writes `files` and commits them; returns the commit id.
fn commit(dir: &Path, files: &[(&str, &str)], message: &str) -> String {
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    git_in(dir, &["add", "-A"]);
    git_in(dir, &["commit", "-qm", message]);
    git_in(dir, &["rev-parse", "HEAD"])
}

fn scan_json(dir: &Path) -> (Run, serde_json::Value) {
    let run = palisade_in(dir, &["secrets", "--format", "json"]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let doc = json(&run);
    (run, doc)
}

/// The findings whose location is `path`.
fn at<'a>(doc: &'a serde_json::Value, path: &str) -> Vec<&'a serde_json::Value> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["locations"][0]["path"] == path)
        .collect()
}

fn with_rule<'a>(doc: &'a serde_json::Value, rule: &str) -> Vec<&'a serde_json::Value> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

#[test]
fn allow_path_glob_without_slash_matched_only_at_the_root() {
    let dir = repo(&[
        ("pkg/x/a_test.go", &format!("var dsn = \"{PG_URI}\"\n")),
        ("svc/testdata/deep/db.env", &format!("KEY={STRIPE}\n")),
        ("vendor/pkg/x.go", &format!("var t = \"{GITHUB_PAT}\"\n")),
    ]);
    std::fs::write(
        dir.path().join("palisade.toml"),
        "[[secrets.allow]]\nrule = \"secret.postgres-uri\"\npaths = [\"*_test.go\"]\nreason = \"test DSN\"\nticket = \"SEC-1\"\n\n\
         [[secrets.allow]]\nrule = \"secret.stripe-live-secret-key\"\npaths = [\"testdata/\"]\nreason = \"fixture\"\nticket = \"SEC-2\"\n\n\
         [[secrets.allow]]\nrule = \"secret.github-pat\"\npaths = [\"pkg/*.go\"]\nreason = \"anchored: not vendor/pkg\"\nticket = \"SEC-3\"\n",
    )
    .unwrap();
    let (run, doc) = scan_json(dir.path());
    // No slash: any depth. `dir/`: that folder at any depth, and all below it.
    assert_eq!(
        at(&doc, "pkg/x/a_test.go")[0]["status"],
        "suppressed",
        "{}",
        run.stdout
    );
    assert_eq!(
        at(&doc, "svc/testdata/deep/db.env")[0]["status"],
        "suppressed"
    );
    // A slash inside: anchored at the root, so `vendor/pkg/x.go` stays failing.
    assert_eq!(at(&doc, "vendor/pkg/x.go")[0]["status"], "failing");
    assert_eq!(run.code, 1);
}

#[test]
fn import_ignore_path_glob_without_slash_matched_only_at_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = serde_json::json!({
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "gosec", "rules": []}}, "results": [
            {"ruleId": "G101", "level": "error", "message": {"text": "hardcoded credential"},
             "locations": [{"physicalLocation": {
                 "artifactLocation": {"uri": "pkg/x/a_test.go"}, "region": {"startLine": 3}}}]}
        ]}]
    });
    std::fs::write(dir.path().join("gosec.sarif"), sarif.to_string()).unwrap();
    std::fs::write(
        dir.path().join("palisade.toml"),
        "[[import]]\ntool = \"gosec\"\nsarif = \"gosec.sarif\"\n\n[[import.ignore]]\nrule = \"G101\"\npaths = [\"*_test.go\"]\nreason = \"test credentials\"\n",
    )
    .unwrap();
    let run = palisade_in(dir.path(), &["gate", "--format", "json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let doc = json(&run);
    assert_eq!(at(&doc, "pkg/x/a_test.go")[0]["status"], "suppressed");
}

#[test]
fn allow_entry_with_a_misspelled_rule_id_was_accepted() {
    let dir = repo(&[("README.md", "hello\n")]);
    std::fs::write(
        dir.path().join("palisade.toml"),
        "[[secrets.allow]]\nrule = \"secret.github-pats\"\npaths = [\"tests/\"]\nreason = \"fake\"\nticket = \"SEC-1\"\n",
    )
    .unwrap();
    let run = palisade_in(dir.path(), &["config", "check"]);
    assert_error(
        &run,
        &["palisade.toml:2", "did you mean secret.github-pat?"],
    );
    // Gate and scans refuse it the same way, rather than reporting it unused.
    let run = palisade_in(dir.path(), &["secrets"]);
    assert_error(
        &run,
        &["palisade.toml:2", "did you mean secret.github-pat?"],
    );
}

#[test]
fn inline_allow_with_the_rule_id_without_prefix_was_ignored() {
    let dir = repo(&[(
        "app.env",
        &format!("DSN={PG_URI} # palisade:allow postgres-uri -- local docker database\n"),
    )]);
    let (run, doc) = scan_json(dir.path());
    assert_eq!(run.code, 0, "{}", run.stdout);
    let f = &with_rule(&doc, "secret.postgres-uri")[0];
    assert_eq!(f["status"], "suppressed");
    assert_eq!(f["by"]["reason"], "local docker database");
}

#[test]
fn inline_allow_without_a_reason_was_silently_ignored() {
    let dir = repo(&[(
        "config/app.env",
        &format!("PORT=1\nDSN={PG_URI} # palisade:allow secret.postgres-uri\n"),
    )]);
    let (run, doc) = scan_json(dir.path());
    // The secret still fails, and the comment that allowed nothing says so at its line.
    assert_eq!(run.code, 1);
    assert_eq!(
        with_rule(&doc, "secret.postgres-uri")[0]["status"],
        "failing"
    );
    let warnings = with_rule(&doc, "secrets.inline-allow-without-reason");
    assert_eq!(warnings.len(), 1, "{}", run.stdout);
    assert_eq!(warnings[0]["locations"][0]["path"], "config/app.env");
    assert_eq!(warnings[0]["locations"][0]["line"], 2);
    assert_eq!(warnings[0]["warning"], true);
}

#[test]
fn inline_allow_naming_an_unknown_rule_was_silently_ignored() {
    let dir = repo(&[(
        "app.env",
        &format!("DSN={PG_URI} # palisade:allow secret.postgres-uris -- local database\n"),
    )]);
    let (run, doc) = scan_json(dir.path());
    assert_eq!(run.code, 1);
    assert_eq!(
        with_rule(&doc, "secret.postgres-uri")[0]["status"],
        "failing"
    );
    let warnings = with_rule(&doc, "secrets.inline-allow-unknown-rule");
    assert_eq!(warnings.len(), 1, "{}", run.stdout);
    assert_eq!(warnings[0]["locations"][0]["path"], "app.env");
    assert_eq!(warnings[0]["locations"][0]["line"], 1);
    let message = warnings[0]["message"].as_str().unwrap();
    assert!(
        message.contains("did you mean secret.postgres-uri?"),
        "{message}"
    );
}

#[test]
fn placeholder_ticket_was_accepted() {
    let dir = repo(&[("README.md", "hello\n")]);
    std::fs::write(dir.path().join("x.sarif"), "{}").unwrap();
    std::fs::write(
        dir.path().join("palisade.toml"),
        "[[secrets.allow]]\nrule = \"secret.github-pat\"\npaths = [\"tests/\"]\nreason = \"fake\"\nticket = \"N/A\"\n\n\
         [[advisories.ignore]]\nid = \"RUSTSEC-2023-0071\"\nreason = \"unused\"\nticket = \" TODO \"\n\n\
         [[import]]\ntool = \"gosec\"\nsarif = \"x.sarif\"\n\n[[import.ignore]]\nrule = \"G104\"\nreason = \"logged\"\nticket = \"-\"\n\n\
         [[secrets.allow]]\nfingerprint = \"ab\"\nreason = \"revoked\"\nticket = \"  \"\n",
    )
    .unwrap();
    let run = palisade_in(dir.path(), &["config", "check"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let placeholder_lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("is a placeholder"))
        .collect();
    for line in [
        "palisade.toml:5:",
        "palisade.toml:10:",
        "palisade.toml:19:",
        "palisade.toml:24:",
    ] {
        assert!(
            placeholder_lines.iter().any(|l| l.contains(line)),
            "{line} not refused: {}",
            run.stderr
        );
    }
}

#[test]
fn partly_allowed_secret_did_not_say_which_copy_stayed_failing() {
    let dir = repo(&[("tests/fixture.env", &format!("DSN={PG_URI}\n"))]);
    let copied = commit(
        dir.path(),
        &[("src/config.env", &format!("PORT=1\nDSN={PG_URI}\n"))],
        "copy the fixture",
    );
    std::fs::write(
        dir.path().join("palisade.toml"),
        "[[secrets.allow]]\nrule = \"secret.postgres-uri\"\npaths = [\"tests/\"]\nreason = \"fixture\"\nticket = \"SEC-9\"\n",
    )
    .unwrap();
    let run = palisade_in(dir.path(), &["secrets"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let listed = format!("src/config.env:2 (commit {})", &copied[..12]);
    let under: Vec<&str> = run
        .stdout
        .lines()
        .skip_while(|l| !l.contains("allowed in part:"))
        .collect();
    assert!(
        under.first().is_some_and(|l| l.contains("palisade.toml:1")),
        "{}",
        run.stdout
    );
    assert!(
        under.get(1).is_some_and(|l| l.contains(&listed)),
        "{}",
        run.stdout
    );
    assert!(
        !under.iter().any(|l| l.contains("- tests/fixture.env")),
        "{}",
        run.stdout
    );
    // The JSON report carries them too.
    let (_, doc) = scan_json(dir.path());
    let f = &with_rule(&doc, "secret.postgres-uri")[0];
    assert_eq!(f["status"], "failing");
    assert_eq!(
        f["partly_allowed"]["unmatched"][0]["path"],
        "src/config.env"
    );
    assert_eq!(
        f["partly_allowed"]["unmatched"].as_array().unwrap().len(),
        1
    );
}

#[test]
fn allow_entries_each_covering_some_copies_left_the_secret_failing() {
    let dir = repo(&[
        ("tests/a.env", &format!("DSN={PG_URI}\n")),
        ("fixtures/b.env", &format!("DSN={PG_URI}\n")),
    ]);
    std::fs::write(
        dir.path().join("palisade.toml"),
        "[[secrets.allow]]\nrule = \"secret.postgres-uri\"\npaths = [\"tests/\"]\nreason = \"fixture\"\nticket = \"SEC-9\"\n\n\
         [[secrets.allow]]\nrule = \"secret.postgres-uri\"\npaths = [\"fixtures/\"]\nreason = \"fixture\"\nticket = \"SEC-9\"\n",
    )
    .unwrap();
    let (run, doc) = scan_json(dir.path());
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(
        with_rule(&doc, "secret.postgres-uri")[0]["status"],
        "suppressed"
    );
    // Both entries did their part: neither is reported unused.
    assert!(
        with_rule(&doc, "policy.ignore-unused").is_empty(),
        "{}",
        run.stdout
    );
}

#[test]
fn init_made_users_hand_type_every_fixture_rule_id() {
    let dir = repo(&[
        ("tests/fixtures/db.env", &format!("DSN={PG_URI}\n")),
        (
            "pkg/pay/charge_test.go",
            &format!("var key = \"{STRIPE}\"\n"),
        ),
        (
            "pkg/x/testdata/also.env",
            &format!("DSN={PG_URI}\nKEY={STRIPE}\n"),
        ),
        ("src/main.env", &format!("TOKEN={GITHUB_PAT}\n")),
    ]);
    let run = palisade_in(dir.path(), &["init"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(dir.path().join("palisade.toml")).unwrap();
    for proposal in [
        "# rules = [\"secret.postgres-uri\"]\n# paths = [\"tests/\"]\n# reason = \"\"\n# ticket = \"\"\n",
        "# rules = [\"secret.stripe-live-secret-key\"]\n# paths = [\"*_test.go\"]\n",
        "# rules = [\"secret.postgres-uri\", \"secret.stripe-live-secret-key\"]\n# paths = [\"testdata/\"]\n",
    ] {
        assert!(text.contains(proposal), "{proposal} not in:\n{text}");
    }
    // A secret outside test files is to be fixed, not allowed.
    assert!(!text.contains("rules = [\"secret.github-pat\""), "{text}");
    assert!(!text.contains("src/"), "{text}");
    // The starter is valid as written.
    let check = palisade_in(dir.path(), &["config", "check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    // Uncommented as proposed, blank reason and ticket are refused.
    let marker = text.find("# Secrets found in test").unwrap();
    let end = marker + text[marker..].find("\n\n").unwrap();
    let uncomment = |fill: bool| {
        let block: String = text[marker..end]
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest) if rest.starts_with("[[secrets.allow]]") => format!("{rest}\n"),
                Some(rest) if rest.starts_with("rules =") || rest.starts_with("paths =") => {
                    format!("{rest}\n")
                }
                Some(rest) if rest.starts_with("reason =") && fill => "reason = \"fake\"\n".into(),
                Some(rest) if rest.starts_with("ticket =") && fill => "ticket = \"SEC-5\"\n".into(),
                Some(rest) if rest.starts_with("reason =") || rest.starts_with("ticket =") => {
                    format!("{rest}\n")
                }
                _ => format!("{l}\n"),
            })
            .collect();
        format!("{}{block}{}", &text[..marker], &text[end..])
    };
    std::fs::write(dir.path().join("palisade.toml"), uncomment(false)).unwrap();
    let check = palisade_in(dir.path(), &["config", "check"]);
    assert_eq!(check.code, 2, "{}", check.stderr);
    // Filled in, they suppress the fixtures and nothing else.
    std::fs::write(dir.path().join("palisade.toml"), uncomment(true)).unwrap();
    let (run, doc) = scan_json(dir.path());
    assert_eq!(run.code, 1, "{}", run.stdout);
    let failing: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "failing")
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(failing, ["secret.github-pat"], "{}", run.stdout);
}
