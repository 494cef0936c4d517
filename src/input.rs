//! Reading the files a user names on the command line or in `palisade.toml` (binaries,
//! imported SARIF, build files): regular files only, and never more than a cap. A FIFO, a
//! character device (`/dev/zero`) or a socket would block the gate forever or feed it without
//! end, so it is refused before it is opened. Errors carry no path and no content: the caller
//! names the file; [`excerpt`] shortens what little input text a message may show.

use std::io::Read;
use std::path::Path;

/// Why a named file was not read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// Not a regular file (after following symlinks).
    #[error("is {0}, not a regular file")]
    NotRegular(&'static str),
    /// Over the cap.
    #[error("is larger than {} MiB, the most Palisade reads from such a file", .0 >> 20)]
    TooLarge(u64),
    /// The operating system refused. (Not a `source`: the message already says it, and a
    /// chain printed with `{:#}` would say it twice.)
    #[error("{0}")]
    Io(std::io::Error),
}

/// What kind of non-regular file this is, for the message; `None` for a regular file.
fn irregular(kind: std::fs::FileType) -> Option<&'static str> {
    if kind.is_file() {
        return None;
    }
    if kind.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if kind.is_char_device() {
            return Some("a character device");
        }
        if kind.is_block_device() {
            return Some("a block device");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
    }
    Some("a special file")
}

/// Reads all of `path` when it is a regular file of at most `cap` bytes.
pub fn read_regular(path: &Path, cap: u64) -> Result<Vec<u8>, InputError> {
    // Checked before opening: opening a FIFO for reading blocks until a writer comes.
    let meta = std::fs::metadata(path).map_err(InputError::Io)?;
    if let Some(kind) = irregular(meta.file_type()) {
        return Err(InputError::NotRegular(kind));
    }
    if meta.len() > cap {
        return Err(InputError::TooLarge(cap));
    }
    let file = std::fs::File::open(path).map_err(InputError::Io)?;
    // Checked again on what was opened, in case the path was swapped in between.
    let opened = file.metadata().map_err(InputError::Io)?;
    if let Some(kind) = irregular(opened.file_type()) {
        return Err(InputError::NotRegular(kind));
    }
    let expected = usize::try_from(opened.len().min(cap)).unwrap_or(0);
    let mut data = Vec::with_capacity(expected);
    // A file that grows while it is read (or lies about its size) still stops at the cap.
    file.take(cap.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(InputError::Io)?;
    if data.len() as u64 > cap {
        return Err(InputError::TooLarge(cap));
    }
    Ok(data)
}

/// At most `max` characters of input text for an error message, on one line: control
/// characters become spaces, and a cut is marked with `…`.
pub fn excerpt(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .take(max)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_are_read_and_others_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, b"12345").unwrap();
        assert_eq!(read_regular(&file, 5).unwrap(), b"12345");
        assert!(matches!(
            read_regular(&file, 4),
            Err(InputError::TooLarge(4))
        ));
        assert!(matches!(
            read_regular(dir.path(), 100),
            Err(InputError::NotRegular("a directory"))
        ));
        #[cfg(unix)]
        assert!(matches!(
            read_regular(Path::new("/dev/zero"), 100),
            Err(InputError::NotRegular("a character device"))
        ));
    }

    #[test]
    fn excerpts_are_short_and_on_one_line() {
        assert_eq!(excerpt("abc", 40), "abc");
        assert_eq!(excerpt("a\nb\tc", 40), "a b c");
        assert_eq!(excerpt(&"x".repeat(50), 40), format!("{}…", "x".repeat(40)));
    }
}
