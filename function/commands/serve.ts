import type { Command } from 'commander';
import { addServeOptions, toServerOptions } from '../server/serve-options.js';
import { StartupError, startFunctionServer } from '../server/server.js';

export function register(program: Command): void {
  addServeOptions(program.command('serve').description('run the composition function gRPC server')).action(
    async (opts: Record<string, unknown>) => {
      try {
        await startFunctionServer(toServerOptions(opts));
      } catch (err) {
        if (!(err instanceof StartupError)) throw err;
        process.stderr.write(`asya-state-proxy serve: ${err.message}\n`);
        process.exit(2);
      }
    },
  );
}
