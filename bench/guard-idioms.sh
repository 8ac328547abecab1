#!/usr/bin/env bash
# Usage: sudo bench/guard-idioms.sh [python]   (root: it needs a private mount namespace)
#
# Measures what the mount guard changes for common Python file idioms: runs bench/guard_idioms.py
# (with its labelled stand-in for the runtime's hooks) in three scenarios, each in its own private
# mount namespace (unshare -m) on a tmpfs scratch root, so the host's filesystem and its real
# /state are never touched:
#   absent   no guard, nothing at the mount path
#   present  no guard, the mount path exists on the container disk
#   guard    a read-only empty directory bound at the mount path (what the guard emptyDir is)
# Prints a Markdown table (call -> outcome per scenario) on stdout. The python must have numpy
# (Debian: apt-get install python3-numpy, then use /usr/bin/python3, the default here).
set -euo pipefail

PYTHON=${1:-/usr/bin/python3}
HERE=$(cd "$(dirname "$0")" && pwd)

if [[ $(id -u) -ne 0 ]]; then echo "guard-idioms: needs root (a private mount namespace)" >&2; exit 2; fi
command -v unshare >/dev/null || { echo "guard-idioms: unshare (util-linux) not found" >&2; exit 2; }
"$PYTHON" -c 'import numpy' 2>/dev/null || { echo "guard-idioms: $PYTHON has no numpy (apt-get install python3-numpy)" >&2; exit 2; }

SCRATCH=$(mktemp -d)
OUT=$(mktemp)
cleanup() { rm -rf "$SCRATCH" "$OUT"; }
trap cleanup EXIT

for scenario in absent present guard; do
  # The tmpfs and the bind mounts exist only in the namespace and go away with it.
  unshare -m --propagation private bash -euo pipefail -c '
    scratch=$1 scenario=$2 python=$3 script=$4
    mount -t tmpfs -o size=16m tmpfs "$scratch"
    if [[ $scenario == guard ]]; then
      mkdir -p "$scratch/state/cache" "$scratch/.guard-volume"
      mount --bind "$scratch/.guard-volume" "$scratch/state/cache"
      mount -o remount,bind,ro "$scratch/state/cache"
    fi
    "$python" "$script" "$scenario" "$scratch"
  ' guard-idioms "$SCRATCH" "$scenario" "$PYTHON" "$HERE/guard_idioms.py" >>"$OUT"
done

"$PYTHON" "$HERE/guard_idioms.py" table <"$OUT"
