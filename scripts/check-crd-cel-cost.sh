#!/usr/bin/env bash
# Check the generated CRDs with the API server's own CRD validation, including the static CEL
# cost estimate (a rule over the estimator's budget makes `kubectl apply` of the CRD fail; the
# offline CEL harness of the tests cannot see that).
#
# Usage:
#   scripts/check-crd-cel-cost.sh [CRD.yaml...]   # default: the generated plain CRD and the input CRD
#
# Builds scripts/crd-cel-cost (Go, k8s.io/apiextensions-apiserver, versions pinned in its go.mod)
# once into ${XDG_CACHE_HOME:-$HOME/.cache}/asya-state-proxy/crd-cel-cost-<hash of its sources>/,
# through the Go module proxy. A cold build takes a few minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

src=scripts/crd-cel-cost
command -v go >/dev/null || { echo "check-crd-cel-cost: go not found" >&2; exit 2; }
key=$(cat "$src/main.go" "$src/go.mod" "$src/go.sum" | sha256sum | cut -c1-12)
cache_root="${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}/asya-state-proxy"
bin="$cache_root/crd-cel-cost-$key/bin/crd-cel-cost"

if [[ ! -x $bin ]]; then
  echo "check-crd-cel-cost: building $bin" >&2
  mkdir -p "$(dirname "$bin")"
  tmp="$bin.tmp.$$"
  trap 'rm -f "$tmp"' EXIT
  (cd "$src" && go build -o "$tmp" .)
  mv "$tmp" "$bin"
fi

if [[ $# -eq 0 ]]; then
  set -- crds/asyncactors.asya.sh.crd.yaml package/input/stateproxy.fn.asya.sh_inputs.yaml
fi
"$bin" "$@"
