#!/usr/bin/env bash
# Benchmark: `cargo palisade secrets` against `kingfisher scan --no-validate` on the same real
# git history (../shared/corpora/advisory-db-history.git.tar: ~67,000 objects, 660 MB of
# blobs), alternating the tools run by run. Prints median/min/max wall time, peak RSS and the
# number of findings of each tool.
#
# Usage: scripts/bench-secrets.sh [RUNS] [REPO]
#   RUNS defaults to 5. REPO defaults to the corpus, unpacked to $TMPDIR/advisory-db.git.
# Needs: kingfisher (pip install kingfisher-bin), python3, tar.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
repo=${2:-}
tmp=${TMPDIR:-/tmp}
if [ -z "$repo" ]; then
  corpus=../shared/corpora/advisory-db-history.git.tar
  [ -f "$corpus" ] || { echo "no corpus at $corpus; pass a repository path" >&2; exit 2; }
  repo="$tmp/advisory-db.git"
  [ -d "$repo" ] || tar -xf "$corpus" -C "$tmp"
fi
kingfisher=$(command -v kingfisher) || { echo "kingfisher is not installed: pip install kingfisher-bin" >&2; exit 2; }
cargo build --release --quiet
palisade=target/release/cargo-palisade
echo "palisade $($palisade --version | cut -d' ' -f2), $($kingfisher --version); repo $repo; $runs runs each; $(nproc) cores"

python3 - "$runs" "$palisade" "$kingfisher" "$repo" "$tmp" <<'PY'
import json, os, statistics, subprocess, sys, time
runs, palisade, kingfisher, repo, tmp = sys.argv[1:]
runs = int(runs)
out = {"palisade": os.path.join(tmp, "bench-palisade.json"), "kingfisher": os.path.join(tmp, "bench-kingfisher.json")}
tools = {
    "palisade": [palisade, "secrets", repo, "--format", "json", "--output", out["palisade"]],
    "kingfisher": [kingfisher, "scan", repo, "--no-validate", "--no-update-check", "-f", "json", "-o", out["kingfisher"]],
}
times = {n: [] for n in tools}
peak = {n: 0 for n in tools}
for _ in range(runs):
    for name, cmd in tools.items():
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        times[name].append(time.perf_counter() - t0)
        peak[name] = max(peak[name], usage.ru_maxrss)
        code = os.waitstatus_to_exitcode(status)
        if name == "palisade" and code not in (0, 1):
            sys.exit(f"palisade failed with exit {code}")
findings = {
    "palisade": len([f for f in json.load(open(out["palisade"]))["findings"] if f["rule"].startswith("secret.")]),
    "kingfisher": len(json.load(open(out["kingfisher"])).get("findings", [])),
}
print(f"{'tool':12} {'median':>8} {'min':>8} {'max':>8} {'peak RSS':>10} {'findings':>9}")
for name in tools:
    t = times[name]
    print(f"{name:12} {statistics.median(t):7.2f}s {min(t):7.2f}s {max(t):7.2f}s {peak[name]/1024:8.1f}MB {findings[name]:9}")
ratio = statistics.median(times["palisade"]) / statistics.median(times["kingfisher"])
print(f"palisade/kingfisher median wall time: {ratio:.2f}x (target <= 0.25x); peak RSS {peak['palisade']/peak['kingfisher']:.2f}x (target <= 1x)")
PY
