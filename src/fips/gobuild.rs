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
}

const MAGIC: &[u8] = b"\xff Go buildinf:";

fn uvarint(data: &[u8]) -> Option<(usize, usize)> {
    let mut value: u64 = 0;
    for (i, &b) in data.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((usize::try_from(value).ok()?, i + 1));
        }
    }
    None
}

/// Finds and parses the build info anywhere in `data` (formats without a build info section,
/// like PE); `Ok(None)` when there is none (not a Go binary), `Err` for a header cut off or in
/// a format this reader does not know (Go before 1.18).
pub fn parse(data: &[u8]) -> Result<Option<GoBuild>, String> {
    // The header is 16-byte aligned in the file; take the first aligned occurrence.
    let Some(at) = memchr::memmem::find_iter(data, MAGIC).find(|p| p % 16 == 0) else {
        return Ok(None);
    };
    parse_at(&data[at..], "the file").map(Some)
}

/// Parses the build info section of an ELF (`.go.buildinfo`) or Mach-O (`__go_buildinfo`)
/// binary: the header starts it, and nothing may run past its end.
pub fn parse_section(section: &[u8]) -> Result<GoBuild, String> {
    if !section.starts_with(MAGIC) {
        return Err("its Go build info section does not start with the build info header: truncated or altered".into());
    }
    parse_at(section, "its section")
}

/// Parses the header at the start of `data` and the two strings after it; `within` names
/// what `data` ends with, for the message.
fn parse_at(data: &[u8], within: &str) -> Result<GoBuild, String> {
    let header = data
        .get(..32)
        .ok_or("its Go build info header is cut off")?;
    let flags = header[15];
    if flags & 0x2 == 0 {
        return Err("Go build info in the pre-1.18 (pointer) format is not supported".into());
    }
    let mut rest = &data[32..];
    let mut read = || -> Result<String, String> {
        let (len, used) = uvarint(rest).ok_or("its Go build info has a bad length")?;
        let text = used
            .checked_add(len)
            .and_then(|end| rest.get(used..end))
            .ok_or_else(|| format!("its Go build info runs past the end of {within}"))?;
        rest = &rest[used + text.len()..];
        Ok(String::from_utf8_lossy(text).into_owned())
    };
    let version = read()?;
    if !version.starts_with("go") && !version.starts_with("devel") {
        return Err("its Go build info has no Go version: truncated or altered".into());
    }
    let mut modinfo = read()?;
    // Module info is wrapped in 16-byte sentinels.
    if modinfo.len() >= 33 {
        modinfo = modinfo
            .get(16..modinfo.len() - 16)
            .unwrap_or_default()
            .to_string();
    }
    let mut build = GoBuild {
        version,
        ..GoBuild::default()
    };
    for line in modinfo.lines() {
        let mut fields = line.splitn(2, '\t');
        match (fields.next(), fields.next()) {
            (Some("path"), Some(path)) => build.path = Some(path.to_string()),
            (Some("build"), Some(setting)) => {
                let (k, v) = setting.split_once('=').unwrap_or((setting, ""));
                build.settings.push((k.to_string(), v.to_string()));
            }
            _ => {}
        }
    }
    Ok(build)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(version: &str, modinfo: &str) -> Vec<u8> {
        let mut data = vec![0u8; 48];
        let mut header = MAGIC.to_vec();
        header.extend([8u8, 0x2]);
        header.resize(32, 0);
        data.extend(header);
        for text in [
            version.to_string(),
            format!("{}{modinfo}{}", "s".repeat(16), "e".repeat(16)),
        ] {
            data.push(u8::try_from(text.len()).unwrap());
            data.extend(text.as_bytes());
        }
        data
    }

    #[test]
    fn parses_version_path_and_settings() {
        let data = fixture(
            "go1.19.8 X:boringcrypto",
            "path\texample.invalid/app\nbuild\tGOEXPERIMENT=boringcrypto\nbuild\t-trimpath=true\n",
        );
        let build = parse(&data).unwrap().unwrap();
        assert_eq!(build.version, "go1.19.8 X:boringcrypto");
        assert_eq!(build.path.as_deref(), Some("example.invalid/app"));
        assert_eq!(build.setting("GOEXPERIMENT"), Some("boringcrypto"));
        assert_eq!(build.setting("-trimpath"), Some("true"));
    }

    #[test]
    fn no_header_is_not_go_and_a_cut_header_is_an_error() {
        assert_eq!(parse(b"plain data"), Ok(None));
        let mut data = vec![0u8; 16];
        data.extend(MAGIC);
        assert!(parse(&data).is_err());
    }
}
