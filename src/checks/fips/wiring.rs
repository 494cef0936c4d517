//! Build wiring: the `Makefile` (or `justfile`) must have a distinct FIPS target, and its
//! default build target must set none of the FIPS switches. Read as text: a target line at
//! column 0 (`name: deps`, `name VAR=value` for just), its recipe the indented lines below,
//! and target-specific variables (`build: GOFIPS140=…`) count as part of the target.

use std::path::Path;

/// A FIPS switch found somewhere it must not be, or the FIPS target missing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The default build target sets a FIPS switch, at this line.
    DefaultSetsFips {
        /// The target.
        target: String,
        /// The switch.
        switch: String,
        /// 1-based line.
        line: usize,
    },
    /// No FIPS target.
    NoFipsTarget {
        /// The target name looked for.
        target: String,
    },
}

/// A target and its lines.
struct Target {
    name: String,
    /// `(line number, text)`, the target line included.
    lines: Vec<(usize, String)>,
}

fn targets(text: &str) -> Vec<Target> {
    let mut out: Vec<Target> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let number = i + 1;
        let indented = line.starts_with('\t') || line.starts_with(' ');
        if indented {
            if let Some(t) = out.last_mut() {
                t.lines.push((number, line.to_string()));
            }
            continue;
        }
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        // `name: deps` (make, just); `name arg: deps` (just). Skip `VAR := value`.
        if let Some((head, _)) = line.split_once(':')
            && !line.contains(":=")
            && !head.contains('=')
            && !head.trim().is_empty()
        {
            let name = head
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string();
            if name.starts_with('.') {
                continue;
            }
            match out.iter_mut().find(|t| t.name == name) {
                Some(t) => t.lines.push((number, line.to_string())),
                None => out.push(Target {
                    name,
                    lines: vec![(number, line.to_string())],
                }),
            }
        }
    }
    out
}

/// The FIPS switch a line sets, if any.
fn switch_in(line: &str) -> Option<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    for (i, word) in words.iter().enumerate() {
        let word = word.trim_matches(|c| c == '"' || c == '\'');
        if let Some(v) = word.strip_prefix("GOEXPERIMENT=")
            && v.split(',').any(|e| e == "boringcrypto")
        {
            return Some(word.to_string());
        }
        if let Some(v) = word.strip_prefix("GOFIPS140=")
            && v != "off"
        {
            return Some(word.to_string());
        }
        let features = word.strip_prefix("--features=").or_else(|| {
            (word == "--features" || word == "-F")
                .then(|| words.get(i + 1).copied())
                .flatten()
        });
        if let Some(list) = features
            && list
                .trim_matches(|c| c == '"' || c == '\'')
                .split([',', ' '])
                .any(|f| f == "fips" || f.ends_with("/fips"))
        {
            return Some(format!("--features {list}"));
        }
    }
    None
}

/// Checks the wiring of `text` (a Makefile or justfile).
pub fn check(text: &str, default_target: &str, fips_target: &str) -> Vec<Problem> {
    let all = targets(text);
    let mut problems = Vec::new();
    if let Some(build) = all.iter().find(|t| t.name == default_target) {
        for (line, content) in &build.lines {
            if let Some(switch) = switch_in(content) {
                problems.push(Problem::DefaultSetsFips {
                    target: default_target.to_string(),
                    switch,
                    line: *line,
                });
            }
        }
    }
    if !all.iter().any(|t| t.name == fips_target) {
        problems.push(Problem::NoFipsTarget {
            target: fips_target.to_string(),
        });
    }
    problems
}

/// The build file of a project folder: `Makefile`, `makefile`, `GNUmakefile` or `justfile`.
pub fn find(dir: &Path) -> Option<std::path::PathBuf> {
    [
        "Makefile",
        "makefile",
        "GNUmakefile",
        "justfile",
        "Justfile",
    ]
    .iter()
    .map(|n| dir.join(n))
    .find(|p| p.is_file())
}

/// The names of the targets the build file defines, in order.
pub fn target_names(text: &str) -> Vec<String> {
    targets(text).into_iter().map(|t| t.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "GO ?= go\n\n.PHONY: build fips-build\nbuild:\n\t$(GO) build -o bin/app ./cmd/app\n\tcargo build --release\n\nfips-build: GOEXPERIMENT=boringcrypto\nfips-build:\n\tGOFIPS140=v1.0.0 $(GO) build -o bin/app-fips ./cmd/app\n\tcargo build --release --features fips\n";

    #[test]
    fn a_separate_fips_target_passes() {
        assert_eq!(check(GOOD, "build", "fips-build"), []);
    }

    #[test]
    fn fips_switches_in_the_default_target_are_found_with_their_line() {
        let bad = GOOD.replace(
            "\tcargo build --release\n\nfips",
            "\tcargo build --release --features=fips\n\nfips",
        ) + "build: GOFIPS140=latest\n";
        let problems = check(&bad, "build", "fips-build");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            matches!(&problems[0], Problem::DefaultSetsFips { line: 6, .. }),
            "{problems:?}"
        );
        assert!(
            matches!(&problems[1], Problem::DefaultSetsFips { switch, .. } if switch == "GOFIPS140=latest")
        );
    }

    #[test]
    fn missing_fips_target_and_justfiles() {
        assert_eq!(
            check("build:\n\tgo build ./...\n", "build", "fips-build"),
            [Problem::NoFipsTarget {
                target: "fips-build".into()
            }]
        );
        let just =
            "build:\n    cargo build -F rustls/fips\n\nfips-build:\n    cargo build -F fips\n";
        assert!(matches!(
            check(just, "build", "fips-build")[..],
            [Problem::DefaultSetsFips { line: 2, .. }]
        ));
        assert_eq!(switch_in("\tGOFIPS140=off go build"), None);
    }
}
