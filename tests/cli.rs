//! CLI tests: the real binary on real fixtures (cargo projects with real lockfiles, an advisory
//! DB of our own in RustSec's format). See fixtures/advisories/README.md.

mod common;

use common::*;

mod help {
    use super::*;

    fn help(args: &[&str]) -> String {
        let run = palisade(args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
    }

    #[test]
    fn top_level() {
        insta::assert_snapshot!(help(&["--help"]));
    }

    #[test]
    fn advisories() {
        insta::assert_snapshot!(help(&["advisories", "--help"]));
    }

    #[test]
    fn go() {
        insta::assert_snapshot!(help(&["go", "--help"]));
    }

    #[test]
    fn upload_sarif() {
        insta::assert_snapshot!(help(&["upload-sarif", "--help"]));
    }

    #[test]
    fn db() {
        insta::assert_snapshot!(help(&["db", "--help"]));
    }

    #[test]
    fn db_fetch() {
        insta::assert_snapshot!(help(&["db", "fetch", "--help"]));
    }

    #[test]
    fn secrets() {
        insta::assert_snapshot!(help(&["secrets", "--help"]));
    }

    #[test]
    fn init() {
        insta::assert_snapshot!(help(&["init", "--help"]));
    }

    #[test]
    fn config_check() {
        insta::assert_snapshot!(help(&["config", "check", "--help"]));
    }

    #[test]
    fn gate() {
        insta::assert_snapshot!(help(&["gate", "--help"]));
    }

    #[test]
    fn fips() {
        insta::assert_snapshot!(help(&["fips", "--help"]));
    }

    #[test]
    fn rules() {
        insta::assert_snapshot!(help(&["rules", "--help"]));
    }

    #[test]
    fn rules_list() {
        insta::assert_snapshot!(help(&["rules", "list", "--help"]));
    }

    #[test]
    fn rules_check() {
        insta::assert_snapshot!(help(&["rules", "check", "--help"]));
    }

    #[test]
    fn rules_explain() {
        insta::assert_snapshot!(help(&["rules", "explain", "--help"]));
    }

    #[test]
    fn config() {
        insta::assert_snapshot!(help(&["config", "--help"]));
    }

    /// The subcommands a `--help` lists under `Commands:` (without clap's own `help`).
    fn subcommands(args: &[&str]) -> Vec<String> {
        help(args)
            .lines()
            .skip_while(|l| !l.starts_with("Commands:"))
            .skip(1)
            .take_while(|l| l.starts_with("  "))
            .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
            .filter_map(|l| l.split_whitespace().next().map(str::to_string))
            .filter(|c| c != "help")
            .collect()
    }

    /// A new subcommand fails here until its `--help` has a snapshot test above.
    #[test]
    fn every_subcommand_has_a_help_snapshot() {
        let mut seen = Vec::new();
        for top in subcommands(&["--help"]) {
            let nested = subcommands(&[&top, "--help"]);
            seen.push(top.clone());
            seen.extend(nested.into_iter().map(|n| format!("{top} {n}")));
        }
        let snapshotted = [
            "advisories",
            "go",
            "secrets",
            "gate",
            "fips",
            "db",
            "db fetch",
            "init",
            "upload-sarif",
            "config",
            "config check",
            "rules",
            "rules list",
            "rules check",
            "rules explain",
        ];
        let mut seen_sorted = seen.clone();
        seen_sorted.sort();
        let mut expected: Vec<String> = snapshotted.iter().map(|s| s.to_string()).collect();
        expected.sort();
        assert_eq!(seen_sorted, expected, "subcommands in --help: {seen:?}");
    }

    #[test]
    fn usage_errors_exit_2() {
        let run = palisade(&["advisories", "--fail-on", "severe"]);
        assert_eq!(run.code, 2);
        assert!(
            run.stderr.contains("invalid value 'severe'"),
            "{}",
            run.stderr
        );
    }

    #[test]
    fn runs_as_a_cargo_subcommand() {
        // cargo runs `cargo-palisade palisade <args>`.
        let run = palisade(&["palisade", "--version"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.starts_with("cargo-palisade "), "{}", run.stdout);
    }
}

mod build_graph {
    use super::*;

    fn app_json(extra: &[&str]) -> (Run, serde_json::Value) {
        let mut args = vec![
            "advisories",
            "--manifest-path",
            "app/Cargo.toml",
            "--advisory-db",
            "db",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let run = palisade(&args);
        let doc = json(&run);
        (run, doc)
    }

    #[test]
    fn each_dependency_kind_is_placed_and_judged() {
        let (run, doc) = app_json(&[]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let one = |krate: &str| {
            let found = findings_for(&doc, krate);
            assert_eq!(found.len(), 1, "{krate}: {found:?}");
            found[0].clone()
        };
        let itoa = one("itoa");
        assert_eq!(itoa["reachability"], "normal");
        assert_eq!(itoa["status"], "failing");
        assert_eq!(itoa["severity"], "critical");
        assert_eq!(itoa["subject"]["id"], "RUSTSEC-2024-9001");
        assert_eq!(
            itoa["subject"]["aliases"],
            serde_json::json!(["CVE-2024-99001", "GHSA-aaaa-bbbb-cccc"])
        );
        assert_eq!(itoa["evidence"]["smallest_upgrade"], "1.0.20");
        assert_eq!(
            itoa["evidence"]["dependency_path"],
            serde_json::json!(["fixture-app 0.1.0", "itoa 1.0.19"])
        );
        assert_eq!(itoa["locations"][0]["path"], "app/Cargo.lock");
        assert_eq!(itoa["locations"][0]["line"], 28);

        // Optional dependency behind a feature that is off: reported, not failing.
        let fnv = one("fnv");
        assert_eq!(fnv["reachability"], "not-in-graph");
        assert_eq!(fnv["status"], "reported");
        assert_eq!(fnv["evidence"]["dependency_path"], serde_json::json!([]));

        // Dev-only, no CVSS: counts as high by default, so it fails.
        let cfg_if = one("cfg-if");
        assert_eq!(cfg_if["reachability"], "dev");
        assert_eq!(cfg_if["severity"], serde_json::Value::Null);
        assert_eq!(cfg_if["effective_severity"], "high");
        assert_eq!(cfg_if["status"], "failing");

        // Build-only, low: under the threshold.
        let scopeguard = one("scopeguard");
        assert_eq!(scopeguard["reachability"], "build");
        assert_eq!(scopeguard["status"], "reported");

        // Informational: a warning.
        let lazy = one("lazy_static");
        assert_eq!(lazy["rule"], "advisory.unmaintained");
        assert_eq!(lazy["warning"], true);
        assert_eq!(lazy["status"], "reported");

        assert_eq!(doc["result"]["failing"], 2);
        assert!(
            ["resolved", "cached"].contains(&doc["advisories"]["build_graph"].as_str().unwrap()),
            "{}",
            doc["advisories"]
        );
    }

    #[test]
    fn thresholds_and_deny_warnings_move_the_verdict() {
        let (run, doc) = app_json(&["--fail-on", "critical"]);
        assert_eq!(run.code, 1);
        assert_eq!(doc["result"]["failing"], 1);
        let (run, doc) = app_json(&["--fail-on", "low"]);
        assert_eq!(run.code, 1);
        assert_eq!(doc["result"]["failing"], 3);
        let (_, doc) = app_json(&["--deny", "warnings"]);
        // + lazy_static (unmaintained) and the stale database warning.
        assert_eq!(doc["result"]["failing"], 4);
    }

    #[test]
    fn workspace_member_path_dependency() {
        let run = palisade(&[
            "advisories",
            "--manifest-path",
            "workspace/Cargo.toml",
            "--advisory-db",
            "db",
            "--format",
            "json",
        ]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let doc = json(&run);
        let memchr = findings_for(&doc, "memchr");
        assert_eq!(memchr.len(), 1);
        assert_eq!(memchr[0]["reachability"], "normal");
        assert_eq!(
            memchr[0]["evidence"]["dependency_path"],
            serde_json::json!(["fixture-core 0.1.0", "memchr 2.8.3"])
        );
    }

    #[test]
    fn lockfile_only_scan_assumes_everything_is_reachable() {
        let run = palisade(&[
            "advisories",
            "--lockfile",
            "app/Cargo.lock",
            "--advisory-db",
            "db",
            "--format",
            "json",
        ]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let doc = json(&run);
        let fnv = findings_for(&doc, "fnv");
        assert_eq!(fnv[0]["reachability"], "unknown");
        assert_eq!(fnv[0]["status"], "failing");
        assert_eq!(doc["advisories"]["build_graph"], "lockfile-only");
    }

    #[test]
    fn clean_project_exits_0() {
        let run = palisade(&[
            "advisories",
            "--manifest-path",
            "clean/Cargo.toml",
            "--advisory-db",
            "db",
        ]);
        assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
        assert!(
            run.stdout.contains("PASS: 1 finding, 0 failing"),
            "{}",
            run.stdout
        );
    }

    #[test]
    fn human_report() {
        let run = palisade(&[
            "advisories",
            "--manifest-path",
            "app/Cargo.toml",
            "--advisory-db",
            "db",
        ]);
        assert_eq!(run.code, 1);
        insta::assert_snapshot!(run.stdout);
    }

    #[test]
    fn json_report_schema() {
        let (_, doc) = app_json(&[]);
        // Whether the graph came from the cache depends on test order.
        insta::assert_json_snapshot!(doc, { ".advisories.build_graph" => "[resolved or cached]" });
    }
}

mod rules {
    use super::*;

    #[test]
    fn check_runs_every_example() {
        let run = palisade(&["rules", "check"]);
        assert_eq!(run.code, 0, "{}", run.stdout);
        assert!(
            run.stdout.ends_with("examples, 0 failed\n"),
            "{}",
            run.stdout
        );
    }

    #[test]
    fn list_and_explain() {
        let run = palisade(&["rules", "list"]);
        assert_eq!(run.code, 0);
        assert!(
            run.stdout
                .lines()
                .any(|l| l.starts_with("secret.age-identity "))
        );
        // Grouped by category, each with its count; the total last.
        assert!(run.stdout.contains("private-keys ("), "{}", run.stdout);
        assert!(run.stdout.contains("generic ("), "{}", run.stdout);
        let last = run.stdout.lines().last().unwrap_or_default();
        assert!(
            last.ends_with("categories") && last.contains(" rules in "),
            "{last}"
        );
        let run = palisade(&["rules", "explain", "github-pat"]);
        assert_eq!(run.code, 0);
        for section in [
            "What it finds",
            "Why it matters",
            "How to fix a leak",
            "validator: GithubCrc32",
        ] {
            assert!(run.stdout.contains(section), "{section}: {}", run.stdout);
        }
        // Examples are counted, never printed.
        assert!(!run.stdout.contains("ghp_WK59"), "{}", run.stdout);
    }

    #[test]
    fn explain_unknown_rule() {
        let run = palisade(&["rules", "explain", "nope"]);
        assert_error(&run, &["no rule `nope`", "rules list"]);
    }
}

mod graph_cache {
    use super::*;

    fn scan(dir: &std::path::Path) -> serde_json::Value {
        let db = fixtures().join("db");
        let target = dir.join("target");
        let run = finish(
            command(dir)
                .env("CARGO_TARGET_DIR", &target)
                .args([
                    "advisories",
                    "--manifest-path",
                    "app/Cargo.toml",
                    "--advisory-db",
                ])
                .arg(&db)
                .args(["--format", "json"])
                .output()
                .unwrap(),
        );
        assert_eq!(run.code, 1, "{}", run.stderr);
        json(&run)
    }

    #[test]
    fn second_scan_uses_the_cache_and_a_manifest_edit_invalidates_it() {
        fetch_fixture_crates();
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&fixtures().join("app"), &dir.path().join("app"));
        let first = scan(dir.path());
        assert_eq!(first["advisories"]["build_graph"], "resolved");
        let cached = std::fs::read_dir(dir.path().join("target/palisade")).unwrap();
        assert_eq!(cached.count(), 1);
        let second = scan(dir.path());
        assert_eq!(second["advisories"]["build_graph"], "cached");
        assert_eq!(first["findings"], second["findings"]);

        // Turn the optional dependency on by default: fnv is now in the normal build.
        let manifest = dir.path().join("app/Cargo.toml");
        let text = std::fs::read_to_string(&manifest).unwrap();
        std::fs::write(
            &manifest,
            text.replace(
                "fast-hash = [\"dep:fnv\"]",
                "default = [\"fast-hash\"]\nfast-hash = [\"dep:fnv\"]",
            ),
        )
        .unwrap();
        let third = scan(dir.path());
        assert_eq!(third["advisories"]["build_graph"], "resolved");
        assert_eq!(findings_for(&third, "fnv")[0]["reachability"], "normal");
        assert_eq!(findings_for(&third, "fnv")[0]["status"], "failing");
    }

    #[test]
    fn no_match_needs_no_graph() {
        let run = palisade(&[
            "advisories",
            "--manifest-path",
            "clean/Cargo.toml",
            "--advisory-db",
            "db",
            "--format",
            "json",
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(json(&run)["advisories"]["build_graph"], "not-needed");
    }
}

mod policy {
    use super::*;
    use std::fs;

    fn with_config(config: &str, extra: &[&str]) -> Run {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("palisade.toml");
        fs::write(&path, config).unwrap();
        let mut args = vec![
            "advisories",
            "--manifest-path",
            "app/Cargo.toml",
            "--advisory-db",
            "db",
            "--config",
            path.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        palisade(&args)
    }

    #[test]
    fn ignore_by_alias_suppresses_and_names_the_entry() {
        let config = "[advisories]\nstale-after-days = 36500\n\n[[advisories.ignore]]\nid = \"CVE-2024-99001\"\nreason = \"we never format negative zero\"\nticket = \"SEC-12\"\n\n[[advisories.ignore]]\nid = \"RUSTSEC-2024-9003\"\nreason = \"dev-only test helper\"\n";
        let run = with_config(config, &["--format", "json"]);
        assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
        let doc = json(&run);
        let itoa = &findings_for(&doc, "itoa")[0];
        assert_eq!(itoa["status"], "suppressed");
        assert_eq!(itoa["by"]["reason"], "we never format negative zero");
        assert_eq!(itoa["by"]["ticket"], "SEC-12");
        assert_eq!(itoa["by"]["origin"]["line"], 4);
        assert_eq!(doc["result"]["suppressed"], 2);
    }

    #[test]
    fn expired_and_unused_entries_are_reported() {
        let config = "[advisories]\nstale-after-days = 36500\n\n[[advisories.ignore]]\nid = \"RUSTSEC-2024-9001\"\nreason = \"temporary\"\nexpires = 2025-01-01\n\n[[advisories.ignore]]\nid = \"RUSTSEC-2000-0001\"\nreason = \"old\"\n";
        let run = with_config(config, &["--format", "json"]);
        assert_eq!(run.code, 1);
        let doc = json(&run);
        assert_eq!(findings_for(&doc, "itoa")[0]["status"], "failing");
        let rules: Vec<&str> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap())
            .collect();
        assert!(rules.contains(&"policy.ignore-expired"), "{rules:?}");
        assert!(rules.contains(&"policy.ignore-unused"), "{rules:?}");
    }

    #[test]
    fn stale_database_is_a_warning_and_fails_under_deny_warnings() {
        let config = "[advisories]\nstale-after-days = 30\n";
        let run = with_config(
            config,
            &[
                "--format",
                "json",
                "--fail-on",
                "critical",
                "--deny",
                "warnings",
            ],
        );
        let doc = json(&run);
        let stale: Vec<_> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "advisory.db-stale")
            .collect();
        assert_eq!(stale.len(), 1);
        assert_eq!(stale[0]["status"], "failing");
        assert!(stale[0]["message"].as_str().unwrap().contains("2024-10-01"));
    }

    #[test]
    fn config_is_found_beside_the_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("app");
        copy_dir(&fixtures().join("app"), &project);
        fs::write(
            project.join("palisade.toml"),
            "[policy]\nfail-on = \"critical\"\n[advisories]\nstale-after-days = 36500\n[[advisories.ignore]]\nid = \"RUSTSEC-2024-9001\"\nreason = \"fixture\"\n",
        )
        .unwrap();
        let db = fixtures().join("db");
        let run = palisade_in(
            dir.path(),
            &[
                "advisories",
                "--manifest-path",
                "app/Cargo.toml",
                "--advisory-db",
                db.to_str().unwrap(),
            ],
        );
        assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    }
}

mod bad_input {
    use super::*;

    #[test]
    fn missing_lockfile_says_how_to_make_one() {
        let run = palisade(&[
            "advisories",
            "--manifest-path",
            "nolock/Cargo.toml",
            "--advisory-db",
            "db",
        ]);
        assert_error(
            &run,
            &[
                "no Cargo.lock at",
                "nolock/Cargo.lock",
                "cargo generate-lockfile",
                "--generate-lockfile",
            ],
        );
    }

    #[test]
    fn generate_lockfile_creates_it() {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&fixtures().join("nolock"), &dir.path().join("nolock"));
        let db = fixtures().join("db");
        let run = palisade_in(
            dir.path(),
            &[
                "advisories",
                "--manifest-path",
                "nolock/Cargo.toml",
                "--advisory-db",
                db.to_str().unwrap(),
                "--generate-lockfile",
            ],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(dir.path().join("nolock/Cargo.lock").is_file());
    }

    #[test]
    fn truncated_lockfile() {
        let run = palisade(&[
            "advisories",
            "--lockfile",
            "bad/truncated.lock",
            "--advisory-db",
            "db",
        ]);
        assert_error(&run, &["bad/truncated.lock:", "not a valid Cargo.lock"]);
    }

    #[test]
    fn bogus_version_in_lockfile() {
        let run = palisade(&[
            "advisories",
            "--lockfile",
            "bad/bogus-version.lock",
            "--advisory-db",
            "db",
        ]);
        assert_error(&run, &["bad/bogus-version.lock", "not a valid Cargo.lock"]);
    }

    #[test]
    fn malformed_advisory_names_the_file() {
        let run = palisade(&[
            "advisories",
            "--lockfile",
            "app/Cargo.lock",
            "--advisory-db",
            "bad/db-malformed",
        ]);
        assert_error(&run, &["bad/db-malformed", "RUSTSEC-2024-9101.md"]);
    }

    #[test]
    fn missing_database_names_the_path_and_the_fetch_command() {
        let run = palisade(&[
            "advisories",
            "--lockfile",
            "app/Cargo.lock",
            "--advisory-db",
            "no/such/db",
        ]);
        assert_error(
            &run,
            &[
                "no advisory database at no/such/db",
                "cargo palisade db fetch",
            ],
        );
    }

    #[test]
    fn database_from_the_environment() {
        let run = finish(
            command(&fixtures())
                .env("PALISADE_ADVISORY_DB", "no/db/from/env")
                .args(["advisories", "--lockfile", "app/Cargo.lock"])
                .output()
                .unwrap(),
        );
        assert_error(&run, &["no/db/from/env"]);
    }

    #[test]
    fn unknown_config_key_names_file_line_and_key() {
        let run = palisade(&[
            "advisories",
            "--lockfile",
            "app/Cargo.lock",
            "--advisory-db",
            "db",
            "--config",
            "bad/config/unknown-key.toml",
        ]);
        assert_error(
            &run,
            &["bad/config/unknown-key.toml:6:", "unknown field `ignroe`"],
        );
    }

    #[test]
    fn ignore_without_reason() {
        let run = palisade(&[
            "advisories",
            "--lockfile",
            "app/Cargo.lock",
            "--advisory-db",
            "db",
            "--config",
            "bad/config/no-reason.toml",
        ]);
        assert_error(
            &run,
            &[
                "bad/config/no-reason.toml:4:",
                "RUSTSEC-2024-9001 has no `reason`",
            ],
        );
    }

    #[test]
    fn not_a_cargo_project() {
        let dir = tempfile::tempdir().unwrap();
        let run = palisade_in(dir.path(), &["advisories", "--advisory-db", "db"]);
        assert_error(&run, &["cannot read the cargo project", "Cargo.toml"]);
    }

    #[test]
    fn output_without_format() {
        let run = palisade(&["advisories", "--output", "x.sarif"]);
        assert_error(&run, &["--output x.sarif needs a --format"]);
    }
}

mod reports {
    use super::*;

    #[test]
    fn sarif_and_human_in_one_run() {
        let out = sarif_dir().join("app.sarif");
        let run = palisade(&[
            "advisories",
            "--manifest-path",
            "app/Cargo.toml",
            "--advisory-db",
            "db",
            "--format",
            "sarif",
            "--output",
            out.to_str().unwrap(),
            "--format",
            "human",
        ]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(run.stdout.contains("FAIL: 6 findings"), "{}", run.stdout);
        let sarif: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        assert_eq!(sarif["version"], "2.1.0");
        let run0 = &sarif["runs"][0];
        assert_eq!(run0["automationDetails"]["id"], "palisade/advisories/");
        let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
        let itoa_rule = rules
            .iter()
            .find(|r| r["id"] == "RUSTSEC-2024-9001")
            .unwrap();
        assert_eq!(itoa_rule["properties"]["security-severity"], "9.8");
        assert!(
            itoa_rule["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains("CVE-2024-99001")
        );
        assert!(itoa_rule["fullDescription"]["text"].as_str().is_some());
        let unrated = rules
            .iter()
            .find(|r| r["id"] == "RUSTSEC-2024-9003")
            .unwrap();
        assert_eq!(unrated["properties"]["security-severity"], "8.0");
        let results = run0["results"].as_array().unwrap();
        let itoa = results
            .iter()
            .find(|r| r["ruleId"] == "RUSTSEC-2024-9001")
            .unwrap();
        assert_eq!(itoa["level"], "error");
        assert_eq!(
            itoa["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "app/Cargo.lock"
        );
        assert_eq!(
            itoa["locations"][0]["physicalLocation"]["region"]["startLine"],
            28
        );
        assert_eq!(
            itoa["partialFingerprints"]["primaryLocationLineHash"]
                .as_str()
                .unwrap()
                .len(),
            32
        );
        let rule_index = itoa["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[rule_index]["id"], "RUSTSEC-2024-9001");
    }

    #[test]
    fn sarif_suppression_carries_the_justification() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("palisade.toml");
        std::fs::write(&config, "[[advisories.ignore]]\nid = \"RUSTSEC-2024-9001\"\nreason = \"not reachable from our code\"\nticket = \"SEC-7\"\n").unwrap();
        let out = sarif_dir().join("suppressed.sarif");
        let run = palisade(&[
            "advisories",
            "--manifest-path",
            "app/Cargo.toml",
            "--advisory-db",
            "db",
            "--config",
            config.to_str().unwrap(),
            "--format",
            "sarif",
            "--output",
            out.to_str().unwrap(),
        ]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        // Every report went to a file: stdout has the verdict alone, naming the file.
        assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
        assert!(
            run.stdout.starts_with("FAIL: ") && run.stdout.contains("suppressed.sarif"),
            "{}",
            run.stdout
        );
        let sarif: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        let itoa = results
            .iter()
            .find(|r| r["ruleId"] == "RUSTSEC-2024-9001")
            .unwrap();
        assert_eq!(itoa["suppressions"][0]["kind"], "external");
        assert_eq!(
            itoa["suppressions"][0]["justification"],
            "not reachable from our code (SEC-7)"
        );
    }

    #[test]
    fn fingerprints_survive_unrelated_lockfile_edits() {
        let dir = tempfile::tempdir().unwrap();
        let lock = std::fs::read_to_string(fixtures().join("app/Cargo.lock")).unwrap();
        let moved = lock.replacen("version = 4\n", "version = 4\n\n\n# moved\n", 1);
        let path = dir.path().join("Cargo.lock");
        std::fs::write(&path, moved).unwrap();
        let db = fixtures().join("db");
        let scan = |lockfile: &str| {
            let run = palisade(&[
                "advisories",
                "--lockfile",
                lockfile,
                "--advisory-db",
                db.to_str().unwrap(),
                "--format",
                "json",
            ]);
            let doc = json(&run);
            let itoa = findings_for(&doc, "itoa")[0].clone();
            (
                itoa["fingerprint"].clone(),
                itoa["locations"][0]["line"].clone(),
            )
        };
        let (fp_a, line_a) = scan("app/Cargo.lock");
        let (fp_b, line_b) = scan(path.to_str().unwrap());
        assert_eq!(fp_a, fp_b);
        assert_ne!(line_a, line_b);
    }

    #[test]
    fn two_formats_to_stdout_are_refused() {
        let run = palisade(&["advisories", "--format", "json", "--format", "human"]);
        assert_error(&run, &["only one --format can go to stdout"]);
    }

    #[test]
    fn closed_stdout_is_not_a_crash() {
        let run = with_closed_stdout(
            &fixtures(),
            &[
                "advisories",
                "--manifest-path",
                "app/Cargo.toml",
                "--advisory-db",
                "db",
                "--format",
                "json",
            ],
        );
        // The verdict still stands: findings fail, whether or not anyone read the report; and
        // nothing is said about the pipe (no error, no internal-error line from the hook).
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert_eq!(run.stderr, "");
    }
}

mod init_and_config {
    use super::*;

    #[test]
    fn init_writes_a_config_that_config_check_accepts() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        let run = palisade_in(dir.path(), &["init"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let text = std::fs::read_to_string(dir.path().join("palisade.toml")).unwrap();
        assert!(
            text.contains("[advisories]") && text.contains("[secrets]"),
            "{text}"
        );
        let run = palisade_in(dir.path(), &["config", "check"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stdout.contains("palisade.toml: valid"),
            "{}",
            run.stdout
        );
        let again = palisade_in(dir.path(), &["init"]);
        assert_error(&again, &["palisade.toml exists", "--force"]);
    }

    #[test]
    fn config_check_reports_every_problem() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("palisade.toml"),
            "[policy]\nfail-on = \"severe\"\nunrated-severity = \"meh\"\n",
        )
        .unwrap();
        let run = palisade_in(dir.path(), &["config", "check"]);
        assert_eq!(run.code, 2);
        assert_eq!(run.stderr.lines().count(), 2, "{}", run.stderr);
        assert!(
            run.stderr.contains("palisade.toml:2:") && run.stderr.contains("palisade.toml:3:"),
            "{}",
            run.stderr
        );
    }
}

/// Every output format of every checking command, snapshotted whole: what the reports say
/// must not move when the code behind them is reorganised.
mod formats {
    use super::*;
    use std::path::Path;

    /// The `app` fixture in a git repository (fixed author and dates, so commits hash the
    /// same on every run) with a live-looking token, an allowed test token, a FIPS binary
    /// and an imported SARIF file.
    fn project() -> tempfile::TempDir {
        fetch_fixture_crates();
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&fixtures().join("app"), dir.path());
        let root = root();
        std::fs::create_dir_all(dir.path().join("bin")).unwrap();
        std::fs::copy(
            root.join("fixtures/fips/bin/rust-rustls-default"),
            dir.path().join("bin/server"),
        )
        .unwrap();
        std::fs::copy(
            root.join("fixtures/imports/gosec.sarif"),
            dir.path().join("gosec.sarif"),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("deploy.env"),
            "GITHUB_TOKEN=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\n",
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("tests")).unwrap();
        std::fs::write(
            dir.path().join("tests/token.txt"),
            "token = \"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\"\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("palisade.toml"),
            r#"[[secrets.allow]]
rules = ["secret.github-pat", "secret.generic-assignment"]
paths = ["tests/"]
reason = "a revoked token the tests plant"
ticket = "SEC-1"

[fips]
fips-features = ["fast-hash"]

[[fips.binaries]]
path = "bin/server"
expect = "non-fips"

[[import]]
tool = "gosec"
sarif = "gosec.sarif"
"#,
        )
        .unwrap();
        for args in [
            &["init", "-q", "-b", "main"][..],
            &["config", "user.name", "Fixture Author"],
            &["config", "user.email", "author@example.invalid"],
            &["config", "commit.gpgsign", "false"],
            &["add", "-A"],
        ] {
            git_in(dir.path(), args);
        }
        let status = std::process::Command::new("git")
            .current_dir(dir.path())
            .env("GIT_AUTHOR_DATE", "2026-01-02T03:04:05Z")
            .env("GIT_COMMITTER_DATE", "2026-01-02T03:04:05Z")
            .args(["commit", "-qm", "init"])
            .status()
            .unwrap();
        assert!(status.success());
        dir
    }

    fn run(dir: &Path, args: &[&str]) -> String {
        let db = fixtures().join("db");
        let mut cmd = command(dir);
        cmd.env("PALISADE_FINGERPRINT_KEY", "formats-snapshot")
            .args(args);
        if matches!(args[0], "gate" | "advisories") {
            cmd.arg("--advisory-db").arg(&db);
        }
        let out = cmd.output().unwrap();
        let run = finish(out);
        let text = format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            run.code, run.stdout, run.stderr
        );
        let text = text.replace(&db.display().to_string(), "[DB]");
        let text = text.replace(&dir.display().to_string(), "[PROJECT]");
        let millis = regex::Regex::new(r#"("millis": )\d+| *\d+( ms)"#).unwrap();
        let text = millis.replace_all(&text, "${1} [N]${2}");
        // The rule count moves with every rule added.
        let rules = regex::Regex::new(r#"\d+ rules|"rules": \d+"#).unwrap();
        let text = rules.replace_all(&text, "[N] rules");
        // Whether the build graph came from the cache depends on test order.
        text.replace(r#""build_graph": "resolved""#, r#""build_graph": "cached""#)
    }

    fn each_format(name: &str, dir: &Path, args: &[&str]) {
        for format in ["human", "json", "sarif", "github"] {
            let mut full = args.to_vec();
            full.extend(["--format", format]);
            insta::assert_snapshot!(format!("{name}_{format}"), run(dir, &full));
        }
    }

    #[test]
    fn gate() {
        let dir = project();
        each_format("gate", dir.path(), &["gate"]);
    }

    #[test]
    fn secrets() {
        let dir = project();
        each_format("secrets", dir.path(), &["secrets"]);
    }

    #[test]
    fn advisories() {
        let dir = project();
        each_format("advisories", dir.path(), &["advisories"]);
    }

    #[test]
    fn fips() {
        let dir = project();
        each_format("fips", dir.path(), &["fips", "--binary", "bin/server"]);
    }
}
