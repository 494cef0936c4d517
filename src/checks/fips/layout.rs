//! Whether a parsed binary is whole, and where its Go build info lives.
//!
//! `object` parses headers lazily: a binary cut at 4 KiB still has its ELF header and section
//! table, and every question asked of the missing bytes quietly finds nothing, which would read
//! as "no known crypto" and pass `--expect non-fips`. So before the binary is weighed, every
//! section, segment and program header must lie inside the file, and a Go binary must carry
//! readable build info. Anything else is "cannot read" (fail closed), never a verdict.

use super::gobuild::{self, GoBuild};
use crate::input::excerpt;
use object::read::elf::{ElfFile, FileHeader, ProgramHeader};
use object::read::pe::{ImageNtHeaders, PeFile};
use object::{Object, ObjectSection, ObjectSegment};

/// Whether every part the binary's headers describe lies inside its `len` bytes; the error
/// names the first part that does not.
pub fn check_whole(file: &object::File<'_>, len: u64) -> Result<(), String> {
    if file.sections().next().is_none() && file.segments().next().is_none() {
        return Err(
            "has a binary header but no sections or segments: truncated or not a real binary"
                .into(),
        );
    }
    for section in file.sections() {
        if let Some((offset, size)) = section.file_range() {
            // The name itself may lie in the missing part.
            let name = section.name().map_or_else(
                |_| format!("section #{}", section.index().0),
                |n| format!("section {}", excerpt(n, 40)),
            );
            past_end(&name, offset, size, len)?;
        }
    }
    for segment in file.segments() {
        let (offset, size) = segment.file_range();
        let name = match segment.name() {
            Ok(Some(n)) => format!("segment {}", excerpt(n, 40)),
            _ => format!("a segment at byte {offset}"),
        };
        past_end(&name, offset, size, len)?;
    }
    match file {
        object::File::Elf32(elf) => elf_whole(elf, len),
        object::File::Elf64(elf) => elf_whole(elf, len),
        object::File::Pe32(pe) => pe_whole(pe, len),
        object::File::Pe64(pe) => pe_whole(pe, len),
        _ => Ok(()),
    }
}

fn past_end(what: &str, offset: u64, size: u64, len: u64) -> Result<(), String> {
    match offset.checked_add(size) {
        Some(end) if end <= len => Ok(()),
        _ => Err(format!(
            "{what} runs past the end of the file (bytes {offset}+{size} of {len}): truncated or corrupt"
        )),
    }
}

/// Every program header, not only the loadable ones `segments()` yields (`PT_DYNAMIC`,
/// `PT_NOTE`, `PT_INTERP`…).
fn elf_whole<Elf: FileHeader<Endian = object::Endianness>>(
    elf: &ElfFile<'_, Elf>,
    len: u64,
) -> Result<(), String> {
    let endian = elf.endian();
    for header in elf.elf_program_headers() {
        let (offset, size) = header.file_range(endian);
        past_end(
            &format!("program header of type {:#x}", header.p_type(endian)),
            offset,
            size,
            len,
        )?;
    }
    Ok(())
}

/// The raw size of each section (not the smaller of raw and virtual size that `object`
/// reports) and the certificate table, which lies past the sections at the end of the file.
fn pe_whole<Pe: ImageNtHeaders>(pe: &PeFile<'_, Pe>, len: u64) -> Result<(), String> {
    for header in pe.section_table().iter() {
        let size = header.size_of_raw_data.get(object::LittleEndian);
        if size > 0 {
            let name = excerpt(&String::from_utf8_lossy(header.raw_name()), 40);
            let offset = header.pointer_to_raw_data.get(object::LittleEndian);
            past_end(
                &format!("section {}", name.trim_end_matches('\0')),
                offset.into(),
                size.into(),
                len,
            )?;
        }
    }
    if let Some(dir) = pe.data_directory(object::pe::IMAGE_DIRECTORY_ENTRY_SECURITY) {
        let (offset, size) = (
            dir.virtual_address.get(object::LittleEndian),
            dir.size.get(object::LittleEndian),
        );
        if size > 0 {
            past_end("the certificate table", offset.into(), size.into(), len)?;
        }
    }
    Ok(())
}

/// Initialized, readable, writable data, not code: the section Go's PE linker writes its
/// build info to (`IMAGE_SCN_CNT_INITIALIZED_DATA | MEM_READ | MEM_WRITE`).
const PE_WRITABLE_DATA: u32 = 0x0000_0040 | 0x4000_0000 | 0x8000_0000;
const PE_DATA_MASK: u32 = PE_WRITABLE_DATA | 0x0000_0020 | 0x2000_0000;

/// Section names that only Go's linker makes.
const GO_SECTIONS: [&str; 5] = [
    ".go.buildinfo",
    "__go_buildinfo",
    ".gopclntab",
    "__gopclntab",
    ".note.go.buildid",
];

/// Go's linker starts the text with the build ID.
const GO_BUILD_ID: &[u8] = b"\xff Go build ID: \"";

/// Why this is a Go binary, if it is one: a section only Go's linker makes, or a text section
/// that starts with Go's build ID.
fn go_marker(file: &object::File<'_>) -> Option<String> {
    for section in file.sections() {
        let Ok(name) = section.name() else { continue };
        if GO_SECTIONS.contains(&name) {
            return Some(format!("a {name} section"));
        }
        if matches!(name, ".text" | "__text")
            && section.data().is_ok_and(|d| d.starts_with(GO_BUILD_ID))
        {
            return Some("Go's build ID at the start of its text".into());
        }
    }
    None
}

/// The first loadable, writable, non-executable segment of an ELF file: where Go's linker
/// starts its data, build info first (Go's `debug/buildinfo` reads it there when the file has
/// no section table).
fn elf_first_data_segment<'d, Elf: FileHeader<Endian = object::Endianness>>(
    elf: &ElfFile<'d, Elf>,
    data: &'d [u8],
) -> Result<&'d [u8], String> {
    let endian = elf.endian();
    for header in elf.elf_program_headers() {
        let flags = header.p_flags(endian);
        if header.p_type(endian) == object::elf::PT_LOAD
            && flags & (object::elf::PF_X | object::elf::PF_W) == object::elf::PF_W
        {
            return header
                .data(endian, data)
                .map_err(|()| "cannot read its data segment".to_string());
        }
    }
    Ok(&[])
}

/// The Go build info, read only where Go's linker writes it (and `go version -m` reads it):
/// its own section (`.go.buildinfo` in ELF, `__go_buildinfo` in Mach-O); the first writable
/// data section of a PE file; the first writable data segment of an ELF file without a
/// section table. Never anywhere else in the file: any program can hold bytes that look like
/// build info (a C array saying `GOEXPERIMENT=boringcrypto`), and they are not a Go build.
/// `Ok(None)` for a binary that is not Go; an error for a Go binary whose build info is
/// missing or cut off.
pub fn go_build_info(file: &object::File<'_>, data: &[u8]) -> Result<Option<GoBuild>, String> {
    let section = file
        .sections()
        .find(|s| matches!(s.name(), Ok(".go.buildinfo" | "__go_buildinfo")));
    if let Some(section) = section {
        let bytes = section
            .data()
            .map_err(|e| format!("cannot read its Go build info section: {e}"))?;
        return gobuild::parse_section(bytes).map(Some);
    }
    let has_sections = file.sections().next().is_some();
    let region: &[u8] = match file {
        // PE has no build info section: Go puts it in the first writable data section.
        object::File::Pe32(_) | object::File::Pe64(_) => file
            .sections()
            .find(|s| match s.flags() {
                object::SectionFlags::Coff { characteristics } => {
                    characteristics & PE_DATA_MASK == PE_WRITABLE_DATA
                }
                _ => false,
            })
            .map(|s| s.data())
            .transpose()
            .map_err(|e| format!("cannot read its data section: {e}"))?
            .unwrap_or_default(),
        object::File::Elf32(elf) if !has_sections => elf_first_data_segment(elf, data)?,
        object::File::Elf64(elf) if !has_sections => elf_first_data_segment(elf, data)?,
        // ELF and Mach-O with sections: a Go build has the section, so nothing else is read.
        _ => &[],
    };
    match gobuild::parse(region)? {
        Some(build) => Ok(Some(build)),
        None => match go_marker(file) {
            Some(marker) => Err(format!(
                "is a Go binary ({marker}) without readable Go build info: truncated or altered"
            )),
            None => Ok(None),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::binary::{Verdict, analyse_bytes};
    use object::read::elf::FileHeader;
    use object::{Object, ObjectSection, ObjectSegment};
    use proptest::prelude::*;
    use std::path::Path;
    use std::sync::OnceLock;

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

    /// Each fixture binary, read once for all cases.
    fn fixtures() -> &'static [Vec<u8>] {
        static DATA: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
        DATA.get_or_init(|| {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fips/bin");
            FIXTURES
                .iter()
                .map(|name| std::fs::read(dir.join(name)).unwrap())
                .collect()
        })
    }

    /// Where the last byte any header points at lies: cutting below it removes something
    /// the binary describes (past it is only padding).
    fn extent(data: &[u8]) -> usize {
        let file = object::File::parse(data).unwrap();
        let mut end = 0u64;
        for section in file.sections() {
            if let Some((offset, size)) = section.file_range() {
                end = end.max(offset + size);
            }
        }
        for segment in file.segments() {
            let (offset, size) = segment.file_range();
            end = end.max(offset + size);
        }
        if let object::File::Elf64(elf) = &file {
            let (header, endian) = (elf.elf_header(), elf.endian());
            let table = header.e_shoff(endian)
                + u64::from(header.e_shnum(endian)) * u64::from(header.e_shentsize(endian));
            end = end.max(table);
        }
        usize::try_from(end).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// A real binary cut anywhere before the end of what it describes is "cannot read",
        /// never a verdict: a cut binary must not pass `--expect non-fips`.
        #[test]
        fn truncated_binaries_are_errors(which in 0..FIXTURES.len(), at in any::<prop::sample::Index>()) {
            let data = &fixtures()[which];
            let cut = at.index(extent(data));
            let read = analyse_bytes(Path::new(FIXTURES[which]), &data[..cut], "FIPSMode=true");
            prop_assert!(read.is_err(), "{} cut at {cut}: {:?}", FIXTURES[which], read.map(|r| r.verdict));
        }

        /// A real binary with bytes changed (mostly in its headers): an error or a verdict,
        /// never a panic; and a FIPS binary whose build info header is damaged is never read
        /// as anything but FIPS or an error.
        #[test]
        fn mutated_binaries_never_panic(
            which in 0..FIXTURES.len(),
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), any::<bool>()), 1..6),
        ) {
            let mut data = fixtures()[which].clone();
            for (at, byte, in_headers) in edits {
                let span = if in_headers { data.len().min(4096) } else { data.len() };
                let i = at.index(span);
                data[i] = byte;
            }
            let _ = analyse_bytes(Path::new(FIXTURES[which]), &data, "FIPSMode=true");
        }

        /// go1.27 GOFIPS140: the build info alone says FIPS. Damaged anywhere in its header
        /// or strings, the binary is FIPS (the damage missed what matters) or an error, never
        /// "not FIPS" or "no known crypto".
        #[test]
        fn damaged_go_build_info_is_never_read_as_not_fips(offset in 0usize..96, byte in any::<u8>()) {
            let mut data = fixtures()[4].clone();
            let at = memchr::memmem::find_iter(&data, b"\xff Go buildinf:")
                .find(|p| p % 16 == 0)
                .unwrap();
            data[at + offset] = byte;
            if let Ok(report) = analyse_bytes(Path::new("go127-fips140"), &data, "FIPSMode=true") {
                prop_assert_eq!(report.verdict, Verdict::Fips, "{:?}", report.evidence);
            }
        }

        /// Go build info sections of any bytes: an error or a reading, never a panic.
        #[test]
        fn arbitrary_build_info_sections_never_panic(tail in prop::collection::vec(any::<u8>(), 0..80), flags in any::<u8>()) {
            let mut section = b"\xff Go buildinf:".to_vec();
            section.extend([8, flags]);
            section.resize(32, 0);
            section.extend(tail);
            let _ = super::gobuild::parse_section(&section);
            let _ = super::gobuild::parse(&section);
        }
    }

    #[test]
    fn go_build_info_is_read_from_the_data_segment_of_an_elf_without_sections() {
        // go127-fips140 with its section table removed: the build info is still where Go's
        // linker put it, at the start of the first writable segment.
        let mut data = fixtures()[4].clone();
        data[0x28..0x30].fill(0); // e_shoff
        data[0x3c..0x40].fill(0); // e_shnum, e_shstrndx
        let report = analyse_bytes(Path::new("go127-fips140"), &data, "FIPSMode=true").unwrap();
        assert_eq!(report.verdict, Verdict::Fips, "{:?}", report.evidence);
        assert_eq!(report.go.map(|g| g.version).as_deref(), Some("go1.27.3"));
    }

    #[test]
    fn fixtures_are_whole() {
        for (name, data) in FIXTURES.iter().zip(fixtures()) {
            let file = object::File::parse(&**data).unwrap();
            assert_eq!(
                super::check_whole(&file, data.len() as u64),
                Ok(()),
                "{name}"
            );
        }
    }
}
