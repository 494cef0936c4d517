#!/usr/bin/env bash
# Tests .pre-commit-hooks.yaml with the real pre-commit tool: a temp repository uses this
# repository (at its HEAD commit) as a hook repository; pre-commit builds Palisade with
# `cargo install` as it would for a user. A commit with a planted secret is refused, a clean one
# passes; the gate hook fails on a secret in history and passes on a clean one. The
# `language: system` variants run an installed cargo-palisade (the debug build here).
#
#   scripts/test-pre-commit.sh        (needs python3 with venv, git, cargo; installs pre-commit
#                                      from PyPI into target/py-venv)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
rev=$(git rev-parse HEAD)
if [ -n "$(git status --porcelain -- .pre-commit-hooks.yaml src Cargo.toml Cargo.lock rules)" ]; then
  echo "note: pre-commit builds the committed HEAD ($rev); uncommitted changes are not tested" >&2
fi

pre_commit="$(scripts/py-venv.sh)/bin/pre-commit"
# pre-commit's cache (the hook's build) survives between runs here; a fresh CI machine builds once.
export PRE_COMMIT_HOME="$root/target/pre-commit-home"
# The hook build is a test fixture: trade run speed for build time on 2 cores.
export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OPT_LEVEL=1

work=$(mktemp -d)
# pre-commit keeps the hook's installed binary; the cargo build folder beside it (~700 MB) is
# only disk.
trap 'rm -rf "$work" "$PRE_COMMIT_HOME"/repo*/target' EXIT
# A repository using this one's hooks: hook_repo DIR SECRETS-HOOK GATE-HOOK.
hook_repo() {
  mkdir -p "$1" && git -C "$1" init -q -b main
  git -C "$1" config user.name T && git -C "$1" config user.email t@example.invalid
  printf 'repos:\n  - repo: %s\n    rev: %s\n    hooks:\n      - id: %s\n      - id: %s\n        stages: [pre-push, manual]\n' \
    "$root" "$rev" "$2" "$3" > "$1/.pre-commit-config.yaml"
  echo "# service" > "$1/README.md"
  git -C "$1" add -A
}
repo="$work/repo"
hook_repo "$repo" palisade-secrets palisade-gate
(cd "$repo" && "$pre_commit" install --hook-type pre-commit --hook-type pre-push > /dev/null)

fails=0
check() {
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi
}

# 1. A clean commit passes (the first run builds the hook).
set +e
git -C "$repo" commit -q -m "init" > "$work/clean.log" 2>&1
clean=$?
set -e
check "a clean commit passes" test "$clean" = 0
check "palisade-secrets ran" grep -q "palisade secrets (staged changes).*Passed" "$work/clean.log"

# 2. The gate hook over the whole history passes on a clean one.
set +e
(cd "$repo" && "$pre_commit" run --hook-stage manual palisade-gate) > "$work/gate-clean.log" 2>&1
gate_clean=$?
set -e
check "the gate hook passes on a clean history" test "$gate_clean" = 0

# 3. A commit with a planted secret is refused, and the secret is not printed.
head_before=$(git -C "$repo" rev-parse HEAD)
# A fake GitHub token (valid checksum, never issued).
echo "GITHUB_TOKEN=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" > "$repo/deploy.env"
git -C "$repo" add deploy.env
set +e
git -C "$repo" commit -q -m "add deploy env" > "$work/leak.log" 2>&1
leak=$?
set -e
check "a commit with a secret is refused" test "$leak" != 0
check "no commit was made" test "$(git -C "$repo" rev-parse HEAD)" = "$head_before"
check "the hook names the rule and the file" grep -q "secret.github-pat.*deploy.env" "$work/leak.log"
check "the secret is not printed" bash -c "! grep -q WK59PFkl0JfI2yyVlbPegBPrUhRZds40ieVw '$work/leak.log'"

# 4. A committed-and-reverted secret fails the gate hook. (The refused commit's blob stays in
# the object database as a dangling object, which the gate would also report: drop it first.)
git -C "$repo" reset -q deploy.env && rm "$repo/deploy.env"
git -C "$repo" reflog expire --expire=now --all && git -C "$repo" gc -q --prune=now
echo "AGE-SECRET-KEY-1S7QK7CYERV7XG744X4XNCZR4A2XPAM8AVRFXQYDMD3JFM0XCEA5SX4P7L0" > "$repo/age.key"
git -C "$repo" add age.key && git -C "$repo" commit -q --no-verify -m "add key"
git -C "$repo" rm -q age.key && git -C "$repo" commit -q --no-verify -m "remove key"
set +e
(cd "$repo" && "$pre_commit" run --hook-stage manual palisade-gate) > "$work/gate-leak.log" 2>&1
gate_leak=$?
set -e
check "the gate hook fails on a reverted secret in history" test "$gate_leak" != 0
check "the gate hook names it" grep -q "secret.age-identity" "$work/gate-leak.log"

# 5. The `language: system` variants run the installed binary (here the debug build on PATH),
# building nothing: the secret in history fails the gate, a clean staged change passes.
sys_repo="$work/sys"
hook_repo "$sys_repo" palisade-secrets-system palisade-gate-system
bin_dir="$work/bin"
mkdir -p "$bin_dir" && cp "$root/target/debug/cargo-palisade" "$bin_dir/"
set +e
(cd "$sys_repo" && PATH="$bin_dir:$PATH" "$pre_commit" run palisade-secrets-system) > "$work/sys-clean.log" 2>&1
sys_clean=$?
echo "AGE-SECRET-KEY-1S7QK7CYERV7XG744X4XNCZR4A2XPAM8AVRFXQYDMD3JFM0XCEA5SX4P7L0" > "$sys_repo/age.key"
git -C "$sys_repo" add age.key && git -C "$sys_repo" commit -q -m "add key"
(cd "$sys_repo" && PATH="$bin_dir:$PATH" "$pre_commit" run --hook-stage manual palisade-gate-system) > "$work/sys-gate.log" 2>&1
sys_gate=$?
set -e
check "system hook: a clean staged change passes" test "$sys_clean" = 0
check "system hook: the gate fails on a secret in history" test "$sys_gate" != 0
check "system hook: the gate names it" grep -q "secret.age-identity" "$work/sys-gate.log"

if [ "$fails" -ne 0 ]; then
  for f in "$work"/*.log; do echo "== $f"; cat "$f"; done
  exit 1
fi
echo ".pre-commit-hooks.yaml: all checks passed"
