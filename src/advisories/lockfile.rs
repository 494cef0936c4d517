//! Reading `Cargo.lock`: parsed by the `cargo-lock` crate (through `rustsec`), plus the line of
//! each `[[package]]` entry so findings can point at it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A lockfile that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum LockfileError {
    /// Cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Parses, but lists no package: not what cargo writes (it always lists the workspace's
    /// own packages), and a scan of it would pass having checked nothing.
    #[error(
        "{path}: no packages: is this the lockfile cargo generated? (`cargo generate-lockfile` writes one)"
    )]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// Not a valid lockfile.
    #[error("{path}{}: not a valid Cargo.lock: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Parse {
        /// The file.
        path: PathBuf,
        /// Line of the problem, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
}

/// A parsed lockfile and where each package entry starts.
pub struct Lockfile {
    /// The parsed lockfile.
    pub parsed: rustsec::Lockfile,
    /// The file.
    pub path: PathBuf,
    lines: HashMap<(String, String), u32>,
}

impl Lockfile {
    /// Reads and parses `path`.
    pub fn load(path: &Path) -> Result<Lockfile, LockfileError> {
        let text = std::fs::read_to_string(path).map_err(|source| LockfileError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let parsed: rustsec::Lockfile = text.parse().map_err(|e: rustsec::cargo_lock::Error| {
            let message = crate::advisories::db::error_chain(&e);
            LockfileError::Parse {
                path: path.to_path_buf(),
                line: line_in_message(&message),
                message,
            }
        })?;
        if parsed.packages.is_empty() {
            return Err(LockfileError::Empty {
                path: path.to_path_buf(),
            });
        }
        Ok(Lockfile {
            parsed,
            path: path.to_path_buf(),
            lines: package_lines(&text),
        })
    }

    /// The 1-based line of the `[[package]]` header for `name version`.
    pub fn line_of(&self, name: &str, version: &str) -> Option<u32> {
        self.lines
            .get(&(name.to_string(), version.to_string()))
            .copied()
    }
}

/// toml's messages read "TOML parse error at line 3, column 1"; keep the line.
fn line_in_message(message: &str) -> Option<usize> {
    let rest = &message[message.find("at line ")? + "at line ".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Maps `(name, version)` to the line of its `[[package]]` header, reading the text as
/// cargo writes it (`name = "…"` and `version = "…"` right under the header).
fn package_lines(text: &str) -> HashMap<(String, String), u32> {
    let mut lines = HashMap::new();
    let mut header: Option<u32> = None;
    let mut name: Option<&str> = None;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line == "[[package]]" {
            header = u32::try_from(i + 1).ok();
            name = None;
        } else if line.starts_with('[') {
            header = None;
        } else if let Some(value) = quoted_value(line, "name") {
            name = Some(value);
        } else if let (Some(value), Some(h), Some(n)) =
            (quoted_value(line, "version"), header, name)
        {
            lines.entry((n.to_string(), value.to_string())).or_insert(h);
        }
    }
    lines
}

fn quoted_value<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let rest = line
        .strip_prefix(key)?
        .trim_start()
        .strip_prefix('=')?
        .trim();
    rest.strip_prefix('"')?.strip_suffix('"')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_package_header_lines() {
        let text = "# generated\nversion = 4\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n\n[[package]]\nname = \"b\"\nversion = \"0.2.1\"\ndependencies = [\n \"a\",\n]\n";
        let lines = package_lines(text);
        assert_eq!(lines[&("a".into(), "1.0.0".into())], 4);
        assert_eq!(lines[&("b".into(), "0.2.1".into())], 8);
        assert_eq!(lines.len(), 2);
    }

    #[test]
    fn keeps_the_line_of_toml_errors() {
        assert_eq!(
            line_in_message("TOML parse error at line 12, column 3"),
            Some(12)
        );
        assert_eq!(line_in_message("no position"), None);
    }
}
