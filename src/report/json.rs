//! The JSON report: a documented, versioned schema (docs/json-report.md). Additive changes
//! keep the version; anything else bumps it.

use super::{Report, Run, TOOL_VERSION};
use crate::policy::Decided;
use serde::Serialize;
use std::io::{self, Write};

/// The schema id every JSON report carries in `schema`.
pub const JSON_SCHEMA_VERSION: &str = "palisade.report/v1";

/// The JSON reporter.
pub struct Json;

/// The report, its keys in this order: each check's summary under the check's name sits
/// between `result` and `checks`.
struct Document<'a> {
    tool: Tool,
    command: &'a str,
    result: Outcome,
    summaries: Vec<(&'a str, &'a (dyn erased_serde::Serialize + Send + Sync))>,
    checks: &'a [super::CheckRun],
    imports: Vec<&'a crate::check::ImportedTool>,
    findings: &'a [Decided],
}

impl Serialize for Document<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("schema", JSON_SCHEMA_VERSION)?;
        map.serialize_entry("tool", &self.tool)?;
        map.serialize_entry("command", self.command)?;
        map.serialize_entry("result", &self.result)?;
        for (name, data) in &self.summaries {
            map.serialize_entry(name, data)?;
        }
        if !self.checks.is_empty() {
            map.serialize_entry("checks", self.checks)?;
        }
        if !self.imports.is_empty() {
            map.serialize_entry("imports", &self.imports)?;
        }
        map.serialize_entry("findings", self.findings)?;
        map.end()
    }
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Outcome {
    passed: bool,
    threshold: String,
    deny_warnings: bool,
    total: usize,
    failing: usize,
    suppressed: usize,
    /// Checks that could not run (the run exits 2): it did not pass.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<String>,
}

impl Report for Json {
    fn write(&self, run: &Run<'_>, out: &mut dyn Write) -> io::Result<()> {
        let failing = run.verdict.failing();
        let errors: Vec<String> = run
            .checks
            .iter()
            .filter(|c| c.error.is_some())
            .map(|c| c.name.clone())
            .collect();
        let doc = Document {
            tool: Tool {
                name: "palisade",
                version: TOOL_VERSION,
            },
            command: run.command,
            result: Outcome {
                passed: failing == 0 && errors.is_empty(),
                threshold: run.threshold.clone(),
                deny_warnings: run.deny_warnings,
                total: run.verdict.findings.len(),
                failing,
                suppressed: run.verdict.suppressed(),
                errors,
            },
            summaries: run
                .summaries
                .iter()
                .filter_map(|(name, s)| Some((*name, s.data.as_deref()?)))
                .collect(),
            checks: &run.checks,
            imports: run.checks.iter().filter_map(|c| c.tool.as_ref()).collect(),
            findings: &run.verdict.findings,
        };
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)
    }
}
