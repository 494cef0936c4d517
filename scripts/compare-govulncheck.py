#!/usr/bin/env python3
"""Compares `cargo palisade go --binary` with govulncheck -mode=binary on the same binaries and
the same database snapshot, level by level: the ids each reports at module level (every
finding), package level (a vulnerable package linked) and symbol level (a vulnerable function
linked). An aside for people, not a test: govulncheck needs a Go toolchain to build.

Usage: scripts/compare-govulncheck.py BINARY...
  GOVULNCHECK=govulncheck, GOVULNCHECK_DB=file:///… (the vuln.go.dev layout of the snapshot),
  GOVULNDB_OSV=../shared/go-vulndb/osv (the same snapshot for Palisade),
  PALISADE=target/release/cargo-palisade.
"""
import json
import os
import subprocess
import sys

LEVELS = ("module", "package", "symbol")


def govulncheck(binary):
    out = subprocess.run(
        [os.environ.get("GOVULNCHECK", "govulncheck"), "-db", os.environ["GOVULNCHECK_DB"],
         "-mode=binary", "-format", "json", binary],
        capture_output=True, text=True, check=True).stdout
    ids = {level: set() for level in LEVELS}
    decoder = json.JSONDecoder()
    at = 0
    while at < len(out):
        while at < len(out) and out[at].isspace():
            at += 1
        if at >= len(out):
            break
        message, at = decoder.raw_decode(out, at)
        finding = message.get("finding")
        if not finding:
            continue
        frame = finding["trace"][0]
        ids["module"].add(finding["osv"])
        if frame.get("package"):
            ids["package"].add(finding["osv"])
        if frame.get("function"):
            ids["symbol"].add(finding["osv"])
    return ids


def palisade(binary):
    run = subprocess.run(
        [os.environ.get("PALISADE", "target/release/cargo-palisade"), "go", "--format", "json",
         "--go-vulndb", os.environ.get("GOVULNDB_OSV", "../shared/go-vulndb/osv"),
         "--binary", binary],
        capture_output=True, text=True)
    if run.returncode not in (0, 1):
        sys.exit(f"palisade failed on {binary}: {run.stderr}")
    ids = {level: set() for level in LEVELS}
    for f in json.loads(run.stdout)["findings"]:
        reach = f["evidence"].get("reachability")
        if not reach:
            continue
        for level in LEVELS[: LEVELS.index(reach) + 1]:
            ids[level].add(f["subject"]["id"])
    return ids


def main():
    status = 0
    for binary in sys.argv[1:]:
        g, p = govulncheck(binary), palisade(binary)
        print(os.path.basename(binary))
        for level in LEVELS:
            same = "identical" if g[level] == p[level] else "DIFFERENT"
            print(f"  {level:8} govulncheck {len(g[level]):3}  palisade {len(p[level]):3}  {same}")
            if g[level] != p[level]:
                print(f"           only govulncheck: {sorted(g[level] - p[level])}")
                print(f"           only palisade:    {sorted(p[level] - g[level])}")
    return status


if __name__ == "__main__":
    sys.exit(main())
