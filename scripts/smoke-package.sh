#!/usr/bin/env bash
# Boot the packaged runtime image with runc, the way a cluster runs it (read-only root, the
# image's non-root user, no capabilities, no new privileges), render every example through it
# with the real `crossplane render`, compare with the reviewed goldens, and stop it with SIGTERM.
#
# Usage: scripts/smoke-package.sh [amd64|arm64 ...]       (default: amd64, then arm64)
#   needs _build/xpkg/function-asya-state-proxy-<arch>.xpkg (npm run package), runc, jq, root.
#   arm64 runs under qemu-aarch64-static (Debian qemu-user-static) and is skipped, with a
#   message, when that is missing; it renders one example (emulation is slow).
# Environment: CRANK (default: scripts/install-crossplane-cli.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd -P)"

archs=("$@")
[[ ${#archs[@]} -gt 0 ]] || archs=(amd64 arm64)
CRANK="${CRANK:-$(scripts/install-crossplane-cli.sh)}"
for tool in runc jq node; do
  command -v "${tool}" >/dev/null || { echo "smoke: ${tool} is required (scripts/install-package-tools.sh)" >&2; exit 2; }
done
[[ "$(id -u)" == 0 ]] || { echo "smoke: runc needs root here" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/asya-smoke.XXXXXX")"
container=""
cleanup() {
  if [[ -n "${container}" ]]; then
    runc kill "${container}" KILL >/dev/null 2>&1 || true
    runc delete --force "${container}" >/dev/null 2>&1 || true
  fi
  rm -rf "${work}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
ms() { date +%s%3N; }

# The .xpkg is a docker-archive: its first manifest entry is the runtime image.
unpack() { # xpkg dir -> fills dir/rootfs, prints the image config file
  local xpkg=$1 dir=$2 cfg
  mkdir -p "${dir}/image" "${dir}/rootfs"
  tar -xf "${xpkg}" -C "${dir}/image"
  cfg="${dir}/image/$(jq -r '.[0].Config' "${dir}/image/manifest.json" | sed 's/^sha256://')"
  [[ -f "${cfg}" ]] || cfg="${dir}/image/$(jq -r '.[0].Config' "${dir}/image/manifest.json")"
  while read -r layer; do
    tar -xzf "${dir}/image/${layer}" -C "${dir}/rootfs" 2>/dev/null || tar -xf "${dir}/image/${layer}" -C "${dir}/rootfs"
  done < <(jq -r '.[0].Layers[]' "${dir}/image/manifest.json")
  printf '%s\n' "${cfg}"
}

smoke() {
  local arch=$1 xpkg="_build/xpkg/function-asya-state-proxy-${arch}.xpkg" dir="${work}/${arch}" cfg port prefix='[]'
  [[ -f "${xpkg}" ]] || { echo "smoke: ${xpkg} is missing (npm run package)" >&2; return 2; }
  if [[ "${arch}" == arm64 && "$(uname -m)" != aarch64 ]]; then
    local qemu; qemu="$(command -v qemu-aarch64-static || true)"
    [[ -n "${qemu}" ]] || { echo "smoke: arm64 skipped: qemu-aarch64-static is not installed (apt-get install qemu-user-static)"; return 0; }
  fi
  cfg="$(unpack "${xpkg}" "${dir}")"
  if [[ "${arch}" == arm64 && "$(uname -m)" != aarch64 ]]; then
    # A test copy of the rootfs only: the image itself never carries the emulator.
    install -D -m 0755 "${qemu}" "${dir}/rootfs/usr/bin/qemu-aarch64-static"
    prefix='["/usr/bin/qemu-aarch64-static"]'
  fi
  port="$(free_port)"
  (cd "${dir}" && runc spec --rootless >/dev/null 2>&1 || runc spec >/dev/null)
  jq --slurpfile img "${cfg}" --argjson prefix "${prefix}" --arg addr "127.0.0.1:${port}" '
    ($img[0].config) as $c
    | .process.terminal = false
    | .process.args = $prefix + $c.Entrypoint + ["--insecure", "--address", $addr]
    | .process.cwd = $c.WorkingDir
    | .process.env = $c.Env
    | .process.user = {uid: ($c.User | split(":")[0] | tonumber), gid: ($c.User | split(":")[1] | tonumber)}
    | .process.noNewPrivileges = true
    | .process.capabilities = {bounding: [], effective: [], permitted: [], ambient: []}
    | del(.process.rlimits)
    | .root = {path: "rootfs", readonly: true}
    | .linux.namespaces |= map(select(.type != "network" and .type != "user"))
    | del(.linux.uidMappings, .linux.gidMappings)
  ' "${dir}/config.json" > "${dir}/config.json.new"
  mv "${dir}/config.json.new" "${dir}/config.json"

  container="asya-smoke-${arch}-$$"
  local t0; t0="$(ms)"
  runc run --bundle "${dir}" "${container}" > "${dir}/fn.log" 2>&1 &
  local runc_pid=$!
  for _ in $(seq 1 600); do
    grep -q '"listening"\|listening' "${dir}/fn.log" 2>/dev/null && break
    kill -0 "${runc_pid}" 2>/dev/null || { cat "${dir}/fn.log" >&2; echo "smoke: ${arch}: the container exited before listening" >&2; return 1; }
    sleep 0.1
  done
  grep -q listening "${dir}/fn.log" || { cat "${dir}/fn.log" >&2; echo "smoke: ${arch}: not listening after 60 s" >&2; return 1; }
  echo "smoke: ${arch}: booted (read-only root, uid $(jq -r '.process.user.uid' "${dir}/config.json"), no capabilities) and listening in $(( $(ms) - t0 )) ms"

  sed "s/127.0.0.1:9443/127.0.0.1:${port}/g" examples/functions.yaml > "${dir}/functions.yaml"
  local examples=() failed=0 f name
  for f in examples/*.yaml; do
    [[ "$(basename "${f}")" == functions.yaml ]] && continue
    grep -q '^kind: AsyncActor' "${f}" || grep -q '^kind: XAsyncActor' "${f}" || continue
    examples+=("${f}")
  done
  [[ "${arch}" == arm64 && -n "${prefix#[]}" ]] && examples=("examples/model-weights-s3.yaml")
  for f in "${examples[@]}"; do
    name="$(basename "${f}" .yaml)"
    # An example that names its Composition (spec.crossplane.compositionRef) renders with that one.
    local composition=compositions/asyncactor-state-proxy.yaml ref
    ref="$(sed -n '/compositionRef:/,/name:/p' "${f}" | sed -n 's/^ *name: *//p' | head -n 1)"
    if [[ -n "${ref}" ]]; then
      composition="$(grep -l "^  name: ${ref}\$" compositions/*.yaml | head -n 1)"
      [[ -n "${composition}" ]] || { echo "smoke: ${arch}: ${name}: no Composition named ${ref} in compositions/" >&2; failed=1; continue; }
    fi
    if "${CRANK}" render -r "${f}" "${composition}" "${dir}/functions.yaml" > "${dir}/${name}.out" 2> "${dir}/${name}.err" \
      && diff -u "test/golden/crossplane-render/${name}.yaml" "${dir}/${name}.out" > "${dir}/${name}.diff"; then
      echo "smoke: ${arch}: ${name}: matches test/golden/crossplane-render/${name}.yaml"
    else
      failed=1
      echo "smoke: ${arch}: ${name}: FAILED" >&2
      cat "${dir}/${name}.err" "${dir}/${name}.diff" >&2 2>/dev/null || true
    fi
  done

  t0="$(ms)"
  runc kill "${container}" TERM
  local code=0
  wait "${runc_pid}" || code=$?
  echo "smoke: ${arch}: SIGTERM -> exited with ${code} in $(( $(ms) - t0 )) ms"
  runc delete --force "${container}" >/dev/null 2>&1 || true
  container=""
  [[ "${code}" == 0 ]] || { cat "${dir}/fn.log" >&2; echo "smoke: ${arch}: exit code ${code} after SIGTERM" >&2; failed=1; }
  return "${failed}"
}

status=0
for arch in "${archs[@]}"; do
  smoke "${arch}" || status=1
done
exit "${status}"
