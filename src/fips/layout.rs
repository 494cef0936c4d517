//! Whether a parsed binary is whole, and where its Go build info lives.
//!
//! `object` parses headers lazily: a binary cut at 4 KiB still has its ELF header and section
//! table, and every question asked of the missing bytes quietly finds nothing, which would read
//! as "no known crypto" and pass `--expect non-fips`. So before the binary is weighed, every
//! section, segment and program header must lie inside the file, and a Go binary must carry
//! readable build info. Anything else is "cannot read" (fail closed), never a verdict.

use super::gobuild::{self, GoBuild};
use crate::input::excerpt;
use object::read::elf::{ElfFile, FileHeader, ProgramHeader, SectionHeader};
use object::read::pe::{ImageNtHeaders, PeFile};
use object::{Object, ObjectSection, ObjectSegment};

/// Where a binary's own headers point past its end, or `None` when it is whole.
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

/// Every program header (not only the loadable ones `segments()` yields) and every section
/// header with file contents.
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
    for header in elf.elf_section_table().iter() {
        if let Some((offset, size)) = header.file_range(endian) {
            past_end("a section header's contents", offset, size, len)?;
        }
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

/// The Go build info: read from its own section where the format has one (`.go.buildinfo`,
/// `__go_buildinfo`), else found in the file. `Ok(None)` for a binary that is not Go; an
/// error for a Go binary whose build info is missing or cut off.
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
    match gobuild::parse(data)? {
        Some(build) => Ok(Some(build)),
        None => match go_marker(file) {
            Some(marker) => Err(format!(
                "is a Go binary ({marker}) without readable Go build info: truncated or altered"
            )),
            None => Ok(None),
        },
    }
}
