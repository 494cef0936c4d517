#!/usr/bin/env bash
# Validates SARIF files with Microsoft's SARIF Multitool and fails on any error-level result.
# (The Multitool exits 0 even when it reports errors, so we read its own SARIF output.)
# Usage: scripts/validate-sarif.sh FILE|DIR...
set -euo pipefail

multitool() { npx --no-install @microsoft/sarif-multitool "$@"; }
if ! multitool --version >/dev/null 2>&1; then
  echo "validate-sarif: the SARIF Multitool is not installed (npm install -g @microsoft/sarif-multitool)" >&2
  exit 2
fi

files=()
for arg in "$@"; do
  if [ -d "$arg" ]; then
    while IFS= read -r f; do files+=("$f"); done < <(find "$arg" -name '*.sarif' | sort)
  else
    files+=("$arg")
  fi
done
if [ "${#files[@]}" -eq 0 ]; then
  echo "validate-sarif: no SARIF files given or found in: $*" >&2
  exit 2
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
failed=0
for f in "${files[@]}"; do
  log="$out/$(basename "$f").validation.sarif"
  multitool validate "$f" --output "$log" --log ForceOverwrite >"$out/console.txt" 2>&1 || {
    echo "validate-sarif: the Multitool could not run on $f:" >&2
    cat "$out/console.txt" >&2
    exit 2
  }
  errors=$(python3 - "$log" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
for run in log.get("runs", []):
    for r in run.get("results", []):
        if r.get("level", "warning") == "error":
            loc = r.get("locations", [{}])[0].get("physicalLocation", {}).get("region", {})
            print(f"  {r.get('ruleId')} (line {loc.get('startLine', '?')}): {r.get('message', {}).get('text') or ', '.join(r.get('message', {}).get('arguments', []))}")
PY
)
  if [ -n "$errors" ]; then
    echo "INVALID $f"
    echo "$errors"
    failed=1
  else
    echo "valid   $f"
  fi
done
exit "$failed"
