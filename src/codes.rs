//! Finding codes: a stable kebab-case id, its default level, a one-line summary and help.
//! Each check declares its own in its folder (`checks/<name>/codes.rs`, with [`codes!`], so a
//! code cannot be declared without being registered); the policy's and the gate's own are
//! here. [`all`] yields every one through the check registry; reports take descriptions from
//! there; a test checks they are unique and documented.

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

/// Declares finding codes: a constant per code and `CODES`, the list the registry reads. A
/// code declared here is registered by construction (a constant left out of a hand-kept list
/// would silently read as a warning).
#[macro_export]
macro_rules! codes {
    ($( $(#[$doc:meta])* $name:ident = $id:literal, $level:ident, $summary:expr, $help:expr; )*) => {
        $( $(#[$doc])* pub const $name: &str = $id; )*
        /// Every code declared above, in order.
        pub const CODES: &[$crate::codes::Code] = &[
            $( $crate::codes::Code {
                id: $id,
                level: $crate::codes::Level::$level,
                summary: $summary,
                help: $help,
            }, )*
        ];
    };
}

codes! {
    /// An ignore entry has expired and no longer suppresses anything.
    POLICY_IGNORE_EXPIRED = "policy.ignore-expired", Warn,
        "An ignore entry has passed its `expires` date and no longer suppresses.",
        "Fix the finding it covered, or renew the entry with a new date and reason.";
    /// An ignore entry matched no finding.
    POLICY_IGNORE_UNUSED = "policy.ignore-unused", Warn,
        "An ignore entry matched no finding.",
        "Remove the entry: the finding it covered is gone.";
    /// The project has dependencies of an ecosystem no check of this run covers
    /// (package-lock.json, yarn.lock…).
    GATE_DEPENDENCIES_UNCHECKED = "gate.dependencies-unchecked", Warn,
        "The project has dependencies (package-lock.json, yarn.lock, requirements.txt…) that no check of this gate covered.",
        "Run that ecosystem's scanner with SARIF output and give it to the gate: \
         `npm audit` through a SARIF \
         converter, then `--import-sarif FILE --tool NAME` or an `[[import]]` entry in palisade.toml.";
}

/// Every registered code: the policy's and the gate's, then each check's, in registry order.
/// Secret rules (`secret.*`) are registered as data in `rules/`, each a deny-level code of its
/// own.
pub fn all() -> impl Iterator<Item = &'static Code> {
    CODES.iter().chain(
        crate::check::registry::CHECKS
            .iter()
            .flat_map(|check| check.codes().iter()),
    )
}

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
    all().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_documented_and_kebab_case() {
        let mut seen = HashSet::new();
        for code in all() {
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
