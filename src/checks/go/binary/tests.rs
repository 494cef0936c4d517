//! Tests on real Go binaries (fixtures) and on synthetic ELF images for the
//! Go 1.16–1.17 formats no toolchain here can produce.

use std::collections::BTreeSet;

use super::pclntab::tests::build as build_pclntab;
use super::*;

/// Fixture root. In Palisade: `concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures")`.
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");

fn fixture(rel: &str) -> Vec<u8> {
    let path = format!("{FIXTURES}/{rel}");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn go(rel: &str) -> GoBinary {
    match read(&fixture(rel)) {
        Ok(Some(b)) => b,
        other => panic!("{rel}: {other:?}"),
    }
}

fn names(b: &GoBinary) -> BTreeSet<&str> {
    b.functions.as_ref().expect("functions").names().collect()
}

const FIPS_GO: [&str; 9] = [
    "fips/bin/go119-boringcrypto",
    "fips/bin/go119-boringcrypto-unstripped",
    "fips/bin/go119-plain",
    "fips/bin/go127-fips140",
    "fips/bin/go127-fips140-latest",
    "fips/bin/go127-godebug-fips140-only",
    "fips/bin/go127-plain",
    "fips/bin/go127-plain-darwin-arm64",
    "fips/bin/go127-plain-windows-amd64.exe",
];

#[test]
fn non_go_binaries_are_none() {
    for rel in ["fips/bin/rust-rustls-default", "fips/bin/rust-rustls-fips"] {
        assert!(matches!(read(&fixture(rel)), Ok(None)), "{rel}");
    }
    for junk in [&b""[..], b"#!/bin/sh\necho hi\n", b"\x7fELF", &[0u8; 4096]] {
        assert!(matches!(read(junk), Ok(None)));
    }
}

#[test]
fn fips_build_info_matches_go_version_m() {
    // Expectations transcribed from `go version -m` (go1.24.11).
    let b = go("fips/bin/go119-boringcrypto");
    assert_eq!(b.go_version, "go1.19.8 X:boringcrypto");
    assert_eq!(
        b.path.as_deref(),
        Some("example.invalid/palisade-fips-fixture")
    );
    let main = b.main.as_ref().unwrap();
    assert_eq!(main.path, "example.invalid/palisade-fips-fixture");
    assert_eq!(main.version, "(devel)");
    assert_eq!(main.sum, None);
    assert!(b.deps.is_empty());
    let want: Vec<(String, String)> = [
        ("-compiler", "gc"),
        ("-ldflags", "-s -w -X main.BuildStamp=FIPSMode=true"),
        ("CGO_ENABLED", "1"),
        ("CGO_CFLAGS", ""),
        ("CGO_CPPFLAGS", ""),
        ("CGO_CXXFLAGS", ""),
        ("CGO_LDFLAGS", ""),
        ("GOARCH", "amd64"),
        ("GOEXPERIMENT", "boringcrypto"),
        ("GOOS", "linux"),
        ("GOAMD64", "v1"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(b.settings, want);
    assert_eq!((b.goos(), b.goarch()), (Some("linux"), Some("amd64")));

    let b = go("fips/bin/go127-fips140");
    assert_eq!(b.go_version, "go1.27.3");
    assert_eq!(b.setting("-tags"), Some("fips140v1.0"));
    assert_eq!(b.setting("GOFIPS140"), Some("v1.0.0-c2097c7c"));
    assert!(b.setting("DefaultGODEBUG").unwrap().contains("fips140=on,"));
    assert_eq!(b.settings.len(), 14);

    let b = go("fips/bin/go127-plain-darwin-arm64");
    assert_eq!((b.goos(), b.goarch()), (Some("darwin"), Some("arm64")));
    assert_eq!(b.setting("GOARM64"), Some("v8.0"));
    let b = go("fips/bin/go127-plain-windows-amd64.exe");
    assert_eq!((b.goos(), b.goarch()), (Some("windows"), Some("amd64")));
    assert_eq!(b.setting("CGO_ENABLED"), Some("0"));
}

#[test]
fn fips_function_names() {
    for rel in FIPS_GO {
        let b = go(rel);
        let f = b
            .functions
            .as_ref()
            .unwrap_or_else(|| panic!("{rel}: no pclntab"));
        let n = names(&b);
        for want in ["main.main", "runtime.main", "runtime.goexit"] {
            assert!(n.contains(want), "{rel}: {want} missing");
        }
        assert_eq!(n.len(), f.len(), "{rel}: duplicate names");
        assert!(f.len() > f.linked_count(), "{rel}: no inlined-only names");
        assert!(f.linked_count() > 1000, "{rel}");
        assert!(n.iter().all(|s| !s.is_empty()));
    }
    // Go 1.27 names carry escaped dots in versioned package paths.
    for (rel, pkg) in [
        (
            "fips/bin/go127-fips140",
            "crypto/internal/fips140/v1.0.0-c2097c7c",
        ),
        ("fips/bin/go127-plain", "crypto/internal/entropy/v1.0.0"),
    ] {
        let b = go(rel);
        let hits = names(&b)
            .into_iter()
            .filter_map(split_symbol)
            .filter(|(p, _)| p == pkg)
            .count();
        assert!(hits > 0, "{rel}: nothing in {pkg}");
    }
}

#[test]
fn stripped_and_unstripped_names_agree() {
    let a = go("fips/bin/go119-boringcrypto");
    let b = go("fips/bin/go119-boringcrypto-unstripped");
    assert_eq!(names(&a), names(&b));
    let (fa, fb) = (a.functions.as_ref().unwrap(), b.functions.as_ref().unwrap());
    assert_eq!(fa.linked_count(), fb.linked_count());
}

/// The server fixtures built by fixtures/go/build.sh.
const SERVER_GO: [&str; 6] = [
    "go/bin/server-go121",
    "go/bin/server-go121-stripped",
    "go/bin/server-go124",
    "go/bin/server-go124-stripped",
    "go/bin/server-go124-stripped-darwin-arm64",
    "go/bin/server-go124-stripped-windows-amd64.exe",
];

#[test]
fn server_fixtures() {
    for rel in SERVER_GO {
        let b = go(rel);
        let n = names(&b);
        for want in ["main.main", "runtime.main", "net/http.(*Server).Serve"] {
            assert!(n.contains(want), "{rel}: {want} missing");
        }
        assert!(
            b.deps
                .iter()
                .any(|d| d.path == "github.com/sirupsen/logrus"),
            "{rel}"
        );
        assert_eq!(b.setting("CGO_ENABLED"), Some("0"), "{rel}");
        assert_eq!(b.setting("-trimpath"), Some("true"), "{rel}");
        // With -trimpath the go command does not record -ldflags.
        assert_eq!(b.setting("-ldflags"), None, "{rel}");
    }
    assert!(go(SERVER_GO[0]).go_version.starts_with("go1.21.13"));
    assert!(go(SERVER_GO[2]).go_version.starts_with("go1.24.11"));
    for (a, b) in [(0, 1), (2, 3)] {
        assert_eq!(names(&go(SERVER_GO[a])), names(&go(SERVER_GO[b])));
    }
}

/// File range of a named section.
fn section_range(data: &[u8], names: &[&str]) -> (usize, usize) {
    let file = object::File::parse(data).unwrap();
    let sec = names.iter().find_map(|n| file.section_by_name(n)).unwrap();
    let (start, size) = sec.file_range().unwrap();
    (start as usize, (start + size) as usize)
}

#[test]
fn damaged_pclntab_is_an_error_never_a_panic() {
    for rel in [
        "fips/bin/go127-plain",
        "fips/bin/go119-plain",
        "fips/bin/go127-plain-darwin-arm64",
    ] {
        let data = fixture(rel);
        let (start, end) = section_range(&data, &[".gopclntab", "__gopclntab"]);
        let mut copy = data.clone();
        // End of the last `_func` record's name offset (Go 1.18+ layout,
        // little endian): the table cut short anywhere before it is caught.
        let u32_at = |o: usize| u32::from_le_bytes(data[o..o + 4].try_into().unwrap()) as usize;
        let word = |k: usize| u32_at(start + 8 + 8 * k);
        let (nfunc, pcln) = (word(0), word(7));
        let last = (0..nfunc)
            .map(|k| u32_at(start + pcln + 8 * k + 4))
            .max()
            .unwrap();
        let checked_end = start + pcln + last + 8;
        let cuts: Vec<usize> = (start..checked_end)
            .step_by((checked_end - start) / 100)
            .chain(checked_end - 4..checked_end)
            .collect();
        for &cut in &cuts {
            if data[cut..checked_end].iter().all(|&b| b == 0) {
                continue; // zeroing changes nothing that matters
            }
            copy[cut..end].fill(0);
            assert!(
                matches!(read(&copy), Err(Error::Pclntab { .. })),
                "{rel}: zeroed from {:#x}",
                cut - start
            );
            copy[cut..end].copy_from_slice(&data[cut..end]);
        }
        // Byte flips through the whole table: an error or a (possibly
        // misspelled) result, nothing else.
        for off in (start..end).step_by((end - start) / 150) {
            for mask in [0x01u8, 0x10, 0x80, 0xff] {
                copy[off] ^= mask;
                match read(&copy) {
                    Err(Error::Pclntab { .. }) => {}
                    Ok(Some(b)) => assert!(b.functions.is_some(), "{rel} {off:#x}"),
                    other => panic!("{rel} {off:#x}: {other:?}"),
                }
                copy[off] ^= mask;
            }
        }
        // Flips in the header fields the names depend on (pad, quantum,
        // pointer size, nfunc, funcnameOffset, pclnOffset) and in the
        // functab are always caught. (Magic 0xf1 <-> 0xf0, nfiles,
        // textStart and the unused offsets can change unnoticed.)
        let functab = start + pcln;
        let must_catch = (start + 4..start + 16)
            .chain(start + 0x20..start + 0x28)
            .chain(start + 0x40..start + 0x48)
            .chain((functab..functab + 8 * nfunc).step_by((8 * nfunc / 150) | 1));
        for off in must_catch {
            for mask in [0x01u8, 0x80] {
                copy[off] ^= mask;
                let r = read(&copy);
                copy[off] ^= mask;
                assert!(
                    matches!(r, Err(Error::Pclntab { .. })),
                    "{rel}: flip {mask:#x} at +{:#x} unnoticed",
                    off - start
                );
            }
        }
    }
}

#[test]
fn truncated_go_binaries_are_errors() {
    // Cut anywhere past the first pages (ELF Go note, Mach-O/PE build ID),
    // a Go binary is reported as damaged, or still read, never "not Go".
    for rel in FIPS_GO.iter().chain(SERVER_GO.iter()) {
        let data = fixture(rel);
        for cut in (0..data.len()).step_by(data.len() / 61) {
            match read(&data[..cut]) {
                Ok(None) if cut >= 0x2000 => panic!("{rel} cut at {cut:#x}: not Go"),
                Ok(Some(b)) => assert!(b.functions.is_some(), "{rel} cut at {cut:#x}"),
                _ => {}
            }
        }
    }
}

#[test]
fn damaged_build_info_never_panics() {
    for rel in [
        "fips/bin/go127-plain",
        "fips/bin/go119-plain",
        "fips/bin/go127-plain-darwin-arm64",
    ] {
        let data = fixture(rel);
        let (start, end) = section_range(&data, &[".go.buildinfo", "__go_buildinfo"]);
        let mut copy = data.clone();
        // Header, inline strings and the start of the module text.
        for off in start..(start + 128).min(end) {
            for mask in [0x01u8, 0x80, 0xff] {
                copy[off] ^= mask;
                let _ = read(&copy);
                copy[off] ^= mask;
            }
        }
        // The header's magic gone from its section: damage, not "not Go".
        copy[start + 1] = b'X';
        assert!(matches!(read(&copy), Err(Error::BuildInfo { .. })), "{rel}");
    }
    // Build info removed: PE (no named section) with its header overwritten,
    // ELF with the section renamed too. Still known to be Go 1.16+.
    let mut pe = fixture("fips/bin/go127-plain-windows-amd64.exe");
    let at = memchr::memmem::find(&pe, buildinfo::MAGIC).unwrap();
    pe[at + 1] = b'X';
    assert!(matches!(read(&pe), Err(Error::NoBuildInfo)));
    let mut elf = fixture("fips/bin/go119-plain");
    let (start, _) = section_range(&elf, &[".go.buildinfo"]);
    elf[start + 1] = b'X';
    let name = memchr::memmem::find(&elf, b".go.buildinfo\0").unwrap();
    elf[name + 4] = b'X';
    assert!(matches!(read(&elf), Err(Error::NoBuildInfo)));
    // Not Go at all, despite containing the magic in read-only data.
    let mut rust = fixture("fips/bin/rust-rustls-default");
    let n = rust.len();
    rust[n - 4096..n - 4096 + 16].copy_from_slice(b"\xff Go buildinf:\x08\x02");
    assert!(matches!(read(&rust), Ok(None)));
}

// ---------------------------------------------------------------- synthetic ELF

const BASE: u64 = 0x40_0000;
const SHF_WRITE: u64 = 1;
const SHF_ALLOC: u64 = 2;

/// A minimal ELF executable: one PT_LOAD mapping the whole file at BASE,
/// section `i` stored at file offset `0x1000 * (i + 1)` (so at address
/// `BASE + 0x1000 * (i + 1)`), then `.shstrtab` and the section headers.
fn elf(big: bool, is64: bool, machine: u16, sections: &[(&str, u64, Vec<u8>)]) -> Vec<u8> {
    let w = if is64 { 8 } else { 4 };
    let put = |v: &mut Vec<u8>, x: u64, n: usize| super::pclntab::tests::put(v, big, x, n);
    let mut shstr = vec![0u8];
    let mut name_offs = Vec::new();
    for name in sections.iter().map(|s| s.0).chain([".shstrtab"]) {
        name_offs.push(shstr.len() as u64);
        shstr.extend_from_slice(name.as_bytes());
        shstr.push(0);
    }
    let shstr_off = 0x1000 * (sections.len() as u64 + 1);
    let shoff = shstr_off + shstr.len() as u64;
    let shentsize = if is64 { 64 } else { 40 };
    let shnum = sections.len() + 2;
    let total = shoff + (shnum * shentsize) as u64;

    let mut f = vec![
        0x7f,
        b'E',
        b'L',
        b'F',
        if is64 { 2 } else { 1 },
        if big { 2 } else { 1 },
        1,
    ];
    f.resize(16, 0);
    put(&mut f, 2, 2); // ET_EXEC
    put(&mut f, u64::from(machine), 2);
    put(&mut f, 1, 4);
    put(&mut f, BASE, w); // entry
    let ehsize = if is64 { 64 } else { 52 };
    put(&mut f, ehsize, w); // phoff
    put(&mut f, shoff, w);
    put(&mut f, 0, 4);
    put(&mut f, ehsize, 2);
    put(&mut f, if is64 { 56 } else { 32 }, 2);
    put(&mut f, 1, 2);
    put(&mut f, shentsize as u64, 2);
    put(&mut f, shnum as u64, 2);
    put(&mut f, shnum as u64 - 1, 2);
    // PT_LOAD, RWX, whole file.
    if is64 {
        for (x, n) in [
            (1, 4),
            (7, 4),
            (0, 8),
            (BASE, 8),
            (BASE, 8),
            (total, 8),
            (total, 8),
            (0x1000, 8),
        ] {
            put(&mut f, x, n);
        }
    } else {
        for x in [1, 0, BASE, BASE, total, total, 7, 0x1000] {
            put(&mut f, x, 4);
        }
    }
    for (i, (_, _, data)) in sections.iter().enumerate() {
        assert!(data.len() <= 0x1000);
        f.resize(0x1000 * (i + 1), 0);
        f.extend_from_slice(data);
    }
    f.resize(shstr_off as usize, 0);
    f.extend_from_slice(&shstr);
    let shdr = |f: &mut Vec<u8>, name: u64, ty: u64, flags: u64, addr: u64, off: u64, size: u64| {
        for (x, n) in [
            (name, 4),
            (ty, 4),
            (flags, w),
            (addr, w),
            (off, w),
            (size, w),
            (0, 4),
            (0, 4),
            (1, w),
            (0, w),
        ] {
            put(f, x, n);
        }
    };
    shdr(&mut f, 0, 0, 0, 0, 0, 0);
    for (i, (_, flags, data)) in sections.iter().enumerate() {
        let off = 0x1000 * (i as u64 + 1);
        shdr(
            &mut f,
            name_offs[i],
            1,
            *flags,
            BASE + off,
            off,
            data.len() as u64,
        );
    }
    shdr(
        &mut f,
        name_offs[sections.len()],
        3,
        0,
        0,
        shstr_off,
        shstr.len() as u64,
    );
    assert_eq!(f.len() as u64, total);
    f
}

const MODINFO: &str = "path\texample.com/old\n\
                       mod\texample.com/old\t(devel)\t\n\
                       dep\tgolang.org/x/text\tv0.3.7\th1:olpwvP2KacW1ZWvsR7uQhoyTYvKAupfQrRGBFM352Gk=\n\
                       dep\tgithub.com/a/b\tv1.0.0\n\
                       =>\tgithub.com/fork/b\tv1.0.1\th1:x=\n";

fn framed(text: &str) -> Vec<u8> {
    let mut m = vec![0x30u8; 16];
    m.extend_from_slice(text.as_bytes());
    m.extend_from_slice(&[0xf9u8; 16]);
    m
}

/// Pre-1.18 build info: header with two pointers to Go string headers,
/// for a section loaded at `addr`.
fn pointer_buildinfo(big: bool, ptr: usize, addr: u64, version: &str, modinfo: &[u8]) -> Vec<u8> {
    let put = |v: &mut Vec<u8>, x: u64| super::pclntab::tests::put(v, big, x, ptr);
    let hdrs = 32u64;
    let strs = hdrs + 4 * ptr as u64;
    let mut b = b"\xff Go buildinf:".to_vec();
    b.push(ptr as u8);
    b.push(u8::from(big));
    put(&mut b, addr + hdrs);
    put(&mut b, addr + hdrs + 2 * ptr as u64);
    b.resize(32, 0);
    put(&mut b, addr + strs);
    put(&mut b, version.len() as u64);
    put(&mut b, addr + strs + version.len() as u64);
    put(&mut b, modinfo.len() as u64);
    b.extend_from_slice(version.as_bytes());
    b.extend_from_slice(modinfo);
    b
}

#[test]
fn go116_pointer_format_in_elf() {
    let linked = [
        "runtime.main",
        "main.main",
        "golang.org/x/text/language.Parse",
    ];
    let inlined = ["golang.org/x/text/internal/tag.Index.Index"];
    for (big, is64, machine, arch) in [(false, true, 62, "amd64"), (true, false, 8, "mips")] {
        let ptr = if is64 { 8 } else { 4 };
        let bi = pointer_buildinfo(big, ptr, BASE + 0x1000, "go1.16.15", &framed(MODINFO));
        let tab = build_pclntab(0xffff_fffa, big, ptr, &linked, &inlined);
        let image = elf(
            big,
            is64,
            machine,
            &[
                (".go.buildinfo", SHF_WRITE | SHF_ALLOC, bi.clone()),
                (".gopclntab", SHF_ALLOC, tab.clone()),
            ],
        );
        let b = read(&image).unwrap().unwrap();
        assert_eq!(b.go_version, "go1.16.15");
        assert_eq!(b.path.as_deref(), Some("example.com/old"));
        assert_eq!(b.deps.len(), 2);
        assert_eq!(b.deps[0].version, "v0.3.7");
        assert_eq!(
            b.deps[1].replace.as_ref().unwrap().path,
            "github.com/fork/b"
        );
        assert!(b.settings.is_empty());
        assert_eq!((b.goos(), b.goarch()), (None, Some(arch)));
        let f = b.functions.as_ref().unwrap();
        let got: Vec<&str> = f.names().collect();
        assert_eq!(got, [&linked[..], &inlined[..]].concat());
        assert_eq!(f.linked_count(), 3);

        // Without the named sections: found by scanning writable data and by
        // the pclntab header search.
        let image = elf(
            big,
            is64,
            machine,
            &[
                (".data", SHF_WRITE | SHF_ALLOC, bi.clone()),
                (".rodata", SHF_ALLOC, tab.clone()),
            ],
        );
        let b2 = read(&image).unwrap().unwrap();
        assert_eq!(b2, b);

        // A string pointer to nowhere in a named section is an error.
        let bad = pointer_buildinfo(big, ptr, BASE + 0x9000_0000, "go1.16.15", b"");
        let image = elf(
            big,
            is64,
            machine,
            &[(".go.buildinfo", SHF_WRITE | SHF_ALLOC, bad.clone())],
        );
        let e = read(&image).unwrap_err().to_string();
        assert!(e.contains("not mapped"), "{e}");
        // ... but only noise when found by scanning.
        let image = elf(big, is64, machine, &[(".data", SHF_WRITE | SHF_ALLOC, bad)]);
        assert!(matches!(read(&image), Ok(None)));
    }
}

#[test]
fn go118_inline_format_in_elf() {
    let mut bi = b"\xff Go buildinf:\x08\x02".to_vec();
    bi.resize(32, 0);
    for s in [&b"go1.18.10"[..], &framed("path\tx\nbuild\tGOOS=linux\n")] {
        bi.push(s.len() as u8);
        bi.extend_from_slice(s);
    }
    let tab = build_pclntab(0xffff_fff0, false, 8, &["main.main"], &[]);
    let image = elf(
        false,
        true,
        62,
        &[
            (".go.buildinfo", SHF_WRITE | SHF_ALLOC, bi.clone()),
            (".gopclntab", SHF_ALLOC, tab),
        ],
    );
    let b = read(&image).unwrap().unwrap();
    assert_eq!(b.go_version, "go1.18.10");
    assert_eq!(b.goos(), Some("linux"));
    assert_eq!(
        b.functions.unwrap().names().collect::<Vec<_>>(),
        ["main.main"]
    );
    assert!(
        read_build_info(&image)
            .unwrap()
            .unwrap()
            .functions
            .is_none()
    );

    // Length running past the section: damaged.
    let mut bad = bi.clone();
    bad[32] = 0x7f;
    bad.truncate(40);
    let image = elf(
        false,
        true,
        62,
        &[(".go.buildinfo", SHF_WRITE | SHF_ALLOC, bad)],
    );
    let e = read(&image).unwrap_err().to_string();
    assert!(
        e.contains("Go build info at file offset 0x1000 is damaged"),
        "{e}"
    );
    // No module text (GOPATH build): no main module, still a Go binary.
    let mut gopath = b"\xff Go buildinf:\x08\x02".to_vec();
    gopath.resize(32, 0);
    gopath.extend_from_slice(b"\x08go1.20.1\x00");
    let image = elf(
        false,
        true,
        62,
        &[(".go.buildinfo", SHF_WRITE | SHF_ALLOC, gopath)],
    );
    let b = read(&image).unwrap().unwrap();
    assert_eq!(
        (
            b.go_version.as_str(),
            b.main.is_none(),
            b.functions.is_none()
        ),
        ("go1.20.1", true, true)
    );
}

// ---------------------------------------------------------------- split_symbol

#[test]
fn split_symbol_follows_govulncheck() {
    let cases: &[(&str, Option<(&str, &str)>)] = &[
        (
            "net/http.(*Server).Serve",
            Some(("net/http", "Server.Serve")),
        ),
        (
            "golang.org/x/text/language.Parse",
            Some(("golang.org/x/text/language", "Parse")),
        ),
        (
            "gopkg.in/yaml.v3.Unmarshal",
            Some(("gopkg.in/yaml.v3", "Unmarshal")),
        ),
        (
            "gopkg.in/yaml%2ev3.(*decoder).unmarshal",
            Some(("gopkg.in/yaml.v3", "decoder.unmarshal")),
        ),
        (
            "crypto/internal/entropy/v1%2e0%2e0.Seed",
            Some(("crypto/internal/entropy/v1.0.0", "Seed")),
        ),
        ("main.main", Some(("main", "main"))),
        (
            "internal/abi.Kind.String",
            Some(("internal/abi", "Kind.String")),
        ),
        ("pkg.F.func1", Some(("pkg", "F.func1"))),
        (
            "text/template.(*Template).text/template/parse.add",
            Some(("text/template", "Template.text/template/parse.add")),
        ),
        (
            "example.com/api.v1.func1",
            Some(("example.com/api", "v1.func1")),
        ),
        (
            "gopkg.in/check.v1.(*C).Assert",
            Some(("gopkg.in/check.v1", "C.Assert")),
        ),
        (
            "gopkg.in/user/pkg.v2.F",
            Some(("gopkg.in/user/pkg.v2", "F")),
        ),
        ("pkg.(*T).M.func2.1", Some(("pkg", "T.M.func2.1"))),
        ("pkg.(*T).M-fm", Some(("pkg", "T.M-fm"))),
        (
            "example.com/m/pkg.Map[...]",
            Some(("example.com/m/pkg", "Map")),
        ),
        ("pkg.(*T[...]).M", Some(("pkg", "T.M"))),
        (
            "sync/atomic.(*Pointer[go.shape.struct { a/b.c int }]).Load",
            Some(("sync/atomic", "Pointer.Load")),
        ),
        (
            "a/b.absDifference[c/d.orderedAbs[float64]]",
            Some(("a/b", "absDifference")),
        ),
        (
            "main.testfunction[.shape.int]",
            Some(("main", "testfunction")),
        ),
        (
            "github.com/docker/doc.ker/pkg/mflag.(*FlagSet).PrintDefaults",
            Some((
                "github.com/docker/doc.ker/pkg/mflag",
                "FlagSet.PrintDefaults",
            )),
        ),
        (
            "go.uber.org/zap/buffer.(*Buffer).AppendString",
            Some(("go.uber.org/zap/buffer", "Buffer.AppendString")),
        ),
        ("type:.eq.[9]debug/elf.intName", None),
        ("type:.hash.struct { runtime.gList; runtime.n int32 }", None),
        ("type..eq.[9]debug/elf.intName", None),
        ("type..hash.debug/elf.ProgHeader", None),
        ("type..eq.runtime._panic", None),
        ("go:buildid", None),
        ("go.buildid", None),
        (
            "go.(*struct { sync.Mutex; math/big.table [64]math/big.Word }).Lock",
            None,
        ),
        ("gogo", None),
        ("_rt0_amd64_linux", None),
        ("_cgo_d3bdb93f8e25_Cfunc__goboringcrypto_BN_free", None),
        ("", None),
        ("a/b", None),
        ("pkg.", None),
    ];
    for (name, want) in cases {
        let got = split_symbol(name);
        let got = got.as_ref().map(|(p, s)| (p.as_ref(), s.as_str()));
        assert_eq!(got, *want, "{name}");
    }
    assert!(matches!(
        split_symbol("net/http.Get"),
        Some((Cow::Borrowed(_), _))
    ));
}

#[test]
fn split_symbol_on_real_names_is_total() {
    // Every name of a real binary either splits into a path-like package
    // and a non-empty symbol, or is skipped; none panics.
    let b = go("fips/bin/go127-fips140");
    let mut split = 0;
    for n in names(&b) {
        if let Some((p, s)) = split_symbol(n) {
            assert!(!p.is_empty() && !s.is_empty() && !p.contains('%'), "{n}");
            assert!(!s.contains('[') && !s.contains('('), "{n} -> {s}");
            split += 1;
        }
    }
    assert!(split > 2000, "{split}");
}

#[test]
fn synthetic_images_survive_every_cut_and_flip() {
    let bi = pointer_buildinfo(true, 4, BASE + 0x1000, "go1.17.13", &framed(MODINFO));
    let tab = build_pclntab(
        0xffff_fffa,
        true,
        4,
        &["main.main", "runtime.main"],
        &["a.b"],
    );
    let image = elf(
        true,
        false,
        8,
        &[
            (".go.buildinfo", SHF_WRITE | SHF_ALLOC, bi),
            (".gopclntab", SHF_ALLOC, tab),
        ],
    );
    assert!(read(&image).unwrap().is_some());
    for cut in 0..image.len() {
        let _ = read(&image[..cut]);
    }
    let mut copy = image.clone();
    for off in 0..image.len() {
        copy[off] ^= 0xa5;
        let _ = read(&copy);
        copy[off] ^= 0xa5;
    }
}
