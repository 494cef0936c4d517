//! The git reader fails closed: every way a repository can hide objects, refs or its index
//! from the scan is exit 2 with one line naming the file or object, never a pass over less.
//! Each test builds a real repository with the git CLI, damages it, and runs the binary.

use crate::common::*;
use std::path::{Path, PathBuf};

const TOKEN: &str = "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";

impl Repo {
    /// A history with a secret committed and removed again, then a few more files.
    fn leaky() -> Repo {
        let repo = Repo::new();
        repo.write("README.md", "service\n");
        repo.commit("initial");
        repo.write("deploy.env", &format!("GITHUB_TOKEN={TOKEN}\n"));
        repo.commit("add deploy config");
        std::fs::remove_file(repo.path().join("deploy.env")).unwrap();
        for i in 0..8 {
            repo.write(
                &format!("src/f{i}.txt"),
                &format!("file {i}\n{}\n", "x".repeat(200)),
            );
        }
        repo.commit("remove the secret, add files");
        repo
    }

    /// [`Repo::leaky`], packed by `git gc`.
    fn packed() -> Repo {
        let repo = Repo::leaky();
        repo.git(&["gc", "-q", "--prune=now"]);
        repo
    }

    fn scan(&self, extra: &[&str]) -> Run {
        let mut args = vec!["secrets", ".", "--format", "json"];
        args.extend(extra);
        palisade_in(self.path(), &args)
    }

    fn objects(&self) -> PathBuf {
        self.path().join(".git/objects")
    }

    /// The single pack's file with this extension.
    fn pack_file(&self, ext: &str) -> PathBuf {
        std::fs::read_dir(self.objects().join("pack"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == ext))
            .unwrap()
    }

    fn loose(&self, id: &str) -> PathBuf {
        self.objects().join(&id[..2]).join(&id[2..])
    }
}

/// Git writes objects and packs read-only.
fn writable(path: &Path) {
    let mut perms = std::fs::metadata(path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(path, perms).unwrap();
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// The secret is found in the intact repository: each damage below hides it otherwise.
#[test]
fn the_intact_repository_fails_on_its_secret() {
    let repo = Repo::packed();
    let run = repo.scan(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
}

mod packs {
    use super::*;

    #[test]
    fn a_truncated_pack_index_is_exit_2_naming_it() {
        let repo = Repo::packed();
        let idx = repo.pack_file("idx");
        writable(&idx);
        let bytes = std::fs::read(&idx).unwrap();
        for len in [0, 100, 1100, bytes.len() - 1] {
            std::fs::write(&idx, &bytes[..len]).unwrap();
            assert_error(&repo.scan(&[]), &[&file_name(&idx), "git fsck"]);
        }
    }

    #[test]
    fn a_missing_pack_index_is_exit_2_naming_the_pack() {
        let repo = Repo::packed();
        let idx = repo.pack_file("idx");
        let pack = repo.pack_file("pack");
        std::fs::remove_file(&idx).unwrap();
        assert_error(&repo.scan(&[]), &[&file_name(&pack), "has no index"]);
    }

    #[test]
    fn every_bit_flip_in_a_pack_index_is_exit_2() {
        let repo = Repo::packed();
        let idx = repo.pack_file("idx");
        writable(&idx);
        let original = std::fs::read(&idx).unwrap();
        // Header, fan-out, ids, CRCs, offsets, the pack checksum and the index's own: every
        // region, at 40 places spread over the file.
        let places: Vec<usize> = (0..40).map(|i| i * (original.len() - 1) / 39).collect();
        for (n, at) in places.into_iter().enumerate() {
            let mut bytes = original.clone();
            bytes[at] ^= 1 << (n % 8);
            std::fs::write(&idx, &bytes).unwrap();
            let run = repo.scan(&[]);
            assert_eq!(run.code, 2, "flip at byte {at} passed: {}", run.stdout);
            assert!(run.stderr.contains(&file_name(&idx)), "{}", run.stderr);
        }
    }

    #[test]
    fn a_truncated_pack_is_exit_2_naming_it() {
        let repo = Repo::packed();
        let pack = repo.pack_file("pack");
        writable(&pack);
        let bytes = std::fs::read(&pack).unwrap();
        std::fs::write(&pack, &bytes[..bytes.len() - 30]).unwrap();
        assert_error(&repo.scan(&[]), &[&file_name(&pack)]);
    }

    #[test]
    fn a_flipped_byte_in_pack_data_fails_its_crc() {
        let repo = Repo::packed();
        let pack = repo.pack_file("pack");
        writable(&pack);
        let mut bytes = std::fs::read(&pack).unwrap();
        let at = bytes.len() / 3;
        bytes[at] ^= 0x01;
        std::fs::write(&pack, &bytes).unwrap();
        assert_error(&repo.scan(&[]), &[&file_name(&pack), "CRC-32"]);
    }

    #[test]
    fn a_pack_index_without_its_pack_is_exit_2() {
        let repo = Repo::packed();
        let idx = repo.pack_file("idx");
        std::fs::remove_file(repo.pack_file("pack")).unwrap();
        assert_error(&repo.scan(&[]), &[&file_name(&idx), "has no pack"]);
    }

    #[test]
    fn the_range_scan_verifies_packs_too() {
        let repo = Repo::packed();
        let idx = repo.pack_file("idx");
        writable(&idx);
        let mut bytes = std::fs::read(&idx).unwrap();
        // Inside the first object id, past the header and the fan-out table: only the
        // checksum tells.
        bytes[8 + 256 * 4 + 5] ^= 0x40;
        std::fs::write(&idx, &bytes).unwrap();
        assert_error(
            &repo.scan(&["--since", "HEAD~1"]),
            &[&file_name(&idx), "checksum"],
        );
    }
}

mod objects {
    use super::*;

    #[test]
    fn a_partial_clone_is_exit_2_asking_to_fetch_the_blobs() {
        let source = Repo::leaky();
        source.git(&["config", "uploadpack.allowFilter", "true"]);
        let clone = tempfile::tempdir().unwrap();
        let url = format!("file://{}", source.path().display());
        git_in(
            clone.path(),
            &["clone", "-q", "--filter=blob:none", &url, "partial"],
        );
        let partial = clone.path().join("partial");
        let secret_blob = source.git(&["rev-parse", "HEAD~1:deploy.env"]);
        let run = palisade_in(&partial, &["secrets", ".", "--format", "json"]);
        assert_error(
            &run,
            &[
                "is incomplete",
                &secret_blob,
                "partial clone",
                "git fetch --refetch",
            ],
        );
    }

    #[test]
    fn a_missing_loose_blob_is_exit_2_naming_it() {
        let repo = Repo::leaky();
        let blob = repo.git(&["rev-parse", "HEAD~1:deploy.env"]);
        std::fs::remove_file(repo.loose(&blob)).unwrap();
        assert_error(
            &repo.scan(&[]),
            &[
                &blob,
                "deploy.env",
                "refs/heads/main",
                "not in the repository",
            ],
        );
    }

    #[test]
    fn a_missing_loose_tree_is_exit_2_naming_it() {
        let repo = Repo::leaky();
        let tree = repo.git(&["rev-parse", "HEAD:src"]);
        std::fs::remove_file(repo.loose(&tree)).unwrap();
        assert_error(&repo.scan(&[]), &[&tree, "not in the repository"]);
    }

    #[test]
    fn a_loose_object_whose_content_does_not_hash_to_its_name_is_exit_2() {
        let repo = Repo::leaky();
        let secret = repo.git(&["rev-parse", "HEAD~1:deploy.env"]);
        let readme = repo.git(&["rev-parse", "HEAD:README.md"]);
        // The secret's file now holds the README: a scan would read harmless content.
        writable(&repo.loose(&secret));
        std::fs::copy(repo.loose(&readme), repo.loose(&secret)).unwrap();
        assert_error(&repo.scan(&[]), &[&secret, "not its name"]);
    }

    #[test]
    fn a_fan_out_directory_that_is_a_file_is_exit_2_naming_it() {
        let repo = Repo::leaky();
        let blob = repo.git(&["rev-parse", "HEAD~1:deploy.env"]);
        let fan = repo.objects().join(&blob[..2]);
        std::fs::remove_dir_all(&fan).unwrap();
        std::fs::write(&fan, "").unwrap();
        assert_error(
            &repo.scan(&[]),
            &[&format!("objects/{}", &blob[..2]), "not a directory"],
        );
    }

    #[test]
    fn a_missing_object_only_a_dangling_commit_needs_is_tolerated_as_git_fsck_does() {
        let repo = Repo::leaky();
        repo.write("scratch.txt", "discarded\n");
        repo.commit("discarded");
        let blob = repo.git(&["rev-parse", "HEAD:scratch.txt"]);
        repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
        repo.git(&["reflog", "expire", "--expire=now", "--all"]);
        std::fs::remove_file(repo.loose(&blob)).unwrap();
        let run = repo.scan(&[]);
        assert_eq!(run.code, 1, "{}", run.stderr);
    }
}

mod refs {
    use super::*;

    #[test]
    fn a_ref_pointing_at_a_missing_object_is_exit_2_naming_it() {
        let repo = Repo::packed();
        let ghost = "0123456789abcdef0123456789abcdef01234567";
        repo.write(".git/refs/heads/ghost", &format!("{ghost}\n"));
        assert_error(&repo.scan(&[]), &["refs/heads/ghost", ghost]);
    }

    #[test]
    fn an_empty_head_is_exit_2_naming_it() {
        let repo = Repo::packed();
        repo.write(".git/HEAD", "");
        assert_error(&repo.scan(&[]), &["HEAD"]);
    }

    #[test]
    fn a_truncated_head_is_exit_2_naming_it() {
        let repo = Repo::packed();
        repo.write(".git/HEAD", "ref: refs/hea");
        let run = repo.scan(&[]);
        // `refs/hea` is a valid name for a branch that does not exist yet; git reads that as
        // an unborn HEAD, and so does the scan: the refs it has are all still read.
        assert_eq!(run.code, 1, "{}", run.stderr);
        repo.write(".git/HEAD", "ref: refs/heads/ma\0");
        assert_error(&repo.scan(&[]), &["HEAD"]);
    }

    #[test]
    fn garbage_in_packed_refs_is_exit_2() {
        let repo = Repo::packed();
        repo.git(&["pack-refs", "--all"]);
        let path = repo.path().join(".git/packed-refs");
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("this is not a ref line\n");
        std::fs::write(&path, text).unwrap();
        let run = repo.scan(&[]);
        assert_error(&run, &["cannot be read", ".git/packed-refs holds a line"]);
    }

    #[test]
    fn a_ref_file_holding_a_secret_is_not_quoted_whole_in_the_error() {
        let repo = Repo::packed();
        repo.write(
            ".git/refs/heads/bad",
            &format!("{TOKEN} is not an object id\n"),
        );
        let run = repo.scan(&[]);
        assert_error(&run, &["refs/heads/bad"]);
        assert!(!run.stderr.contains(TOKEN), "{}", run.stderr);
    }
}

mod range {
    use super::*;

    /// `main` with one commit, `feature` with a secret on top.
    fn pr() -> Repo {
        let repo = Repo::new();
        repo.write("README.md", "service\n");
        repo.commit("initial");
        repo.git(&["checkout", "-q", "-b", "feature"]);
        repo.write("client.py", &format!("TOKEN = '{TOKEN}'\n"));
        repo.commit("client");
        repo.git(&["checkout", "-q", "main"]);
        repo.write("docs.md", "docs\n");
        repo.commit("docs");
        repo
    }

    #[test]
    fn since_a_branch_whose_commit_is_missing_is_exit_2_naming_the_revision() {
        let repo = pr();
        let main = repo.git(&["rev-parse", "main"]);
        std::fs::remove_file(repo.loose(&main)).unwrap();
        assert_error(
            &repo.scan(&["--since", "main"]),
            &["--since main", &main, "not in the repository"],
        );
    }

    #[test]
    fn since_with_a_ref_whose_commit_is_missing_is_exit_2_not_a_smaller_range() {
        let repo = pr();
        repo.git(&["checkout", "-q", "feature"]);
        let feature = repo.git(&["rev-parse", "feature"]);
        std::fs::remove_file(repo.loose(&feature)).unwrap();
        // Before: the `feature` tip was dropped from the range and the scan passed.
        let run = repo.scan(&["--since", "main"]);
        assert_eq!(run.code, 2, "{}", run.stdout);
        assert!(run.stderr.contains("--since main"), "{}", run.stderr);
    }

    #[test]
    fn a_commit_the_range_needs_that_is_missing_is_exit_2() {
        let repo = pr();
        repo.git(&["checkout", "-q", "feature"]);
        repo.write("more.txt", "more\n");
        repo.commit("more");
        // The commit between the tip and `main` is gone.
        let middle = repo.git(&["rev-parse", "feature~1"]);
        std::fs::remove_file(repo.loose(&middle)).unwrap();
        let run = repo.scan(&["--range", "main..feature"]);
        assert_error(&run, &["--range main..feature", &middle]);
    }

    #[test]
    fn a_missing_parent_outside_the_range_is_exit_2() {
        let repo = pr();
        // `feature..main` is the `docs` commit alone; its parent `initial` is outside the
        // range but the diff of `docs` needs it. Before, a parent that could not be read was
        // taken for a shallow boundary and compared with nothing.
        let initial = repo.git(&["rev-parse", "main~1"]);
        std::fs::remove_file(repo.loose(&initial)).unwrap();
        let run = repo.scan(&["--range", "feature..main"]);
        assert_eq!(run.code, 2, "{}", run.stdout);
        assert!(run.stderr.contains(&initial), "{}", run.stderr);
    }
}

mod index {
    use super::*;

    fn staged() -> Repo {
        let repo = Repo::leaky();
        repo.write("new.env", &format!("TOKEN={TOKEN}\n"));
        repo.git(&["add", "new.env"]);
        repo
    }

    #[test]
    fn staged_with_an_index_shorter_than_20_bytes_is_exit_2_naming_it() {
        let repo = staged();
        let index = repo.path().join(".git/index");
        let bytes = std::fs::read(&index).unwrap();
        for len in [0, 10, 19, 31] {
            std::fs::write(&index, &bytes[..len]).unwrap();
            assert_error(
                &repo.scan(&["--staged"]),
                &[".git/index", "truncated", "git reset"],
            );
        }
    }

    #[test]
    fn staged_with_a_bit_flipped_index_is_exit_2() {
        let repo = staged();
        let index = repo.path().join(".git/index");
        let mut bytes = std::fs::read(&index).unwrap();
        let at = bytes.len() / 2;
        bytes[at] ^= 0x04;
        std::fs::write(&index, &bytes).unwrap();
        assert_error(&repo.scan(&["--staged"]), &[".git/index", "checksum"]);
    }

    #[test]
    fn worktree_with_a_damaged_index_is_exit_2() {
        let repo = staged();
        std::fs::write(repo.path().join(".git/index"), b"DIRC").unwrap();
        assert_error(&repo.scan(&["--worktree"]), &[".git/index"]);
    }

    /// `git commit -a` stages into `.git/index.lock` and runs the pre-commit hook with
    /// `GIT_INDEX_FILE` pointing at it; the scan read `.git/index`, without the change being
    /// committed, and the secret went in.
    #[test]
    fn a_commit_all_hook_scans_the_index_being_committed() {
        let repo = Repo::new();
        repo.write("app.env", "PORT=8080\n");
        repo.commit("config");
        let hook = repo.path().join(".git/hooks/pre-commit");
        std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
        std::fs::write(
            &hook,
            format!(
                "#!/bin/sh\nexec '{}' secrets . --staged\n",
                env!("CARGO_BIN_EXE_cargo-palisade")
            ),
        )
        .unwrap();
        let mut perms = std::fs::metadata(&hook).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&hook, perms).unwrap();
        repo.write("app.env", &format!("PORT=8080\nTOKEN={TOKEN}\n"));
        let commit = std::process::Command::new("git")
            .current_dir(repo.path())
            .args(["commit", "-q", "-a", "-m", "leak"])
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", repo.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        // Git sends a hook's output to its stderr.
        let out = String::from_utf8_lossy(&commit.stderr);
        assert!(!commit.status.success(), "the hook passed: {out}");
        assert!(out.contains("secret.github-pat"), "{out}");
        assert_eq!(repo.git(&["rev-list", "--count", "HEAD"]), "1");
    }

    #[test]
    fn staged_with_head_at_a_missing_commit_is_exit_2() {
        let repo = staged();
        let head = repo.git(&["rev-parse", "HEAD"]);
        std::fs::remove_file(repo.loose(&head)).unwrap();
        assert_error(&repo.scan(&["--staged"]), &["HEAD", &head]);
    }
}

mod worktree {
    use super::*;

    fn paths(run: &Run) -> Vec<String> {
        let doc = json(run);
        let mut paths: Vec<String> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|f| {
                std::iter::once(f["locations"][0]["path"].clone()).chain(
                    f["evidence"]["occurrences"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|o| o["path"].clone()),
                )
            })
            .map(|p| p.as_str().unwrap().to_string())
            .collect();
        paths.sort();
        paths
    }

    #[test]
    fn a_tracked_file_that_gitignore_matches_is_scanned() {
        let repo = Repo::new();
        repo.write(".gitignore", "*.env\nbuild/\n");
        repo.write("README.md", "x\n");
        repo.commit("ignore env files");
        repo.write("prod.env", &format!("TOKEN={TOKEN}\n"));
        repo.write("build/keep.txt", &format!("TOKEN={TOKEN}\n"));
        repo.git(&["add", "-f", "prod.env", "build/keep.txt"]);
        // Ignored and untracked: git would not commit these.
        repo.write("local.env", &format!("TOKEN={TOKEN}\n"));
        repo.write("build/out.txt", &format!("TOKEN={TOKEN}\n"));
        let run = repo.scan(&["--worktree"]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert_eq!(paths(&run), ["build/keep.txt", "prod.env"]);
    }

    #[test]
    fn an_ignore_file_does_not_hide_files_in_a_repository() {
        let repo = Repo::new();
        repo.write(".ignore", "secret.txt\n");
        repo.write("secret.txt", &format!("TOKEN={TOKEN}\n"));
        let run = repo.scan(&["--worktree"]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert_eq!(paths(&run), ["secret.txt"]);
    }

    #[test]
    fn an_ignore_file_does_not_hide_files_outside_a_repository() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".ignore"), "secret.txt\n").unwrap();
        std::fs::write(dir.path().join(".gitignore"), "skipped.txt\n").unwrap();
        std::fs::write(dir.path().join("secret.txt"), format!("TOKEN={TOKEN}\n")).unwrap();
        std::fs::write(dir.path().join("skipped.txt"), format!("TOKEN={TOKEN}\n")).unwrap();
        let run = palisade_in(
            dir.path(),
            &["secrets", ".", "--worktree", "--format", "json"],
        );
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert_eq!(paths(&run), ["secret.txt"]);
    }

    #[test]
    fn info_exclude_and_core_excludes_file_are_honoured() {
        let repo = Repo::new();
        repo.write(".git/info/exclude", "excluded.txt\n");
        let excludes = tempfile::tempdir().unwrap();
        let excludes_file = excludes.path().join("my-excludes");
        std::fs::write(&excludes_file, "mine.txt\n").unwrap();
        repo.git(&[
            "config",
            "core.excludesFile",
            excludes_file.to_str().unwrap(),
        ]);
        for file in ["excluded.txt", "mine.txt", "kept.txt"] {
            repo.write(file, &format!("TOKEN={TOKEN}\n"));
        }
        let run = repo.scan(&["--worktree"]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert_eq!(paths(&run), ["kept.txt"]);
    }

    #[test]
    fn a_negated_pattern_brings_a_file_back() {
        let repo = Repo::new();
        repo.write(".gitignore", "*.env\n!example.env\n");
        repo.write("example.env", &format!("TOKEN={TOKEN}\n"));
        repo.write("real.env", &format!("TOKEN={TOKEN}\n"));
        let run = repo.scan(&["--worktree"]);
        assert_eq!(paths(&run), ["example.env"]);
    }

    #[test]
    fn a_subfolder_scan_keeps_the_repositorys_rules() {
        let repo = Repo::new();
        repo.write(".gitignore", "*.env\n");
        repo.write("app/tracked.env", &format!("TOKEN={TOKEN}\n"));
        repo.git(&["add", "-f", "app/tracked.env"]);
        repo.write("app/local.env", &format!("TOKEN={TOKEN}\n"));
        repo.write("app/new.txt", &format!("TOKEN={TOKEN}\n"));
        let run = palisade_in(
            &repo.path().join("app"),
            &["secrets", ".", "--worktree", "--format", "json"],
        );
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert_eq!(paths(&run), ["new.txt", "tracked.env"]);
    }
}

/// The gate decided whether to run the secrets check by whether the folder opened as a git
/// repository, so a damaged `.git` (here, no `HEAD`) skipped the check and the gate passed.
#[test]
fn gate_with_a_damaged_git_directory_is_exit_2() {
    let repo = Repo::leaky();
    std::fs::remove_file(repo.path().join(".git/HEAD")).unwrap();
    repo.write(
        "empty.sarif",
        r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[]}]}"#,
    );
    let run = palisade_in(repo.path(), &["gate", "--import-sarif", "empty.sarif"]);
    assert_error(&run, &["cannot open git repository"]);
}
