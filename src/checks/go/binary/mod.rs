//! What a Go executable says about itself: toolchain version, module graph,
//! build settings (from the build info blob the Go linker embeds) and the
//! names of every function linked in or inlined (from the pclntab, which
//! survives `-ldflags="-s -w"` stripping).
//!
//! Formats were learned from the Go sources (`debug/buildinfo`,
//! `runtime/debug/mod.go`, `runtime/symtab.go`, `cmd/link/internal/ld/pcln.go`).
//! ELF, Mach-O (thin and universal) and PE containers are read with `object`.
//!
//! Entry points: [`read`] (build info + functions), [`read_build_info`]
//! (build info only, for callers that want module data even when the function
//! table is damaged) and [`split_symbol`] (function name → vulndb package and
//! symbol).

mod buildinfo;
mod pclntab;

use std::borrow::Cow;

use object::{Object, ObjectSection, ObjectSegment};

/// Why a Go binary could not be read. Every message names the damaged
/// structure and suggests the likely cause (truncation, corruption, or a Go
/// release newer than this reader).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file carries Go markers (build-info magic or a pclntab header)
    /// but its executable headers (ELF/Mach-O/PE) are unreadable or describe
    /// more data than the file holds.
    #[error("file looks like a Go binary but {0}; it is probably truncated or corrupted")]
    Container(String),
    /// The build-info blob (Go version and module list) is damaged.
    #[error(
        "Go build info at file offset {offset:#x} is damaged: {reason}; \
         the file is probably truncated or corrupted"
    )]
    BuildInfo {
        /// File offset of the `\xff Go buildinf:` header.
        offset: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// A Go binary (it has a Go build ID and a function table in the Go 1.16+
    /// format, and every such release writes build info) without build info:
    /// it was removed or overwritten.
    #[error(
        "Go binary (Go 1.16 or later, by its function table) has no build info: it was \
         removed or overwritten, so its modules cannot be listed"
    )]
    NoBuildInfo,
    /// The function table (pclntab) is damaged, truncated or of an unknown
    /// format.
    #[error(
        "Go function table (pclntab) at file offset {offset:#x} is unusable: {reason}; \
         the file is truncated or corrupted, or comes from a Go release this reader \
         does not know (module data is still available through read_build_info)"
    )]
    Pclntab {
        /// File offset of the pclntab header.
        offset: u64,
        /// What is wrong with it.
        reason: String,
    },
}

/// Everything this module extracts from a Go executable.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoBinary {
    /// Toolchain version as recorded by the linker, e.g. `go1.21.13`, or
    /// `go1.19.8 X:boringcrypto` when experiments were enabled.
    pub go_version: String,
    /// Import path of the main package (`path` line), when recorded.
    pub path: Option<String>,
    /// The main module (`mod` line); its version is usually `(devel)`.
    /// `None` for binaries built outside module mode.
    pub main: Option<Module>,
    /// Every dependency module (`dep` lines) with its `=>` replacement.
    pub deps: Vec<Module>,
    /// `build` lines as key/value pairs, unquoted (`GOOS`, `GOARCH`,
    /// `CGO_ENABLED`, `-ldflags`, `vcs.revision`, ...). Empty before Go 1.18.
    pub settings: Vec<(String, String)>,
    /// Function names from the pclntab; `None` when the binary has no
    /// pclntab that could be found (a damaged one is an [`Error`] instead).
    pub functions: Option<Functions>,
    /// GOOS/GOARCH implied by the container, used when `settings` lacks them.
    container_goos: Option<&'static str>,
    container_goarch: Option<&'static str>,
}

impl GoBinary {
    /// Value of the first `build` setting named `key`.
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Target operating system: the `GOOS` build setting (Go 1.18+), else
    /// what the container implies (`windows` for PE, `darwin` for Mach-O;
    /// ELF does not say reliably, so `None`).
    pub fn goos(&self) -> Option<&str> {
        self.setting("GOOS").or(self.container_goos)
    }

    /// Target architecture: the `GOARCH` build setting (Go 1.18+), else the
    /// container's machine type in Go spelling (`amd64`, `arm64`, `386`, ...).
    pub fn goarch(&self) -> Option<&str> {
        self.setting("GOARCH").or(self.container_goarch)
    }
}

/// A module as recorded in the build info.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Module {
    /// Module path, e.g. `golang.org/x/net`.
    pub path: String,
    /// Module version, e.g. `v0.17.0`; `(devel)` for the main module; empty
    /// for a directory replacement.
    pub version: String,
    /// `h1:` checksum, when recorded.
    pub sum: Option<String>,
    /// The module that replaced this one (`=>` line), if any.
    pub replace: Option<Box<Module>>,
}

/// Names of every function linked into the binary plus every function
/// inlined into one of them, in pclntab order, each name once (static C
/// functions linked through cgo can share a name; it is listed once).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Functions {
    buf: String,
    spans: Vec<(u32, u32)>,
    linked: usize,
}

impl Functions {
    /// Iterates over the names, e.g. `main.main`, `net/http.(*Server).Serve`.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.spans
            .iter()
            .filter_map(|&(s, e)| self.buf.get(s as usize..e as usize))
    }

    /// Number of names (linked + inlined-only).
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when no names were found.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Number of functions with code in the binary (the functab's entry
    /// count); the other names belong to functions only present inlined.
    pub fn linked_count(&self) -> usize {
        self.linked
    }

    fn push(&mut self, name: &str) -> bool {
        let start = self.buf.len();
        let Some(end) = start.checked_add(name.len()) else {
            return false;
        };
        let (Ok(s), Ok(e)) = (u32::try_from(start), u32::try_from(end)) else {
            return false;
        };
        self.buf.push_str(name);
        self.spans.push((s, e));
        true
    }
}

/// Reads build info and function names from an executable image.
///
/// Returns `Ok(None)` when `data` is not a Go binary (no build info: other
/// languages, scripts, random data), `Ok(Some(_))` for a Go binary, and
/// `Err` for a Go binary whose build info or function table is damaged or
/// truncated. Never panics, whatever the input.
pub fn read(data: &[u8]) -> Result<Option<GoBinary>, Error> {
    read_impl(data, true, true)
}

/// Like [`read`] but skips the function table (`functions` is always
/// `None`): cheaper, and still useful when [`read`] fails on a damaged
/// pclntab and module data is wanted anyway.
pub fn read_build_info(data: &[u8]) -> Result<Option<GoBinary>, Error> {
    read_impl(data, false, true)
}

fn read_impl(data: &[u8], want_functions: bool, top: bool) -> Result<Option<GoBinary>, Error> {
    // A universal (fat) Mach-O holds several images; use the first Go one.
    // Images are not searched for further fat headers.
    if let Ok(object::FileKind::MachOFat32 | object::FileKind::MachOFat64) =
        object::FileKind::parse(data)
    {
        if !top {
            return Ok(None);
        }
        for image in fat_images(data) {
            if let Some(bin) = read_impl(image, want_functions, false)? {
                return Ok(Some(bin));
            }
        }
        return Ok(None);
    }
    let file = match object::File::parse(data) {
        Ok(f) => f,
        Err(e) if looks_like_go(data) => {
            return Err(Error::Container(format!(
                "its executable headers are unreadable ({e})"
            )));
        }
        Err(_) => return Ok(None),
    };
    let cut_short = truncated(data, &file);
    let Some(mut bin) = buildinfo::read(data, &file)? else {
        // Build info lost with the end of a Go binary: say so.
        if let Some(end) = cut_short.filter(|_| looks_like_go(data)) {
            return Err(Error::Container(format!(
                "it ends at byte {:#x} while its headers describe data up to {end:#x}",
                data.len()
            )));
        }
        // Every Go release with a 1.16+ function table writes build info.
        if has_go_build_id(data) && pclntab::is_go116_or_later(data, &file) {
            return Err(Error::NoBuildInfo);
        }
        return Ok(None);
    };
    bin.container_goos = match file.format() {
        object::BinaryFormat::Pe => Some("windows"),
        object::BinaryFormat::MachO => Some("darwin"),
        _ => None,
    };
    bin.container_goarch = goarch_of(&file);
    if want_functions {
        bin.functions = pclntab::read(data, &file)?;
        if let (None, Some(end)) = (&bin.functions, cut_short) {
            return Err(Error::Container(format!(
                "its function table is missing and it ends at byte {:#x} while its headers \
                 describe data up to {end:#x}",
                data.len()
            )));
        }
    }
    Ok(Some(bin))
}

/// Go markers anywhere in `data`: the build-info magic, the Go build ID, or
/// a pclntab header prefix.
fn looks_like_go(data: &[u8]) -> bool {
    has_go_build_id(data)
        || memchr::memmem::find(data, buildinfo::MAGIC).is_some()
        || pclntab::has_header(data)
}

/// The Go build ID in the first 64 KiB: an ELF note named `Go` of type 4,
/// or the string the linker puts at the start of the text (Mach-O, PE).
fn has_go_build_id(data: &[u8]) -> bool {
    let head = data.get(..64 << 10).unwrap_or(data);
    let go_note = |p: usize| {
        let field = |at: usize| head.get(p.checked_sub(at)?..p - at + 4);
        let (namesz, kind) = (field(12), field(4));
        namesz == kind && matches!(namesz, Some([4, 0, 0, 0] | [0, 0, 0, 4]))
    };
    memchr::memmem::find(head, b"\xff Go build ID: \"").is_some()
        || memchr::memmem::find_iter(head, b"Go\0\0").any(go_note)
}

/// If the file is shorter than its segments and sections say, the end of
/// the furthest one.
fn truncated(data: &[u8], file: &object::File<'_>) -> Option<u64> {
    let segs = file.segments().map(|s| s.file_range());
    let secs = file.sections().filter_map(|s| s.file_range());
    segs.chain(secs)
        .map(|(off, size)| off.saturating_add(size))
        .max()
        .filter(|&end| end > data.len() as u64)
}

fn fat_images(data: &[u8]) -> Vec<&[u8]> {
    use object::read::macho::{FatArch, MachOFatFile32, MachOFatFile64};
    let mut out = Vec::new();
    if let Ok(fat) = MachOFatFile32::parse(data) {
        out.extend(fat.arches().iter().filter_map(|a| a.data(data).ok()));
    } else if let Ok(fat) = MachOFatFile64::parse(data) {
        out.extend(fat.arches().iter().filter_map(|a| a.data(data).ok()));
    }
    out
}

fn goarch_of(file: &object::File<'_>) -> Option<&'static str> {
    use object::Architecture as A;
    let le = file.is_little_endian();
    Some(match file.architecture() {
        A::X86_64 => "amd64",
        A::I386 => "386",
        A::Aarch64 => "arm64",
        A::Arm => "arm",
        A::PowerPc64 if le => "ppc64le",
        A::PowerPc64 => "ppc64",
        A::Mips64 if le => "mips64le",
        A::Mips64 => "mips64",
        A::Mips if le => "mipsle",
        A::Mips => "mips",
        A::Riscv64 => "riscv64",
        A::S390x => "s390x",
        A::LoongArch64 => "loong64",
        _ => return None,
    })
}

/// Offset of `sub` inside `whole`, for error messages (0 if unrelated).
fn offset_in(whole: &[u8], sub: &[u8]) -> u64 {
    (sub.as_ptr() as usize)
        .checked_sub(whole.as_ptr() as usize)
        .filter(|&o| o <= whole.len())
        .map_or(0, |o| o as u64)
}

/// Bytes at virtual address `addr`, `size` long, from whichever segment or
/// section maps them.
fn read_at_address<'d>(file: &object::File<'d>, addr: u64, size: u64) -> Option<&'d [u8]> {
    for seg in file.segments() {
        if let Ok(Some(d)) = seg.data_range(addr, size) {
            return Some(d);
        }
    }
    file.sections()
        .find_map(|s| s.data_range(addr, size).ok().flatten())
}

/// Splits a function name from the pclntab into the package path and the
/// symbol as the Go vulnerability database names it (`Func` or
/// `Type.Method`). Returns `None` for compiler-generated and runtime-internal
/// names (`type:.eq.*`, `go:*`, `type..hash.*`, `go.buildid`, assembly stubs
/// such as `gogo` or `_rt0_amd64_linux`, cgo trampolines).
///
/// Normalisation follows govulncheck's binary mode (`golang.org/x/vuln`
/// `internal/buildinfo.parseName` over `internal/gosym.Sym`):
/// * the package path is everything up to the first `.` after the last `/`,
///   with `%xx` escapes undone (the linker writes `gopkg.in/yaml.v3` as
///   `gopkg.in/yaml%2ev3`);
/// * a pointer receiver `(*T)` becomes `T`: `net/http.(*Server).Serve` →
///   (`net/http`, `Server.Serve`);
/// * closures keep their compiler name: `pkg.F.func1` → (`pkg`, `F.func1`),
///   `pkg.(*T).M.func2.1` → (`pkg`, `T.M.func2.1`); method values keep
///   `-fm`. vulndb lists enclosing functions, so such names match nothing,
///   exactly as in govulncheck.
///
/// Deliberate differences from govulncheck: type arguments are removed
/// (`pkg.Map[...]`, `pkg.(*T[go.shape.int]).M` → `Map`, `T.M`), as vulndb and
/// govulncheck's source mode name them; `(*` is stripped cleanly inside
/// closure names (govulncheck leaves `T).M.func1`); for hand-written
/// `gopkg.in` names with the dot unescaped, `.vN` right after the path stays
/// in the package (`gopkg.in/yaml.v3.Unmarshal` → (`gopkg.in/yaml.v3`,
/// `Unmarshal`); binaries always carry `%2e`, and elsewhere `pkg.v1.F` is
/// function `v1`'s closure or method, so no such guess is made); and the
/// pre-1.20 `go.`/`type.` prefixes do not swallow real domains such as
/// `go.uber.org/zap.New`. A `main` package is returned as `main`; callers map
/// it to [`GoBinary::path`] as govulncheck does.
pub fn split_symbol(name: &str) -> Option<(Cow<'_, str>, String)> {
    if is_compiler_generated(name) {
        return None;
    }
    // Type arguments may contain '.' and '/', so locate the package on a
    // bracket-free copy; bracket groups never precede the package's dot.
    let bare = strip_brackets(name);
    // A receiver's parenthesis ends the package path: promoted unexported
    // methods carry another path (`text/template.(*Template).text/template/parse.add`).
    let limit = bare.find('(').unwrap_or(bare.len());
    let slash = bare.get(..limit)?.rfind('/').map_or(0, |i| i + 1);
    let mut dot = slash + bare.get(slash..)?.find('.')?;
    let rest_after = |d: usize| bare.get(d + 1..).unwrap_or("");
    // Hand-written gopkg.in names: `.vN` after the path is the package's.
    if bare.starts_with("gopkg.in/")
        && let Some(ver_len) = version_suffix_len(rest_after(dot))
    {
        dot += 1 + ver_len;
    }
    let pkg = bare.get(..dot)?;
    let sym_part = rest_after(dot);
    if pkg.is_empty()
        || sym_part.is_empty()
        || pkg.contains([' ', '{', '}', '(', ')', '*', '[', ']', ';', ',', ':'])
    {
        return None;
    }
    let sym = strip_receiver(sym_part);
    if sym.is_empty() {
        return None;
    }
    // Borrow from `name` when no type arguments precede the package dot
    // (always, for names the compiler produces).
    let pkg = match name.get(..dot) {
        Some(p) if p == pkg => percent_decode(p),
        _ => Cow::Owned(percent_decode(pkg).into_owned()),
    };
    Some((pkg, sym))
}

fn is_compiler_generated(name: &str) -> bool {
    if name.starts_with("type:") || name.starts_with("go:") {
        return true;
    }
    for prefix in ["go.", "type."] {
        if let Some(rest) = name.strip_prefix(prefix) {
            // Pre-1.20 names (`go.buildid`, `type..eq.T`) versus a module
            // on a `go.` domain (`go.uber.org/zap.New`).
            let host = rest.split('/').next().unwrap_or("");
            let domain_like = name.contains('/')
                && !host.is_empty()
                && host.split('.').all(|l| {
                    !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                });
            return !domain_like;
        }
    }
    false
}

/// Removes every balanced `[...]` group (type arguments).
fn strip_brackets(name: &str) -> Cow<'_, str> {
    if !name.contains('[') {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len());
    let mut depth = 0usize;
    for c in name.chars() {
        match c {
            '[' => depth += 1,
            ']' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    Cow::Owned(out)
}

/// Length of a `vN` element followed by `.` at the start of `s`.
fn version_suffix_len(s: &str) -> Option<usize> {
    let digits = s.strip_prefix('v')?;
    let n = digits.bytes().take_while(u8::is_ascii_digit).count();
    (n > 0 && digits.as_bytes().get(n) == Some(&b'.') && digits.len() > n + 1).then_some(n + 1)
}

/// `(*T).M` → `T.M`; other text unchanged.
fn strip_receiver(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("(*") {
        out.push_str(&rest[..i]);
        let inner = &rest[i + 2..];
        match inner.find(')') {
            Some(j) => {
                out.push_str(&inner[..j]);
                rest = &inner[j + 1..];
            }
            None => {
                out.push_str(inner);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn percent_decode(s: &str) -> Cow<'_, str> {
    if !s.contains('%') {
        return Cow::Borrowed(s);
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |j: usize| b.get(j).and_then(|&c| (c as char).to_digit(16));
        match (b[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests;
