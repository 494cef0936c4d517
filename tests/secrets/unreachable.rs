//! Objects the database holds that no pushed ref reaches: kept only by a reflog after
//! `git reset --hard`, or only by the stash after `git stash -u`. They are found, and the
//! finding says that no ref reaches them and what still keeps them.

use super::*;

fn unreachable(doc: &Value) -> Vec<&Value> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "secrets.unreachable")
        .collect()
}

#[test]
fn a_commit_dropped_by_reset_hard_is_kept_by_the_reflog() {
    let repo = Repo::new();
    repo.write("README.md", "service\n");
    repo.commit("initial");
    repo.write("deploy.env", &format!("GITHUB_TOKEN={GITHUB_PAT}\n"));
    let dropped = repo.commit("deploy config");
    repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 0, "{doc:#}");
    let found = unreachable(&doc);
    assert_eq!(found.len(), 1, "{doc:#}");
    let f = found[0];
    assert_eq!(f["subject"]["id"], "secret.github-pat");
    assert_eq!(f["locations"][0]["path"], "deploy.env");
    assert_eq!(f["evidence"]["introduced_by"]["id"], dropped.as_str());
    assert_eq!(f["evidence"]["exposure"], "unreachable");
    assert_eq!(f["evidence"]["kept_by"], "the reflog of HEAD");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("no pushed ref reaches it: only the reflog of HEAD keeps it"),
        "{f:#}"
    );
    // Once the reflog is expired, nothing keeps it (until gc prunes it).
    repo.git(&["reflog", "expire", "--expire-unreachable=now", "--all"]);
    let (_, doc) = repo.scan(&[]);
    assert_eq!(unreachable(&doc)[0]["evidence"]["kept_by"], Value::Null);
}

#[test]
fn an_untracked_file_stashed_with_stash_u_is_found_and_only_the_stash_holds_it() {
    let repo = Repo::new();
    repo.write("README.md", "service\n");
    repo.commit("initial");
    // Never added: only `git stash -u` puts it in the object database.
    repo.write("local/.env", &format!("STRIPE_KEY={STRIPE}\n"));
    repo.git(&["stash", "-q", "-u"]);
    assert!(!repo.path().join("local/.env").exists());
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 0, "{doc:#}");
    let found = unreachable(&doc);
    assert_eq!(found.len(), 1, "{doc:#}");
    let f = found[0];
    assert_eq!(f["subject"]["id"], "secret.stripe-live-secret-key");
    assert_eq!(f["locations"][0]["path"], "local/.env");
    assert_eq!(f["evidence"]["kept_by"], "refs/stash");
    // A second stash pushes the first down to stash@{1}: the reflog of refs/stash keeps it.
    repo.write("README.md", "changed\n");
    repo.git(&["stash", "-q"]);
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 0, "{doc:#}");
    let f = unreachable(&doc)
        .into_iter()
        .find(|f| f["subject"]["id"] == "secret.stripe-live-secret-key")
        .unwrap();
    assert_eq!(f["evidence"]["kept_by"], "the reflog of refs/stash");
}
