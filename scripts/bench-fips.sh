#!/usr/bin/env bash
# Benchmark: `cargo palisade fips --explain --binary B` against what people run today on the
# same file, `go version -m B` plus `nm B | grep -c _goboringcrypto_`, on a ~50 MB Go
# BoringCrypto binary built here (a fixture program with 45 MB of go:embed data; not
# committed). Palisade reads the file with one read into memory and answers every question
# (symbols, needed libraries, Go build info, strings) from that buffer.
#
# Usage: scripts/bench-fips.sh [RUNS]     (needs Debian's golang-1.19 for GOEXPERIMENT=boringcrypto)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
go119=${GO119:-/usr/lib/go-1.19/bin/go}
[ -x "$go119" ] || { echo "needs $go119 (apt-get install golang-1.19)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src"
cp fixtures/fips/src/go.mod "$work/src/"
head -c 47185920 /dev/urandom > "$work/src/blob.bin"
cat > "$work/src/main.go" <<'GO'
package main

import (
	"crypto/sha256"
	_ "embed"
	"fmt"
)

//go:embed blob.bin
var blob []byte

func main() { fmt.Printf("%x\n", sha256.Sum256(blob)) }
GO
(cd "$work/src" && GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-buildvcs=false GOEXPERIMENT=boringcrypto \
  GOCACHE="$work/cache" "$go119" build -o "$work/big" .)
cargo build --release --quiet
palisade=target/release/cargo-palisade
size=$(stat -c %s "$work/big")
echo "binary: $((size / 1048576)) MiB Go BoringCrypto; $runs runs each"

python3 - "$runs" "$palisade" "$go119" "$work/big" <<'PY'
import os, statistics, subprocess, sys, time
runs, palisade, go, big = sys.argv[1:]
runs = int(runs)
def timed(cmd, shell=False):
    t0 = time.perf_counter()
    r = subprocess.run(cmd, shell=shell, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0, r.returncode
tools = {
    "palisade fips --explain": [palisade, "fips", "--explain", "--binary", big],
    "go version -m + nm | grep": f"{go} version -m {big} && nm {big} | grep -c _goboringcrypto_",
}
times = {n: [] for n in tools}
for _ in range(runs):
    for name, cmd in tools.items():
        t, code = timed(cmd, shell=isinstance(cmd, str))
        if code != 0:
            sys.exit(f"{name} failed ({code})")
        times[name].append(t)
for name, t in times.items():
    print(f"{name:28} median {statistics.median(t)*1000:7.1f}ms  min {min(t)*1000:7.1f}ms")
PY
