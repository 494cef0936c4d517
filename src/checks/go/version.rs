//! Go's versions as the Go vulnerability database compares them: module versions are semantic
//! versions with a `v` (`v1.2.3`, pseudo-versions `v0.0.0-20220722155237-a158d28d115b`,
//! `v2.0.0+incompatible`); the database writes them without the `v`; Go releases (`go1.22.2`,
//! `go1.21rc1`) are compared as the database writes them (`1.22.2`, `1.21.0-rc.1`).

use semver::Version;
use std::cmp::Ordering;

/// A module version or Go release, parsed for comparison. Build metadata (`+incompatible`)
/// is kept for display and ignored in comparisons, as semantic versioning says.
#[derive(Clone, Debug)]
pub struct GoVersion(Version);

impl GoVersion {
    /// A module version as go.mod and build info write it (`v1.2.3`, with or without the `v`;
    /// `v1.2` is not a module version). `None` when it is not one.
    pub fn module(text: &str) -> Option<GoVersion> {
        let text = text.strip_prefix('v').unwrap_or(text);
        Version::parse(text).ok().map(GoVersion)
    }

    /// A Go release (`go1.22.2`, `go1.22`, `go1.21rc1`, `go1.9beta2`, `1.22.2`), as the
    /// database writes the standard library's versions; `None` for a development toolchain
    /// or anything else.
    pub fn release(text: &str) -> Option<GoVersion> {
        let text = text.trim();
        let text = text.strip_prefix("go").unwrap_or(text);
        // `go1.22.2 X:boringcrypto`, `go1.24.3-microsoft`: the release is the first word.
        let text = text.split([' ', '\t']).next()?;
        // `go1.24.3-microsoft`: a vendor suffix after a dash is not part of the release.
        let text = text.split('-').next()?;
        let (number, pre) = match text.find(|c: char| c.is_ascii_alphabetic()) {
            Some(at) => (&text[..at], Some(&text[at..])),
            None => (text, None),
        };
        let mut parts = number.split('.').map(|p| p.parse::<u64>().ok());
        let major = parts.next()??;
        let minor = parts.next().unwrap_or(Some(0))?;
        let patch = parts.next().unwrap_or(Some(0))?;
        if parts.next().is_some() {
            return None;
        }
        let mut version = Version::new(major, minor, patch);
        if let Some(pre) = pre {
            // `rc1` → `rc.1`, `beta2` → `beta.2`.
            let digits = pre.find(|c: char| c.is_ascii_digit()).unwrap_or(pre.len());
            let (kind, n) = pre.split_at(digits);
            if !matches!(kind, "rc" | "beta" | "alpha") {
                // A vendor or experiment suffix without a dash: the release itself.
                return Some(GoVersion(version));
            }
            let pre = if n.is_empty() {
                kind.to_string()
            } else {
                format!("{kind}.{n}")
            };
            version.pre = semver::Prerelease::new(&pre).ok()?;
        }
        Some(GoVersion(version))
    }

    /// The minor release number (22 for go1.22.2).
    pub fn minor(&self) -> u64 {
        self.0.minor
    }

    /// The Go release as people type it: `go1.22.2`, `go1.21rc1`.
    pub fn as_release(&self) -> String {
        let v = &self.0;
        let pre = v.pre.as_str().replace('.', "");
        format!("go{}.{}.{}{pre}", v.major, v.minor, v.patch)
    }
}

impl PartialEq for GoVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for GoVersion {}

impl PartialOrd for GoVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for GoVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp_precedence(&other.0)
    }
}

impl std::fmt::Display for GoVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "v{}", self.0)
    }
}

/// Whether `version` is affected by a range's events, read as OSV says: sorted by version, each
/// `introduced` opens an affected span and each `fixed` (or after `last_affected`) closes one;
/// `introduced: "0"` is the beginning. An event that does not parse is skipped by the caller.
pub fn affected(version: &GoVersion, events: &[Event]) -> bool {
    let mut sorted: Vec<&Event> = events.iter().collect();
    sorted.sort_by(|a, b| a.at().cmp(&b.at()));
    let mut inside = false;
    for event in sorted {
        match event {
            Event::Introduced(None) => inside = true,
            Event::Introduced(Some(v)) if v <= version => inside = true,
            Event::Fixed(v) if v <= version => inside = false,
            Event::LastAffected(v) if v < version => inside = false,
            _ => {}
        }
    }
    inside
}

/// One event of an OSV range.
#[derive(Clone, Debug)]
pub enum Event {
    /// Affected from this version (`None`: from the beginning, `"0"`).
    Introduced(Option<GoVersion>),
    /// Fixed in this version.
    Fixed(GoVersion),
    /// Affected up to and including this version.
    LastAffected(GoVersion),
}

impl Event {
    /// The version it happens at, for sorting (the beginning sorts first).
    fn at(&self) -> Option<&GoVersion> {
        match self {
            Event::Introduced(v) => v.as_ref(),
            Event::Fixed(v) | Event::LastAffected(v) => Some(v),
        }
    }
}

/// The first version that fixes `version` among the events: the lowest `fixed` above it.
pub fn fixed_after<'e>(version: &GoVersion, events: &'e [Event]) -> Option<&'e GoVersion> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Fixed(v) if v > version => Some(v),
            _ => None,
        })
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> GoVersion {
        GoVersion::module(s).unwrap()
    }

    fn events(list: &[(&str, &str)]) -> Vec<Event> {
        list.iter()
            .map(|(kind, v)| match *kind {
                "introduced" if *v == "0" => Event::Introduced(None),
                "introduced" => Event::Introduced(Some(m(v))),
                "fixed" => Event::Fixed(m(v)),
                _ => Event::LastAffected(m(v)),
            })
            .collect()
    }

    #[test]
    fn pseudo_versions_sort_below_their_release_and_by_time() {
        assert!(m("v0.0.0-20220722155237-a158d28d115b") < m("v0.0.1"));
        assert!(m("v0.0.0-20210101000000-aaaaaaaaaaaa") < m("v0.0.0-20220722155237-a158d28d115b"));
        // A pseudo-version after a tag: vX.Y.(Z+1)-0.yyyymmdd… sorts above vX.Y.Z.
        assert!(m("v0.3.8-0.20220722155237-a158d28d115b") > m("v0.3.7"));
        assert!(m("v0.3.8-0.20220722155237-a158d28d115b") < m("v0.3.8"));
    }

    #[test]
    fn incompatible_is_ignored_in_comparisons() {
        assert_eq!(m("v2.0.0+incompatible"), m("2.0.0"));
        assert!(m("v3.1.0+incompatible") > m("v2.9.9"));
    }

    #[test]
    fn releases_parse_as_the_database_writes_them() {
        let r = |s: &str| GoVersion::release(s).unwrap();
        assert_eq!(r("go1.22"), m("1.22.0"));
        assert_eq!(r("go1.22.2"), m("1.22.2"));
        assert_eq!(r("go1.21rc1"), m("1.21.0-rc.1"));
        assert_eq!(r("go1.22.2 X:boringcrypto"), m("1.22.2"));
        assert_eq!(r("go1.24.3-microsoft"), m("1.24.3"));
        assert!(
            r("go1.22.0") > m("1.22.0-0"),
            "the database opens a minor at 1.22.0-0"
        );
        assert!(r("go1.22rc1") > m("1.22.0-0"));
        assert!(GoVersion::release("devel go1.23-abc").is_none());
        assert_eq!(r("go1.21rc1").as_release(), "go1.21.0rc1");
    }

    #[test]
    fn ranges_open_and_close() {
        let e = events(&[
            ("introduced", "0"),
            ("fixed", "1.21.9"),
            ("introduced", "1.22.0-0"),
            ("fixed", "1.22.2"),
        ]);
        assert!(affected(&m("1.21.8"), &e));
        assert!(!affected(&m("1.21.9"), &e));
        assert!(!affected(&m("1.21.10"), &e), "1.21.10 is between the spans");
        assert!(affected(&m("1.22.0"), &e));
        assert!(affected(&m("1.22.1"), &e));
        assert!(!affected(&m("1.22.2"), &e));
        assert_eq!(fixed_after(&m("1.22.1"), &e), Some(&m("1.22.2")));
        assert_eq!(fixed_after(&m("1.20.0"), &e), Some(&m("1.21.9")));
        let last = events(&[("introduced", "1.0.0"), ("last_affected", "1.2.0")]);
        assert!(affected(&m("1.2.0"), &last) && !affected(&m("1.2.1"), &last));
        assert!(!affected(&m("0.9.0"), &last));
    }
}
