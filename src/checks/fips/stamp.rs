//! The FIPS status stamp (`FIPSMode=true` by default), counted only where a build puts it on
//! purpose, never as a substring somewhere in the file: any program can print the words (and
//! Palisade's own help text does).
//!
//! The accepted forms, for a stamp `S`:
//! - Go: an `-X importpath.name=value` in the `-ldflags` recorded in the build settings, whose
//!   `value`, `name=value` or `importpath.name=value` is `S` (`-X main.BuildStamp=FIPSMode=true`,
//!   `-X main.FIPSMode=true`). Go records `-ldflags` only for builds without `-trimpath`.
//! - Any binary: a section of its own whose contents are `S` (trailing NULs aside), or, for an
//!   ELF note section, holding a note whose descriptor is `S`: `.note.fips-status` (ELF),
//!   `__fips_status` (Mach-O, e.g. `__DATA,__fips_status`), `.fips` (PE, whose section names
//!   have at most 8 bytes).
//! - Any binary: a defined symbol named `S` (static or dynamic symbol table).
//!
//! This module reads; the caller weighs.

use super::gobuild::GoBuild;
use crate::input::excerpt;
use object::{Object, ObjectSection, ObjectSymbol};

/// The section names that hold a status stamp, by format.
pub const SECTIONS: [&str; 3] = [".note.fips-status", "__fips_status", ".fips"];

/// Where the stamp was found, if it was, and what else was seen.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Reading {
    /// The stamp is there in an accepted form.
    pub present: bool,
    /// One fact a line.
    pub evidence: Vec<String>,
}

/// Whether `-X symbol=value` sets the stamp.
fn x_sets(symbol: &str, value: &str, stamp: &str) -> bool {
    let name = symbol.rsplit('.').next().unwrap_or(symbol);
    value == stamp
        || stamp.strip_prefix(symbol).and_then(|s| s.strip_prefix('=')) == Some(value)
        || stamp.strip_prefix(name).and_then(|s| s.strip_prefix('=')) == Some(value)
}

/// The descriptors of the ELF notes in `bytes` (4-byte aligned, as linkers lay them out);
/// `None` when the bytes are not a sequence of whole notes.
fn note_descriptors(bytes: &[u8], big_endian: bool) -> Option<Vec<&[u8]>> {
    let word = |at: usize| -> Option<usize> {
        let b: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
        let n = if big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        };
        usize::try_from(n).ok()
    };
    let padded = |n: usize| n.checked_add(3).map(|n| n & !3);
    let mut descriptors = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let (name_size, desc_size) = (word(at)?, word(at + 4)?);
        let desc_at = at.checked_add(12)?.checked_add(padded(name_size)?)?;
        let desc_end = desc_at.checked_add(desc_size)?;
        descriptors.push(bytes.get(desc_at..desc_end)?);
        at = desc_at.checked_add(padded(desc_size)?)?;
    }
    Some(descriptors)
}

fn trim_nuls(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    &bytes[..end]
}

/// Looks for `stamp` in its accepted forms; `fips` (the binary links a FIPS module) adds
/// why a Go build's stamp cannot be seen, where that is the reason.
pub fn read(
    file: &object::File<'_>,
    data: &[u8],
    go: Option<&GoBuild>,
    stamp: &str,
    fips: bool,
) -> Reading {
    let mut reading = Reading::default();
    if stamp.is_empty() {
        return reading;
    }
    let shown = excerpt(stamp, 40);
    if let Some(go) = go {
        for (symbol, value) in go.x_definitions() {
            if x_sets(&symbol, &value, stamp) {
                reading.present = true;
                reading.evidence.push(format!(
                    "status stamp \"{shown}\" set by -ldflags -X {}",
                    excerpt(&symbol, 40)
                ));
            }
        }
        if fips && go.setting("-ldflags").is_none() && go.setting("-trimpath") == Some("true") {
            reading.evidence.push(
                "built with -trimpath, so Go recorded no -ldflags: a -X status stamp cannot be seen (build without -trimpath, or use a .note.fips-status section)".into(),
            );
        }
    }
    let big_endian = file.endianness() == object::Endianness::Big;
    for section in file.sections() {
        let Ok(name) = section.name() else { continue };
        if !SECTIONS.contains(&name) {
            continue;
        }
        let Ok(bytes) = section.data() else { continue };
        let as_notes = match section.flags() {
            object::SectionFlags::Elf { .. } if name.starts_with(".note") => {
                note_descriptors(bytes, big_endian).unwrap_or_default()
            }
            _ => Vec::new(),
        };
        let holds = trim_nuls(bytes) == stamp.as_bytes()
            || as_notes.iter().any(|d| trim_nuls(d) == stamp.as_bytes());
        if holds {
            reading.present = true;
            reading
                .evidence
                .push(format!("status stamp \"{shown}\" in section {name}"));
        } else {
            reading.evidence.push(format!(
                "section {name} does not hold the status stamp \"{shown}\""
            ));
        }
    }
    let macho = matches!(file.format(), object::BinaryFormat::MachO);
    let named = file.symbols().chain(file.dynamic_symbols()).any(|s| {
        !s.is_undefined()
            && s.name()
                .is_ok_and(|n| n == stamp || (macho && n.strip_prefix('_') == Some(stamp)))
    });
    if named {
        reading.present = true;
        reading
            .evidence
            .push(format!("status stamp \"{shown}\" as a defined symbol"));
    }
    if !reading.present && memchr::memmem::find(data, stamp.as_bytes()).is_some() {
        reading.evidence.push(format!(
            "the string \"{shown}\" is in the file but not where a status stamp counts (-ldflags -X, a {} section, a symbol): ignored",
            SECTIONS[0]
        ));
    }
    reading
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x_sets_the_stamp_by_value_or_by_name() {
        assert!(x_sets("main.BuildStamp", "FIPSMode=true", "FIPSMode=true"));
        assert!(x_sets("main.FIPSMode", "true", "FIPSMode=true"));
        assert!(x_sets(
            "example.com/svc/build.fipsMode",
            "true",
            "example.com/svc/build.fipsMode=true"
        ));
        assert!(!x_sets("main.FIPSMode", "false", "FIPSMode=true"));
        assert!(!x_sets("main.Mode", "true", "FIPSMode=true"));
        assert!(!x_sets(
            "main.BuildStamp",
            "FIPSMode=true-ish",
            "FIPSMode=true"
        ));
    }

    #[test]
    fn notes_are_read_whole_or_not_at_all() {
        let mut note = Vec::new();
        for v in [5u32, 13, 1] {
            note.extend(v.to_le_bytes());
        }
        note.extend(b"FIPS\0\0\0\0FIPSMode=true\0\0\0");
        assert_eq!(
            note_descriptors(&note, false),
            Some(vec![&b"FIPSMode=true"[..]])
        );
        // A descriptor size past the end: not a note.
        let mut long = note.clone();
        long[4] = 200;
        assert_eq!(note_descriptors(&long, false), None);
        assert_eq!(note_descriptors(&note[..10], false), None);
        assert_eq!(note_descriptors(&[0xff; 12], false), None);
    }
}
