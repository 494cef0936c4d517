#!/usr/bin/env bash
# The GitHub Action's install step: puts the release binary of the action's own commit in
# $HOME/.palisade/bin, its SHA-256 checked against the release's SHA256SUMS, or says why it
# cannot (then the action builds from source). Writes `installed=true|false` to
# $GITHUB_OUTPUT; exit 2 when a release archive fails its checksum (nothing from it is run).
#
# The release of version V (Cargo.toml) is tag vV with assets cargo-palisade-V-<target>.tar.gz,
# SHA256SUMS and COMMIT (the commit it was built from); it is used only when COMMIT is the
# action's commit, so an action pinned to any other commit builds that commit.
#   ACTION_PATH (the action's checkout), ACTION_REF (github.action_ref),
#   ACTION_REPOSITORY (owner/name), RUNNER_OS, RUNNER_ARCH; PALISADE_RELEASE_URL overrides
#   https://github.com/<repository>/releases/download (a mirror, or a test's local server).
set -euo pipefail
say() { echo "Palisade: $*"; }
output() { echo "installed=$1" >> "${GITHUB_OUTPUT:-/dev/null}"; }
no_release() { say "$1; building from source (cargo install, cached)"; output false; exit 0; }

version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$ACTION_PATH/Cargo.toml" | head -n 1)
commit=$(git -C "$ACTION_PATH" rev-parse HEAD 2>/dev/null || true)
case "$ACTION_REF" in
  [0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]*) [ -n "$commit" ] || commit=$ACTION_REF ;;
esac
[ -n "$version" ] || no_release "no version in $ACTION_PATH/Cargo.toml"
[ -n "$commit" ] || no_release "the action's commit is unknown (ref '${ACTION_REF}')"
case "${RUNNER_OS}/${RUNNER_ARCH}" in
  Linux/X64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64) target=aarch64-unknown-linux-musl ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
  *) no_release "no release binary for ${RUNNER_OS}/${RUNNER_ARCH}" ;;
esac
base=${PALISADE_RELEASE_URL:-https://github.com/${ACTION_REPOSITORY}/releases/download}
url="$base/v$version"
archive="cargo-palisade-$version-$target.tar.gz"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fetch() { curl --fail --silent --show-error --location --retry 2 --max-time 120 -o "$tmp/$1" "$url/$1"; }
fetch COMMIT 2>/dev/null || no_release "no release v$version at $url"
released=$(tr -d '[:space:]' < "$tmp/COMMIT")
[ "$released" = "$commit" ] || no_release "release v$version was built from $released, not the action's commit $commit"
fetch SHA256SUMS || no_release "release v$version has no SHA256SUMS"
fetch "$archive" || no_release "release v$version has no $archive"
want=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$tmp/SHA256SUMS")
have=$( (sha256sum "$tmp/$archive" 2>/dev/null || shasum -a 256 "$tmp/$archive") | cut -d' ' -f1)
if [ -z "$want" ] || [ "$want" != "$have" ]; then
  echo "::error title=Palisade::$archive from $url does not match its SHA-256 in SHA256SUMS (want ${want:-none}, got $have): refused, nothing installed"
  exit 2
fi
tar -xzf "$tmp/$archive" -C "$tmp"
mkdir -p "$HOME/.palisade/bin"
install -m 0755 "$tmp/cargo-palisade-$version-$target/cargo-palisade" "$HOME/.palisade/bin/cargo-palisade"
say "installed the release binary v$version ($target, sha256 $have) from $url"
output true
