/**
 * The gRPC server Crossplane talks to. Built on grpc-js directly (with the SDK's generated
 * service definition) rather than the SDK's `serve()`, because we need a configurable receive
 * limit, a clear startup error for bad certificates, and a bounded graceful shutdown.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import {
  FunctionRunnerServiceService,
  type RunFunctionRequest,
  type RunFunctionResponse,
} from '@crossplane-org/function-sdk-typescript';
import { pino, type Logger } from 'pino';
import { runFunction } from './handler.js';

export const DEFAULT_ADDRESS = '0.0.0.0:9443';
/** Where Crossplane's package runtime mounts tls.key, tls.crt and ca.crt. */
export const DEFAULT_TLS_DIR = '/tls/server';
export const DEFAULT_MAX_RECV_BYTES = 4 * 1024 * 1024;
/** How long in-flight calls may take to finish after SIGTERM before they are cut. */
export const SHUTDOWN_GRACE_MS = 10_000;

export interface ServerOptions {
  readonly address: string;
  readonly insecure: boolean;
  readonly tlsServerCertsDir: string;
  readonly maxRecvMessageSize: number;
  readonly debug: boolean;
}

export class StartupError extends Error {
  override name = 'StartupError';
}

export function serverCredentials(opts: Pick<ServerOptions, 'insecure' | 'tlsServerCertsDir'>): grpc.ServerCredentials {
  if (opts.insecure) return grpc.ServerCredentials.createInsecure();
  const read = (file: string): Buffer => {
    const path = join(opts.tlsServerCertsDir, file);
    try {
      return readFileSync(path);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new StartupError(`cannot read TLS file ${path}: ${why} (pass --insecure for local development, or --tls-server-certs-dir)`);
    }
  };
  const key = read('tls.key');
  const cert = read('tls.crt');
  const ca = read('ca.crt');
  try {
    // Client certificates are verified when presented, as the SDK does; Crossplane presents one.
    return grpc.ServerCredentials.createSsl(ca, [{ private_key: key, cert_chain: cert }], false);
  } catch (err) {
    throw new StartupError(`invalid TLS material in ${opts.tlsServerCertsDir}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function createServer(opts: Pick<ServerOptions, 'maxRecvMessageSize'>, logger: Logger): grpc.Server {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': opts.maxRecvMessageSize,
    'grpc.max_send_message_length': -1,
  });
  server.addService(FunctionRunnerServiceService, {
    runFunction: (
      call: grpc.ServerUnaryCall<RunFunctionRequest, RunFunctionResponse>,
      callback: grpc.sendUnaryData<RunFunctionResponse>,
    ) => {
      // runFunction never throws; it answers every decodable request with a response.
      const rsp = runFunction(call.request);
      if (logger.isLevelEnabled('debug')) {
        logger.debug({ tag: call.request.meta?.tag, results: rsp.results.length }, 'RunFunction');
      }
      callback(null, rsp);
    },
  });
  return server;
}

export function bind(server: grpc.Server, address: string, creds: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, creds, (err, port) => (err ? reject(new StartupError(`cannot listen on ${address}: ${err.message}`)) : resolve(port)));
  });
}

export function newLogger(debug: boolean): Logger {
  return pino({
    level: debug ? 'debug' : 'info',
    formatters: { level: (label) => ({ severity: label.toUpperCase() }) },
  });
}

/** Starts the server and installs SIGTERM/SIGINT handling; resolves once listening. */
export async function startFunctionServer(opts: ServerOptions, logger = newLogger(opts.debug)): Promise<{ server: grpc.Server; port: number }> {
  const creds = serverCredentials(opts);
  const server = createServer(opts, logger);
  const port = await bind(server, opts.address, creds);
  logger.info({ address: opts.address, port, tls: !opts.insecure }, 'function-asya-state-proxy listening');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight calls');
    const timer = setTimeout(() => {
      logger.warn('grace period over, closing remaining calls');
      server.forceShutdown();
      process.exit(0);
    }, SHUTDOWN_GRACE_MS);
    timer.unref();
    server.tryShutdown(() => {
      logger.info('stopped');
      process.exit(0);
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return { server, port };
}
