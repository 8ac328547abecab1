#!/usr/bin/env bash
# `npm run package`: the bundle, both runtime images, both function packages and the
# Configuration package, without Docker. Prints each stage's time and the sha256 of each output.
#
# Usage: scripts/package.sh [amd64|arm64 ...]    (default: amd64 arm64)
#   -> _build/app/main.mjs, _build/image/runtime-<arch>.tar,
#      _build/xpkg/function-asya-state-proxy-<arch>.xpkg, _build/xpkg/configuration-asya-state-proxy.xpkg
set -euo pipefail
cd "$(dirname "$0")/.."

archs=("$@")
[[ ${#archs[@]} -gt 0 ]] || archs=(amd64 arm64)
SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}"
CRANK="${CRANK:-$(scripts/install-crossplane-cli.sh)}"
export SOURCE_DATE_EPOCH CRANK

stage() {
  local name=$1; shift
  local t0=$SECONDS
  "$@" >/dev/null
  echo "package: ${name} took $((SECONDS - t0))s" >&2
}
stage bundle scripts/bundle.sh
for arch in "${archs[@]}"; do
  stage "image ${arch}" scripts/build-image.sh "${arch}"
  stage "xpkg ${arch}" scripts/build-xpkg.sh "${arch}"
done
stage configuration scripts/build-configuration.sh
(cd _build && sha256sum app/main.mjs image/*.tar xpkg/*.xpkg && du -h image/*.tar xpkg/*.xpkg) >&2
