//! Policy: turns findings into a verdict. Thresholds, warnings-as-errors, reachability and
//! suppressions are decided here, and only here; the checks never pick what fails, and the
//! reports never change it.

pub mod baseline;
pub mod cfg;

use crate::codes::{self, Level};
use crate::config::Origin;
use crate::finding::{Finding, Location, Reachability, Severity, fingerprint};
use cfg::PolicyConfig;
use serde::Serialize;
use std::collections::HashMap;

/// A config entry that suppresses findings: `[[advisories.ignore]]` by advisory id,
/// `[[secrets.allow]]` by fingerprint, rule and path globs, or a pattern on the secret; or an
/// inline `palisade:allow` comment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Suppression {
    /// What it names, for people: an advisory id, a rule id, a fingerprint.
    pub id: String,
    /// How it matches findings.
    #[serde(skip)]
    pub matcher: Matcher,
    /// Why it is safe (required).
    pub reason: String,
    /// The ticket or spec that authorises it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// After this date it no longer suppresses.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_date"
    )]
    pub expires: Option<jiff::civil::Date>,
    /// Where it was written.
    pub origin: Origin,
}

fn serialize_date<S: serde::Serializer>(
    date: &Option<jiff::civil::Date>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match date {
        Some(d) => s.serialize_str(&d.to_string()),
        None => s.serialize_none(),
    }
}

/// How a suppression matches.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Matcher {
    /// `id` equals (ASCII case-insensitively) the finding's subject id or an alias.
    #[default]
    Subject,
    /// Every given criterion holds.
    Secret(SecretMatcher),
    /// An `[[import.ignore]]`: a finding of this imported tool whose rule (subject) is `id`,
    /// in these paths if given.
    Import {
        /// `import/<tool>`.
        check: String,
        /// Globs a place of the finding must match to be covered.
        paths: Option<Globs>,
    },
}

/// Path globs of a config entry, compared by the patterns written.
#[derive(Clone, Debug)]
pub struct Globs {
    /// The compiled set.
    pub set: globset::GlobSet,
    /// The patterns, as written.
    pub patterns: Vec<String>,
}

impl PartialEq for Globs {
    fn eq(&self, other: &Self) -> bool {
        self.patterns == other.patterns
    }
}

impl Globs {
    /// Which of the places match; `None` when there are none (a glob cannot cover a finding
    /// that names no file).
    fn cover(&self, places: &[Place]) -> Option<Vec<bool>> {
        (!places.is_empty()).then(|| places.iter().map(|p| self.set.is_match(&p.path)).collect())
    }
}

/// One place a finding names (its primary location, or one of `evidence.occurrences`): what
/// path globs are matched against, and what the human report lists when an entry left it
/// unmatched.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Place {
    /// Path relative to the repository (or `git-blob:<id>`).
    pub path: String,
    /// 1-based line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The commit that brought it in, for history scans.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// A finding that allow entries matched in some of its places but not all: it stands on the
/// others, which the reports list so the user sees why it still fails.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PartlyAllowed {
    /// The entries (file and line) that matched some places.
    pub by: Vec<Origin>,
    /// The places no entry matched.
    pub unmatched: Vec<Place>,
}

/// Criteria of a `[[secrets.allow]]` entry; at least one is set.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SecretMatcher {
    /// The finding's rule id is one of these (any when empty).
    pub rules: Vec<String>,
    /// Globs a place of the finding (its location or a further occurrence) must match to be
    /// covered; the finding is suppressed when every place is covered.
    pub paths: Option<Globs>,
    /// The finding's fingerprint.
    pub fingerprint: Option<String>,
    /// Index of this entry among the secret patterns the check evaluated (the check alone sees
    /// the secret; it lists the patterns that matched in `evidence.allow_patterns`).
    pub pattern: Option<usize>,
}

impl Suppression {
    /// Whether this entry covers `finding` in every place it names.
    pub fn matches(&self, finding: &Finding) -> bool {
        self.coverage(finding, &finding_places(finding))
            .is_some_and(|c| c.iter().all(|&b| b))
    }

    /// Which of the finding's `places` this entry covers, one flag each; `None` when the
    /// finding fails a criterion that is not about places (rule, fingerprint, pattern, tool),
    /// or the entry has paths and the finding names no place.
    fn coverage(&self, finding: &Finding, places: &[Place]) -> Option<Vec<bool>> {
        let everywhere = || Some(vec![true; places.len()]);
        match &self.matcher {
            Matcher::Subject => finding
                .subject_ids()
                .any(|id| id.eq_ignore_ascii_case(&self.id))
                .then(everywhere)?,
            Matcher::Secret(m) => {
                let rule_ok = m.rules.is_empty()
                    || m.rules
                        .iter()
                        .any(|r| r == finding.rule || finding.subject_ids().any(|id| id == r));
                let fp_ok = m
                    .fingerprint
                    .as_deref()
                    .is_none_or(|f| f == finding.fingerprint);
                let pattern_ok = m.pattern.is_none_or(|i| {
                    finding
                        .evidence
                        .get("allow_patterns")
                        .and_then(|v| v.as_array())
                        .is_some_and(|a| a.iter().any(|x| x.as_u64() == Some(i as u64)))
                });
                if !(rule_ok && fp_ok && pattern_ok) {
                    return None;
                }
                match &m.paths {
                    Some(globs) => globs.cover(places),
                    None => everywhere(),
                }
            }
            Matcher::Import { check, paths } => {
                let ok = finding.check() == check.as_str()
                    && finding
                        .subject_ids()
                        .any(|id| id.eq_ignore_ascii_case(&self.id));
                if !ok {
                    return None;
                }
                match paths {
                    Some(globs) => globs.cover(places),
                    None => everywhere(),
                }
            }
        }
    }

    fn expired(&self, today: jiff::civil::Date) -> bool {
        self.expires.is_some_and(|e| e < today)
    }
}

/// Every place a finding names: its primary location, then `evidence.occurrences[]` (a place
/// without a path, a blob in no commit, is named by its blob, as the location is).
pub fn finding_places(finding: &Finding) -> Vec<Place> {
    let primary = finding.locations.first().and_then(|l| {
        Some(Place {
            path: l.path.to_str()?.to_string(),
            line: l.line.map(u64::from),
            commit: l.commit.clone(),
        })
    });
    let others = finding
        .evidence
        .get("occurrences")
        .and_then(|o| o.as_array())
        .into_iter()
        .flatten()
        .map(|o| {
            let text = |key: &str| o.get(key).and_then(|v| v.as_str()).map(String::from);
            Place {
                path: text("path")
                    .or_else(|| text("blob").map(|b| format!("git-blob:{b}")))
                    .unwrap_or_default(),
                line: o.get("line").and_then(|v| v.as_u64()),
                commit: text("commit"),
            }
        });
    primary.into_iter().chain(others).collect()
}

/// The suppression an inline `palisade:allow <rule> -- <reason>` comment stands for, from the
/// check's `evidence.inline_allow` ({reason, path, line}).
fn inline_suppression(finding: &Finding) -> Option<Suppression> {
    let inline = finding.evidence.get("inline_allow")?;
    Some(Suppression {
        id: finding.rule.to_string(),
        matcher: Matcher::Subject,
        reason: inline.get("reason")?.as_str()?.to_string(),
        ticket: None,
        expires: None,
        origin: Origin {
            file: inline.get("path")?.as_str()?.into(),
            line: inline.get("line")?.as_u64()? as usize,
        },
    })
}

/// The suppressions by what a finding must carry for each to match (subject id, fingerprint,
/// secret pattern, rule), so deciding a finding looks at the few entries that could match it,
/// not at all of them: a config with 200,000 entries is decided in linear time.
struct SuppressionIndex<'a> {
    by_id: HashMap<String, Vec<usize>>,
    by_fingerprint: HashMap<&'a str, Vec<usize>>,
    by_pattern: HashMap<usize, Vec<usize>>,
    by_rule: HashMap<&'a str, Vec<usize>>,
    /// Entries with no key to file them under (none come from a config today); always tried.
    rest: Vec<usize>,
}

impl<'a> SuppressionIndex<'a> {
    fn new(suppressions: &'a [Suppression]) -> Self {
        let mut index = SuppressionIndex {
            by_id: HashMap::new(),
            by_fingerprint: HashMap::new(),
            by_pattern: HashMap::new(),
            by_rule: HashMap::new(),
            rest: Vec::new(),
        };
        for (i, s) in suppressions.iter().enumerate() {
            match &s.matcher {
                Matcher::Subject | Matcher::Import { .. } => index
                    .by_id
                    .entry(s.id.to_ascii_lowercase())
                    .or_default()
                    .push(i),
                Matcher::Secret(m) => {
                    // Filed under one criterion that every match must meet.
                    if let Some(fp) = &m.fingerprint {
                        index.by_fingerprint.entry(fp).or_default().push(i);
                    } else if let Some(p) = m.pattern {
                        index.by_pattern.entry(p).or_default().push(i);
                    } else if !m.rules.is_empty() {
                        for rule in &m.rules {
                            index.by_rule.entry(rule).or_default().push(i);
                        }
                    } else {
                        index.rest.push(i);
                    }
                }
            }
        }
        index
    }

    /// The entries that could cover `finding`, in config order.
    fn candidates(&self, finding: &Finding) -> Vec<usize> {
        let mut candidates: Vec<usize> = self.rest.clone();
        for id in finding.subject_ids() {
            if let Some(v) = self.by_id.get(&id.to_ascii_lowercase()) {
                candidates.extend(v);
            }
        }
        if let Some(v) = self.by_fingerprint.get(finding.fingerprint.as_str()) {
            candidates.extend(v);
        }
        // A secret's rule is its code, or its subject when the code says more (a secret no
        // ref reaches is `secrets.unreachable`, its subject still the rule).
        for rule in std::iter::once(finding.rule).chain(finding.subject_ids()) {
            if let Some(v) = self.by_rule.get(rule) {
                candidates.extend(v);
            }
        }
        let patterns = finding
            .evidence
            .get("allow_patterns")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_u64())
            .filter_map(|p| usize::try_from(p).ok());
        for p in patterns {
            if let Some(v) = self.by_pattern.get(&p) {
                candidates.extend(v);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        candidates
    }
}

/// What the policy decided about one finding.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "status")]
pub enum Status {
    /// Counts against the gate.
    Failing,
    /// Shown, but does not fail the gate.
    Reported,
    /// Suppressed by a config entry.
    Suppressed {
        /// The entry that suppressed it.
        by: Box<Suppression>,
    },
}

/// A finding with the policy's decision.
#[derive(Clone, Debug, Serialize)]
pub struct Decided {
    /// The finding.
    #[serde(flatten)]
    pub finding: Finding,
    /// The severity used for the decision: the source's, or the configured unrated severity.
    pub effective_severity: Severity,
    /// Whether the code is a warning (only fails under `deny-warnings`).
    pub warning: bool,
    /// The decision.
    #[serde(flatten)]
    pub status: Status,
    /// Allow entries matched some of its places and not the others (it stands on those).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partly_allowed: Option<PartlyAllowed>,
}

/// The policy's decision over all findings of a run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Verdict {
    /// Every finding, in the order the checks produced them, then the policy's own.
    pub findings: Vec<Decided>,
}

impl Verdict {
    /// How many findings fail the gate.
    pub fn failing(&self) -> usize {
        self.count(|s| matches!(s, Status::Failing))
    }

    /// How many findings were suppressed.
    pub fn suppressed(&self) -> usize {
        self.count(|s| matches!(s, Status::Suppressed { .. }))
    }

    fn count(&self, pred: impl Fn(&Status) -> bool) -> usize {
        self.findings.iter().filter(|d| pred(&d.status)).count()
    }
}

/// The settings the policy applies.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Thresholds and switches.
    pub config: PolicyConfig,
    /// Suppression entries.
    pub suppressions: Vec<Suppression>,
    /// The date expiries are judged against.
    pub today: jiff::civil::Date,
    /// Accepted findings, by fingerprint: they do not fail.
    pub baseline: Option<baseline::Baseline>,
}

impl Policy {
    /// Decides every finding, and reports expired and unused suppressions as findings of
    /// their own.
    pub fn decide(&self, findings: Vec<Finding>) -> Verdict {
        let index = SuppressionIndex::new(&self.suppressions);
        let mut used = vec![false; self.suppressions.len()];
        let mut decided: Vec<Decided> = findings
            .into_iter()
            .map(|finding| {
                if let Some(by) = inline_suppression(&finding) {
                    let mut d = self.judge(finding);
                    d.status = Status::Suppressed { by: Box::new(by) };
                    return d;
                }
                let places = finding_places(&finding);
                let (by, partly) = self.entries_covering(&index, &finding, &places, &mut used);
                if let Some(i) = by {
                    let mut d = self.judge(finding);
                    d.status = Status::Suppressed {
                        by: Box::new(self.suppressions[i].clone()),
                    };
                    return d;
                }
                if let Some(baseline) = &self.baseline
                    && baseline.fingerprints.contains(&finding.fingerprint)
                {
                    let by = Suppression {
                        id: finding.fingerprint.clone(),
                        matcher: Matcher::Subject,
                        reason: "accepted in the baseline".into(),
                        ticket: None,
                        expires: None,
                        origin: Origin {
                            file: baseline.path.clone(),
                            line: 0,
                        },
                    };
                    let mut d = self.judge(finding);
                    d.status = Status::Suppressed { by: Box::new(by) };
                    return d;
                }
                let mut d = self.judge(finding);
                d.partly_allowed = partly;
                d
            })
            .collect();
        for (entry, used) in self.suppressions.iter().zip(used) {
            if entry.expired(self.today) {
                decided.push(self.judge(suppression_finding(
                    entry,
                    codes::POLICY_IGNORE_EXPIRED,
                    format!(
                        "ignore entry for {} expired on {}; it no longer suppresses",
                        entry.id,
                        entry.expires.map(|d| d.to_string()).unwrap_or_default()
                    ),
                )));
            } else if !used {
                decided.push(self.judge(suppression_finding(
                    entry,
                    codes::POLICY_IGNORE_UNUSED,
                    format!("ignore entry for {} matched no finding", entry.id),
                )));
            }
        }
        Verdict { findings: decided }
    }

    /// The entry that suppresses `finding`, and else what entries matched of it. An entry
    /// covers the places it matches: the first that covers them all suppresses (config order);
    /// else entries that each cover some places together suppress when every place is covered
    /// (one for `tests/`, one for `fixtures/`), named by the first; else the places left
    /// uncovered are returned with the entries that matched the others. An expired entry covers
    /// nothing but counts as used (it is reported as expired, not unused).
    fn entries_covering(
        &self,
        index: &SuppressionIndex<'_>,
        finding: &Finding,
        places: &[Place],
        used: &mut [bool],
    ) -> (Option<usize>, Option<PartlyAllowed>) {
        let mut covered = vec![false; places.len()];
        let mut contributors: Vec<usize> = Vec::new();
        for i in index.candidates(finding) {
            let entry = &self.suppressions[i];
            let Some(mask) = entry.coverage(finding, places) else {
                continue;
            };
            // An entry that matched no place of the finding did not match it.
            if !places.is_empty() && !mask.iter().any(|&b| b) {
                continue;
            }
            used[i] = true;
            if entry.expired(self.today) {
                continue;
            }
            if mask.iter().all(|&b| b) {
                return (Some(i), None);
            }
            for (c, m) in covered.iter_mut().zip(&mask) {
                *c |= *m;
            }
            contributors.push(i);
        }
        let Some(&first) = contributors.first() else {
            return (None, None);
        };
        if covered.iter().all(|&b| b) {
            return (Some(first), None);
        }
        let partly = PartlyAllowed {
            by: contributors
                .iter()
                .map(|&i| self.suppressions[i].origin.clone())
                .collect(),
            unmatched: places
                .iter()
                .zip(&covered)
                .filter(|(_, c)| !**c)
                .map(|(p, _)| p.clone())
                .collect(),
        };
        (None, Some(partly))
    }

    fn judge(&self, finding: Finding) -> Decided {
        let warning = codes::level_of(finding.rule) == Level::Warn;
        let effective_severity = finding.severity.unwrap_or(if warning {
            Severity::Info
        } else {
            self.config.unrated_severity
        });
        let failing = if warning {
            self.config.deny_warnings
        } else {
            let in_scope = match finding.reachability {
                Some(Reachability::NotInGraph) => self.config.fail_not_in_graph,
                _ => true,
            };
            let threshold = self
                .config
                .per_check
                .get(finding.check())
                .copied()
                .unwrap_or(self.config.fail_on);
            in_scope && threshold.reached_by(effective_severity)
        };
        Decided {
            finding,
            effective_severity,
            warning,
            partly_allowed: None,
            status: if failing {
                Status::Failing
            } else {
                Status::Reported
            },
        }
    }
}

fn suppression_finding(entry: &Suppression, rule: &'static str, message: String) -> Finding {
    Finding {
        locations: vec![Location::at_line(
            entry.origin.file.clone(),
            u32::try_from(entry.origin.line).ok(),
        )],
        fingerprint: fingerprint(&[rule, &entry.id]),
        evidence: [("ignore_id".to_string(), serde_json::json!(entry.id))].into(),
        ..Finding::of_code(rule, None, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Threshold;
    use crate::finding::Subject;
    use std::path::PathBuf;

    fn vuln(id: &str, severity: Option<Severity>, reach: Reachability) -> Finding {
        Finding {
            rule: crate::checks::advisories::codes::VULNERABILITY,
            subject: Some(Subject {
                id: id.into(),
                aliases: vec![format!("CVE-{id}")],
                title: "t".into(),
                description: "d".into(),
                url: None,
                score: None,
                tags: vec![],
            }),
            severity,
            message: "m".into(),
            locations: vec![],
            fingerprint: fingerprint(&[id]),
            help: None,
            reachability: Some(reach),
            evidence: Default::default(),
            check: "advisories".into(),
        }
    }

    fn entry(id: &str, expires: Option<&str>) -> Suppression {
        Suppression {
            id: id.into(),
            matcher: Matcher::Subject,
            reason: "because".into(),
            ticket: None,
            expires: expires.map(|e| e.parse().unwrap()),
            origin: Origin {
                file: PathBuf::from("palisade.toml"),
                line: 7,
            },
        }
    }

    fn policy(suppressions: Vec<Suppression>) -> Policy {
        Policy {
            config: PolicyConfig::default(),
            suppressions,
            today: "2026-06-01".parse().unwrap(),
            baseline: None,
        }
    }

    #[test]
    fn threshold_unrated_and_reachability() {
        let v = policy(vec![]).decide(vec![
            vuln("A", Some(Severity::Medium), Reachability::Normal),
            vuln("B", None, Reachability::Dev),
            vuln("C", Some(Severity::Critical), Reachability::NotInGraph),
            vuln("D", Some(Severity::High), Reachability::Unknown),
        ]);
        let statuses: Vec<_> = v.findings.iter().map(|d| d.status.clone()).collect();
        assert_eq!(
            statuses,
            [
                Status::Reported,
                Status::Failing,
                Status::Reported,
                Status::Failing
            ]
        );
        assert_eq!(v.findings[1].effective_severity, Severity::High);
        let mut p = policy(vec![]);
        p.config.fail_on = Threshold::Any;
        p.config.fail_not_in_graph = true;
        assert_eq!(
            p.decide(vec![vuln(
                "C",
                Some(Severity::Low),
                Reachability::NotInGraph
            )])
            .failing(),
            1
        );
    }

    #[test]
    fn suppression_by_alias_expiry_and_unused() {
        let v = policy(vec![
            entry("cve-A", None),
            entry("B", Some("2026-01-01")),
            entry("Z", None),
        ])
        .decide(vec![
            vuln("A", Some(Severity::High), Reachability::Normal),
            vuln("B", Some(Severity::High), Reachability::Normal),
        ]);
        assert!(matches!(v.findings[0].status, Status::Suppressed { .. }));
        assert_eq!(v.findings[1].status, Status::Failing);
        let rules: Vec<_> = v.findings[2..].iter().map(|d| d.finding.rule).collect();
        assert_eq!(
            rules,
            [codes::POLICY_IGNORE_EXPIRED, codes::POLICY_IGNORE_UNUSED]
        );
        assert_eq!(v.findings[2].finding.locations[0].line, Some(7));
        assert_eq!(v.failing(), 1);
        assert_eq!(v.suppressed(), 1);
    }
}
