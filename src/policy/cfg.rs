//! The `[policy]` table of `palisade.toml`: the thresholds and switches the policy decides with.

use crate::config::fields::{Field, Table};
use crate::config::{Problems, Threshold, threshold};
use crate::finding::Severity;

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

/// The keys of `[policy]`.
pub const POLICY_KEYS: &[&str] = &[
    "fail-on",
    "deny-warnings",
    "unrated-severity",
    "fail-not-in-graph",
];

pub(crate) fn validate_policy(table: Table<'_, '_>, problems: &mut Problems<'_>) -> PolicyConfig {
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
