#!/usr/bin/env bash
# Noise on real histories: runs `cargo palisade secrets` (full history, default confidence) on
# each repository given and prints, per repository, blobs scanned, findings and failing findings
# (default policy), findings per 10,000 blobs, the count by rule, and a sample of findings to
# triage (rule, path:line, the redacted code frame: never a secret).
#
# Usage: scripts/secret-noise.sh REPO [REPO...]
#   e.g. scripts/secret-noise.sh . /path/to/cargo.git /path/to/caddy.git
#   SAMPLE=N findings shown per repository (default 15); PALISADE=binary (default: release build)
#   PALISADE_ARGS extra arguments (e.g. `--min-confidence low`).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || { sed -n 2,10p "$0" >&2; exit 2; }
if [ -z "${PALISADE:-}" ]; then
  cargo build --release --quiet
  PALISADE=target/release/cargo-palisade
fi
for repo in "$@"; do
  report=$(mktemp)
  set +e
  # shellcheck disable=SC2086
  "$PALISADE" secrets "$repo" --format json --output "$report" ${PALISADE_ARGS:-} >/dev/null 2>&1
  code=$?
  set -e
  if [ "$code" -gt 1 ]; then
    echo "$repo: palisade exited $code" >&2
    continue
  fi
  python3 - "$repo" "$report" "${SAMPLE:-15}" <<'PY'
import collections, json, random, sys
repo, report, sample = sys.argv[1], sys.argv[2], int(sys.argv[3])
doc = json.load(open(report))
s = doc["secrets"]
found = [f for f in doc["findings"] if f["rule"].startswith("secret.")]
failing = [f for f in found if f["status"] == "failing"]
blobs = max(s["blobs_scanned"], 1)
print(f"== {repo}: {s['blobs_scanned']} blobs scanned of {s['blobs']}, {s['commits']} commits")
print(f"   {len(found)} findings ({len(found) * 10000 / blobs:.1f} per 10k blobs), "
      f"{len(failing)} failing, {s['placeholders_skipped']} placeholders skipped")
for rule, n in collections.Counter(f["rule"] for f in found).most_common():
    print(f"   {n:5}  {rule}")
random.seed(1)
for f in random.sample(found, min(sample, len(found))):
    ev = f["evidence"]
    print(f"   - {f['rule']} [{ev.get('confidence')}] {ev.get('path')}:{ev.get('line')}  | {(ev.get('snippet') or '')[:140]}")
PY
  rm -f "$report"
done
