#!/usr/bin/env bash
# Benchmark: `cargo palisade gate` on Palisade's own repository with every check enabled
# (advisories on Cargo.lock, secrets over the whole history, fips on the fixture binaries, and
# an imported gosec SARIF) against the separate commands run one after the other, which is what
# a CI with one job per check pays. Cold = the build-graph cache removed before the run (the
# first run on a fresh checkout); warm = the cache from the previous run.
#
# Usage: scripts/bench-gate.sh [RUNS]          (release build; the advisory DB is
#                                               ../shared/advisory-db or $PALISADE_ADVISORY_DB)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
db=${PALISADE_ADVISORY_DB:-../shared/advisory-db}
[ -d "$db" ] || { echo "no advisory database at $db" >&2; exit 2; }
cargo build --release --quiet
palisade=$(pwd)/target/release/cargo-palisade
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
config="$work/palisade.toml"
# Palisade's own config, plus a [fips] table and an import, so every check runs.
{
  sed '/^db = /d' palisade.toml
  cat << EOF

[fips]
status-stamp = "FIPSMode=true"
fips-features = []             # Palisade has no FIPS build: judge the default graph only

[[fips.binaries]]
path = "$(pwd)/fixtures/fips/bin/rust-rustls-default"
expect = "non-fips"

[[fips.binaries]]
path = "$(pwd)/fixtures/fips/bin/go119-boringcrypto"
expect = "fips"

[[import]]
tool = "gosec"
sarif = "$(pwd)/fixtures/imports/gosec.sarif"
EOF
} > "$config"
cache_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/palisade
echo "repository: $(git rev-list --all | wc -l) commits, $(git count-objects -v | awk '/^count|^in-pack/ {n += $2} END {print n}') objects; $runs runs each"

python3 - "$runs" "$palisade" "$config" "$db" "$cache_dir" << 'PY'
import shutil, statistics, subprocess, sys, time
runs, palisade, config, db, cache_dir = sys.argv[1:]
runs = int(runs)
common = ["--config", config, "--advisory-db", db]
gate = [palisade, "gate", *common]
separate = {
    "advisories": [palisade, "advisories", *common],
    "secrets": [palisade, "secrets", "--config", config],
    "fips": [palisade, "fips", "--config", config, "--manifest-path", "Cargo.toml"],
}
def timed(cmd):
    t0 = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if r.returncode not in (0, 1):
        sys.exit(f"{cmd[1]} failed ({r.returncode}): {r.stderr.decode()[-400:]}")
    return time.perf_counter() - t0
results = {k: [] for k in ["gate cold", "gate warm", "separate cold (sum)", "separate warm (sum)"]}
parts = {k: [] for k in separate}
for _ in range(runs):
    shutil.rmtree(cache_dir, ignore_errors=True)
    results["gate cold"].append(timed(gate))
    results["gate warm"].append(timed(gate))
    shutil.rmtree(cache_dir, ignore_errors=True)
    cold = sum(timed(cmd) for cmd in separate.values())
    results["separate cold (sum)"].append(cold)
    warm = 0.0
    for name, cmd in separate.items():
        t = timed(cmd)
        parts[name].append(t)
        warm += t
    results["separate warm (sum)"].append(warm)
for name, t in results.items():
    print(f"{name:22} median {statistics.median(t)*1000:7.0f} ms   min {min(t)*1000:7.0f} ms")
print("separate, warm: " + ", ".join(f"{k} {statistics.median(v)*1000:.0f} ms" for k, v in parts.items()))
g, s = statistics.median(results["gate warm"]), statistics.median(results["separate warm (sum)"])
print(f"gate / separate (warm): {g / s:.2f}")
PY
