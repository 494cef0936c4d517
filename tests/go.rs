//! `cargo palisade go` on go.mod trees built in temp dirs and on the fixture database
//! (fixtures/go-vulndb, made by its make.py): build lists, versions, reachability from source,
//! the database's layouts and its fetch from a local server.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn db() -> PathBuf {
    root().join("fixtures/go-vulndb")
}

/// Writes files (path, text) under `dir`.
fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// A service module: x/net's html imported, x/text only from a Windows-only file, x/crypto only
/// from a test.
const SERVICE: &[(&str, &str)] = &[
    (
        "go.mod",
        "module example.com/svc\n\ngo 1.21\n\ntoolchain go1.21.13\n\nrequire (\n\tgolang.org/x/net v0.17.0\n\t\
         golang.org/x/text v0.3.7 // indirect\n\tgolang.org/x/crypto v0.1.0\n)\n",
    ),
    (
        "main.go",
        "// Command svc.\npackage main\n\nimport (\n\t\"fmt\"\n\t\"net/http\"\n\n\th \"golang.org/x/net/html\"\n)\n\n\
         func main() {\n\tfmt.Println(h.EscapeString(\"x\"))\n\t_ = http.ListenAndServe(\":8080\", nil)\n}\n",
    ),
    (
        "internal/win/resolve_windows.go",
        "package win\n\nimport \"golang.org/x/text/language\"\n\nvar _ = language.English\n",
    ),
    (
        "internal/win/guard.go",
        "//go:build windows\n\npackage win\n\nimport _ \"archive/tar\"\n",
    ),
    (
        "main_test.go",
        "package main\n\nimport (\n\t\"testing\"\n\n\t\"golang.org/x/crypto/ssh\"\n)\n\nfunc TestX(t *testing.T) { _ = ssh.NewServerConn }\n",
    ),
];

fn go(dir: &Path, args: &[&str]) -> Run {
    finish(
        command(dir)
            .arg("go")
            .arg("--go-vulndb")
            .arg(db())
            .args(args)
            .output()
            .unwrap(),
    )
}

/// `cargo palisade gate --format json` in `dir` with the fixture database.
fn gate(dir: &Path) -> Run {
    finish(
        command(dir)
            .args(["gate", "--format", "json", "--go-vulndb"])
            .arg(db())
            .output()
            .unwrap(),
    )
}

/// `cargo palisade go ARGS` in `dir` with the fixture database and one more variable set.
fn go_with(dir: &Path, (var, value): (&str, &std::ffi::OsStr), args: &[&str]) -> Run {
    finish(
        command(dir)
            .env(var, value)
            .arg("go")
            .arg("--go-vulndb")
            .arg(db())
            .args(args)
            .output()
            .unwrap(),
    )
}

/// `(id, module, reachability)` of every vulnerability finding, sorted.
fn found(run: &Run) -> Vec<(String, String, String)> {
    let doc = json(run);
    let mut out: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().starts_with("go.vulnerability"))
        .map(|f| {
            (
                f["subject"]["id"].as_str().unwrap().to_string(),
                f["evidence"]["module"].as_str().unwrap().to_string(),
                f["evidence"]["reachability"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn ids(list: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = list
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    out.sort();
    out
}

fn finding<'d>(doc: &'d Value, id: &str) -> &'d Value {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["subject"]["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {doc}"))
}

#[test]
fn source_reachability_is_package_for_imported_packages_and_module_for_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), SERVICE);
    let run = go(dir.path(), &["--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        found(&run),
        ids(&[
            // net/http is imported; source mode tells packages, not symbols.
            ("GO-2099-0001", "stdlib", "package"),
            ("GO-2099-0002", "stdlib", "package"),
            // archive/tar only from a Windows-only file: not in the linux/amd64 build.
            ("GO-2099-0003", "stdlib", "module"),
            ("GO-2099-0006", "stdlib", "module"),
            ("GO-2099-0010", "golang.org/x/text", "module"),
            ("GO-2099-0011", "golang.org/x/net", "package"),
            ("GO-2099-0020", "golang.org/x/net", "module"),
            // x/crypto/ssh only from a test.
            ("GO-2099-0012", "golang.org/x/crypto", "module"),
        ]),
        "withdrawn (0013), Windows-only (0004) and fixed (0005) entries are not findings"
    );
    let doc = json(&run);
    let net = finding(&doc, "GO-2099-0011");
    assert_eq!(net["rule"], "go.vulnerability");
    assert_eq!(net["severity"], "high");
    assert_eq!(net["locations"][0]["path"], "go.mod");
    assert_eq!(net["locations"][0]["line"], 8);
    assert_eq!(net["evidence"]["fixed"], "v0.33.0");
    assert_eq!(net["evidence"]["fix"], "go get golang.org/x/net@v0.33.0");
    assert_eq!(
        net["evidence"]["packages"],
        serde_json::json!(["golang.org/x/net/html"])
    );
    let text = finding(&doc, "GO-2099-0010");
    assert_eq!(text["rule"], "go.vulnerability-unreached");
    let std = finding(&doc, "GO-2099-0001");
    assert_eq!(std["evidence"]["version"], "go1.21.13");
    assert_eq!(
        std["evidence"]["go_version_from"],
        "the toolchain directive"
    );
    assert_eq!(std["evidence"]["fix"], "build with go1.21.20 or later");
    assert_eq!(std["locations"][0]["line"], 5, "the toolchain line");
    assert_eq!(
        std["subject"]["aliases"],
        serde_json::json!(["CVE-2099-0001"])
    );
}

#[test]
fn the_standard_library_is_judged_at_the_shipping_release() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), SERVICE);
    // --go-version wins over the toolchain directive.
    let run = go(
        dir.path(),
        &["--go-version", "go1.25.1", "--format", "json"],
    );
    let stdlib: Vec<_> = found(&run)
        .into_iter()
        .filter(|f| f.1 == "stdlib")
        .collect();
    assert!(stdlib.is_empty(), "{stdlib:?}");
    // Without a toolchain line, the go directive, said to be the minimum.
    let text = std::fs::read_to_string(dir.path().join("go.mod")).unwrap();
    std::fs::write(
        dir.path().join("go.mod"),
        text.replace("toolchain go1.21.13\n", ""),
    )
    .unwrap();
    let run = go(dir.path(), &["--format", "json"]);
    let doc = json(&run);
    let std = finding(&doc, "GO-2099-0001");
    assert_eq!(std["evidence"]["version"], "go1.21.0");
    assert_eq!(std["evidence"]["go_version_from"], "the go directive");
    let run = go(dir.path(), &[]);
    assert!(run.stdout.contains("pass --go-version"), "{}", run.stdout);
    let run = go(dir.path(), &["--go-version", "1.x"]);
    assert_error(&run, &["--go-version", "1.x", "not a Go release"]);
    // `toolchain default` names no release: the go line is read.
    let text = std::fs::read_to_string(dir.path().join("go.mod")).unwrap();
    std::fs::write(
        dir.path().join("go.mod"),
        text.replace("go 1.21\n", "go 1.21\n\ntoolchain default\n"),
    )
    .unwrap();
    let doc = json(&go(dir.path(), &["--format", "json"]));
    assert_eq!(
        finding(&doc, "GO-2099-0001")["evidence"]["go_version_from"],
        "the go directive"
    );
}

#[test]
fn replace_exclude_pseudo_versions_and_incompatible_modules() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            (
                "go.mod",
                "module example.com/m\n\ngo 1.22.1\n\nrequire (\n\tgolang.org/x/text v0.3.7\n\t\
                 golang.org/x/net v0.17.0\n\texample.com/notags v0.0.0-20220101000000-abcdefabcdef\n\t\
                 github.com/palisade-fixture/legacy v2.1.0+incompatible\n\tgolang.org/x/crypto v0.1.0\n)\n\n\
                 replace golang.org/x/text => golang.org/x/text v0.3.8\n\
                 replace golang.org/x/net v0.17.0 => ./third_party/net\n\
                 exclude golang.org/x/crypto v0.1.0\n",
            ),
            (
                "main.go",
                "package main\n\nimport \"github.com/palisade-fixture/legacy/codec\"\n\nfunc main() { codec.X() }\n",
            ),
            ("third_party/net/go.mod", "module golang.org/x/net\n"),
        ],
    );
    let run = go(
        dir.path(),
        &["--go-version", "go1.30.0", "--format", "json"],
    );
    assert_eq!(
        found(&run),
        ids(&[
            // A directory replacement keeps the required version.
            ("GO-2099-0011", "golang.org/x/net", "module"),
            ("GO-2099-0014", "example.com/notags", "module"),
            (
                "GO-2099-0015",
                "github.com/palisade-fixture/legacy",
                "package"
            ),
            ("GO-2099-0020", "golang.org/x/net", "module"),
        ]),
        "x/text is replaced by the fixed v0.3.8; x/crypto's only version is excluded"
    );
    let doc = json(&run);
    assert_eq!(
        finding(&doc, "GO-2099-0011")["evidence"]["replaced_by"],
        "./third_party/net"
    );
    // A later pseudo-version is past the fix.
    let text = std::fs::read_to_string(dir.path().join("go.mod")).unwrap();
    std::fs::write(
        dir.path().join("go.mod"),
        text.replace(
            "v0.0.0-20220101000000-abcdefabcdef",
            "v0.0.0-20230301000000-abcdefabcdef",
        )
        .replace("v2.1.0+incompatible", "v2.3.0+incompatible"),
    )
    .unwrap();
    let run = go(
        dir.path(),
        &["--go-version", "go1.30.0", "--format", "json"],
    );
    assert_eq!(
        found(&run),
        ids(&[
            ("GO-2099-0011", "golang.org/x/net", "module"),
            ("GO-2099-0020", "golang.org/x/net", "module")
        ])
    );
}

#[test]
fn imports_are_followed_through_the_module_cache() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), SERVICE);
    let cache = tempfile::tempdir().unwrap();
    // x/net's html imports x/text/language in this (made-up) version.
    write(
        cache.path(),
        &[
            (
                "golang.org/x/net@v0.17.0/html/parse.go",
                "package html\n\nimport (\n\t\"strings\"\n\t\"golang.org/x/text/language\"\n)\n",
            ),
            (
                "golang.org/x/net@v0.17.0/html/parse_test.go",
                "package html\n\nimport \"golang.org/x/crypto/ssh\"\n",
            ),
        ],
    );
    let run = go_with(
        dir.path(),
        ("GOMODCACHE", cache.path().as_ref()),
        &["--format", "json"],
    );
    let found = found(&run);
    assert!(
        found.contains(&(
            "GO-2099-0010".into(),
            "golang.org/x/text".into(),
            "package".into()
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            "GO-2099-0012".into(),
            "golang.org/x/crypto".into(),
            "module".into()
        )),
        "{found:?}"
    );
}

#[test]
fn modules_before_go_1_17_add_go_sum_and_say_so() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            (
                "go.mod",
                "module example.com/old\n\ngo 1.16\n\nrequire golang.org/x/net v0.17.0\n",
            ),
            (
                "go.sum",
                "golang.org/x/net v0.17.0 h1:aaaa=\ngolang.org/x/net v0.17.0/go.mod h1:bbbb=\n\
                 golang.org/x/text v0.3.7 h1:cccc=\ngolang.org/x/text v0.3.7/go.mod h1:dddd=\n\
                 golang.org/x/crypto v0.0.1/go.mod h1:eeee=\n",
            ),
        ],
    );
    let run = go(
        dir.path(),
        &["--go-version", "go1.30.0", "--format", "json"],
    );
    assert_eq!(
        found(&run),
        ids(&[
            ("GO-2099-0010", "golang.org/x/text", "module"),
            ("GO-2099-0011", "golang.org/x/net", "module"),
            ("GO-2099-0020", "golang.org/x/net", "module"),
        ]),
        "go.sum's /go.mod-only lines are not built"
    );
    let human = go(dir.path(), &["--go-version", "go1.30.0"]);
    assert!(human.stdout.contains("before 1.17"), "{}", human.stdout);
}

/// The fixture database as zips: of the served layout under a top folder (`vulndb/`), and of
/// the OSV files alone.
fn more_zips(into: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for (name, prefix, subs) in [
        ("prefixed.zip", "vulndb/", &["index", "ID"][..]),
        ("plain.zip", "", &["ID"][..]),
    ] {
        let path = into.join(name);
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        let options = zip::write::SimpleFileOptions::default();
        for sub in subs {
            for entry in std::fs::read_dir(db().join(sub)).unwrap() {
                let entry = entry.unwrap();
                let file = entry.file_name().into_string().unwrap();
                let member = match prefix.is_empty() {
                    true => file,
                    false => format!("{prefix}{sub}/{file}"),
                };
                zip.start_file(member, options).unwrap();
                std::io::Write::write_all(&mut zip, &std::fs::read(entry.path()).unwrap()).unwrap();
            }
        }
        zip.finish().unwrap();
        out.push(path);
    }
    out
}

/// The fixture database as a plain folder of OSV files and as a zip of the served layout.
fn other_layouts(into: &Path) -> (PathBuf, PathBuf) {
    let plain = into.join("osv");
    std::fs::create_dir_all(&plain).unwrap();
    let zip_path = into.join("vulndb.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    for sub in ["index", "ID"] {
        for entry in std::fs::read_dir(db().join(sub)).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().into_string().unwrap();
            let bytes = std::fs::read(entry.path()).unwrap();
            if sub == "ID" {
                std::fs::write(plain.join(&name), &bytes).unwrap();
            }
            zip.start_file(format!("{sub}/{name}"), options).unwrap();
            std::io::Write::write_all(&mut zip, &bytes).unwrap();
        }
    }
    zip.finish().unwrap();
    (plain, zip_path)
}

#[test]
fn every_database_layout_gives_the_same_findings() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), SERVICE);
    let layouts = tempfile::tempdir().unwrap();
    let (plain, zip) = other_layouts(layouts.path());
    let served = found(&go(dir.path(), &["--format", "json"]));
    let zips = more_zips(layouts.path());
    for other in [&plain, &zip, &plain, &zips[0], &zips[1]] {
        let run = finish(
            command(dir.path())
                .args(["go", "--format", "json", "--go-vulndb"])
                .arg(other)
                .output()
                .unwrap(),
        );
        assert_eq!(found(&run), served, "{}: {}", other.display(), run.stderr);
    }
    // The plain folder's index was kept (second run) and is rebuilt when a file changes.
    std::fs::remove_file(plain.join("GO-2099-0011.json")).unwrap();
    let run = finish(
        command(dir.path())
            .args(["go", "--format", "json", "--go-vulndb"])
            .arg(&plain)
            .output()
            .unwrap(),
    );
    assert!(
        !found(&run).iter().any(|f| f.0 == "GO-2099-0011"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_missing_empty_or_damaged_database_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), SERVICE);
    let missing = dir.path().join("nowhere");
    let run = finish(
        command(dir.path())
            .args(["go", "--go-vulndb"])
            .arg(&missing)
            .output()
            .unwrap(),
    );
    assert_error(
        &run,
        &[
            "no Go vulnerability database at",
            "nowhere",
            "db fetch --go",
        ],
    );
    let empty = tempfile::tempdir().unwrap();
    let run = finish(
        command(dir.path())
            .args(["go", "--go-vulndb"])
            .arg(empty.path())
            .output()
            .unwrap(),
    );
    assert_error(
        &run,
        &["is unusable", "neither index/modules.json nor OSV files"],
    );
    let damaged = tempfile::tempdir().unwrap();
    copy_dir(&db(), damaged.path());
    std::fs::write(damaged.path().join("ID/GO-2099-0011.json"), "{\"id\": ").unwrap();
    let run = finish(
        command(dir.path())
            .args(["go", "--go-vulndb"])
            .arg(damaged.path())
            .output()
            .unwrap(),
    );
    assert_error(
        &run,
        &["is unusable", "ID/GO-2099-0011.json is not an OSV entry"],
    );
    std::fs::remove_file(damaged.path().join("ID/GO-2099-0011.json")).unwrap();
    let run = finish(
        command(dir.path())
            .args(["go", "--go-vulndb"])
            .arg(damaged.path())
            .output()
            .unwrap(),
    );
    assert_error(&run, &["cannot read ID/GO-2099-0011.json"]);
    let not_zip = dir.path().join("vulndb.zip");
    std::fs::write(&not_zip, "not a zip").unwrap();
    let run = finish(
        command(dir.path())
            .args(["go", "--go-vulndb"])
            .arg(&not_zip)
            .output()
            .unwrap(),
    );
    assert_error(&run, &["vulndb.zip is unusable", "not a zip archive"]);
}

#[test]
fn a_bad_go_mod_or_nothing_to_check_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let run = go(dir.path(), &[]);
    assert_error(&run, &["nothing to check for Go", "--go-mod"]);
    write(
        dir.path(),
        &[(
            "go.mod",
            "module m\n\ngo 1.22\n\nrequire golang.org/x/net 0.17\n",
        )],
    );
    let run = go(dir.path(), &[]);
    assert_error(&run, &["go.mod:5:", "`0.17` is not a module version"]);
}

#[test]
fn a_stale_database_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), SERVICE);
    let run = go_with(
        dir.path(),
        ("PALISADE_TODAY", "2027-06-01".as_ref()),
        &["--format", "json"],
    );
    let doc = json(&run);
    let stale: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "go.db-stale")
        .collect();
    assert_eq!(stale.len(), 1, "{doc}");
    assert!(stale[0]["message"].as_str().unwrap().contains("2026-11-01"));
}

#[test]
fn ignores_need_a_reason_and_suppress_by_id_or_alias() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), SERVICE);
    write(
        dir.path(),
        &[(
            "palisade.toml",
            "[go]\n[[go.ignore]]\nid = \"GO-2099-0011\"\nreason = \"we escape only\"\nticket = \"SEC-7\"\n\
             [[go.ignore]]\nid = \"CVE-2099-0001\"\nreason = \"behind a proxy\"\nticket = \"SEC-8\"\n\
             [[go.ignore]]\nid = \"GO-2099-0002\"\nreason = \"not used\"\nticket = \"SEC-9\"\n",
        )],
    );
    let run = go(dir.path(), &["--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    write(
        dir.path(),
        &[("palisade.toml", "[[go.ignore]]\nid = \"GO-2099-0011\"\n")],
    );
    let run = go(dir.path(), &[]);
    assert_error(&run, &["palisade.toml:1:", "GO-2099-0011 has no `reason`"]);
}

#[test]
fn severity_per_reachability_is_configurable() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), SERVICE);
    write(
        dir.path(),
        &[(
            "palisade.toml",
            "[go.severity]\npackage = \"warn\"\nmodule = \"critical\"\n",
        )],
    );
    let run = go(dir.path(), &["--format", "json"]);
    let doc = json(&run);
    assert_eq!(
        finding(&doc, "GO-2099-0011")["rule"],
        "go.vulnerability-unreached"
    );
    let crypto = finding(&doc, "GO-2099-0012");
    assert_eq!(crypto["rule"], "go.vulnerability");
    assert_eq!(crypto["severity"], "critical");
    assert_eq!(run.code, 1);
}

#[test]
fn the_database_is_fetched_from_a_local_server_and_replaced_only_when_good() {
    let layouts = tempfile::tempdir().unwrap();
    let (_, zip) = other_layouts(layouts.path());
    let archive = std::fs::read(&zip).unwrap();
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let base = format!("http://{}", server.server_addr().to_ip().unwrap());
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            let response = match request.url() {
                "/good/vulndb.zip" => tiny_http::Response::from_data(archive.clone()),
                "/junk/vulndb.zip" => tiny_http::Response::from_data(b"<html>nope</html>".to_vec()),
                _ => tiny_http::Response::from_data(b"missing".to_vec()).with_status_code(404),
            };
            let _ = request.respond(response);
        }
    });
    let home = tempfile::tempdir().unwrap();
    let target = home.path().join("go-vulndb");
    let fetch = |path: &str| {
        finish(
            command(home.path())
                .env("PALISADE_GO_VULNDB_URL", format!("{base}/{path}"))
                .args(["db", "fetch", "--go", "--go-vulndb"])
                .arg(&target)
                .output()
                .unwrap(),
        )
    };
    let run = fetch("good");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("17 entries"), "{}", run.stderr);
    assert!(
        target.join("index/modules.json").is_file()
            && target.join("ID/GO-2099-0001.json").is_file()
    );
    for (path, needle) in [("junk", "not a zip archive"), ("gone", "404")] {
        let run = fetch(path);
        assert_eq!(run.code, 2, "{}", run.stderr);
        let last = run.stderr.lines().last().unwrap();
        assert!(
            last.starts_with("error: fetching the Go vulnerability database"),
            "{last}"
        );
        assert!(last.contains(needle), "{last}");
        assert!(
            target.join("ID/GO-2099-0001.json").is_file(),
            "the old copy stays"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), SERVICE);
    let run = finish(
        command(dir.path())
            .args(["go", "--format", "json", "--go-vulndb"])
            .arg(&target)
            .output()
            .unwrap(),
    );
    assert_eq!(found(&run).len(), 8, "{}", run.stderr);
}

#[test]
fn sarif_results_point_at_the_go_mod_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), SERVICE);
    let sarif = sarif_dir().join("go-source.sarif");
    let run = go(
        dir.path(),
        &["--format", "sarif", "--output", sarif.to_str().unwrap()],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc: Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 8);
    for result in results {
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "go.mod", "{result}");
        assert!(
            location["region"]["startLine"].as_u64().unwrap() > 0,
            "{result}"
        );
    }
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(rules.iter().any(|r| r["id"] == "GO-2099-0011"), "{rules:?}");
}

#[test]
fn gate_picks_up_go_mod_and_init_writes_the_go_section() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), SERVICE);
    let init = palisade_in(dir.path(), &["init"]);
    assert_eq!(init.code, 0, "{}", init.stderr);
    let config = std::fs::read_to_string(dir.path().join("palisade.toml")).unwrap();
    assert!(
        config.contains("[go]") && config.contains("go-version = \"go1.21.13\""),
        "{config}"
    );
    let run = gate(dir.path());
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = json(&run);
    assert_eq!(check_names(&doc), ["go"], "{doc}");
    assert_eq!(found(&run).len(), 8);
}

fn bin(name: &str) -> PathBuf {
    root().join("fixtures/go/bin").join(name)
}

/// `(id, module, reachability, symbols)` of a binary's vulnerability findings.
fn found_in_binary(name: &str) -> (Run, Vec<(String, String, String)>) {
    let run = go(
        &root(),
        &["--format", "json", "--binary", bin(name).to_str().unwrap()],
    );
    assert!(run.code == 0 || run.code == 1, "{name}: {}", run.stderr);
    let found = found(&run);
    (run, found)
}

/// What the fixture server's linux/amd64 builds reach of the fixture database (see
/// fixtures/go/README.md for what the server calls).
const SERVER_LINUX: &[(&str, &str, &str)] = &[
    ("GO-2099-0001", "stdlib", "symbol"),
    ("GO-2099-0003", "stdlib", "module"),
    ("GO-2099-0006", "stdlib", "symbol"),
    ("GO-2099-0010", "golang.org/x/text", "symbol"),
    ("GO-2099-0011", "golang.org/x/net", "package"),
    ("GO-2099-0012", "golang.org/x/crypto", "module"),
    ("GO-2099-0018", "github.com/sirupsen/logrus", "symbol"),
    ("GO-2099-0020", "golang.org/x/net", "symbol"),
];

#[test]
fn binaries_are_judged_to_the_symbol_and_stripping_changes_nothing() {
    let mut go121 = ids(SERVER_LINUX);
    // Fixed in go1.22.0: only the go1.21 build has it, at package level (net/http is linked,
    // the listed method is not).
    go121.push(("GO-2099-0002".into(), "stdlib".into(), "package".into()));
    go121.sort();
    for (name, want) in [
        ("server-go121", &go121),
        ("server-go121-stripped", &go121),
        ("server-go124", &ids(SERVER_LINUX)),
        ("server-go124-stripped", &ids(SERVER_LINUX)),
        ("server-go124-stripped-darwin-arm64", &ids(SERVER_LINUX)),
    ] {
        let (run, found) = found_in_binary(name);
        assert_eq!(&found, want, "{name}");
        assert_eq!(run.code, 1);
    }
    let (run, _) = found_in_binary("server-go124-stripped");
    let doc = json(&run);
    let text = finding(&doc, "GO-2099-0010");
    assert_eq!(
        text["evidence"]["symbols"],
        serde_json::json!([
            "golang.org/x/text/language.Parse",
            "golang.org/x/text/language.ParseAcceptLanguage"
        ])
    );
    assert_eq!(text["evidence"]["fix"], "go get golang.org/x/text@v0.3.8");
    assert_eq!(text["severity"], "high");
    // A method, as the database names it (Type.Method).
    let idna = finding(&doc, "GO-2099-0020");
    assert_eq!(
        idna["evidence"]["symbols"],
        serde_json::json!(["golang.org/x/net/idna.Profile.ToASCII"])
    );
    assert_eq!(
        finding(&doc, "GO-2099-0001")["evidence"]["fix"],
        "build with go1.24.20 or later"
    );
    let build = &doc["go"]["builds"][0];
    assert_eq!(build["go_version"], "go1.24.11");
    assert_eq!(build["platform"], "linux/amd64");
    assert!(build["functions"].as_u64().unwrap() > 5000, "{build}");
}

#[test]
fn a_replaced_module_is_judged_at_its_replacement() {
    let (run, found) = found_in_binary("server-go121");
    // logrus v1.9.0 => v1.9.3: 0017 (fixed in 1.9.1) does not apply, 0018 (1.9.2–1.9.4) does.
    assert!(!found.iter().any(|f| f.0 == "GO-2099-0017"), "{found:?}");
    let doc = json(&run);
    let logrus = finding(&doc, "GO-2099-0018");
    assert_eq!(logrus["evidence"]["version"], "v1.9.3");
    assert_eq!(
        logrus["evidence"]["replaced_by"],
        "github.com/sirupsen/logrus v1.9.3"
    );
}

#[test]
fn platform_specific_entries_apply_to_their_platform_only() {
    let (_, found) = found_in_binary("server-go124-stripped-windows-amd64.exe");
    let mut want = ids(SERVER_LINUX);
    want.push(("GO-2099-0004".into(), "stdlib".into(), "package".into()));
    want.push((
        "GO-2099-0019".into(),
        "golang.org/x/sys".into(),
        "symbol".into(),
    ));
    want.sort();
    assert_eq!(found, want);
}

#[test]
fn what_is_not_a_readable_go_binary_is_an_error_naming_it() {
    let rust = root().join("fixtures/fips/bin/rust-rustls-default");
    let run = go(&root(), &["--binary", rust.to_str().unwrap()]);
    assert_error(&run, &["rust-rustls-default", "is not a Go binary"]);
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("server-cut");
    let data = std::fs::read(bin("server-go124-stripped")).unwrap();
    std::fs::write(&cut, &data[..data.len() / 2]).unwrap();
    let run = go(&root(), &["--binary", cut.to_str().unwrap()]);
    assert_error(&run, &["server-cut"]);
    let run = go(&root(), &["--binary", "no/such/binary"]);
    assert_error(&run, &["cannot read no/such/binary"]);
}

#[test]
fn sarif_results_of_a_binary_point_at_the_binary() {
    let sarif = sarif_dir().join("go-binary.sarif");
    let run = go(
        &root(),
        &[
            "--binary",
            bin("server-go124-stripped").to_str().unwrap(),
            "--format",
            "sarif",
            "--output",
            sarif.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc: Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), SERVER_LINUX.len());
    for result in results {
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(
            uri.ends_with("fixtures/go/bin/server-go124-stripped"),
            "{uri}"
        );
    }
}

#[test]
fn gate_judges_the_binaries_the_config_names() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[(
            "palisade.toml",
            &format!(
                "[go]\nbinaries = [\"{}\"]\n",
                bin("server-go124-stripped").display()
            ),
        )],
    );
    let run = gate(dir.path());
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(found(&run), ids(SERVER_LINUX));
}

#[test]
fn the_fixture_trees_imports_are_read_as_the_go_command_builds_them() {
    let modern = root().join("fixtures/go/mod/modern/go.mod");
    let run = go(
        &root(),
        &["--format", "json", "--go-mod", modern.to_str().unwrap()],
    );
    // Tests, testdata/, `//go:build ignore`, Windows-only files and cgo are read as the go
    // command reads them for linux/amd64 (fixtures/go/mod/expected.json).
    assert_eq!(
        found(&run),
        ids(&[
            ("GO-2099-0001", "stdlib", "package"),
            ("GO-2099-0003", "stdlib", "module"),
            ("GO-2099-0006", "stdlib", "module"),
            ("GO-2099-0010", "golang.org/x/text", "module"),
            ("GO-2099-0011", "golang.org/x/net", "package"),
            ("GO-2099-0012", "golang.org/x/crypto", "module"),
            ("GO-2099-0020", "golang.org/x/net", "package"),
        ])
    );
    let doc = json(&run);
    assert_eq!(doc["go"]["builds"][0]["files"], 4, "{}", doc["go"]);
    let cache = root().join("fixtures/go/mod/modcache");
    let with_cache = go_with(
        &root(),
        ("GOMODCACHE", cache.as_ref()),
        &["--format", "json", "--go-mod", modern.to_str().unwrap()],
    );
    let doc = json(&with_cache);
    assert_eq!(doc["go"]["builds"][0]["followed"], 7, "{}", doc["go"]);
}

#[test]
fn the_standard_librarys_vendored_x_net_was_counted_as_the_services_x_net() {
    // A GOROOT whose net/http imports golang.org/x/net/idna, as the real one does (the go
    // command resolves it to the standard library's vendor/ copy).
    let goroot = tempfile::tempdir().unwrap();
    write(
        goroot.path(),
        &[
            (
                "src/net/http/server.go",
                "package http\n\nimport (\n\t\"net/url\"\n\t\"golang.org/x/net/idna\"\n)\n",
            ),
            ("src/net/url/url.go", "package url\n\nimport \"strings\"\n"),
            ("src/vendor/golang.org/x/net/idna/idna.go", "package idna\n"),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), SERVICE);
    let run = go_with(
        dir.path(),
        ("GOROOT", goroot.path().as_ref()),
        &["--format", "json"],
    );
    let found = found(&run);
    assert!(
        found.contains(&(
            "GO-2099-0020".into(),
            "golang.org/x/net".into(),
            "module".into()
        )),
        "{found:?}"
    );
    let doc = json(&run);
    assert!(
        doc["go"]["builds"][0]["files"].as_u64().unwrap() >= 3,
        "{}",
        doc["go"]
    );
}
