//! The scan record: a second whole-history scan reads only the blobs the first did not record
//! as holding nothing and finds the same; a record that was tampered with, or made with other
//! rules or settings, is ignored with one line, and everything is read.

use super::*;
use hmac::Mac;

/// `secrets` on `repo` with extra arguments and environment.
fn scan_with(repo: &Repo, args: &[&str], env: &[(&str, &str)]) -> (Run, Value) {
    scan_env(repo.path(), args, env)
}

fn count(doc: &Value, field: &str) -> u64 {
    doc["secrets"][field].as_u64().unwrap()
}

fn plain_files(repo: &Repo, n: usize) {
    for i in 0..n {
        repo.write(
            &format!("src/file{i}.txt"),
            &format!("nothing secret here, file {i}\n"),
        );
    }
}

#[test]
fn a_second_scan_reads_only_new_blobs_and_finds_the_same() {
    let repo = Repo::new();
    plain_files(&repo, 20);
    repo.write(".env", &format!("GITHUB_TOKEN={GITHUB_PAT}\n"));
    repo.commit("first");
    // Packed: loose objects are read on every scan.
    repo.git(&["repack", "-adq"]);
    let (run, first) = repo.scan(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(count(&first, "blobs_recorded"), 0);
    assert!(repo.path().join(".git/palisade/secrets.record").is_file());
    let (run, second) = repo.scan(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(findings_of(&second), findings_of(&first));
    assert_eq!(count(&second, "blobs_recorded"), 20);
    // The blob with the token is read on every scan.
    assert_eq!(count(&second, "blobs_scanned"), 1);
    repo.write("deploy/key.txt", &format!("{AGE_KEY}\n"));
    repo.write("src/file0.txt", "edited, still nothing\n");
    let commit = repo.commit("second");
    let (run, third) = repo.scan(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(count(&third, "blobs_scanned"), 3);
    let age = only_rule(&third, "secret.age-identity");
    assert_eq!(age["evidence"]["introduced_by"]["id"], commit.as_str());
    assert_eq!(
        only_rule(&third, "secret.github-pat"),
        only_rule(&first, "secret.github-pat")
    );
    // --no-cache reads everything and finds the same.
    let (_, whole) = repo.scan(&["--no-cache"]);
    assert_eq!(findings_of(&whole), findings_of(&third));
    assert_eq!(count(&whole, "blobs_recorded"), 0);
}

#[test]
fn no_cache_writes_no_record() {
    let repo = Repo::new();
    plain_files(&repo, 2);
    repo.commit("first");
    let (run, _) = repo.scan(&["--no-cache"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!repo.path().join(".git/palisade").exists());
}

#[test]
fn a_tampered_record_cannot_hide_a_secret() {
    let repo = Repo::new();
    plain_files(&repo, 5);
    repo.write(".env", &format!("GITHUB_TOKEN={GITHUB_PAT}\n"));
    repo.commit("first");
    repo.git(&["repack", "-adq"]);
    let secret_blob = repo.git(&["rev-parse", "HEAD:.env"]);
    let cache = tempfile::tempdir().unwrap();
    let cache_arg = cache.path().to_str().unwrap();
    // A poisoned cache: a well-formed record that lists the token's blob as holding nothing,
    // signed with a key the attacker knows (not the one this scan is run with).
    let (run, _) = scan_with(
        &repo,
        &["--cache", cache_arg],
        &[("PALISADE_CACHE_KEY", "attacker")],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let file = cache.path().join("secrets.record");
    let record = std::fs::read(&file).unwrap();
    // The record's first list (its count, then the ids of blobs that held nothing) gains the
    // token's blob.
    let written = &record[..record.len() - 32];
    let clean = u64::from_le_bytes(written[48..56].try_into().unwrap()) as usize;
    let end = 56 + clean * 20;
    let mut body = written[..48].to_vec();
    body.extend_from_slice(&(clean as u64 + 1).to_le_bytes());
    body.extend_from_slice(&written[56..end]);
    body.extend_from_slice(&hex_bytes(&secret_blob));
    body.extend_from_slice(&written[end..]);
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(b"attacker").unwrap();
    mac.update(&body);
    body.extend_from_slice(&mac.finalize().into_bytes());
    std::fs::write(&file, &body).unwrap();
    // Under the attacker's key the forged record would be believed: what the key protects.
    let (run, hidden) = scan_with(
        &repo,
        &["--cache", cache_arg],
        &[("PALISADE_CACHE_KEY", "attacker")],
    );
    assert_eq!(
        run.code, 0,
        "the forged record is not what this test means it to be"
    );
    assert_eq!(count(&hidden, "blobs_recorded"), 6);
    std::fs::write(&file, &body).unwrap();
    // Under any other key (the CI secret, or the key kept in the git directory) it is not.
    for env in [&[("PALISADE_CACHE_KEY", "defender")][..], &[]] {
        std::fs::write(&file, &body).unwrap();
        let (run, doc) = scan_with(&repo, &["--cache", cache_arg], env);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(
            run.stderr.contains("fails its signature check")
                && run.stderr.contains("secrets.record"),
            "{}",
            run.stderr
        );
        assert_eq!(
            run.stderr.matches("scan record").count(),
            1,
            "{}",
            run.stderr
        );
        assert_eq!(count(&doc, "blobs_recorded"), 0);
        only_rule(&doc, "secret.github-pat");
    }
    // One byte of the record changed: damaged, ignored.
    let (_, _) = scan_with(&repo, &["--cache", cache_arg], &[]);
    let mut damaged = std::fs::read(&file).unwrap();
    damaged[20] ^= 0x55;
    std::fs::write(&file, &damaged).unwrap();
    let (run, doc) = scan_with(&repo, &["--cache", cache_arg], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("fails its signature check"),
        "{}",
        run.stderr
    );
    only_rule(&doc, "secret.github-pat");
}

/// A packed repository of five plain files, scanned once (its record written), and that scan.
fn scanned_once() -> (Repo, Value) {
    let repo = Repo::new();
    plain_files(&repo, 5);
    repo.commit("first");
    repo.git(&["repack", "-adq"]);
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    (repo, doc)
}

#[test]
fn a_record_made_with_other_rules_or_settings_is_ignored() {
    let (repo, doc) = scanned_once();
    let (run, again) = repo.scan(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(count(&again, "blobs_recorded"), count(&doc, "blobs"));
    let (run, doc) = repo.scan(&["--max-blob-size", "1000000"]);
    made_otherwise(&run, &doc);
    // A custom rule changes the rule set.
    repo.write("palisade.toml", ACME_RULE);
    let (run, doc) = repo.scan(&[]);
    made_otherwise(&run, &doc);
}

#[test]
fn a_record_was_ignored_when_only_the_delta_base_cache_changed() {
    // The cache decides how fast a scan reads, never what it finds: a record made under one
    // size is trusted under another.
    let (repo, doc) = scanned_once();
    repo.write("palisade.toml", "[secrets]\ndelta-base-cache = 4096\n");
    let (run, again) = repo.scan(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("scan record"), "{}", run.stderr);
    assert_eq!(count(&again, "blobs_recorded"), count(&doc, "blobs"));
}

#[test]
fn a_swapped_loose_object_was_skipped_as_recorded() {
    // Loose objects are read (and hash-checked) on every scan, recorded or not: a loose file can
    // be swapped without touching any checksum a pack keeps.
    let repo = Repo::new();
    repo.write("a.txt", "first file, nothing secret\n");
    repo.write("b.txt", "second file, nothing secret either\n");
    repo.commit("first");
    let (run, _) = repo.scan(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let object = |id: &str| {
        repo.path()
            .join(format!(".git/objects/{}/{}", &id[..2], &id[2..]))
    };
    let (a, b) = (
        repo.git(&["rev-parse", "HEAD:a.txt"]),
        repo.git(&["rev-parse", "HEAD:b.txt"]),
    );
    let swapped = std::fs::read(object(&b)).unwrap();
    std::fs::set_permissions(
        object(&a),
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .unwrap();
    std::fs::write(object(&a), swapped).unwrap();
    let (run, _) = repo.scan(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(&a[..7]) && run.stderr.contains("hash"),
        "{}",
        run.stderr
    );
}

/// A clean scan that ignored the record as made otherwise, and read everything.
fn made_otherwise(run: &Run, doc: &Value) {
    assert_eq!(run.code, 0, "{}", run.stderr);
    let why = "another Palisade version, rule set or setting";
    assert!(run.stderr.contains(why), "{}", run.stderr);
    assert_eq!(count(doc, "blobs_recorded"), 0);
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn a_secret_new_since_the_record_is_attributed_from_the_new_commits_as_a_full_scan_does() {
    let repo = Repo::new();
    plain_files(&repo, 10);
    repo.commit("first");
    repo.write("src/file1.txt", "edited\n");
    repo.commit("second");
    repo.git(&["repack", "-adq"]);
    let (run, _) = repo.scan(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // A new commit on a branch, another on main, the secret in both (the branch's first).
    repo.git(&["checkout", "-qb", "topic"]);
    repo.write("deploy/key.txt", &format!("{AGE_KEY}\n"));
    let first = repo.commit("key on topic");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("deploy/key.txt", &format!("{AGE_KEY}\n"));
    repo.write("src/file2.txt", "edited too\n");
    let second = repo.commit("key on main");
    let (run, rescan) = repo.scan(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let (_, whole) = repo.scan(&["--no-cache"]);
    assert_eq!(findings_of(&rescan), findings_of(&whole));
    // Attributed to a new commit (which of the two comes first is the full scan's order).
    let age = only_rule(&rescan, "secret.age-identity");
    let by = age["evidence"]["introduced_by"]["id"].as_str().unwrap();
    assert!(by == first || by == second, "{by}");
    // Once recorded as holding something, it is attributed over every commit again.
    repo.write("other.txt", "more\n");
    repo.commit("third");
    let (_, again) = repo.scan(&[]);
    let (_, whole) = repo.scan(&["--no-cache"]);
    assert_eq!(findings_of(&again), findings_of(&whole));
}

/// Commits what is staged on `repo`, dated `date` (author and committer).
fn commit_dated(repo: &Repo, message: &str, date: &str) -> String {
    repo.git(&["add", "-A"]);
    let out = std::process::Command::new("git")
        .current_dir(repo.path())
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .args(["commit", "-q", "--allow-empty", "-m", message])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    repo.git(&["rev-parse", "HEAD"])
}

#[test]
fn a_held_secret_is_attributed_from_the_record_and_the_new_commits_as_a_full_scan_does() {
    let repo = Repo::new();
    plain_files(&repo, 5);
    let root = commit_dated(&repo, "root", "2020-01-01T00:00:00Z");
    repo.write("deploy/key.txt", &format!("{AGE_KEY}\n"));
    commit_dated(&repo, "key", "2020-02-01T00:00:00Z");
    repo.git(&["repack", "-adq"]);
    let (run, first) = repo.scan(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(count(&first, "commits_walked"), 2);
    // Each step: the rescan (with the record of the scan before) finds what a full scan finds.
    let rescan = |walked: u64| {
        let (run, rescan) = repo.scan(&[]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let (_, whole) = repo.scan(&["--no-cache"]);
        assert_eq!(findings_of(&rescan), findings_of(&whole));
        assert_eq!(count(&rescan, "commits_walked"), walked, "{rescan}");
        rescan
    };
    // The key copied to a new path by a new commit: only that commit is walked.
    repo.write("backup/key.txt", &format!("{AGE_KEY}\n"));
    commit_dated(&repo, "copy", "2020-03-01T00:00:00Z");
    rescan(1);
    // A branch off the root, dated before the recorded commit that brought the key in, puts it
    // at the same path: that new commit comes first in the order, and is where it was first.
    repo.git(&["checkout", "-qb", "early", &root]);
    repo.write("deploy/key.txt", &format!("{AGE_KEY}\n"));
    let early = commit_dated(&repo, "early key", "2020-01-15T00:00:00Z");
    repo.git(&["checkout", "-q", "main"]);
    let found = rescan(1);
    let age = only_rule(&found, "secret.age-identity");
    assert_eq!(age["evidence"]["introduced_by"]["id"], early.as_str());
    // The branch deleted: a recorded commit is on no ref any more, so every commit is walked.
    repo.git(&["branch", "-qD", "early"]);
    let all = repo.git(&["rev-list", "--all", "--reflog"]).lines().count() as u64;
    rescan(all);
    // Nothing new: nothing is walked.
    rescan(0);
}

#[test]
fn a_held_secret_in_a_deepened_shallow_clone_is_attributed_as_a_full_scan_does() {
    let origin = Repo::new();
    plain_files(&origin, 3);
    origin.write("deploy/key.txt", &format!("{AGE_KEY}\n"));
    origin.commit("key");
    origin.write("src/file1.txt", "edited\n");
    origin.commit("edit");
    origin.write("src/file2.txt", "edited\n");
    origin.commit("another edit");
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    git_in(
        clone.path().parent().unwrap(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            &url,
            clone.path().to_str().unwrap(),
        ],
    );
    let same = || {
        let (run, rescan) = scan_env(clone.path(), &[], &[]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let (_, whole) = scan_env(clone.path(), &["--no-cache"], &[]);
        assert_eq!(findings_of(&rescan), findings_of(&whole));
        rescan
    };
    same();
    git_in(clone.path(), &["fetch", "-q", "--deepen", "1"]);
    same();
    git_in(clone.path(), &["fetch", "-q", "--unshallow"]);
    let found = same();
    let age = only_rule(&found, "secret.age-identity");
    assert_eq!(
        age["evidence"]["introduced_by"]["summary"], "key",
        "{age:#}"
    );
}
