#!/usr/bin/env bash
# Tests action.yml the way GitHub runs it: validates it against the action metadata schema
# (action-validator, SchemaStore's github-action schema), then runs its steps with
# scripts/run-action.py on fixture repositories built here, against a fake GitHub API on
# 127.0.0.1, and checks the outputs, the exit codes, the log and the job summary.
#
#   scripts/test-action.sh            (needs python3 with venv, git, and action-validator
#                                      from npm @action-validator/cli for the schema check)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

if command -v action-validator > /dev/null; then
  action-validator action.yml
  echo "action.yml: valid under the action metadata schema"
elif [ -n "${CI:-}" ]; then
  echo "action-validator is missing (npm install -g @action-validator/cli @action-validator/core)" >&2
  exit 2
else
  echo "action-validator not installed; skipping the schema check" >&2
fi

cargo build --quiet
python="$(scripts/py-venv.sh)/bin/python3"
work=$(mktemp -d)
trap 'kill "${server_pid:-0}" 2> /dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

# A warm cache: the action finds the binary under ~/.palisade and skips `cargo install`.
# (cargo and rustup keep their own homes.)
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export HOME="$work/home"
mkdir -p "$HOME/.palisade/bin"
cp target/debug/cargo-palisade "$HOME/.palisade/bin/"


# The fake GitHub: accepts uploads carrying the right token, reports them processed.
token="ghs_ActionTestTokenNeverPrinted"
cat > "$work/fake_github.py" << 'EOF'
import http.server, json, sys
token, log = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def answer(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def ok(self):
        return self.headers.get("Authorization") == f"Bearer {token}"
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with open(log, "a") as f:
            f.write(json.dumps({"path": self.path, "commit_sha": body["commit_sha"], "ref": body["ref"], "auth": self.ok()}) + "\n")
        self.answer(202, {"id": "u-1"}) if self.ok() else self.answer(401, {"message": "Bad credentials"})
    def do_GET(self):
        self.answer(200, {"processing_status": "complete", "analyses_url": "http://x/analyses"})
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
print(srv.server_address[1], flush=True)
srv.serve_forever()
EOF
python3 "$work/fake_github.py" "$token" "$work/uploads.log" > "$work/port" &
server_pid=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
export GITHUB_API_URL="http://127.0.0.1:$(cat "$work/port")"

# A local release server, one folder per case: `good` (this commit's release for this runner),
# `bad` (its archive does not match SHA256SUMS), `none` (no release at all). Every other run
# points at `none`: the action then finds its binary in the warm cache.
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
case "$(uname -m)" in aarch64) target=aarch64-unknown-linux-musl ;; *) target=x86_64-unknown-linux-musl ;; esac
release="$work/release"
archive="cargo-palisade-$version-$target.tar.gz"
mkdir -p "$release/none" "$release/good/v$version" "$release/bad/v$version" "$work/pkg/cargo-palisade-$version-$target"
cp target/debug/cargo-palisade "$work/pkg/cargo-palisade-$version-$target/"
tar -czf "$release/good/v$version/$archive" -C "$work/pkg" "cargo-palisade-$version-$target"
git rev-parse HEAD > "$release/good/v$version/COMMIT"
(cd "$release/good/v$version" && sha256sum "$archive" > SHA256SUMS)
cp "$release/good/v$version/COMMIT" "$release/good/v$version/SHA256SUMS" "$release/bad/v$version/"
printf 'not the archive SHA256SUMS names\n' | gzip > "$release/bad/v$version/$archive"
python3 -m http.server --bind 127.0.0.1 --directory "$release" 0 > "$work/release-server.log" 2>&1 &
release_pid=$!
trap 'kill "${server_pid:-0}" "${release_pid:-0}" 2> /dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
for _ in $(seq 50); do grep -q "port" "$work/release-server.log" 2> /dev/null && break; sleep 0.1; done
release_port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$work/release-server.log" | head -n 1)
export PALISADE_RELEASE_URL="http://127.0.0.1:$release_port/none"
export GITHUB_REPOSITORY=acme/service

commit() { git -C "$1" -c user.name=T -c user.email=t@example.invalid commit -q -m "$2"; }

# Repository 1: a secret committed, then reverted. The work tree is clean; history is not.
leaky="$work/leaky"
mkdir -p "$leaky" && git -C "$leaky" init -q -b main
echo "# service" > "$leaky/README.md"
git -C "$leaky" add -A && commit "$leaky" "init"
# A fake age identity (the test plants it; it was never a real key).
echo "AGE-SECRET-KEY-1S7QK7CYERV7XG744X4XNCZR4A2XPAM8AVRFXQYDMD3JFM0XCEA5SX4P7L0" > "$leaky/age.key"
git -C "$leaky" add -A && commit "$leaky" "add key"
git -C "$leaky" rm -q age.key && commit "$leaky" "remove key"

clean="$work/clean"
mkdir -p "$clean" && git -C "$clean" init -q -b main
echo "# clean" > "$clean/README.md"
git -C "$clean" add -A && commit "$clean" "init"

fails=0
check() { # description, condition...
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi
}

run_action() { # name, workspace, extra args...
  local name=$1 ws=$2; shift 2
  export GITHUB_STEP_SUMMARY="$work/$name.summary.md"
  export RUNNER_TEMP="$work/$name.tmp"
  export GITHUB_SHA GITHUB_REF=refs/heads/main
  GITHUB_SHA=$(git -C "$ws" rev-parse HEAD)
  set +e
  "$python" scripts/run-action.py --workspace "$ws" --token "$token" \
    --input "advisory-db=$root/fixtures/advisories/db" \
    --input "go-vulndb=$root/fixtures/go-vulndb" "$@" > "$work/$name.log" 2>&1
  echo $? > "$work/$name.exit"
  set -e
  tail -n 1 "$work/$name.log" > "$work/$name.json"
}
output() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['outputs'][sys.argv[2]])" "$work/$1.json" "$2"; }
contains() { grep -qF -- "$2" "$1"; }
lacks() { ! grep -qF -- "$2" "$1"; }

run_action leaky "$leaky"
check "leaky: the action fails with exit 1" test "$(cat "$work/leaky.exit")" = 1
check "leaky: output exit-code=1" test "$(output leaky exit-code)" = 1
check "leaky: output failing >= 1" test "$(output leaky failing)" -ge 1
check "leaky: output findings >= 1" test "$(output leaky findings)" -ge 1
check "leaky: output sarif-file" test "$(output leaky sarif-file)" = palisade.sarif
check "leaky: the SARIF was written" python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert any(r['results'] for r in d['runs'])" "$leaky/palisade.sarif"
check "leaky: an annotation names the reverted secret" contains "$work/leaky.log" "::error file=age.key,line=1"
check "leaky: the human summary table is in the log" contains "$work/leaky.log" "check        findings"
check "leaky: the job summary says failed" contains "$work/leaky.summary.md" "Palisade gate: ❌ failed"
check "leaky: the SARIF was uploaded with the token, commit and ref" contains "$work/uploads.log" "\"commit_sha\": \"$(git -C "$leaky" rev-parse HEAD)\", \"ref\": \"refs/heads/main\", \"auth\": true"
check "leaky: the token is never printed" lacks "$work/leaky.log" "$token"
check "leaky: the secret is never printed" lacks "$work/leaky.log" "S7QK7CYERV7XG744"
check "leaky: no shallow warning on a full clone" lacks "$work/leaky.log" "shallow checkout"

run_action clean "$clean" --input upload-sarif=false
check "clean: the action passes" test "$(cat "$work/clean.exit")" = 0
check "clean: output failing=0" test "$(output clean failing)" = 0
check "clean: output exit-code=0" test "$(output clean exit-code)" = 0
check "clean: upload skipped when upload-sarif=false" contains "$work/clean.log" "skip: Upload SARIF to code scanning"

# A depth-1 clone of the leaky repository hides the secret: the action must say so, loudly.
shallow="$work/shallow"
git clone -q --depth 1 "file://$leaky" "$shallow"
run_action shallow "$shallow" --input upload-sarif=false
check "shallow: the log carries the warning annotation" contains "$work/shallow.log" "::warning title=Palisade: shallow checkout::"
check "shallow: the job summary carries it too" contains "$work/shallow.summary.md" "fetch-depth: 0"

# A pull request: --since origin/<base> scans only the branch's commits.
pr="$work/pr"
git clone -q "file://$leaky" "$pr"
git -C "$pr" checkout -q -b feature
echo "more" >> "$pr/README.md" && git -C "$pr" add -A && commit "$pr" "feature work"
run_action pr "$pr" --base-ref main --input upload-sarif=false
check "pr: only the branch's commits are scanned, so the old secret is not in scope" test "$(cat "$work/pr.exit")" = 0

# The scan record kept between runs (actions/cache restores the folder): read back under the
# same record-key, refused under another.
git -C "$leaky" repack -adq  # the record skips packed blobs only
run_action record1 "$leaky" --input upload-sarif=false --input record-key=first-key
check "record: the first run writes the record" test -f "$work/record1.tmp/palisade-record/secrets.record"
for run in record2 record3; do
  mkdir -p "$work/$run.tmp" && cp -r "$work/record1.tmp/palisade-record" "$work/$run.tmp/"
done
run_action record2 "$leaky" --input upload-sarif=false --input record-key=first-key
check "record: the next run reads only what is new" contains "$work/record2.log" "not read again"
check "record: and still fails on the secret" test "$(cat "$work/record2.exit")" = 1
run_action record3 "$leaky" --input upload-sarif=false --input record-key=another-key
check "record: a record signed with another key is refused" contains "$work/record3.log" "fails its signature check"
check "record: and everything is read" lacks "$work/record3.log" "not read again"
check "record: the key is never printed" lacks "$work/record2.log" "first-key"

# The install paths, each from a cold runner (no ~/.palisade): the release binary of this
# commit, checksum-verified; an archive that fails its checksum (exit 2, nothing run); no
# release (cargo install, here a stand-in `cargo` that copies the build, so no compile).
cold_start() { # name, release folder, extra args...
  local name=$1 folder=$2; shift 2
  local home="$work/$name.home" started
  mkdir -p "$home" "$work/$name.bin"
  cat > "$work/$name.bin/cargo" << EOF
#!/usr/bin/env bash
echo "stand-in cargo \$*" >> "$work/$name.cargo.log"
[ "\$1" = install ] || exec "$(command -v cargo)" "\$@"
mkdir -p "$home/.palisade/bin" && cp "$root/target/debug/cargo-palisade" "$home/.palisade/bin/"
EOF
  chmod +x "$work/$name.bin/cargo"
  started=$(date +%s.%N)
  HOME="$home" PATH="$work/$name.bin:$PATH" PALISADE_RELEASE_URL="http://127.0.0.1:$release_port/$folder" \
    run_action "$name" "$clean" --input upload-sarif=false --cache-hit false "$@"
  echo "cold start, $name: $(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f} s')" "$started" "$(date +%s.%N)")"
}
cold_start release-good good
check "release: the binary of this commit is installed and run" contains "$work/release-good.log" "installed the release binary v$version"
check "release: the gate ran" test "$(cat "$work/release-good.exit")" = 0
check "release: nothing was built" lacks "$work/release-good.cargo.log" "stand-in cargo install"
cold_start release-bad bad
check "release: a checksum mismatch is refused with exit 2" test "$(cat "$work/release-bad.exit")" = 2
check "release: it says which file failed" contains "$work/release-bad.log" "$archive from http://127.0.0.1:$release_port/bad/v$version does not match its SHA-256"
check "release: nothing was run" contains "$work/release-bad.log" "skip: Run the gate"
check "release: nor built" lacks "$work/release-bad.cargo.log" "stand-in cargo install"
cold_start release-none none
check "release: without a release it builds from source" contains "$work/release-none.log" "building from source"
check "release: with cargo install" contains "$work/release-none.cargo.log" "stand-in cargo install --locked --path"
check "release: and the gate ran" test "$(cat "$work/release-none.exit")" = 0

# The databases kept by actions/cache: copies fetched less than db-max-age-hours ago are used
# as they are (a Go module here, so both are needed), not fetched again.
dbs="$work/dbs"
git clone -q "file://$clean" "$dbs"
printf 'module example.com/svc\n\ngo 1.22\n' > "$dbs/go.mod"
git -C "$dbs" add go.mod && commit "$dbs" "go module"
mkdir -p "$work/dbs.tmp"
cp -r "$root/fixtures/advisories/db" "$work/dbs.tmp/palisade-advisory-db"
cp -r "$root/fixtures/go-vulndb" "$work/dbs.tmp/palisade-go-vulndb"
date +%s | tee "$work/dbs.tmp/palisade-advisory-db.fetched" > "$work/dbs.tmp/palisade-go-vulndb.fetched"
run_action dbs "$dbs" --input upload-sarif=false --input advisory-db= --input go-vulndb=
check "dbs: a fresh cached RustSec database is not fetched again" contains "$work/dbs.log" "cached RustSec database is less than 24 h old"
check "dbs: nor the Go one" contains "$work/dbs.log" "cached Go vulnerability database is less than 24 h old"
check "dbs: the gate judged the Go module with it" contains "$work/dbs.log" "palisade-go-vulndb"
check "dbs: and passed" test "$(cat "$work/dbs.exit")" = 0

# A broken config: exit 2, nothing uploaded, the step says why.
broken="$work/broken"
git clone -q "file://$clean" "$broken"
echo 'fial-on = "high"' > "$broken/palisade.toml"
uploads_before=$(wc -l < "$work/uploads.log" 2> /dev/null || echo 0)
run_action broken "$broken"
check "broken: the action fails with exit 2" test "$(cat "$work/broken.exit")" = 2
check "broken: the error names the file and key" contains "$work/broken.log" "palisade.toml:1: unknown field \`fial-on\`"
check "broken: nothing was uploaded" test "$(wc -l < "$work/uploads.log" 2> /dev/null || echo 0)" = "$uploads_before"

if [ "$fails" -ne 0 ]; then
  echo "$fails action check(s) failed; logs:"
  for f in "$work"/*.log; do echo "== $f"; cat "$f"; done
  exit 1
fi
echo "action.yml: all checks passed"
