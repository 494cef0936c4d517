//! What a history scan judges: a pull request is what HEAD brings in (not every branch a full
//! checkout holds), a secret is attributed to the history people share, and one no ref reaches
//! is a warning that says how to drop it, not a gate that blocks every later commit.

use crate::common::*;
use std::path::Path;

const GITHUB_PAT: &str = "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";
const STRIPE: &str = "sk_live_frCs6SiQdPwVhC6Zz8oXkS0a";

fn scan(dir: &Path, extra: &[&str]) -> (Run, serde_json::Value) {
    let mut args = vec!["secrets", ".", "--format", "json"];
    args.extend(extra);
    let run = palisade_in(dir, &args);
    let doc = json(&run);
    (run, doc)
}

#[test]
fn since_scanned_every_local_branch_instead_of_the_pull_request() {
    let repo = new_repo();
    let dir = repo.path();
    commit_files(dir, &[("README.md", "hello\n")], "initial");
    // Someone else's branch, fetched with the full history, holds a secret.
    git_in(dir, &["checkout", "-q", "-b", "other"]);
    commit_files(
        dir,
        &[("other.env", &format!("T={STRIPE}\n"))],
        "other work",
    );
    git_in(dir, &["checkout", "-q", "main"]);
    // The pull request: clean.
    git_in(dir, &["checkout", "-q", "-b", "feature"]);
    commit_files(dir, &[("src.txt", "code\n")], "feature work");
    let (run, doc) = scan(dir, &["--since", "main"]);
    assert_eq!(run.code, 0, "{doc:#}");
    assert_eq!(doc["secrets"]["commits"], 1, "{doc:#}");
    // A secret added and removed inside the pull request still trips it.
    commit_files(dir, &[("a.env", &format!("T={GITHUB_PAT}\n"))], "oops");
    std::fs::remove_file(dir.join("a.env")).unwrap();
    git_in(dir, &["commit", "-qam", "remove it"]);
    let (run, doc) = scan(dir, &["--since", "main"]);
    assert_eq!(run.code, 1, "{doc:#}");
    assert!(run.stdout.contains("secret.github-pat"));
    assert!(!run.stdout.contains("secret.stripe"), "{doc:#}");
}

#[test]
fn attribution_named_a_commit_on_no_branch_although_a_branch_held_the_blob() {
    let repo = new_repo();
    let dir = repo.path();
    commit_files(dir, &[("README.md", "hello\n")], "initial");
    commit_files(dir, &[("a.env", &format!("T={GITHUB_PAT}\n"))], "first try");
    let rewritten = git_in(dir, &["rev-parse", "HEAD"]);
    // Reworded: the same tree in a new commit; the old one lives on in the reflog only.
    git_in(dir, &["commit", "-q", "--amend", "-m", "add config"]);
    let shared = git_in(dir, &["rev-parse", "HEAD"]);
    assert_ne!(rewritten, shared);
    let (run, doc) = scan(dir, &[]);
    assert_eq!(run.code, 1, "{doc:#}");
    let finding = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "secret.github-pat")
        .unwrap_or_else(|| panic!("{doc:#}"));
    assert_eq!(finding["evidence"]["introduced_by"]["id"], shared.as_str());
    assert_eq!(
        finding["evidence"]["introduced_by"]["reachable_from"],
        "refs/heads/main"
    );
    assert_eq!(finding["evidence"]["exposure"], "reachable");
}

#[test]
fn a_file_staged_then_unstaged_blocked_every_later_commit() {
    let repo = new_repo();
    let dir = repo.path();
    commit_files(dir, &[("README.md", "hello\n")], "initial");
    std::fs::write(dir.join("token.txt"), format!("{STRIPE}\n")).unwrap();
    git_in(dir, &["add", "token.txt"]);
    git_in(dir, &["reset", "-q", "token.txt"]);
    std::fs::remove_file(dir.join("token.txt")).unwrap();
    let (run, doc) = scan(dir, &[]);
    // Reported as unreachable, with how to drop it, without blocking the gate.
    assert_eq!(run.code, 0, "{doc:#}");
    let finding = unreachable_finding(&doc);
    assert_eq!(finding["subject"]["id"], "secret.stripe-live-secret-key");
    assert!(
        finding["help"]
            .as_str()
            .unwrap()
            .contains("git gc --prune=now"),
        "{finding:#}"
    );
    // Policy can make it fatal.
    let (strict, _) = scan(dir, &["--deny", "warnings"]);
    assert_eq!(strict.code, 1);
}

#[test]
fn a_secret_only_in_the_stash_failed_the_gate_although_no_clone_has_it() {
    let repo = new_repo();
    let dir = repo.path();
    commit_files(dir, &[("README.md", "hello\n")], "initial");
    // Never committed: an untracked file stashed with `git stash -u`.
    std::fs::write(dir.join("local.env"), format!("STRIPE={STRIPE}\n")).unwrap();
    git_in(dir, &["stash", "-q", "-u"]);
    let (run, doc) = scan(dir, &[]);
    assert_eq!(run.code, 0, "{doc:#}");
    let finding = unreachable_finding(&doc);
    assert_eq!(finding["evidence"]["kept_by"], "refs/stash");
    assert!(
        finding["help"].as_str().unwrap().contains("git stash drop"),
        "{finding:#}"
    );
}

/// The `secrets.unreachable` finding of a report.
fn unreachable_finding(doc: &serde_json::Value) -> &serde_json::Value {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "secrets.unreachable")
        .unwrap_or_else(|| panic!("{doc:#}"))
}
