#!/usr/bin/env bash
# Interleaved before/after of bench/handler-profile.ts on two trees, several repetitions.
#   bench/handler-compare.sh <baseline-worktree> [reps] [mounts] [handler-profile args...]
# Both trees are built with tsc (no tsx __name helpers); RUNNER=tsx runs the sources under tsx
# instead, as `npm run bench` does. The baseline tree gets this tree's bench/handler-profile.ts
# copied in (it may predate it).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
base=$(cd "$1" && pwd); reps=${2:-5}; mounts=${3:-8}; shift $(( $# < 3 ? $# : 3 ))
runner=${RUNNER:-tsc}
build() { # tree outdir
  cp "$here/bench/handler-profile.ts" "$1/bench/handler-profile.ts" 2>/dev/null || true
  [ "$runner" = tsx ] && return
  (cd "$1" && npx tsc -p tsconfig.json --noEmit false --sourceMap false --outDir "$2" >/dev/null)
  [ -f "$2/package.json" ] || echo '{"type":"module"}' > "$2/package.json"
}
run() { # tree
  if [ "$runner" = tsx ]; then (cd "$1" && npx tsx bench/handler-profile.ts "$mounts" "${@:2}"); else (cd "$1" && node .scratch-bench/bench/handler-profile.js "$mounts" "${@:2}"); fi
}
build "$base" "$base/.scratch-bench"; build "$here" "$here/.scratch-bench"
for i in $(seq "$reps"); do
  echo "before $(run "$base" "$base" "$@")"
  echo "after  $(run "$here" "$here" "$@")"
done
