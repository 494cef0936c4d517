#!/usr/bin/env python3
"""Writes src/checks/secrets/common-triples.bin: the 2,048 most frequent three-byte sequences
(ASCII letters lower-cased) of ordinary source code, config and docs, most frequent first, three
bytes each. The secret scanner's keyword prefilter looks for each keyword by its rarest three
bytes; this table is how it knows which are common.

Usage: scripts/common-triples.py DIR...   (checkouts of a few large, varied repositories; the
committed table was made from rust-lang/cargo, expressjs/express, kubernetes/examples and
tokio-rs/axum at their default branches: `git --git-dir=MIRROR archive HEAD | tar -x -C DIR`)
Files are read up to 300 KB each, binary files (a NUL in the first KB) skipped, and each DIR
gives at most 4 MB, so no one repository's words dominate.
"""
import collections, os, sys

COUNT = 2048
PER_DIR = 4_000_000

def main(dirs):
    counts = collections.Counter()
    for root in dirs:
        taken = 0
        for path, subdirs, files in sorted(os.walk(root)):
            subdirs[:] = [d for d in subdirs if d != ".git"]
            for name in files:
                try:
                    with open(os.path.join(path, name), "rb") as f:
                        data = f.read(300_000)
                except OSError:
                    continue
                if b"\0" in data[:1024]:
                    continue
                data = data.lower()[: PER_DIR - taken]
                taken += len(data)
                counts.update(data[i:i + 3] for i in range(len(data) - 2))
    table = b"".join(t for t, _ in counts.most_common(COUNT))
    out = os.path.join(os.path.dirname(__file__), "..", "src", "checks", "secrets", "common-triples.bin")
    with open(out, "wb") as f:
        f.write(table)
    print(f"{len(table) // 3} triples from {sum(counts.values())} positions -> {out}")

if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
