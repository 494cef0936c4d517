#!/usr/bin/env bash
# Scaling of `cargo palisade secrets` (full history) with the size of a history: synthetic
# histories of about 10k, 100k and 1M objects, built with `git fast-import` (a config tree of
# 200 files in 20 folders, each commit editing three files, a fake credential brought in now and
# then), each scanned RUNS times; prints objects, wall time (median), peak RSS, microseconds
# per object and findings, so growth can be read off (linear: the per-object cost stays flat).
#
# Usage: scripts/bench-scaling.sh [RUNS] [OBJECTS...]
#   RUNS defaults to 3; OBJECTS to "10000 100000 1000000". Histories are built once into
#   $TMPDIR/palisade-scaling/<objects>.git (delete them to rebuild); the 1M one takes a few
#   minutes to build. PALISADE=binary (default: release build).
# Needs: git, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 1000000)
tmp=${TMPDIR:-/tmp}/palisade-scaling
mkdir -p "$tmp"
if [ -z "${PALISADE:-}" ]; then
  cargo build --release --quiet
  PALISADE=target/release/cargo-palisade
fi

build() { # objects, repo
  git init -q --bare "$2"
  python3 - "$1" <<'PY' | git -C "$2" fast-import --quiet
import random, sys
objects = int(sys.argv[1])
rng = random.Random(16)
alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
files = {f"svc{d:02}/conf{f:02}.ini": [f"key_{d}_{f}_{i} = value {rng.random():.6f}\n" for i in range(40)]
         for d in range(20) for f in range(10)}
paths = sorted(files)
out = sys.stdout.buffer
def data(text):
    raw = text.encode()
    out.write(b"data %d\n" % len(raw) + raw + b"\n")
# Each commit: one commit, three blobs, the root tree and up to three folder trees.
commits = max(1, objects // 8)
for n in range(commits):
    out.write(b"commit refs/heads/main\n")
    out.write(b"committer Bench <bench@example.org> %d +0000\n" % (1_600_000_000 + 60 * n))
    data(f"edit {n}\n")
    for k, path in enumerate(paths if n == 0 else rng.sample(paths, 3)):
        lines = files[path]
        if n % 997 == 996 and k == 0:
            token = "".join(rng.choice(alphabet) for _ in range(24))
            lines.insert(rng.randrange(len(lines)), f'stripe_key = "sk_live_{token}"\n')
        else:
            lines[rng.randrange(len(lines))] = f"key_{n} = value {rng.random():.6f}\n"
        out.write(f"M 100644 inline {path}\n".encode())
        data("".join(lines))
PY
}

echo "palisade $($PALISADE --version | cut -d' ' -f2); $runs runs each; $(nproc) cores"
printf '%-10s %10s %10s %10s %12s %9s\n' target objects median "peak RSS" "µs/object" findings
for n in "${sizes[@]}"; do
  repo="$tmp/$n.git"
  [ -d "$repo" ] || build "$n" "$repo"
  python3 - "$runs" "$PALISADE" "$repo" "$n" <<'PY'
import json, os, statistics, subprocess, sys, tempfile, time
runs, palisade, repo, target = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
objects = sum(int(line.split()[1]) for line in subprocess.run(
    ["git", "-C", repo, "count-objects", "-v"], capture_output=True, text=True, check=True
).stdout.splitlines() if line.split()[0] in ("count:", "in-pack:"))
report = os.path.join(tempfile.gettempdir(), "palisade-scaling.json")
times, peak = [], 0
for _ in range(runs):
    t0 = time.perf_counter()
    p = subprocess.Popen([palisade, "secrets", repo, "--no-cache", "--format", "json", "--output", report],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    times.append(time.perf_counter() - t0)
    peak = max(peak, usage.ru_maxrss)
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"palisade failed on {repo}")
found = len(json.load(open(report))["findings"])
median = statistics.median(times)
print(f"{target:<10} {objects:>10} {median:>9.2f}s {peak / 1024:>8.1f}MB {median / objects * 1e6:>12.2f} {found:>9}")
PY
done
