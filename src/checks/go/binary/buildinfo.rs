//! The build info blob (`debug/buildinfo` format).
//!
//! The linker writes a 32-byte header, 16-byte aligned: the 14-byte magic
//! `\xff Go buildinf:`, the pointer size, and a flags byte (bit 0: big
//! endian, bit 1: strings inline). Go 1.18+ appends the version and module
//! text as two uvarint-length-prefixed strings. Earlier releases store two
//! pointers to Go string headers (`{data *byte, len int}`) naming
//! `runtime.buildVersion` and `runtime.modinfo`. The module text is framed by
//! two 16-byte sentinels and holds `path`, `mod`, `dep`, `=>` and `build`
//! lines (see `runtime/debug.ParseBuildInfo`).

use object::{Object, ObjectSection, ObjectSegment, SectionKind};

use super::{Error, GoBinary, Module, offset_in, read_at_address};
pub(super) use crate::gobuild::MAGIC;
use crate::gobuild::{build_setting, uvarint_string};

const HEADER_LEN: usize = 32;
const ALIGN: u64 = 16;
/// Upper bound on a pre-1.18 string length, against absurd headers.
const MAX_STRING: u64 = 64 << 20;

/// Finds and decodes the build info; `Ok(None)` when there is none.
pub(super) fn read(data: &[u8], file: &object::File<'_>) -> Result<Option<GoBinary>, Error> {
    // ELF `.go.buildinfo` / Mach-O `__go_buildinfo`: a Go binary for sure,
    // so anything wrong there is damage.
    for name in [".go.buildinfo", "__go_buildinfo"] {
        let Some(sec) = file.section_by_name(name) else {
            continue;
        };
        let offset = sec.file_range().map_or(0, |r| r.0);
        let Ok(sec_data) = sec.data() else {
            return Err(Error::BuildInfo {
                offset,
                reason: format!("section {name} lies beyond the end of the file"),
            });
        };
        let Some(blob) = aligned_headers(sec_data, sec.address()).next() else {
            return Err(Error::BuildInfo {
                offset,
                reason: format!("section {name} holds no valid build-info header"),
            });
        };
        return decode(blob, file)
            .map(Some)
            .map_err(|reason| Error::BuildInfo {
                offset: offset_in(data, blob),
                reason,
            });
    }
    // PE, and ELF/Mach-O without that section: the header sits in writable
    // data. Candidates that do not decode to a Go version are ignored.
    let mut regions: Vec<(&[u8], u64)> = file
        .sections()
        .filter(|s| s.kind() == SectionKind::Data)
        .filter_map(|s| Some((s.data().ok()?, s.address())))
        .collect();
    if file.sections().next().is_none() {
        regions.extend(
            file.segments()
                .filter_map(|s| Some((s.data().ok()?, s.address()))),
        );
    }
    for (region, addr) in regions {
        for blob in aligned_headers(region, addr) {
            if let Ok(bin) = decode(blob, file) {
                return Ok(Some(bin));
            }
        }
    }
    Ok(None)
}

/// Build-info headers at 16-byte aligned addresses in `region`, each as the
/// rest of the region.
fn aligned_headers(region: &[u8], addr: u64) -> impl Iterator<Item = &[u8]> {
    memchr::memmem::find_iter(region, MAGIC).filter_map(move |i| {
        let aligned = addr.wrapping_add(i as u64).is_multiple_of(ALIGN);
        let blob = region.get(i..)?;
        (aligned && blob.len() >= HEADER_LEN).then_some(blob)
    })
}

fn decode<'d>(blob: &'d [u8], file: &object::File<'d>) -> Result<GoBinary, String> {
    let (&ptr_size, &flags) = (blob.get(14).ok_or("short")?, blob.get(15).ok_or("short")?);
    let (version, modinfo) = if flags & 2 != 0 {
        let rest = blob.get(HEADER_LEN..).unwrap_or(&[]);
        let (v, rest) = uvarint_string(rest).ok_or("Go version string runs past the data")?;
        let (m, _) = uvarint_string(rest).ok_or("module info string runs past the data")?;
        (v, m)
    } else {
        if ptr_size != 4 && ptr_size != 8 {
            return Err(format!(
                "pointer size {ptr_size} in header is neither 4 nor 8"
            ));
        }
        let enc = Enc {
            big: flags & 1 != 0,
            ptr: usize::from(ptr_size),
        };
        let p = enc.ptr;
        let vaddr = enc.uptr(blob, 16).ok_or("header truncated")?;
        let maddr = enc.uptr(blob, 16 + p).ok_or("header truncated")?;
        let v = go_string(file, enc, vaddr).map_err(|e| format!("Go version: {e}"))?;
        let m = go_string(file, enc, maddr).map_err(|e| format!("module info: {e}"))?;
        (v, m)
    };
    // "go1.21.13", "go1.19.8 X:boringcrypto", "devel go1.23-abc Tue ...".
    let plausible = (version.starts_with(b"go") || version.starts_with(b"devel"))
        && version.iter().all(|b| (0x20..0x7f).contains(b));
    if !plausible {
        let shown = String::from_utf8_lossy(&version[..version.len().min(40)]).into_owned();
        return Err(format!("Go version string {shown:?} is not a Go version"));
    }
    let mut bin = GoBinary {
        go_version: String::from_utf8_lossy(version).into_owned(),
        ..GoBinary::default()
    };
    // Strip the 16-byte sentinels framing the module text, as the Go tools
    // do; text without them means "not built in module mode".
    let n = modinfo.len();
    if n >= 33 && modinfo[n - 17] == b'\n' {
        let text = String::from_utf8_lossy(&modinfo[16..n - 16]);
        parse_modinfo(&text, &mut bin)?;
    }
    Ok(bin)
}

/// Reads a Go string header at virtual address `addr`, then its bytes.
fn go_string<'d>(file: &object::File<'d>, enc: Enc, addr: u64) -> Result<&'d [u8], String> {
    let p = enc.ptr;
    let hdr = read_at_address(file, addr, 2 * p as u64)
        .ok_or_else(|| format!("string header address {addr:#x} is not mapped by the file"))?;
    let (ptr, len) = (
        enc.uptr(hdr, 0).ok_or("short header")?,
        enc.uptr(hdr, p).ok_or("short header")?,
    );
    if len == 0 {
        return Ok(&[]);
    }
    if len > MAX_STRING {
        return Err(format!("string length {len} is implausible"));
    }
    read_at_address(file, ptr, len)
        .ok_or_else(|| format!("string data {ptr:#x}+{len} is not mapped by the file"))
}

/// Byte order and pointer size of the target.
#[derive(Clone, Copy)]
pub(super) struct Enc {
    pub(super) big: bool,
    pub(super) ptr: usize,
}

impl Enc {
    pub(super) fn u32(self, d: &[u8], off: usize) -> Option<u32> {
        let b: [u8; 4] = d.get(off..off.checked_add(4)?)?.try_into().ok()?;
        Some(if self.big {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    }

    /// Pointer-sized value.
    pub(super) fn uptr(self, d: &[u8], off: usize) -> Option<u64> {
        if self.ptr == 4 {
            return self.u32(d, off).map(u64::from);
        }
        let b: [u8; 8] = d.get(off..off.checked_add(8)?)?.try_into().ok()?;
        Some(if self.big {
            u64::from_be_bytes(b)
        } else {
            u64::from_le_bytes(b)
        })
    }
}

/// Parses the module text into `bin` (mirror of `debug.ParseBuildInfo`).
fn parse_modinfo(text: &str, bin: &mut GoBinary) -> Result<(), String> {
    enum Last {
        None,
        Main,
        Dep,
    }
    let mut last = Last::None;
    // Like Go, only newline-terminated lines count.
    let body = text.rfind('\n').map_or("", |i| &text[..i]);
    for (idx, line) in body.split('\n').enumerate() {
        let err = |msg: String| format!("module info line {}: {msg}", idx + 1);
        let (word, rest) = line.split_once('\t').unwrap_or((line, ""));
        match word {
            "path" => bin.path = Some(rest.to_string()),
            "mod" | "dep" => {
                let cols: Vec<&str> = rest.split('\t').collect();
                if cols.len() != 2 && cols.len() != 3 {
                    return Err(err(format!("expected 2 or 3 columns, got {}", cols.len())));
                }
                let m = module(cols[0], cols[1], cols.get(2).copied());
                if word == "mod" {
                    bin.main = Some(m);
                    last = Last::Main;
                } else {
                    bin.deps.push(m);
                    last = Last::Dep;
                }
            }
            "=>" => {
                let cols: Vec<&str> = rest.split('\t').collect();
                if cols.len() != 3 {
                    return Err(err(format!(
                        "expected 3 columns for a replacement, got {}",
                        cols.len()
                    )));
                }
                let r = Some(Box::new(module(cols[0], cols[1], Some(cols[2]))));
                match last {
                    Last::Main => {
                        if let Some(m) = bin.main.as_mut() {
                            m.replace = r;
                        }
                    }
                    Last::Dep => {
                        if let Some(m) = bin.deps.last_mut() {
                            m.replace = r;
                        }
                    }
                    Last::None => return Err(err("replacement with no module before it".into())),
                }
                last = Last::None;
            }
            "build" => bin.settings.push(build_setting(rest).map_err(err)?),
            _ => {}
        }
    }
    Ok(())
}

fn module(path: &str, version: &str, sum: Option<&str>) -> Module {
    Module {
        path: path.to_string(),
        version: version.to_string(),
        sum: sum.filter(|s| !s.is_empty()).map(str::to_string),
        replace: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modinfo_lines() {
        let text = "path\texample.com/cmd/app\n\
                    mod\texample.com\t(devel)\t\n\
                    dep\tgolang.org/x/net\tv0.17.0\th1:abc=\n\
                    dep\tgithub.com/a/b\tv1.0.0\th1:def=\n\
                    =>\t../b\t\t\n\
                    dep\tgithub.com/c/d\tv1.2.0\n\
                    =>\tgithub.com/e/d\tv1.2.1\th1:ghi=\n\
                    build\t-compiler=gc\n\
                    build\tGOOS=linux\n\
                    build\tvcs.modified=true\n";
        let mut bin = GoBinary::default();
        parse_modinfo(text, &mut bin).unwrap();
        assert_eq!(bin.path.as_deref(), Some("example.com/cmd/app"));
        let main = bin.main.as_ref().unwrap();
        assert_eq!(
            (main.path.as_str(), main.version.as_str()),
            ("example.com", "(devel)")
        );
        assert_eq!(main.sum, None);
        assert_eq!(bin.deps.len(), 3);
        assert_eq!(bin.deps[0].sum.as_deref(), Some("h1:abc="));
        let r = bin.deps[1].replace.as_ref().unwrap();
        assert_eq!(
            (r.path.as_str(), r.version.as_str(), r.sum.as_deref()),
            ("../b", "", None)
        );
        assert_eq!(bin.deps[2].sum, None);
        let r = bin.deps[2].replace.as_ref().unwrap();
        assert_eq!(r.version, "v1.2.1");
        assert_eq!(bin.settings.len(), 3);
        assert_eq!(bin.setting("vcs.modified"), Some("true"));

        for bad in [
            "=>\ta\tb\tc\n",
            "dep\tonly-one\n",
            "dep\ta\tb\n=>\ta\tb\n",
            "build\tnoequals\n",
        ] {
            let e = parse_modinfo(bad, &mut GoBinary::default()).unwrap_err();
            assert!(e.starts_with("module info line"), "{e}");
        }
        // An unterminated last line is ignored, as in Go.
        let mut bin = GoBinary::default();
        parse_modinfo("path\tx\ndep\tbroken", &mut bin).unwrap();
        assert!(bin.deps.is_empty());
    }
}
