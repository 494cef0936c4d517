//! The `[fips]` slice of `palisade.toml`.
//!
//! ```toml
//! [fips]
//! fips-features = ["fips"]           # the features of the FIPS build
//! build-target = "build"             # Makefile/justfile: the default build target
//! fips-target = "fips-build"         #                    the FIPS build target
//! status-stamp = "FIPSMode=true"     # the string a FIPS binary carries
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

use crate::policy::config::{Problems, Threshold, threshold};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;

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

/// The raw table.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawFips {
    fail_on: Option<Spanned<String>>,
    fips_features: Option<Vec<String>>,
    build_target: Option<String>,
    fips_target: Option<String>,
    status_stamp: Option<String>,
    status_field: Option<String>,
    #[serde(default)]
    markers: Vec<RawMarker>,
    #[serde(default)]
    binaries: Vec<RawBinary>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMarker {
    #[serde(rename = "crate")]
    krate: String,
    feature: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBinary {
    path: PathBuf,
    expect: Spanned<String>,
}

impl FipsConfig {
    /// Validates the raw table.
    pub fn validate(raw: RawFips, file: &Path, problems: &mut Problems<'_>) -> FipsConfig {
        let base = file.parent().unwrap_or(Path::new("."));
        let mut binaries = Vec::new();
        for b in raw.binaries {
            let expect = match b.expect.get_ref().as_str() {
                "fips" => super::Expect::Fips,
                "non-fips" => super::Expect::NonFips,
                other => {
                    problems.at(
                        b.expect.span(),
                        format!("`expect = \"{other}\"` is not `fips` or `non-fips`"),
                    );
                    continue;
                }
            };
            binaries.push((base.join(b.path), expect));
        }
        FipsConfig {
            fail_on: raw.fail_on.as_ref().and_then(|t| threshold(t, problems)),
            enabled: false,
            fips_features: raw.fips_features,
            build_target: raw.build_target,
            fips_target: raw.fips_target,
            status_stamp: raw.status_stamp,
            status_field: raw.status_field,
            markers: raw
                .markers
                .into_iter()
                .map(|m| (m.krate, m.feature))
                .collect(),
            binaries,
        }
    }
}
