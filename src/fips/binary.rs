//! What a binary says about its crypto: read once into memory, parsed with `object` (ELF,
//! Mach-O, PE), its symbols, dynamic dependencies, Go build info and telling strings weighed
//! into a verdict with the evidence for it.

use super::gobuild::GoBuild;
use super::layout;
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
    /// Whether the configured FIPS status stamp (e.g. `FIPSMode=true`) is in the binary.
    pub status_stamp: bool,
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

/// Every symbol name, static and dynamic, sorted and deduplicated; a name that cannot be read
/// means the symbol table is corrupt.
fn symbol_names(file: &object::File<'_>) -> Result<Vec<String>, String> {
    let mut names = file
        .symbols()
        .chain(file.dynamic_symbols())
        .map(|s| s.name().map(str::to_string))
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

/// What Go build info says: the FIPS module it selects, if any, and the facts.
fn go_evidence(go: &GoBuild) -> (Option<String>, Vec<String>) {
    let mut evidence = Vec::new();
    let mut module: Option<String> = None;
    evidence.push(format!("Go build info: {}", go.version));
    let experiment = go.setting("GOEXPERIMENT").unwrap_or_default();
    if go.version.contains("X:boringcrypto") || experiment.split(',').any(|e| e == "boringcrypto") {
        evidence.push("GOEXPERIMENT=boringcrypto: Go BoringCrypto module".into());
        module = Some("Go BoringCrypto".into());
    }
    if let Some(fips) = go.setting("GOFIPS140").filter(|v| *v != "off") {
        evidence.push(format!("GOFIPS140={fips}: Go Cryptographic Module"));
        module = Some(format!("Go Cryptographic Module {fips}"));
    }
    if let Some(godebug) = go.setting("DefaultGODEBUG") {
        for mode in ["fips140=on", "fips140=only"] {
            if godebug.split(',').any(|s| s == mode) {
                evidence.push(format!(
                    "DefaultGODEBUG has {mode}: FIPS mode is on by default"
                ));
            }
        }
    }
    for (name, what) in [
        (
            "systemcrypto",
            "Microsoft Go systemcrypto (the platform's crypto library)",
        ),
        ("opensslcrypto", "OpenSSL-backed Go (golang-fips)"),
        ("strictfipsruntime", "golang-fips strict FIPS runtime"),
    ] {
        if go.version.contains(&format!("X:{name}")) || experiment.split(',').any(|e| e == name) {
            evidence.push(format!("GOEXPERIMENT={name}: {what}"));
            module.get_or_insert_with(|| what.to_string());
        }
    }
    if go
        .setting("-tags")
        .is_some_and(|t| t.split(',').any(|t| t == "requirefips"))
    {
        evidence.push("build tag requirefips: the binary refuses to run outside FIPS mode".into());
    }
    (module, evidence)
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
    let mut non_fips_crypto = false;

    if let Some(go) = &go {
        let (go_module, go_evidence) = go_evidence(go);
        evidence.extend(go_evidence);
        module = go_module;
    }
    let boring = symbols
        .iter()
        .filter(|s| s.starts_with("_goboringcrypto_"))
        .count();
    if boring > 0 {
        evidence.push(format!("{boring} _goboringcrypto_* symbols"));
        module.get_or_insert_with(|| "Go BoringCrypto".into());
    }
    let aws_fips = symbols
        .iter()
        .filter(|s| s.starts_with("aws_lc_fips_"))
        .count();
    if aws_fips > 0 {
        evidence.push(format!("{aws_fips} aws_lc_fips_* symbols"));
        module.get_or_insert_with(|| "AWS-LC FIPS".into());
    }
    if symbols.iter().any(|s| s.starts_with("BORINGSSL_bcm_text_")) {
        evidence.push("BORINGSSL_bcm_text_* integrity-check symbols".into());
    }
    if contains(b"AWS-LC FIPS") {
        evidence.push("the string \"AWS-LC FIPS\" (AWS-LC's FIPS mode string)".into());
        module.get_or_insert_with(|| "AWS-LC FIPS".into());
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
        // Stripped: AWS-LC's error tables keep its prefixed function names as strings.
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
    let status_stamp = !stamp.is_empty() && contains(stamp.as_bytes());
    if status_stamp {
        evidence.push(format!("status stamp \"{stamp}\" present"));
    }
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
        status_stamp,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn go(version: &str, settings: &[(&str, &str)]) -> GoBuild {
        GoBuild {
            version: version.into(),
            settings: settings
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            path: None,
        }
    }

    #[test]
    fn microsoft_go_and_golang_fips_are_recognised_from_build_settings() {
        let microsoft = go(
            "go1.24.3 X:systemcrypto",
            &[("GOEXPERIMENT", "systemcrypto"), ("-tags", "requirefips")],
        );
        let (module, evidence) = go_evidence(&microsoft);
        assert_eq!(
            module.as_deref(),
            Some("Microsoft Go systemcrypto (the platform's crypto library)")
        );
        assert!(
            evidence.iter().any(|e| e.contains("requirefips")),
            "{evidence:?}"
        );
        let (module, _) = go_evidence(&go(
            "go1.22.7",
            &[("GOEXPERIMENT", "strictfipsruntime,opensslcrypto")],
        ));
        assert_eq!(module.as_deref(), Some("OpenSSL-backed Go (golang-fips)"));
    }

    #[test]
    fn gofips140_off_and_plain_go_are_not_fips() {
        let (module, _) = go_evidence(&go("go1.24.0", &[("GOFIPS140", "off")]));
        assert_eq!(module, None);
        let (module, evidence) =
            go_evidence(&go("go1.24.0", &[("DefaultGODEBUG", "fips140=only")]));
        assert_eq!(
            module, None,
            "fips140=only without the module is a setting, not a module"
        );
        assert!(evidence.iter().any(|e| e.contains("fips140=only")));
    }
}
