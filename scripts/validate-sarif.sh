#!/usr/bin/env bash
# Validates SARIF files with Microsoft's SARIF Multitool, under both its default (SARIF spec)
# rules and GitHub's ingestion rules (`--rule-kind Gh`), and fails on any error-level result.
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
  errors=""
  for kind in Sarif Gh; do
    log="$out/$(basename "$f").$kind.validation.sarif"
    multitool validate "$f" --rule-kind "$kind" --output "$log" --log ForceOverwrite >"$out/console.txt" 2>&1 || {
      echo "validate-sarif: the Multitool could not run on $f:" >&2
      cat "$out/console.txt" >&2
      exit 2
    }
    errors+=$(python3 - "$log" "$kind" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
for run in log.get("runs", []):
    rules = {r["id"]: r for r in run.get("tool", {}).get("driver", {}).get("rules", [])}
    for r in run.get("results", []):
        if r.get("level", "warning") != "error":
            continue
        message = r.get("message", {})
        template = rules.get(r.get("ruleId"), {}).get("messageStrings", {}).get(message.get("id", ""), {}).get("text", "")
        arguments = message.get("arguments", [])
        try:
            text = message.get("text") or template.format(*arguments)
        except (IndexError, KeyError):
            text = ", ".join(arguments)
        print(f"  [{sys.argv[2]}] {r.get('ruleId')}: {text}")
PY
)$'\n'
  done
  errors=${errors%%$'\n'}
  errors=${errors##$'\n'}
  if [ -n "$errors" ]; then
    echo "INVALID $f"
    echo "$errors"
    failed=1
  else
    echo "valid   $f"
  fi
done
exit "$failed"
