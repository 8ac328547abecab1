#!/usr/bin/env bash
# Build a real, Docker-free control plane for the e2e suite from the Go module proxy, into a
# per-version cache outside the checkout: etcd, kube-apiserver, kube-controller-manager
# (garbage collection on delete), Crossplane core, Crossplane's CRDs, and the e2e's in-memory
# OCI registry (test/e2e/registry/main.go). Reused when present; flock'd so parallel callers
# build once.
#
# Usage:
#   BIN=$(scripts/install-control-plane.sh)   # bin dir on stdout; progress and times on stderr
#   "$BIN"/kube-apiserver --version            # -> Kubernetes v1.36.3
#   ls "$BIN"/../crds                          # Crossplane's CRDs (cluster/crds of the module)
#
# Environment:
#   ASYA_CONTROL_PLANE_CACHE  cache root (default: ${XDG_CACHE_HOME:-$HOME/.cache}/asya-state-proxy)
#
# Versions and build tricks: ../shared/reference/real-control-plane.md. In short: the proxy
# refuses @v/list, so each piece is built in a throw-away module (`go get` + `go install
# -mod=mod`); k8s.io/kubernetes needs every staging module replaced by its published v0.x;
# versions are stamped so `kubectl version` and Crossplane's package constraints work.
# A cold build takes about 10 minutes on 2 cores (several GiB of Go caches).
set -euo pipefail

readonly ETCD_VERSION=v3.6.16
readonly KUBE_VERSION=v1.36.3
readonly KUBE_STAGING_VERSION=v0.36.3
readonly CROSSPLANE_VERSION=v2.3.3

log() { printf 'install-control-plane: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

repo_root="$(cd "$(dirname "$0")/.." && pwd -P)"
registry_src="${repo_root}/test/e2e/registry/main.go"
[[ -f "${registry_src}" ]] || die "missing ${registry_src}"
# The registry helper is part of the checkout: key its binary by its source hash.
registry_hash="$(sha256sum "${registry_src}" | cut -c1-12)"

cache_root="${ASYA_CONTROL_PLANE_CACHE:-${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}/asya-state-proxy}"
mkdir -p "${cache_root}"
cache_root="$(cd "${cache_root}" && pwd -P)"
version_dir="${cache_root}/control-plane-etcd-${ETCD_VERSION}-kube-${KUBE_VERSION}-crossplane-${CROSSPLANE_VERSION}"
bin_dir="${version_dir}/bin"
crd_dir="${version_dir}/crds"
mkdir -p "${bin_dir}"

binaries=(etcd kube-apiserver kube-controller-manager crossplane "registry-${registry_hash}")
have_all() {
  local b
  for b in "${binaries[@]}"; do [[ -x "${bin_dir}/${b}" ]] || return 1; done
  [[ -d "${crd_dir}" ]]
}

if have_all; then
  log "reusing ${bin_dir}"
  printf '%s\n' "${bin_dir}"
  exit 0
fi

exec 9>"${version_dir}/.install.lock"
flock 9
if have_all; then
  log "reusing ${bin_dir} (built by a concurrent run)"
  printf '%s\n' "${bin_dir}"
  exit 0
fi

go_bin="$(command -v go || true)"
[[ -z "${go_bin}" && -x /usr/local/go/bin/go ]] && go_bin=/usr/local/go/bin/go
[[ -n "${go_bin}" ]] || die "Go (>= 1.25) is required to build the control plane"
export GOWORK=off GO111MODULE=on GOFLAGS=-mod=mod
modcache="$("${go_bin}" env GOMODCACHE)"

work="$(mktemp -d "${TMPDIR:-/tmp}/control-plane-build.XXXXXX")"
trap 'rm -rf "${work}"' EXIT

# install NAME: moves ${work}/bin/NAME into the cache atomically (readers never see half a file).
install_bin() {
  local src=$1 dst=$2
  mv -f "${src}" "${bin_dir}/${dst}.tmp.$$"
  mv -f "${bin_dir}/${dst}.tmp.$$" "${bin_dir}/${dst}"
}

scratch() { # scratch DIR: a fresh throw-away module
  mkdir -p "$1" && (cd "$1" && "${go_bin}" mod init "$(basename "$1")" >/dev/null 2>&1)
}

build_etcd() {
  [[ -x "${bin_dir}/etcd" ]] && return 0
  local t0=${SECONDS} d="${work}/etcd"
  scratch "${d}"
  (cd "${d}" && "${go_bin}" get "go.etcd.io/etcd/server/v3@${ETCD_VERSION}" >&2 \
    && "${go_bin}" build -trimpath -ldflags "-s -w" -o "${work}/etcd.bin" go.etcd.io/etcd/server/v3 >&2) \
    || die "building etcd ${ETCD_VERSION} failed"
  install_bin "${work}/etcd.bin" etcd
  log "etcd ${ETCD_VERSION} built in $((SECONDS - t0))s"
}

build_kube() {
  [[ -x "${bin_dir}/kube-apiserver" && -x "${bin_dir}/kube-controller-manager" ]] && return 0
  local t0=${SECONDS} d="${work}/kube" mod
  scratch "${d}"
  (cd "${d}" && "${go_bin}" mod download "k8s.io/kubernetes@${KUBE_VERSION}" >&2) || true
  mod="${modcache}/cache/download/k8s.io/kubernetes/@v/${KUBE_VERSION}.mod"
  [[ -f "${mod}" ]] || die "could not fetch k8s.io/kubernetes@${KUBE_VERSION}'s go.mod"
  # Each `k8s.io/X => ./staging/...` of kubernetes' go.mod becomes `k8s.io/X => k8s.io/X v0.N.M`.
  local staging
  staging="$(sed -n 's#^[[:space:]]*\(k8s\.io/[^[:space:]]*\)[[:space:]]*=>[[:space:]]*\./staging/.*#\1#p' "${mod}")"
  [[ -n "${staging}" ]] || die "no staging replaces found in ${mod}"
  (cd "${d}" \
    && for m in ${staging}; do "${go_bin}" mod edit -replace "${m}=${m}@${KUBE_STAGING_VERSION}"; done \
    && "${go_bin}" get "k8s.io/kubernetes@${KUBE_VERSION}" >&2 \
    && "${go_bin}" build -trimpath -o "${work}/" \
      -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=${KUBE_VERSION} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=36" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager >&2) \
    || die "building kubernetes ${KUBE_VERSION} failed"
  install_bin "${work}/kube-apiserver" kube-apiserver
  install_bin "${work}/kube-controller-manager" kube-controller-manager
  log "kube-apiserver + kube-controller-manager ${KUBE_VERSION} built in $((SECONDS - t0))s"
}

build_crossplane() {
  local t0=${SECONDS} d="${work}/crossplane"
  scratch "${d}"
  # Crossplane's go.mod replaces apis/v2 with ./apis: require both at the same tag. The
  # registry helper builds in the same module: go-containerregistry is a Crossplane dependency.
  mkdir -p "${d}/registry" && cp "${registry_src}" "${d}/registry/main.go"
  (cd "${d}" && "${go_bin}" get "github.com/crossplane/crossplane/v2@${CROSSPLANE_VERSION}" \
      "github.com/crossplane/crossplane/apis/v2@${CROSSPLANE_VERSION}" >&2) \
    || die "fetching crossplane ${CROSSPLANE_VERSION} failed"
  if [[ ! -x "${bin_dir}/crossplane" ]]; then
    # Stamped (crossplane-runtime's version package) so a package's crossplane.version
    # constraint can be checked.
    (cd "${d}" && "${go_bin}" build -trimpath -o "${work}/crossplane.bin" \
      -ldflags "-s -w -X github.com/crossplane/crossplane-runtime/v2/pkg/version.version=${CROSSPLANE_VERSION}" \
      github.com/crossplane/crossplane/v2/cmd/crossplane >&2) \
      || die "building crossplane ${CROSSPLANE_VERSION} failed"
    install_bin "${work}/crossplane.bin" crossplane
  fi
  # No `go mod tidy`: it would drop crossplane; -mod=mod resolves go-containerregistry from
  # the graph crossplane brought in.
  (cd "${d}" && "${go_bin}" build -trimpath -o "${work}/registry.bin" -ldflags "-s -w" ./registry >&2) \
    || die "building the e2e registry helper failed"
  install_bin "${work}/registry.bin" "registry-${registry_hash}"
  if [[ ! -d "${crd_dir}" ]]; then
    local src="${modcache}/github.com/crossplane/crossplane/v2@${CROSSPLANE_VERSION}/cluster/crds"
    [[ -d "${src}" ]] || die "Crossplane CRDs not found at ${src}"
    rm -rf "${crd_dir}.tmp.$$" && cp -r "${src}" "${crd_dir}.tmp.$$" && chmod -R u+w "${crd_dir}.tmp.$$"
    mv "${crd_dir}.tmp.$$" "${crd_dir}"
  fi
  log "crossplane ${CROSSPLANE_VERSION} + registry helper built in $((SECONDS - t0))s"
}

total0=${SECONDS}
log "building into ${bin_dir} with $("${go_bin}" version) (about 10 minutes when cold)"
build_etcd
build_crossplane
build_kube
have_all || die "some binaries are missing from ${bin_dir}"
log "control plane ready in $((SECONDS - total0))s"
printf '%s\n' "${bin_dir}"
