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

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    tool: Tool,
    command: &'a str,
    result: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    advisories: Option<&'a crate::checks::advisories::Summary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secrets: Option<&'a crate::checks::secrets::Summary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fips: Option<&'a [crate::checks::fips::binary::BinaryReport]>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    checks: &'a [super::CheckRun],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    imports: &'a [super::ImportedTool],
    findings: &'a [Decided],
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
            schema: JSON_SCHEMA_VERSION,
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
            advisories: run.advisories,
            secrets: run.secrets,
            fips: run.fips,
            checks: &run.checks,
            imports: &run.imports,
            findings: &run.verdict.findings,
        };
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)
    }
}
