//! The function table (pclntab): locating it and reading function names.
//!
//! Header (`runtime.pcHeader`): magic u32, two zero pad bytes, PC quantum
//! (1, 2 or 4), pointer size (4 or 8), then pointer-sized words:
//! * Go 1.16–1.17 (magic `0xfffffffa`): nfunc, nfiles, funcnameOffset,
//!   cuOffset, filetabOffset, pctabOffset, pclnOffset;
//! * Go 1.18–1.19 (`0xfffffff0`) and 1.20+ (`0xfffffff1`): nfunc, nfiles,
//!   textStart, then the same five offsets.
//!
//! Offsets are relative to the header. The funcnametab (from funcnameOffset
//! up to cuOffset) holds one NUL-terminated name per function linked in or
//! inlined. The functab at pclnOffset has nfunc+1 (entry, funcoff) pairs,
//! uintptr-sized before 1.18 and u32 after; funcoff locates a `_func`
//! (relative to pclnOffset) that starts with its entry (uintptr, or u32 from
//! 1.18) and an i32 nameOff into the funcnametab.
//!
//! Go 1.2–1.15 (`0xfffffffb`) has no funcnametab: the functab follows the
//! nfunc word and names are found through each `_func`, with offsets relative
//! to the table start; only linked functions are listed.

use object::{Object, ObjectSection, ObjectSegment, ObjectSymbol, SectionKind};

use super::buildinfo::Enc;
use super::{Error, Functions, offset_in};

const MAGIC_12: u32 = 0xffff_fffb;
const MAGIC_116: u32 = 0xffff_fffa;
const MAGIC_118: u32 = 0xffff_fff0;
const MAGIC_120: u32 = 0xffff_fff1;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Layout {
    Go12,
    Go116,
    Go118,
}

/// Locates the pclntab and reads its names. `Ok(None)` when none is found.
pub(super) fn read(data: &[u8], file: &object::File<'_>) -> Result<Option<Functions>, Error> {
    let Some(table) = locate(data, file)? else {
        return Ok(None);
    };
    parse(table).map(Some).map_err(|reason| Error::Pclntab {
        offset: offset_in(data, table),
        reason,
    })
}

/// The pclntab bytes (to the end of their container), by section name, by
/// symbol, or by searching read-only data for a plausible header.
fn locate<'d>(data: &[u8], file: &object::File<'d>) -> Result<Option<&'d [u8]>, Error> {
    // `.gopclntab`, `__gopclntab`, `.data.rel.ro.gopclntab` (PIE).
    if let Some(sec) = file.sections().find(|s| {
        s.name()
            .is_ok_and(|n| n.ends_with(".gopclntab") || n == "__gopclntab")
    }) {
        return match sec.data() {
            Ok(d) if !d.is_empty() => Ok(Some(d)),
            _ => Err(Error::Pclntab {
                offset: sec.file_range().map_or(0, |r| r.0),
                reason: "its section has no data in the file".into(),
            }),
        };
    }
    // `runtime.pclntab` (PE and others that kept their symbol table): from
    // the symbol to its size, or to the end of its section.
    let symbol = file
        .symbols()
        .find(|s| s.name() == Ok("runtime.pclntab"))
        .map(|s| (s.address(), s.size()));
    if let Some((addr, size)) = symbol
        && let Some(d) = file.sections().find_map(|s| {
            let end = s.address().checked_add(s.size())?;
            let len = if size > 0 {
                size
            } else {
                end.checked_sub(addr)?
            };
            s.data_range(addr, len).ok().flatten()
        })
    {
        return Ok(Some(d));
    }
    // Stripped PE (and section-less ELF): search for a plausible header.
    let mut regions: Vec<&[u8]> = file
        .sections()
        .filter(|s| {
            matches!(
                s.kind(),
                SectionKind::ReadOnlyData
                    | SectionKind::ReadOnlyString
                    | SectionKind::ReadOnlyDataWithRel
                    | SectionKind::Data
                    | SectionKind::Unknown
            )
        })
        .filter_map(|s| s.data().ok())
        .collect();
    if regions.is_empty() {
        regions.extend(file.segments().filter_map(|s| s.data().ok()));
    }
    let mut damaged = None;
    for region in regions {
        for cand in candidates(region) {
            match header(cand) {
                Ok(_) => return Ok(Some(cand)),
                Err(reason) => {
                    damaged.get_or_insert((cand, reason));
                }
            }
        }
    }
    // A header prefix but nothing usable after it: report, don't hide.
    match damaged {
        Some((cand, reason)) => Err(Error::Pclntab {
            offset: offset_in(data, cand),
            reason,
        }),
        None => Ok(None),
    }
}

/// Whether the binary's pclntab is in a Go 1.16+ format.
pub(super) fn is_go116_or_later(data: &[u8], file: &object::File<'_>) -> bool {
    matches!(locate(data, file), Ok(Some(t)) if prefix(t).is_some_and(|(l, _)| l != Layout::Go12))
}

/// Whether `data` contains something that starts like a pclntab header.
pub(super) fn has_header(data: &[u8]) -> bool {
    candidates(data).next().is_some()
}

/// Slices of `region` starting at a magic + pad + quantum + pointer size
/// that could be a pclntab header, in file order.
fn candidates(region: &[u8]) -> impl Iterator<Item = &[u8]> {
    // Every magic is 0xff,0xff,0xff plus one byte, in either byte order:
    // LE [x, ff, ff, ff], BE [ff, ff, ff, x]. Overlapping search so that runs
    // of 0xff do not hide a match.
    let finder = memchr::memmem::Finder::new(&[0xff, 0xff, 0xff]);
    let mut from = 0;
    std::iter::from_fn(move || {
        loop {
            let i = from + finder.find(region.get(from..)?)?;
            from = i + 1;
            let found = [i.checked_sub(1), Some(i)]
                .into_iter()
                .flatten()
                .filter_map(|s| region.get(s..))
                .find(|c| prefix(c).is_some());
            if found.is_some() {
                return found;
            }
        }
    })
}

/// Checks magic, pad, quantum and pointer size.
fn prefix(d: &[u8]) -> Option<(Layout, Enc)> {
    let b = d.get(..8)?;
    if b[4] != 0 || b[5] != 0 || !matches!(b[6], 1 | 2 | 4) || !matches!(b[7], 4 | 8) {
        return None;
    }
    let m: [u8; 4] = b[..4].try_into().ok()?;
    let (magic, big) = match u32::from_le_bytes(m) {
        MAGIC_12 | MAGIC_116 | MAGIC_118 | MAGIC_120 => (u32::from_le_bytes(m), false),
        _ => (u32::from_be_bytes(m), true),
    };
    let layout = match magic {
        MAGIC_12 => Layout::Go12,
        MAGIC_116 => Layout::Go116,
        MAGIC_118 | MAGIC_120 => Layout::Go118,
        _ => return None,
    };
    Some((
        layout,
        Enc {
            big,
            ptr: usize::from(b[7]),
        },
    ))
}

/// Validated header geometry.
struct Header {
    layout: Layout,
    enc: Enc,
    nfunc: usize,
    /// funcnametab byte range (empty for Go 1.2–1.15).
    names: std::ops::Range<usize>,
    /// Start of the functab; `_func` offsets are relative to it (1.16+) or
    /// to the table start (1.2–1.15).
    functab: usize,
    /// Size of one functab field.
    field: usize,
    /// End of the functab's 2 * nfunc + 1 fields.
    functab_end: usize,
}

fn header(d: &[u8]) -> Result<Header, String> {
    let Some((layout, enc)) = prefix(d) else {
        let magic = d.get(..4).map(|m| format!("{m:02x?}")).unwrap_or_default();
        return Err(format!(
            "unknown header {magic} (known: the formats of Go 1.2 to 1.27, magics \
             fffffffb, fffffffa, fffffff0, fffffff1)"
        ));
    };
    let p = enc.ptr;
    let word = |i: usize| -> Result<usize, String> {
        let v = enc
            .uptr(d, 8 + i * p)
            .ok_or_else(|| format!("header truncated ({} bytes)", d.len()))?;
        usize::try_from(v).map_err(|_| format!("header word {i} ({v:#x}) is out of range"))
    };
    let nfunc = word(0)?;
    if nfunc == 0 {
        return Err("header declares zero functions".into());
    }
    let (names, functab, field) = if layout == Layout::Go12 {
        (0..0, 8 + p, p)
    } else {
        let first = if layout == Layout::Go118 { 3 } else { 2 };
        let hdr_end = 8 + (first + 5) * p;
        let offs = [
            word(first)?,
            word(first + 1)?,
            word(first + 2)?,
            word(first + 3)?,
            word(first + 4)?,
        ];
        if offs[0] < hdr_end || offs.windows(2).any(|w| w[0] > w[1]) || offs[4] > d.len() {
            return Err(format!(
                "table offsets {offs:#x?} are out of order or beyond the {:#x} bytes \
                 available",
                d.len()
            ));
        }
        let field = if layout == Layout::Go118 { 4 } else { p };
        (offs[0]..offs[1], offs[4], field)
    };
    let functab_end = nfunc
        .checked_mul(2)
        .and_then(|n| n.checked_add(1))
        .and_then(|n| n.checked_mul(field))
        .and_then(|n| n.checked_add(functab))
        .filter(|&end| end <= d.len());
    let Some(functab_end) = functab_end else {
        return Err(format!(
            "function table for {nfunc} functions does not fit in the {:#x} bytes available",
            d.len()
        ));
    };
    Ok(Header {
        layout,
        enc,
        nfunc,
        names,
        functab,
        field,
        functab_end,
    })
}

fn parse(d: &[u8]) -> Result<Functions, String> {
    let h = header(d)?;
    let field = |i: usize| -> Option<u64> {
        let off = h.functab + i * h.field;
        if h.field == 4 {
            h.enc.u32(d, off).map(u64::from)
        } else {
            h.enc.uptr(d, off)
        }
    };
    let nametab = d.get(h.names.clone()).unwrap_or(&[]);
    let mut out = Functions {
        linked: h.nfunc,
        ..Functions::default()
    };
    // Names repeat only for distinct static C functions of one name (cgo);
    // each is kept once.
    let mut seen = std::collections::HashSet::with_capacity(h.nfunc * 2);
    let mut prev_entry = 0u64;
    // Name offsets already claimed by a function (one bit per name byte).
    let mut used = vec![0u64; nametab.len() / 64 + 1];
    for i in 0..=h.nfunc {
        let entry = field(2 * i).ok_or("functab truncated")?;
        if entry < prev_entry {
            return Err(format!(
                "functab entry {i} goes backwards ({entry:#x} < {prev_entry:#x})"
            ));
        }
        prev_entry = entry;
        if i == h.nfunc {
            break; // The final entry only marks the end of the last function.
        }
        let funcoff = usize::try_from(field(2 * i + 1).ok_or("functab truncated")?)
            .map_err(|_| format!("function {i} offset overflows"))?;
        let base = if h.layout == Layout::Go12 {
            0
        } else {
            h.functab
        };
        // Records follow the functab; from 1.16 the first one right after
        // it (aligned), which also pins nfunc.
        let f = base
            .checked_add(funcoff)
            .filter(|&f| f >= h.functab_end && f < d.len())
            .ok_or_else(|| format!("function {i} record offset {funcoff:#x} is out of range"))?;
        if i == 0 && h.layout != Layout::Go12 && f - h.functab_end >= 8 {
            return Err(format!(
                "function records start {:#x} bytes after the functab, so the function \
                 count ({}) is wrong",
                f - h.functab_end,
                h.nfunc
            ));
        }
        let (f_entry, name_at) = if h.layout == Layout::Go118 {
            (h.enc.u32(d, f).map(u64::from), f + 4)
        } else {
            (h.enc.uptr(d, f), f + h.enc.ptr)
        };
        let name_off = h.enc.u32(d, name_at).ok_or("function record truncated")?;
        if f_entry != Some(entry) {
            return Err(format!(
                "function {i} record does not match its functab entry"
            ));
        }
        let name_off = usize::try_from(name_off.cast_signed())
            .map_err(|_| format!("function {i} has a negative name offset"))?;
        if h.layout == Layout::Go12 {
            let name = d
                .get(name_off..)
                .and_then(cstr)
                .ok_or_else(|| format!("function {i} name offset {name_off:#x} is out of range"))?;
            if let Ok(s) = std::str::from_utf8(name)
                && !s.is_empty()
                && seen.insert(name)
            {
                out.push(s);
            }
            continue;
        }
        let starts_name = nametab.get(name_off).is_some_and(|&b| b != 0)
            && (name_off == 0 || nametab.get(name_off - 1) == Some(&0));
        if !starts_name {
            return Err(format!(
                "function {i} name offset {name_off:#x} does not start a name in the \
                 {:#x}-byte name table",
                nametab.len()
            ));
        }
        // The linker gives every function its own copy of its name.
        let (word, bit) = (name_off / 64, 1u64 << (name_off % 64));
        match used.get_mut(word) {
            Some(w) if *w & bit == 0 => *w |= bit,
            _ => {
                return Err(format!(
                    "function {i} shares name offset {name_off:#x} with another function"
                ));
            }
        }
    }
    if h.layout != Layout::Go12 {
        for name in nametab.split(|&b| b == 0) {
            if name.is_empty() || !seen.insert(name) {
                continue;
            }
            if let Ok(s) = std::str::from_utf8(name)
                && !out.push(s)
            {
                break;
            }
        }
    }
    Ok(out)
}

/// Bytes up to (not including) the first NUL.
fn cstr(d: &[u8]) -> Option<&[u8]> {
    d.get(..memchr::memchr(0, d)?)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Appends the low `n` bytes of `x` in the given byte order.
    pub(in super::super) fn put(v: &mut Vec<u8>, big: bool, x: u64, n: usize) {
        if big {
            v.extend_from_slice(&x.to_be_bytes()[8 - n..]);
        } else {
            v.extend_from_slice(&x.to_le_bytes()[..n]);
        }
    }

    /// A synthetic pclntab with the given layout, byte order and pointer size.
    /// `linked` functions are in the functab; `inlined` only in the name table.
    pub(in super::super) fn build(
        magic: u32,
        big: bool,
        ptr: usize,
        linked: &[&str],
        inlined: &[&str],
    ) -> Vec<u8> {
        let put = |v: &mut Vec<u8>, x: u64, n: usize| put(v, big, x, n);
        let mut names = Vec::new();
        let mut name_offs = Vec::new();
        for n in linked.iter().chain(inlined) {
            name_offs.push(names.len() as u64);
            names.extend_from_slice(n.as_bytes());
            names.push(0);
        }
        let go118 = magic == MAGIC_118 || magic == MAGIC_120;
        let words = if go118 { 8 } else { 7 };
        let hdr_len = 8 + words * ptr;
        let names_off = hdr_len;
        let cu_off = names_off + names.len();
        let pcln_off = cu_off + 8; // cutab, filetab, pctab: 8 dummy bytes
        let field = if go118 { 4 } else { ptr };
        let nfunc = linked.len();
        let functab_len = (2 * nfunc + 1) * field;
        let rec_len = if go118 { 8 } else { ptr + 4 };
        let mut t = Vec::new();
        put(&mut t, u64::from(magic), 4);
        t.extend_from_slice(&[0, 0, 1, ptr as u8]);
        let mut hdr = vec![nfunc as u64, 1];
        if go118 {
            hdr.push(0x1000);
        }
        hdr.extend([names_off, cu_off, cu_off + 4, cu_off + 6, pcln_off].map(|x| x as u64));
        for w in hdr {
            put(&mut t, w, ptr);
        }
        t.extend_from_slice(&names);
        t.extend_from_slice(&[0; 8]);
        for i in 0..=nfunc {
            put(&mut t, 0x10 * i as u64, field);
            if i < nfunc {
                put(&mut t, (functab_len + i * rec_len) as u64, field);
            }
        }
        for (i, off) in name_offs.iter().take(nfunc).enumerate() {
            put(&mut t, 0x10 * i as u64, if go118 { 4 } else { ptr });
            put(&mut t, *off, 4);
        }
        t
    }

    fn names(f: &Functions) -> Vec<&str> {
        f.names().collect()
    }

    #[test]
    fn synthetic_tables_all_layouts_and_byte_orders() {
        let linked = ["runtime.main", "main.main", "net/http.(*Server).Serve"];
        let inlined = ["strings.Index", "main.helper"];
        for magic in [MAGIC_116, MAGIC_118, MAGIC_120] {
            for big in [false, true] {
                for ptr in [4, 8] {
                    let t = build(magic, big, ptr, &linked, &inlined);
                    let f = parse(&t).unwrap_or_else(|e| panic!("{magic:x} {big} {ptr}: {e}"));
                    assert_eq!(names(&f), [&linked[..], &inlined[..]].concat());
                    assert_eq!(f.linked_count(), 3);
                    // Found by the magic search as well.
                    let mut padded = vec![0xffu8; 13];
                    padded.extend_from_slice(&t);
                    let c: Vec<&[u8]> = candidates(&padded).collect();
                    assert_eq!(c.first().map(|c| c.len()), Some(t.len()));
                }
            }
        }
    }

    #[test]
    fn synthetic_damage_is_reported() {
        let t = build(MAGIC_116, false, 8, &["main.main", "main.f"], &[]);
        let hdr = 8 + 7 * 8;
        // Name offset of function 1 pointing into the middle of a name.
        let mut bad = t.clone();
        let n = bad.len();
        bad[n - 4..].copy_from_slice(&2u32.to_le_bytes());
        let e = parse(&bad).unwrap_err();
        assert!(e.contains("does not start a name"), "{e}");
        // Record entry not matching the functab.
        let mut bad = t.clone();
        bad[n - 12] ^= 1;
        assert!(parse(&bad).unwrap_err().contains("does not match"));
        // Truncated table.
        let e = parse(&t[..t.len() - 20]).unwrap_err();
        assert!(e.contains("truncated") || e.contains("out of range"), "{e}");
        // Offsets out of order.
        let mut bad = t.clone();
        bad[8 + 2 * 8..8 + 3 * 8].copy_from_slice(&0x10_0000u64.to_le_bytes());
        assert!(parse(&bad).unwrap_err().contains("out of order"));
        // Unknown magic.
        let mut bad = t.clone();
        bad[0] = 0xf7;
        assert!(parse(&bad).unwrap_err().contains("unknown header"));
        assert!(parse(&t[..hdr - 1]).is_err());
    }

    #[test]
    fn go12_layout_names_via_functab() {
        // magic, pad, quantum, ptr; nfunc; functab; filetab offset; records.
        let mut t = Vec::new();
        t.extend_from_slice(&MAGIC_12.to_le_bytes());
        t.extend_from_slice(&[0, 0, 1, 8]);
        t.extend_from_slice(&1u64.to_le_bytes());
        let functab = t.len();
        let rec = functab + 3 * 8 + 4;
        for v in [0x400000u64, rec as u64, 0x400100] {
            t.extend_from_slice(&v.to_le_bytes());
        }
        t.extend_from_slice(&0u32.to_le_bytes());
        let name_at = rec + 12;
        t.extend_from_slice(&0x400000u64.to_le_bytes());
        t.extend_from_slice(&(name_at as u32).to_le_bytes());
        t.extend_from_slice(b"main.main\0");
        let f = parse(&t).unwrap();
        assert_eq!(names(&f), ["main.main"]);
    }
}
