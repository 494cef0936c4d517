#!/usr/bin/env python3
"""Hostile inputs for scripts/bench-hostile.sh, written to stdout. Deterministic (fixed seed),
so two runs (and two binaries) see the same bytes.

  gen-hostile.py dsn N           N lines `postgres://user:<random>@host/db`, each secret distinct
  gen-hostile.py ignores N       a palisade.toml with N [[advisories.ignore]] entries
  gen-hostile.py sarif N [RULES] a SARIF 2.1.0 log with N results over RULES distinct rules
                                 (default N/100)
"""
import json
import random
import string
import sys

ALPHABET = string.ascii_letters + string.digits


def dsn(n, out):
    rng = random.Random(10)
    for i in range(n):
        password = "".join(rng.choice(ALPHABET) for _ in range(20))
        out.write(f"DATABASE_URL_{i}=postgres://user:{password}@db{i % 97}.internal/app\n")


def ignores(n, out):
    out.write("[policy]\nfail-on = \"high\"\n")
    for i in range(n):
        # Distinct ids, some expiring, some with tickets: every entry is validated.
        out.write("\n[[advisories.ignore]]\n")
        out.write(f'id = "RUSTSEC-{2000 + i // 10000}-{i % 10000:04d}"\n')
        out.write(f'reason = "hostile benchmark entry {i}"\n')
        if i % 3 == 0:
            out.write(f'ticket = "SEC-{i}"\n')
        if i % 5 == 0:
            out.write("expires = 2030-01-01\n")


def sarif(n, rules, out):
    rng = random.Random(12)
    descriptors = [
        {
            "id": f"HOSTILE{r:05d}",
            "shortDescription": {"text": f"hostile rule {r}"},
            "properties": {"security-severity": f"{rng.choice([2.0, 5.0, 7.5, 9.1])}"},
        }
        for r in range(rules)
    ]
    # Streamed by hand: the results array is the large part.
    out.write('{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0",')
    out.write('"runs":[{"tool":{"driver":{"name":"hostile","version":"1.0","rules":')
    out.write(json.dumps(descriptors))
    out.write('}},"results":[')
    for i in range(n):
        r = rng.randrange(rules)
        result = {
            "ruleId": f"HOSTILE{r:05d}",
            "ruleIndex": r,
            "level": "warning",
            "message": {"text": f"hostile result {i} in file {i % 5000}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": f"src/mod{i % 5000}/file{i % 311}.go"},
                        "region": {"startLine": 1 + i % 4000, "startColumn": 1 + i % 80},
                    }
                }
            ],
        }
        if i:
            out.write(",")
        out.write(json.dumps(result, separators=(",", ":")))
    out.write("]}]}\n")


def main():
    kind, n = sys.argv[1], int(sys.argv[2])
    out = sys.stdout
    if kind == "dsn":
        dsn(n, out)
    elif kind == "ignores":
        ignores(n, out)
    elif kind == "sarif":
        rules = int(sys.argv[3]) if len(sys.argv) > 3 else max(1, n // 100)
        sarif(n, rules, out)
    else:
        sys.exit(f"unknown input kind {kind!r}: dsn, ignores or sarif")


if __name__ == "__main__":
    main()
