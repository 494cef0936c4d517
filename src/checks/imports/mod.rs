//! Imported SARIF: the results of other tools (gosec, govulncheck, clippy-sarif, semgrep…),
//! read from their SARIF 2.1.0 files and turned into findings, so `gate` puts them through the
//! same thresholds, suppressions, baseline and reports as its own checks.
//!
//! A log that says its tool did not finish is an error, never a clean result: no runs, a run
//! whose `results` is absent or null (SARIF's "the tool did not run or failed"; `[]` is a
//! clean run), an invocation with `executionSuccessful: false`, one that did not start
//! (`processStartFailureMessage`) or that a signal ended (`exitSignalName`/`Number`), or a
//! notification of level `error` about the tool's execution or configuration.
//!
//! The file is read in two passes over its bytes (`model`: the runs without their results;
//! `stream`: the results one at a time, each turned into a finding by `result` at once), so
//! memory follows the findings kept, not the size of the JSON.

pub mod cfg;
pub mod check;
pub mod codes;
mod model;
mod result;
mod stream;

pub use result::severity_of_score;

use crate::finding::Finding;
use crate::input::excerpt;
use std::path::PathBuf;

/// The largest SARIF file read: far above what tools write (GitHub takes 10 MB gzipped),
/// below what would put a CI runner's memory at risk.
pub const MAX_SARIF_SIZE: u64 = 512 << 20;

/// The most results imported from one file. Each becomes a finding of about 1.5 KB, so this
/// bounds memory where the file size cannot (a 15-byte result is a whole finding); real logs
/// are far below it (GitHub takes 25,000 results a run).
pub const MAX_RESULTS: usize = 1_000_000;

/// One SARIF file to import.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    /// The name reports use (`gosec`); else the file's tool name.
    pub tool: Option<String>,
    /// The SARIF file.
    pub path: PathBuf,
}

/// Why a SARIF file could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("cannot read imported SARIF {}: {cause}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        cause: crate::input::InputError,
    },
    /// Not JSON, or not shaped as SARIF.
    #[error("{} is not valid SARIF 2.1.0: {message}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column.
        message: String,
    },
    /// Another SARIF version.
    #[error("{} is SARIF version {version}; only 2.1.0 is read (ask the tool for SARIF 2.1.0)", path.display())]
    Version {
        /// The file.
        path: PathBuf,
        /// The version it declares (an excerpt).
        version: String,
    },
    /// The log has no run at all.
    #[error("{} has no runs: the tool did not run, and that is not a clean result (see the tool's own output, then import its SARIF again)", path.display())]
    NoRuns {
        /// The file.
        path: PathBuf,
    },
    /// More results than [`MAX_RESULTS`].
    #[error("{} has {count} results, more than the {max} Palisade imports from one file (narrow the tool's scan, or split its output)", path.display(), max = MAX_RESULTS)]
    TooManyResults {
        /// The file.
        path: PathBuf,
        /// How many it has.
        count: usize,
    },
    /// A run says its tool did not finish.
    #[error("{} run {run} ({driver}): {why}; a scan that did not finish is not a clean result (fix the tool's run, then import its SARIF again)", path.display())]
    ToolFailed {
        /// The file.
        path: PathBuf,
        /// The run, from 1.
        run: usize,
        /// The run's driver name (an excerpt).
        driver: String,
        /// What in the run says so.
        why: String,
    },
}

/// The results of one imported run.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The name reports use: `--tool`/`tool`, else the driver's name (lowercased).
    pub tool: String,
    /// The tool as the file names it.
    pub driver: String,
    /// Its version, when the file says.
    pub version: Option<String>,
    /// Its home page, when the file says.
    pub information_uri: Option<String>,
    /// The file read.
    pub file: PathBuf,
    /// One finding per result.
    pub findings: Vec<Finding>,
}

impl Imported {
    /// The check name findings and reports use: `import/<tool>`.
    pub fn check(&self) -> String {
        format!("import/{}", self.tool)
    }
}

/// Reads one SARIF file: one [`Imported`] per run.
pub fn read(source: &Source) -> Result<Vec<Imported>, ImportError> {
    let bytes = crate::input::read_regular(&source.path, MAX_SARIF_SIZE).map_err(|e| {
        ImportError::Read {
            path: source.path.clone(),
            cause: e,
        }
    })?;
    parse(source, &bytes)
}

/// A serde error as one line that quotes at most 40 characters of the input: serde puts the
/// offending value in quotes or backticks (`invalid type: string "…"`), and it may be a secret.
fn shape_error(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(open) = rest.find(['"', '`']) {
        let quote = rest[open..].chars().next().unwrap_or('"');
        out.push_str(&rest[..=open]);
        let after = &rest[open + 1..];
        // serde writes strings with Debug escapes, so a quote inside is `\"`.
        let close = after
            .char_indices()
            .scan(false, |escaped, (i, c)| {
                let end = c == quote && !*escaped;
                *escaped = c == '\\' && !*escaped;
                Some((i, end))
            })
            .find(|(_, end)| *end)
            .map(|(i, _)| i);
        match close {
            Some(close) => {
                out.push_str(&excerpt(&after[..close], 40));
                out.push(quote);
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&excerpt(after, 40));
                rest = "";
            }
        }
    }
    out.push_str(rest);
    excerpt(&crate::output::one_line(&out), 400)
}

/// Why a run is not a finished scan, if it is not.
fn failure(run: &model::Run<'_>) -> Option<String> {
    for (i, invocation) in run.invocations.iter().flatten().enumerate() {
        if !invocation.execution_successful {
            return Some(format!("invocations[{i}].executionSuccessful is false"));
        }
        if let Some(message) = &invocation.process_start_failure_message {
            return Some(format!(
                "invocations[{i}] did not start ({})",
                excerpt(message, 40)
            ));
        }
        if invocation.exit_signal_name.is_some() || invocation.exit_signal_number.is_some() {
            let signal = invocation
                .exit_signal_name
                .as_deref()
                .map(|s| excerpt(s, 20))
                .or_else(|| invocation.exit_signal_number.map(|n| n.to_string()))
                .unwrap_or_default();
            return Some(format!("invocations[{i}] was ended by signal {signal}"));
        }
        for (what, list) in [
            (
                "toolExecutionNotifications",
                &invocation.tool_execution_notifications,
            ),
            (
                "toolConfigurationNotifications",
                &invocation.tool_configuration_notifications,
            ),
        ] {
            if let Some(n) = list
                .iter()
                .flatten()
                .find(|n| n.level == Some(model::Level::Error))
            {
                let about = n
                    .descriptor
                    .as_ref()
                    .and_then(|d| d.id.as_deref())
                    .or_else(|| n.message.as_ref().and_then(|m| m.text.as_deref()))
                    .map(|t| format!(" ({})", excerpt(t, 40)))
                    .unwrap_or_default();
                return Some(format!("invocations[{i}].{what} has an error{about}"));
            }
        }
    }
    if run.results.is_none() {
        return Some("no `results` (absent or null): the tool did not run or failed".into());
    }
    None
}

/// Reads SARIF bytes; `source` names the file in errors and findings.
pub fn parse(source: &Source, bytes: &[u8]) -> Result<Vec<Imported>, ImportError> {
    let path = &source.path;
    let malformed = |e: &serde_json::Error| ImportError::Malformed {
        path: path.clone(),
        message: shape_error(e),
    };
    // The version first, so a SARIF 1.0 file gets the right message, not a shape error.
    let head: model::Head = serde_json::from_slice(bytes).map_err(|e| malformed(&e))?;
    match head.version {
        Some(serde_json::Value::String(v)) if v == "2.1.0" => {}
        Some(serde_json::Value::String(v)) => {
            return Err(ImportError::Version {
                path: path.clone(),
                version: excerpt(&v, 40),
            });
        }
        Some(_) => {
            return Err(ImportError::Malformed {
                path: path.clone(),
                message: "`version` is not a string".into(),
            });
        }
        None => {
            return Err(ImportError::Malformed {
                path: path.clone(),
                message: "no `version` (expected \"2.1.0\")".into(),
            });
        }
    }
    // First pass: the runs, their tools, rules and invocations; results only counted.
    let log: model::Log<'_> = serde_json::from_slice(bytes).map_err(|e| malformed(&e))?;
    let runs = log.runs.unwrap_or_default();
    if runs.is_empty() {
        return Err(ImportError::NoRuns { path: path.clone() });
    }
    for (i, run) in runs.iter().enumerate() {
        if let Some(why) = failure(run) {
            return Err(ImportError::ToolFailed {
                path: path.clone(),
                run: i + 1,
                driver: excerpt(&run.tool.driver.name, 40),
                why,
            });
        }
    }
    let count: usize = runs
        .iter()
        .map(|run| run.results.as_ref().map_or(0, |r| r.0))
        .sum();
    if count > MAX_RESULTS {
        return Err(ImportError::TooManyResults {
            path: path.clone(),
            count,
        });
    }
    let tools: Vec<String> = runs
        .iter()
        .map(|run| {
            source
                .tool
                .clone()
                .unwrap_or_else(|| cfg::tool_name(&run.tool.driver.name))
        })
        .collect();
    let contexts: Vec<result::RunContext<'_, '_>> = runs
        .iter()
        .zip(&tools)
        .map(|(run, tool)| result::RunContext {
            rules: run.tool.driver.rules.as_deref().unwrap_or_default(),
            tool,
            file: path,
        })
        .collect();
    // Exact, and bounded by MAX_RESULTS: no doubling while findings are pushed.
    let mut findings: Vec<Vec<Finding>> = runs
        .iter()
        .map(|run| Vec::with_capacity(run.results.as_ref().map_or(0, |r| r.0)))
        .collect();
    // Second pass: each result becomes a finding as soon as it is read.
    stream::results(bytes, &mut |run, sarif_result| {
        if let (Some(context), Some(out)) = (contexts.get(run), findings.get_mut(run))
            && let Some(finding) = result::finding_of(context, &sarif_result)
        {
            out.push(finding);
        }
    })
    .map_err(|e| malformed(&e))?;
    Ok(runs
        .iter()
        .zip(tools)
        .zip(findings)
        .map(|((run, tool), findings)| {
            let driver = &run.tool.driver;
            Imported {
                tool,
                driver: driver.name.to_string(),
                version: driver
                    .semantic_version
                    .as_ref()
                    .or(driver.version.as_ref())
                    .map(|v| v.to_string()),
                information_uri: driver.information_uri.as_ref().map(|u| u.to_string()),
                file: path.clone(),
                findings,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Value, json};
    use std::path::Path;

    fn source() -> Source {
        Source {
            tool: None,
            path: PathBuf::from("fuzz.sarif"),
        }
    }

    fn fixture(name: &str) -> Vec<u8> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/imports")
            .join(name);
        std::fs::read(path).unwrap()
    }

    const FIXTURES: [&str; 4] = [
        "gosec.sarif",
        "govulncheck.sarif",
        "semgrep.sarif",
        "clippy.sarif",
    ];

    /// Keys the reader looks at, so random objects reach its code paths.
    const KEYS: [&str; 30] = [
        "version",
        "runs",
        "tool",
        "driver",
        "name",
        "rules",
        "id",
        "results",
        "invocations",
        "executionSuccessful",
        "toolExecutionNotifications",
        "level",
        "kind",
        "message",
        "text",
        "arguments",
        "ruleId",
        "ruleIndex",
        "rule",
        "index",
        "locations",
        "physicalLocation",
        "artifactLocation",
        "uri",
        "region",
        "startLine",
        "properties",
        "security-severity",
        "suppressions",
        "partialFingerprints",
    ];

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            (-20.0f64..20.0).prop_map(|n| json!(n)),
            prop::sample::select(vec![
                "2.1.0",
                "error",
                "warning",
                "note",
                "none",
                "pass",
                "fail",
                "HIGH",
                "9.8",
                "file:///src/a%20b.go",
                "G101",
                "",
                "{0} at {1}",
            ])
            .prop_map(|s| json!(s)),
            ".{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(5, 64, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::btree_map(prop::sample::select(KEYS.to_vec()), inner, 0..6)
                    .prop_map(|m| Value::Object(
                        m.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
                    )),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any JSON at all: an error or a reading, never a panic.
        #[test]
        fn arbitrary_json_never_panics(value in json_value(), wrap in any::<bool>()) {
            let doc = if wrap { json!({"version": "2.1.0", "runs": value}) } else { value };
            let _ = parse(&source(), &serde_json::to_vec(&doc).unwrap());
        }

        /// A real log cut anywhere before its end is an error, never a clean (or any) reading.
        #[test]
        fn truncated_logs_are_errors(which in 0..FIXTURES.len(), at in any::<prop::sample::Index>()) {
            let bytes = fixture(FIXTURES[which]);
            let end = bytes.trim_ascii_end().len();
            let cut = at.index(end);
            prop_assert!(parse(&source(), &bytes[..cut]).is_err(), "{} cut at {cut} was read", FIXTURES[which]);
        }

        /// A real log with bytes changed: an error or a reading, never a panic.
        #[test]
        fn mutated_logs_never_panic(
            which in 0..FIXTURES.len(),
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        ) {
            let mut bytes = fixture(FIXTURES[which]);
            for (at, byte) in edits {
                let i = at.index(bytes.len());
                bytes[i] = byte;
            }
            let _ = parse(&source(), &bytes);
        }

        /// A run whose invocation failed, or whose results are missing, is never read as clean.
        #[test]
        fn unfinished_runs_are_errors(
            successes in prop::collection::vec(any::<bool>(), 0..4),
            results in prop::option::of(0usize..3),
        ) {
            let invocations: Vec<Value> = successes
                .iter()
                .map(|ok| json!({"executionSuccessful": ok}))
                .collect();
            let mut run = json!({"tool": {"driver": {"name": "t"}}, "invocations": invocations});
            if let Some(n) = results {
                run["results"] = json!(vec![json!({"message": {"text": "m"}}); n]);
            }
            let doc = json!({"version": "2.1.0", "runs": [run]});
            let read = parse(&source(), &serde_json::to_vec(&doc).unwrap());
            let finished = successes.iter().all(|ok| *ok) && results.is_some();
            prop_assert_eq!(read.is_ok(), finished, "{:?}", read.err());
        }
    }

    #[test]
    fn more_results_than_the_limit_are_refused_before_any_finding_is_made() {
        let mut doc =
            br#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":["#.to_vec();
        doc.extend(b"0,".repeat(MAX_RESULTS));
        doc.extend(b"0]}]}");
        let err = parse(&source(), &doc).unwrap_err();
        assert!(
            matches!(err, ImportError::TooManyResults { count, .. } if count == MAX_RESULTS + 1),
            "{err}"
        );
    }

    #[test]
    fn shape_errors_quote_at_most_40_characters() {
        let long = "s".repeat(100);
        let doc = format!(
            r#"{{"version":"2.1.0","runs":[{{"tool":{{"driver":{{"name":"t"}}}},"results":[{{"message":{{"text":"m"}},"level":"{long}"}}]}}]}}"#
        );
        let err = parse(&source(), doc.as_bytes()).unwrap_err().to_string();
        assert!(!err.contains(&"s".repeat(41)), "{err}");
        assert!(err.contains(&format!("{}…", "s".repeat(40))), "{err}");
    }

    #[test]
    fn escaped_strings_are_read_like_plain_ones() {
        // Strings with escapes cannot be borrowed from the input; they must still be read.
        let doc = br#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"go\u0073ec"}},"results":[
            {"ruleId":"G\u0031","message":{"text":"a \"quoted\" word"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"dir\/a.go"}}}]}]}]}"#;
        let runs = parse(&source(), doc).unwrap();
        assert_eq!(runs[0].tool, "gosec");
        let f = &runs[0].findings[0];
        assert_eq!(f.subject.as_ref().unwrap().id, "G1");
        assert_eq!(f.message, "gosec G1: a \"quoted\" word");
        assert_eq!(f.locations[0].path, PathBuf::from("dir/a.go"));
    }
}
