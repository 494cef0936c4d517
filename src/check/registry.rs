//! Every check, and the one runner `gate` and the single commands share. A new check is a
//! folder under `src/checks/` and one line in [`CHECKS`].

use super::{Check, CheckOutput, Context};
use crate::checks::{advisories, fips, go, imports, secrets};
use std::time::Instant;

/// Every check, in the order reports list them.
pub static CHECKS: &[&dyn Check] = &[
    &advisories::check::Advisories,
    &go::check::Go,
    &secrets::check::Secrets,
    &fips::check::Fips,
    &imports::check::Import,
];

/// The check of that name.
pub fn get(name: &str) -> Option<&'static dyn Check> {
    CHECKS.iter().copied().find(|c| c.name() == name)
}

/// One check's run: what it returned (or why it could not run) and its wall time.
pub struct Ran {
    /// The check's name.
    pub name: &'static str,
    /// Wall time, milliseconds.
    pub millis: u128,
    /// Its output, every finding marked with the check (or run) it belongs to; the error
    /// when it could not do its job.
    pub result: anyhow::Result<CheckOutput>,
}

/// Runs the checks side by side (they read different inputs), each timed. A check that
/// panics is an error result, never a pass; one that fails does not stop the others.
pub fn run(checks: &[&'static dyn Check], ctx: &Context<'_>) -> Vec<Ran> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = checks
            .iter()
            .map(|check| {
                let handle = scope.spawn(move || {
                    let started = Instant::now();
                    let result = check.run(ctx);
                    (result, started.elapsed().as_millis())
                });
                (*check, handle)
            })
            .collect();
        handles
            .into_iter()
            .map(|(check, handle)| {
                let (result, millis) = handle.join().unwrap_or_else(|_| {
                    let error = anyhow::anyhow!("the {} check panicked", check.name());
                    (Err(error), 0)
                });
                Ran {
                    name: check.name(),
                    millis,
                    result: result.map(|output| stamped(check.name(), output)),
                }
            })
            .collect()
    })
}

/// Marks each finding with the check that returned it, unless the check named a run of its
/// own for it (`import/gosec`).
fn stamped(name: &'static str, mut output: CheckOutput) -> CheckOutput {
    for finding in &mut output.findings {
        if finding.check.is_empty() {
            finding.check = name.into();
        }
    }
    output
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique_and_each_check_owns_codes_under_its_prefix() {
        let mut names = HashSet::new();
        for check in CHECKS {
            assert!(
                names.insert(check.name()),
                "two checks named {}",
                check.name()
            );
            assert!(!check.codes().is_empty(), "{} has no codes", check.name());
        }
    }
}
