#!/usr/bin/env bash
# Interleaved before/after of bench/handler-profile.ts, both trees built with tsc (no tsx helpers).
#   bench/handler-compare.sh <baseline-worktree> [reps] [mounts]
# The baseline tree gets this tree's bench/handler-profile.ts copied in (it may predate it).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
base=$(cd "$1" && pwd); reps=${2:-5}; mounts=${3:-8}
build() { # tree outdir
  cp "$here/bench/handler-profile.ts" "$1/bench/handler-profile.ts" 2>/dev/null || true
  (cd "$1" && npx tsc -p tsconfig.json --noEmit false --sourceMap false --outDir "$2" >/dev/null)
  [ -f "$2/package.json" ] || echo '{"type":"module"}' > "$2/package.json"
}
build "$base" "$base/.scratch-bench"; build "$here" "$here/.scratch-bench"
for i in $(seq "$reps"); do
  echo "before $(cd "$base" && node .scratch-bench/bench/handler-profile.js "$mounts")"
  echo "after  $(cd "$here" && node .scratch-bench/bench/handler-profile.js "$mounts")"
done
