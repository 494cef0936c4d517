//! Baselines: a JSON file of the fingerprints of accepted findings, so a team can adopt the
//! gate on an old repository and fail only on what is new. Fingerprints never hold a secret.

use serde::Serialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The schema id a baseline file carries.
pub const SCHEMA: &str = "palisade.baseline/v1";

/// A baseline file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// Cannot be read or written.
    #[error("baseline {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Not a baseline.
    #[error("baseline {path} is not a {SCHEMA} file: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

#[derive(Serialize)]
struct File {
    schema: String,
    fingerprints: BTreeSet<String>,
}

/// Accepted fingerprints and where they came from.
#[derive(Clone, Debug)]
pub struct Baseline {
    /// The file.
    pub path: PathBuf,
    /// The fingerprints.
    pub fingerprints: BTreeSet<String>,
}

impl Baseline {
    /// Reads a baseline file. A file that is not a baseline is an error of one line naming the
    /// file and what is wrong, never quoting it: a baseline is edited by hand, and a secret
    /// pasted into it must not reach the CI log.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let format = |message: String| BaselineError::Format {
            path: path.to_path_buf(),
            message,
        };
        // serde_json's syntax errors say what was expected and where, not what was found;
        // its type errors quote the value, so types are checked here instead.
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format(e.to_string()))?;
        let fingerprints = read_file(&value).map_err(format)?;
        Ok(Baseline {
            path: path.to_path_buf(),
            fingerprints,
        })
    }

    /// Writes `fingerprints` as a baseline file.
    pub fn write(path: &Path, fingerprints: BTreeSet<String>) -> Result<Baseline, BaselineError> {
        let file = File {
            schema: SCHEMA.into(),
            fingerprints,
        };
        let text = serde_json::to_string_pretty(&file).map_err(|e| BaselineError::Format {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        std::fs::write(path, text + "\n").map_err(|source| BaselineError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Baseline {
            path: path.to_path_buf(),
            fingerprints: file.fingerprints,
        })
    }
}

/// Whether `s` looks like a finding fingerprint (hex digits, as `finding::fingerprint` writes).
fn is_fingerprint(s: &str) -> bool {
    (16..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The fingerprints of a parsed baseline, or what is wrong with it (without quoting it).
fn read_file(value: &serde_json::Value) -> Result<BTreeSet<String>, String> {
    let Some(object) = value.as_object() else {
        return Err("it must be a JSON object with `schema` and `fingerprints`".into());
    };
    if let Some(key) = object
        .keys()
        .find(|k| !matches!(k.as_str(), "schema" | "fingerprints"))
    {
        return Err(format!(
            "unknown field `{}`; expected `schema` and `fingerprints`",
            crate::config::fields::shown(key)
        ));
    }
    match object.get("schema") {
        Some(serde_json::Value::String(s)) if s == SCHEMA => {}
        Some(_) => return Err(format!("`schema` must be \"{SCHEMA}\"")),
        None => return Err("it has no `schema`".into()),
    }
    let Some(list) = object.get("fingerprints") else {
        return Err("it has no `fingerprints`".into());
    };
    let Some(list) = list.as_array() else {
        return Err("`fingerprints` must be an array of strings".into());
    };
    let mut out = BTreeSet::new();
    for (i, item) in list.iter().enumerate() {
        match item.as_str() {
            Some(s) if is_fingerprint(s) => {
                out.insert(s.to_string());
            }
            _ => {
                return Err(format!(
                    "entry {} of `fingerprints` is not a fingerprint (hex digits, as `--write-baseline` writes them)",
                    i + 1
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(text: &str) -> String {
        read_file(&serde_json::from_str(text).unwrap()).unwrap_err()
    }

    #[test]
    fn schema_errors_name_what_is_wrong_without_quoting() {
        let secret = "ghp_R8v2kXw9TqL4mZp7Ns3Jd6Hf1Yc0Ba5Ge2Uo";
        for text in [
            format!(r#"{{"schema": "{secret}", "fingerprints": []}}"#),
            format!(r#"{{"schema": "{SCHEMA}", "fingerprints": ["{secret}"]}}"#),
            format!(r#"{{"schema": "{SCHEMA}", "fingerprints": "{secret}"}}"#),
            format!(r#"["{secret}"]"#),
        ] {
            let p = problem(&text);
            assert!(!p.contains("ghp_"), "{p}");
        }
        let ok = format!(
            r#"{{"schema": "{SCHEMA}", "fingerprints": ["0123456789abcdef0123456789abcdef"]}}"#
        );
        assert_eq!(
            read_file(&serde_json::from_str(&ok).unwrap())
                .unwrap()
                .len(),
            1
        );
    }
}
