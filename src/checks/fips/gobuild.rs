//! Go build information, as `go version -m` prints it, read from the binary itself: the
//! `\xff Go buildinf:` header in the data, then the Go version and the module/build-settings
//! text (Go 1.18+ stores both inline after the header). Stripping does not remove it.

/// What a Go binary says about its build.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct GoBuild {
    /// `go1.19.8 X:boringcrypto`.
    pub version: String,
    /// `build` lines: `(key, value)` in order, e.g. `("GOEXPERIMENT", "boringcrypto")`.
    pub settings: Vec<(String, String)>,
    /// The main module path.
    pub path: Option<String>,
}

impl GoBuild {
    /// The value of a build setting.
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The Go release, `(1, 24)` for `go1.24.3 X:boringcrypto`; `None` for a development
    /// toolchain (`devel …`), which is newer than any release.
    pub fn release(&self) -> Option<(u32, u32)> {
        let number = self.version.strip_prefix("go")?;
        let number = number.split([' ', '-']).next()?;
        let mut parts = number.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next().and_then(|m| {
            // go1.24rc1: the minor ends where the digits do.
            let digits = m.find(|c: char| !c.is_ascii_digit()).unwrap_or(m.len());
            m[..digits].parse().ok()
        })?;
        Some((major, minor))
    }

    /// The `-X importpath.name=value` definitions of the recorded `-ldflags`, as
    /// `(importpath.name, value)`, in the order the linker applies them. `go build` records
    /// `-ldflags` only without `-trimpath`; a `pattern=` prefix (`-ldflags=all=-X …`) is
    /// dropped, and the flags are split as `go build` splits them (spaces, with `'…'` or
    /// `"…"` quoting a flag whole).
    pub fn x_definitions(&self) -> Vec<(String, String)> {
        let Some(ldflags) = self.setting("-ldflags") else {
            return Vec::new();
        };
        let ldflags = ldflags.trim();
        let ldflags = match ldflags.split_once('=') {
            Some((_, flags)) if !ldflags.starts_with('-') => flags,
            _ => ldflags,
        };
        let args = split_flags(ldflags);
        let mut definitions = Vec::new();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let name = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-'));
            let definition = match name {
                Some("X") => args.next().map(String::as_str),
                Some(flag) => flag.strip_prefix("X="),
                None => None,
            };
            if let Some((symbol, value)) = definition.and_then(|d| d.split_once('=')) {
                definitions.push((symbol.to_string(), value.to_string()));
            }
        }
        definitions
    }
}

/// Splits flags as cmd/go does (`cmd/internal/quoted.Split`): on spaces, a field that starts
/// with `'` or `"` runs to the next same quote, with no escapes inside.
fn split_flags(text: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches([' ', '\t', '\n', '\r']);
        let Some(first) = rest.chars().next() else {
            return fields;
        };
        if first == '\'' || first == '"' {
            match rest[1..].find(first) {
                Some(end) => {
                    fields.push(rest[1..=end].to_string());
                    rest = &rest[end + 2..];
                }
                // Go refuses an unterminated quote, so no build has one.
                None => return fields,
            }
        } else {
            let end = rest.find([' ', '\t', '\n', '\r']).unwrap_or(rest.len());
            fields.push(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
}

use crate::gobuild::{INFO_END, INFO_START, MAGIC, build_setting, uvarint};

/// Finds and parses the build info anywhere in `data` (formats without a build info section,
/// like PE); `Ok(None)` when there is none (not a Go binary), `Err` for a header cut off or in
/// a format this reader does not know (Go before 1.18).
pub fn parse(data: &[u8]) -> Result<Option<GoBuild>, String> {
    // The header is 16-byte aligned in the file; take the first aligned occurrence.
    let Some(at) = memchr::memmem::find_iter(data, MAGIC).find(|p| p % 16 == 0) else {
        return Ok(None);
    };
    parse_at(&data[at..], "the file").map(|(build, _)| Some(build))
}

/// Parses the build info section of an ELF (`.go.buildinfo`) or Mach-O (`__go_buildinfo`)
/// binary: the header starts it, nothing may run past its end, and what follows the two
/// strings is the linker's zero padding (a shortened length would leave text there).
pub fn parse_section(section: &[u8]) -> Result<GoBuild, String> {
    if !section.starts_with(MAGIC) {
        return Err("its Go build info section does not start with the build info header: truncated or altered".into());
    }
    let (build, rest) = parse_at(section, "its section")?;
    if rest.iter().any(|&b| b != 0) {
        return Err("its Go build info section has data after the build info: altered".into());
    }
    Ok(build)
}

/// Parses the header at the start of `data` and the two strings after it; returns the build
/// info and the bytes after it. `within` names what `data` ends with, for the message.
fn parse_at<'d>(data: &'d [u8], within: &str) -> Result<(GoBuild, &'d [u8]), String> {
    let header = data
        .get(..32)
        .ok_or("its Go build info header is cut off")?;
    let flags = header[15];
    if flags & 0x2 == 0 {
        return Err("Go build info in the pre-1.18 (pointer) format is not supported".into());
    }
    let mut rest = &data[32..];
    let mut read = || -> Result<&'d [u8], String> {
        let (len, used) = uvarint(rest)
            .and_then(|(len, used)| Some((usize::try_from(len).ok()?, used)))
            .ok_or("its Go build info has a bad length")?;
        let text = used
            .checked_add(len)
            .and_then(|end| rest.get(used..end))
            .ok_or_else(|| format!("its Go build info runs past the end of {within}"))?;
        rest = &rest[used + text.len()..];
        Ok(text)
    };
    let version = String::from_utf8_lossy(read()?).into_owned();
    if !version.starts_with("go") && !version.starts_with("devel") {
        return Err("its Go build info has no Go version: truncated or altered".into());
    }
    let wrapped = read()?;
    // Empty when the linker was run without module info (Bazel's rules_go); otherwise
    // wrapped in the markers, which a damaged length or a cut would not leave in place.
    let modinfo = if wrapped.is_empty() {
        String::new()
    } else {
        wrapped
            .strip_prefix(INFO_START)
            .and_then(|m| m.strip_suffix(INFO_END))
            .map(|m| String::from_utf8_lossy(m).into_owned())
            .ok_or("its Go module info is not wrapped as `go build` writes it: altered")?
    };
    let mut build = GoBuild {
        version,
        ..GoBuild::default()
    };
    for line in modinfo.lines() {
        let mut fields = line.splitn(2, '\t');
        match (fields.next(), fields.next()) {
            (Some("path"), Some(path)) => build.path = Some(path.to_string()),
            (Some("build"), Some(setting)) => build.settings.push(setting_of(setting)?),
            _ => {}
        }
    }
    Ok((build, rest))
}

/// One `build` line's `key=value`; a line `go build` would not have written (a quote that
/// does not parse, no `=`) was altered.
fn setting_of(setting: &str) -> Result<(String, String), String> {
    build_setting(setting).map_err(|_| {
        "its Go build settings are not quoted as `go build` writes them: altered".into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uvarint_bytes(mut n: usize) -> Vec<u8> {
        let mut out = Vec::new();
        while n >= 0x80 {
            out.push((n as u8) | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
        out
    }

    /// A build info section as Go's linker writes it: header, version, wrapped module info,
    /// zero padding to 16 bytes.
    fn section(version: &str, modinfo: &str) -> Vec<u8> {
        let mut data = MAGIC.to_vec();
        data.extend([8u8, 0x2]);
        data.resize(32, 0);
        let mut wrapped = Vec::new();
        if !modinfo.is_empty() {
            wrapped.extend(INFO_START);
            wrapped.extend(modinfo.as_bytes());
            wrapped.extend(INFO_END);
        }
        for text in [version.as_bytes(), &wrapped] {
            data.extend(uvarint_bytes(text.len()));
            data.extend(text);
        }
        while !data.len().is_multiple_of(16) {
            data.push(0);
        }
        data
    }

    const MODINFO: &str =
        "path\texample.invalid/app\nbuild\tGOEXPERIMENT=boringcrypto\nbuild\t-trimpath=true\n";

    #[test]
    fn parses_version_path_and_settings() {
        let data = section("go1.19.8 X:boringcrypto", MODINFO);
        for build in [
            parse_section(&data).unwrap(),
            parse(&[vec![0u8; 48], data.clone()].concat())
                .unwrap()
                .unwrap(),
        ] {
            assert_eq!(build.version, "go1.19.8 X:boringcrypto");
            assert_eq!(build.path.as_deref(), Some("example.invalid/app"));
            assert_eq!(build.setting("GOEXPERIMENT"), Some("boringcrypto"));
            assert_eq!(build.setting("-trimpath"), Some("true"));
        }
        // Without module info (a linker run by hand, or by Bazel): the version alone.
        let bare = parse_section(&section("go1.22.1", "")).unwrap();
        assert_eq!(
            (bare.version.as_str(), bare.settings.len()),
            ("go1.22.1", 0)
        );
    }

    #[test]
    fn quoted_settings_are_unquoted_and_bad_quotes_are_altered() {
        let modinfo = "path\tx\nbuild\t-ldflags=\"-s -w -X 'main.Note=a b' -X=main.BuildStamp=FIPSMode=true\"\n\
                       build\t\"we=ird\"=`raw \\x`\nbuild\tCGO_CFLAGS=\n";
        let build = parse_section(&section("go1.27.3", modinfo)).unwrap();
        assert_eq!(
            build.setting("-ldflags"),
            Some("-s -w -X 'main.Note=a b' -X=main.BuildStamp=FIPSMode=true")
        );
        assert_eq!(build.setting("we=ird"), Some("raw \\x"));
        assert_eq!(build.setting("CGO_CFLAGS"), Some(""));
        assert_eq!(
            build.x_definitions(),
            [
                ("main.Note".to_string(), "a b".to_string()),
                ("main.BuildStamp".to_string(), "FIPSMode=true".to_string())
            ]
        );
        for bad in [
            "build\t-ldflags=\"-X main.a=b\n",
            "build\t-ldflags=\"bad \\q\"\n",
            "build\t\"key\"value\n",
        ] {
            let err = parse_section(&section("go1.27.3", bad)).unwrap_err();
            assert!(
                err.contains("not quoted as `go build` writes them"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn ldflags_with_a_package_pattern_and_the_release() {
        let build = GoBuild {
            version: "go1.24rc1 X:boringcrypto".into(),
            settings: vec![("-ldflags".into(), "all=-X main.mode=on".into())],
            path: None,
        };
        assert_eq!(
            build.x_definitions(),
            [("main.mode".to_string(), "on".to_string())]
        );
        assert_eq!(build.release(), Some((1, 24)));
        let devel = GoBuild {
            version: "devel go1.28-abc123".into(),
            ..GoBuild::default()
        };
        assert_eq!(devel.release(), None);
    }

    #[test]
    fn no_header_is_not_go_and_a_cut_header_is_an_error() {
        assert_eq!(parse(b"plain data"), Ok(None));
        let mut data = vec![0u8; 16];
        data.extend(MAGIC);
        assert!(parse(&data).is_err());
    }

    #[test]
    fn damaged_lengths_and_markers_are_errors() {
        let good = section("go1.27.3", MODINFO);
        // The module info's length (after the 1-byte version length and 8-byte version)
        // shortened to nothing: the text is left behind in the section.
        let mut emptied = good.clone();
        emptied[32 + 1 + 8] = 0;
        assert!(parse_section(&emptied).unwrap_err().contains("data after"));
        // One byte shorter: the end marker no longer ends it.
        let mut shorter = good.clone();
        shorter[32 + 1 + 8] -= 1;
        assert!(parse_section(&shorter).unwrap_err().contains("not wrapped"));
        // Longer than the section.
        let mut longer = good.clone();
        longer[32 + 1 + 8] = 0x7f;
        assert!(parse_section(&longer).unwrap_err().contains("past the end"));
        let cut = &good[..good.len() - 20];
        assert!(parse_section(cut).is_err());
    }
}
