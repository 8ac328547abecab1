#!/usr/bin/env node
/**
 * Container entry point. Crossplane runs the package image with only the standard function
 * flags (for example `--insecure`), so this takes them directly, without a subcommand.
 *
 * In the bundle (scripts/bundle.sh) this file is also the worker pool's module: a worker thread
 * started with the pool's mark serves calls instead of parsing flags. The imports are dynamic so
 * that each role initialises only what it uses.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { isPoolWorkerData } from './worker.js';
import { capNursery } from './nursery.js';

// First, before loading the server grows V8's nursery (nursery.ts).
capNursery();

if (!isMainThread && isPoolWorkerData(workerData)) {
  const [{ serveWorker }, { computeAnswer }] = await Promise.all([import('./worker.js'), import('./answer.js')]);
  serveWorker(computeAnswer);
} else {
  const [{ Command }, { addServeOptions, toServerOptions }, { StartupError, startFunctionServer }] = await Promise.all([
    import('commander'),
    import('./serve-options.js'),
    import('./server.js'),
  ]);
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
