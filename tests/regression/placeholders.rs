//! Placeholders are not leaks: docs, templates and examples failed the gate (3 of 4 failing
//! findings in axum), and a gate that fails on them gets switched off.

use crate::common::*;

#[test]
fn placeholders_in_docs_and_templates_failed_the_gate() {
    let dir = new_repo();
    let docs = [
        "DATABASE_URL=postgres://postgres:password@localhost/app",
        "curl https://admin:changeme@registry.example.com/v2/",
        "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "api_key = \"<your-token>\"",
        "DATABASE_URL=mysql://app:${DB_PASSWORD}@db/app",
        "password: \"{{ .Values.db.password }}\"",
        "client_secret = \"%s\"",
        "secret_token = \"xxxxxxxxxxxxxxxxxxxxxxxx\"",
        "password = \"1234567890123\"",
    ];
    commit_files(
        dir.path(),
        &[("README.md", &(docs.join("\n") + "\n"))],
        "docs",
    );
    let run = palisade_in(dir.path(), &["secrets", "."]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("placeholder value"), "{}", run.stdout);
    // A weak but real password next to them is still a leak.
    commit_files(
        dir.path(),
        &[(
            ".env",
            "DATABASE_URL=postgres://app:Summer2024@db.internal/app\n",
        )],
        "env",
    );
    let run = palisade_in(dir.path(), &["secrets", "."]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("secret.postgres-uri"), "{}", run.stdout);
}

#[test]
fn a_percent_encoded_template_in_a_uri_password_was_reported() {
    let dir = new_repo();
    // `${PGPASSWORD}`, percent-encoded as a URL builder writes it: a template, not a password.
    commit_files(
        dir.path(),
        &[(
            "deploy.env",
            "DATABASE_URL=postgres://app:%24%7BPGPASSWORD%7D@db.internal/app\n",
        )],
        "deploy env",
    );
    let run = palisade_in(dir.path(), &["secrets", "."]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("placeholder value"), "{}", run.stdout);
}
