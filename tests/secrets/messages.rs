//! Text git keeps outside blobs: commit messages, annotated tag messages, notes. Each finding
//! names the commit, tag or note, and the summary shown beside a finding is masked.

use super::*;

/// The finding of `rule`, wherever it is.
fn finding<'a>(doc: &'a Value, rule: &str) -> &'a Value {
    secret_findings(doc)
        .into_iter()
        .find(|f| f["rule"] == rule || f["subject"]["id"] == rule)
        .unwrap_or_else(|| panic!("no {rule} finding: {doc:#}"))
}

#[test]
fn a_token_in_a_commit_message_names_the_commit() {
    let repo = Repo::new();
    repo.write("README.md", "service\n");
    repo.commit("initial");
    repo.write("NOTES.md", "rotated\n");
    let commit = repo.commit(&format!(
        "rotate key\n\nthe old one was {STRIPE}, revoked since"
    ));
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let f = only_finding(&doc, "secret.stripe-live-secret-key");
    assert_eq!(f["evidence"]["held_in"], "commit-message");
    assert_eq!(
        f["locations"][0]["path"],
        format!("git-commit:{commit}").as_str()
    );
    assert_eq!(f["locations"][0]["commit"], commit.as_str());
    assert_eq!(f["locations"][0]["line"], 3);
    assert_eq!(f["locations"][0]["column"], 17);
    assert_eq!(f["evidence"]["introduced_by"]["id"], commit.as_str());
    assert_eq!(f["evidence"]["exposure"], "reachable");
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("the message of commit {}", &commit[..12])),
        "{message}"
    );
}

#[test]
fn a_secret_in_the_summary_is_masked_in_the_introduced_by_line_of_every_finding() {
    let repo = Repo::new();
    repo.write(".env", &format!("GITHUB_TOKEN={GITHUB_PAT}\n"));
    repo.commit(&format!("add env, stripe is {STRIPE}"));
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let file = finding(&doc, "secret.github-pat");
    let summary = file["evidence"]["introduced_by"]["summary"]
        .as_str()
        .unwrap();
    assert!(summary.starts_with("add env, stripe is sk_l…"), "{summary}");
    assert!(!summary.contains(&STRIPE[8..16]), "{summary}");
    assert!(!file["message"].as_str().unwrap().contains(&STRIPE[8..16]));
    finding(&doc, "secret.stripe-live-secret-key");
}

#[test]
fn a_key_in_an_annotated_tag_message_names_the_tag() {
    let repo = Repo::new();
    repo.write("README.md", "service\n");
    let commit = repo.commit("initial");
    repo.git(&[
        "tag",
        "-a",
        "v1.2.0",
        "-m",
        &format!("release\n\nsigning key {AGE_KEY}"),
    ]);
    let tag = repo.git(&["rev-parse", "v1.2.0"]);
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let f = only_finding(&doc, "secret.age-identity");
    assert_eq!(f["evidence"]["held_in"], "tag-message");
    assert_eq!(f["locations"][0]["path"], "git-tag:v1.2.0");
    assert_eq!(f["locations"][0]["line"], 3);
    assert_eq!(f["evidence"]["tag"]["id"], tag.as_str());
    assert_eq!(f["evidence"]["tag"]["name"], "v1.2.0");
    assert_eq!(f["evidence"]["tag"]["target"], commit.as_str());
    assert_eq!(f["evidence"]["tag"]["reachable_from"], "refs/tags/v1.2.0");
    assert_eq!(f["evidence"]["exposure"], "reachable");
    // Its ref deleted, the tag object is kept by nothing: a warning.
    repo.git(&["tag", "-d", "v1.2.0"]);
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 0, "{doc:#}");
    let f = &doc["findings"][0];
    assert_eq!(f["rule"], "secrets.unreachable", "{doc:#}");
    assert_eq!(f["evidence"]["tag"]["reachable_from"], Value::Null);
}

/// Adds a note saying `text` to `HEAD`: the notes commit that holds it.
fn note_on_head(repo: &Repo, text: &str) -> String {
    repo.git(&["notes", "add", "-m", text, "HEAD"]);
    repo.git(&["rev-parse", "refs/notes/commits"])
}

#[test]
fn a_note_names_the_note_commit_and_the_annotated_commit() {
    let repo = Repo::new();
    repo.write("README.md", "service\n");
    let annotated = repo.commit("initial");
    let note_commit = note_on_head(&repo, &format!("deployed with GITHUB_TOKEN={GITHUB_PAT}"));
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let f = only_finding(&doc, "secret.github-pat");
    assert_eq!(f["evidence"]["held_in"], "note");
    assert_eq!(f["evidence"]["note"]["annotates"], annotated.as_str());
    assert_eq!(f["evidence"]["note"]["notes_ref"], "refs/notes/commits");
    assert_eq!(f["evidence"]["introduced_by"]["id"], note_commit.as_str());
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("the note on {}", &annotated[..12])),
        "{message}"
    );
}

#[test]
fn since_reads_the_messages_of_the_range_and_the_tags_on_it() {
    let repo = Repo::new();
    repo.write("README.md", "service\n");
    // Before the range: not the pull request's to answer for.
    repo.commit(&format!("old: {AGE_KEY}"));
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("src.txt", "code\n");
    let commit = repo.commit(&format!("wip\n\ntoken {GITHUB_PAT}"));
    repo.git(&["tag", "-a", "rc1", "-m", &format!("stripe {STRIPE}")]);
    let (run, doc) = repo.scan(&["--since", "main"]);
    assert_eq!(run.code, 1, "{doc:#}");
    let rules: Vec<&str> = secret_findings(&doc)
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules.len(), 2, "{doc:#}");
    let pat = finding(&doc, "secret.github-pat");
    assert_eq!(
        pat["locations"][0]["path"],
        format!("git-commit:{commit}").as_str()
    );
    assert_eq!(
        finding(&doc, "secret.stripe-live-secret-key")["evidence"]["held_in"],
        "tag-message"
    );
}

/// `--since` read the range's commits and tags but not the notes on them: a note on a commit
/// of the range is found and named as a note; one on a commit before the range is not the
/// pull request's.
#[test]
fn since_missed_the_notes_on_the_range() {
    let repo = Repo::new();
    repo.write("README.md", "service\n");
    repo.commit("initial");
    note_on_head(&repo, &format!("old: {AGE_KEY}"));
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("src.txt", "code\n");
    let annotated = repo.commit("feature work");
    let note_commit = note_on_head(&repo, &format!("deployed with GITHUB_TOKEN={GITHUB_PAT}"));
    let (run, doc) = repo.scan(&["--since", "main"]);
    assert_eq!(run.code, 1, "{doc:#}");
    let found = secret_findings(&doc);
    assert_eq!(found.len(), 1, "{doc:#}");
    let f = finding(&doc, "secret.github-pat");
    assert_eq!(f["evidence"]["held_in"], "note", "{f:#}");
    assert_eq!(f["evidence"]["note"]["annotates"], annotated.as_str());
    assert_eq!(f["evidence"]["introduced_by"]["id"], note_commit.as_str());
}

#[test]
fn message_findings_have_sarif_locations_and_leak_nothing() {
    let repo = Repo::new();
    repo.write("README.md", "service\n");
    repo.commit(&format!("rotate key, the old one was {STRIPE}"));
    repo.git(&["tag", "-a", "v1", "-m", &format!("key {AGE_KEY}")]);
    let sarif = sarif_dir().join("secrets-messages.sarif");
    let run = finish(
        command(repo.path())
            .args(["secrets", ".", "--format", "sarif", "--output"])
            .arg(&sarif)
            .args(["--format", "human"])
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let text = std::fs::read_to_string(&sarif).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let uris: Vec<&str> = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(uris.len(), 2, "{text}");
    assert!(
        uris.iter().any(|u| u.starts_with("git-commit:")),
        "{uris:?}"
    );
    assert!(uris.contains(&"git-tag:v1"), "{uris:?}");
    for out in [&text, &run.stdout, &run.stderr] {
        for secret in [STRIPE, AGE_KEY] {
            assert!(!out.contains(&secret[16..24]), "{out}");
        }
    }
}
