//! Secrets inside archives and compressed files (gzip, xz, bzip2, zstd, tar, zip and zip-based
//! `.jar`), in
//! history, `--since`, `--worktree` and `--staged`: found and named by member
//! (`dist/release.tar.gz!release/.env`), nested archives too; an archive that hits a bound
//! (a zip bomb), is damaged, or uses a compression no decoder here reads (zstd inside a zip) is a
//! `secrets.archive-truncated` warning, never a silent pass.

use super::*;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn xz(bytes: &[u8]) -> Vec<u8> {
    let options = lzma_rust2::XzOptions::with_preset(6);
    let mut encoder = lzma_rust2::XzWriter::new(Vec::new(), options).unwrap();
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn bzip2(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(bytes, ruzstd::encoding::CompressionLevel::Fastest)
}

fn tar(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, bytes) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, path, *bytes).unwrap();
    }
    builder.into_inner().unwrap()
}

fn zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (path, bytes) in files {
        writer
            .start_file(*path, zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// `zip` with its member `name` turned into one compressed with zstd (method 93), holding
/// `plain`: the zip crate writes zstd members only with a C library, so the member is written
/// stored with a zstd frame as its content and its headers' method, CRC and size made a zstd
/// member's.
fn with_zstd_member(mut zip: Vec<u8>, name: &str, plain: &[u8]) -> Vec<u8> {
    let mut crc = flate2::Crc::new();
    crc.update(plain);
    let (crc, size) = (crc.sum().to_le_bytes(), (plain.len() as u32).to_le_bytes());
    // (signature, name length at, name at, method at, CRC at, uncompressed size at)
    for (signature, len_at, name_at, method, crc_at, size_at) in [
        (b"PK\x03\x04", 26, 30, 8, 14, 22),
        (b"PK\x01\x02", 28, 46, 10, 16, 24),
    ] {
        let start = (0..zip.len() - 4)
            .find(|&i| {
                &zip[i..i + 4] == signature && {
                    let len = u16::from_le_bytes([zip[i + len_at], zip[i + len_at + 1]]);
                    zip.get(i + name_at..i + name_at + usize::from(len)) == Some(name.as_bytes())
                }
            })
            .unwrap();
        zip[start + method..start + method + 2].copy_from_slice(&93u16.to_le_bytes());
        zip[start + crc_at..start + crc_at + 4].copy_from_slice(&crc);
        zip[start + size_at..start + size_at + 4].copy_from_slice(&size);
    }
    zip
}

impl Repo {
    fn write_bytes(&self, file: &str, bytes: &[u8]) {
        let path = self.path().join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

fn finding<'a>(doc: &'a Value, rule: &str) -> &'a Value {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["subject"]["id"] == rule || f["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} finding: {doc:#}"))
}

fn release() -> Vec<u8> {
    let env = format!("PORT=8080\nGITHUB_TOKEN={GITHUB_PAT}\n");
    gzip(&tar(&[
        ("release/README", b"release notes\n"),
        ("release/.env", env.as_bytes()),
    ]))
}

#[test]
fn a_secret_in_a_tar_gz_names_the_member() {
    let repo = Repo::new();
    repo.write_bytes("dist/release.tar.gz", &release());
    let commit = repo.commit("release");
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let f = only_finding(&doc, "secret.github-pat");
    assert_eq!(
        f["locations"][0]["path"],
        "dist/release.tar.gz!release/.env"
    );
    assert_eq!(f["locations"][0]["line"], 2);
    assert_eq!(f["locations"][0]["column"], 14);
    assert_eq!(f["evidence"]["member"], "release/.env");
    assert_eq!(f["evidence"]["introduced_by"]["id"], commit.as_str());
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("dist/release.tar.gz!release/.env:2"),
        "{f:#}"
    );
}

#[test]
fn zip_jar_gzip_and_nested_archives_are_read() {
    let repo = Repo::new();
    let properties = format!("stripe.key={STRIPE}\n");
    repo.write_bytes(
        "libs/app.jar",
        &zip(&[
            ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n"),
            ("app.properties", properties.as_bytes()),
        ]),
    );
    repo.write_bytes(
        "logs/deploy.log.gz",
        &gzip(format!("{AGE_KEY}\n").as_bytes()),
    );
    // A zip inside a tar.gz: two archives deep.
    let inner = zip(&[(
        ".env",
        format!("aws_secret_access_key = {AWS_SECRET}\n").as_bytes(),
    )]);
    repo.write_bytes("bundle.tgz", &gzip(&tar(&[("inner/app.zip", &inner)])));
    repo.commit("artifacts");
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        finding(&doc, "secret.stripe-live-secret-key")["locations"][0]["path"],
        "libs/app.jar!app.properties"
    );
    let age = finding(&doc, "secret.age-identity");
    assert!(
        age["locations"][0]["path"]
            .as_str()
            .unwrap()
            .starts_with("logs/deploy.log.gz!"),
        "{age:#}"
    );
    assert_eq!(
        finding(&doc, "secret.aws-secret-access-key")["locations"][0]["path"],
        "bundle.tgz!inner/app.zip!.env"
    );
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["rule"] != "secrets.archive-truncated"),
        "{doc:#}"
    );
}

#[test]
fn a_zip_bomb_and_damaged_archives_are_warnings_not_silent_passes() {
    let repo = Repo::new();
    // 20 MB of text in 20 KB: far over the unpacked-per-stored bound.
    repo.write_bytes("bomb.gz", &gzip(&vec![b'a'; 20 << 20]));
    // The same inside a tar, behind a binary member that is skipped unread: what the
    // decompressor inflates to skip it still counts.
    repo.write_bytes(
        "bomb.tar.gz",
        &gzip(&tar(&[
            ("zeros.bin", &vec![0u8; 20 << 20]),
            ("x.env", b"A=1\n"),
        ])),
    );
    let mut damaged = release();
    damaged.truncate(damaged.len() / 2);
    repo.write_bytes("damaged.tar.gz", &damaged);
    // An xz stream cut after its header.
    repo.write_bytes("data.xz", b"\xfd7zXZ\x00\x00\x04\xe6\xd6\xb4\x46\x02\x00");
    repo.commit("odd files");
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 0, "{doc:#}");
    let truncated: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "secrets.archive-truncated")
        .collect();
    let paths: Vec<&str> = truncated
        .iter()
        .map(|f| f["evidence"]["path"].as_str().unwrap())
        .collect();
    assert_eq!(truncated.len(), 4, "{doc:#}");
    for path in ["bomb.gz", "bomb.tar.gz", "damaged.tar.gz", "data.xz"] {
        assert!(paths.contains(&path), "{path} not in {paths:?}");
    }
    let bomb = truncated
        .iter()
        .find(|f| f["evidence"]["path"] == "bomb.gz")
        .unwrap();
    assert!(
        bomb["evidence"]["reason"]
            .as_str()
            .unwrap()
            .contains("unpacked bytes"),
        "{bomb:#}"
    );
    // The policy can make it fatal.
    let (strict, _) = repo.scan(&["--deny", "warnings"]);
    assert_eq!(strict.code, 1);
}

#[test]
fn archives_are_read_in_since_worktree_and_staged() {
    let repo = Repo::new();
    repo.write("README.md", "service\n");
    repo.commit("initial");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write_bytes("dist/release.tar.gz", &release());
    repo.commit("release");
    let (run, doc) = repo.scan(&["--since", "main"]);
    assert_eq!(run.code, 1, "{doc:#}");
    assert_eq!(
        only_finding(&doc, "secret.github-pat")["locations"][0]["path"],
        "dist/release.tar.gz!release/.env"
    );
    let (run, doc) = repo.scan(&["--worktree"]);
    assert_eq!(run.code, 1, "{doc:#}");
    assert_eq!(
        only_finding(&doc, "secret.github-pat")["locations"][0]["path"],
        "dist/release.tar.gz!release/.env"
    );
    repo.write_bytes(
        "staged.zip",
        &zip(&[("conf/app.env", format!("STRIPE={STRIPE}\n").as_bytes())]),
    );
    repo.git(&["add", "staged.zip"]);
    let (run, doc) = repo.scan(&["--staged"]);
    assert_eq!(run.code, 1, "{doc:#}");
    assert_eq!(
        only_finding(&doc, "secret.stripe-live-secret-key")["locations"][0]["path"],
        "staged.zip!conf/app.env"
    );
}

/// xz, bzip2 and zstd were reported as unread: a `.tar.xz`, a `.bz2` and a `.tar.zst` holding
/// a token are read and the token named by member; the same inside a zip (bzip2 and xz
/// members) too.
#[test]
fn xz_bzip2_and_zstd_were_not_read_nor_zstd_zip_members() {
    let repo = Repo::new();
    let env = format!("PORT=8080\nGITHUB_TOKEN={GITHUB_PAT}\n");
    let tarred = tar(&[("release/.env", env.as_bytes())]);
    repo.write_bytes("dist/release.tar.xz", &xz(&tarred));
    repo.write_bytes("dist/release.tar.zst", &zstd(&tarred));
    repo.write_bytes("backup/settings.env.bz2", &bzip2(env.as_bytes()));
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, method) in [
        ("a.env", zip::CompressionMethod::Bzip2),
        ("b.env", zip::CompressionMethod::Xz),
    ] {
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        writer.start_file(name, options).unwrap();
        writer.write_all(env.as_bytes()).unwrap();
    }
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    writer.start_file("c.env", stored).unwrap();
    writer.write_all(&zstd(env.as_bytes())).unwrap();
    let bundle = with_zstd_member(
        writer.finish().unwrap().into_inner(),
        "c.env",
        env.as_bytes(),
    );
    repo.write_bytes("dist/bundle.zip", &bundle);
    repo.commit("release artefacts");
    let (run, doc) = repo.scan(&[]);
    assert_eq!(run.code, 1, "{doc:#}");
    let token = finding(&doc, "secret.github-pat");
    let mut places: Vec<String> = std::iter::once(&token["evidence"])
        .chain(token["evidence"]["occurrences"].as_array().unwrap())
        .map(|o| o["path"].as_str().unwrap().to_string())
        .collect();
    places.sort();
    assert_eq!(
        places,
        [
            "backup/settings.env.bz2!(bzip2-decompressed)",
            "dist/bundle.zip!a.env",
            "dist/bundle.zip!b.env",
            "dist/bundle.zip!c.env",
            "dist/release.tar.xz!release/.env",
            "dist/release.tar.zst!release/.env",
        ],
        "{doc:#}"
    );
    let truncated = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "secrets.archive-truncated")
        .count();
    assert_eq!(truncated, 0, "{doc:#}");
}

/// A blob over `--max-blob-size` was counted in the summary and nothing else: a gate that could
/// not look passed. It is a `secrets.blob-not-read` warning naming the file, in history and in
/// the work tree, that `--deny warnings` makes fatal.
#[test]
fn a_blob_over_the_size_limit_passed_silently() {
    let repo = Repo::new();
    let dump = format!("{}GITHUB_TOKEN={GITHUB_PAT}\n", "-- row\n".repeat(600));
    repo.write("db/dump.sql", &dump);
    // Binary that is no archive is skipped as binary whatever its size, not reported.
    let mut image = vec![0u8; 4096];
    image[..8].copy_from_slice(b"\x89PNG\r\n\x1a\n");
    repo.write_bytes("assets/logo.png", &image);
    repo.commit("dump");
    repo.git(&["repack", "-adq"]);
    for scope in [&[][..], &["--worktree"][..]] {
        let mut args = vec!["--max-blob-size", "2048"];
        args.extend_from_slice(scope);
        let (run, doc) = repo.scan(&args);
        assert_eq!(run.code, 0, "{doc:#}");
        let unread: Vec<&Value> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "secrets.blob-not-read")
            .collect();
        assert_eq!(unread.len(), 1, "{doc:#}");
        let f = unread[0];
        assert_eq!(f["locations"][0]["path"], "db/dump.sql", "{f:#}");
        assert_eq!(doc["secrets"]["skipped_binary"], 1, "{doc:#}");
        assert!(
            f["message"]
                .as_str()
                .unwrap()
                .contains("over --max-blob-size (2048 bytes)"),
            "{f:#}"
        );
        args.extend_from_slice(&["--deny", "warnings"]);
        assert_eq!(repo.scan(&args).0.code, 1);
    }
}

/// `MiB` of bytes that do not compress, gzipped in a tar beside a `.env` holding the token.
fn large_release(mib: usize, seed: u64) -> Vec<u8> {
    let mut state = seed;
    let noise: Vec<u8> = (0..mib << 20)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    let env = format!("GITHUB_TOKEN={GITHUB_PAT}\n");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder
        .write_all(&tar(&[
            ("noise.bin", &noise),
            ("release/.env", env.as_bytes()),
        ]))
        .unwrap();
    encoder.finish().unwrap()
}

/// A large archive was inflated whole and then unpacked: in a pack, the pack's mapping and the
/// blob both in memory; loose or staged, the file's content and the blob. It is unpacked as it
/// is inflated, packed, loose or staged.
#[test]
fn a_large_archive_in_history_was_held_whole_in_memory() {
    let archive = large_release(24, 0x2545_f491_4f6c_dd1d);
    let small = Repo::new();
    small.write("README.md", "service\n");
    small.commit("initial");
    let scan = [
        "secrets",
        ".",
        "--format",
        "json",
        "--max-blob-size",
        "100000000",
    ]
    .map(std::ffi::OsStr::new);
    let Some((_, base)) = peak_rss(small.path(), &scan) else {
        return;
    };
    for stored in ["packed", "loose", "staged"] {
        let repo = Repo::new();
        repo.write("README.md", "service\n");
        repo.commit("initial");
        repo.write_bytes("dist/release.tar.gz", &archive);
        let mut args = scan.to_vec();
        match stored {
            "staged" => {
                repo.git(&["add", "-A"]);
                args.push("--staged".as_ref());
            }
            _ => {
                repo.commit("release");
            }
        }
        if stored == "packed" {
            repo.git(&["repack", "-adq"]);
        }
        let Some((run, peak)) = peak_rss(repo.path(), &args) else {
            return;
        };
        assert_eq!(run.code, 1, "{}", run.stderr);
        let doc: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(
            finding(&doc, "secret.github-pat")["locations"][0]["path"],
            "dist/release.tar.gz!release/.env"
        );
        let archive_kib = archive.len() as u64 / 1024;
        assert!(
            peak.saturating_sub(base) < archive_kib * 3 / 2,
            "{stored}: a {} MiB archive took {} MiB over a small repository's {} MiB",
            archive_kib / 1024,
            peak.saturating_sub(base) / 1024,
            base / 1024
        );
    }
}

/// A large loose archive is read as a stream, and its file still must hash to its name: one
/// whose content was swapped for another object's is an error naming the file.
#[test]
fn a_swapped_large_loose_object_is_refused() {
    let repo = Repo::new();
    repo.write_bytes("a.tar.gz", &large_release(9, 1));
    repo.write_bytes("b.tar.gz", &large_release(9, 2));
    repo.commit("releases");
    let a = repo.git(&["rev-parse", "HEAD:a.tar.gz"]);
    let b = repo.git(&["rev-parse", "HEAD:b.tar.gz"]);
    let object = |id: &str| {
        repo.path()
            .join(format!(".git/objects/{}/{}", &id[..2], &id[2..]))
    };
    let swapped = std::fs::read(object(&b)).unwrap();
    std::fs::set_permissions(object(&a), std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::write(object(&a), swapped).unwrap();
    let (run, _) = repo.scan(&["--max-blob-size", "100000000"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(&a[..2]) && run.stderr.contains("hash"),
        "{}",
        run.stderr
    );
}
