#!/usr/bin/env bash
# Benchmark (not a test): Palisade on hostile inputs, where a super-linear step shows up as
# seconds and gigabytes. Builds the inputs in a temp dir (scripts/gen-hostile.py, fixed seeds)
# and times each binary on each with `/usr/bin/time -f '%e %M'`: wall seconds, peak RSS.
#
#   dsn-20k, dsn-60k   `secrets` on a git repository whose one blob holds 20k / 60k distinct
#                      `postgres://user:<random>@host/db` lines (one finding per line)
#   gate-dsn-60k       `gate --format json --format sarif` on the 60k repository: policy and
#                      report writers over 60k findings
#   ignores-2k … 200k  `config check` on a palisade.toml of 2k/8k/32k/200k [[advisories.ignore]]
#   sarif-200k         `gate --import-sarif` on a 200k-result SARIF log (2k rules)
#
# Usage: [BEFORE=path] [AFTER=path] [TIMEOUT=s] scripts/bench-hostile.sh [LABEL=PATH ...]
#   Binaries come from the arguments (LABEL=PATH, or a bare PATH labelled by position), else
#   from BEFORE (optional) and AFTER (default target/release/cargo-palisade, built if absent),
#   so one run shows before and after side by side. A run over TIMEOUT seconds (default 300)
#   is killed and shown as `timeout`. Exit codes are shown: 0/1 are answers, 2 is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
timeout_s=${TIMEOUT:-300}

labels=()
bins=()
if [ $# -gt 0 ]; then
  n=0
  for arg in "$@"; do
    n=$((n + 1))
    case "$arg" in
      *=*) labels+=("${arg%%=*}"); bins+=("${arg#*=}") ;;
      *) labels+=("bin$n"); bins+=("$arg") ;;
    esac
  done
else
  if [ -n "${BEFORE:-}" ]; then labels+=(before); bins+=("$BEFORE"); fi
  after=${AFTER:-target/release/cargo-palisade}
  if [ "$after" = target/release/cargo-palisade ] && [ ! -x "$after" ]; then
    cargo build --release --quiet
  fi
  labels+=(after); bins+=("$after")
fi
for i in "${!bins[@]}"; do
  [ -x "${bins[$i]}" ] || { echo "no executable at ${bins[$i]}" >&2; exit 2; }
  bins[$i]=$(cd "$(dirname "${bins[$i]}")" && pwd)/$(basename "${bins[$i]}")
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gen() { python3 "$root/scripts/gen-hostile.py" "$@"; }
git_q() { git -c user.name=bench -c user.email=bench@example.invalid -c commit.gpgsign=false "$@" >/dev/null; }

# (a) one repository per size, one blob each.
for n in 20000 60000; do
  repo="$work/dsn-$n"
  mkdir -p "$repo"
  git_q -C "$repo" init -q
  gen dsn "$n" > "$repo/settings.env"
  git_q -C "$repo" add settings.env
  git_q -C "$repo" commit -q -m "settings"
done
# (b) configs.
for n in 2000 8000 32000 200000; do
  gen ignores "$n" > "$work/ignores-$n.toml"
done
# (c) an imported SARIF log, in a folder that is no git repository (only the import runs).
mkdir -p "$work/sarif"
gen sarif 200000 > "$work/sarif/hostile.sarif"

cases=(dsn-20k dsn-60k gate-dsn-60k ignores-2k ignores-8k ignores-32k ignores-200k sarif-200k)
# Prints the working directory, then the arguments, of a case (one per line).
case_args() {
  case "$1" in
    dsn-20k) printf '%s\n' "$work/dsn-20000" secrets . ;;
    dsn-60k) printf '%s\n' "$work/dsn-60000" secrets . ;;
    gate-dsn-60k) printf '%s\n' "$work/dsn-60000" gate --format json --output "$work/out.json" --format sarif --output "$work/out.sarif" ;;
    ignores-*)
      local n=${1#ignores-}
      n=${n%k}000
      printf '%s\n' "$work" config check --config "$work/ignores-$n.toml" ;;
    sarif-200k) printf '%s\n' "$work/sarif" gate --import-sarif hostile.sarif --format json --output "$work/out.json" ;;
  esac
}

# Wall seconds, peak RSS in MB and exit code of one run, as "s MB code".
measure() {
  local bin=$1 name=$2 dir args
  mapfile -t args < <(case_args "$name")
  dir=${args[0]}
  args=("${args[@]:1}")
  local code=0
  (cd "$dir" && NO_COLOR=1 timeout "$timeout_s" /usr/bin/time -f '%e %M' -o "$work/time" \
    "$bin" palisade "${args[@]}" >/dev/null 2>"$work/stderr") || code=$?
  if [ "$code" = 124 ]; then
    echo "timeout - -"
  elif [ "$code" -gt 2 ]; then
    echo "crash($code) - -"
  else
    read -r secs kb < <(tail -n 1 "$work/time")
    echo "$secs $((kb / 1024)) $code"
  fi
}

echo "hostile inputs in $work; $(nproc) cores; timeout ${timeout_s}s"
printf '%-14s' case
for l in "${labels[@]}"; do printf ' | %-24s' "$l: wall s, RSS MB, exit"; done
echo
for name in "${cases[@]}"; do
  printf '%-14s' "$name"
  for b in "${bins[@]}"; do
    read -r secs mb code < <(measure "$b" "$name")
    printf ' | %8s %8s %6s' "$secs" "$mb" "$code"
  done
  echo
done
