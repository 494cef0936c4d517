//! Reading the git index (the staging area: what `--staged` scans and what `--worktree` counts
//! as tracked) without trusting its bytes. The header, length and checksum are checked before
//! the entries are decoded, so a truncated, altered or foreign file is an error naming the
//! file, never a panic and never an index that silently lists fewer files.
//!
//! It decodes the index; it does not read blobs, decide what is staged (that is
//! [`super::worktree`]) or match.

use super::repo::HistoryError;
use std::path::Path;

/// Git index versions this reader decodes.
const VERSIONS: std::ops::RangeInclusive<u32> = 2..=4;

/// Reads the repository's index; `Ok(None)` when there is none (nothing was ever staged). A
/// split index (`core.splitIndex`) is read with its shared index, which is checked the same
/// way first.
pub fn read(repo: &gix::Repository) -> Result<Option<gix::index::State>, HistoryError> {
    let path = index_path(repo);
    let kind = repo.object_hash();
    let error = |path: &Path, message: String| HistoryError::Index {
        path: path.to_path_buf(),
        message,
    };
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(error(&path, e.to_string())),
    };
    let state = decode(&bytes, kind).map_err(|message| error(&path, message))?;
    let Some(link) = state.link() else {
        return Ok(Some(state));
    };
    let shared = path
        .parent()
        .unwrap_or(Path::new("."))
        .join(format!("sharedindex.{}", link.shared_index_checksum));
    let bytes = std::fs::read(&shared).map_err(|e| {
        error(
            &shared,
            format!("the split index's shared index cannot be read: {e}"),
        )
    })?;
    decode(&bytes, kind).map_err(|message| error(&shared, message))?;
    if bytes[bytes.len() - kind.len_in_bytes()..] != *link.shared_index_checksum.as_bytes() {
        return Err(error(
            &shared,
            "the shared index is not the one the split index names".into(),
        ));
    }
    // Both files verified: gix merges them (it reads them again).
    let file = gix::index::File::at(&path, kind, false, single_threaded())
        .map_err(|e| error(&path, super::repo::describe(&e)))?;
    Ok(Some(file.into_parts().0))
}

/// One thread: gix's parallel entry reader trusts the offsets of the index's offset-table
/// extension and panics on ones past the end (the property tests below found it); read alone,
/// entries are decoded one after the other with every bound checked.
fn single_threaded() -> gix::index::decode::Options {
    gix::index::decode::Options {
        thread_limit: Some(1),
        ..Default::default()
    }
}

/// The index git is working with: `GIT_INDEX_FILE` when it is set, else the repository's.
/// Git sets it for hooks: `git commit -a` stages into `.git/index.lock` and runs the
/// pre-commit hook on that, so reading `.git/index` would scan the commit before the changes.
fn index_path(repo: &gix::Repository) -> std::path::PathBuf {
    match std::env::var_os("GIT_INDEX_FILE") {
        Some(path) if !path.is_empty() => path.into(),
        _ => repo.index_path(),
    }
}

/// Decodes index bytes: a header (`DIRC`, version 2 to 4), entries and extensions, and a
/// trailing checksum over everything before it (all zeros when `index.skipHash` is set, as
/// git allows). The error says what is wrong, quoting nothing of the file.
pub fn decode(bytes: &[u8], kind: gix::hash::Kind) -> Result<gix::index::State, String> {
    let hash_len = kind.len_in_bytes();
    if bytes.len() < 12 + hash_len {
        return Err(format!(
            "it is {} bytes long, shorter than an index header and checksum ({} bytes): it is truncated",
            bytes.len(),
            12 + hash_len
        ));
    }
    if &bytes[..4] != b"DIRC" {
        return Err("it does not start with the index signature `DIRC`".into());
    }
    let version = u32::from_be_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
    if !VERSIONS.contains(&version) {
        return Err(format!(
            "index version {version} is not one git writes (2 to 4)"
        ));
    }
    let (body, trailer) = bytes.split_at(bytes.len() - hash_len);
    if trailer.iter().any(|&b| b != 0) {
        let mut hasher = gix::hash::hasher(kind);
        hasher.update(body);
        let actual = hasher
            .try_finalize()
            .map_err(|e| format!("cannot hash it: {e}"))?;
        if actual.as_bytes() != trailer {
            return Err(
                "its checksum does not match its content: it is truncated or altered".into(),
            );
        }
    }
    // The timestamp only matters to racy-git checks against the work tree, which a scan does
    // not make; `State::new` gives one without naming the `filetime` type.
    let timestamp = gix::index::State::new(kind).timestamp();
    gix::index::State::from_bytes(bytes, timestamp, kind, single_threaded())
        .map(|(state, _)| state)
        .map_err(|e| super::repo::describe(&e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::process::Command;
    use std::sync::OnceLock;

    const SHA1: gix::hash::Kind = gix::hash::Kind::Sha1;

    fn git(dir: &Path, args: &[&str]) {
        let out = Command::new("git")
            .current_dir(dir)
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
    }

    /// Real indices written by git: nested paths, an executable, a cache-tree extension (from
    /// the commit) and a staged change on top; the first in version 2, the second in version 4
    /// with the untracked cache and the end-of-entries and offset-table extensions, which
    /// carry offsets into the file.
    fn real_indices() -> &'static [Vec<u8>] {
        static INDICES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
        INDICES.get_or_init(|| {
            [
                &[][..],
                &[
                    "-c",
                    "index.version=4",
                    "-c",
                    "core.untrackedCache=true",
                    "-c",
                    "index.recordEndOfIndexEntries=true",
                    "-c",
                    "index.recordOffsetTable=true",
                    "-c",
                    "index.threads=2",
                ][..],
            ]
            .iter()
            .map(|config| {
                let dir = tempfile::tempdir().unwrap();
                let d = dir.path();
                let git = |args: &[&str]| git(d, &[config, args].concat());
                git(&["init", "-q"]);
                git(&["config", "user.name", "t"]);
                git(&["config", "user.email", "t@example.invalid"]);
                for (path, content) in [
                    ("a.txt", "a\n"),
                    ("src/lib.rs", "fn f() {}\n"),
                    ("src/deep/mod.rs", "x\n"),
                    ("run.sh", "#!/bin/sh\n"),
                ] {
                    let path = d.join(path);
                    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                    std::fs::write(path, content).unwrap();
                }
                git(&["add", "-A"]);
                git(&["update-index", "--chmod=+x", "run.sh"]);
                git(&["commit", "-qm", "one"]);
                std::fs::write(d.join("b.txt"), "b\n").unwrap();
                std::fs::write(d.join("untracked.txt"), "u\n").unwrap();
                git(&["add", "b.txt"]);
                git(&["status", "--porcelain"]);
                std::fs::read(d.join(".git/index")).unwrap()
            })
            .collect()
        })
    }

    /// `bytes` with its trailing checksum recomputed, so the decoder itself is reached.
    fn resealed(mut bytes: Vec<u8>) -> Vec<u8> {
        if bytes.len() >= 20 {
            let body = bytes.len() - 20;
            let mut hasher = gix::hash::hasher(SHA1);
            hasher.update(&bytes[..body]);
            let id = hasher.try_finalize().unwrap();
            bytes[body..].copy_from_slice(id.as_bytes());
        }
        bytes
    }

    #[test]
    fn real_indices_read() {
        for index in real_indices() {
            let state = decode(index, SHA1).unwrap();
            assert_eq!(state.entries().len(), 5);
        }
        assert_ne!(real_indices()[0].len(), real_indices()[1].len());
    }

    #[test]
    fn a_short_index_is_an_error_not_a_panic() {
        for len in 0..32 {
            let err = decode(&real_indices()[0][..len], SHA1).unwrap_err();
            assert!(err.contains("truncated"), "{len}: {err}");
        }
    }

    fn an_index() -> impl Strategy<Value = &'static [u8]> {
        (0..real_indices().len()).prop_map(|i| real_indices()[i].as_slice())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = decode(&bytes, SHA1);
            let mut with_header = b"DIRC\0\0\0\x02".to_vec();
            with_header.extend(&bytes);
            let _ = decode(&resealed(with_header), SHA1);
        }

        #[test]
        fn a_truncated_index_is_an_error(index in an_index(), cut in any::<proptest::sample::Index>()) {
            let len = cut.index(index.len());
            prop_assert!(decode(&index[..len], SHA1).is_err());
            // Even resealed, a cut index never panics.
            let _ = decode(&resealed(index[..len].to_vec()), SHA1);
        }

        #[test]
        fn a_bit_flip_is_caught_by_the_checksum_and_never_panics(
            index in an_index(),
            at in any::<proptest::sample::Index>(),
            bit in 0u8..8,
        ) {
            let mut bytes = index.to_vec();
            let at = at.index(bytes.len());
            bytes[at] ^= 1 << bit;
            let trailer_zero = bytes[bytes.len() - 20..].iter().all(|&b| b == 0);
            prop_assert!(trailer_zero || decode(&bytes, SHA1).is_err());
            // With the checksum fixed up the decoder sees the flipped byte: read or error.
            let _ = decode(&resealed(bytes), SHA1);
        }

        #[test]
        fn overwritten_bytes_resealed_never_panic(
            index in an_index(),
            at in any::<proptest::sample::Index>(),
            patch in proptest::collection::vec(any::<u8>(), 1..16),
        ) {
            let mut bytes = index.to_vec();
            let at = at.index(bytes.len());
            for (i, b) in patch.into_iter().enumerate() {
                if let Some(slot) = bytes.get_mut(at + i) {
                    *slot = b;
                }
            }
            let _ = decode(&resealed(bytes), SHA1);
        }
    }
}
