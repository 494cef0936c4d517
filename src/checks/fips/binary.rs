//! What a binary says about its crypto: read once into memory, parsed with `object` (ELF,
//! Mach-O, PE), its structure weighed into a verdict with the evidence for it.
//!
//! Only structure makes a FIPS verdict: Go build settings ([`gomodule`]), the symbol table
//! (`_goboringcrypto_*`, `aws_lc_fips_*`), and a module's integrity region that hashes to
//! the value the module checks at start-up ([`integrity`]; for a stripped binary, found from
//! the code of that check). Strings never do: "AWS-LC FIPS" or a marker name in the data
//! is reported as ignored when no structure backs it, and names a module that structure
//! proved. The status stamp likewise counts only in the forms [`stamp`] accepts.
//!
//! [`gomodule`]: super::gomodule
//! [`integrity`]: super::integrity
//! [`stamp`]: super::stamp

use super::gobuild::GoBuild;
use super::integrity::{self, BySymbols, Search};
use super::{gomodule, layout, stamp};
use object::read::elf::{Dyn, ElfFile, FileHeader};
use object::read::macho::{LoadCommandVariant, MachHeader, MachOFile};
use object::{Object, ObjectSymbol};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Where a binary stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// A FIPS-validated module is linked (and, for Go's native module, selected).
    Fips,
    /// Crypto is linked, and it is not a FIPS module.
    NonFips,
    /// Crypto comes from the system's OpenSSL at run time: FIPS depends on its configuration.
    RuntimeOpenssl,
    /// No crypto library Palisade knows was found.
    Unknown,
}

/// The analysis of one binary.
#[derive(Clone, Debug, Serialize)]
pub struct BinaryReport {
    /// The file.
    pub path: PathBuf,
    /// `elf`, `macho`, `pe`…
    pub format: String,
    /// No static symbol table.
    pub stripped: bool,
    /// The verdict.
    pub verdict: Verdict,
    /// The FIPS module, when one is linked.
    pub module: Option<String>,
    /// What the verdict rests on, one fact a line.
    pub evidence: Vec<String>,
    /// Shared libraries it needs (DT_NEEDED, load commands, imports).
    pub needed: Vec<String>,
    /// Go build info, for Go binaries.
    pub go: Option<GoBuild>,
    /// Whether the binary carries the configured FIPS status stamp (e.g. `FIPSMode=true`) in
    /// a form [`stamp`](super::stamp) accepts.
    pub status_stamp: bool,
    /// Why the FIPS module is not a validated module version (`GOFIPS140=latest`…), when it
    /// is not; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unvalidated: Option<String>,
}

/// A file that is not a binary Palisade can read.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct BinaryError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong.
    pub message: String,
}

/// The shared libraries an ELF binary needs: its `DT_NEEDED` entries. A dynamic table that
/// cannot be read is an error: a missed `libcrypto` would hide the runtime OpenSSL.
fn elf_needed<Elf: FileHeader<Endian = object::Endianness>>(
    file: &ElfFile<'_, Elf>,
    data: &[u8],
) -> Result<Vec<String>, String> {
    let endian = file.endian();
    let sections = file.elf_section_table();
    let bad = |e: object::Error| format!("cannot read its dynamic section: {e}");
    let Some((entries, link)) = sections.dynamic(endian, data).map_err(bad)? else {
        return Ok(Vec::new());
    };
    let strings = sections.strings(endian, data, link).map_err(bad)?;
    entries
        .iter()
        .filter(|d| d.tag32(endian) == Some(object::elf::DT_NEEDED as i32))
        .map(|d| {
            d.string(endian, strings)
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .map_err(bad)
        })
        .collect()
}

/// Every symbol name, static and dynamic, sorted and deduplicated, but for weak undefined
/// ones: a weak reference that no library need provide links nothing, and any program can
/// make one named `aws_lc_fips_…`. A name that cannot be read means the symbol table is
/// corrupt.
fn symbol_names(file: &object::File<'_>) -> Result<Vec<String>, String> {
    // Mach-O prefixes C names with an underscore: `_aws_lc_fips_…` is `aws_lc_fips_…`.
    let macho = matches!(file.format(), object::BinaryFormat::MachO);
    let mut names = file
        .symbols()
        .chain(file.dynamic_symbols())
        .filter(|s| !(s.is_undefined() && s.is_weak()))
        .map(|s| {
            s.name().map(|n| {
                let n = if macho {
                    n.strip_prefix('_').unwrap_or(n)
                } else {
                    n
                };
                n.to_string()
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("cannot read its symbol table: {e}"))?;
    names.sort_unstable();
    names.dedup();
    Ok(names)
}

/// The dylibs a Mach-O binary loads (`LC_LOAD_DYLIB` and its weak, re-exported, lazy and
/// upward kinds), by install name: a binary that imports nothing by name still loads them.
fn macho_needed<Mach: MachHeader<Endian = object::Endianness>>(
    file: &MachOFile<'_, Mach>,
) -> Result<Vec<String>, String> {
    let bad = |e: object::Error| format!("cannot read its load commands: {e}");
    let endian = file.endian();
    let mut needed = Vec::new();
    let mut commands = file.macho_load_commands().map_err(bad)?;
    while let Some(command) = commands.next().map_err(bad)? {
        if let LoadCommandVariant::Dylib(dylib) = command.variant().map_err(bad)? {
            let name = command.string(endian, dylib.dylib.name).map_err(bad)?;
            needed.push(String::from_utf8_lossy(name).into_owned());
        }
    }
    Ok(needed)
}

/// The shared libraries it needs: `DT_NEEDED` for ELF, the dylib load commands for Mach-O,
/// the import table otherwise (PE).
fn needed_libraries(file: &object::File<'_>, data: &[u8]) -> Result<Vec<String>, String> {
    let mut needed = match file {
        object::File::Elf64(elf) => elf_needed(elf, data)?,
        object::File::Elf32(elf) => elf_needed(elf, data)?,
        object::File::MachO64(macho) => macho_needed(macho)?,
        object::File::MachO32(macho) => macho_needed(macho)?,
        _ => file
            .imports()
            .map_err(|e| format!("cannot read its imports: {e}"))?
            .iter()
            .map(|i| String::from_utf8_lossy(i.library()).into_owned())
            .collect(),
    };
    needed.sort();
    needed.dedup();
    Ok(needed)
}

/// The most Palisade reads of one binary: larger than any service binary we know of (debug
/// builds included), small enough that reading it into memory is safe on a CI runner.
pub const MAX_BINARY_SIZE: u64 = 1 << 30;

/// Reads and analyses `path`; `stamp` is the status string a FIPS build must carry.
pub fn analyse(path: &Path, stamp: &str) -> Result<BinaryReport, BinaryError> {
    // Read once; every question below is answered from this buffer.
    let data = crate::input::read_regular(path, MAX_BINARY_SIZE).map_err(|e| BinaryError {
        path: path.to_path_buf(),
        message: format!("cannot read: {e}"),
    })?;
    analyse_bytes(path, &data, stamp)
}

/// Analyses a binary already in memory; `path` names it in the report and in errors.
pub fn analyse_bytes(path: &Path, data: &[u8], stamp: &str) -> Result<BinaryReport, BinaryError> {
    let error = |message: String| BinaryError {
        path: path.to_path_buf(),
        message,
    };
    let file = object::File::parse(data).map_err(|e| {
        error(format!(
            "not a binary Palisade can read (ELF, Mach-O, PE): {e}"
        ))
    })?;
    // A file cut short keeps its headers; what they point at must be there.
    layout::check_whole(&file, data.len() as u64).map_err(&error)?;
    let format = format!("{:?}", file.format()).to_lowercase();
    let symbols = symbol_names(&file).map_err(&error)?;
    let stripped = file.symbols().next().is_none();
    let needed = needed_libraries(&file, data).map_err(&error)?;
    let go = layout::go_build_info(&file, data).map_err(&error)?;
    let contains = |needle: &[u8]| memchr::memmem::find(data, needle).is_some();

    let mut evidence = Vec::new();
    let mut module: Option<String> = None;
    let mut unvalidated: Option<String> = None;
    let mut non_fips_crypto = false;

    if let Some(go) = &go {
        let (go_module, go_evidence) = gomodule::judge(go);
        evidence.extend(go_evidence);
        if let Some(go_module) = go_module {
            module = Some(go_module.name);
            unvalidated = go_module.unvalidated;
        }
    }
    let count = |prefix: &str| symbols.iter().filter(|s| s.starts_with(prefix)).count();
    let boring = count("_goboringcrypto_");
    if boring > 0 {
        evidence.push(format!("{boring} _goboringcrypto_* symbols"));
        module.get_or_insert_with(|| "Go BoringCrypto".into());
    }
    let aws_fips = count("aws_lc_fips_");
    if aws_fips > 0 {
        evidence.push(format!("{aws_fips} aws_lc_fips_* symbols"));
        module.get_or_insert_with(|| "AWS-LC FIPS".into());
    }
    let region = match integrity::by_symbols(&file) {
        BySymbols::Verified(region) => Some(region),
        BySymbols::Broken(why) => {
            evidence.push(why);
            None
        }
        BySymbols::Absent => match integrity::search(&file, data).map_err(&error)? {
            Search::Found(region) => Some(region),
            Search::NotFound(_) => None,
            Search::NotSearched(arch) => {
                // A Go binary's build settings already say which module it selected.
                if stripped && go.is_none() {
                    evidence.push(format!(
                        "stripped {arch} binary: Palisade finds a FIPS module's integrity region without symbols in x86-64 code only"
                    ));
                }
                None
            }
        },
    };
    if let Some(region) = &region {
        evidence.push(region.describe());
        // Structure proved a module; a version string may name it.
        module.get_or_insert_with(|| {
            if contains(b"AWS-LC FIPS") {
                "AWS-LC FIPS".into()
            } else {
                "BoringSSL-based FIPS module".into()
            }
        });
    }
    if module.is_none() {
        for marker in [
            "AWS-LC FIPS",
            "aws_lc_fips_",
            "_goboringcrypto_",
            "BORINGSSL_bcm_text_",
        ] {
            if contains(marker.as_bytes()) {
                evidence.push(format!(
                    "marker string \"{marker}\" found but no FIPS module structure: ignored"
                ));
            }
        }
    }
    let aws_plain = symbols
        .iter()
        .filter(|s| s.starts_with("aws_lc_") && !s.starts_with("aws_lc_fips_"))
        .count();
    if aws_plain > 0 && aws_fips == 0 {
        evidence.push(format!(
            "{aws_plain} aws_lc_* symbols without a FIPS prefix: non-FIPS AWS-LC"
        ));
        non_fips_crypto = true;
    } else if aws_plain == 0
        && aws_fips == 0
        && module.is_none()
        && contains(b"aws_lc_0_")
        && !contains(b"aws_lc_fips_")
    {
        // Stripped: AWS-LC's error tables keep its prefixed function names as strings. A
        // string may say "not FIPS"; only structure says "FIPS".
        evidence.push("aws_lc_<version>_* names in the data (stripped): non-FIPS AWS-LC".into());
        non_fips_crypto = true;
    }
    // By file name: Mach-O install names are paths (`/opt/homebrew/…/libcrypto.3.dylib`).
    let libcrypto: Vec<&String> = needed
        .iter()
        .filter(|n| {
            Path::new(n.as_str())
                .file_name()
                .is_some_and(|f| f.to_string_lossy().starts_with("libcrypto"))
        })
        .collect();
    for lib in &libcrypto {
        evidence.push(format!(
            "needs {lib}: FIPS depends on the runtime OpenSSL configuration"
        ));
    }
    if let Some(go) = &go
        && module.is_none()
    {
        // Every Go >= 1.24 binary that uses crypto carries crypto/internal/fips140 code and
        // the fipsinfo magic: that proves nothing, so it is not taken as evidence.
        evidence.push(format!(
            "{}: standard Go crypto, no FIPS module selected",
            go.version
        ));
        non_fips_crypto = true;
    }
    let stamp_reading = stamp::read(&file, data, go.as_ref(), stamp, module.is_some());
    evidence.extend(stamp_reading.evidence);
    let verdict = if module.is_some() {
        Verdict::Fips
    } else if !libcrypto.is_empty() {
        Verdict::RuntimeOpenssl
    } else if non_fips_crypto {
        Verdict::NonFips
    } else {
        Verdict::Unknown
    };
    Ok(BinaryReport {
        path: path.to_path_buf(),
        format,
        stripped,
        verdict,
        module,
        evidence,
        needed,
        go,
        status_stamp: stamp_reading.present,
        unvalidated,
    })
}
