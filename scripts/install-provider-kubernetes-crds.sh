#!/usr/bin/env bash
# Fetch provider-kubernetes' CRDs (its Object, cluster-scoped kubernetes.crossplane.io and
# namespaced kubernetes.m.crossplane.io) from the Go module proxy into a per-version cache
# outside the checkout. The e2e suite applies them so a wrapped upstream chain's Object is
# admitted and stored by the real API server; the provider itself never runs there, so nothing
# reconciles an Object into a Deployment.
#
# Usage:
#   CRDS=$(scripts/install-provider-kubernetes-crds.sh)   # dir of CRD YAMLs on stdout
#
# Environment:
#   PROVIDER_KUBERNETES_VERSION  module version (default: the pin below)
#   ASYA_CONTROL_PLANE_CACHE     cache root (default: ${XDG_CACHE_HOME:-$HOME/.cache}/asya-state-proxy)
set -euo pipefail

readonly VERSION="${PROVIDER_KUBERNETES_VERSION:-v1.0.0}"
readonly MODULE=github.com/crossplane-contrib/provider-kubernetes

log() { printf 'install-provider-kubernetes-crds: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

cache_root="${ASYA_CONTROL_PLANE_CACHE:-${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}/asya-state-proxy}"
out="${cache_root}/provider-kubernetes-${VERSION}/crds"
if [[ -f "${out}/kubernetes.m.crossplane.io_objects.yaml" ]]; then
  printf '%s\n' "${out}"
  exit 0
fi
mkdir -p "${cache_root}/provider-kubernetes-${VERSION}"
exec 9>"${cache_root}/provider-kubernetes-${VERSION}/.install.lock"
flock 9
if [[ -f "${out}/kubernetes.m.crossplane.io_objects.yaml" ]]; then
  printf '%s\n' "${out}"
  exit 0
fi

go_bin="$(command -v go || true)"
[[ -z "${go_bin}" && -x /usr/local/go/bin/go ]] && go_bin=/usr/local/go/bin/go
[[ -n "${go_bin}" ]] || die "Go is required to fetch ${MODULE}@${VERSION}"
work="$(mktemp -d "${TMPDIR:-/tmp}/provider-kubernetes.XXXXXX")"
trap 'rm -rf "${work}"' EXIT
# `go mod download` needs a module to run in; it prints where the module source landed.
src="$(cd "${work}" && GOWORK=off GOFLAGS=-mod=mod "${go_bin}" mod download -json "${MODULE}@${VERSION}" \
  | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')" || die "go mod download ${MODULE}@${VERSION} failed"
[[ -d "${src}/package/crds" ]] || die "no package/crds in ${MODULE}@${VERSION} (${src})"
rm -rf "${out}.tmp.$$" && cp -r "${src}/package/crds" "${out}.tmp.$$" && chmod -R u+w "${out}.tmp.$$"
mv "${out}.tmp.$$" "${out}"
log "${MODULE}@${VERSION} CRDs in ${out}"
printf '%s\n' "${out}"
