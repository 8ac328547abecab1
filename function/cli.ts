#!/usr/bin/env node
/**
 * `asya-state-proxy`: one binary for the offline tools (generate, validate, render) and the gRPC
 * function server (serve). Each command lives in its own module under commands/.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { register as registerGenerate } from './commands/generate.js';
import { register as registerRender } from './commands/render.js';
import { register as registerServe } from './commands/serve.js';
import { register as registerValidate } from './commands/validate.js';

const program = new Command()
  .name('asya-state-proxy')
  .description('Crossplane composition function and CRD tooling for the Asya state proxy')
  .version(packageVersion(), '-V, --version', 'print the version')
  .showHelpAfterError()
  // Usage errors exit 2, like validate's I/O errors; 1 is reserved for invalid documents.
  .exitOverride((err) => {
    process.exit(err.exitCode === 0 ? 0 : 2);
  });

registerGenerate(program);
registerValidate(program);
registerRender(program);
registerServe(program);

await program.parseAsync(process.argv);

/** The version in package.json: one level up from function/cli.ts, two from dist/function/cli.js. */
function packageVersion(): string {
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'function-asya-state-proxy' && pkg.version !== undefined) return pkg.version;
    } catch {
      // Not there in this layout; try the next.
    }
  }
  return 'unknown';
}
