//! `fips --binary` on files it cannot fully read: cut short, pointing past their end, with
//! their Go build info damaged, or not regular files at all. Each must be "cannot read"
//! (exit 2, one line naming the file), never a verdict: a cut binary reads as "no known
//! crypto" and would pass `--expect non-fips`.
//!
//! And verdicts taken from strings: a binary that only contains "AWS-LC FIPS" or
//! "FIPSMode=true" (Palisade's own help text does) read as a FIPS build with its stamp.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

fn fixture_bin(name: &str) -> PathBuf {
    root().join("fixtures/fips/bin").join(name)
}

/// `fips --binary PATH --expect non-fips`, as the default build's gate runs it.
fn expect_non_fips(path: &Path) -> Run {
    finish(
        command(&root())
            .args(["fips", "--binary"])
            .arg(path)
            .args(["--expect", "non-fips"])
            .output()
            .unwrap(),
    )
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

const FIXTURES: [&str; 11] = [
    "go119-plain",
    "go119-boringcrypto",
    "go119-boringcrypto-unstripped",
    "go127-plain",
    "go127-fips140",
    "rust-rustls-default",
    "rust-rustls-fips",
    "go127-plain-darwin-arm64",
    "go127-plain-windows-amd64.exe",
    "go127-fips140-latest",
    "go127-godebug-fips140-only",
];

#[test]
fn truncated_binary_read_as_no_known_crypto_and_passed_expect_non_fips() {
    let dir = tempfile::tempdir().unwrap();
    for name in FIXTURES {
        let whole = std::fs::read(fixture_bin(name)).unwrap();
        for cut in [4096, 500_000] {
            let path = write(dir.path(), &format!("{name}-cut-{cut}"), &whole[..cut]);
            let run = expect_non_fips(&path);
            assert_error(&run, &[&format!("{name}-cut-{cut}")]);
        }
    }
    // The message says what is wrong, not only that something is.
    let whole = std::fs::read(fixture_bin("go127-fips140")).unwrap();
    let path = write(dir.path(), "go127-fips140-4k", &whole[..4096]);
    assert_error(
        &expect_non_fips(&path),
        &["go127-fips140-4k", "runs past the end of the file"],
    );
}

#[test]
fn binary_cut_by_its_last_byte_read_as_a_verdict() {
    // For these, the last section ends at the end of the file: any cut removes part of it.
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "go127-plain",
        "go127-fips140",
        "go119-boringcrypto-unstripped",
        "rust-rustls-default",
        "rust-rustls-fips",
        "go127-plain-darwin-arm64",
        "go127-plain-windows-amd64.exe",
    ] {
        let whole = std::fs::read(fixture_bin(name)).unwrap();
        let path = write(dir.path(), name, &whole[..whole.len() - 1]);
        assert_error(&expect_non_fips(&path), &[name]);
    }
}

/// The offset of the Go build info header in a fixture binary.
fn build_info_at(data: &[u8]) -> usize {
    data.windows(14)
        .enumerate()
        .find(|(i, w)| i % 16 == 0 && *w == b"\xff Go buildinf:")
        .map(|(i, _)| i)
        .expect("fixture has Go build info")
}

#[test]
fn fips_binary_with_its_go_build_info_erased_passed_as_not_fips() {
    // go1.27 with GOFIPS140: only the build info says the FIPS module is selected. Erased,
    // the binary read as "no known crypto" and passed `--expect non-fips`.
    let dir = tempfile::tempdir().unwrap();
    let mut data = std::fs::read(fixture_bin("go127-fips140")).unwrap();
    let at = build_info_at(&data);
    data[at..at + 14].fill(0);
    let path = write(dir.path(), "go127-fips140-no-buildinfo", &data);
    assert_error(
        &expect_non_fips(&path),
        &["go127-fips140-no-buildinfo", "Go build info"],
    );
}

#[test]
fn go_build_info_whose_length_runs_past_its_section_was_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = std::fs::read(fixture_bin("go127-fips140")).unwrap();
    let at = build_info_at(&data);
    // The version string's length, as a varint: now far beyond the section.
    data[at + 32] = 0xff;
    data[at + 33] = 0x7f;
    let path = write(dir.path(), "go127-fips140-long-version", &data);
    assert_error(
        &expect_non_fips(&path),
        &[
            "go127-fips140-long-version",
            "runs past the end of its section",
        ],
    );
}

/// A 64-bit Mach-O executable header with one `__TEXT` segment of `filesize` bytes from the
/// start of the file, padded to 4 KiB.
fn macho(filesize: u64) -> Vec<u8> {
    macho_loading(filesize, None)
}

/// The same, loading the dylib `dylib` (an `LC_LOAD_DYLIB` command) if given.
fn macho_loading(filesize: u64, dylib: Option<&str>) -> Vec<u8> {
    let mut load = Vec::new();
    if let Some(name) = dylib {
        let mut name = name.as_bytes().to_vec();
        name.push(0);
        name.resize(name.len().next_multiple_of(8), 0);
        let size = u32::try_from(24 + name.len()).unwrap();
        for v in [0xcu32, size, 24, 2, 0x1_0000, 0x1_0000] {
            load.extend(v.to_le_bytes()); // LC_LOAD_DYLIB, size, name offset, versions
        }
        load.extend(name);
    }
    let ncmds = if dylib.is_some() { 2u32 } else { 1 };
    let sizeofcmds = 72 + u32::try_from(load.len()).unwrap();
    let mut b = Vec::new();
    for v in [0xfeed_facf_u32, 0x0100_0007, 3, 2, ncmds, sizeofcmds, 0, 0] {
        b.extend(v.to_le_bytes()); // magic, x86_64, subtype, MH_EXECUTE, commands
    }
    b.extend(0x19u32.to_le_bytes()); // LC_SEGMENT_64
    b.extend(72u32.to_le_bytes());
    b.extend(*b"__TEXT\0\0\0\0\0\0\0\0\0\0");
    for v in [0x1_0000_0000_u64, 0x1000, 0, filesize] {
        b.extend(v.to_le_bytes()); // vmaddr, vmsize, fileoff, filesize
    }
    for v in [5u32, 5, 0, 0] {
        b.extend(v.to_le_bytes()); // maxprot, initprot, nsects, flags
    }
    b.extend(load);
    b.resize(4096, 0);
    b
}

#[test]
fn macho_loading_libcrypto_by_its_install_path_was_not_runtime_openssl() {
    // Mach-O names dylibs by path, and a binary need not import a symbol by name to load one.
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "server-macos",
        &macho_loading(
            4096,
            Some("/opt/homebrew/opt/openssl@3/lib/libcrypto.3.dylib"),
        ),
    );
    let run = finish(
        command(&root())
            .args(["fips", "--format", "json", "--binary"])
            .arg(&path)
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 0, "a warning does not fail: {}", run.stderr);
    let doc = json(&run);
    assert_eq!(doc["fips"][0]["verdict"], "runtime-openssl", "{doc:#}");
    assert_eq!(doc["findings"][0]["rule"], "fips.runtime-openssl");
}

/// A PE32+ executable with one `.text` section of `raw_size` bytes at 0x200 and, if given, a
/// certificate table at `cert` (file offset, size); 0x400 bytes long.
fn pe(raw_size: u32, cert: Option<(u32, u32)>) -> Vec<u8> {
    let mut b = vec![0u8; 0x40];
    b[..2].copy_from_slice(b"MZ");
    b[0x3c..0x40].copy_from_slice(&0x40u32.to_le_bytes());
    b.extend(b"PE\0\0");
    // COFF header: x86-64, 1 section, no symbols, 240-byte optional header, executable.
    b.extend(0x8664u16.to_le_bytes());
    b.extend(1u16.to_le_bytes());
    b.extend([0u8; 12]);
    b.extend(240u16.to_le_bytes());
    b.extend(0x22u16.to_le_bytes());
    let mut opt = vec![0u8; 240];
    opt[0..2].copy_from_slice(&0x20bu16.to_le_bytes());
    opt[16..20].copy_from_slice(&0x1000u32.to_le_bytes()); // entry point
    opt[24..32].copy_from_slice(&0x1_4000_0000u64.to_le_bytes()); // image base
    opt[32..36].copy_from_slice(&0x1000u32.to_le_bytes()); // section alignment
    opt[36..40].copy_from_slice(&0x200u32.to_le_bytes()); // file alignment
    opt[48..50].copy_from_slice(&6u16.to_le_bytes()); // subsystem version
    opt[56..60].copy_from_slice(&0x2000u32.to_le_bytes()); // size of image
    opt[60..64].copy_from_slice(&0x200u32.to_le_bytes()); // size of headers
    opt[68..70].copy_from_slice(&3u16.to_le_bytes()); // console
    opt[108..112].copy_from_slice(&16u32.to_le_bytes()); // data directories
    if let Some((offset, size)) = cert {
        let entry = 112 + 4 * 8; // IMAGE_DIRECTORY_ENTRY_SECURITY
        opt[entry..entry + 4].copy_from_slice(&offset.to_le_bytes());
        opt[entry + 4..entry + 8].copy_from_slice(&size.to_le_bytes());
    }
    b.extend(opt);
    let mut section = vec![0u8; 40];
    section[..5].copy_from_slice(b".text");
    section[8..12].copy_from_slice(&0x100u32.to_le_bytes()); // virtual size
    section[12..16].copy_from_slice(&0x1000u32.to_le_bytes()); // virtual address
    section[16..20].copy_from_slice(&raw_size.to_le_bytes());
    section[20..24].copy_from_slice(&0x200u32.to_le_bytes());
    section[36..40].copy_from_slice(&0x6000_0020u32.to_le_bytes()); // code, read, execute
    b.extend(section);
    b.resize(0x400, 0xc3);
    b
}

#[test]
fn macho_and_pe_headers_pointing_past_the_end_read_as_no_known_crypto() {
    let dir = tempfile::tempdir().unwrap();
    // Whole: read, and nothing known found (the control: the builders make real headers).
    for (name, bytes) in [
        ("macho-whole", macho(4096)),
        ("pe-whole.exe", pe(0x200, None)),
    ] {
        let path = write(dir.path(), name, &bytes);
        let run = expect_non_fips(&path);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        assert!(run.stdout.contains("no known crypto"), "{}", run.stdout);
    }
    for (name, bytes, what) in [
        ("macho-cut", macho(1 << 20), "segment __TEXT"),
        ("pe-cut.exe", pe(1 << 20, None), "section .text"),
        (
            "pe-cut-cert.exe",
            pe(0x200, Some((0x400, 0x1000))),
            "certificate table",
        ),
    ] {
        let path = write(dir.path(), name, &bytes);
        assert_error(
            &expect_non_fips(&path),
            &[name, what, "runs past the end of the file"],
        );
    }
}

#[test]
fn empty_text_and_garbage_files_are_cannot_read() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("empty", Vec::new()),
        ("notes.txt", b"FIPSMode=true aws_lc_fips_\n".to_vec()),
        ("elf-magic-only", b"\x7fELF".to_vec()),
        ("macho-garbage", {
            let mut b = vec![0xcf, 0xfa, 0xed, 0xfe];
            b.extend([0x5a; 300]);
            b
        }),
        ("pe-garbage.exe", {
            let mut b = b"MZ".to_vec();
            b.extend([0x5a; 300]);
            b
        }),
    ] {
        let path = write(dir.path(), name, &bytes);
        assert_error(&expect_non_fips(&path), &[name]);
    }
}

/// Runs `fips --binary PATH` and fails the test if it has not finished within 20 seconds.
fn run_bounded(path: &Path) -> Run {
    let mut cmd = command(&root());
    cmd.args(["fips", "--binary"])
        .arg(path)
        .args(["--expect", "non-fips"]);
    finish_within_20s(&mut cmd, &format!("fips --binary {}", path.display()))
}

#[cfg(unix)]
#[test]
fn fips_binary_on_a_fifo_blocked_forever() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("server.fifo");
    mkfifo(&fifo);
    assert_error(
        &run_bounded(&fifo),
        &["server.fifo", "FIFO", "not a regular file"],
    );
}

#[cfg(unix)]
#[test]
fn fips_binary_on_dev_zero_read_without_end() {
    assert_error(
        &run_bounded(Path::new("/dev/zero")),
        &["/dev/zero", "character device", "not a regular file"],
    );
}

#[cfg(unix)]
#[test]
fn socket_and_directory_are_refused_naming_their_kind() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("agent.sock");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    assert_error(&run_bounded(&socket), &["agent.sock", "a socket"]);
    assert_error(&run_bounded(dir.path()), &["a directory"]);
}

#[cfg(unix)]
#[test]
fn makefile_on_a_fifo_blocked_forever() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("Makefile");
    mkfifo(&fifo);
    let mut child = command(&root())
        .args(["fips", "--makefile"])
        .arg(&fifo)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("fips --makefile on a FIFO did not finish in 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let run = finish(child.wait_with_output().unwrap());
    assert_error(&run, &["Makefile", "FIFO"]);
}

mod status_endpoint {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;

    /// Answers one request with `status` and `body` (the headers first, then the body in
    /// pieces, as a streaming server would); returns the URL.
    fn serve_once(body: Vec<u8>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/about", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            let Ok((mut stream, _)) = listener.accept() else {
                return;
            };
            let Ok(clone) = stream.try_clone() else {
                return;
            };
            let mut reader = BufReader::new(clone);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                line.clear();
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            // The client may stop reading early: write errors end the answer.
            let _ = stream.write_all(head.as_bytes());
            for piece in body.chunks(64 * 1024) {
                if stream.write_all(piece).is_err() {
                    break;
                }
            }
        });
        url
    }

    fn check(url: &str) -> Run {
        finish(
            command(&root())
                .args(["fips", "--status-url", url, "--expect", "fips"])
                .output()
                .unwrap(),
        )
    }

    #[test]
    fn status_answer_of_any_size_was_read_into_memory() {
        // 64 MiB of JSON whitespace before the document: read whole, it was parsed.
        let mut body = vec![b' '; 64 << 20];
        body.extend(br#"{"fips": true}"#);
        let url = serve_once(body);
        assert_error(&check(&url), &[&url, "more than 1024 KiB"]);
    }

    #[test]
    fn status_field_value_was_echoed_in_the_error() {
        let token = "sk_live_51HcQ2xExampleExampleExample0000";
        let url = serve_once(format!(r#"{{"fips": "{token}"}}"#).into_bytes());
        let run = check(&url);
        assert_error(&run, &[&url, "`fips` is a string, not a boolean"]);
        assert!(!run.stderr.contains(token), "{}", run.stderr);
    }
}

mod strings_are_not_structure {
    use super::*;

    /// `fips --binary PATH ARGS… --format json`.
    fn fips_json(path: &Path, args: &[&str]) -> (Run, serde_json::Value) {
        let run = finish(
            command(&root())
                .args(["fips", "--format", "json", "--binary"])
                .arg(path)
                .args(args)
                .output()
                .unwrap(),
        );
        let doc = json(&run);
        (run, doc)
    }

    fn rules(doc: &serde_json::Value) -> Vec<String> {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect()
    }

    fn evidence(doc: &serde_json::Value) -> String {
        doc["fips"][0]["evidence"].to_string()
    }

    fn contains(data: &[u8], text: &str) -> bool {
        data.windows(text.len()).any(|w| w == text.as_bytes())
    }

    #[test]
    fn palisade_itself_read_as_a_fips_build_from_its_help_text() {
        let me = Path::new(env!("CARGO_BIN_EXE_cargo-palisade"));
        // The premise: its own text holds the words that used to make the verdict.
        let data = std::fs::read(me).unwrap();
        for words in ["AWS-LC FIPS", "FIPSMode=true"] {
            assert!(
                contains(&data, words),
                "the binary no longer holds {words:?}"
            );
        }
        let (run, doc) = fips_json(me, &["--expect", "non-fips"]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        assert_eq!(doc["fips"][0]["verdict"], "non-fips", "{doc:#}");
        assert_eq!(doc["fips"][0]["module"], serde_json::Value::Null);
        assert_eq!(doc["fips"][0]["status_stamp"], false);
        let evidence = evidence(&doc);
        assert!(
            evidence.contains(
                r#"marker string \"AWS-LC FIPS\" found but no FIPS module structure: ignored"#
            ),
            "{evidence}"
        );
        assert!(
            evidence.contains("aws_lc_* symbols without a FIPS prefix"),
            "{evidence}"
        );
        // And as the FIPS build it would fail: no module, whatever its strings say.
        let (run, doc) = fips_json(me, &["--expect", "fips"]);
        assert_eq!(run.code, 1, "{}", run.stdout);
        assert_eq!(rules(&doc), ["fips.fips-build-missing-module"]);
    }

    /// Builds `source` with the system C compiler (Palisade itself needs one to build its
    /// own dependencies, so it is there wherever these tests run).
    const PRINTS_MARKERS: &str = r#"#include <stdio.h>
int main(void) {
    puts("AWS-LC FIPS 4.2.0");
    puts("FIPSMode=true");
    puts("aws_lc_fips_0_14_4_AES_encrypt _goboringcrypto_SHA256 BORINGSSL_bcm_text_start");
    return 0;
}
"#;

    #[test]
    fn c_program_printing_fips_markers_read_as_fips() {
        let dir = tempfile::tempdir().unwrap();
        // With its symbol table and stripped: either way, no module structure.
        for (name, flags) in [("markers", &[][..]), ("markers-stripped", &["-s"][..])] {
            let program = cc(dir.path(), name, PRINTS_MARKERS, flags);
            let (run, doc) = fips_json(&program, &["--expect", "non-fips"]);
            assert_eq!(run.code, 0, "{name}: {}{}", run.stdout, run.stderr);
            assert_ne!(doc["fips"][0]["verdict"], "fips", "{name}: {doc:#}");
            assert_eq!(doc["fips"][0]["status_stamp"], false, "{name}");
            let evidence = evidence(&doc);
            for marker in ["AWS-LC FIPS", "aws_lc_fips_", "BORINGSSL_bcm_text_"] {
                assert!(
                    evidence.contains(&format!(
                        r#"marker string \"{marker}\" found but no FIPS module structure: ignored"#
                    )),
                    "{name}: {evidence}"
                );
            }
            assert!(
                evidence.contains(r#"the string \"FIPSMode=true\" is in the file but not where a status stamp counts"#),
                "{name}: {evidence}"
            );
            let (run, doc) = fips_json(&program, &["--expect", "fips"]);
            assert_eq!(run.code, 1, "{name}");
            assert_eq!(rules(&doc), ["fips.fips-build-missing-module"], "{name}");
        }
    }

    #[test]
    fn weak_references_to_fips_symbols_read_as_a_linked_module() {
        // Weak undefined references: symbol table entries that no library provides, so
        // nothing of the module is linked.
        let dir = tempfile::tempdir().unwrap();
        let program = cc(
            dir.path(),
            "weak-refs",
            r#"
extern void aws_lc_fips_0_14_4_AES_encrypt(void) __attribute__((weak));
extern void _goboringcrypto_SHA256(void) __attribute__((weak));
int main(void) {
    if (aws_lc_fips_0_14_4_AES_encrypt) aws_lc_fips_0_14_4_AES_encrypt();
    if (_goboringcrypto_SHA256) _goboringcrypto_SHA256();
    return 0;
}
"#,
            &[],
        );
        let (run, doc) = fips_json(&program, &["--expect", "non-fips"]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        assert_ne!(doc["fips"][0]["verdict"], "fips", "{doc:#}");
        assert!(!evidence(&doc).contains("aws_lc_fips_* symbols"), "{doc:#}");
    }

    /// Go build info as Go's linker writes it: header, version, wrapped module info.
    fn go_build_info_bytes(version: &str, modinfo: &str) -> Vec<u8> {
        let mut data = b"\xff Go buildinf:".to_vec();
        data.extend([8u8, 0x2]);
        data.resize(32, 0);
        let mut wrapped =
            b"\x30\x77\xaf\x0c\x92\x74\x08\x02\x41\xe1\xc1\x07\xe6\xd6\x18\xe6".to_vec();
        wrapped.extend(modinfo.as_bytes());
        wrapped.extend(b"\xf9\x32\x43\x31\x86\x18\x20\x72\x00\x82\x42\x10\x41\x16\xd8\xf2");
        for text in [version.as_bytes(), &wrapped] {
            data.push(u8::try_from(text.len()).unwrap());
            data.extend(text);
        }
        data.resize(data.len().next_multiple_of(16), 0);
        data
    }

    #[test]
    fn c_program_holding_go_build_info_bytes_read_as_go_boringcrypto() {
        // A C array shaped like Go build info saying GOEXPERIMENT=boringcrypto: bytes in the
        // data, not a Go build (Go writes its build info to the .go.buildinfo section).
        let blob = go_build_info_bytes(
            "go1.19.8 X:boringcrypto",
            "path\texample.invalid/fake\nbuild\tGOEXPERIMENT=boringcrypto\n",
        );
        let bytes: Vec<String> = blob.iter().map(u8::to_string).collect();
        let source = format!(
            "#include <stdio.h>\n__attribute__((used, aligned(16))) unsigned char blob[{}] = {{{}}};\nint main(void) {{ printf(\"%d\\n\", blob[3]); return 0; }}\n",
            blob.len(),
            bytes.join(",")
        );
        let dir = tempfile::tempdir().unwrap();
        let program = cc(dir.path(), "fake-go", &source, &[]);
        assert!(contains(
            &std::fs::read(&program).unwrap(),
            "X:boringcrypto"
        ));
        let (run, doc) = fips_json(&program, &["--expect", "non-fips"]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        assert_ne!(doc["fips"][0]["verdict"], "fips", "{doc:#}");
        assert_eq!(doc["fips"][0]["go"], serde_json::Value::Null, "{doc:#}");
    }

    #[test]
    fn status_stamp_counted_as_any_substring_of_a_fips_binary() {
        // A FIPS module built without a stamp; its program text holds "FIPSMode=false" (the
        // default of its stamp variable), which is not the build saying so.
        let path = fixture_bin("go119-boringcrypto-unstripped");
        assert!(contains(&std::fs::read(&path).unwrap(), "FIPSMode=false"));
        let (run, doc) = fips_json(
            &path,
            &["--expect", "fips", "--status-stamp", "FIPSMode=false"],
        );
        assert_eq!(run.code, 1, "{}", run.stdout);
        assert_eq!(rules(&doc), ["fips.status-not-reported"]);
        assert!(
            evidence(&doc).contains("not where a status stamp counts"),
            "{doc:#}"
        );
        // The same binary family with the stamp set where it counts: the -X of -ldflags.
        let (run, doc) = fips_json(&fixture_bin("go119-boringcrypto"), &["--expect", "fips"]);
        assert_eq!(run.code, 0, "{}", run.stdout);
        assert!(
            evidence(&doc).contains("set by -ldflags -X main.BuildStamp"),
            "{doc:#}"
        );
    }

    #[test]
    fn gofips140_latest_passed_as_a_validated_fips_module() {
        let (run, doc) = fips_json(&fixture_bin("go127-fips140-latest"), &["--expect", "fips"]);
        // FIPS mode, stamped: it passes as the FIPS build, with a warning that the module is
        // not a validated version.
        assert_eq!(run.code, 0, "{}", run.stdout);
        assert_eq!(doc["fips"][0]["verdict"], "fips");
        assert!(
            doc["fips"][0]["unvalidated"]
                .as_str()
                .is_some_and(|w| w.contains("GOFIPS140=latest")),
            "{doc:#}"
        );
        assert_eq!(rules(&doc), ["fips.unvalidated-module"]);
        assert_eq!(doc["findings"][0]["warning"], true, "{doc:#}");
        let (run, _) = fips_json(
            &fixture_bin("go127-fips140-latest"),
            &["--expect", "fips", "--deny", "warnings"],
        );
        assert_eq!(run.code, 1, "the warning fails under --deny warnings");
        // The certified snapshot: no warning.
        let (run, doc) = fips_json(&fixture_bin("go127-fips140"), &["--expect", "fips"]);
        assert_eq!(run.code, 0, "{}", run.stdout);
        assert_eq!(rules(&doc), Vec::<String>::new());
        assert_eq!(doc["fips"][0]["unvalidated"], serde_json::Value::Null);
    }

    #[test]
    fn godebug_fips140_only_default_build_passed_as_not_fips() {
        // `godebug fips140=only` in go.mod, no GOFIPS140: the binary runs in FIPS mode with
        // the in-tree module. As the default build it is FIPS; as anything, unvalidated.
        let path = fixture_bin("go127-godebug-fips140-only");
        let (run, doc) = fips_json(&path, &["--expect", "non-fips"]);
        assert_eq!(run.code, 1, "{}", run.stdout);
        assert_eq!(doc["fips"][0]["verdict"], "fips");
        let mut found = rules(&doc);
        found.sort();
        assert_eq!(
            found,
            ["fips.default-links-fips", "fips.unvalidated-module"]
        );
    }
}
