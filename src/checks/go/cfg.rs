//! The `[go]` slice of `palisade.toml`.
//!
//! ```toml
//! [go]
//! db = "../go-vulndb"             # else --go-vulndb, $PALISADE_GO_VULNDB, [advisories] go-db,
//!                                 # $CARGO_HOME/go-vulndb
//! mod = "go.mod"                  # else --go-mod, else go.mod in the project folder
//! go-version = "go1.22.2"         # the toolchain the service ships with; else `toolchain`, `go`
//! goos = "linux"                  # the source build's target (default linux/amd64)
//! goarch = "amd64"
//! binaries = ["dist/server"]      # Go binaries to check too (relative to this file)
//! stale-after-days = 90
//! fail-on = "high"
//!
//! [go.severity]                   # per reachability: a severity, or "warn"
//! symbol = "high"
//! package = "high"
//! module = "warn"
//!
//! [[go.ignore]]
//! id = "GO-2024-2687"             # or an alias: CVE-…, GHSA-…
//! reason = "no HTTP/2 listener"
//! ticket = "SEC-12"
//! expires = 2027-03-31
//! ```

use super::Reach;
use crate::config::fields::{Field, Table};
use crate::config::{Problems, Threshold, threshold};
use crate::finding::Severity;
use crate::policy::Suppression;
use std::path::{Path, PathBuf};

/// What a finding of a reachability level is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rating {
    /// A `go.vulnerability` of this severity (fails at or above `fail-on`).
    Severity(Severity),
    /// A `go.vulnerability-unreached` warning.
    Warn,
}

/// Validated `[go]` settings.
#[derive(Clone, Debug, PartialEq)]
pub struct GoConfig {
    /// `db`, resolved against the config file's folder.
    pub db: Option<PathBuf>,
    /// `mod`.
    pub gomod: Option<PathBuf>,
    /// `go-version`.
    pub go_version: Option<String>,
    /// `goos`.
    pub goos: Option<String>,
    /// `goarch`.
    pub goarch: Option<String>,
    /// `binaries`.
    pub binaries: Vec<PathBuf>,
    /// `stale-after-days`.
    pub stale_after_days: u32,
    /// `[go.severity]`: symbol, package, module.
    pub ratings: [Rating; 3],
    /// `[[go.ignore]]`.
    pub ignore: Vec<Suppression>,
    /// `fail-on`.
    pub fail_on: Option<Threshold>,
    /// Whether the file has a `[go]` table.
    pub enabled: bool,
}

impl Default for GoConfig {
    fn default() -> Self {
        GoConfig {
            db: None,
            gomod: None,
            go_version: None,
            goos: None,
            goarch: None,
            binaries: Vec::new(),
            stale_after_days: 90,
            ratings: [
                Rating::Severity(Severity::High),
                Rating::Severity(Severity::High),
                Rating::Warn,
            ],
            ignore: Vec::new(),
            fail_on: None,
            enabled: false,
        }
    }
}

impl GoConfig {
    /// The keys of `[go]`.
    pub const KEYS: &[&str] = &[
        "db",
        "mod",
        "go-version",
        "goos",
        "goarch",
        "binaries",
        "stale-after-days",
        "fail-on",
        "severity",
        "ignore",
    ];

    /// How findings of a reachability are rated.
    pub fn rating(&self, reach: Reach) -> Rating {
        self.ratings[match reach {
            Reach::Symbol => 0,
            Reach::Package => 1,
            Reach::Module => 2,
        }]
    }

    /// Validates the table, recording every problem.
    pub fn validate(table: Table<'_, '_>, file: &Path, problems: &mut Problems<'_>) -> GoConfig {
        let base = file.parent().unwrap_or(Path::new("."));
        let mut config = GoConfig {
            fail_on: threshold(&table, problems),
            enabled: true,
            ..GoConfig::default()
        };
        let path = |key, problems: &mut Problems<'_>| {
            table
                .string(key, problems)
                .ok()
                .map(|p| base.join(p.into_inner()))
        };
        config.db = path("db", problems);
        config.gomod = path("mod", problems);
        let text = |key, problems: &mut Problems<'_>| table.string(key, problems).ok();
        if let Some(v) = text("go-version", problems) {
            if super::version::GoVersion::release(v.get_ref()).is_some() {
                config.go_version = Some(v.into_inner());
            } else {
                problems.at(
                    v.span(),
                    "`go-version` in [go] must be a Go release, like go1.22.2",
                );
            }
        }
        config.goos = text("goos", problems).map(|v| v.into_inner());
        config.goarch = text("goarch", problems).map(|v| v.into_inner());
        if let Field::Given(list) = table.strings("binaries", problems) {
            config.binaries = list
                .into_iter()
                .map(|p| base.join(p.into_inner()))
                .collect();
        }
        if let Field::Given(days) = table.unsigned("stale-after-days", problems) {
            match u32::try_from(*days.get_ref()) {
                Ok(days) => config.stale_after_days = days,
                Err(_) => problems.at(days.span(), "`stale-after-days` in [go] is too large"),
            }
        }
        const LEVELS: &[&str] = &["symbol", "package", "module"];
        if let Field::Given(severity) = table.table("severity", "[go.severity]", LEVELS, problems) {
            for (i, level) in LEVELS.iter().enumerate() {
                if let Some(v) = severity.string(level, problems).ok() {
                    match v.get_ref().as_str() {
                        "warn" => config.ratings[i] = Rating::Warn,
                        other => match Severity::parse(other) {
                            Some(s) => config.ratings[i] = Rating::Severity(s),
                            None => problems.at(
                                v.span(),
                                format!("`{level}` in [go.severity] must be critical, high, medium, low, info or warn"),
                            ),
                        },
                    }
                }
            }
            severity.finish(problems);
        }
        for entry in table.tables(
            "ignore",
            "[[go.ignore]]",
            crate::checks::advisories::cfg::IGNORE_KEYS,
            problems,
        ) {
            if let Some(s) = crate::checks::advisories::cfg::ignore_entry(
                &entry,
                "[[go.ignore]]",
                file,
                problems,
            ) {
                config.ignore.push(s);
            }
            entry.finish(problems);
        }
        table.finish(problems);
        config
    }
}

#[cfg(test)]
mod tests {
    use crate::config::root::Config;
    use std::path::Path;

    #[test]
    fn every_key_reads_and_bad_values_are_all_reported() {
        let text = "[go]\ndb = \"vulndb\"\ngo-version = \"go1.22.2\"\nbinaries = [\"bin/a\"]\n\
                    [go.severity]\nmodule = \"medium\"\npackage = \"warn\"\n\
                    [[go.ignore]]\nid = \"GO-2024-2687\"\nreason = \"no HTTP/2\"\nticket = \"SEC-1\"\n";
        let config = Config::parse(text, Path::new("dir/p.toml")).unwrap();
        assert_eq!(config.go.db.as_deref(), Some(Path::new("dir/vulndb")));
        assert_eq!(config.go.binaries, [Path::new("dir/bin/a")]);
        assert_eq!(config.go.ignore[0].id, "GO-2024-2687");
        assert_eq!(config.go.rating(super::Reach::Package), super::Rating::Warn);
        let bad = "[go]\ngo-version = \"1.x\"\n[go.severity]\nsymbol = \"loud\"\n[[go.ignore]]\nid = \"GO-2024-2687\"\n";
        let err = Config::parse(bad, Path::new("p.toml")).unwrap_err();
        assert_eq!(err.problems.len(), 3, "{err}");
    }
}
