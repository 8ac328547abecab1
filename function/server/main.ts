#!/usr/bin/env node
/**
 * Container entry point. Crossplane runs the package image with only the standard function
 * flags (for example `--insecure`), so this takes them directly, without a subcommand.
 */
import { Command } from 'commander';
import { addServeOptions, toServerOptions } from './serve-options.js';
import { StartupError, startFunctionServer } from './server.js';

const cmd = addServeOptions(new Command('function-asya-state-proxy').description('Crossplane composition function for the Asya state proxy'));
cmd.parse(process.argv);
try {
  await startFunctionServer(toServerOptions(cmd.opts()));
} catch (err) {
  if (!(err instanceof StartupError)) throw err;
  process.stderr.write(`function-asya-state-proxy: ${err.message}\n`);
  process.exit(2);
}
