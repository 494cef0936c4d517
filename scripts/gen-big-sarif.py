#!/usr/bin/env python3
"""Writes a large SARIF 2.1.0 file shaped like gosec's output, for measuring what importing it
costs (`gate --import-sarif`): RESULTS results (default 200,000, about 36 MB) over 40 rules.

Usage: scripts/gen-big-sarif.py OUT.sarif [RESULTS]

Measure the peak memory with:
  /usr/bin/time -v cargo-palisade gate --import-sarif OUT.sarif --tool gosec --format json \
      --output /dev/null   (in an empty folder; "Maximum resident set size")

The file is generated, never committed.
"""

import json
import sys


def main() -> None:
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    severities = ["HIGH", "MEDIUM", "LOW"]
    rules = [
        {
            "id": f"G{100 + i}",
            "name": f"rule{i}",
            "shortDescription": {"text": f"Generated rule number {i}"},
            "fullDescription": {"text": f"A generated rule ({i}) that stands for a gosec check."},
            "help": {"text": f"Fix what rule {i} reports.\nSeverity: {severities[i % 3]}"},
            "defaultConfiguration": {"level": "warning"},
            "properties": {"tags": ["security", severities[i % 3]], "precision": "high"},
        }
        for i in range(40)
    ]
    with open(out, "w", encoding="utf-8") as f:
        # Written piece by piece so the generator itself stays small in memory.
        f.write('{"version":"2.1.0","$schema":"https://json.schemastore.org/sarif-2.1.0.json",')
        f.write('"runs":[{"tool":{"driver":{"name":"gosec","semanticVersion":"2.21.4","rules":')
        f.write(json.dumps(rules))
        f.write('}},"invocations":[{"executionSuccessful":true}],"results":[')
        for n in range(count):
            rule = n % 40
            result = {
                "ruleId": f"G{100 + rule}",
                "level": "warning",
                "message": {"text": f"Generated finding {n} of rule {rule}"},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": f"pkg/m{n % 997}/file{n}.go"},
                            "region": {"startLine": 1 + n % 500},
                        }
                    }
                ],
            }
            if n:
                f.write(",")
            f.write(json.dumps(result, separators=(",", ":")))
        f.write("]}]}\n")


if __name__ == "__main__":
    main()
