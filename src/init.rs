//! `cargo palisade init`: a commented starter `palisade.toml` fitted to what is in the folder:
//! the `[policy]` table, then each check's own section when the project has what it reads
//! (each check writes its section: `Check::starter`).

use std::path::Path;

/// The starter config text for the project in `dir`.
pub fn starter(dir: &Path) -> String {
    let mut out = String::from(
        "# Palisade config; README.md documents every key. `cargo palisade config check` validates it.\n\
         # Every suppression needs a reason; secrets allow entries need a ticket too.\n\n\
         [policy]\n\
         fail-on = \"high\"            # critical | high | medium | low | any\n\
         deny-warnings = false       # true: stale DB, informational advisories, shallow clones fail\n\
         unrated-severity = \"high\"   # advisories without a CVSS score\n\
         fail-not-in-graph = false   # vulnerabilities in no build graph are reported, not failing\n",
    );
    for check in crate::check::registry::CHECKS {
        if let Some(section) = check.starter(dir) {
            out.push_str(&section);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::root::Config;

    #[test]
    fn starters_are_valid_configs() {
        for files in [
            &[][..],
            &["Cargo.toml"][..],
            &["Cargo.toml", ".git", "go.mod"][..],
        ] {
            let dir = tempfile::tempdir().unwrap();
            for f in files {
                if *f == ".git" {
                    std::fs::create_dir(dir.path().join(f)).unwrap();
                } else {
                    std::fs::write(dir.path().join(f), "").unwrap();
                }
            }
            let text = starter(dir.path());
            let config = Config::parse(&text, Path::new("palisade.toml")).unwrap();
            // A Go module alone is no FIPS build: nothing for [fips] to check.
            assert!(!config.fips.enabled, "{text}");
            assert_eq!(text.contains("[advisories]"), files.contains(&"Cargo.toml"));
        }
    }
}

#[cfg(test)]
mod fips_tests {
    use super::*;
    use crate::config::root::Config;

    fn starter_with(files: &[(&str, &str)]) -> (String, Config) {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let text = starter(dir.path());
        let config = Config::parse(&text, Path::new("palisade.toml")).unwrap();
        (text, config)
    }

    #[test]
    fn init_enabled_fips_for_any_go_module() {
        let (text, config) = starter_with(&[("go.mod", "module x\n\ngo 1.22\n")]);
        assert!(!config.fips.enabled, "{text}");
        // A FIPS switch in a Dockerfile: suggested, not enabled (no binary to check yet).
        let (text, config) = starter_with(&[
            ("go.mod", "module x\n"),
            (
                "Dockerfile",
                "RUN GOEXPERIMENT=boringcrypto go build ./...\n",
            ),
        ]);
        assert!(!config.fips.enabled, "{text}");
        assert!(
            text.contains("# [fips]") && text.contains("Dockerfile sets a FIPS switch"),
            "{text}"
        );
    }

    #[test]
    fn fips_is_enabled_with_the_names_the_project_uses() {
        let (text, config) = starter_with(&[
            (
                "Cargo.toml",
                "[package]\nname = \"x\"\n[features]\nfips-mode = [\"dep:y\"]\n",
            ),
            (
                "Makefile",
                "compile:\n\tcargo build\nrelease-fips:\n\tcargo build --features fips-mode\n",
            ),
        ]);
        assert!(config.fips.enabled, "{text}");
        assert_eq!(
            config.fips.fips_features,
            Some(vec!["fips-mode".to_string()])
        );
        assert_eq!(config.fips.fips_target.as_deref(), Some("release-fips"));
        assert_eq!(config.fips.build_target.as_deref(), Some("compile"));
    }
}
