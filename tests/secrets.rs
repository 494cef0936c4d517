//! `cargo palisade secrets` on real git repositories built in temp dirs with the git CLI, one
//! per placement of a secret in history.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

// Fake secrets in real formats (the rule examples); none was ever issued.
const GITHUB_PAT: &str = "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";
const AGE_KEY: &str = "AGE-SECRET-KEY-1S7QK7CYERV7XG744X4XNCZR4A2XPAM8AVRFXQYDMD3JFM0XCEA5SX4P7L0";
const AWS_SECRET: &str = "5Uvoad+/q5QMegD5vfX3r1HDY0hWokTpXtZVuRT+";
const STRIPE: &str = "sk_live_frCs6SiQdPwVhC6Zz8oXkS0a";

impl Repo {
    fn scan(&self, extra: &[&str]) -> (Run, Value) {
        scan_path(self.path(), extra)
    }
}

fn scan_path(path: &Path, extra: &[&str]) -> (Run, Value) {
    scan_env(path, extra, &[])
}

/// [`scan_path`] with more environment variables.
fn scan_env(path: &Path, extra: &[&str], env: &[(&str, &str)]) -> (Run, Value) {
    let mut cmd = command(path);
    cmd.args(["secrets", "."])
        .args(["--format", "json"])
        .args(extra)
        .envs(env.iter().copied());
    let run = finish(cmd.output().unwrap());
    let doc = if run.code == 2 {
        Value::Null
    } else {
        json(&run)
    };
    (run, doc)
}

#[path = "secrets/archives.rs"]
mod archives;
#[path = "secrets/decoded.rs"]
mod decoded;
#[path = "secrets/messages.rs"]
mod messages;
#[path = "secrets/record.rs"]
mod record;
#[path = "secrets/unreachable.rs"]
mod unreachable;

fn secret_findings(doc: &Value) -> Vec<&Value> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().starts_with("secret."))
        .collect()
}

fn only_finding<'a>(doc: &'a Value, rule: &str) -> &'a Value {
    let found = secret_findings(doc);
    assert_eq!(
        found.len(),
        1,
        "{}",
        serde_json::to_string_pretty(doc).unwrap()
    );
    assert_eq!(found[0]["rule"], rule);
    found[0]
}

#[test]
fn deleted_in_the_next_commit() {
    let repo = Repo::new();
    repo.write("README.md", "service\n");
    repo.commit("initial");
    repo.write(
        "config/prod.env",
        &format!("PORT=8080\nGITHUB_TOKEN={GITHUB_PAT}\n"),
    );
    let added = repo.commit("add prod config");
    std::fs::remove_file(repo.path().join("config/prod.env")).unwrap();
    repo.commit("remove secret");
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let f = only_finding(&doc, "secret.github-pat");
    assert_eq!(f["locations"][0]["path"], "config/prod.env");
    assert_eq!(f["locations"][0]["line"], 2);
    assert_eq!(f["locations"][0]["column"], 14);
    assert_eq!(f["evidence"]["introduced_by"]["id"], added.as_str());
    assert_eq!(f["evidence"]["introduced_by"]["summary"], "add prod config");
    assert_eq!(
        f["evidence"]["introduced_by"]["author"],
        "Fixture Author <author@example.invalid>"
    );
    assert_eq!(
        f["evidence"]["introduced_by"]["reachable_from"],
        "refs/heads/main"
    );
    assert_eq!(f["status"], "failing");
}

#[test]
fn overwritten_in_place() {
    let repo = Repo::new();
    repo.write(
        "app.toml",
        &format!("[aws]\naws_secret_access_key = {AWS_SECRET}\n"),
    );
    let added = repo.commit("configure aws");
    repo.write(
        "app.toml",
        "[aws]\naws_secret_access_key = \"${AWS_SECRET_ACCESS_KEY}\"\n",
    );
    repo.commit("read the key from the environment");
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 1);
    let f = only_finding(&doc, "secret.aws-secret-access-key");
    assert_eq!(f["evidence"]["introduced_by"]["id"], added.as_str());
    assert_eq!(f["locations"][0]["path"], "app.toml");
}

#[test]
fn only_on_an_unmerged_branch() {
    let repo = Repo::new();
    repo.commit("initial");
    repo.git(&["checkout", "-q", "-b", "feature/payments"]);
    repo.write("pay.py", &format!("stripe.api_key = '{STRIPE}'\n"));
    let added = repo.commit("wire stripe");
    repo.git(&["checkout", "-q", "main"]);
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 1);
    let f = only_finding(&doc, "secret.stripe-live-secret-key");
    assert_eq!(f["evidence"]["introduced_by"]["id"], added.as_str());
    assert_eq!(
        f["evidence"]["introduced_by"]["reachable_from"],
        "refs/heads/feature/payments"
    );
}

#[test]
fn only_reachable_from_an_annotated_tag_whose_branch_was_deleted() {
    let repo = Repo::new();
    repo.commit("initial");
    repo.git(&["checkout", "-q", "-b", "release-1"]);
    repo.write("keys/age.txt", &format!("{AGE_KEY}\n"));
    let added = repo.commit("release keys");
    repo.git(&["tag", "-a", "v1.0.0", "-m", "release"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["branch", "-q", "-D", "release-1"]);
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 1);
    let f = only_finding(&doc, "secret.age-identity");
    assert_eq!(f["evidence"]["introduced_by"]["id"], added.as_str());
    assert_eq!(
        f["evidence"]["introduced_by"]["reachable_from"],
        "refs/tags/v1.0.0"
    );
}

#[test]
fn only_in_the_stash() {
    let repo = Repo::new();
    repo.write(".env", "EMPTY=1\n");
    repo.commit("initial");
    repo.write(".env", &format!("GITHUB_TOKEN={GITHUB_PAT}\n"));
    repo.git(&["stash", "-q"]);
    assert!(
        !std::fs::read_to_string(repo.path().join(".env"))
            .unwrap()
            .contains("ghp_")
    );
    // The stash is never pushed and no clone has it: a warning naming what holds it, which
    // `--deny warnings` makes fail.
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 0, "{doc:#}");
    let (strict, _) = repo.scan(&["--deny", "warnings"]);
    assert_eq!(strict.code, 1);
    let f = &doc["findings"][0];
    assert_eq!(f["rule"], "secrets.unreachable", "{doc:#}");
    assert_eq!(f["subject"]["id"], "secret.github-pat");
    assert_eq!(f["locations"][0]["path"], ".env");
    assert_eq!(
        f["evidence"]["introduced_by"]["reachable_from"],
        "refs/stash"
    );
    assert_eq!(f["evidence"]["kept_by"], "refs/stash");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("no pushed ref reaches it: only the stash holds it"),
        "{f:#}"
    );
}

#[test]
fn only_in_a_merge_resolution() {
    let repo = Repo::new();
    repo.write("settings.ini", "token = none\n");
    repo.commit("initial");
    repo.git(&["checkout", "-q", "-b", "left"]);
    repo.write("settings.ini", "token = left\n");
    repo.commit("left");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("settings.ini", "token = right\n");
    repo.commit("right");
    let merge = Command::new("git")
        .current_dir(repo.path())
        .args(["merge", "-q", "left"])
        .output()
        .unwrap();
    assert!(!merge.status.success(), "expected a conflict");
    repo.write("settings.ini", &format!("token = {GITHUB_PAT}\n"));
    let merged = repo.commit("merge left");
    repo.write("settings.ini", "token = none\n");
    repo.commit("clean up");
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 1);
    let f = only_finding(&doc, "secret.github-pat");
    assert_eq!(f["evidence"]["introduced_by"]["id"], merged.as_str());
}

#[test]
fn dangling_after_a_branch_delete_and_a_staged_blob_never_committed() {
    let repo = Repo::new();
    repo.commit("initial");
    repo.git(&["checkout", "-q", "-b", "oops"]);
    repo.write(
        "deploy.sh",
        &format!("export AWS_SECRET_ACCESS_KEY={AWS_SECRET}\n"),
    );
    let lost = repo.commit("deploy script");
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["branch", "-q", "-D", "oops"]);
    // Staged, then unstaged and deleted: a blob in no commit at all.
    repo.write("token.txt", &format!("{STRIPE}\n"));
    repo.git(&["add", "token.txt"]);
    repo.git(&["reset", "-q", "token.txt"]);
    std::fs::remove_file(repo.path().join("token.txt")).unwrap();
    // The reflog still names the branch's commit; expire it so it is truly dangling.
    repo.git(&["reflog", "expire", "--expire=now", "--all"]);
    // Found, but no ref reaches them: in no fresh clone, so a warning (secrets.unreachable)
    // naming the rule, which `--deny warnings` makes fail.
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 0, "{doc:#}");
    let (strict, _) = repo.scan(&["--deny", "warnings"]);
    assert_eq!(strict.code, 1);
    let found: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "secrets.unreachable")
        .collect();
    assert_eq!(found.len(), 2, "{doc:#}");
    assert!(
        found
            .iter()
            .all(|f| f["evidence"]["exposure"] == "unreachable")
    );
    let aws = found
        .iter()
        .find(|f| f["subject"]["id"] == "secret.aws-secret-access-key")
        .unwrap();
    assert_eq!(aws["evidence"]["introduced_by"]["id"], lost.as_str());
    assert_eq!(
        aws["evidence"]["introduced_by"]["reachable_from"],
        Value::Null
    );
    let stripe = found
        .iter()
        .find(|f| f["subject"]["id"] == "secret.stripe-live-secret-key")
        .unwrap();
    assert_eq!(stripe["evidence"]["introduced_by"], Value::Null);
    assert_eq!(stripe["evidence"]["path"], Value::Null);
    assert!(
        stripe["locations"][0]["path"]
            .as_str()
            .unwrap()
            .starts_with("git-blob:")
    );
}

#[test]
fn packed_by_gc_and_loose_after_it() {
    let repo = Repo::new();
    repo.write("a.env", &format!("GITHUB_TOKEN={GITHUB_PAT}\n"));
    repo.commit("packed secret");
    repo.git(&["gc", "-q", "--prune=now"]);
    assert!(
        repo.path()
            .join(".git/objects/pack")
            .read_dir()
            .unwrap()
            .count()
            >= 2
    );
    repo.write("b.env", &format!("{AGE_KEY}\n"));
    repo.commit("loose secret");
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 1);
    let rules: Vec<&str> = secret_findings(&doc)
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules.len(), 2, "{rules:?}");
    assert!(rules.contains(&"secret.github-pat") && rules.contains(&"secret.age-identity"));
}

#[test]
fn deep_in_a_large_file() {
    let repo = Repo::new();
    let mut big = String::with_capacity(5 << 20);
    for i in 0..100_000 {
        big.push_str(&format!(
            "line {i}: nothing to see here, just padding text\n"
        ));
    }
    big.push_str(&format!("stripe_key = \"{STRIPE}\"\n"));
    repo.write("data/dump.txt", &big);
    repo.commit("add dump");
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 1);
    let f = only_finding(&doc, "secret.stripe-live-secret-key");
    assert_eq!(f["locations"][0]["line"], 100_001);
}

/// Findings without what depends on how objects are stored (the summary's counters).
fn findings_of(doc: &Value) -> Vec<Value> {
    secret_findings(doc).into_iter().cloned().collect()
}

#[test]
fn secrets_in_versions_stored_as_pack_deltas_are_found_as_in_loose_objects() {
    // Versions of one large file: a secret brought in, kept while other lines change (each
    // later version a delta copying it from its base, or the base of older ones), removed, a
    // second one brought in next to an edit, at the file's start and end too.
    let repo = Repo::new();
    let lines: Vec<String> = (0..3000)
        .map(|i| format!("setting_{i} = \"value number {i} of the service config\"\n"))
        .collect();
    let version = |edits: &[(usize, String)]| {
        let mut lines = lines.clone();
        for (at, text) in edits.iter().rev() {
            lines.insert(*at, text.clone());
        }
        lines.concat()
    };
    let stripe = (1500, format!("stripe_key = \"{STRIPE}\"\n"));
    let github = (10, format!("GITHUB_TOKEN={GITHUB_PAT}\n"));
    let edit = |at: usize, n: usize| (at, format!("edited_{n} = true\n"));
    let age = (0, format!("{AGE_KEY}\n"));
    let versions = [
        version(&[]),
        version(std::slice::from_ref(&stripe)),
        version(&[edit(200, 1), stripe.clone()]),
        version(&[edit(200, 2), stripe.clone(), edit(2800, 3)]),
        version(&[edit(9, 4), github.clone(), edit(11, 5)]),
        version(&[age.clone(), github.clone(), edit(2999, 6)]),
        version(&[github, edit(1501, 7)]),
    ];
    let mut commits = Vec::new();
    for (n, text) in versions.iter().enumerate() {
        repo.write("config/service.conf", text);
        commits.push(repo.commit(&format!("version {n}")));
    }
    // Without the scan record, so that the second scan reads every blob again.
    let (run, loose) = repo.scan(&["--no-cache"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    repo.git(&["repack", "-adfq", "--depth=50", "--window=50"]);
    let packs = repo.path().join(".git/objects/pack");
    let idx = packs
        .read_dir()
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "idx"))
        .unwrap();
    let listing = repo.git(&["verify-pack", "-v", idx.to_str().unwrap()]);
    let deltas = listing
        .lines()
        .filter(|l| l.contains(" blob ") && l.split_whitespace().count() >= 7)
        .count();
    assert!(
        deltas >= 5,
        "the versions are not stored as deltas:\n{listing}"
    );
    let (run, packed) = repo.scan(&["--no-cache"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(findings_of(&packed), findings_of(&loose));
    // With a delta-base cache too small for any version's content (about 200 KB): the bases'
    // sketches alone are kept and each base is read again; with none at all, every delta is
    // read whole. The same findings either way.
    let config = tempfile::TempDir::new().unwrap();
    for cache in [16384, 0] {
        let file = config.path().join(format!("palisade-{cache}.toml"));
        std::fs::write(&file, format!("[secrets]\ndelta-base-cache = {cache}\n")).unwrap();
        let (run, small) = repo.scan(&["--no-cache", "--config", file.to_str().unwrap()]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert_eq!(
            findings_of(&small),
            findings_of(&loose),
            "delta-base-cache = {cache}"
        );
    }
    let stripe = only_rule(&packed, "secret.stripe-live-secret-key");
    assert_eq!(
        stripe["evidence"]["introduced_by"]["id"],
        commits[1].as_str()
    );
    assert_eq!(stripe["locations"][0]["line"], 1501);
    let github = only_rule(&packed, "secret.github-pat");
    assert_eq!(
        github["evidence"]["introduced_by"]["id"],
        commits[4].as_str()
    );
    let age = only_rule(&packed, "secret.age-identity");
    assert_eq!(age["evidence"]["introduced_by"]["id"], commits[5].as_str());
}

/// The one finding of `rule` among others.
fn only_rule<'a>(doc: &'a Value, rule: &str) -> &'a Value {
    let found: Vec<&Value> = secret_findings(doc)
        .into_iter()
        .filter(|f| f["rule"] == rule)
        .collect();
    assert_eq!(found.len(), 1, "{rule}: {doc:#}");
    found[0]
}

#[test]
fn copied_to_a_second_file_later_is_one_finding() {
    let repo = Repo::new();
    repo.write("service-a/.env", &format!("GITHUB_TOKEN={GITHUB_PAT}\n"));
    let first = repo.commit("service a");
    repo.write(
        "service-b/config.env",
        &format!("# copied\nGITHUB_TOKEN={GITHUB_PAT}\n"),
    );
    let second = repo.commit("service b");
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 1);
    let f = only_finding(&doc, "secret.github-pat");
    assert_eq!(f["locations"][0]["path"], "service-a/.env");
    assert_eq!(f["evidence"]["introduced_by"]["id"], first.as_str());
    let others = f["evidence"]["occurrences"].as_array().unwrap();
    assert_eq!(others.len(), 1, "{others:?}");
    assert_eq!(others[0]["path"], "service-b/config.env");
    assert_eq!(others[0]["commit"], second.as_str());
    assert_eq!(others[0]["line"], 2);
}

#[test]
fn binary_blobs_are_skipped_unless_asked() {
    let repo = Repo::new();
    let mut bytes = vec![0u8, 1, 2, 3];
    bytes.extend_from_slice(format!("\n{AGE_KEY}\n").as_bytes());
    std::fs::write(repo.path().join("key.bin"), bytes).unwrap();
    repo.commit("binary");
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(doc["secrets"]["skipped_binary"], 1);
    let (run, doc) = repo.scan(&["--scan-binary"]);
    assert_eq!(run.code, 1);
    only_finding(&doc, "secret.age-identity");
}

#[test]
fn large_blobs_are_skipped_and_counted() {
    let repo = Repo::new();
    repo.write(
        "big.env",
        &format!("{}\nGITHUB_TOKEN={GITHUB_PAT}\n", "x".repeat(4096)),
    );
    repo.commit("big");
    let (run, doc) = repo.scan(&["--max-blob-size", "1024"]);
    assert_eq!(run.code, 0);
    assert_eq!(doc["secrets"]["skipped_large"], 1);
}

#[test]
fn shallow_clone_is_reported() {
    let origin = Repo::new();
    origin.write("a.txt", "one\n");
    origin.commit("one");
    origin.write("a.txt", "two\n");
    origin.commit("two");
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    git_in(
        clone.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
    );
    let path = clone.path().join("shallow");
    let (run, doc) = scan_path(&path, &[]);
    assert_eq!(run.code, 0, "a warning does not fail by default");
    let shallow: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "secrets.shallow-history")
        .collect();
    assert_eq!(shallow.len(), 1);
    assert_eq!(doc["secrets"]["shallow"], true);
    let (run, _) = scan_path(&path, &["--deny", "warnings"]);
    assert_eq!(run.code, 1);
}

#[test]
fn clean_history_has_no_findings() {
    let repo = Repo::new();
    repo.write("src/main.rs", "fn main() { println!(\"hello\"); }\n");
    repo.commit("hello");
    repo.write(
        "README.md",
        "Set GITHUB_TOKEN=ghp_<your token> before running.\n",
    );
    repo.commit("docs");
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(doc["findings"], serde_json::json!([]));
    assert_eq!(doc["secrets"]["commits"], 2);
}

#[test]
fn not_a_repository() {
    let dir = tempfile::tempdir().unwrap();
    let (run, _) = scan_path(dir.path(), &[]);
    assert_error(&run, &["cannot open git repository at ."]);
}

fn objects_dir(repo: &Repo) -> PathBuf {
    repo.path().join(".git/objects")
}

#[test]
fn missing_object_names_it() {
    let repo = Repo::new();
    repo.write("a.txt", "hello\n");
    repo.commit("one");
    let blob = repo.git(&["rev-parse", "HEAD:a.txt"]);
    let path = objects_dir(&repo).join(&blob[..2]).join(&blob[2..]);
    // A loose object that is there but cannot be inflated.
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&path, perms).unwrap();
    std::fs::write(&path, b"not zlib").unwrap();
    let (run, _) = repo.scan(&[]);
    assert_error(&run, &[&blob, "cannot be read", "git fsck"]);
}

#[test]
fn corrupt_pack_is_exit_2() {
    let repo = Repo::new();
    for i in 0..20 {
        repo.write(
            &format!("f{i}.txt"),
            &format!("file number {i}\n{}\n", "data ".repeat(50)),
        );
    }
    repo.commit("many files");
    repo.git(&["gc", "-q", "--prune=now"]);
    let pack = std::fs::read_dir(objects_dir(&repo).join("pack"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pack"))
        .unwrap();
    let mut bytes = std::fs::read(&pack).unwrap();
    let middle = bytes.len() / 2;
    for b in &mut bytes[middle..middle + 64] {
        *b ^= 0xA5;
    }
    let mut perms = std::fs::metadata(&pack).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&pack, perms).unwrap();
    std::fs::write(&pack, bytes).unwrap();
    let (run, _) = repo.scan(&[]);
    let name = pack.file_name().unwrap().to_str().unwrap();
    assert_error(&run, &[name, "fails its CRC-32", "git fsck"]);
}

#[test]
fn no_output_format_leaks_a_secret() {
    let repo = Repo::new();
    // Each secret with the length of its fixed, public format prefix (rule docs name those).
    let secrets = [(GITHUB_PAT, 4), (AGE_KEY, 16), (AWS_SECRET, 0), (STRIPE, 8)];
    repo.write(
        "leaks.env",
        &format!(
            "GITHUB_TOKEN={GITHUB_PAT}\n{AGE_KEY}\naws_secret_access_key = {AWS_SECRET}\nstripe = \"{STRIPE}\"\n# two on one line: {GITHUB_PAT} {STRIPE}\n"
        ),
    );
    repo.commit("leak everything");
    let sarif = sarif_dir().join("secrets.sarif");
    let json_file = repo.path().join("out.json");
    let run = finish(
        command(repo.path())
            .args(["secrets", "."])
            .args(every_format(&sarif, &json_file))
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let outputs = [
        ("human", run.stdout.clone()),
        ("stderr", run.stderr.clone()),
        ("sarif", std::fs::read_to_string(&sarif).unwrap()),
        ("json", std::fs::read_to_string(&json_file).unwrap()),
    ];
    let doc: Value = serde_json::from_str(&outputs[3].1).unwrap();
    assert_eq!(secret_findings(&doc).len(), 4, "{doc:#}");
    for (name, text) in &outputs {
        for (secret, fixed) in secrets {
            // Any 8-character window of the random part is a leak.
            for start in fixed..secret.len() - 8 {
                let window = &secret[start..start + 8];
                assert!(
                    !text.contains(window),
                    "{name} output leaks {window}: {text}"
                );
            }
        }
    }
}

mod allow {
    use super::*;

    fn status_of<'a>(doc: &'a Value, rule: &str) -> Vec<&'a Value> {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule)
            .collect()
    }

    #[test]
    fn rule_and_paths_allow_only_when_every_place_matches() {
        let repo = Repo::new();
        repo.write(
            "fixtures/tokens.env",
            &format!("GITHUB_TOKEN={GITHUB_PAT}\n"),
        );
        repo.write("fixtures/age.txt", &format!("{AGE_KEY}\n"));
        repo.commit("fixtures");
        repo.write("src/config.env", &format!("{AGE_KEY}\n"));
        repo.commit("copy the key into src");
        repo.write(
            "palisade.toml",
            "[[secrets.allow]]\nrule = \"secret.github-pat\"\npaths = [\"fixtures/**\"]\nreason = \"fake tokens the tests plant\"\nticket = \"PAL-4\"\n\n[[secrets.allow]]\nrule = \"secret.age-identity\"\npaths = [\"fixtures/**\"]\nreason = \"fixture key\"\nticket = \"PAL-4\"\n",
        );
        let (run, doc) = repo.scan(&[]);
        assert_eq!(run.code, 1, "{doc:#}");
        let github = status_of(&doc, "secret.github-pat");
        assert_eq!(github[0]["status"], "suppressed");
        assert_eq!(github[0]["by"]["reason"], "fake tokens the tests plant");
        assert_eq!(github[0]["by"]["ticket"], "PAL-4");
        assert_eq!(github[0]["by"]["origin"]["line"], 1);
        // The age key also sits in src/: the fixtures-only entry does not cover it.
        let age = status_of(&doc, "secret.age-identity");
        assert_eq!(age[0]["status"], "failing");
    }

    #[test]
    fn fingerprint_and_secret_pattern() {
        let repo = Repo::new();
        repo.write(
            "a.env",
            &format!("GITHUB_TOKEN={GITHUB_PAT}\nstripe={STRIPE}\n"),
        );
        repo.commit("secrets");
        let (_, doc) = repo.scan(&[]);
        let fingerprint = status_of(&doc, "secret.github-pat")[0]["fingerprint"]
            .as_str()
            .unwrap()
            .to_string();
        repo.write(
            "palisade.toml",
            &format!("[[secrets.allow]]\nfingerprint = \"{fingerprint}\"\nreason = \"revoked on 2026-11-01\"\nticket = \"INC-9\"\n\n[[secrets.allow]]\nsecret-pattern = \"^sk_live_frCs\"\nreason = \"sandbox key\"\nticket = \"PAY-2\"\n"),
        );
        let (run, doc) = repo.scan(&[]);
        assert_eq!(run.code, 0, "{doc:#}");
        assert_eq!(
            status_of(&doc, "secret.github-pat")[0]["by"]["ticket"],
            "INC-9"
        );
        assert_eq!(
            status_of(&doc, "secret.stripe-live-secret-key")[0]["by"]["ticket"],
            "PAY-2"
        );
    }

    #[test]
    fn inline_comment_allows_its_line_in_history() {
        let repo = Repo::new();
        repo.write(
            "test_client.py",
            &format!("TOKEN = \"{GITHUB_PAT}\"  # palisade:allow secret.github-pat -- revoked token used by the replay test\n"),
        );
        repo.commit("test");
        let (run, doc) = repo.scan(&[]);
        assert_eq!(run.code, 0, "{doc:#}");
        let f = &status_of(&doc, "secret.github-pat")[0];
        assert_eq!(f["status"], "suppressed");
        assert_eq!(f["by"]["reason"], "revoked token used by the replay test");
        assert_eq!(f["by"]["origin"]["file"], "test_client.py");
        assert_eq!(f["by"]["origin"]["line"], 1);
        // A comment naming another rule allows nothing.
        repo.write(
            "other.py",
            &format!("T = \"{GITHUB_PAT}\"  # palisade:allow secret.npm-token -- wrong rule\n"),
        );
        repo.commit("other");
        let (run, _) = repo.scan(&[]);
        assert_eq!(run.code, 1);
    }

    #[test]
    fn unused_and_expired_entries_are_reported() {
        let repo = Repo::new();
        repo.write("a.env", &format!("GITHUB_TOKEN={GITHUB_PAT}\n"));
        repo.commit("secret");
        repo.write(
            "palisade.toml",
            "[[secrets.allow]]\nrule = \"secret.github-pat\"\npaths = [\"a.env\"]\nreason = \"temporary\"\nticket = \"T-1\"\nexpires = 2026-01-31\n\n[[secrets.allow]]\nfingerprint = \"0000\"\nreason = \"gone\"\nticket = \"T-2\"\n",
        );
        let (run, doc) = repo.scan(&[]);
        assert_eq!(run.code, 1);
        assert_eq!(status_of(&doc, "secret.github-pat")[0]["status"], "failing");
        assert_eq!(status_of(&doc, "policy.ignore-expired").len(), 1);
        assert_eq!(status_of(&doc, "policy.ignore-unused").len(), 1);
    }

    #[test]
    fn entry_without_ticket_is_a_config_error() {
        let repo = Repo::new();
        repo.commit("empty");
        repo.write(
            "palisade.toml",
            "[[secrets.allow]]\nfingerprint = \"ab\"\nreason = \"r\"\n",
        );
        let (run, _) = repo.scan(&[]);
        assert_error(&run, &["palisade.toml:1:", "`ticket`"]);
    }
}

mod range {
    use super::*;

    fn pr_repo() -> (Repo, String) {
        let repo = Repo::new();
        // Already on main before the pull request: not the PR's to answer for.
        repo.write("legacy.env", &format!("{AGE_KEY}\n"));
        repo.commit("legacy");
        repo.git(&["checkout", "-q", "-b", "feature"]);
        repo.write("src/client.py", &format!("TOKEN = '{GITHUB_PAT}'\n"));
        let added = repo.commit("wip: client");
        repo.write("src/client.py", "TOKEN = os.environ['TOKEN']\n");
        repo.commit("read the token from the environment");
        (repo, added)
    }

    #[test]
    fn since_reports_what_the_branch_added_even_if_removed_later() {
        let (repo, added) = pr_repo();
        let (run, doc) = repo.scan(&["--since", "main"]);
        assert_eq!(run.code, 1, "{doc:#}");
        let f = only_finding(&doc, "secret.github-pat");
        assert_eq!(f["evidence"]["introduced_by"]["id"], added.as_str());
        assert_eq!(f["locations"][0]["path"], "src/client.py");
        assert_eq!(doc["secrets"]["commits"], 2);
    }

    #[test]
    fn range_a_to_b() {
        let (repo, _) = pr_repo();
        let (run, doc) = repo.scan(&["--range", "main..feature"]);
        assert_eq!(run.code, 1);
        only_finding(&doc, "secret.github-pat");
        // Nothing new on main itself.
        let (run, doc) = repo.scan(&["--range", "feature..main"]);
        assert_eq!(run.code, 0, "{doc:#}");
    }

    #[test]
    fn bad_revision_and_bad_range_are_errors() {
        let (repo, _) = pr_repo();
        let (run, _) = repo.scan(&["--since", "no-such-branch"]);
        assert_error(&run, &["cannot resolve `no-such-branch`"]);
        let (run, _) = repo.scan(&["--range", "main"]);
        assert_error(&run, &["--range takes A..B"]);
    }
}

mod baseline_and_show {
    use super::*;

    #[test]
    fn baseline_accepts_old_findings_and_fails_new_ones() {
        let repo = Repo::new();
        repo.write("old.env", &format!("GITHUB_TOKEN={GITHUB_PAT}\n"));
        repo.commit("old secret");
        let baseline = repo.path().join("palisade-baseline.json");
        let b = baseline.to_str().unwrap();
        let (run, doc) = repo.scan(&["--write-baseline", b]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stderr.contains("wrote 1 fingerprints"),
            "{}",
            run.stderr
        );
        assert_eq!(secret_findings(&doc)[0]["status"], "suppressed");
        let written = std::fs::read_to_string(&baseline).unwrap();
        assert!(
            written.contains("palisade.baseline/v1") && !written.contains("WK59"),
            "{written}"
        );

        repo.write("new.env", &format!("{AGE_KEY}\n"));
        repo.commit("new secret");
        let (run, doc) = repo.scan(&["--baseline", b]);
        assert_eq!(run.code, 1);
        let statuses: Vec<(String, String)> = secret_findings(&doc)
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["status"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert!(
            statuses.contains(&("secret.github-pat".into(), "suppressed".into())),
            "{statuses:?}"
        );
        assert!(
            statuses.contains(&("secret.age-identity".into(), "failing".into())),
            "{statuses:?}"
        );
    }

    #[test]
    fn bad_baseline_is_an_error() {
        let repo = Repo::new();
        repo.commit("empty");
        repo.write("b.json", "{\"schema\": \"other\", \"fingerprints\": []}");
        let (run, _) = repo.scan(&["--baseline", "b.json"]);
        assert_error(&run, &["baseline b.json", "`schema` must be"]);
        let (run, _) = repo.scan(&["--baseline", "missing.json"]);
        assert_error(&run, &["baseline missing.json"]);
    }

    #[test]
    fn show_secrets_is_refused_in_ci_unless_allowed() {
        let repo = Repo::new();
        repo.write("a.env", &format!("GITHUB_TOKEN={GITHUB_PAT}\n"));
        repo.commit("secret");
        let run = |env_ci: bool, args: &[&str]| {
            let mut cmd = command(repo.path());
            cmd.args(["secrets", "."]).args(args);
            if env_ci {
                cmd.env("CI", "true");
            } else {
                cmd.env_remove("CI");
            }
            finish(cmd.output().unwrap())
        };
        let shown = run(false, &["--show-secrets"]);
        assert_eq!(shown.code, 1);
        assert!(shown.stdout.contains(GITHUB_PAT), "{}", shown.stdout);
        let refused = run(true, &["--show-secrets"]);
        assert_error(
            &refused,
            &[
                "--show-secrets is refused when CI is set",
                "--allow-show-secrets-in-ci",
            ],
        );
        let allowed = run(true, &["--show-secrets", "--allow-show-secrets-in-ci"]);
        assert_eq!(allowed.code, 1);
        assert!(allowed.stdout.contains(GITHUB_PAT));
    }
}

mod files {
    use super::*;

    #[test]
    fn worktree_scans_tracked_and_untracked_but_not_ignored_files() {
        let repo = Repo::new();
        repo.write(".gitignore", "build/\n");
        repo.write("committed.env", &format!("GITHUB_TOKEN={GITHUB_PAT}\n"));
        repo.commit("tracked");
        repo.write(".env", &format!("{AGE_KEY}\n"));
        repo.write("build/out.txt", &format!("stripe={STRIPE}\n"));
        let (run, doc) = repo.scan(&["--worktree"]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let mut paths: Vec<&str> = secret_findings(&doc)
            .iter()
            .map(|f| f["locations"][0]["path"].as_str().unwrap())
            .collect();
        paths.sort();
        assert_eq!(paths, [".env", "committed.env"]);
        assert_eq!(doc["secrets"]["scope"], "worktree");
        let f = secret_findings(&doc)[0];
        assert_eq!(f["evidence"]["introduced_by"], Value::Null);
    }

    #[test]
    fn worktree_of_a_plain_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("key.txt"), format!("{AGE_KEY}\n")).unwrap();
        let (run, doc) = scan_path(dir.path(), &["--worktree"]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        only_finding(&doc, "secret.age-identity");
    }

    #[test]
    fn staged_scans_only_what_the_next_commit_adds() {
        let repo = Repo::new();
        // Committed already: not the pre-commit hook's business.
        repo.write("old.env", &format!("GITHUB_TOKEN={GITHUB_PAT}\n"));
        repo.commit("old");
        repo.write("new.env", &format!("{AGE_KEY}\n"));
        repo.git(&["add", "new.env"]);
        // Not staged: not scanned.
        repo.write("unstaged.env", &format!("stripe={STRIPE}\n"));
        let (run, doc) = repo.scan(&["--staged"]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let f = only_finding(&doc, "secret.age-identity");
        assert_eq!(f["locations"][0]["path"], "new.env");
        assert_eq!(doc["secrets"]["blobs"], 1);
        // Nothing staged: clean.
        repo.git(&["reset", "-q"]);
        let (run, _) = repo.scan(&["--staged"]);
        assert_eq!(run.code, 0);
    }

    #[test]
    fn staged_in_a_repository_without_commits() {
        let repo = Repo::new();
        repo.write("first.env", &format!("GITHUB_TOKEN={GITHUB_PAT}\n"));
        repo.git(&["add", "first.env"]);
        let (run, doc) = repo.scan(&["--staged"]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        only_finding(&doc, "secret.github-pat");
    }
}

mod custom_rules {
    use super::*;

    const RULE: &str = ACME_RULE;

    #[test]
    fn custom_rules_from_config_find_secrets_and_are_listed() {
        let repo = Repo::new();
        repo.write("svc.env", "ACME_TOKEN=acme_tok_q9m2kp7rt4vw8yb1nc5df3gh\n");
        repo.commit("svc");
        repo.write("palisade.toml", RULE);
        let (run, doc) = repo.scan(&[]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let f = only_finding(&doc, "secret.acme-internal-token");
        assert_eq!(f["severity"], "high");
        let list = finish(
            command(repo.path())
                .args(["rules", "list"])
                .output()
                .unwrap(),
        );
        assert!(
            list.stdout.contains("secret.acme-internal-token"),
            "{}",
            list.stdout
        );
    }

    #[test]
    fn a_custom_rule_whose_example_fails_is_a_config_error() {
        let repo = Repo::new();
        repo.commit("empty");
        repo.write(
            "palisade.toml",
            &RULE.replace("acme_tok_k3mq7xvb2nz5rt4wy6pa2c3d", "acme_tok_TOO_SHORT"),
        );
        let (run, _) = repo.scan(&[]);
        assert_error(
            &run,
            &[
                "palisade.toml:2:",
                "secret.acme-internal-token",
                "example not matched",
            ],
        );
    }
}

/// Every finding says how sure it is; `min-confidence` (flag, then `[secrets]`, default
/// medium) chooses what is reported.
mod confidence {
    use super::*;

    const GENERIC: &str = "password = \"5lpQan%IE^rVvwaw4SFZGK50\"\n";

    fn repo() -> Repo {
        let repo = Repo::new();
        repo.write("app.cfg", GENERIC);
        repo.write("deploy.env", &format!("GITHUB_TOKEN={GITHUB_PAT}\n"));
        repo.commit("config");
        repo
    }

    fn rules_of(doc: &Value) -> Vec<(String, String)> {
        secret_findings(doc)
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["evidence"]["confidence"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn generic_assignments_are_low_and_left_out_by_default() {
        let repo = repo();
        let (_, doc) = repo.scan(&[]);
        assert_eq!(
            rules_of(&doc),
            [("secret.github-pat".to_string(), "high".to_string())]
        );
        let (_, doc) = repo.scan(&["--min-confidence", "low"]);
        let rules = rules_of(&doc);
        assert!(
            rules.contains(&("secret.generic-assignment".to_string(), "low".to_string())),
            "{rules:?}"
        );
    }

    #[test]
    fn the_config_sets_it_and_the_flag_wins() {
        let repo = repo();
        std::fs::write(
            repo.path().join("palisade.toml"),
            "[secrets]\nmin-confidence = \"low\"\n",
        )
        .unwrap();
        let (_, doc) = repo.scan(&[]);
        assert_eq!(rules_of(&doc).len(), 2, "{:?}", rules_of(&doc));
        let (_, doc) = repo.scan(&["--min-confidence", "high"]);
        assert_eq!(rules_of(&doc).len(), 1, "{:?}", rules_of(&doc));
    }

    #[test]
    fn a_bad_level_names_the_key() {
        let repo = repo();
        std::fs::write(
            repo.path().join("palisade.toml"),
            "[secrets]\nmin-confidence = \"sure\"\n",
        )
        .unwrap();
        let (run, _) = repo.scan(&[]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains("palisade.toml:2") && run.stderr.contains("low, medium, high"),
            "{}",
            run.stderr
        );
    }
}

/// A secret assigned to a secret-like name is found in every file syntax, quoted or not,
/// when low-confidence findings are asked for; code that merely names a secret is not.
mod layouts {
    use super::*;

    const VALUE: &str = "Xq7vR2mK9pL4tW8z";

    #[test]
    fn every_layout_is_found_at_low_confidence() {
        let layouts = [
            ("app.py", format!("DB_PASSWORD = \"{VALUE}\"\n")),
            (".env", format!("DB_PASSWORD={VALUE}\n")),
            ("config.ini", format!("[db]\npassword = {VALUE}\n")),
            ("values.yaml", format!("db:\n  password: {VALUE}\n")),
            ("flat.yaml", format!("db_password: {VALUE}\n")),
            (
                "settings.xml",
                format!("<server><password>{VALUE}</password></server>\n"),
            ),
            (
                "web.config",
                format!("<add key=\"DbPassword\" value=\"{VALUE}\" />\n"),
            ),
            ("main.go", format!("var dbPassword = `{VALUE}`\n")),
            ("config.json", format!("{{\"dbPassword\": \"{VALUE}\"}}\n")),
            ("deploy.sh", format!("mysql --password={VALUE} shop\n")),
            (
                "lib.rs",
                format!("const DB_PASSWORD: &str = \"{VALUE}\";\n"),
            ),
            (
                "app.properties",
                format!("spring.datasource.password={VALUE}\n"),
            ),
            ("Dockerfile", format!("ENV DB_PASSWORD={VALUE}\n")),
            (
                "conn.cs",
                format!("var c = \"Server=db;User Id=app;Password={VALUE};\";\n"),
            ),
            (
                "ftp.txt",
                format!("ftp://deploy:{VALUE}@files-internal/upload\n"),
            ),
        ];
        let repo = Repo::new();
        for (file, text) in &layouts {
            repo.write(file, text);
        }
        repo.commit("every layout");
        let (run, doc) = repo.scan(&["--min-confidence", "low"]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let mut found: Vec<String> = secret_findings(&doc)
            .iter()
            .flat_map(|f| {
                let mut paths = vec![f["evidence"]["path"].as_str().unwrap().to_string()];
                for o in f["evidence"]["occurrences"].as_array().unwrap() {
                    paths.push(o["path"].as_str().unwrap().to_string());
                }
                paths
            })
            .collect();
        found.sort();
        found.dedup();
        let mut expected: Vec<String> = layouts.iter().map(|(f, _)| f.to_string()).collect();
        expected.sort();
        assert_eq!(found, expected);
    }

    #[test]
    fn code_that_names_a_secret_is_not_a_finding() {
        let repo = Repo::new();
        repo.write(
            "app.py",
            "password = request.form.get\ntoken = self.token\nSECRET_KEY = settings.DJANGO_SECRET_KEY\napi_key = os.environ\nsecret_version: 1.2.3\ntoken_url = https://auth.example.com/oauth/token\npassword = password123\n",
        );
        repo.write(
            "main.rs",
            "let token: String = get_token(&config);\nlet password = args.password.clone();\n",
        );
        repo.commit("code");
        let (run, doc) = repo.scan(&["--min-confidence", "low"]);
        assert_eq!(
            run.code,
            0,
            "{}",
            serde_json::to_string_pretty(&doc).unwrap()
        );
    }
}
