//! The finding codes of the secrets check: ids, levels, summaries and help, in one place.

crate::codes! {
    /// The repository is a shallow clone; history before the cut was not scanned.
    SHALLOW_HISTORY = "secrets.shallow-history", Warn,
        "The repository is a shallow clone, so history before the cut was not scanned.",
        "Fetch full history before scanning (`git fetch --unshallow`; actions/checkout \
                   with `fetch-depth: 0`). Make this fatal with `--deny warnings`.";
    /// An inline `palisade:allow <rule>` comment without `-- <reason>`: it allows nothing.
    INLINE_ALLOW_WITHOUT_REASON = "secrets.inline-allow-without-reason", Warn,
        "An inline `palisade:allow` comment gives no reason, so it allows nothing.",
        "Say why the secret is safe: `palisade:allow <rule-id> -- <reason>`; or remove the \
                   secret and the comment.";
    /// An inline `palisade:allow <rule>` comment naming no active rule: it allows nothing.
    INLINE_ALLOW_UNKNOWN_RULE = "secrets.inline-allow-unknown-rule", Warn,
        "An inline `palisade:allow` comment names no rule of the active set, so it \
                      allows nothing.",
        "Name the rule of the finding on that line (`cargo palisade rules list`; with or \
                   without the `secret.` prefix), as the did-you-mean suggests.";
    /// A secret whose blob no pushed ref reaches (dangling, reflog-only, only in the stash):
    /// not in a fresh clone.
    UNREACHABLE = "secrets.unreachable", Warn,
        "A secret in objects no pushed ref reaches (a dangling commit, a reflog-only rewrite, the stash, a file staged then reset): never pushed from this clone, absent from a fresh one.",
        "Drop it locally: `git stash drop` if the stash holds it, then `git reflog expire --expire-unreachable=now --all && git gc --prune=now`. \
                   If it was ever pushed or the clone shared, rotate it. `--deny warnings` makes it fail.";
    /// An archive or compressed file that was not read to its end (a bound was hit, it is
    /// damaged or encrypted, or no decoder here reads its compression).
    ARCHIVE_TRUNCATED = "secrets.archive-truncated", Warn,
        "An archive or compressed file was not read to its end: a bound on unpacked bytes, ratio, members or nesting was hit, or it is damaged, encrypted, or a zip member is compressed with a method Palisade does not read (PPMd, deflate64).",
        "Look inside it by hand (or scan it unpacked with `--worktree`); remove it from the repository if it is a build output. `--deny warnings` makes it fail.";
    /// A blob or file over `--max-blob-size`, not read at all.
    BLOB_NOT_READ = "secrets.blob-not-read", Warn,
        "A blob or file is larger than --max-blob-size, so it was not read: a secret in it would not be found.",
        "Raise --max-blob-size (or `max-blob-size` in [secrets]) to read it, or remove it from the repository if it is a build output or a dump. `--deny warnings` makes it fail.";
}
