//! `db fetch --go`: downloads the Go vulnerability database as one zip (`vulndb.zip` from
//! the public endpoint, or `$PALISADE_GO_VULNDB_URL`) and unpacks it into the database
//! folder in the served layout (`index/`, `ID/`), replacing the old copy only once the new
//! one has opened.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where the database is served.
pub const DEFAULT_URL: &str = "https://vuln.go.dev";

/// The variable that points the fetch at another server (a mirror, or a test's).
pub const URL_VAR: &str = "PALISADE_GO_VULNDB_URL";

/// The largest archive accepted (today's is a few MB).
const MAX_ZIP: u64 = 512 << 20;

/// Fetching failed.
#[derive(Debug, thiserror::Error)]
#[error("fetching the Go vulnerability database from {url} into {}: {message}", path.display())]
pub struct FetchError {
    /// The archive's address.
    pub url: String,
    /// The target folder.
    pub path: PathBuf,
    /// Why.
    pub message: String,
}

/// Downloads and unpacks the database into `path`; returns the number of entries.
pub fn fetch(path: &Path) -> Result<usize, FetchError> {
    let base = std::env::var(URL_VAR).unwrap_or_else(|_| DEFAULT_URL.to_string());
    let url = format!("{}/vulndb.zip", base.trim_end_matches('/'));
    let fail = |message: String| FetchError {
        url: url.clone(),
        path: path.to_path_buf(),
        message,
    };
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(300))
        .user_agent(concat!("palisade/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| fail(crate::output::error_chain(&e)))?;
    let response = client
        .get(&url)
        .send()
        .map_err(|e| fail(crate::output::error_chain(&e)))?;
    if !response.status().is_success() {
        return Err(fail(format!("the server answered {}", response.status())));
    }
    let mut data = Vec::new();
    response
        .take(MAX_ZIP + 1)
        .read_to_end(&mut data)
        .map_err(|e| fail(format!("the download broke off: {e}")))?;
    if data.len() as u64 > MAX_ZIP {
        return Err(fail(format!(
            "the archive is larger than {} MB",
            MAX_ZIP >> 20
        )));
    }
    install(&data, path).map_err(fail)
}

/// Unpacks the archive next to `path`, checks it opens as a database, then puts it in place.
pub fn install(data: &[u8], path: &Path) -> Result<usize, String> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    let staging = parent.join(format!(".go-vulndb-new-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    let result = unpack(data, &staging).and_then(|count| {
        let old = parent.join(format!(".go-vulndb-old-{}", std::process::id()));
        if path.exists() {
            std::fs::rename(path, &old)
                .map_err(|e| format!("cannot move the old copy aside: {e}"))?;
        }
        if let Err(e) = std::fs::rename(&staging, path) {
            let _ = std::fs::rename(&old, path);
            return Err(format!("cannot put the new copy in place: {e}"));
        }
        let _ = std::fs::remove_dir_all(&old);
        Ok(count)
    });
    let _ = std::fs::remove_dir_all(&staging);
    result
}

/// Unpacks the served layout's files into `staging` and opens it.
fn unpack(data: &[u8], staging: &Path) -> Result<usize, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(data))
        .map_err(|e| format!("the download is not a zip archive ({e})"))?;
    for i in 0..archive.len() {
        let mut member = archive
            .by_index(i)
            .map_err(|e| format!("member {i} of the archive is unreadable: {e}"))?;
        // Only the served layout's own files (`index/*.json`, `ID/*.json`, under one top
        // folder or none), with plain names: nothing lands outside the staging folder.
        let Ok(raw) = member.name().map(|n| n.into_owned()) else {
            continue;
        };
        let parts: Vec<&str> = raw.split('/').collect();
        let name = match parts.as_slice() {
            [.., dir @ ("index" | "ID"), file]
                if parts.len() <= 3
                    && file.ends_with(".json")
                    && file
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
                    && !file.starts_with('.') =>
            {
                format!("{dir}/{file}")
            }
            _ => continue,
        };
        if member.is_dir() {
            continue;
        }
        let target = staging.join(&name);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let mut bytes = Vec::new();
        member
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{name} in the archive is unreadable: {e}"))?;
        std::fs::write(&target, bytes)
            .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    }
    let opened = super::osv::Database::open(staging)
        .map_err(|e| format!("the downloaded database does not open: {e}"))?;
    Ok(opened.entry_count)
}
