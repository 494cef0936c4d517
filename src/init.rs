//! `cargo palisade init`: a commented starter `palisade.toml` fitted to what is in the folder
//! (a cargo workspace, a git repository, a Makefile with FIPS targets, Go modules).

use std::path::Path;

/// The starter config text for the project in `dir`.
pub fn starter(dir: &Path) -> String {
    let cargo = dir.join("Cargo.toml").is_file();
    let git = dir.join(".git").exists();
    let go = dir.join("go.mod").is_file();
    let makefile = crate::fips::wiring::find(dir);
    let fips_target = makefile
        .as_ref()
        .and_then(|m| std::fs::read_to_string(m).ok())
        .is_some_and(|t| t.lines().any(|l| l.starts_with("fips-build")));
    let mut out = String::from(
        "# Palisade config; README.md documents every key. `cargo palisade config check` validates it.\n\
         # Every suppression needs a reason; secrets allow entries need a ticket too.\n\n\
         [policy]\n\
         fail-on = \"high\"            # critical | high | medium | low | any\n\
         deny-warnings = false       # true: stale DB, informational advisories, shallow clones fail\n\
         unrated-severity = \"high\"   # advisories without a CVSS score\n\
         fail-not-in-graph = false   # vulnerabilities in no build graph are reported, not failing\n",
    );
    if cargo {
        out.push_str(
            "\n# Found a cargo project: RustSec advisories on its Cargo.lock.\n\
             [advisories]\n\
             # db = \"../advisory-db\"     # else --advisory-db, $PALISADE_ADVISORY_DB, $CARGO_HOME/advisory-db\n\
             stale-after-days = 90\n\
             informational = [\"unmaintained\", \"unsound\", \"notice\"]\n\n\
             # [[advisories.ignore]]\n\
             # id = \"RUSTSEC-2023-0071\"\n\
             # reason = \"why it does not affect us\"\n\
             # ticket = \"SEC-1\"\n\
             # expires = 2027-01-01\n",
        );
    }
    if git {
        out.push_str(
            "\n# Found a git repository: secrets in its whole history (`gate --since origin/main` in PRs).\n\
             [secrets]\n\
             max-blob-size = 67108864\n\n\
             # [[secrets.allow]]\n\
             # rule = \"secret.github-pat\"\n\
             # paths = [\"tests/fixtures/**\"]\n\
             # reason = \"fake tokens the tests plant\"\n\
             # ticket = \"SEC-2\"\n",
        );
    }
    if fips_target || go {
        out.push_str(&format!(
            "\n# Found {}: FIPS must be a separate, opt-in build.\n\
             [fips]\n\
             fips-features = [\"fips\"]\n\
             build-target = \"build\"\n\
             fips-target = \"fips-build\"\n\
             status-stamp = \"FIPSMode=true\"\n\n\
             # [[fips.binaries]]\n\
             # path = \"bin/server\"\n\
             # expect = \"non-fips\"\n",
            if fips_target {
                "a fips-build target"
            } else {
                "Go modules"
            }
        ));
    }
    out.push_str(
        "\n# Other tools' SARIF (gosec, govulncheck, clippy-sarif, semgrep…), judged by the same policy.\n\
         # [[import]]\n\
         # tool = \"gosec\"\n\
         # sarif = \"gosec.sarif\"\n\
         # fail-on = \"medium\"        # optional: this tool's own threshold\n\
         #\n\
         # [[import.ignore]]\n\
         # rule = \"G104\"\n\
         # reason = \"why it is safe here\"\n\
         # ticket = \"SEC-3\"\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::config::Config;

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
            assert_eq!(config.fips.enabled, files.contains(&"go.mod"), "{text}");
            assert_eq!(text.contains("[advisories]"), files.contains(&"Cargo.toml"));
        }
    }
}
