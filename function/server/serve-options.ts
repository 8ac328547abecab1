/**
 * The standard Crossplane function flags, shared by `asya-state-proxy serve` and the container
 * entry point. Defaults also come from the environment variables Crossplane's package runtime
 * sets, so the image works with no arguments at all.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_CACHE_OPTIONS } from './cache.js';
import {
  DEFAULT_ADDRESS,
  DEFAULT_CALL_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_CONCURRENT_STREAMS,
  DEFAULT_MAX_INFLIGHT_BYTES,
  DEFAULT_MAX_RECV_BYTES,
  DEFAULT_TLS_DIR,
  DEFAULT_WORKER_MIN_BYTES,
  DEFAULT_WORKERS,
  type ServerOptions,
} from './server.js';

/** A commander argument parser for whole numbers of at least `min`. */
function integerAtLeast(min: number, what: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`must be ${what}`);
    return n;
  };
}

/** The port function-sdk-go listens on, and what `--address <host>` without a port means. */
export const DEFAULT_PORT = 9443;

/**
 * `--address`: `host:port`, `[v6]:port`, `unix:path`; a host alone gets port 9443 (grpc-js
 * would otherwise pick 443 for it). A bare IPv6 address is ambiguous and refused.
 */
export function listenAddress(value: string): string {
  if (value.startsWith('unix:')) return value;
  if (/^\[[^\]]*\]$/.test(value)) return `${value}:${DEFAULT_PORT}`;
  const colons = (value.match(/:/g) ?? []).length;
  if (colons > 1 && !value.startsWith('[')) throw new InvalidArgumentError(`an IPv6 address needs brackets: [${value}]:${DEFAULT_PORT}`);
  if (colons === 0) {
    if (value === '') throw new InvalidArgumentError(`must be host:port, for example 0.0.0.0:${DEFAULT_PORT}`);
    return `${value}:${DEFAULT_PORT}`;
  }
  const port = value.slice(value.lastIndexOf(':') + 1);
  if (!/^\d+$/.test(port) || Number(port) > 65535) throw new InvalidArgumentError(`port ${JSON.stringify(port)} is not a number from 0 to 65535`);
  return value;
}

export function addServeOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--address <host:port>', `address to listen on (a host alone means port ${DEFAULT_PORT})`).argParser(listenAddress).default(DEFAULT_ADDRESS))
    .addOption(new Option('--insecure', 'serve without TLS (crossplane render, local development)').default(false))
    .addOption(
      new Option('--tls-server-certs-dir <dir>', 'directory with tls.key, tls.crt and ca.crt')
        .env('TLS_SERVER_CERTS_DIR')
        .default(DEFAULT_TLS_DIR),
    )
    .addOption(
      new Option('--max-recv-message-size <bytes>', 'largest request accepted')
        .argParser(integerAtLeast(1, 'a positive integer (bytes)'))
        .default(DEFAULT_MAX_RECV_BYTES),
    )
    .addOption(
      new Option('--health-address <host:port>', 'also serve grpc.health.v1 here without TLS, for kubelet gRPC probes (off by default)').env(
        'HEALTH_ADDRESS',
      ),
    )
    .addOption(
      new Option('--response-cache-entries <n>', 'answers kept for repeated identical requests (0 disables)')
        .argParser(integerAtLeast(0, 'a non-negative integer'))
        .default(DEFAULT_CACHE_OPTIONS.maxEntries),
    )
    .addOption(
      new Option('--max-concurrent-streams <n>', 'concurrent calls per client connection')
        .argParser(integerAtLeast(1, 'a positive integer'))
        .default(DEFAULT_MAX_CONCURRENT_STREAMS),
    )
    .addOption(
      new Option('--idle-timeout <seconds>', 'close a client connection after this long without a call')
        .argParser(integerAtLeast(1, 'a positive integer (seconds)'))
        .default(DEFAULT_IDLE_TIMEOUT_MS / 1000),
    )
    .addOption(
      new Option('--workers <n>', 'worker threads answering calls, so big requests do not hold small ones (0 answers in the main thread)')
        .argParser(integerAtLeast(0, 'a non-negative integer'))
        .default(DEFAULT_WORKERS),
    )
    .addOption(
      new Option('--worker-min-bytes <bytes>', 'requests smaller than this are answered in the main thread (with --busy-offload: when no other call is in flight; 0: all go to workers)')
        .argParser(integerAtLeast(0, 'a non-negative integer (bytes)'))
        .default(DEFAULT_WORKER_MIN_BYTES),
    )
    .addOption(
      new Option('--busy-offload', 'while other calls are in flight, send small requests to the workers too: more calls/s on several cores, each started worker\'s heap (about 30 MiB) stays resident').default(false),
    )
    .addOption(
      new Option(
        '--max-inflight-bytes <bytes>',
        'most request bytes held for unanswered calls, each charged its announced message size at once; calls over it get RESOURCE_EXHAUSTED (an eighth is kept for requests up to 256 KiB)',
      )
        .argParser(integerAtLeast(1, 'a positive integer (bytes)'))
        .default(DEFAULT_MAX_INFLIGHT_BYTES),
    )
    .addOption(
      new Option('--call-timeout <seconds>', 'a call not received in full and answered within this gets DEADLINE_EXCEEDED')
        .argParser(integerAtLeast(1, 'a positive integer (seconds)'))
        .default(DEFAULT_CALL_TIMEOUT_MS / 1000),
    )
    .addOption(new Option('-d, --debug', 'debug logging').default(false));
}

export function toServerOptions(o: Record<string, unknown>): ServerOptions {
  return {
    address: String(o['address']),
    insecure: o['insecure'] === true,
    tlsServerCertsDir: String(o['tlsServerCertsDir']),
    maxRecvMessageSize: Number(o['maxRecvMessageSize']),
    debug: o['debug'] === true,
    healthAddress: typeof o['healthAddress'] === 'string' ? o['healthAddress'] : undefined,
    responseCacheEntries: Number(o['responseCacheEntries'] ?? DEFAULT_CACHE_OPTIONS.maxEntries),
    maxConcurrentStreams: Number(o['maxConcurrentStreams'] ?? DEFAULT_MAX_CONCURRENT_STREAMS),
    idleTimeoutMs: Number(o['idleTimeout'] ?? DEFAULT_IDLE_TIMEOUT_MS / 1000) * 1000,
    workers: Number(o['workers'] ?? DEFAULT_WORKERS),
    workerMinBytes: Number(o['workerMinBytes'] ?? DEFAULT_WORKER_MIN_BYTES),
    busyOffload: o['busyOffload'] === true,
    maxInflightBytes: Number(o['maxInflightBytes'] ?? DEFAULT_MAX_INFLIGHT_BYTES),
    callTimeoutMs: Number(o['callTimeout'] ?? DEFAULT_CALL_TIMEOUT_MS / 1000) * 1000,
  };
}
