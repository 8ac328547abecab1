#!/usr/bin/env bash
# Bundle the function's server entry point into one ESM file with only the code it imports,
# so the runtime image carries a few MB instead of the SDK's whole dependency tree.
#
# Usage: scripts/bundle.sh [OUT]        (default OUT: _build/app/main.mjs)
#
# The banner gives the bundle a `require`: @grpc/grpc-js and pino are CommonJS and call it for
# Node built-ins, which an ESM bundle has no `require` for otherwise.
#
# Start-up time (issue 16; bench/cold-start.ts measures it): Node reads, decodes, hashes and
# parses every byte of the file before running a line of it, and evaluates every module in it.
# - minifyWhitespace and minifySyntax: a third less text, about 20 ms of a ~200 ms start on
#   Node 24. Identifiers are not renamed, so class and function names, and with them error types
#   in the log (pino's `err.type`), stay what the sources say.
# - zod's `locales` namespace is cut to English: `import { z } from 'zod'` keeps the whole
#   namespace object, so esbuild cannot drop the ~45 other languages, and evaluating them cost
#   about 15 ms. Nothing here reads `z.locales`; zod's own messages use English (classic/schemas.js
#   imports locales/en.js directly), so every message stays the same.
#
# ASYA_BUNDLED=true tells the worker pool (function/server/worker-pool.ts) that this one file is
# also its worker module (main.ts serves calls when started as a pool worker).
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-_build/app/main.mjs}"
entry=function/server/main.ts
mkdir -p "$(dirname "${out}")"
# The esbuild API rather than its CLI, for the plugin; run from the checkout so `esbuild` resolves.
node --input-type=module - "${entry}" "${out}" <<'EOF'
import { dirname } from 'node:path';
import * as esbuild from 'esbuild';

const [entry, outfile] = process.argv.slice(2);
let localesCut = false;
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => {
      localesCut = true;
      return { contents: 'export { default as en } from "./en.js";\n', loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};
await esbuild.build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
  define: { ASYA_BUNDLED: 'true' },
  minifyWhitespace: true,
  minifySyntax: true,
  banner: { js: "import { createRequire as __asyaCreateRequire } from 'node:module'; const require = __asyaCreateRequire(import.meta.url);" },
  plugins: [zodEnglishOnly],
});
// A zod release that moves its locales only makes the start slower again; say so.
if (!localesCut) console.error('bundle: zod/v4/locales/index.js was not bundled; the zod-english-only cut did nothing');
EOF
printf '%s\n' "${out}"
