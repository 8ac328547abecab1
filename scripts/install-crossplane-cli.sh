#!/usr/bin/env bash
# Install the Crossplane CLI (`crank`, the `crossplane` command) without Docker,
# by building it from source through the Go module proxy, into a per-version cache.
#
# Usage:
#   CRANK=$(scripts/install-crossplane-cli.sh)     # progress on stderr, path on stdout
#   "$CRANK" version --client                       # -> Client Version: <pinned version>
#
# Environment:
#   CROSSPLANE_VERSION    version to install (default: the pin below)
#   CROSSPLANE_CLI_CACHE  cache root (default: ${XDG_CACHE_HOME:-$HOME/.cache}/asya-state-proxy)
#
# Layout under the cache root:
#   crossplane-<version>/bin/crank
#   crossplane-<version>/validate-cache/xpkg.crossplane.io/crossplane/crossplane@<version>/  (empty)
#
# Why the version is v2.2.1: the Go module proxy refuses (403) crossplane v2.2.2 to v2.2.4;
# v2.2.1 is the newest v2.2.x it serves. The whole v2.2 line renders against functions
# started in Development mode without Docker.
#
# Why a throw-away module instead of `go install <pkg>@<version>`: that form looks up
# the module's deprecation notice through the proxy's version list (`@v/list`), which the
# proxy also refuses with 403, so it fails. `go get` in a scratch module plus
# `go install -mod=mod` skips that lookup. The build uses the same dependency versions
# as crossplane's own go.mod. A cold build (empty Go caches) takes about 2.5 minutes on
# 2 cores and uses about 2.8 GiB of Go module and build cache.
#
# `crank beta validate`, offline. It loads Crossplane's built-in CRDs from
# <cache-dir>/<image with ':' replaced by '@'> and only downloads them when that folder
# is missing. This script creates that folder, empty, so the following flags never reach
# the network (<cache-dir> must be an absolute path):
#   CRANK=$(scripts/install-crossplane-cli.sh)
#   "$CRANK" beta validate <xrd-or-crds> <resources> \
#     --cache-dir "$(dirname "$(dirname "$CRANK")")/validate-cache" \
#     --crossplane-image "xpkg.crossplane.io/crossplane/crossplane:<version>"
# (Without --crossplane-image the CLI uses its own stamped version, so the tag has to match
# the folder name.) Add --error-on-missing-schemas to fail when a resource has no schema.
# To validate render output, pipe `crank render -x ...` into `beta validate <xrd> -`: an XR
# without `spec` (render without -x) fails with `spec: Required value`.
set -euo pipefail

CROSSPLANE_VERSION="${CROSSPLANE_VERSION:-v2.2.1}"

readonly MODULE="github.com/crossplane/crossplane/v2"
readonly PKG="${MODULE}/cmd/crank"
readonly VERSION_VAR="${MODULE}/internal/version.version"

log() { printf 'install-crossplane-cli: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

case "${CROSSPLANE_VERSION}" in
  v[0-9]*.[0-9]*.[0-9]*) ;;
  *) die "CROSSPLANE_VERSION must look like vX.Y.Z, got '${CROSSPLANE_VERSION}'" ;;
esac

cache_root="${CROSSPLANE_CLI_CACHE:-${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}/asya-state-proxy}"
mkdir -p "${cache_root}"
cache_root="$(cd "${cache_root}" && pwd -P)" # absolute path; callers may cd anywhere
version_dir="${cache_root}/crossplane-${CROSSPLANE_VERSION}"
bin_dir="${version_dir}/bin"
crank="${bin_dir}/crank"
validate_cache="${version_dir}/validate-cache"

# The empty folder `crank beta validate` treats as a cached Crossplane package.
mkdir -p "${bin_dir}" "${validate_cache}/xpkg.crossplane.io/crossplane/crossplane@${CROSSPLANE_VERSION}"

have_pinned() {
  [[ -x "${crank}" ]] || return 1
  local out
  out="$("${crank}" version --client 2>/dev/null)" || return 1
  [[ "${out}" == "Client Version: ${CROSSPLANE_VERSION}" ]]
}

if have_pinned; then
  log "reusing ${crank} (${CROSSPLANE_VERSION})"
  printf '%s\n' "${crank}"
  exit 0
fi

# Several callers (parallel test workers) may start at once: build only once.
if command -v flock >/dev/null 2>&1; then
  exec 9>"${version_dir}/.install.lock"
  flock 9
  if have_pinned; then
    log "reusing ${crank} (${CROSSPLANE_VERSION}, built by a concurrent run)"
    printf '%s\n' "${crank}"
    exit 0
  fi
fi

go_bin="$(command -v go || true)"
if [[ -z "${go_bin}" && -x /usr/local/go/bin/go ]]; then
  go_bin=/usr/local/go/bin/go
fi
[[ -n "${go_bin}" ]] || die "Go is required to build the Crossplane CLI (crossplane ${CROSSPLANE_VERSION} needs Go >= 1.25)"

work="$(mktemp -d "${TMPDIR:-/tmp}/crank-build.XXXXXX")"
trap 'rm -rf "${work}"' EXIT

log "building crank ${CROSSPLANE_VERSION} with $("${go_bin}" version) (a few minutes when cold)"
start=${SECONDS}
# (`set -e` does not apply inside a subshell tested with `||`, hence the explicit exits.)
(
  cd "${work}" || exit 1
  export GOWORK=off GO111MODULE=on GOBIN="${work}/bin"
  "${go_bin}" mod init crank-build >/dev/null 2>&1 || exit 1
  "${go_bin}" get "${MODULE}@${CROSSPLANE_VERSION}" >&2 || exit 1
  "${go_bin}" install -mod=mod -trimpath \
    -ldflags "-s -w -X ${VERSION_VAR}=${CROSSPLANE_VERSION}" "${PKG}" >&2 || exit 1
) || die "building ${PKG}@${CROSSPLANE_VERSION} failed (is the version served by the Go module proxy?)"

# Move into place atomically so a concurrent reader never sees a half-written binary.
mv -f "${work}/bin/crank" "${crank}.tmp.$$"
mv -f "${crank}.tmp.$$" "${crank}"

have_pinned || die "${crank} does not report Client Version ${CROSSPLANE_VERSION}"
log "installed ${crank} in $((SECONDS - start))s"
printf '%s\n' "${crank}"
