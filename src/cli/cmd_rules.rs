//! `cargo palisade rules list|check|explain`: the secret rules in force (built-in and the
//! config's own), their examples run, one explained.

use super::Outcome;
use super::args::RulesCommand;
use super::resolve::find_config;
use crate::checks::secrets::engine;
use crate::finding::Severity;
use crate::output;
use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::Path;

/// Runs it.
pub fn run(cmd: &RulesCommand) -> Result<Outcome> {
    // Custom rules of the palisade.toml found from here are listed and checked too.
    let config = find_config(None, Path::new("."))?;
    let set = std::sync::Arc::new(crate::checks::secrets::rule_set(&config.secrets.rules)?);
    crate::redact::use_rules(set.clone());
    let mut out: Vec<u8> = Vec::new();
    let result = match cmd {
        RulesCommand::List => {
            let groups =
                crate::checks::secrets::rules::by_category(set.rules.iter().map(|c| &c.rule));
            for (category, rules) in &groups {
                writeln!(out, "{category} ({} rules)", rules.len())?;
                for rule in rules {
                    writeln!(
                        out,
                        "{:<44} {:<9} {:<7} {}",
                        rule.id,
                        Severity::from(rule.severity).as_str(),
                        rule.confidence.as_str(),
                        rule.name
                    )?;
                }
                writeln!(out)?;
            }
            writeln!(
                out,
                "{} rules in {} categories",
                set.rules.len(),
                groups.len()
            )?;
            Outcome::Clean
        }
        RulesCommand::Check => {
            let failures = engine::check_examples(&set);
            for f in &failures {
                writeln!(out, "FAIL {}: {}", f.rule, f.problem)?;
            }
            let examples: usize = set
                .rules
                .iter()
                .map(|c| c.rule.examples.len() + c.rule.negative_examples.len())
                .sum();
            writeln!(
                out,
                "{} rules, {examples} examples, {} failed",
                set.rules.len(),
                failures.len()
            )?;
            if failures.is_empty() {
                Outcome::Clean
            } else {
                Outcome::Findings
            }
        }
        RulesCommand::Explain { id } => {
            let full = if id.starts_with("secret.") {
                id.clone()
            } else {
                format!("secret.{id}")
            };
            let Some(c) = set.get(&full) else {
                bail!("no rule `{id}`; `cargo palisade rules list` shows them all");
            };
            let r = &c.rule;
            writeln!(out, "{} ({})", r.name, r.id)?;
            writeln!(out, "severity: {}", Severity::from(r.severity).as_str())?;
            writeln!(
                out,
                "\nWhat it finds\n  {}\n\nWhy it matters\n  {}\n\nHow to fix a leak\n  {}",
                r.finds, r.why, r.fix
            )?;
            writeln!(out, "\nkeywords: {}", r.keywords.join(", "))?;
            writeln!(out, "pattern:  {}", r.pattern)?;
            if let Some(n) = &r.not_named {
                writeln!(out, "not when the name matches: {n}")?;
            }
            if !r.service_names.is_empty() {
                writeln!(
                    out,
                    "knows every format of: {} (a generic match under such a name is low confidence)",
                    r.service_names.join(", ")
                )?;
            }
            if let Some(e) = r.min_entropy {
                writeln!(out, "minimum entropy: {e} bits/byte")?;
            }
            if let Some(v) = r.validator {
                writeln!(out, "validator: {v:?}")?;
            }
            for reference in &r.references {
                writeln!(out, "see: {reference}")?;
            }
            writeln!(out, "\n{}", crate::checks::secrets::placeholder::EXPLAIN)?;
            writeln!(
                out,
                "{} examples, {} negative examples (`rules check` runs them)",
                r.examples.len(),
                r.negative_examples.len()
            )?;
            Outcome::Clean
        }
    };
    output::stdout(&String::from_utf8_lossy(&out), output::Kind::Text)
        .context("cannot write to stdout")?;
    Ok(result)
}
