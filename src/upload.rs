//! `upload-sarif`: send a SARIF file to GitHub code scanning and wait until GitHub has
//! processed it.
//!
//! `POST /repos/{owner}/{repo}/code-scanning/sarifs` with the commit, the ref and the SARIF
//! gzipped and base64-encoded; then `GET …/sarifs/{id}` until `processing_status` is
//! `complete` or `failed`. GitHub's limits are checked before anything is sent. The token goes
//! only into the `Authorization` header; every message that could echo it is scrubbed.

use base64::Engine;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// GitHub's limit on the gzipped SARIF.
pub const MAX_GZIPPED_BYTES: usize = 10 * 1024 * 1024;
/// GitHub's limit on results per run.
pub const MAX_RESULTS_PER_RUN: usize = 25_000;
/// GitHub's limit on runs per file.
pub const MAX_RUNS: usize = 20;

/// Where and what to upload.
#[derive(Clone, Debug)]
pub struct Upload {
    /// The SARIF file.
    pub file: PathBuf,
    /// `owner/name`.
    pub repository: String,
    /// The full commit SHA the analysis is of.
    pub commit: String,
    /// `refs/heads/…` or `refs/pull/N/merge`.
    pub git_ref: String,
    /// `https://api.github.com`, or a GitHub Enterprise Server's `https://host/api/v3`.
    pub api_url: String,
    /// The token (`GITHUB_TOKEN`).
    pub token: String,
    /// How long to wait for processing; zero: do not wait.
    pub wait: Duration,
    /// Time between status polls.
    pub poll_interval: Duration,
}

/// What GitHub said about a finished upload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uploaded {
    /// The upload id.
    pub id: String,
    /// `complete`, or `pending` when not waited for.
    pub status: String,
    /// The analyses URL GitHub gives once processed.
    pub analyses_url: Option<String>,
}

/// Why an upload did not happen or did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The file could not be read.
    #[error("cannot read {}: {message}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The file is not SARIF 2.1.0 or breaks one of GitHub's limits.
    #[error("{}: {message}", path.display())]
    Refused {
        /// The file.
        path: PathBuf,
        /// Which limit, or what is wrong.
        message: String,
    },
    /// GitHub, or the way to it, said no.
    #[error("{0}")]
    Github(String),
}

/// Checks a SARIF document against what code scanning accepts; returns (runs, results).
pub fn check_limits(sarif: &Value, gzipped: usize) -> Result<(usize, usize), String> {
    if sarif.get("version").and_then(Value::as_str) != Some("2.1.0") {
        return Err("not SARIF 2.1.0 (no `\"version\": \"2.1.0\"`)".into());
    }
    let Some(runs) = sarif.get("runs").and_then(Value::as_array) else {
        return Err("not SARIF: no `runs` array".into());
    };
    if runs.len() > MAX_RUNS {
        return Err(format!(
            "{} runs; GitHub code scanning accepts at most {MAX_RUNS} runs per file (split it, or upload per check)",
            runs.len()
        ));
    }
    let mut total = 0;
    for (i, run) in runs.iter().enumerate() {
        let results = run
            .get("results")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if results > MAX_RESULTS_PER_RUN {
            return Err(format!(
                "run {i} has {results} results; GitHub code scanning accepts at most {MAX_RESULTS_PER_RUN} per run (GitHub would drop the rest)"
            ));
        }
        total += results;
    }
    if gzipped > MAX_GZIPPED_BYTES {
        return Err(format!(
            "{} bytes gzipped; GitHub code scanning accepts at most {MAX_GZIPPED_BYTES} (10 MB) gzipped",
            gzipped
        ));
    }
    Ok((runs.len(), total))
}

/// Gzips and base64-encodes the file after checking it; returns the payload and the counts.
fn payload(path: &Path) -> Result<(String, usize, usize), UploadError> {
    let bytes = std::fs::read(path).map_err(|e| UploadError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    // What leaves for GitHub passes the redactor like every other output.
    let bytes = crate::output::clean(&String::from_utf8_lossy(&bytes), crate::output::Kind::Data)
        .into_owned()
        .into_bytes();
    let refused = |message: String| UploadError::Refused {
        path: path.to_path_buf(),
        message,
    };
    let sarif: Value =
        serde_json::from_slice(&bytes).map_err(|e| refused(format!("not JSON: {e}")))?;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let gzipped = encoder
        .write_all(&bytes)
        .and_then(|()| encoder.finish())
        .map_err(|e| refused(format!("cannot gzip: {e}")))?;
    let (runs, results) = check_limits(&sarif, gzipped.len()).map_err(refused)?;
    Ok((
        base64::engine::general_purpose::STANDARD.encode(gzipped),
        runs,
        results,
    ))
}

/// What went wrong in words a person can act on, for an HTTP status GitHub answered.
fn explain(status: reqwest::StatusCode, repository: &str, body: &str) -> String {
    let message = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| body.chars().take(200).collect());
    let hint = match status.as_u16() {
        401 => "the token is invalid or expired".to_string(),
        403 => format!(
            "the token may not upload to {repository} (it needs `security-events: write`), or code scanning is not enabled there"
        ),
        404 => format!(
            "no repository {repository} that this token can see (check --repo / GITHUB_REPOSITORY and --api-url)"
        ),
        413 => "GitHub refused the payload as too large".to_string(),
        422 => "GitHub refused the request (is the commit SHA full-length and the ref right?)"
            .to_string(),
        _ => "unexpected answer".to_string(),
    };
    format!("GitHub answered HTTP {status}: {hint}: {message}")
}

/// Uploads and, unless `wait` is zero, polls until GitHub has processed the file.
pub fn upload(u: &Upload, progress: &dyn Fn(&str)) -> Result<Uploaded, UploadError> {
    let scrub = |s: String| {
        if u.token.is_empty() {
            s
        } else {
            s.replace(&u.token, "***")
        }
    };
    let fail = |s: String| UploadError::Github(scrub(s));
    let (sarif, runs, results) = payload(&u.file)?;
    let Some((owner, name)) = u
        .repository
        .split_once('/')
        .filter(|(o, n)| !o.is_empty() && !n.is_empty() && !n.contains('/'))
    else {
        return Err(fail(format!(
            "repository `{}` is not owner/name",
            u.repository
        )));
    };
    if u.commit.len() != 40 || !u.commit.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(fail(format!(
            "commit `{}` is not a full 40-digit SHA (GitHub needs the exact commit)",
            u.commit
        )));
    }
    if !u.git_ref.starts_with("refs/") {
        return Err(fail(format!(
            "ref `{}` is not a full ref like refs/heads/main or refs/pull/42/merge",
            u.git_ref
        )));
    }
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .user_agent(concat!("palisade/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| fail(crate::output::error_chain(&e)))?;
    let base = u.api_url.trim_end_matches('/');
    let endpoint = format!("{base}/repos/{owner}/{name}/code-scanning/sarifs");
    let body = serde_json::json!({
        "commit_sha": u.commit,
        "ref": u.git_ref,
        "sarif": sarif,
        "tool_name": "palisade",
    });
    progress(&format!(
        "uploading {} ({runs} runs, {results} results) to {owner}/{name} at {}",
        u.file.display(),
        u.commit
    ));
    let request = |r: reqwest::blocking::RequestBuilder| {
        r.bearer_auth(&u.token)
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28")
    };
    let response = request(client.post(&endpoint))
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .map_err(|e| {
            fail(format!(
                "cannot reach {base}: {}",
                crate::output::error_chain(&e)
            ))
        })?;
    let status = response.status();
    let text = response.text().unwrap_or_default();
    if !status.is_success() {
        return Err(fail(explain(status, &u.repository, &text)));
    }
    let answer: Value = serde_json::from_str(&text).map_err(|_| {
        fail(format!(
            "GitHub's answer to the upload is not JSON: {}",
            text.chars().take(200).collect::<String>()
        ))
    })?;
    let Some(id) = answer.get("id").and_then(Value::as_str).map(str::to_string) else {
        return Err(fail("GitHub's answer to the upload has no `id`".into()));
    };
    if u.wait.is_zero() {
        return Ok(Uploaded {
            id,
            status: "pending".into(),
            analyses_url: None,
        });
    }
    let status_url = format!("{endpoint}/{id}");
    let started = Instant::now();
    loop {
        let response = request(client.get(&status_url)).send().map_err(|e| {
            fail(format!(
                "cannot reach {base}: {}",
                crate::output::error_chain(&e)
            ))
        })?;
        let code = response.status();
        let text = response.text().unwrap_or_default();
        if !code.is_success() {
            return Err(fail(explain(code, &u.repository, &text)));
        }
        let state: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        match state.get("processing_status").and_then(Value::as_str) {
            Some("complete") => {
                return Ok(Uploaded {
                    id,
                    status: "complete".into(),
                    analyses_url: state
                        .get("analyses_url")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                });
            }
            Some("failed") => {
                let errors: Vec<String> = state
                    .get("errors")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|e| e.as_str().map(str::to_string))
                    .collect();
                return Err(fail(format!(
                    "GitHub could not process upload {id}: {}",
                    if errors.is_empty() {
                        "no reason given".to_string()
                    } else {
                        errors.join("; ")
                    }
                )));
            }
            Some("pending") | None => {}
            Some(other) => {
                return Err(fail(format!("GitHub reports upload {id} as `{other}`")));
            }
        }
        if started.elapsed() >= u.wait {
            return Err(fail(format!(
                "upload {id} still pending after {} s; see the repository's code scanning page, or wait longer with --wait",
                u.wait.as_secs()
            )));
        }
        std::thread::sleep(u.poll_interval);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn limits_name_what_was_exceeded() {
        let ok = json!({"version": "2.1.0", "runs": [{"results": [{}, {}]}, {}]});
        assert_eq!(check_limits(&ok, 100), Ok((2, 2)));
        let runs = json!({"version": "2.1.0", "runs": vec![json!({}); 21]});
        assert!(check_limits(&runs, 1).unwrap_err().contains("21 runs"));
        let results = json!({"version": "2.1.0", "runs": [{"results": vec![json!({}); 25_001]}]});
        assert!(
            check_limits(&results, 1)
                .unwrap_err()
                .contains("25001 results")
        );
        assert!(
            check_limits(&ok, MAX_GZIPPED_BYTES + 1)
                .unwrap_err()
                .contains("10 MB")
        );
        assert!(check_limits(&json!({"version": "2.0.0", "runs": []}), 1).is_err());
    }
}
