#!/usr/bin/env bash
# Bundle the function's server entry point into one ESM file with only the code it imports,
# so the runtime image carries a few MB instead of the SDK's whole dependency tree.
#
# Usage: scripts/bundle.sh [OUT]        (default OUT: _build/app/main.mjs)
#
# The banner gives the bundle a `require`: @grpc/grpc-js and pino are CommonJS and call it for
# Node built-ins, which an ESM bundle has no `require` for otherwise.
#
# --minify-whitespace and --minify-syntax: Node reads, decodes, hashes and parses every byte of
# the file before running a line of it; a third less text cut about 20 ms of a ~200 ms start
# (Node 24, bench/cold-start.ts). Identifiers are not renamed, so class and function names, and
# with them error types in the log (pino's `err.type`), stay what the sources say.
#
# ASYA_BUNDLED=true tells the worker pool (function/server/worker-pool.ts) that this one file is
# also its worker module (main.ts serves calls when started as a pool worker).
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-_build/app/main.mjs}"
entry=function/server/main.ts
mkdir -p "$(dirname "${out}")"
npx --no-install esbuild "${entry}" --bundle --platform=node --format=esm --target=node20 \
  --legal-comments=none --log-level=warning --define:ASYA_BUNDLED=true --minify-whitespace --minify-syntax \
  --banner:js="import { createRequire as __asyaCreateRequire } from 'node:module'; const require = __asyaCreateRequire(import.meta.url);" \
  --outfile="${out}"
printf '%s\n' "${out}"
