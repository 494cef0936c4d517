//! The import check as the registry runs it: other tools' SARIF (`[[import]]`,
//! `--import-sarif`), each file a run named after its tool. With nothing to import, it says
//! which lockfiles of other ecosystems no check covered: silence would read as "checked".

use super::{Imported, Source};
use crate::check::{Check, CheckOutput, Context, ImportedTool, Project, RunAs};
use crate::codes::{self, Code};
use crate::config::root::Config;
use crate::finding::{Finding, Location, fingerprint, relative_to_cwd};
use std::path::{Path, PathBuf};

/// Other tools' SARIF, judged by the same policy.
pub struct Import;

/// The files to read: the config's, then the command line's.
pub fn resolve(ctx: &Context<'_>) -> Vec<Source> {
    ctx.config
        .imports
        .entries
        .iter()
        .map(|e| e.source.clone())
        .chain(ctx.flags.imports.iter().cloned())
        .collect()
}

impl Check for Import {
    fn name(&self) -> &'static str {
        "import"
    }

    fn codes(&self) -> &'static [Code] {
        super::codes::CODES
    }

    fn applies(&self, _: &Project, _: &Config) -> anyhow::Result<bool> {
        // Always: with no file to import, it reports the ecosystems left unchecked.
        Ok(true)
    }

    fn starter(&self, _: &Path) -> Option<String> {
        Some(
            "\n# Other tools' SARIF (gosec, govulncheck, clippy-sarif, semgrep…), judged by the same policy.\n\
             # [[import]]\n\
             # tool = \"gosec\"\n\
             # sarif = \"gosec.sarif\"\n\
             # fail-on = \"medium\"        # optional: this tool's own threshold\n\
             #\n\
             # [[import.ignore]]\n\
             # rule = \"G104\"\n\
             # reason = \"why it is safe here\"\n\
             # ticket = \"SEC-3\"\n"
                .to_string(),
        )
    }

    fn run(&self, ctx: &Context<'_>) -> anyhow::Result<CheckOutput> {
        let sources = resolve(ctx);
        if sources.is_empty() {
            return Ok(CheckOutput {
                findings: unchecked_dependencies(&ctx.project.root),
                runs: Some(Vec::new()),
                ..CheckOutput::default()
            });
        }
        let mut output = CheckOutput {
            runs: Some(Vec::new()),
            ..CheckOutput::default()
        };
        for imported in read_all(&sources)? {
            let name = imported.check();
            output.runs.get_or_insert_default().push(RunAs {
                name: name.clone(),
                tool: Some(ImportedTool {
                    check: name.clone(),
                    driver: imported.driver,
                    version: imported.version,
                    information_uri: imported.information_uri,
                    file: imported.file,
                }),
            });
            output
                .findings
                .extend(imported.findings.into_iter().map(|f| Finding {
                    check: name.clone().into(),
                    ..f
                }));
        }
        Ok(output)
    }
}

/// Reads every imported SARIF file; two imports of one tool name are told apart as
/// `gosec`, `gosec-2`.
fn read_all(sources: &[Source]) -> anyhow::Result<Vec<Imported>> {
    let mut imported: Vec<Imported> = Vec::new();
    for source in sources {
        for mut run in super::read(source)? {
            let base = run.tool.clone();
            let mut n = 1;
            while imported.iter().any(|i| i.tool == run.tool) {
                n += 1;
                run.tool = format!("{base}-{n}");
            }
            if run.tool != base {
                for f in &mut run.findings {
                    f.evidence
                        .insert("tool".into(), serde_json::json!(run.tool));
                }
            }
            imported.push(run);
        }
    }
    Ok(imported)
}

/// A notice for each lockfile of an ecosystem no check covers.
fn unchecked_dependencies(root: &Path) -> Vec<Finding> {
    // Go modules are the go check's (it runs wherever there is a go.mod).
    const LOCKFILES: [(&str, &str); 4] = [
        ("package-lock.json", "npm packages"),
        ("yarn.lock", "Yarn packages"),
        ("pnpm-lock.yaml", "pnpm packages"),
        ("requirements.txt", "Python packages"),
    ];
    LOCKFILES
        .iter()
        .filter(|(file, _)| root.join(file).is_file())
        .map(|(file, what)| {
            let path = if root == Path::new(".") {
                PathBuf::from(file)
            } else {
                relative_to_cwd(&root.join(file))
            };
            Finding {
                locations: vec![Location::at_line(path.clone(), Some(1))],
                fingerprint: fingerprint(&[codes::GATE_DEPENDENCIES_UNCHECKED, file]),
                // The gate's own notice, reported with the policy's findings.
                check: "policy".into(),
                ..Finding::of_code(
                    codes::GATE_DEPENDENCIES_UNCHECKED,
                    None,
                    format!(
                        "{}: {what} were not checked for vulnerabilities; import a scanner's SARIF (--import-sarif)",
                        path.display()
                    ),
                )
            }
        })
        .collect()
}
