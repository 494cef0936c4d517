//! A closed stdout (`| head`) is not an error anywhere: every command exits as if it had been
//! read. A full one (`> /dev/full`) is a failure to deliver the report: exit 2, never a panic.

use crate::common::*;
use std::process::Stdio;

fn repo_with_secret() -> tempfile::TempDir {
    let dir = new_repo();
    commit_files(
        dir.path(),
        &[("a.env", "TOKEN=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\n")],
        "a",
    );
    dir
}

#[test]
fn config_check_rules_and_reports_into_a_closed_pipe_exited_2_or_panicked() {
    let dir = repo_with_secret();
    let cases: [(&[&str], i32); 6] = [
        (&["config", "check"], 0),
        (&["rules", "list"], 0),
        (&["rules", "explain", "github-pat"], 0),
        (&["rules", "check"], 0),
        (&["secrets", "."], 1),
        (&["secrets", ".", "--format", "json"], 1),
    ];
    for (args, code) in cases {
        let run = with_closed_stdout(dir.path(), args);
        assert_eq!(run.code, code, "{args:?}: {}", run.stderr);
        assert_eq!(run.stderr, "", "{args:?}");
    }
}

#[test]
fn config_check_into_a_full_stdout_panicked() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let dir = repo_with_secret();
    for args in [
        &["config", "check"][..],
        &["rules", "list"],
        &["secrets", "."],
    ] {
        fetch_fixture_crates();
        let output = command(dir.path())
            .args(args)
            .stdout(full.try_clone().unwrap())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let run = finish(output);
        assert_error(&run, &["stdout"]);
    }
}
