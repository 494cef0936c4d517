//! Which FIPS module a Go binary selected, from its build settings alone (they survive
//! stripping): BoringCrypto, the native Go Cryptographic Module (`GOFIPS140`, the default
//! `GODEBUG` of Go 1.24 and later), Microsoft Go and golang-fips. It also says when the module
//! is not a validated version: `GOFIPS140=latest` builds the in-tree module, which no lab has
//! validated, and only some frozen snapshots are certified.

use super::gobuild::GoBuild;

/// The module a Go build selected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoModule {
    /// Its name, for reports.
    pub name: String,
    /// Why it is not a validated module version, when it is not.
    pub unvalidated: Option<String>,
}

/// `GOFIPS140` snapshots (as the build records them, after `GOROOT/lib/fips140/*.txt` aliases
/// are resolved) that are CMVP-certified: Go's own `lib/fips140/certified.txt` (go1.27.3)
/// names v1.0.0-c2097c7c; Go 1.24.0 recorded the same snapshot as v1.0.0.
const CERTIFIED: [&str; 2] = ["v1.0.0", "v1.0.0-c2097c7c"];

/// Snapshots submitted for validation and not yet certified (`lib/fips140/inprocess.txt`).
const IN_PROCESS: [&str; 1] = ["v1.26.0"];

/// Why `GOFIPS140=version` is not a validated module, if it is not.
fn snapshot_status(version: &str) -> Option<String> {
    if CERTIFIED.contains(&version) {
        None
    } else if IN_PROCESS.contains(&version) {
        Some(format!(
            "GOFIPS140={version} is a snapshot in process (submitted for validation, not yet certified)"
        ))
    } else {
        Some(format!(
            "GOFIPS140={version} is not a snapshot Palisade knows to be certified ({})",
            CERTIFIED.join(", ")
        ))
    }
}

/// What the build settings say: the module (if any) and the facts, one a line.
pub fn judge(go: &GoBuild) -> (Option<GoModule>, Vec<String>) {
    let mut evidence = vec![format!("Go build info: {}", go.version)];
    let mut module: Option<GoModule> = None;
    let plain = |name: &str| GoModule {
        name: name.to_string(),
        unvalidated: None,
    };
    let experiment = go.setting("GOEXPERIMENT").unwrap_or_default();
    let experimenting = |name: &str| {
        go.version.contains(&format!("X:{name}")) || experiment.split(',').any(|e| e == name)
    };
    if experimenting("boringcrypto") {
        evidence.push("GOEXPERIMENT=boringcrypto: Go BoringCrypto module".into());
        module = Some(plain("Go BoringCrypto"));
    }
    match go.setting("GOFIPS140") {
        None => {}
        Some("off") => evidence.push("GOFIPS140=off: no FIPS module selected".into()),
        Some("latest") => {
            evidence.push(
                "GOFIPS140=latest: Go Cryptographic Module from the toolchain's own tree, not a validated version".into(),
            );
            module = Some(GoModule {
                name: "Go Cryptographic Module (in-tree, GOFIPS140=latest)".into(),
                unvalidated: Some(
                    "GOFIPS140=latest builds the toolchain's in-tree module, which is not a validated module version".into(),
                ),
            });
        }
        Some(version) => {
            let unvalidated = snapshot_status(version);
            evidence.push(format!(
                "GOFIPS140={version}: Go Cryptographic Module{}",
                if unvalidated.is_some() {
                    " (not a certified snapshot)"
                } else {
                    " (certified snapshot)"
                }
            ));
            module = Some(GoModule {
                name: format!("Go Cryptographic Module {version}"),
                unvalidated,
            });
        }
    }
    // Go 1.24 and later run in FIPS mode when GODEBUG says so, with whatever module is linked:
    // without a GOFIPS140 snapshot that is the in-tree one.
    let native = go.release().is_none_or(|release| release >= (1, 24));
    if let Some(godebug) = go.setting("DefaultGODEBUG") {
        for setting in godebug.split(',') {
            let mode = match setting {
                "fips140=on" => "FIPS mode is on by default",
                "fips140=only" => "FIPS mode is on by default, and non-approved algorithms fail",
                "fips140=off" if module.is_some() => {
                    evidence.push(
                        "DefaultGODEBUG has fips140=off: FIPS mode is off unless GODEBUG turns it on at run time".into(),
                    );
                    continue;
                }
                _ => continue,
            };
            if !native {
                evidence.push(format!(
                    "DefaultGODEBUG has {setting}, which Go before 1.24 ignores"
                ));
                continue;
            }
            evidence.push(format!("DefaultGODEBUG has {setting}: {mode}"));
            module.get_or_insert_with(|| GoModule {
                name: format!("Go Cryptographic Module (in-tree, {setting})"),
                unvalidated: Some(format!(
                    "DefaultGODEBUG {setting} without a GOFIPS140 snapshot runs the toolchain's in-tree module, which is not a validated module version"
                )),
            });
        }
    }
    for (name, what) in [
        (
            "systemcrypto",
            "Microsoft Go systemcrypto (the platform's crypto library)",
        ),
        ("opensslcrypto", "OpenSSL-backed Go (golang-fips)"),
        ("strictfipsruntime", "golang-fips strict FIPS runtime"),
    ] {
        if experimenting(name) {
            evidence.push(format!("GOEXPERIMENT={name}: {what}"));
            module.get_or_insert_with(|| plain(what));
        }
    }
    if go
        .setting("-tags")
        .is_some_and(|t| t.split(',').any(|t| t == "requirefips"))
    {
        evidence.push("build tag requirefips: the binary refuses to run outside FIPS mode".into());
    }
    (module, evidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn go(version: &str, settings: &[(&str, &str)]) -> GoBuild {
        GoBuild {
            version: version.into(),
            settings: settings
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            path: None,
        }
    }

    #[test]
    fn microsoft_go_and_golang_fips_are_recognised_from_build_settings() {
        let microsoft = go(
            "go1.24.3 X:systemcrypto",
            &[("GOEXPERIMENT", "systemcrypto"), ("-tags", "requirefips")],
        );
        let (module, evidence) = judge(&microsoft);
        assert_eq!(
            module.map(|m| m.name).as_deref(),
            Some("Microsoft Go systemcrypto (the platform's crypto library)")
        );
        assert!(
            evidence.iter().any(|e| e.contains("requirefips")),
            "{evidence:?}"
        );
        let (module, _) = judge(&go(
            "go1.22.7",
            &[("GOEXPERIMENT", "strictfipsruntime,opensslcrypto")],
        ));
        assert_eq!(
            module.map(|m| m.name).as_deref(),
            Some("OpenSSL-backed Go (golang-fips)")
        );
    }

    #[test]
    fn gofips140_off_and_plain_go_are_not_fips() {
        assert_eq!(judge(&go("go1.24.0", &[("GOFIPS140", "off")])).0, None);
        assert_eq!(judge(&go("go1.27.3", &[])).0, None);
        // Before Go 1.24 there is no fips140 GODEBUG: the setting changes nothing.
        let (module, evidence) = judge(&go("go1.22.7", &[("DefaultGODEBUG", "fips140=on")]));
        assert_eq!(module, None);
        assert!(
            evidence.iter().any(|e| e.contains("ignores")),
            "{evidence:?}"
        );
    }

    #[test]
    fn certified_snapshots_are_validated_and_latest_is_not() {
        for version in ["v1.0.0", "v1.0.0-c2097c7c"] {
            let (module, _) = judge(&go("go1.27.3", &[("GOFIPS140", version)]));
            assert_eq!(module.and_then(|m| m.unvalidated), None, "{version}");
        }
        for version in ["latest", "v1.26.0", "v9.9.9"] {
            let (module, _) = judge(&go("go1.27.3", &[("GOFIPS140", version)]));
            let module = module.unwrap_or_else(|| panic!("{version}: no module"));
            assert!(module.unvalidated.is_some(), "{version}: {module:?}");
        }
    }

    #[test]
    fn godebug_fips140_without_a_snapshot_is_fips_mode_with_the_in_tree_module() {
        for setting in ["fips140=on", "fips140=only"] {
            let (module, evidence) = judge(&go(
                "go1.25.1",
                &[("DefaultGODEBUG", &format!("panicnil=1,{setting}"))],
            ));
            let module = module.unwrap_or_else(|| panic!("{setting}: no module"));
            assert!(module.unvalidated.is_some(), "{module:?}");
            assert!(evidence.iter().any(|e| e.contains(setting)), "{evidence:?}");
        }
        // With a certified snapshot, fips140=on is FIPS mode on a validated module.
        let (module, _) = judge(&go(
            "go1.27.3",
            &[
                ("GOFIPS140", "v1.0.0-c2097c7c"),
                ("DefaultGODEBUG", "fips140=on"),
            ],
        ));
        assert_eq!(module.and_then(|m| m.unvalidated), None);
    }
}
