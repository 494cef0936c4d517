//! Whether a binary holds a BoringSSL-family FIPS module (BoringSSL, AWS-LC, the module in Go
//! BoringCrypto), proved the way the module proves itself at start-up: its code lies between
//! `BORINGSSL_bcm_text_start` and `BORINGSSL_bcm_text_end`, and the HMAC of that region (key:
//! 64 zero bytes; SHA-256 in AWS-LC and newer BoringSSL, SHA-512 in older BoringSSL) is the
//! `BORINGSSL_bcm_text_hash` that the build injected. A region that hashes to a value stored
//! in the binary cannot be an accident, while strings ("AWS-LC FIPS", the marker names) can
//! be printed by any program; so strings never prove a module here.
//!
//! With a symbol table, the markers name the region and the hash. A stripped binary keeps the
//! module but not the names; what is left is the code of the integrity check itself, which
//! loads the region's two ends with neighbouring instructions. On x86-64 those are
//! RIP-relative `lea`s, which this module finds without disassembling: every pair of them a
//! few bytes apart, whose targets span a region of module size around the pair itself, is
//! hashed, and a region whose HMAC is found in the file is the module. Other architectures'
//! stripped binaries get no verdict from here (the caller says so).
//!
//! This module only reads; it never decides a verdict.

use hmac::{Hmac, Mac};
use object::{Architecture, Object, ObjectSection, ObjectSymbol, SectionKind};
use sha2::{Sha256, Sha512};
use std::collections::{BTreeMap, BTreeSet};

/// The hash the integrity check uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Digest {
    /// HMAC-SHA-256 (AWS-LC, BoringSSL since 2022).
    Sha256,
    /// HMAC-SHA-512 (older BoringSSL, e.g. Go BoringCrypto's module).
    Sha512,
}

impl Digest {
    fn name(self) -> &'static str {
        match self {
            Digest::Sha256 => "HMAC-SHA-256",
            Digest::Sha512 => "HMAC-SHA-512",
        }
    }
}

/// A verified integrity region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    /// `BORINGSSL_bcm_text_start`.
    pub start: u64,
    /// `BORINGSSL_bcm_text_end`.
    pub end: u64,
    /// Where the expected hash is (an address with symbols, a file offset without).
    pub hash_at: u64,
    /// The hash.
    pub digest: Digest,
    /// Found by the marker symbols (else by the code that checks it).
    pub by_symbols: bool,
}

impl Region {
    /// One line of evidence.
    pub fn describe(&self) -> String {
        let size = self.end - self.start;
        let (found, at) = if self.by_symbols {
            ("BORINGSSL_bcm_text_* symbols", "BORINGSSL_bcm_text_hash")
        } else {
            ("the code of its integrity check (no symbol table)", "")
        };
        format!(
            "FIPS module integrity region {:#x}..{:#x} ({} KiB, found by {found}) hashes ({}) to the value the module checks at start-up{}",
            self.start,
            self.end,
            size >> 10,
            self.digest.name(),
            if at.is_empty() {
                format!(" (file offset {:#x})", self.hash_at)
            } else {
                format!(" ({at})")
            }
        )
    }
}

/// What the symbol table says.
#[derive(Debug, PartialEq, Eq)]
pub enum BySymbols {
    /// No `BORINGSSL_bcm_text_start`/`_end` symbols.
    Absent,
    /// The markers are there and their region hashes to `BORINGSSL_bcm_text_hash`.
    Verified(Region),
    /// The markers are there but do not make a working module: why.
    Broken(String),
}

/// Marker symbols' addresses by name (without Mach-O's leading underscore).
fn marker_addresses(file: &object::File<'_>) -> BTreeMap<&'static str, u64> {
    const MARKERS: [&str; 5] = [
        "BORINGSSL_bcm_text_start",
        "BORINGSSL_bcm_text_end",
        "BORINGSSL_bcm_text_hash",
        "BORINGSSL_bcm_rodata_start",
        "BORINGSSL_bcm_rodata_end",
    ];
    let macho = matches!(file.format(), object::BinaryFormat::MachO);
    let mut found = BTreeMap::new();
    for symbol in file.symbols().chain(file.dynamic_symbols()) {
        if symbol.is_undefined() {
            continue;
        }
        let Ok(name) = symbol.name() else { continue };
        let name = if macho {
            name.strip_prefix('_').unwrap_or(name)
        } else {
            name
        };
        if let Some(marker) = MARKERS.iter().find(|m| **m == name) {
            found.entry(*marker).or_insert(symbol.address());
        }
    }
    found
}

/// The bytes at `address..address+len` in the file, if a section holds them all.
fn bytes_at<'d>(file: &object::File<'d>, address: u64, len: u64) -> Option<&'d [u8]> {
    file.sections()
        .find_map(|s| s.data_range(address, len).ok().flatten())
}

/// HMAC with the module's all-zero 64-byte key.
fn hmac_of(digest: Digest, parts: &[&[u8]]) -> Vec<u8> {
    const KEY: [u8; 64] = [0; 64];
    fn run<M: Mac + hmac::digest::KeyInit>(parts: &[&[u8]]) -> Vec<u8> {
        let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(&KEY)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().to_vec()
    }
    match digest {
        Digest::Sha256 => run::<Hmac<Sha256>>(parts),
        Digest::Sha512 => run::<Hmac<Sha512>>(parts),
    }
}

/// Checks the region the marker symbols name. A static module hashes its text (read-only
/// data lies inside it); a shared-library or Apple module hashes the length-prefixed text,
/// then the length-prefixed read-only data between `BORINGSSL_bcm_rodata_start`/`_end`.
pub fn by_symbols(file: &object::File<'_>) -> BySymbols {
    let markers = marker_addresses(file);
    let (Some(&start), Some(&end)) = (
        markers.get("BORINGSSL_bcm_text_start"),
        markers.get("BORINGSSL_bcm_text_end"),
    ) else {
        return BySymbols::Absent;
    };
    let broken = |why: &str| BySymbols::Broken(format!("BORINGSSL_bcm_text_* symbols, but {why}"));
    if end <= start {
        return broken("the region they mark is empty");
    }
    let Some(text) = bytes_at(file, start, end - start) else {
        return broken("the region they mark is not in one section of the file");
    };
    let Some(&hash_at) = markers.get("BORINGSSL_bcm_text_hash") else {
        return broken("no BORINGSSL_bcm_text_hash to check the region against");
    };
    let rodata = match (
        markers.get("BORINGSSL_bcm_rodata_start"),
        markers.get("BORINGSSL_bcm_rodata_end"),
    ) {
        (Some(&from), Some(&to)) if to >= from => match bytes_at(file, from, to - from) {
            Some(bytes) => Some(bytes),
            None => return broken("its read-only data region is not in one section of the file"),
        },
        _ => None,
    };
    for digest in [Digest::Sha256, Digest::Sha512] {
        let computed = match rodata {
            None => hmac_of(digest, &[text]),
            Some(rodata) => hmac_of(
                digest,
                &[
                    &(text.len() as u64).to_le_bytes(),
                    text,
                    &(rodata.len() as u64).to_le_bytes(),
                    rodata,
                ],
            ),
        };
        if bytes_at(file, hash_at, computed.len() as u64) == Some(&computed[..]) {
            return BySymbols::Verified(Region {
                start,
                end,
                hash_at,
                digest,
                by_symbols: true,
            });
        }
    }
    broken(
        "their region does not hash to BORINGSSL_bcm_text_hash: not a module that passes its own integrity test",
    )
}

/// The least code a FIPS module has: Go BoringCrypto's, the smallest we know, is 730 KiB.
/// A lower bound keeps unrelated pairs of addresses from being hashed.
const MIN_REGION: u64 = 64 << 10;

/// How far apart (bytes of code) the two instructions that load the region's ends may be.
/// AWS-LC's are 25 bytes apart, Go BoringCrypto's 7.
const PAIR_WINDOW: u64 = 64;

/// The most bytes hashed in one search: far above what real binaries need (about 100 MiB for
/// a 3 MiB AWS-LC binary, 20 MiB for Palisade itself), low enough to end in seconds.
const HASH_BUDGET: u64 = 4 << 30;

/// What the search of a binary without marker symbols found.
#[derive(Debug, PartialEq, Eq)]
pub enum Search {
    /// Not an architecture whose code the search reads: the name.
    NotSearched(String),
    /// A verified region.
    Found(Region),
    /// Searched, nothing hashes: how many candidate regions were tried.
    NotFound(usize),
}

/// The RIP-relative `lea reg, [rip+disp32]` instructions of an x86-64 code section, as
/// (instruction address, target address), in address order.
fn rip_relative_leas(code: &[u8], address: u64) -> Vec<(u64, u64)> {
    let mut found = Vec::new();
    for opcode in memchr::memchr_iter(0x8d, code) {
        // REX.W (0x48..=0x4f), then 8D, then ModRM with mod=00 and r/m=101: [rip+disp32].
        let (Some(&rex), Some(&modrm), Some(disp)) = (
            opcode.checked_sub(1).and_then(|i| code.get(i)),
            code.get(opcode + 1),
            code.get(opcode + 2..opcode + 6),
        ) else {
            continue;
        };
        if rex & 0xf8 != 0x48 || modrm & 0xc7 != 0x05 {
            continue;
        }
        let disp = i32::from_le_bytes([disp[0], disp[1], disp[2], disp[3]]);
        // The caller makes sure the section does not wrap around the address space, and the
        // displacement was read inside it: no overflow.
        let next = address.wrapping_add(opcode as u64 + 6);
        found.push((
            next.wrapping_sub(7),
            next.wrapping_add_signed(i64::from(disp)),
        ));
    }
    found
}

/// The candidate regions of one code section: start → the ends paired with it.
struct Candidates<'d> {
    code: &'d [u8],
    address: u64,
    regions: BTreeMap<u64, BTreeSet<u64>>,
}

impl<'d> Candidates<'d> {
    /// Pairs of RIP-relative `lea`s at most [`PAIR_WINDOW`] bytes apart whose targets, in
    /// this section, span at least [`MIN_REGION`] bytes around the pair.
    fn of(code: &'d [u8], address: u64) -> Option<Self> {
        // A section that would wrap around the address space is no code we can read.
        let limit = address.checked_add(code.len() as u64)?;
        let leas: Vec<(u64, u64)> = rip_relative_leas(code, address)
            .into_iter()
            .filter(|(_, target)| (address..limit).contains(target))
            .collect();
        let mut regions: BTreeMap<u64, BTreeSet<u64>> = BTreeMap::new();
        for (i, &(at, first)) in leas.iter().enumerate() {
            for &(other_at, second) in &leas[i + 1..] {
                if other_at - at > PAIR_WINDOW {
                    break;
                }
                let (start, end) = (first.min(second), first.max(second));
                // The integrity check is module code: it lies inside the region it checks.
                if end - start >= MIN_REGION && (start..end).contains(&at) {
                    regions.entry(start).or_default().insert(end);
                }
            }
        }
        (!regions.is_empty()).then_some(Candidates {
            code,
            address,
            regions,
        })
    }

    /// Bytes hashed to try every region: each start is hashed once, to its farthest end.
    fn cost(&self) -> u64 {
        self.regions
            .iter()
            .map(|(start, ends)| ends.last().map_or(0, |end| end - start))
            .sum()
    }

    /// Every region's HMACs, as (digest, region), computed once per start as the region
    /// grows to each of its ends.
    fn digests(&self, out: &mut Vec<(Vec<u8>, Region)>) {
        for (&start, ends) in &self.regions {
            let mut sha256 = <Hmac<Sha256> as hmac::digest::KeyInit>::new_from_slice(&[0; 64])
                .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
            let mut sha512 = <Hmac<Sha512> as hmac::digest::KeyInit>::new_from_slice(&[0; 64])
                .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
            let mut at = start;
            for &end in ends {
                // Both ends are lea targets inside the section (checked in `of`).
                let bytes = &self.code[(at - self.address) as usize..(end - self.address) as usize];
                sha256.update(bytes);
                sha512.update(bytes);
                at = end;
                let region = |digest| Region {
                    start,
                    end,
                    hash_at: 0,
                    digest,
                    by_symbols: false,
                };
                out.push((
                    sha256.clone().finalize().into_bytes().to_vec(),
                    region(Digest::Sha256),
                ));
                out.push((
                    sha512.clone().finalize().into_bytes().to_vec(),
                    region(Digest::Sha512),
                ));
            }
        }
    }
}

/// Searches a binary without marker symbols for its module's integrity region (x86-64 code
/// only). An error when the candidates would take more hashing than [`HASH_BUDGET`]: the
/// search could not finish, and an unfinished search is no verdict.
pub fn search(file: &object::File<'_>, data: &[u8]) -> Result<Search, String> {
    if file.architecture() != Architecture::X86_64 {
        return Ok(Search::NotSearched(
            format!("{:?}", file.architecture()).to_lowercase(),
        ));
    }
    let mut candidates = Vec::new();
    for section in file.sections() {
        if section.kind() != SectionKind::Text {
            continue;
        }
        let code = section
            .data()
            .map_err(|e| format!("cannot read its code: {e}"))?;
        candidates.extend(Candidates::of(code, section.address()));
    }
    let cost: u64 = candidates.iter().map(Candidates::cost).sum();
    if cost > HASH_BUDGET {
        return Err(format!(
            "has more candidate FIPS module regions than Palisade hashes ({} MiB of code); keep its symbol table so the module's markers can be read",
            cost >> 20
        ));
    }
    let mut digests = Vec::new();
    for candidate in &candidates {
        candidate.digests(&mut digests);
    }
    if digests.is_empty() {
        return Ok(Search::NotFound(0));
    }
    // The expected hash may sit anywhere in the file (AWS-LC puts it just before the region,
    // BoringSSL just after): one pass finds any of them.
    let finder = aho_corasick::AhoCorasick::new(digests.iter().map(|(d, _)| d))
        .map_err(|e| format!("cannot search for its FIPS module's hash: {e}"))?;
    Ok(match finder.find(data) {
        Some(hit) => Search::Found(Region {
            hash_at: hit.start() as u64,
            ..digests[hit.pattern().as_usize()].1.clone()
        }),
        None => Search::NotFound(digests.len() / 2),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_rip_relative_leas_and_nothing_else() {
        // lea rdi,[rip+0x10]; lea r8,[rip-0x20]; lea eax,[rip+0] (no REX.W); lea rax,[rbx+8].
        let code = [
            0x48, 0x8d, 0x3d, 0x10, 0, 0, 0, //
            0x4c, 0x8d, 0x05, 0xe0, 0xff, 0xff, 0xff, //
            0x8d, 0x05, 0, 0, 0, 0, //
            0x48, 0x8d, 0x43, 0x08,
        ];
        assert_eq!(
            rip_relative_leas(&code, 0x1000),
            [(0x1000, 0x1007 + 0x10), (0x1007, 0x100e - 0x20)]
        );
        // Cut in the middle of the displacement: no read past the end.
        assert_eq!(rip_relative_leas(&code[..5], 0x1000), []);
    }

    #[test]
    fn hmac_of_matches_known_values() {
        // HMAC-SHA-256 with a 64-byte zero key over "abc" (Python's hmac module).
        let mac = hmac_of(Digest::Sha256, &[b"a", b"bc"]);
        assert_eq!(
            mac.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            "fd7adb152c05ef80dccf50a1fa4c05d5a3ec6da95575fc312ae7c5d091836351"
        );
        assert_eq!(hmac_of(Digest::Sha512, &[b"abc"]).len(), 64);
    }
}
