//! The finding codes of the fips check: ids, levels, summaries and help, in one place.

crate::codes! {
    /// The default build links a FIPS module.
    DEFAULT_LINKS_FIPS = "fips.default-links-fips", Deny,
        "The default (non-FIPS) build links a FIPS crypto module.",
        "Keep FIPS opt-in: move the FIPS feature, GOEXPERIMENT or GOFIPS140 setting to the \
                   separate fips-build target.";
    /// The FIPS build links no FIPS module.
    BUILD_MISSING_MODULE = "fips.fips-build-missing-module", Deny,
        "The FIPS build links no FIPS-validated crypto module.",
        "Build it with the FIPS module: `--features fips` (aws-lc-rs/rustls), \
                   GOFIPS140=v1.0.0 or GOEXPERIMENT=boringcrypto for Go.";
    /// The FIPS build does not carry its status stamp.
    STATUS_NOT_REPORTED = "fips.status-not-reported", Deny,
        "The FIPS build does not carry its FIPS status stamp.",
        "Stamp the build where Palisade reads it (Go: -ldflags \"-X main.BuildStamp=FIPSMode=true\", \
                   built without -trimpath; Rust and others: a .note.fips-status section holding the \
                   stamp), so the binary can report its FIPS status.";
    /// The build file has no distinct FIPS target.
    NO_FIPS_TARGET = "fips.no-fips-target", Deny,
        "The Makefile or justfile has no distinct FIPS build target.",
        "Add a `fips-build` target (or name yours with --fips-target) that sets the FIPS \
                   switches, so FIPS stays a separate, opt-in build.";
    /// The binary uses the system OpenSSL; FIPS depends on its configuration.
    RUNTIME_OPENSSL = "fips.runtime-openssl", Warn,
        "The binary uses the system OpenSSL, so FIPS depends on the runtime configuration.",
        "Check the target image's OpenSSL FIPS provider configuration, or link a FIPS \
                   module statically.";
    /// The binary runs in FIPS mode with a module version that is not validated.
    UNVALIDATED_MODULE = "fips.unvalidated-module", Warn,
        "The binary runs in FIPS mode with a crypto module version that is not validated \
                      (Go's GOFIPS140=latest or in-tree module, a snapshot not yet certified).",
        "Build with a certified module version: for Go, GOFIPS140=certified (the v1.0.0 \
                   snapshot) instead of latest; check the CMVP certificate of the version you ship.";
}
