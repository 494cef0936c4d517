//! The finding codes of the imports check: ids, levels, summaries and help, in one place.

crate::codes! {
    /// A result of another tool's SARIF, imported by `gate` (`[[import]]`, `--import-sarif`).
    RESULT = "import.result", Deny,
        "Another tool (gosec, govulncheck, clippy, semgrep…) reported this in the SARIF the gate imported.",
        "Fix it as the tool's rule explains, or add an `[[import.ignore]]` entry naming the tool's rule id and a reason.";
}
