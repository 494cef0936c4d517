//! Config primitives every check's slice of `palisade.toml` is read with: the problems
//! collected with their lines, where an entry was written, thresholds, `paths` globs, and the
//! key-by-key table reader ([`fields`]). This module imports no check; the assembled file,
//! which knows every table, is [`root`], above the checks.

pub mod fields;
pub mod root;

use crate::finding::Severity;
use fields::Table;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// A config file that could not be read or is not valid; every problem, each with its line.
#[derive(Debug, thiserror::Error)]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// `(line, message)` pairs; line 0 when the problem has no position.
    pub problems: Vec<(usize, String)>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (line, message)) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            if *line > 0 {
                write!(f, "{}:{line}: {message}", self.path.display())?;
            } else {
                write!(f, "{}: {message}", self.path.display())?;
            }
        }
        Ok(())
    }
}

/// Collects validation problems against the text they came from.
pub struct Problems<'a> {
    text: &'a str,
    /// Byte offset of each line's first byte, so a line is a binary search, not a rescan of
    /// the text (a file with thousands of entries asks for thousands of lines).
    line_starts: Vec<usize>,
    found: Vec<(usize, String)>,
}

impl<'a> Problems<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        Problems {
            text,
            line_starts,
            found: Vec::new(),
        }
    }

    /// The 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        self.line_starts.partition_point(|&start| start <= offset)
    }

    /// Records a problem at a span.
    pub fn at(&mut self, span: Range<usize>, message: impl Into<String>) {
        let line = self.line_of(span.start);
        self.found.push((line, message.into()));
    }
}

/// Where a config entry was written, so a finding can name the entry that decided it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Origin {
    /// The config file.
    pub file: PathBuf,
    /// 1-based line of the entry.
    pub line: usize,
}

impl Origin {
    /// Line `line` of `file`.
    pub fn at(file: &Path, line: usize) -> Origin {
        Origin {
            file: file.to_path_buf(),
            line,
        }
    }
}

/// How severe a finding must be to fail the gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Threshold {
    /// Fail at this severity or above.
    AtLeast(Severity),
    /// Fail on any finding of a deny-level code, whatever its severity.
    Any,
}

impl Threshold {
    /// Parses `critical|high|medium|low|any`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "any" => Some(Threshold::Any),
            "info" => None,
            other => Severity::parse(other).map(Threshold::AtLeast),
        }
    }

    /// Whether a severity reaches it.
    pub fn reached_by(self, severity: Severity) -> bool {
        match self {
            Threshold::Any => true,
            Threshold::AtLeast(min) => severity >= min,
        }
    }
}

impl Problems<'_> {
    /// Every problem found, in file order.
    pub(crate) fn into_error(mut self, path: &Path) -> ConfigError {
        // Stable: problems on one line keep the order they were found in.
        self.found.sort_by_key(|(line, _)| *line);
        self.found.dedup();
        ConfigError {
            path: path.to_path_buf(),
            problems: self.found,
        }
    }
}

/// Reads the `fail-on` of a table.
pub fn threshold(table: &Table<'_, '_>, problems: &mut Problems<'_>) -> Option<Threshold> {
    let value = table.string("fail-on", problems).ok()?;
    let parsed = Threshold::parse(value.get_ref());
    if parsed.is_none() {
        problems.at(
            value.span(),
            format!(
                "`fail-on` in {} must be one of critical, high, medium, low, any",
                table.name()
            ),
        );
    }
    parsed
}

/// Compiles a `paths` list with `.gitignore` semantics, as people already read path patterns
/// in a repository: a pattern without a `/` (or with one only at its end) matches at any depth
/// (`*_test.go` is `pkg/x/a_test.go` too), one with a `/` elsewhere is anchored at the
/// repository root (a leading `/` only anchors), `dir/` is that folder and everything below,
/// `*` stays within one folder and `**` crosses folders. A pattern that matches a folder also
/// covers every file below it, as in git. Negation (`!`) is refused: an allow entry lists what
/// it allows. `None`, with each bad glob recorded, when one does not compile.
pub fn globs(
    list: &[Spanned<String>],
    entry: Range<usize>,
    problems: &mut Problems<'_>,
) -> Option<crate::policy::Globs> {
    let mut builder = globset::GlobSetBuilder::new();
    let mut ok = true;
    for glob in list {
        let Some(translated) = gitignore_globs(glob.get_ref()) else {
            problems.at(
                glob.span(),
                "`paths` holds a pattern that names no path (empty, or `!` negation, which allow entries do not take)",
            );
            ok = false;
            continue;
        };
        for pattern in translated {
            match globset::GlobBuilder::new(&pattern)
                .literal_separator(true)
                .build()
            {
                Ok(g) => {
                    builder.add(g);
                }
                Err(e) => {
                    // The kind alone: globset's message quotes the whole glob.
                    problems.at(
                        glob.span(),
                        format!("`paths` holds a bad glob: {}", e.kind()),
                    );
                    ok = false;
                    break;
                }
            }
        }
    }
    if list.is_empty() {
        problems.at(
            entry,
            "`paths = []` matches nothing; remove it or name the files",
        );
        return None;
    }
    let set = builder.build().ok().filter(|_| ok)?;
    Some(crate::policy::Globs {
        set,
        patterns: list.iter().map(|g| g.get_ref().clone()).collect(),
    })
}

/// The globset globs (matched against `/`-separated paths relative to the repository root)
/// that one `.gitignore`-style pattern stands for; `None` for a pattern that names nothing.
pub fn gitignore_globs(pattern: &str) -> Option<Vec<String>> {
    let pattern = pattern.trim();
    if pattern.is_empty() || pattern.starts_with('!') {
        return None;
    }
    // `dir/`: only a folder matches, so only what is below it (findings name files).
    let (body, dir_only) = match pattern.strip_suffix('/') {
        Some(body) => (body.trim_end_matches('/'), true),
        None => (pattern, false),
    };
    if body.is_empty() {
        // `/` alone: the root, so every file.
        return Some(vec!["**".into()]);
    }
    let base = if body.contains('/') {
        body.trim_start_matches('/').to_string()
    } else {
        format!("**/{body}")
    };
    let below = if base.ends_with("**") {
        None
    } else {
        Some(format!("{base}/**"))
    };
    Some(if dir_only {
        vec![below.unwrap_or(base)]
    } else {
        std::iter::once(base).chain(below).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_gitignore_semantics() {
        let matches = |pattern: &str, path: &str| {
            let list = vec![Spanned::new(0..1, pattern.to_string())];
            let mut p = Problems::new("x");
            let set = globs(&list, 0..1, &mut p).unwrap();
            set.set.is_match(path)
        };
        // No slash: any depth.
        assert!(matches("*_test.go", "a_test.go"));
        assert!(matches("*_test.go", "pkg/x/a_test.go"));
        assert!(!matches("*_test.go", "pkg/x/a_test.go.orig"));
        // A slash inside: anchored at the root.
        assert!(matches("pkg/*.go", "pkg/a.go"));
        assert!(!matches("pkg/*.go", "vendor/pkg/a.go"));
        assert!(!matches("pkg/*.go", "pkg/x/a.go"));
        assert!(matches("/a.txt", "a.txt"));
        assert!(!matches("/a.txt", "x/a.txt"));
        // `dir/`: the folder and everything below, at any depth; not a file of that name.
        assert!(matches("testdata/", "testdata/a.json"));
        assert!(matches("testdata/", "pkg/testdata/deep/a.json"));
        assert!(!matches("testdata/", "testdata"));
        assert!(matches("tests/fixtures/", "tests/fixtures/a/b.txt"));
        assert!(!matches("tests/fixtures/", "x/tests/fixtures/b.txt"));
        // A folder named without a slash covers what is below it, as in git.
        assert!(matches("fixtures", "a/fixtures/key.pem"));
        // `**` as in git.
        assert!(matches("**/fixtures/*.pem", "fixtures/k.pem"));
        assert!(matches("**/fixtures/*.pem", "a/b/fixtures/k.pem"));
        assert!(matches("a/**/b.txt", "a/b.txt"));
        assert!(matches("a/**/b.txt", "a/x/y/b.txt"));
        assert!(matches("tests/**", "tests/a/b.rs"));
        assert!(!matches("tests/**", "src/tests/a.rs"));
        assert_eq!(gitignore_globs("!x"), None);
        assert_eq!(gitignore_globs(" "), None);
    }

    #[test]
    fn threshold_parsing() {
        assert_eq!(Threshold::parse("any"), Some(Threshold::Any));
        assert_eq!(Threshold::parse("info"), None);
        assert!(
            Threshold::parse("medium")
                .unwrap()
                .reached_by(Severity::High)
        );
        assert!(
            !Threshold::parse("critical")
                .unwrap()
                .reached_by(Severity::High)
        );
    }
}
