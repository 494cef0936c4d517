//! Shared helpers for the CLI tests: run the real binary on real fixtures.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Once;

/// The date every test run is pinned to, so ages and expiries are reproducible.
pub const TODAY: &str = "2026-11-23";

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures() -> PathBuf {
    root().join("fixtures/advisories")
}

/// Where tests leave the SARIF they produce; CI validates every file in it with the SARIF
/// Multitool.
pub fn sarif_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sarif");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The fixture projects resolve real crates.io packages; make sure cargo has them cached so
/// the scans themselves can run with `CARGO_NET_OFFLINE`. (A registry, never another host.)
pub fn fetch_fixture_crates() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for project in ["app", "workspace", "clean", "real"] {
            let manifest = fixtures().join(project).join("Cargo.toml");
            let offline = Command::new(env!("CARGO"))
                .args(["fetch", "--locked", "--offline", "--manifest-path"])
                .arg(&manifest)
                .stderr(Stdio::null())
                .status()
                .unwrap();
            if !offline.success() {
                let status = Command::new(env!("CARGO"))
                    .args(["fetch", "--locked", "--manifest-path"])
                    .arg(&manifest)
                    .status()
                    .unwrap();
                assert!(
                    status.success(),
                    "cargo fetch failed for {}",
                    manifest.display()
                );
            }
        }
    });
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn command(cwd: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-palisade"));
    cmd.current_dir(cwd)
        .env("CARGO_NET_OFFLINE", "true")
        .env("PALISADE_TODAY", TODAY)
        .env("NO_COLOR", "1")
        // Keep the build-graph cache out of the source tree.
        .env(
            "CARGO_TARGET_DIR",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/fixture-target"),
        )
        .env_remove("PALISADE_ADVISORY_DB")
        .env_remove("PALISADE_GO_VULNDB")
        .env_remove("PALISADE_GO_VULNDB_URL")
        // The Go check reads dependency and standard library code where these point: none
        // unless a test sets them; kept indexes go to the test's own cache.
        .env_remove("GOROOT")
        .env_remove("GOPATH")
        .env(
            "GOMODCACHE",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/no-gomodcache"),
        )
        .env(
            "PALISADE_CACHE_DIR",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/palisade-cache"),
        )
        .env_remove("PALISADE_CACHE_KEY")
        .env_remove("CLICOLOR_FORCE");
    // Hermetic even when the suite itself runs under GitHub Actions.
    for var in [
        "GITHUB_ACTIONS",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_OUTPUT",
        "GITHUB_REPOSITORY",
        "GITHUB_SHA",
        "GITHUB_REF",
        "GITHUB_API_URL",
        "GITHUB_TOKEN",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

pub fn finish(output: Output) -> Run {
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// Runs `cargo-palisade ARGS` in `cwd` under GNU time: the run and its peak resident memory
/// in KiB. `None` where GNU time is missing, which CI images are not.
pub fn peak_rss(cwd: &Path, args: &[&std::ffi::OsStr]) -> Option<(Run, u64)> {
    let time = Path::new("/usr/bin/time");
    if !time.is_file() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI images have GNU time (/usr/bin/time)"
        );
        return None;
    }
    let peak = tempfile::NamedTempFile::new().unwrap();
    // The real binary with the tests' environment, under GNU time.
    let base = command(cwd);
    let mut timed = Command::new(time);
    timed.current_dir(cwd);
    for (key, value) in base.get_envs() {
        match value {
            Some(value) => timed.env(key, value),
            None => timed.env_remove(key),
        };
    }
    timed
        .args(["-f", "%M", "-o"])
        .arg(peak.path())
        .arg(base.get_program())
        .args(args);
    let run = finish(timed.output().unwrap());
    let kib: u64 = std::fs::read_to_string(peak.path())
        .unwrap()
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .expect("GNU time wrote the peak RSS");
    Some((run, kib))
}

/// Runs `cargo-palisade ARGS` in the fixtures folder.
pub fn palisade(args: &[&str]) -> Run {
    fetch_fixture_crates();
    finish(command(&fixtures()).args(args).output().unwrap())
}

/// Runs in another folder.
pub fn palisade_in(cwd: &Path, args: &[&str]) -> Run {
    fetch_fixture_crates();
    finish(command(cwd).args(args).output().unwrap())
}

pub fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", run.stdout))
}

/// The findings of a JSON report whose evidence names `krate`.
pub fn findings_for<'a>(doc: &'a serde_json::Value, krate: &str) -> Vec<&'a serde_json::Value> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["evidence"]["crate"] == krate)
        .collect()
}

/// Asserts an error run: exit 2, and exactly one line on stderr that contains every needle.
pub fn assert_error(run: &Run, needles: &[&str]) {
    assert_eq!(
        run.code, 2,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "expected one error line, got: {}",
        run.stderr
    );
    for needle in needles {
        assert!(
            lines[0].contains(needle),
            "{needle:?} not in {:?}",
            lines[0]
        );
    }
    assert!(lines[0].starts_with("error: "), "{}", lines[0]);
}

/// Copies a fixture folder, without the build output (`target/`) a local cargo run may have
/// left in it: a fresh checkout has none, so neither may the copy.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() == "target" {
            continue;
        }
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Runs git in `dir` with no user or system config; returns its trimmed stdout.
pub fn git_in(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// The names of the checks a `gate` JSON report lists, in order.
pub fn check_names(doc: &serde_json::Value) -> Vec<&str> {
    doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect()
}

/// `--format json` to stdout and `--format sarif --output FILE`.
pub fn json_and_sarif(sarif: &Path) -> [&str; 6] {
    [
        "--format",
        "json",
        "--format",
        "sarif",
        "--output",
        sarif.to_str().unwrap(),
    ]
}

/// Runs with a stdout whose reading end is closed before the process starts (`| head -c0`
/// that already exited): every write fails with a broken pipe, deterministically.
pub fn with_closed_stdout(cwd: &Path, args: &[&str]) -> Run {
    fetch_fixture_crates();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = command(cwd)
        .args(args)
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    finish(output)
}

/// A git repository in a temp dir, on `main`, with an author, no signing and no automatic
/// gc (the tests decide when objects are packed). Test files add their own methods.
pub struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    pub fn new() -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().unwrap(),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "user.name", "Fixture Author"]);
        repo.git(&["config", "user.email", "author@example.invalid"]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        repo.git(&["config", "gc.auto", "0"]);
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn git(&self, args: &[&str]) -> String {
        git_in(self.path(), args)
    }

    pub fn write(&self, file: &str, content: &str) {
        let path = self.path().join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    /// Stages everything and commits; returns the commit id.
    pub fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }
}

/// A new git repository in a temp dir, on `main`, with an author and no signing.
pub fn new_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["init", "-q", "-b", "main"][..],
        &["config", "user.name", "Fixture Author"],
        &["config", "user.email", "author@example.invalid"],
        &["config", "commit.gpgsign", "false"],
        &["config", "tag.gpgsign", "false"],
    ] {
        git_in(dir.path(), args);
    }
    dir
}

/// Writes `files` (path, contents) into `dir` and commits them all with `message`.
pub fn commit_files(dir: &Path, files: &[(&str, &str)], message: &str) {
    for (path, text) in files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, text).unwrap();
    }
    git_in(dir, &["add", "-A"]);
    git_in(dir, &["commit", "-qm", message]);
}

/// Compiles `source` with the system C compiler (`cc FLAGS -o DIR/NAME DIR/NAME.c`): a real
/// binary for the FIPS tests.
pub fn cc(dir: &Path, name: &str, source: &str, flags: &[&str]) -> PathBuf {
    let c = dir.join(format!("{name}.c"));
    std::fs::write(&c, source).unwrap();
    let out = dir.join(name);
    let status = Command::new("cc")
        .args(flags)
        .arg("-o")
        .arg(&out)
        .arg(&c)
        .status()
        .unwrap_or_else(|e| panic!("cannot run cc (install a C compiler): {e}"));
    assert!(status.success(), "cc failed on {name}.c");
    out
}

/// Makes a FIFO at `path` (`mkfifo`).
pub fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
}

/// Runs `cmd` to the end, killing it and failing the test if it takes over 20 s (a read
/// that blocks forever must fail the test, not hang it).
pub fn finish_within_20s(cmd: &mut Command, what: &str) -> Run {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(20) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("{what} did not finish in 20 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    finish(child.wait_with_output().unwrap())
}

/// A custom secret rule for `palisade.toml` (`[[secrets.rules]]`): ACME's internal tokens,
/// `acme_tok_` and 24 lowercase letters or digits.
pub const ACME_RULE: &str = r#"
[[secrets.rules]]
id = "secret.acme-internal-token"
name = "ACME internal service token"
severity = "high"
keywords = ["acme_tok_"]
pattern = '''(?P<secret>acme_tok_[a-z0-9]{24})'''
finds = "ACME's internal service tokens."
why = "They call every internal API."
fix = "Revoke it in the ACME token service."
examples = ["ACME_TOKEN=acme_tok_k3mq7xvb2nz5rt4wy6pa2c3d"]
negative-examples = ["acme_tok_short"]
"#;

/// `--format sarif --output SARIF --format json --output JSON --format human`: every report
/// at once.
pub fn every_format(sarif: &Path, json: &Path) -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = Vec::new();
    for (format, file) in [
        ("sarif", Some(sarif)),
        ("json", Some(json)),
        ("human", None),
    ] {
        args.push("--format".into());
        args.push(format.into());
        if let Some(file) = file {
            args.push("--output".into());
            args.push(file.into());
        }
    }
    args
}
