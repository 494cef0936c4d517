//! What the human report shows a person: suppressed findings counted per entry (a passing gate
//! on Palisade printed 209 lines of them), every one with `--verbose`; the verdict even when
//! every report goes to a file.

use crate::common::*;

const GITHUB_PAT: &str = "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";
const STRIPE: &str = "sk_live_frCs6SiQdPwVhC6Zz8oXkS0a";

fn repo_with_allowed_fixtures() -> tempfile::TempDir {
    let dir = new_repo();
    commit_files(
        dir.path(),
        &[
            ("fixtures/a.env", &format!("T={GITHUB_PAT}\n")),
            ("fixtures/b.py", &format!("k = '{STRIPE}'\n")),
            (
                "palisade.toml",
                "[[secrets.allow]]\nrules = [\"secret.github-pat\", \"secret.stripe-live-secret-key\"]\n\
                 paths = [\"fixtures/**\"]\nreason = \"fake test keys\"\nticket = \"SEC-1\"\n",
            ),
        ],
        "fixtures",
    );
    dir
}

#[test]
fn passing_gate_listed_every_suppressed_finding() {
    let dir = repo_with_allowed_fixtures();
    let run = palisade_in(dir.path(), &["secrets", "."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("fixtures/a.env"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("2 by palisade.toml:1 — fake test keys (SEC-1)"),
        "{}",
        run.stdout
    );
    let verbose = palisade_in(dir.path(), &["secrets", ".", "--verbose"]);
    assert!(
        verbose.stdout.contains("fixtures/a.env"),
        "{}",
        verbose.stdout
    );
    assert!(
        verbose.stdout.contains("fixtures/b.py"),
        "{}",
        verbose.stdout
    );
}

#[test]
fn reports_all_sent_to_files_left_no_verdict_on_the_terminal() {
    let dir = repo_with_allowed_fixtures();
    let out = dir.path().join("r.sarif");
    let run = palisade_in(
        dir.path(),
        &[
            "secrets",
            ".",
            "--format",
            "sarif",
            "--output",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("PASS: 2 findings"), "{}", run.stdout);
    assert!(run.stdout.contains("r.sarif"), "{}", run.stdout);
}
