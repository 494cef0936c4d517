//! `palisade.toml`, assembled: one line a table, each read by the check (or the policy)
//! that owns it. Parse into spanned TOML values (`toml::de::DeTable`, recovering past syntax
//! errors), then validate table by table through [`super::fields`], collecting every error
//! with its line instead of stopping at the first; unknown keys are errors. This is the one
//! config module that knows the checks: the primitives they share are in [`super`].

use super::fields::{Field, Table};
use super::{ConfigError, Problems};
use crate::checks::advisories::cfg::AdvisoriesConfig;
use crate::checks::fips::cfg::FipsConfig;
use crate::checks::go::cfg::GoConfig;
use crate::checks::imports::cfg::ImportConfig;
use crate::checks::secrets::cfg::SecretsConfig;
use crate::policy::cfg::{POLICY_KEYS, PolicyConfig, validate_policy};
use std::path::{Path, PathBuf};

/// The config file name looked up at the workspace root.
pub const FILE_NAME: &str = "palisade.toml";

/// The whole validated file.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The file it came from; `None` for the built-in defaults.
    pub path: Option<PathBuf>,
    /// `[policy]`.
    pub policy: PolicyConfig,
    /// `[advisories]`.
    pub advisories: AdvisoriesConfig,
    /// `[go]`.
    pub go: GoConfig,
    /// `[secrets]`.
    pub secrets: SecretsConfig,
    /// `[fips]`.
    pub fips: FipsConfig,
    /// `[[import]]`.
    pub imports: ImportConfig,
}

/// The top-level keys.
const KEYS: &[&str] = &["policy", "advisories", "go", "secrets", "fips", "import"];

/// At most this many TOML syntax errors are listed: past them, a file is likely not TOML at
/// all, and more lines would not help anyone fix it.
const MAX_SYNTAX_ERRORS: usize = 20;

impl Config {
    /// The suppressions of a check's table (`[[advisories.ignore]]`, `[[secrets.allow]]`,
    /// `[[import.ignore]]`), by the check's name.
    pub fn suppressions_of(&self, check: &str) -> &[crate::policy::Suppression] {
        match check {
            "advisories" => &self.advisories.ignore,
            "go" => &self.go.ignore,
            "secrets" => &self.secrets.allow,
            "import" => &self.imports.ignore,
            _ => &[],
        }
    }

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
        let go = match root.table("go", "[go]", GoConfig::KEYS, p) {
            Field::Given(t) => GoConfig::validate(t, path, p),
            _ => GoConfig::default(),
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
            ("go", go.fail_on),
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
                go,
                secrets,
                fips,
                imports,
            })
        } else {
            Err(problems.into_error(path))
        }
    }
}

/// Records TOML syntax errors, each on one line. toml's messages say what was expected, not
/// what was found; they are still cut short, as they could quote input.
fn syntax_problems(errors: &[toml::de::Error], problems: &mut Problems<'_>) {
    for err in errors.iter().take(MAX_SYNTAX_ERRORS) {
        let mut message = crate::output::one_line(err.message());
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

    /// Property tests: whatever the file holds, reading it never panics, and it is either
    /// valid or every problem comes back on one line with a line number in the file.
    mod props {
        use super::*;
        use proptest::prelude::*;

        /// Every table of the file with its real keys (plus one unknown key per table).
        const TABLES: &[(&str, &[&str])] = &[
            ("[policy]", POLICY_KEYS),
            ("[advisories]", AdvisoriesConfig::KEYS),
            (
                "[[advisories.ignore]]",
                crate::checks::advisories::cfg::IGNORE_KEYS,
            ),
            ("[secrets]", SecretsConfig::KEYS),
            ("[[secrets.allow]]", crate::checks::secrets::cfg::ALLOW_KEYS),
            ("[[secrets.rules]]", crate::checks::secrets::cfg::RULE_KEYS),
            ("[fips]", FipsConfig::KEYS),
            ("[[fips.binaries]]", crate::checks::fips::cfg::BINARY_KEYS),
            ("[[import]]", ImportConfig::KEYS),
            (
                "[[import.ignore]]",
                crate::checks::imports::cfg::IGNORE_KEYS,
            ),
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
