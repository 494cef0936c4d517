//! `cargo palisade fips` on real binaries: the Go fixtures built by fixtures/fips/build.sh
//! (plain, BoringCrypto, native FIPS 140-3; stripped and not), the system's OpenSSL CLI, and
//! broken files.

mod common;

use common::*;
use std::path::PathBuf;

fn bin(name: &str) -> String {
    root()
        .join("fixtures/fips/bin")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

fn fips(args: &[&str]) -> Run {
    finish(command(&root()).arg("fips").args(args).output().unwrap())
}

fn rules(run: &Run) -> Vec<String> {
    let doc = json(run);
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn explain_names_the_module_and_its_evidence() {
    let run = fips(&[
        "--explain",
        "--binary",
        &bin("go119-boringcrypto"),
        "--binary",
        &bin("go127-fips140"),
        "--binary",
        &bin("go127-plain"),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    assert!(
        out.contains("go119-boringcrypto: FIPS, Go BoringCrypto (elf, stripped)"),
        "{out}"
    );
    assert!(out.contains("GOEXPERIMENT=boringcrypto"), "{out}");
    assert!(
        out.contains("go127-fips140: FIPS, Go Cryptographic Module v1.0.0"),
        "{out}"
    );
    assert!(out.contains("DefaultGODEBUG has fips140=on"), "{out}");
    assert!(out.contains("go127-plain: non-FIPS"), "{out}");
}

#[test]
fn unstripped_boringcrypto_shows_its_symbols() {
    let run = fips(&[
        "--explain",
        "--binary",
        &bin("go119-boringcrypto-unstripped"),
    ]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("_goboringcrypto_* symbols"),
        "{}",
        run.stdout
    );
    // The markers are checked, not only seen: their region hashes to the module's own value.
    assert!(
        run.stdout.contains(
            "FIPS module integrity region 0x403000..0x4b6010 (716 KiB, found by BORINGSSL_bcm_text_* symbols) hashes (HMAC-SHA-512)"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn every_go_fixture_gets_the_right_verdict() {
    let run = fips(&[
        "--binary",
        &bin("go119-plain"),
        "--binary",
        &bin("go119-boringcrypto"),
        "--binary",
        &bin("go119-boringcrypto-unstripped"),
        "--binary",
        &bin("go127-plain"),
        "--binary",
        &bin("go127-fips140"),
        "--binary",
        &bin("go127-fips140-latest"),
        "--binary",
        &bin("go127-godebug-fips140-only"),
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "no expectation: nothing fails");
    let doc = json(&run);
    let verdicts: Vec<(String, String)> = doc["fips"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let name = PathBuf::from(r["path"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (name, r["verdict"].as_str().unwrap().to_string())
        })
        .collect();
    let expected = [
        ("go119-plain", "non-fips"),
        ("go119-boringcrypto", "fips"),
        ("go119-boringcrypto-unstripped", "fips"),
        ("go127-plain", "non-fips"),
        ("go127-fips140", "fips"),
        ("go127-fips140-latest", "fips"),
        ("go127-godebug-fips140-only", "fips"),
    ];
    for (name, verdict) in expected {
        assert!(
            verdicts.contains(&(name.to_string(), verdict.to_string())),
            "{name}: {verdicts:?}"
        );
    }
}

#[test]
fn macho_and_pe_go_binaries_are_read_with_their_build_info() {
    let run = fips(&[
        "--binary",
        &bin("go127-plain-darwin-arm64"),
        "--binary",
        &bin("go127-plain-windows-amd64.exe"),
        "--expect",
        "non-fips",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run);
    for (report, format) in doc["fips"].as_array().unwrap().iter().zip(["macho", "pe"]) {
        assert_eq!(report["format"], format, "{report:#}");
        assert_eq!(report["verdict"], "non-fips", "{report:#}");
        assert_eq!(report["go"]["version"], "go1.27.3", "{report:#}");
        assert_eq!(
            report["go"]["path"], "example.invalid/palisade-fips-fixture",
            "{report:#}"
        );
    }
    let needed = |i: usize| doc["fips"][i]["needed"].clone();
    assert_eq!(
        needed(0),
        serde_json::json!(["/usr/lib/libSystem.B.dylib", "/usr/lib/libresolv.9.dylib"])
    );
    assert_eq!(needed(1), serde_json::json!(["kernel32.dll"]));
}

#[test]
fn the_default_build_must_not_link_fips() {
    let run = fips(&[
        "--binary",
        &bin("go127-plain"),
        "--binary",
        &bin("go119-plain"),
        "--expect",
        "non-fips",
    ]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let run = fips(&[
        "--binary",
        &bin("go119-boringcrypto"),
        "--expect",
        "non-fips",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1);
    assert_eq!(rules(&run), ["fips.default-links-fips"]);
}

#[test]
fn the_fips_build_must_link_the_module_and_report_its_status() {
    let run = fips(&[
        "--binary",
        &bin("go127-fips140"),
        "--binary",
        &bin("go119-boringcrypto"),
        "--expect",
        "fips",
    ]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let run = fips(&[
        "--binary",
        &bin("go127-plain"),
        "--expect",
        "fips",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1);
    assert_eq!(rules(&run), ["fips.fips-build-missing-module"]);
    // Built without -X main.BuildStamp=FIPSMode=true.
    let run = fips(&[
        "--binary",
        &bin("go119-boringcrypto-unstripped"),
        "--expect",
        "fips",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1);
    assert_eq!(rules(&run), ["fips.status-not-reported"]);
    // A custom stamp counts where the build set it: the -X definition, whole.
    let run = fips(&[
        "--binary",
        &bin("go127-fips140"),
        "--expect",
        "fips",
        "--status-stamp",
        "main.BuildStamp=FIPSMode=true",
    ]);
    assert_eq!(run.code, 0, "a custom stamp: {}", run.stdout);
    // Text that merely occurs in the binary (its Go version) is no stamp.
    let run = fips(&[
        "--binary",
        &bin("go119-boringcrypto-unstripped"),
        "--expect",
        "fips",
        "--status-stamp",
        "go1.19.8",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(rules(&run), ["fips.status-not-reported"]);
}

#[test]
fn sarif_for_fips_findings() {
    let out = sarif_dir().join("fips.sarif");
    let run = fips(&[
        "--binary",
        &bin("go119-boringcrypto"),
        "--expect",
        "non-fips",
        "--format",
        "sarif",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1);
    let sarif: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(
        sarif["runs"][0]["results"][0]["ruleId"],
        "fips.default-links-fips"
    );
    assert_eq!(
        sarif["runs"][0]["automationDetails"]["id"],
        "palisade/fips/"
    );
}

#[test]
fn system_openssl_is_runtime_dependent() {
    let openssl = PathBuf::from("/usr/bin/openssl");
    if !openssl.is_file() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI images have /usr/bin/openssl"
        );
        return;
    }
    let run = fips(&["--binary", "/usr/bin/openssl", "--format", "json"]);
    assert_eq!(run.code, 0, "a warning does not fail by default");
    let doc = json(&run);
    assert_eq!(doc["fips"][0]["verdict"], "runtime-openssl");
    assert!(rules(&run).contains(&"fips.runtime-openssl".to_string()));
}

#[test]
fn broken_files_are_exit_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "just text\n").unwrap();
    let run = fips(&["--binary", text.to_str().unwrap()]);
    assert_error(&run, &["notes.txt", "not a binary Palisade can read"]);

    let elf = std::fs::read(bin("go119-plain")).unwrap();
    let truncated = dir.path().join("truncated");
    std::fs::write(&truncated, &elf[..200]).unwrap();
    let run = fips(&["--binary", truncated.to_str().unwrap()]);
    assert_error(&run, &["truncated"]);

    for (name, head) in [
        ("pe.exe", &b"MZ"[..]),
        ("macho", &[0xcf, 0xfa, 0xed, 0xfe][..]),
    ] {
        let path = dir.path().join(name);
        let mut bytes = head.to_vec();
        bytes.extend(std::iter::repeat_n(0x5Au8, 300));
        std::fs::write(&path, bytes).unwrap();
        let run = fips(&["--binary", path.to_str().unwrap()]);
        assert_error(&run, &[name]);
    }

    let run = fips(&["--binary", "no/such/binary"]);
    assert_error(&run, &["no/such/binary", "cannot read"]);
}

mod graph {
    use super::*;

    fn graph(manifest: &str, extra: &[&str]) -> Run {
        let mut args = vec!["--manifest-path", manifest, "--offline", "--format", "json"];
        args.extend_from_slice(extra);
        finish(
            command(&root().join("fixtures/fips/rust"))
                .arg("fips")
                .args(&args)
                .output()
                .unwrap(),
        )
    }

    #[test]
    fn opt_in_fips_build_passes() {
        let run = graph("opt-in/Cargo.toml", &[]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        assert_eq!(json(&run)["findings"], serde_json::json!([]));
    }

    #[test]
    fn default_build_pulling_rustls_fips_through_a_feature_names_the_path() {
        let run = graph("leaky/Cargo.toml", &[]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let doc = json(&run);
        let f = &doc["findings"][0];
        assert_eq!(f["rule"], "fips.default-links-fips");
        let message = f["message"].as_str().unwrap();
        assert!(
            message.contains("rustls 0.23.99 with feature `fips`"),
            "{message}"
        );
        assert!(
            message.contains("fixture-fips-leaky 0.1.0 → rustls 0.23.99"),
            "{message}"
        );
        assert_eq!(f["locations"][0]["path"], "leaky/Cargo.toml");
    }

    #[test]
    fn a_fips_feature_set_without_a_provider_fails() {
        // `metrics` is a real feature that adds no provider.
        let run = graph("opt-in/Cargo.toml", &["--fips-features", "metrics"]);
        assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
        assert_eq!(
            json(&run)["findings"][0]["rule"],
            "fips.fips-build-missing-module"
        );
    }

    #[test]
    fn unknown_feature_is_exit_2() {
        let run = graph("opt-in/Cargo.toml", &["--fips-features", "nope"]);
        assert_error(&run, &["opt-in/Cargo.toml", "nope"]);
    }
}

mod wiring {
    use super::*;

    fn make(file: &str) -> Run {
        let path = root().join("fixtures/fips/make").join(file);
        fips(&["--makefile", path.to_str().unwrap(), "--format", "json"])
    }

    #[test]
    fn separate_fips_target_passes() {
        let run = make("good.mk");
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    }

    #[test]
    fn fips_switch_in_the_default_target_names_the_line() {
        let run = make("fips-in-default.mk");
        assert_eq!(run.code, 1);
        let doc = json(&run);
        assert_eq!(doc["findings"][0]["rule"], "fips.default-links-fips");
        assert_eq!(doc["findings"][0]["locations"][0]["line"], 6);
        assert!(
            doc["findings"][0]["message"]
                .as_str()
                .unwrap()
                .contains("GOEXPERIMENT=boringcrypto")
        );
    }

    #[test]
    fn missing_fips_target() {
        let run = make("no-fips-target.just");
        assert_eq!(run.code, 1);
        assert_eq!(rules(&run), ["fips.no-fips-target"]);
    }
}

mod status_endpoint {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::sync::mpsc;
    use std::time::Duration;

    /// A real HTTP server on 127.0.0.1 answering every request with `status` and `body`, for
    /// as many requests as `count`. Returns its /about URL and what it saw: each request line,
    /// or what went wrong reading it, sent back to the test thread, where it is asserted (an
    /// `assert!` in the server thread would only show as a closed connection).
    fn serve(status: &'static str, body: &'static str, count: usize) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/about", listener.local_addr().unwrap());
        let (seen, requests) = mpsc::channel();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(count) {
                let answer =
                    |stream: std::io::Result<std::net::TcpStream>| -> std::io::Result<String> {
                        let mut stream = stream?;
                        let mut reader = BufReader::new(stream.try_clone()?);
                        let mut request_line = String::new();
                        reader.read_line(&mut request_line)?;
                        loop {
                            let mut line = String::new();
                            reader.read_line(&mut line)?;
                            if line == "\r\n" || line.is_empty() {
                                break;
                            }
                        }
                        write!(
                            stream,
                            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        )?;
                        Ok(request_line.trim_end().to_string())
                    };
                if seen
                    .send(answer(stream).map_err(|e| e.to_string()))
                    .is_err()
                {
                    break;
                }
            }
        });
        Server { url, requests }
    }

    /// A test server and what it saw.
    struct Server {
        url: String,
        requests: mpsc::Receiver<Result<String, String>>,
    }

    impl Server {
        /// Asserts the server answered `n` requests, each a `GET /about`.
        fn assert_saw_get_about(&self, n: usize) {
            for i in 0..n {
                let seen = self
                    .requests
                    .recv_timeout(Duration::from_secs(10))
                    .unwrap_or_else(|e| panic!("request {i}: the server saw nothing ({e})"));
                let line = seen.unwrap_or_else(|e| panic!("request {i}: the server failed: {e}"));
                assert!(line.starts_with("GET /about "), "request {i}: {line}");
            }
        }
    }

    fn check(url: &str, expect: &str, extra: &[&str]) -> Run {
        let mut args = vec!["--status-url", url, "--expect", expect, "--format", "json"];
        args.extend_from_slice(extra);
        fips(&args)
    }

    #[test]
    fn fips_build_reports_true() {
        let server = serve("200 OK", r#"{"version":"1.4.2","fips":true}"#, 1);
        assert_eq!(check(&server.url, "fips", &[]).code, 0);
        server.assert_saw_get_about(1);
    }

    #[test]
    fn fips_build_reporting_false_or_nothing_fails() {
        let server = serve("200 OK", r#"{"fips":false}"#, 1);
        let run = check(&server.url, "fips", &[]);
        assert_eq!(run.code, 1);
        assert_eq!(rules(&run), ["fips.status-not-reported"]);
        server.assert_saw_get_about(1);
        let server = serve("200 OK", r#"{"version":"1.4.2"}"#, 1);
        assert_eq!(check(&server.url, "fips", &[]).code, 1);
        server.assert_saw_get_about(1);
    }

    #[test]
    fn default_build_must_not_claim_fips() {
        let server = serve("200 OK", r#"{"build":{"fips":"true"}}"#, 2);
        let run = check(&server.url, "non-fips", &["--status-field", "build.fips"]);
        assert_eq!(run.code, 1);
        assert_eq!(rules(&run), ["fips.default-links-fips"]);
        assert_eq!(
            check(&server.url, "fips", &["--status-field", "build.fips"]).code,
            0
        );
        server.assert_saw_get_about(2);
        let server = serve("200 OK", r#"{}"#, 1);
        assert_eq!(check(&server.url, "non-fips", &[]).code, 0);
        server.assert_saw_get_about(1);
    }

    #[test]
    fn broken_endpoints_are_exit_2_naming_the_url() {
        let server = serve("500 Internal Server Error", "{}", 1);
        assert_error(&check(&server.url, "fips", &[]), &[&server.url, "HTTP 500"]);
        server.assert_saw_get_about(1);
        let server = serve("200 OK", "<html>", 1);
        assert_error(
            &check(&server.url, "fips", &[]),
            &[&server.url, "did not answer JSON"],
        );
        server.assert_saw_get_about(1);
        // Nothing listens here any more.
        let closed = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            format!("http://{}/about", l.local_addr().unwrap())
        };
        assert_error(&check(&closed, "fips", &[]), &[&closed]);
    }
}

mod config {
    use super::*;

    #[test]
    fn binaries_expectations_and_stamp_from_palisade_toml() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("palisade.toml"),
            format!(
                "[fips]\nstatus-stamp = \"FIPSMode=true\"\n\n[[fips.binaries]]\npath = \"{}\"\nexpect = \"non-fips\"\n\n[[fips.binaries]]\npath = \"{}\"\nexpect = \"fips\"\n",
                bin("go127-plain"),
                bin("go127-fips140")
            ),
        )
        .unwrap();
        let run = finish(
            command(dir.path())
                .args(["fips", "--format", "json"])
                .output()
                .unwrap(),
        );
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        assert_eq!(json(&run)["fips"].as_array().unwrap().len(), 2);
        // Swap the expectations: both fail.
        std::fs::write(
            dir.path().join("palisade.toml"),
            format!(
                "[[fips.binaries]]\npath = \"{}\"\nexpect = \"fips\"\n\n[[fips.binaries]]\npath = \"{}\"\nexpect = \"non-fips\"\n",
                bin("go127-plain"),
                bin("go127-fips140")
            ),
        )
        .unwrap();
        let run = finish(
            command(dir.path())
                .args(["fips", "--format", "json"])
                .output()
                .unwrap(),
        );
        assert_eq!(run.code, 1);
        let mut found = rules(&run);
        found.sort();
        assert_eq!(
            found,
            ["fips.default-links-fips", "fips.fips-build-missing-module"]
        );
    }

    #[test]
    fn extra_markers_and_bad_expect() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("palisade.toml");
        // Treat any aws-lc-rs as a FIPS provider: the opt-in default build now has one.
        std::fs::write(&config, "[fips]\nmarkers = [{ crate = \"aws-lc-rs\" }]\n").unwrap();
        let manifest = root().join("fixtures/fips/rust/opt-in/Cargo.toml");
        let run = fips(&[
            "--manifest-path",
            manifest.to_str().unwrap(),
            "--offline",
            "--config",
            config.to_str().unwrap(),
            "--format",
            "json",
        ]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert_eq!(rules(&run), ["fips.default-links-fips"]);
        std::fs::write(
            &config,
            "[[fips.binaries]]\npath = \"x\"\nexpect = \"maybe\"\n",
        )
        .unwrap();
        let run = fips(&["--config", config.to_str().unwrap()]);
        assert_error(&run, &["palisade.toml:3:", "`expect` in [[fips.binaries]]"]);
    }
}

mod rust_aws_lc {
    use super::*;

    #[test]
    fn rustls_default_and_fips_builds() {
        let run = fips(&[
            "--binary",
            &bin("rust-rustls-default"),
            "--binary",
            &bin("rust-rustls-fips"),
            "--format",
            "json",
        ]);
        assert_eq!(run.code, 0);
        let doc = json(&run);
        assert_eq!(
            doc["fips"][0]["verdict"], "non-fips",
            "{:#}",
            doc["fips"][0]
        );
        assert_eq!(doc["fips"][1]["verdict"], "fips");
        assert_eq!(doc["fips"][1]["module"], "AWS-LC FIPS");
        assert_eq!(doc["fips"][1]["status_stamp"], true);
        // Stripped: the module is proved by the code that checks its integrity, and the
        // stamp is the ELF note the build put in .note.fips-status.
        let evidence = doc["fips"][1]["evidence"].to_string();
        for fact in [
            "FIPS module integrity region 0xad020..0x2ad464 (2049 KiB, found by the code of its integrity check (no symbol table)) hashes (HMAC-SHA-256)",
            r#"status stamp \"FIPSMode=true\" in section .note.fips-status"#,
        ] {
            assert!(evidence.contains(fact), "{evidence}");
        }
        let run = fips(&["--binary", &bin("rust-rustls-fips"), "--expect", "non-fips"]);
        assert_eq!(run.code, 1);
        let run = fips(&["--binary", &bin("rust-rustls-fips"), "--expect", "fips"]);
        assert_eq!(run.code, 0, "{}", run.stdout);
        let run = fips(&["--binary", &bin("rust-rustls-default"), "--expect", "fips"]);
        assert_eq!(run.code, 1);
    }
}

/// Binaries built here with the system C compiler (Palisade needs one to build its own
/// dependencies, so it is there wherever the tests run).
mod structure {
    use super::*;
    use std::path::Path;

    fn cc(dir: &Path, name: &str, source: &str) -> String {
        common::cc(dir, name, source, &[])
            .to_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn integrity_markers_whose_region_does_not_hash_are_no_module() {
        // The marker symbols, and a "hash" that is not the region's HMAC.
        let dir = tempfile::tempdir().unwrap();
        let program = cc(
            dir.path(),
            "fake-module",
            r#"
__attribute__((used, aligned(16))) void BORINGSSL_bcm_text_start(void) {}
__attribute__((used)) int looks_like_crypto(int x) { return x * 31 + 7; }
__attribute__((used)) void BORINGSSL_bcm_text_end(void) {}
__attribute__((used)) const unsigned char BORINGSSL_bcm_text_hash[32] = {1, 2, 3};
int main(void) { return 0; }
"#,
        );
        let run = fips(&[
            "--binary", &program, "--expect", "non-fips", "--format", "json",
        ]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        let doc = json(&run);
        assert_eq!(doc["fips"][0]["verdict"], "unknown", "{doc:#}");
        assert!(
            doc["fips"][0]["evidence"]
                .to_string()
                .contains("their region does not hash to BORINGSSL_bcm_text_hash"),
            "{doc:#}"
        );
    }

    #[test]
    fn status_stamp_in_a_section_or_as_a_symbol_name() {
        let dir = tempfile::tempdir().unwrap();
        // Raw bytes in the section (a C compiler makes `.note*` sections notes, so the
        // contents are read both ways), and a symbol named for a custom stamp.
        let program = cc(
            dir.path(),
            "stamped",
            r#"
__attribute__((used, section(".note.fips-status"), aligned(4)))
static const char fips_status[16] = "FIPSMode=true";
__attribute__((used)) const char palisade_fips_mode_on = 1;
int main(void) { return 0; }
"#,
        );
        let stamp = |stamp: &str| {
            let run = fips(&[
                "--binary",
                &program,
                "--status-stamp",
                stamp,
                "--format",
                "json",
            ]);
            assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
            json(&run)["fips"][0].clone()
        };
        let report = stamp("FIPSMode=true");
        assert_eq!(report["status_stamp"], true, "{report:#}");
        assert!(
            report["evidence"]
                .to_string()
                .contains("in section .note.fips-status"),
            "{report:#}"
        );
        let report = stamp("palisade_fips_mode_on");
        assert_eq!(report["status_stamp"], true, "{report:#}");
        // The section holds something else than this stamp: not present, and said so.
        let report = stamp("FIPSMode=on");
        assert_eq!(report["status_stamp"], false, "{report:#}");
        assert!(
            report["evidence"]
                .to_string()
                .contains("section .note.fips-status does not hold the status stamp"),
            "{report:#}"
        );
    }
}
