#!/usr/bin/env node
/**
 * Container entry point. Crossplane runs the package image with only the standard function
 * flags (for example `--insecure`), so this takes them directly, without a subcommand.
 *
 * In the bundle (scripts/bundle.sh) this file is also the worker pool's module: a worker thread
 * started with the pool's mark serves calls instead of parsing flags.
 *
 * The imports are static although each role uses only part of them: a module reached through a
 * dynamic import() is wrapped by esbuild in a lazily called init function, which V8 pre-parses
 * with the whole file at start and parses again when it runs, and that was every module of the
 * server (issue 16, cold start; test/bundle.test.ts checks the bundle has no such wrapper).
 * A worker evaluates the server's modules too, but has none of their side effects (nothing
 * runs until startFunctionServer), and it starts only when a call big enough for it comes. V8's nursery
 * cap (nursery.ts) is applied by startFunctionServer, before it listens.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { Command } from 'commander';
import { computeAnswer } from './answer.js';
import { addServeOptions, toServerOptions } from './serve-options.js';
import { StartupError, startFunctionServer } from './server.js';
import { isPoolWorkerData, serveWorker } from './worker.js';

if (!isMainThread && isPoolWorkerData(workerData)) {
  serveWorker(computeAnswer);
} else {
  const cmd = addServeOptions(new Command('function-asya-state-proxy').description('Crossplane composition function for the Asya state proxy'));
  cmd.parse(process.argv);
  try {
    await startFunctionServer(toServerOptions(cmd.opts()));
  } catch (err) {
    if (!(err instanceof StartupError)) throw err;
    process.stderr.write(`function-asya-state-proxy: ${err.message}\n`);
    process.exit(2);
  }
}
