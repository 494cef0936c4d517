//! The finding codes of the Go check: ids, levels, summaries and help, in one place.

crate::codes! {
    /// A vulnerable module or standard library the build reaches.
    VULNERABILITY = "go.vulnerability", Deny,
        "A Go module version (or the Go standard library) in the build has a vulnerability, and the build reaches it at a level the config fails on (by default: a vulnerable package imported, or a vulnerable function linked).",
        "Upgrade to the fixed version the finding names (`go get module@version`, then `go mod tidy`; \
         for the standard library, build with the Go release it names). If the vulnerable code is \
         not reachable from your use, add a `[[go.ignore]]` entry with the id, a reason and a ticket.";
    /// A vulnerable module in the build list whose vulnerable code the build does not reach.
    UNREACHED = "go.vulnerability-unreached", Warn,
        "A Go module version in the build list has a vulnerability at a reachability the config only warns on (by default: the module is built, its vulnerable packages are not imported).",
        "Upgrade when convenient: nothing in the build reaches the vulnerable packages today, \
         but a new import would.";
    /// The Go vulnerability database has not been updated for too long.
    DB_STALE = "go.db-stale", Warn,
        "The Go vulnerability database is older than the configured staleness limit.",
        "Update it with `cargo palisade db fetch --go` (online), or point --go-vulndb at a fresh copy.";
}
