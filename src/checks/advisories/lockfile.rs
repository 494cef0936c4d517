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
            let message = crate::output::error_chain(&e);
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

    /// Property test: real lockfiles, mutated. Reading never panics, and an error is one line
    /// that names the file.
    mod props {
        use super::*;
        use proptest::prelude::*;

        const REAL: &[&str] = &[
            include_str!("../../../fixtures/advisories/app/Cargo.lock"),
            include_str!("../../../fixtures/advisories/real/Cargo.lock"),
            include_str!("../../../fixtures/advisories/workspace/Cargo.lock"),
        ];

        /// One edit, at a position given as a fraction of the file's length.
        #[derive(Clone, Debug)]
        enum Edit {
            Delete(f64, usize),
            Insert(f64, Vec<u8>),
            InsertText(f64, String),
            DropLine(f64),
            DuplicateLine(f64),
            Truncate(f64),
        }

        fn edit() -> impl Strategy<Value = Edit> {
            let text = proptest::sample::select(vec![
                "[[package]]\n",
                "name = \"itoa\"\n",
                "version = \"1.0.0\"\n",
                "version = \"\"\n",
                "version = 3\n",
                "dependencies = [\n",
                "\"",
                "]",
                "[metadata]\n",
                "checksum = \"zz\"\n",
                "source = \"git+https://example.com/x#00\"\n",
            ])
            .prop_map(String::from);
            prop_oneof![
                (0.0..1.0, 1usize..64).prop_map(|(at, n)| Edit::Delete(at, n)),
                (0.0..1.0, proptest::collection::vec(any::<u8>(), 1..16))
                    .prop_map(|(at, b)| Edit::Insert(at, b)),
                (0.0..1.0, text).prop_map(|(at, t)| Edit::InsertText(at, t)),
                (0.0..1.0).prop_map(Edit::DropLine),
                (0.0..1.0).prop_map(Edit::DuplicateLine),
                (0.0..1.0).prop_map(Edit::Truncate),
            ]
        }

        fn apply(data: &mut Vec<u8>, edit: &Edit) {
            let at = |f: f64, len: usize| ((len as f64) * f) as usize;
            let line_at = |data: &[u8], f: f64| {
                let pos = at(f, data.len()).min(data.len());
                let start = data[..pos]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                let end = data[pos..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(data.len(), |i| pos + i + 1);
                start..end
            };
            match edit {
                Edit::Delete(f, n) => {
                    let start = at(*f, data.len());
                    let end = (start + n).min(data.len());
                    data.drain(start..end);
                }
                Edit::Insert(f, bytes) => {
                    let pos = at(*f, data.len());
                    data.splice(pos..pos, bytes.iter().copied());
                }
                Edit::InsertText(f, text) => {
                    let pos = line_at(data, *f).start;
                    data.splice(pos..pos, text.bytes());
                }
                Edit::DropLine(f) => {
                    let range = line_at(data, *f);
                    data.drain(range);
                }
                Edit::DuplicateLine(f) => {
                    let range = line_at(data, *f);
                    let line = data[range.clone()].to_vec();
                    data.splice(range.start..range.start, line);
                }
                Edit::Truncate(f) => data.truncate(at(*f, data.len())),
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            #[test]
            fn mutated_real_lockfiles(
                which in 0..REAL.len(),
                edits in proptest::collection::vec(edit(), 1..4),
            ) {
                let mut data = REAL[which].as_bytes().to_vec();
                for e in &edits {
                    apply(&mut data, e);
                }
                let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
                let path = dir.path().join("Cargo.lock");
                std::fs::write(&path, &data).map_err(|e| TestCaseError::fail(e.to_string()))?;
                if let Err(e) = Lockfile::load(&path) {
                    let message = e.to_string();
                    prop_assert!(message.contains(&path.display().to_string()), "{message}");
                    prop_assert!(!message.contains('\n'), "{message}");
                }
            }
        }
    }
}
