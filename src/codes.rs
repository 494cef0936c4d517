//! Every finding code Palisade emits, in one registry: a stable kebab-case id, its default
//! level, a one-line summary and help. Checks refer to codes by these constants; reports take
//! descriptions from here; a test checks they are unique and documented.

/// Whether a code fails the gate by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Fails when its severity reaches the threshold.
    Deny,
    /// Reported; fails only under `--deny warnings`.
    Warn,
}

/// One finding code.
#[derive(Debug)]
pub struct Code {
    /// Stable id, `check.kebab-case`.
    pub id: &'static str,
    /// Default level.
    pub level: Level,
    /// One line: what it finds.
    pub summary: &'static str,
    /// How to fix it.
    pub help: &'static str,
}

/// A vulnerable crate version is in `Cargo.lock`.
pub const ADVISORY_VULNERABILITY: &str = "advisory.vulnerability";
/// An informational advisory: the crate is unmaintained.
pub const ADVISORY_UNMAINTAINED: &str = "advisory.unmaintained";
/// An informational advisory: the crate has unsound APIs.
pub const ADVISORY_UNSOUND: &str = "advisory.unsound";
/// An informational advisory: a notice about the crate.
pub const ADVISORY_NOTICE: &str = "advisory.notice";
/// An informational advisory of another kind.
pub const ADVISORY_INFORMATIONAL: &str = "advisory.informational";
/// The advisory database has not been updated for too long.
pub const ADVISORY_DB_STALE: &str = "advisory.db-stale";
/// The build graph could not be resolved; reachability is unknown.
pub const ADVISORY_GRAPH_UNAVAILABLE: &str = "advisory.graph-unavailable";
/// An ignore entry has expired and no longer suppresses anything.
pub const POLICY_IGNORE_EXPIRED: &str = "policy.ignore-expired";
/// An ignore entry matched no finding.
pub const POLICY_IGNORE_UNUSED: &str = "policy.ignore-unused";

/// A secret whose blob no ref reaches (dangling, reflog-only): not in a fresh clone.
pub const SECRETS_UNREACHABLE: &str = "secrets.unreachable";

/// The repository is a shallow clone; history before the cut was not scanned.
pub const SECRETS_SHALLOW_HISTORY: &str = "secrets.shallow-history";
/// An inline `palisade:allow <rule>` comment without `-- <reason>`: it allows nothing.
pub const SECRETS_INLINE_ALLOW_WITHOUT_REASON: &str = "secrets.inline-allow-without-reason";
/// An inline `palisade:allow <rule>` comment naming no active rule: it allows nothing.
pub const SECRETS_INLINE_ALLOW_UNKNOWN_RULE: &str = "secrets.inline-allow-unknown-rule";

/// The default build links a FIPS module.
pub const FIPS_DEFAULT_LINKS_FIPS: &str = "fips.default-links-fips";
/// The FIPS build links no FIPS module.
pub const FIPS_BUILD_MISSING_MODULE: &str = "fips.fips-build-missing-module";
/// The FIPS build does not carry its status stamp.
pub const FIPS_STATUS_NOT_REPORTED: &str = "fips.status-not-reported";
/// The build file has no distinct FIPS target.
pub const FIPS_NO_FIPS_TARGET: &str = "fips.no-fips-target";
/// The binary uses the system OpenSSL; FIPS depends on its configuration.
pub const FIPS_RUNTIME_OPENSSL: &str = "fips.runtime-openssl";
/// The binary runs in FIPS mode with a module version that is not validated.
pub const FIPS_UNVALIDATED_MODULE: &str = "fips.unvalidated-module";

/// A result of another tool's SARIF, imported by `gate` (`[[import]]`, `--import-sarif`).
pub const IMPORT_RESULT: &str = "import.result";

/// The project has dependencies of an ecosystem no check of this run covers (go.sum,
/// package-lock.json…).
pub const GATE_DEPENDENCIES_UNCHECKED: &str = "gate.dependencies-unchecked";

/// The registry. Secret rules (`secret.*`) are registered as data in `rules/`, each a
/// deny-level code of its own.
pub const ALL: &[Code] = &[
    Code {
        id: ADVISORY_VULNERABILITY,
        level: Level::Deny,
        summary: "A crate version in Cargo.lock has a security vulnerability advisory.",
        help: "Upgrade the crate to a patched version (`cargo update -p <crate> --precise <version>`), \
               or remove the dependency. If the vulnerable code is not reachable from your use, \
               add an `[[advisories.ignore]]` entry with the advisory id and a reason.",
    },
    Code {
        id: ADVISORY_UNMAINTAINED,
        level: Level::Warn,
        summary: "A crate in Cargo.lock is no longer maintained.",
        help: "Plan a move to a maintained alternative; the advisory usually names some.",
    },
    Code {
        id: ADVISORY_UNSOUND,
        level: Level::Warn,
        summary: "A crate version in Cargo.lock has unsound APIs (undefined behaviour from safe code).",
        help: "Upgrade to a version where the unsoundness is fixed, or check that you do not call \
               the affected functions.",
    },
    Code {
        id: ADVISORY_NOTICE,
        level: Level::Warn,
        summary: "A crate in Cargo.lock has a notice advisory.",
        help: "Read the advisory; it says what, if anything, to do.",
    },
    Code {
        id: ADVISORY_INFORMATIONAL,
        level: Level::Warn,
        summary: "A crate in Cargo.lock has an informational advisory.",
        help: "Read the advisory; it says what, if anything, to do.",
    },
    Code {
        id: ADVISORY_DB_STALE,
        level: Level::Warn,
        summary: "The advisory database is older than the configured staleness limit.",
        help: "Update it with `cargo palisade db fetch` (online), or point --advisory-db at a fresh copy.",
    },
    Code {
        id: ADVISORY_GRAPH_UNAVAILABLE,
        level: Level::Warn,
        summary: "The build graph could not be resolved, so every advisory counts as reachable.",
        help: "Make `cargo metadata --locked` work for the project (fetch its dependencies), or \
               pass --manifest-path.",
    },
    Code {
        id: SECRETS_SHALLOW_HISTORY,
        level: Level::Warn,
        summary: "The repository is a shallow clone, so history before the cut was not scanned.",
        help: "Fetch full history before scanning (`git fetch --unshallow`; actions/checkout \
               with `fetch-depth: 0`). Make this fatal with `--deny warnings`.",
    },
    Code {
        id: SECRETS_INLINE_ALLOW_WITHOUT_REASON,
        level: Level::Warn,
        summary: "An inline `palisade:allow` comment gives no reason, so it allows nothing.",
        help: "Say why the secret is safe: `palisade:allow <rule-id> -- <reason>`; or remove the \
               secret and the comment.",
    },
    Code {
        id: SECRETS_INLINE_ALLOW_UNKNOWN_RULE,
        level: Level::Warn,
        summary: "An inline `palisade:allow` comment names no rule of the active set, so it \
                  allows nothing.",
        help: "Name the rule of the finding on that line (`cargo palisade rules list`; with or \
               without the `secret.` prefix), as the did-you-mean suggests.",
    },
    Code {
        id: FIPS_DEFAULT_LINKS_FIPS,
        level: Level::Deny,
        summary: "The default (non-FIPS) build links a FIPS crypto module.",
        help: "Keep FIPS opt-in: move the FIPS feature, GOEXPERIMENT or GOFIPS140 setting to the \
               separate fips-build target.",
    },
    Code {
        id: FIPS_BUILD_MISSING_MODULE,
        level: Level::Deny,
        summary: "The FIPS build links no FIPS-validated crypto module.",
        help: "Build it with the FIPS module: `--features fips` (aws-lc-rs/rustls), \
               GOFIPS140=v1.0.0 or GOEXPERIMENT=boringcrypto for Go.",
    },
    Code {
        id: FIPS_STATUS_NOT_REPORTED,
        level: Level::Deny,
        summary: "The FIPS build does not carry its FIPS status stamp.",
        help: "Stamp the build where Palisade reads it (Go: -ldflags \"-X main.BuildStamp=FIPSMode=true\", \
               built without -trimpath; Rust and others: a .note.fips-status section holding the \
               stamp), so the binary can report its FIPS status.",
    },
    Code {
        id: FIPS_NO_FIPS_TARGET,
        level: Level::Deny,
        summary: "The Makefile or justfile has no distinct FIPS build target.",
        help: "Add a `fips-build` target (or name yours with --fips-target) that sets the FIPS \
               switches, so FIPS stays a separate, opt-in build.",
    },
    Code {
        id: FIPS_RUNTIME_OPENSSL,
        level: Level::Warn,
        summary: "The binary uses the system OpenSSL, so FIPS depends on the runtime configuration.",
        help: "Check the target image's OpenSSL FIPS provider configuration, or link a FIPS \
               module statically.",
    },
    Code {
        id: FIPS_UNVALIDATED_MODULE,
        level: Level::Warn,
        summary: "The binary runs in FIPS mode with a crypto module version that is not validated \
                  (Go's GOFIPS140=latest or in-tree module, a snapshot not yet certified).",
        help: "Build with a certified module version: for Go, GOFIPS140=certified (the v1.0.0 \
               snapshot) instead of latest; check the CMVP certificate of the version you ship.",
    },
    Code {
        id: IMPORT_RESULT,
        level: Level::Deny,
        summary: "Another tool (gosec, govulncheck, clippy, semgrep…) reported this in the SARIF the gate imported.",
        help: "Fix it as the tool's rule explains, or add an `[[import.ignore]]` entry naming the tool's rule id and a reason.",
    },
    Code {
        id: SECRETS_UNREACHABLE,
        level: Level::Warn,
        summary: "A secret in objects no ref reaches (a dangling commit, a reflog-only rewrite, a file staged then reset): never pushed from this clone, absent from a fresh one.",
        help: "Drop it locally: `git reflog expire --expire-unreachable=now --all && git gc --prune=now`. \
               If it was ever pushed or the clone shared, rotate it. `--deny warnings` makes it fail.",
    },
    Code {
        id: GATE_DEPENDENCIES_UNCHECKED,
        level: Level::Warn,
        summary: "The project has dependencies (go.sum, package-lock.json, yarn.lock…) that no check of this gate covered.",
        help: "Run that ecosystem's scanner with SARIF output and give it to the gate: \
               `govulncheck -format sarif ./... > govulncheck.sarif` or `npm audit` through a SARIF \
               converter, then `--import-sarif FILE --tool NAME` or an `[[import]]` entry in palisade.toml.",
    },
    Code {
        id: POLICY_IGNORE_EXPIRED,
        level: Level::Warn,
        summary: "An ignore entry has passed its `expires` date and no longer suppresses.",
        help: "Fix the finding it covered, or renew the entry with a new date and reason.",
    },
    Code {
        id: POLICY_IGNORE_UNUSED,
        level: Level::Warn,
        summary: "An ignore entry matched no finding.",
        help: "Remove the entry: the finding it covered is gone.",
    },
];

/// The level of any finding code: registered codes say; secret rules (`secret.*`) deny.
pub fn level_of(id: &str) -> Level {
    match get(id) {
        Some(code) => code.level,
        None if id.starts_with("secret.") => Level::Deny,
        None => Level::Warn,
    }
}

/// Looks a code up by id.
pub fn get(id: &str) -> Option<&'static Code> {
    ALL.iter().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_documented_and_kebab_case() {
        let mut seen = HashSet::new();
        for code in ALL {
            assert!(seen.insert(code.id), "duplicate code {}", code.id);
            assert!(
                !code.summary.is_empty() && !code.help.is_empty(),
                "{}",
                code.id
            );
            let (check, name) = code.id.split_once('.').expect("check.name");
            for part in [check, name] {
                assert!(
                    part.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                    "{} is not kebab-case",
                    code.id
                );
            }
        }
    }
}
