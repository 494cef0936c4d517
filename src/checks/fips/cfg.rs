//! The `[fips]` slice of `palisade.toml`.
//!
//! ```toml
//! [fips]
//! fips-features = ["fips"]           # the features of the FIPS build
//! build-target = "build"             # Makefile/justfile: the default build target
//! fips-target = "fips-build"         #                    the FIPS build target
//! status-stamp = "FIPSMode=true"     # the stamp a FIPS binary carries (-X, a section)
//! status-field = "fips"              # the status endpoint's JSON field
//! markers = [{ crate = "acme-fips-provider" }, { crate = "acme-tls", feature = "fips" }]
//!
//! [[fips.binaries]]
//! path = "target/release/server"     # relative to this file
//! expect = "non-fips"
//!
//! [[fips.binaries]]
//! path = "target/fips/release/server"
//! expect = "fips"
//! ```

use crate::config::fields::{Field, Table};
use crate::config::{Problems, Threshold, threshold};
use std::path::{Path, PathBuf};

/// Validated `[fips]` settings; `None` means "not set here" (the CLI default applies).
#[derive(Clone, Debug, Default)]
pub struct FipsConfig {
    /// Whether the file has a `[fips]` table (the gate runs the FIPS check only then).
    pub enabled: bool,
    /// `fips-features`.
    pub fips_features: Option<Vec<String>>,
    /// `build-target`.
    pub build_target: Option<String>,
    /// `fips-target`.
    pub fips_target: Option<String>,
    /// `status-stamp`.
    pub status_stamp: Option<String>,
    /// `status-field`.
    pub status_field: Option<String>,
    /// Extra FIPS provider markers: (crate, feature).
    pub markers: Vec<(String, Option<String>)>,
    /// `[[fips.binaries]]`: (path, expectation).
    pub binaries: Vec<(PathBuf, super::Expect)>,
    /// `fail-on`: the threshold for FIPS findings.
    pub fail_on: Option<Threshold>,
}

const MARKER_KEYS: &[&str] = &["crate", "feature"];
/// The keys of this entry table (unknown ones are errors).
pub const BINARY_KEYS: &[&str] = &["path", "expect"];

impl FipsConfig {
    /// The keys of `[fips]`.
    pub const KEYS: &[&str] = &[
        "fail-on",
        "fips-features",
        "build-target",
        "fips-target",
        "status-stamp",
        "status-field",
        "markers",
        "binaries",
    ];

    /// Validates the table, recording every problem.
    pub fn validate(table: Table<'_, '_>, file: &Path, problems: &mut Problems<'_>) -> FipsConfig {
        let base = file.parent().unwrap_or(Path::new("."));
        let mut binaries = Vec::new();
        for b in table.tables("binaries", "[[fips.binaries]]", BINARY_KEYS, problems) {
            let path = b.string("path", problems);
            let expect = match b.string("expect", problems) {
                Field::Given(e) => match e.get_ref().as_str() {
                    "fips" => Some(super::Expect::Fips),
                    "non-fips" => Some(super::Expect::NonFips),
                    _ => {
                        problems.at(
                            e.span(),
                            "`expect` in [[fips.binaries]] must be `fips` or `non-fips`",
                        );
                        None
                    }
                },
                Field::Invalid => None,
                Field::Absent => {
                    problems.at(b.span(), "a `[[fips.binaries]]` entry needs `expect`");
                    None
                }
            };
            let path = match path {
                Field::Given(p) => Some(p.into_inner()),
                Field::Invalid => None,
                Field::Absent => {
                    problems.at(b.span(), "a `[[fips.binaries]]` entry needs `path`");
                    None
                }
            };
            if let (Some(path), Some(expect)) = (path, expect) {
                binaries.push((base.join(path), expect));
            }
            b.finish(problems);
        }
        let mut markers = Vec::new();
        for m in table.tables("markers", "a `markers` entry", MARKER_KEYS, problems) {
            let feature = m.string("feature", problems);
            match m.string("crate", problems) {
                Field::Given(krate) => {
                    if !feature.is_invalid() {
                        markers.push((krate.into_inner(), feature.ok().map(|f| f.into_inner())));
                    }
                }
                Field::Invalid => {}
                Field::Absent => problems.at(m.span(), "a `markers` entry needs `crate`"),
            }
            m.finish(problems);
        }
        let text = |key: &'static str, problems: &mut Problems<'_>| {
            table.string(key, problems).ok().map(|s| s.into_inner())
        };
        let config = FipsConfig {
            fail_on: threshold(&table, problems),
            enabled: false,
            fips_features: table
                .strings("fips-features", problems)
                .ok()
                .map(|v| v.into_iter().map(|s| s.into_inner()).collect()),
            build_target: text("build-target", problems),
            fips_target: text("fips-target", problems),
            status_stamp: text("status-stamp", problems),
            status_field: text("status-field", problems),
            markers,
            binaries,
        };
        table.finish(problems);
        config
    }
}
