//! `palisade.toml`: parse into a raw form that keeps spans, then validate into typed settings,
//! collecting every error with its line instead of stopping at the first. Unknown keys are
//! errors.
//!
//! Each check owns its slice of the file (`crate::advisories::cfg`); this module owns the file,
//! the `[policy]` table, and the error plumbing they share. The text is parsed once into spanned
//! TOML values (`toml::de::DeTable`, recovering past syntax errors), then each table is read
//! key by key through `super::fields`, so a wrong type stops nothing but its own key. Line
//! lookups are a binary search over line starts: reading stays linear in the file's size.

use super::fields::{Field, Table};
use crate::advisories::cfg::AdvisoriesConfig;
use crate::finding::Severity;
use crate::fips::cfg::FipsConfig;
use crate::imports::cfg::ImportConfig;
use crate::secrets::cfg::SecretsConfig;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The config file name looked up at the workspace root.
pub const FILE_NAME: &str = "palisade.toml";

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
    fn new(text: &'a str) -> Self {
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

/// The `[policy]` table.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyConfig {
    /// `fail-on`; the CLI's `--fail-on` wins over it.
    pub fail_on: Threshold,
    /// `deny-warnings`: warnings (informational advisories, stale DB…) fail too.
    pub deny_warnings: bool,
    /// `unrated-severity`: the severity given to findings whose source has no rating.
    pub unrated_severity: Severity,
    /// `fail-not-in-graph`: whether vulnerabilities in no build graph fail.
    pub fail_not_in_graph: bool,
    /// `fail-on` of a check's own table (`[secrets]`, `[[import]]`…), by check name
    /// (`secrets`, `import/gosec`); wins over `fail_on`. `--fail-on` clears them.
    pub per_check: std::collections::BTreeMap<String, Threshold>,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            fail_on: Threshold::AtLeast(Severity::High),
            deny_warnings: false,
            unrated_severity: Severity::High,
            fail_not_in_graph: false,
            per_check: Default::default(),
        }
    }
}

/// The whole validated file.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The file it came from; `None` for the built-in defaults.
    pub path: Option<PathBuf>,
    /// `[policy]`.
    pub policy: PolicyConfig,
    /// `[advisories]`.
    pub advisories: AdvisoriesConfig,
    /// `[secrets]`.
    pub secrets: SecretsConfig,
    /// `[fips]`.
    pub fips: FipsConfig,
    /// `[[import]]`.
    pub imports: ImportConfig,
}

/// The top-level keys.
const KEYS: &[&str] = &["policy", "advisories", "secrets", "fips", "import"];

/// The keys of `[policy]`.
const POLICY_KEYS: &[&str] = &[
    "fail-on",
    "deny-warnings",
    "unrated-severity",
    "fail-not-in-graph",
];

/// At most this many TOML syntax errors are listed: past them, a file is likely not TOML at
/// all, and more lines would not help anyone fix it.
const MAX_SYNTAX_ERRORS: usize = 20;

impl Config {
    /// Loads and validates a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|err| ConfigError {
            path: path.to_path_buf(),
            problems: vec![(0, format!("cannot read config: {err}"))],
        })?;
        Config::parse(&text, path)
    }

    /// Validates config text; `path` is used for messages and origins. Every problem is
    /// collected, each with its line.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let mut problems = Problems::new(text);
        let (doc, syntax) = toml::de::DeTable::parse_recoverable(text);
        if !syntax.is_empty() {
            // A table that did not parse cannot be validated: a missing `reason` may just be
            // the line the parser skipped. Report the syntax errors alone.
            syntax_problems(&syntax, &mut problems);
            return Err(problems.into_error(path));
        }
        let root = Table::new(doc.get_ref(), doc.span(), "the top level of the file", KEYS);
        let p = &mut problems;
        let mut policy = match root.table("policy", "[policy]", POLICY_KEYS, p) {
            Field::Given(t) => validate_policy(t, p),
            _ => PolicyConfig::default(),
        };
        let advisories = match root.table("advisories", "[advisories]", AdvisoriesConfig::KEYS, p) {
            Field::Given(t) => AdvisoriesConfig::validate(t, path, p),
            _ => AdvisoriesConfig::default(),
        };
        let secrets = match root.table("secrets", "[secrets]", SecretsConfig::KEYS, p) {
            Field::Given(t) => SecretsConfig::validate(t, path, p),
            _ => SecretsConfig::default(),
        };
        let fips = match root.table("fips", "[fips]", FipsConfig::KEYS, p) {
            Field::Given(t) => FipsConfig {
                enabled: true,
                ..FipsConfig::validate(t, path, p)
            },
            _ => FipsConfig::default(),
        };
        let imports = ImportConfig::validate(
            root.tables("import", "[[import]]", ImportConfig::KEYS, p),
            path,
            p,
        );
        root.finish(p);
        for (check, threshold) in [
            ("advisories", advisories.fail_on),
            ("secrets", secrets.fail_on),
            ("fips", fips.fail_on),
        ] {
            if let Some(t) = threshold {
                policy.per_check.insert(check.to_string(), t);
            }
        }
        for entry in &imports.entries {
            if let (Some(tool), Some(t)) = (&entry.source.tool, entry.fail_on) {
                policy.per_check.insert(format!("import/{tool}"), t);
            }
        }
        if problems.found.is_empty() {
            Ok(Config {
                path: Some(path.to_path_buf()),
                policy,
                advisories,
                secrets,
                fips,
                imports,
            })
        } else {
            Err(problems.into_error(path))
        }
    }
}

impl Problems<'_> {
    /// Every problem found, in file order.
    fn into_error(mut self, path: &Path) -> ConfigError {
        // Stable: problems on one line keep the order they were found in.
        self.found.sort_by_key(|(line, _)| *line);
        self.found.dedup();
        ConfigError {
            path: path.to_path_buf(),
            problems: self.found,
        }
    }
}

/// Records TOML syntax errors, each on one line. toml's messages say what was expected, not
/// what was found; they are still cut short, as they could quote input.
fn syntax_problems(errors: &[toml::de::Error], problems: &mut Problems<'_>) {
    for err in errors.iter().take(MAX_SYNTAX_ERRORS) {
        let mut message = crate::advisories::db::one_line(err.message());
        if message.chars().count() > 120 {
            message = message.chars().take(120).collect::<String>() + "…";
        }
        let span = err.span().unwrap_or(0..0);
        problems.at(span, format!("invalid TOML: {message}"));
    }
    if errors.len() > MAX_SYNTAX_ERRORS {
        let span = errors[MAX_SYNTAX_ERRORS].span().unwrap_or(0..0);
        problems.at(
            span,
            format!(
                "invalid TOML: {} more syntax errors from this line on; is this a palisade.toml?",
                errors.len() - MAX_SYNTAX_ERRORS
            ),
        );
    }
}

fn validate_policy(table: Table<'_, '_>, problems: &mut Problems<'_>) -> PolicyConfig {
    let mut policy = PolicyConfig::default();
    if let Some(t) = threshold(&table, problems) {
        policy.fail_on = t;
    }
    if let Field::Given(unrated) = table.string("unrated-severity", problems) {
        match Severity::parse(unrated.get_ref()) {
            // `info` would let every unrated vulnerability pass any threshold but `any`: a
            // missing score must not switch the gate off.
            Some(Severity::Info) => problems.at(
                unrated.span(),
                "`unrated-severity` in [policy] cannot be `info`: unrated vulnerabilities would pass every threshold but `any`; use low or above",
            ),
            Some(s) => policy.unrated_severity = s,
            None => problems.at(
                unrated.span(),
                "`unrated-severity` in [policy] must be one of critical, high, medium, low",
            ),
        }
    }
    policy.deny_warnings = table
        .boolean("deny-warnings", problems)
        .ok()
        .unwrap_or(false);
    policy.fail_not_in_graph = table
        .boolean("fail-not-in-graph", problems)
        .ok()
        .unwrap_or(false);
    table.finish(problems);
    policy
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

/// Every problem of config text as `line: message`, none when valid (for the config tests).
#[cfg(test)]
pub fn problems(text: &str) -> Vec<String> {
    match Config::parse(text, Path::new("p.toml")) {
        Ok(_) => vec![],
        Err(e) => e
            .problems
            .into_iter()
            .map(|(l, m)| format!("{l}: {m}"))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("palisade.toml"))
    }

    #[test]
    fn empty_file_gives_defaults() {
        let config = parse("").unwrap();
        assert_eq!(config.policy, PolicyConfig::default());
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let err = parse("[policy]\nfail-on = \"low\"\nfial-on = 1\n").unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("palisade.toml:3: unknown field `fial-on`"),
            "{text}"
        );
    }

    #[test]
    fn bad_values_are_all_reported() {
        let err =
            parse("[policy]\nfail-on = \"severe\"\nunrated-severity = \"meh\"\n").unwrap_err();
        assert_eq!(err.problems.len(), 2, "{err}");
        assert_eq!(err.problems[0].0, 2);
        assert_eq!(err.problems[1].0, 3);
    }

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

    /// Property tests: whatever the file holds, reading it never panics, and it is either
    /// valid or every problem comes back on one line with a line number in the file.
    mod props {
        use super::*;
        use proptest::prelude::*;

        /// Every table of the file with its real keys (plus one unknown key per table).
        const TABLES: &[(&str, &[&str])] = &[
            ("[policy]", POLICY_KEYS),
            ("[advisories]", AdvisoriesConfig::KEYS),
            ("[[advisories.ignore]]", crate::advisories::cfg::IGNORE_KEYS),
            ("[secrets]", SecretsConfig::KEYS),
            ("[[secrets.allow]]", crate::secrets::cfg::ALLOW_KEYS),
            ("[[secrets.rules]]", crate::secrets::cfg::RULE_KEYS),
            ("[fips]", FipsConfig::KEYS),
            ("[[fips.binaries]]", crate::fips::cfg::BINARY_KEYS),
            ("[[import]]", ImportConfig::KEYS),
            ("[[import.ignore]]", crate::imports::cfg::IGNORE_KEYS),
        ];

        /// Strings that mean something to some key, and some that mean nothing.
        const WORDS: &[&str] = &[
            "high",
            "any",
            "info",
            "low",
            "RUSTSEC-2024-0001",
            "CVE-2024-3094",
            "secret.github-pat",
            "github-pat",
            "**",
            "tests/**",
            "^sk_test_",
            ".*",
            "(",
            "fips",
            "non-fips",
            "gosec",
            "Go Sec",
            "2027-01-31",
            "2020-01-01",
            "soon",
            "",
            " ",
            "unmaintained",
            "x.sarif",
            "ghp_R8v2kXw9TqL4mZp7Ns3Jd6Hf1Yc0Ba5Ge2Uo",
        ];

        fn scalar() -> impl Strategy<Value = String> {
            let word =
                proptest::sample::select(WORDS).prop_map(|w| toml::Value::from(w).to_string());
            prop_oneof![
                4 => word,
                1 => any::<String>().prop_map(|s| toml::Value::from(s).to_string()),
                2 => any::<i64>().prop_map(|n| n.to_string()),
                1 => any::<f64>()
                    .prop_filter("finite", |f| f.is_finite())
                    .prop_map(|f| format!("{f:?}")),
                1 => any::<bool>().prop_map(|b| b.to_string()),
                1 => Just("2027-01-31".to_string()),
                1 => Just("{ crate = \"x\", feature = 3 }".to_string()),
            ]
        }

        fn value() -> impl Strategy<Value = String> {
            prop_oneof![
                3 => scalar(),
                1 => proptest::collection::vec(scalar(), 0..4)
                    .prop_map(|v| format!("[{}]", v.join(", "))),
            ]
        }

        fn section() -> impl Strategy<Value = String> {
            (0..TABLES.len())
                .prop_flat_map(|t| {
                    let (header, keys) = TABLES[t];
                    (
                        Just(header),
                        proptest::sample::subsequence(keys, 0..=keys.len().min(5)),
                        proptest::collection::vec(value(), 6),
                        proptest::bool::weighted(0.1),
                    )
                })
                .prop_map(|(header, keys, values, unknown)| {
                    let mut out = format!("{header}\n");
                    for (k, v) in keys.iter().zip(&values) {
                        out.push_str(&format!("{k} = {v}\n"));
                    }
                    if unknown {
                        out.push_str(&format!("not-a-key = {}\n", values[5]));
                    }
                    out
                })
        }

        fn assert_read(text: &str) -> Result<(), TestCaseError> {
            let lines = text.lines().count() + 1;
            if let Err(e) = Config::parse(text, Path::new("p.toml")) {
                prop_assert!(!e.problems.is_empty());
                for (line, message) in &e.problems {
                    prop_assert!(
                        (1..=lines).contains(line),
                        "line {line} of {lines}: {message}"
                    );
                    prop_assert!(!message.contains('\n'), "{message}");
                }
            }
            Ok(())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            #[test]
            fn random_toml_of_real_keys(sections in proptest::collection::vec(section(), 0..8)) {
                let mut seen = std::collections::HashSet::new();
                // A `[table]` header twice is a TOML error; keep it mostly valid TOML so the
                // validation behind the parser runs.
                let sections: Vec<&String> = sections
                    .iter()
                    .filter(|s| s.starts_with("[[") || seen.insert(s.lines().next().map(String::from)))
                    .collect();
                let t = sections.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n");
                assert_read(&t)?;
            }

            #[test]
            fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
                assert_read(&String::from_utf8_lossy(&bytes))?;
            }

            #[test]
            fn real_config_with_random_bytes_spliced_in(
                at in 0usize..2000,
                bytes in proptest::collection::vec(any::<u8>(), 0..40),
            ) {
                let base = include_str!("../../palisade.toml");
                let mut data = base.as_bytes().to_vec();
                let at = at.min(data.len());
                data.splice(at..at, bytes);
                assert_read(&String::from_utf8_lossy(&data))?;
            }
        }
    }
}
