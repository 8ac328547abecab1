#!/usr/bin/env bash
# Build the Configuration package (the AsyncActor XRD + Composition, depending on the function).
#
# Usage: scripts/build-configuration.sh    -> _build/xpkg/configuration-asya-state-proxy.xpkg
#
# Environment:
#   FUNCTION_PACKAGE  the function's package repository the Configuration depends on
#                     (default xpkg.crossplane.io/asya/function-asya-state-proxy; an e2e run
#                     serving packages on 127.0.0.1 sets its own)
#   FUNCTION_VERSION  the version constraint (default ">=v<package.json version>")
#   CRANK             the crossplane CLI (default: scripts/install-crossplane-cli.sh builds it)
#
# Crossplane names a Function it installs as a dependency after the package's path without the
# registry ('/' -> '-': xpkg.crossplane.io/asya/function-asya-state-proxy becomes
# asya-function-asya-state-proxy), so the packaged Composition's functionRef is rewritten to
# that name; the Composition in compositions/ keeps the name a hand-installed Function has.
set -euo pipefail
cd "$(dirname "$0")/.."

FUNCTION_PACKAGE="${FUNCTION_PACKAGE:-xpkg.crossplane.io/asya/function-asya-state-proxy}"
FUNCTION_VERSION="${FUNCTION_VERSION:->=v$(jq -r .version package.json)}"
CRANK="${CRANK:-$(scripts/install-crossplane-cli.sh)}"
out=_build/xpkg/configuration-asya-state-proxy.xpkg

# The repository path as go-containerregistry's RepositoryStr() gives it: without the registry
# host (a first segment with '.' or ':' or 'localhost'); a bare name is Docker Hub's library/NAME.
repo_path="${FUNCTION_PACKAGE}"
first="${repo_path%%/*}"
if [[ "${repo_path}" == */* && ( "${first}" == *.* || "${first}" == *:* || "${first}" == localhost ) ]]; then
  repo_path="${repo_path#*/}"
fi
[[ "${repo_path}" == */* ]] || repo_path="library/${repo_path}"
# Crossplane's xpkg.ToDNSLabel: keep [a-z0-9], turn . / : - into '-', drop anything else, read at
# most 63 characters, trim '-' at both ends.
function_name="$(printf '%s' "${repo_path:0:63}" | tr './:' '---' | tr -cd 'a-z0-9-' | sed -e 's/^-*//' -e 's/-*$//')"

root="$(mktemp -d "${TMPDIR:-/tmp}/asya-configuration.XXXXXX")"
trap 'rm -rf "${root}"' EXIT
sed -e "s|\${FUNCTION_PACKAGE}|${FUNCTION_PACKAGE}|" -e "s|\${FUNCTION_VERSION}|${FUNCTION_VERSION}|" \
  package-configuration/crossplane.yaml > "${root}/crossplane.yaml"
cp crds/asyncactors.asya.sh.xrd.yaml "${root}/"
sed -e "s|^\(\s*name:\) function-asya-state-proxy\$|\1 ${function_name}|" \
  compositions/asyncactor-state-proxy.yaml > "${root}/asyncactor-state-proxy.yaml"
grep -q "name: ${function_name}\$" "${root}/asyncactor-state-proxy.yaml" \
  || { echo "build-configuration: functionRef not found in compositions/asyncactor-state-proxy.yaml" >&2; exit 1; }
mkdir -p _build/xpkg
"${CRANK}" xpkg build --package-root="${root}" --examples-root="${root}/no-examples" -o "${out}" >&2
printf '%s\n' "${out}"
