//! Baselines: a JSON file of the fingerprints of accepted findings, so a team can adopt the
//! gate on an old repository and fail only on what is new. Fingerprints never hold a secret.

use serde::{Deserialize, Serialize};
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

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let file: File = serde_json::from_str(&text).map_err(|e| BaselineError::Format {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        if file.schema != SCHEMA {
            return Err(BaselineError::Format {
                path: path.to_path_buf(),
                message: format!("schema is `{}`", file.schema),
            });
        }
        Ok(Baseline {
            path: path.to_path_buf(),
            fingerprints: file.fingerprints,
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
