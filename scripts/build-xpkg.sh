#!/usr/bin/env bash
# Build the function's Crossplane package for one architecture, with its runtime image embedded.
#
# Usage: scripts/build-xpkg.sh amd64|arm64     (needs _build/image/runtime-<arch>.tar)
#   -> _build/xpkg/function-asya-state-proxy-<arch>.xpkg
#
# Environment: CRANK, the crossplane CLI (default: scripts/install-crossplane-cli.sh builds it).
set -euo pipefail
cd "$(dirname "$0")/.."

arch="${1:?usage: scripts/build-xpkg.sh amd64|arm64}"
image="_build/image/runtime-${arch}.tar"
out="_build/xpkg/function-asya-state-proxy-${arch}.xpkg"
[[ -f "${image}" ]] || { echo "build-xpkg: ${image} is missing (scripts/build-image.sh ${arch})" >&2; exit 2; }
CRANK="${CRANK:-$(scripts/install-crossplane-cli.sh)}"
mkdir -p _build/xpkg
# The examples layer is what `crossplane beta trace`/marketplaces show users; functions.yaml
# (a Development-runtime Function for local renders) would mislead there, so it stays out.
examples="$(mktemp -d "${TMPDIR:-/tmp}/asya-xpkg-examples.XXXXXX")"
trap 'rm -rf "${examples}"' EXIT
find examples -maxdepth 1 -name '*.yaml' ! -name functions.yaml -exec cp {} "${examples}/" \;
"${CRANK}" xpkg build --package-root=package --examples-root="${examples}" \
  --embed-runtime-image-tarball="${image}" -o "${out}" >&2
printf '%s\n' "${out}"
