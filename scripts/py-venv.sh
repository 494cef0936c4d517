#!/usr/bin/env bash
# Prints the path of the Python virtualenv the test scripts share (target/py-venv), creating
# it with pre-commit (which brings PyYAML) from PyPI the first time.
set -euo pipefail
venv="$(cd "$(dirname "$0")/.." && pwd)/target/py-venv"
if [ ! -x "$venv/bin/pre-commit" ]; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet pre-commit >&2
fi
echo "$venv"
