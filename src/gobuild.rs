//! Go build info as the Go linker writes it into every Go binary (`debug/buildinfo`): the
//! header's magic, the uvarint lengths of the inline strings, the markers around the module
//! text, and the Go quoting of its `build` lines. Shared by the checks that read Go binaries:
//! `go` (which modules a binary links) and `fips` (what a binary says of its build, and
//! whether that was altered); each finds, frames and judges the build info itself.

/// The start of the build info header (`\xff Go buildinf:`).
pub const MAGIC: &[u8] = b"\xff Go buildinf:";

/// The 16-byte markers `go build` wraps the module text in (cmd/go's `infoStart`, `infoEnd`).
pub const INFO_START: &[u8] = b"\x30\x77\xaf\x0c\x92\x74\x08\x02\x41\xe1\xc1\x07\xe6\xd6\x18\xe6";
pub const INFO_END: &[u8] = b"\xf9\x32\x43\x31\x86\x18\x20\x72\x00\x82\x42\x10\x41\x16\xd8\xf2";

/// The uvarint (`encoding/binary`) at the start of `b` and the bytes it takes; `None` when it
/// is cut off or does not fit in 64 bits.
pub fn uvarint(b: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, &byte) in b.iter().enumerate().take(10) {
        v |= u64::from(byte & 0x7f).checked_shl(7 * i as u32)?;
        if byte & 0x80 == 0 {
            return (i < 9 || byte <= 1).then_some((v, i + 1));
        }
    }
    None
}

/// The uvarint-length-prefixed string at the start of `b`, and the bytes after it.
pub fn uvarint_string(b: &[u8]) -> Option<(&[u8], &[u8])> {
    let (len, n) = uvarint(b)?;
    let end = n.checked_add(usize::try_from(len).ok()?)?;
    Some((b.get(n..end)?, b.get(end..)?))
}

/// A `build` line's `key=value`, each side possibly a Go string literal (`go build` quotes a
/// key holding a space, a quote or `=`, and such a value: `-ldflags="-s -X main.mode=on"`).
/// A line Go would not have written (no `=`, no key, a bad literal) is an error saying why.
pub fn build_setting(kv: &str) -> Result<(String, String), String> {
    let (key, raw_value) = match kv.as_bytes().first() {
        None => return Err("build line missing '='".into()),
        Some(b'=') => return Err("build line with missing key".into()),
        Some(b'"' | b'`') => {
            let n = quoted_prefix_len(kv).ok_or("invalid quoted key in build line")?;
            let rest = kv
                .get(n..)
                .and_then(|r| r.strip_prefix('='))
                .ok_or("build line missing '=' after quoted key")?;
            (unquote(&kv[..n])?, rest)
        }
        Some(_) => {
            let (k, v) = kv
                .split_once('=')
                .ok_or("build line missing '=' after key")?;
            (k.to_string(), v)
        }
    };
    let value = match raw_value.as_bytes().first() {
        Some(b'"' | b'`') => unquote(raw_value)?,
        _ => raw_value.to_string(),
    };
    Ok((key, value))
}

/// The length of the Go string literal that starts `s`, quotes included.
fn quoted_prefix_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let q = *b.first()?;
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            c if c == q => return Some(i + 1),
            b'\\' if q == b'"' => i += 2,
            b'\n' => return None,
            _ => i += 1,
        }
    }
    None
}

/// A Go string literal (`"…"` with Go's escapes, or a raw `` `…` ``) to its text, as
/// `strconv.Unquote` reads it: an escaped byte that is not UTF-8 (`\x`, octal) becomes U+FFFD.
pub fn unquote(s: &str) -> Result<String, String> {
    let bad = || format!("invalid quoted string {s:?} in build line");
    if let Some(raw) = s.strip_prefix('`') {
        let inner = raw.strip_suffix('`').filter(|i| !i.contains('`'));
        // Go drops carriage returns from raw strings.
        return inner.map(|i| i.replace('\r', "")).ok_or_else(bad);
    }
    let inner = s
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .ok_or_else(bad)?;
    let mut out: Vec<u8> = Vec::with_capacity(inner.len());
    let mut chars = inner.chars();
    let hex = |it: &mut std::str::Chars<'_>, n: usize| -> Option<u32> {
        (0..n).try_fold(0u32, |acc, _| Some(acc * 16 + it.next()?.to_digit(16)?))
    };
    while let Some(c) = chars.next() {
        if c == '"' {
            return Err(bad());
        }
        if c != '\\' {
            let mut tmp = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
            continue;
        }
        let e = chars.next().ok_or_else(bad)?;
        let byte = match e {
            'a' => 7,
            'b' => 8,
            'f' => 12,
            'n' => b'\n',
            'r' => b'\r',
            't' => b'\t',
            'v' => 11,
            // `\'` belongs to rune literals, not strings.
            '\\' | '"' => e as u8,
            'x' => hex(&mut chars, 2).ok_or_else(bad)? as u8,
            '0'..='7' => {
                let d = |c: Option<char>| c.and_then(|c| c.to_digit(8));
                let (b, c) = (d(chars.next()), d(chars.next()));
                let v = (b.zip(c))
                    .map(|(b, c)| (e as u32 - '0' as u32) * 64 + b * 8 + c)
                    .filter(|&v| v < 256)
                    .ok_or_else(bad)?;
                v as u8
            }
            'u' | 'U' => {
                let n = if e == 'u' { 4 } else { 8 };
                let ch = hex(&mut chars, n)
                    .and_then(char::from_u32)
                    .ok_or_else(bad)?;
                let mut tmp = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
                continue;
            }
            _ => return Err(bad()),
        };
        out.push(byte);
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uvarint_edges() {
        assert_eq!(uvarint(&[0x05]), Some((5, 1)));
        assert_eq!(uvarint(&[0x80, 0x01]), Some((128, 2)));
        assert_eq!(uvarint(&[0x80]), None);
        assert_eq!(uvarint(&[0xff; 11]), None);
        assert_eq!(uvarint_string(&[3, b'a', b'b']), None);
        assert_eq!(
            uvarint_string(&[2, b'a', b'b', b'c']),
            Some((&b"ab"[..], &b"c"[..]))
        );
    }

    #[test]
    fn go_escapes_decode_as_strconv_unquote_does() {
        assert_eq!(
            unquote(r#""-s -w -X main.V=1""#).unwrap(),
            "-s -w -X main.V=1"
        );
        assert_eq!(
            unquote(r#""a\"b\\c\t\x41\101\u00e9""#).unwrap(),
            "a\"b\\c\tAAé"
        );
        assert_eq!(unquote("`raw \"x\"\r`").unwrap(), "raw \"x\"");
        for bad in [
            r#""unterminated"#,
            r#""bad \q""#,
            r#""\400""#,
            r#""a"b""#,
            r#""\x4""#,
            r#""\18""#,
        ] {
            assert!(unquote(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_signed_hex_escape_and_an_escaped_single_quote_were_read_though_go_refuses_both() {
        // The fips check's copy read `\x+1` as the byte 1 (a radix parse takes a sign); the go
        // check's took `\'`, which only rune literals allow. A build line holding either was
        // not written by `go build`.
        for bad in [r#""\x+1""#, r#""\'""#] {
            assert!(unquote(bad).is_err(), "{bad}");
            assert!(build_setting(&format!("-ldflags={bad}")).is_err(), "{bad}");
        }
    }

    #[test]
    fn build_settings() {
        assert_eq!(
            build_setting("GOOS=linux").unwrap(),
            ("GOOS".into(), "linux".into())
        );
        assert_eq!(
            build_setting(r#"-ldflags="-s -w -X main.BuildStamp=FIPSMode=true""#).unwrap(),
            (
                "-ldflags".into(),
                "-s -w -X main.BuildStamp=FIPSMode=true".into()
            )
        );
        assert_eq!(
            build_setting(r#""odd key"=v"#).unwrap(),
            ("odd key".into(), "v".into())
        );
        assert_eq!(
            build_setting("CGO_CFLAGS=").unwrap(),
            ("CGO_CFLAGS".into(), String::new())
        );
        assert!(build_setting("=x").is_err());
        assert!(build_setting("novalue").is_err());
        assert!(build_setting(r#""k"x"#).is_err());
    }
}
