//! The finding codes of the advisories check: ids, levels, summaries and help, in one place.

crate::codes! {
    /// A vulnerable crate version is in `Cargo.lock`.
    VULNERABILITY = "advisory.vulnerability", Deny,
        "A crate version in Cargo.lock has a security vulnerability advisory.",
        "Upgrade the crate to a patched version (`cargo update -p <crate> --precise <version>`), \
                   or remove the dependency. If the vulnerable code is not reachable from your use, \
                   add an `[[advisories.ignore]]` entry with the advisory id and a reason.";
    /// An informational advisory: the crate is unmaintained.
    UNMAINTAINED = "advisory.unmaintained", Warn,
        "A crate in Cargo.lock is no longer maintained.",
        "Plan a move to a maintained alternative; the advisory usually names some.";
    /// An informational advisory: the crate has unsound APIs.
    UNSOUND = "advisory.unsound", Warn,
        "A crate version in Cargo.lock has unsound APIs (undefined behaviour from safe code).",
        "Upgrade to a version where the unsoundness is fixed, or check that you do not call \
                   the affected functions.";
    /// An informational advisory: a notice about the crate.
    NOTICE = "advisory.notice", Warn,
        "A crate in Cargo.lock has a notice advisory.",
        "Read the advisory; it says what, if anything, to do.";
    /// An informational advisory of another kind.
    INFORMATIONAL = "advisory.informational", Warn,
        "A crate in Cargo.lock has an informational advisory.",
        "Read the advisory; it says what, if anything, to do.";
    /// The advisory database has not been updated for too long.
    DB_STALE = "advisory.db-stale", Warn,
        "The advisory database is older than the configured staleness limit.",
        "Update it with `cargo palisade db fetch` (online), or point --advisory-db at a fresh copy.";
    /// The build graph could not be resolved; reachability is unknown.
    GRAPH_UNAVAILABLE = "advisory.graph-unavailable", Warn,
        "The build graph could not be resolved, so every advisory counts as reachable.",
        "Make `cargo metadata --locked` work for the project (fetch its dependencies), or \
                   pass --manifest-path.";
}
