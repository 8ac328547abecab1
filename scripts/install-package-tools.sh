#!/usr/bin/env bash
# Install what `npm run package` and its smoke test need and this machine lacks: mmdebstrap,
# runc, jq and (for the arm64 smoke test) qemu-user-static, from Debian. Needs root; does
# nothing when everything is present.
#
# Usage: scripts/install-package-tools.sh
set -euo pipefail

need=()
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
command -v runc >/dev/null || need+=(runc)
command -v jq >/dev/null || need+=(jq)
command -v qemu-aarch64-static >/dev/null || need+=(qemu-user-static)
if [[ ${#need[@]} -eq 0 ]]; then
  echo "install-package-tools: mmdebstrap, runc, jq and qemu-user-static are present" >&2
  exit 0
fi
[[ "$(id -u)" == 0 ]] || { echo "install-package-tools: need root to apt-get install ${need[*]}" >&2; exit 2; }
echo "install-package-tools: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
