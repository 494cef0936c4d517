#!/usr/bin/env bash
# Benchmark: `cargo palisade advisories` against `cargo audit --no-fetch` on the same real
# ~540-package lockfile (fixtures/bench/Cargo.lock) and the same advisory DB, in one run,
# alternating the tools so both see the same machine state. Prints each tool's median wall
# time and peak RSS.
#
# Usage: scripts/bench-advisories.sh [RUNS] [ADVISORY_DB]
#   RUNS defaults to 15; ADVISORY_DB to ../shared/advisory-db.
# Needs: cargo-audit (cargo install --locked cargo-audit), python3, GNU time is not needed.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-15}
db=${2:-../shared/advisory-db}
lock=fixtures/bench/Cargo.lock
manifest=fixtures/bench/Cargo.toml

[ -d "$db/crates" ] || { echo "no advisory DB at $db" >&2; exit 2; }
audit=$(command -v cargo-audit) || { echo "cargo-audit is not installed: cargo install --locked cargo-audit" >&2; exit 2; }
cargo build --release --quiet
palisade=target/release/cargo-palisade
# The build-graph mode resolves with cargo metadata, which needs the crates' manifests.
cargo fetch --locked --quiet --manifest-path "$manifest"

echo "palisade $($palisade --version | cut -d' ' -f2), $($audit --version); $(grep -c '^\[\[package' "$lock") packages; DB $db; $runs runs each"
python3 - "$runs" "$palisade" "$audit" "$db" "$lock" "$manifest" <<'PY'
import os, statistics, subprocess, sys, time
runs, palisade, audit, db, lock, manifest = sys.argv[1:]
runs = int(runs)
env = dict(os.environ, CARGO_NET_OFFLINE="true")
import shutil, tempfile
cache_dir = tempfile.mkdtemp(prefix="palisade-bench-")
cold_env = dict(env, CARGO_TARGET_DIR=os.path.join(cache_dir, "cold"))
warm_env = dict(env, CARGO_TARGET_DIR=os.path.join(cache_dir, "warm"))
graph = [palisade, "advisories", "--manifest-path", manifest, "--advisory-db", db, "--offline"]
# name -> (command, environment, prepare-before-each-run)
tools = {
    "cargo audit --no-fetch (lockfile)": ([audit, "audit", "--no-fetch", "--db", db, "-f", lock], env, None),
    "palisade advisories --lockfile": ([palisade, "advisories", "--lockfile", lock, "--advisory-db", db], env, None),
    "palisade advisories (build graph, cold)": (graph, cold_env, lambda: shutil.rmtree(cold_env["CARGO_TARGET_DIR"], ignore_errors=True)),
    "palisade advisories (build graph, cached)": (graph, warm_env, None),
}
times = {name: [] for name in tools}
peak = {name: 0 for name in tools}
for name, (cmd, cmd_env, _) in tools.items():  # warm-up, and check each tool really ran
    r = subprocess.run(cmd, env=cmd_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if r.returncode not in (0, 1):
        sys.exit(f"{name} failed ({r.returncode}): {r.stderr.decode()[-500:]}")
for _ in range(runs):
    for name, (cmd, cmd_env, prepare) in tools.items():
        if prepare:
            prepare()
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, env=cmd_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        times[name].append(time.perf_counter() - t0)
        peak[name] = max(peak[name], usage.ru_maxrss)
print(f"{'tool':52} {'median':>9} {'min':>9} {'max':>9} {'peak RSS':>10}")
for name in tools:
    t = times[name]
    print(f"{name:52} {statistics.median(t)*1000:7.1f}ms {min(t)*1000:7.1f}ms {max(t)*1000:7.1f}ms {peak[name]/1024:8.1f}MB")
shutil.rmtree(cache_dir, ignore_errors=True)
PY
