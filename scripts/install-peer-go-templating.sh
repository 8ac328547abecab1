#!/usr/bin/env bash
# Build the benchmark peer, the real function-go-templating, from its source snapshot into a
# per-version cache outside the checkout.
#
# Usage:
#   PEER=$(scripts/install-peer-go-templating.sh)   # progress on stderr, binary path on stdout
#   "$PEER" --insecure --address 127.0.0.1:PORT
#
# Exit status: 0 installed (or reused), 3 the source archive is absent (a message says where it
# was looked for; callers treat that as "skip"), 1 any other failure.
#
# Environment:
#   ASYA_PEERS_DIR       folder holding function-go-templating-<version>.tar.gz
#                        (default: ../shared/peers, relative to the repository root)
#   GO_TEMPLATING_VERSION  version of the archive (default: the pin below)
#   ASYA_PEER_CACHE      cache root (default: ${XDG_CACHE_HOME:-$HOME/.cache}/asya-state-proxy)
#
# Layout under the cache root:
#   function-go-templating-<version>/bin/function-go-templating
#
# Why an archive and not `go install`: the Go module proxy reachable here refuses every version
# of github.com/crossplane-contrib/function-go-templating, so its source is kept as a `git archive`
# snapshot of the upstream tag; its dependencies do come from the proxy (about 25 s cold, 2 s warm).
set -euo pipefail

GO_TEMPLATING_VERSION="${GO_TEMPLATING_VERSION:-v0.12.2}"
readonly NAME="function-go-templating"

log() { printf 'install-peer-go-templating: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

case "${GO_TEMPLATING_VERSION}" in
  v[0-9]*.[0-9]*.[0-9]*) ;;
  *) die "GO_TEMPLATING_VERSION must look like vX.Y.Z, got '${GO_TEMPLATING_VERSION}'" ;;
esac

repo_root="$(cd "$(dirname "$0")/.." && pwd -P)"
peers_dir="${ASYA_PEERS_DIR:-${repo_root}/../shared/peers}"
archive="${peers_dir}/${NAME}-${GO_TEMPLATING_VERSION}.tar.gz"

cache_root="${ASYA_PEER_CACHE:-${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}/asya-state-proxy}"
version_dir="${cache_root}/${NAME}-${GO_TEMPLATING_VERSION}"
bin_dir="${version_dir}/bin"
bin="${bin_dir}/${NAME}"

if [[ -x "${bin}" ]]; then
  log "reusing ${bin}"
  printf '%s\n' "${bin}"
  exit 0
fi

if [[ ! -f "${archive}" ]]; then
  log "skipped: ${archive} is absent (set ASYA_PEERS_DIR to the folder holding ${NAME}-${GO_TEMPLATING_VERSION}.tar.gz)"
  exit 3
fi

mkdir -p "${bin_dir}"
# Several callers (parallel test workers, CI and the bench) may start at once: build only once.
if command -v flock >/dev/null 2>&1; then
  exec 9>"${version_dir}/.install.lock"
  flock 9
  if [[ -x "${bin}" ]]; then
    log "reusing ${bin} (built by a concurrent run)"
    printf '%s\n' "${bin}"
    exit 0
  fi
fi

go_bin="$(command -v go || true)"
if [[ -z "${go_bin}" && -x /usr/local/go/bin/go ]]; then
  go_bin=/usr/local/go/bin/go
fi
[[ -n "${go_bin}" ]] || die "Go is required to build ${NAME} ${GO_TEMPLATING_VERSION} from ${archive}"

work="$(mktemp -d "${TMPDIR:-/tmp}/peer-build.XXXXXX")"
trap 'rm -rf "${work}"' EXIT

log "building ${NAME} ${GO_TEMPLATING_VERSION} from ${archive} with $("${go_bin}" version)"
start=${SECONDS}
tar -xzf "${archive}" -C "${work}"
src="${work}/${NAME}-${GO_TEMPLATING_VERSION}"
[[ -f "${src}/go.mod" ]] || die "${archive} does not contain ${NAME}-${GO_TEMPLATING_VERSION}/go.mod"
(
  cd "${src}" || exit 1
  export GOWORK=off GO111MODULE=on CGO_ENABLED=0
  "${go_bin}" build -mod=mod -trimpath -ldflags "-s -w" -o "${work}/${NAME}" . >&2 || exit 1
) || die "go build of ${NAME} ${GO_TEMPLATING_VERSION} failed"

# Move into place atomically so a concurrent reader never sees a half-written binary.
mv -f "${work}/${NAME}" "${bin}.tmp.$$"
mv -f "${bin}.tmp.$$" "${bin}"
log "installed ${bin} in $((SECONDS - start))s"
printf '%s\n' "${bin}"
