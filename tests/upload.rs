//! `upload-sarif` against a real HTTP server on 127.0.0.1 that checks each request as GitHub
//! would (headers, the gzipped and base64-encoded body) and answers as GitHub does.

mod common;

use base64::Engine;
use common::*;
use serde_json::{Value, json};
use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex};

const TOKEN: &str = "ghs_TestTokenThatMustNeverBePrinted0001";
const SHA: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const UPLOAD_ID: &str = "47177e22-5596-11eb-80a1-c1e54ef945c6";

/// One request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A fake GitHub: the repository name picks the behaviour.
struct FakeGithub {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

fn answer(status: u16, body: Value) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    tiny_http::Response::from_string(body.to_string())
        .with_status_code(status)
        .with_header(
            "Content-Type: application/json"
                .parse::<tiny_http::Header>()
                .unwrap(),
        )
}

fn start() -> FakeGithub {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api/v3", server.server_addr());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        let mut polls = 0;
        for mut request in server.incoming_requests() {
            let mut body = String::new();
            request.as_reader().read_to_string(&mut body).unwrap();
            let method = request.method().to_string();
            let url = request.url().to_string();
            log.lock().unwrap().push(Seen {
                method: method.clone(),
                url: url.clone(),
                headers: request
                    .headers()
                    .iter()
                    .map(|h| (h.field.to_string(), h.value.to_string()))
                    .collect(),
                body,
            });
            let repo = url
                .trim_start_matches("/api/v3/repos/")
                .split('/')
                .take(2)
                .collect::<Vec<_>>()
                .join("/");
            let response = match (method.as_str(), repo.as_str()) {
                ("POST", "acme/forbidden") => answer(
                    403,
                    json!({"message": "Resource not accessible by integration", "documentation_url": "https://docs.github.com/rest"}),
                ),
                ("POST", "acme/missing") => answer(404, json!({"message": "Not Found"})),
                ("POST", "acme/huge") => answer(413, json!({"message": "Payload Too Large"})),
                // A proxy that echoes the credentials it was given.
                ("POST", "acme/echo") => answer(
                    401,
                    json!({"message": format!("Bad credentials: Bearer {TOKEN}")}),
                ),
                ("POST", _) => answer(
                    202,
                    json!({"id": UPLOAD_ID, "url": format!("https://api.github.com/repos/{repo}/code-scanning/sarifs/{UPLOAD_ID}")}),
                ),
                ("GET", "acme/broken") => answer(
                    200,
                    json!({"processing_status": "failed", "analyses_url": null, "errors": ["locationFromSarifResult: expected artifact location"]}),
                ),
                ("GET", "acme/slow") => answer(200, json!({"processing_status": "pending"})),
                ("GET", _) => {
                    polls += 1;
                    if polls < 2 {
                        answer(200, json!({"processing_status": "pending"}))
                    } else {
                        answer(
                            200,
                            json!({"processing_status": "complete", "analyses_url": format!("https://api.github.com/repos/{repo}/code-scanning/analyses?sarif_id={UPLOAD_ID}"), "errors": []}),
                        )
                    }
                }
                _ => answer(405, json!({"message": "no"})),
            };
            let _ = request.respond(response);
        }
    });
    FakeGithub { url, seen }
}

fn upload(github: &FakeGithub, repo: &str, file: &Path, extra: &[&str]) -> Run {
    let run = finish(
        command(&root())
            .env("GITHUB_TOKEN", TOKEN)
            .env("GITHUB_REPOSITORY", repo)
            .env("GITHUB_SHA", SHA)
            .env("GITHUB_REF", "refs/pull/42/merge")
            .args([
                "upload-sarif",
                "--api-url",
                &github.url,
                "--poll-interval-ms",
                "20",
            ])
            .arg(file)
            .args(extra)
            .output()
            .unwrap(),
    );
    assert!(
        !run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN),
        "the token was printed: {} {}",
        run.stdout,
        run.stderr
    );
    run
}

/// Exit 2, and the last stderr line (after the `uploading …` progress line) is the one error
/// line, holding every needle.
fn assert_refused(run: &Run, needles: &[&str]) {
    assert_eq!(run.code, 2, "{}", run.stderr);
    let last = run.stderr.lines().last().unwrap_or_default();
    assert!(last.starts_with("error: "), "{}", run.stderr);
    for needle in needles {
        assert!(last.contains(needle), "{needle:?} not in {last:?}");
    }
}

fn sarif_file() -> std::path::PathBuf {
    root().join("fixtures/imports/gosec.sarif")
}

#[test]
fn uploads_gzipped_base64_sarif_and_waits_for_processing() {
    let github = start();
    let run = upload(&github, "acme/api", &sarif_file(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("upload {UPLOAD_ID}: complete")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("1 runs, 5 results"), "{}", run.stderr);
    let seen = github.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "{seen:#?}");
    let post = &seen[0];
    assert_eq!(post.method, "POST");
    assert_eq!(post.url, "/api/v3/repos/acme/api/code-scanning/sarifs");
    assert_eq!(
        post.header("Authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(post.header("Accept"), Some("application/vnd.github+json"));
    assert_eq!(post.header("X-GitHub-Api-Version"), Some("2022-11-28"));
    assert!(post.header("User-Agent").unwrap().starts_with("palisade/"));
    let body: Value = serde_json::from_str(&post.body).unwrap();
    assert_eq!(body["commit_sha"], SHA);
    assert_eq!(body["ref"], "refs/pull/42/merge");
    let gzipped = base64::engine::general_purpose::STANDARD
        .decode(body["sarif"].as_str().unwrap())
        .unwrap();
    let mut sent = Vec::new();
    flate2::read::GzDecoder::new(&gzipped[..])
        .read_to_end(&mut sent)
        .unwrap();
    // What was sent is the file as the redactor lets it out: this one holds no secret (its
    // database password is the placeholder REDACTED), so byte for byte the file.
    assert_eq!(sent, std::fs::read(sarif_file()).unwrap());
    for poll in &seen[1..] {
        assert_eq!(poll.method, "GET");
        assert_eq!(
            poll.url,
            format!("/api/v3/repos/acme/api/code-scanning/sarifs/{UPLOAD_ID}")
        );
        assert_eq!(
            poll.header("Authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
    }
}

#[test]
fn github_refusals_are_clear_errors() {
    let github = start();
    let file = sarif_file();
    assert_refused(
        &upload(&github, "acme/forbidden", &file, &[]),
        &[
            "HTTP 403",
            "security-events: write",
            "acme/forbidden",
            "Resource not accessible",
        ],
    );
    assert_refused(
        &upload(&github, "acme/missing", &file, &[]),
        &["HTTP 404", "no repository acme/missing"],
    );
    assert_refused(
        &upload(&github, "acme/huge", &file, &[]),
        &["HTTP 413", "too large"],
    );
    assert_refused(
        &upload(&github, "acme/echo", &file, &[]),
        &["HTTP 401", "Bearer ***"],
    );
    assert_refused(
        &upload(&github, "acme/broken", &file, &[]),
        &["could not process upload", "expected artifact location"],
    );
    assert_refused(
        &upload(&github, "acme/slow", &file, &["--wait", "1"]),
        &["still pending after 1 s"],
    );
}

#[test]
fn limits_and_missing_settings_are_checked_before_sending() {
    let github = start();
    let dir = tempfile::tempdir().unwrap();
    let many_runs = dir.path().join("runs.sarif");
    let run = json!({"tool": {"driver": {"name": "x"}}, "results": []});
    std::fs::write(
        &many_runs,
        json!({"version": "2.1.0", "runs": vec![run; 21]}).to_string(),
    )
    .unwrap();
    assert_error(
        &upload(&github, "acme/api", &many_runs, &[]),
        &["runs.sarif", "21 runs", "at most 20"],
    );
    let many_results = dir.path().join("results.sarif");
    let results = vec![json!({"message": {"text": "m"}}); 25_001];
    std::fs::write(
        &many_results,
        json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": results}]}).to_string(),
    )
    .unwrap();
    assert_error(
        &upload(&github, "acme/api", &many_results, &[]),
        &["results.sarif", "25001 results", "at most 25000"],
    );
    assert_error(
        &upload(&github, "acme/api", &dir.path().join("none.sarif"), &[]),
        &["cannot read", "none.sarif"],
    );
    assert!(github.seen.lock().unwrap().is_empty());
    // No token: refused before anything is read or sent.
    let no_token = finish(
        command(&root())
            .args([
                "upload-sarif",
                "--repo",
                "acme/api",
                "--commit",
                SHA,
                "--ref",
                "refs/heads/main",
            ])
            .arg(sarif_file())
            .output()
            .unwrap(),
    );
    assert_error(&no_token, &["GITHUB_TOKEN is not set"]);
    let short_sha = upload(&github, "acme/api", &sarif_file(), &["--commit", "4b825dc"]);
    assert_error(&short_sha, &["not a full 40-digit SHA"]);
    assert!(github.seen.lock().unwrap().is_empty());
}
