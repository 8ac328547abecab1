/**
 * The gRPC server Crossplane talks to. Built on grpc-js directly (with the SDK's generated
 * service definition for the path) rather than the SDK's `serve()`, because we need a configurable
 * receive limit, a clear startup error for bad certificates, a bounded graceful shutdown, the
 * standard health service, and our own (de)serializers:
 *
 * - requests are decoded by function/wire, which has no nesting limit (the SDK's decoder refuses
 *   XRs nested deeper than about 32 levels, which grpc-js reports as INTERNAL "Error deserializing
 *   request") and never throws: bytes that are not a request get a FATAL result;
 * - responses are encoded by function/wire too (the SDK's encoder overflows the stack on deep
 *   objects an earlier step may legitimately pass along); the bytes are the SDK's, byte for byte.
 *
 * Every request gets a RunFunctionResponse; the only gRPC errors left are the transport's own
 * (a message over --max-recv-message-size is RESOURCE_EXHAUSTED, a cancelled call is CANCELLED).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, X509Certificate } from 'node:crypto';
import tlsDefaults, { createSecureContext } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { pino, type Logger } from 'pino';
import { Health, HealthServiceDefinition } from './health.js';
import { DEFAULT_CACHE_OPTIONS, ResponseCache } from './cache.js';
import { type AnswerSummary, type ComputedAnswer, computeAnswer } from './answer.js';
import { salvageTag } from '../wire/codec.js';
import { admission, type AdmissionStats, DEFAULT_SMALL_REQUEST_BYTES } from './admission.js';
import { type Reclaimer, reclaimer } from './reclaim.js';
import { DEFAULT_WORKER_MIN_BYTES, WorkerPool } from './worker-pool.js';
import { release } from './worker.js';
import { capNursery } from './nursery.js';
export { DEFAULT_WORKER_MIN_BYTES } from './worker-pool.js';

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
  /** Also serve only grpc.health.v1 here, without TLS (kubelet `grpc` probes cannot do TLS). */
  readonly healthAddress?: string | undefined;
  /** Answers kept for repeated identical requests; 0 disables the cache. */
  readonly responseCacheEntries?: number | undefined;
  readonly maxConcurrentStreams?: number | undefined;
  readonly idleTimeoutMs?: number | undefined;
  readonly workers?: number | undefined;
  readonly workerMinBytes?: number | undefined;
  /** Small requests go to the workers too while other calls are in flight (see CreateServerOptions). */
  readonly busyOffload?: boolean | undefined;
  readonly maxInflightBytes?: number | undefined;
  readonly callTimeoutMs?: number | undefined;
}

export class StartupError extends Error {
  override name = 'StartupError';
}

export { answer, computeAnswer, serializeResponse, type AnswerSummary, type ComputedAnswer } from './answer.js';

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function serverCredentials(opts: Pick<ServerOptions, 'insecure' | 'tlsServerCertsDir'>): grpc.ServerCredentials {
  if (opts.insecure) return grpc.ServerCredentials.createInsecure();
  const hint = '(pass --insecure for local development, or --tls-server-certs-dir)';
  const read = (file: string): Buffer => {
    const path = join(opts.tlsServerCertsDir, file);
    try {
      return readFileSync(path);
    } catch (err) {
      throw new StartupError(`cannot read TLS file ${path}: ${message(err)} ${hint}`);
    }
  };
  const key = read('tls.key');
  const cert = read('tls.crt');
  const ca = read('ca.crt');
  // grpc-js only parses the PEM when it binds, and then throws an OpenSSL error from deep inside;
  // parsing here turns garbage, a key that does not match the certificate or a bad CA into a
  // startup error naming the directory.
  try {
    createSecureContext({ key, cert, ca });
    // OpenSSL skips CA blocks it cannot parse; a ca.crt without one usable certificate is a broken mount.
    const blocks = ca.toString('latin1').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
    if (blocks.length === 0) throw new Error('ca.crt holds no PEM certificate');
    blocks.forEach((pem, i) => {
      try {
        new X509Certificate(pem);
      } catch (err) {
        throw new Error(`ca.crt certificate #${i + 1} does not parse: ${message(err)}`);
      }
    });
  } catch (err) {
    throw new StartupError(`invalid TLS material in ${opts.tlsServerCertsDir} (tls.key, tls.crt, ca.crt): ${message(err)}`);
  }
  try {
    // As function-sdk-go (tls.RequireAndVerifyClientCert, TLS 1.2 minimum): a client without a
    // certificate signed by ca.crt is refused in the handshake. Crossplane always presents one.
    enforceTlsMinimum();
    return grpc.ServerCredentials.createSsl(ca, [{ private_key: key, cert_chain: cert }], true);
  } catch (err) {
    throw new StartupError(`invalid TLS material in ${opts.tlsServerCertsDir}: ${message(err)}`);
  }
}

const WEAK_TLS = new Set(['TLSv1', 'TLSv1.1']);

/**
 * grpc-js's createSsl takes no minVersion, so the floor is Node's process-wide default; it is
 * TLS 1.2 unless node was started with --tls-min-v1.0/1.1, which must not weaken this server.
 */
function enforceTlsMinimum(): void {
  if (WEAK_TLS.has(tlsDefaults.DEFAULT_MIN_VERSION)) tlsDefaults.DEFAULT_MIN_VERSION = 'TLSv1.2';
}

/**
 * Summaries of the answers a cache holds, by the Buffer instance (the cache hands out the same
 * instance on a hit). Only those: an answer computed for one call carries its own summary, and a
 * WeakMap entry per call was a measurable part of a call's cost.
 */
const summaries = new WeakMap<Buffer, AnswerSummary>();

/** An answer and what the log says about it (undefined for a cached answer whose summary is gone). */
export interface Answered {
  readonly out: Buffer;
  readonly summary: AnswerSummary | undefined;
}

const fromCache = (out: Buffer): Answered => ({ out, summary: summaries.get(out) });

/**
 * Request bytes in, response bytes out. The function is a pure function of its request and
 * reconciles repeat identical requests, so answers are kept in a bounded cache keyed by a SHA-256
 * of the request bytes: a hit skips decoding, rendering and encoding. Keying on content rather
 * than on `meta.tag` alone means no client can get another request's answer by reusing a tag.
 * Undecodable requests and internal errors are never kept.
 */
export function rawAnswerer(cache: ResponseCache | undefined): (bytes: Buffer) => Answered {
  if (cache === undefined) return computeAnswer;
  return (bytes) => {
    const key = cacheKey(bytes);
    const hit = cache.get(key);
    if (hit !== undefined) return fromCache(hit);
    const computed = computeAnswer(bytes);
    if (computed.keep) cacheAnswer(cache, key, computed);
    return computed;
  };
}

const cacheKey = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('base64');

/**
 * rawAnswerer with the work done by a worker pool: the cache (and the summaries for the log) stay
 * in the main thread, keyed on the request bytes as in process, so a hit never leaves it. An
 * answer computed in the main thread (a small request, see WorkerPool) is returned as it is.
 */
export function pooledAnswerer(cache: ResponseCache | undefined, pool: Pick<WorkerPool, 'answer'>, othersInFlight: () => boolean = () => false): (bytes: Buffer) => Answered | Promise<Answered> {
  return (bytes) => {
    const key = cache === undefined ? undefined : cacheKey(bytes);
    if (key !== undefined) {
      const hit = cache?.get(key);
      if (hit !== undefined) return fromCache(hit);
    }
    // grpc-js's request Buffer is the call's own: it moves to the worker without a copy.
    const computed = pool.answer(bytes, { transfer: true, othersInFlight: othersInFlight() });
    if (key === undefined || cache === undefined) return computed;
    const store = (c: ComputedAnswer): ComputedAnswer => {
      if (c.keep) cacheAnswer(cache, key, c);
      return c;
    };
    return computed instanceof Promise ? computed.then(store) : store(computed);
  };
}

const identity = (b: Buffer): Buffer => b;

/** Answers a response cache holds (or held): they are handed out again and never released. */
const kept = new WeakSet<Buffer>();

/** Every answer goes into a cache through here, so that none is ever released (releasingSerialize). */
function cacheAnswer(cache: ResponseCache, key: string, { out, summary }: ComputedAnswer): void {
  kept.add(out);
  summaries.set(out, summary);
  cache.set(key, out);
}

/**
 * grpc-js copies the answer into its framed message right after this returns, synchronously; an
 * answer no cache holds is dead then, and its memory is released at once (worker.ts, release).
 */
const releasingSerialize = (b: Buffer): Buffer => {
  if (!kept.has(b)) queueMicrotask(() => release(b));
  return b;
};

/**
 * The FunctionRunnerService path and shape (the SDK's; service-definition.test.ts compares them),
 * carrying raw bytes both ways. Written out rather than spread from the SDK's
 * FunctionRunnerServiceService, whose serializers would pull the SDK's generated message codecs
 * (about 60 KB the server never runs) into the bundle, where every byte is compiled at start.
 */
export const RUN_FUNCTION_PATH = '/apiextensions.fn.proto.v1.FunctionRunnerService/RunFunction';
export const functionService = {
  runFunction: {
    path: RUN_FUNCTION_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: releasingSerialize,
    responseDeserialize: identity,
  },
} satisfies grpc.ServiceDefinition;

/** Concurrent calls one HTTP/2 connection may have open (Crossplane sends one call at a time per function). */
export const DEFAULT_MAX_CONCURRENT_STREAMS = 16;
/** A connection with no call for this long is closed (Crossplane reconnects on demand). */
export const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;
/** Keepalive pings to detect dead peers, and how long a ping may go unanswered. */
export const DEFAULT_KEEPALIVE_TIME_MS = 60_000;
export const DEFAULT_KEEPALIVE_TIMEOUT_MS = 20_000;

export interface CreateServerOptions {
  readonly maxRecvMessageSize: number;
  /** Worker threads answering calls; 0 or absent answers in the main thread. */
  readonly workers?: number | undefined;
  /** Start the workers at once (default), or leave that to the caller (`poolOf(server).start()`). */
  readonly startWorkers?: boolean | undefined;
  /** Requests smaller than this stay in the main thread even with workers (default DEFAULT_WORKER_MIN_BYTES). */
  readonly workerMinBytes?: number | undefined;
  /**
   * Also send requests under workerMinBytes to the workers while other calls are in flight, so
   * that the main thread only moves bytes and the workers use the other core (default off): more
   * calls/s under concurrent load, for the worker heaps that then stay resident (README,
   * performance).
   */
  readonly busyOffload?: boolean | undefined;
  /** Most request bytes held for unanswered calls (default DEFAULT_MAX_INFLIGHT_BYTES). */
  readonly maxInflightBytes?: number | undefined;
  /** Per-call deadline in milliseconds (default DEFAULT_CALL_TIMEOUT_MS). */
  readonly callTimeoutMs?: number | undefined;
  readonly maxConcurrentStreams?: number | undefined;
  readonly idleTimeoutMs?: number | undefined;
  /** Cached answers; 0 disables the cache. */
  readonly responseCacheEntries?: number | undefined;
}

/** Request bytes the server may hold for calls in flight (16 full-size requests). */
export const DEFAULT_MAX_INFLIGHT_BYTES = 64 * 1024 * 1024;
/** Crossplane's own default per-step timeout is 60 s; an answer later than that is never read. */
export const DEFAULT_CALL_TIMEOUT_MS = 60_000;
/** Worker threads by default: one per core of the 2-core machines measured (README, performance). */
export const DEFAULT_WORKERS = 2;

/** The worker pool behind a server created with `workers > 0`, so that its stop can close it. */
const pools = new WeakMap<grpc.Server, WorkerPool>();
export const poolOf = (server: grpc.Server): WorkerPool | undefined => pools.get(server);
/** The in-flight byte budget's counters of a server (for tests and benchmarks). */
const budgets = new WeakMap<grpc.Server, AdmissionStats>();
export const admissionStatsOf = (server: grpc.Server): AdmissionStats | undefined => budgets.get(server);

/** The collector that gives released request memory back, per server (for tests). */
const reclaimers = new WeakMap<grpc.Server, Reclaimer>();
export const reclaimerOf = (server: grpc.Server): Reclaimer | undefined => reclaimers.get(server);
/** Quiet time after a burst of released request bytes before memory is collected (reclaim.ts). */
export const RECLAIM_QUIET_MS = 1_000;
/** Released request bytes from which a collection is worth its pause (a few full-size requests). */
const RECLAIM_MIN_BYTES = 16 * 1024 * 1024;

export function createServer(opts: CreateServerOptions, logger: Logger, health = new Health()): grpc.Server {
  const maxInflightBytes = opts.maxInflightBytes ?? DEFAULT_MAX_INFLIGHT_BYTES;
  const reclaim = reclaimer({ thresholdBytes: Math.min(RECLAIM_MIN_BYTES, Math.floor(maxInflightBytes / 4)), quietMs: RECLAIM_QUIET_MS, largeBytes: DEFAULT_SMALL_REQUEST_BYTES });
  const bounds = admission({
    maxInflightBytes,
    callTimeoutMs: opts.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
    path: RUN_FUNCTION_PATH,
    maxMessageBytes: opts.maxRecvMessageSize,
    onRelease: (bytes) => reclaim.released(bytes),
  });
  const server = new grpc.Server({
    interceptors: [bounds.interceptor],
    'grpc.max_receive_message_length': opts.maxRecvMessageSize,
    'grpc.max_send_message_length': -1,
    // A stalled client holds a partial message per open stream; capping streams per connection
    // bounds what one connection can pin, and idle connections are closed.
    'grpc.max_concurrent_streams': opts.maxConcurrentStreams ?? DEFAULT_MAX_CONCURRENT_STREAMS,
    'grpc.max_connection_idle_ms': opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    'grpc.keepalive_time_ms': DEFAULT_KEEPALIVE_TIME_MS,
    'grpc.keepalive_timeout_ms': DEFAULT_KEEPALIVE_TIMEOUT_MS,
    // Nothing serves channelz here; left on, grpc-js counts and timestamps every call and message
    // for it and keeps a tracker per connection.
    'grpc.enable_channelz': 0,
  });
  budgets.set(server, bounds.stats);
  reclaimers.set(server, reclaim);
  const entries = opts.responseCacheEntries ?? DEFAULT_CACHE_OPTIONS.maxEntries;
  const cache = entries > 0 ? new ResponseCache({ ...DEFAULT_CACHE_OPTIONS, maxEntries: entries }) : undefined;
  const workers = opts.workers ?? 0;
  if (workers > 0) {
    const pool = new WorkerPool({
      size: workers,
      // listen() starts them once the port is bound: loading a worker competes with start-up.
      autoStart: opts.startWorkers ?? true,
      minBytes: opts.workerMinBytes ?? DEFAULT_WORKER_MIN_BYTES,
      onWorkerReady: ({ threadId }) => logger.info({ threadId }, 'worker thread ready'),
      onWorkerExit: ({ code, error, hadCall }) => logger.error({ code, error, hadCall }, 'a worker thread stopped; replacing it'),
    });
    pools.set(server, pool);
    // With busyOffload and other calls open, small ones go to the workers too (worker-pool.ts, minBytes).
    const handle = pooledAnswerer(cache, pool, opts.busyOffload === true ? () => bounds.stats.active > 1 : undefined);
    server.addService(functionService, {
      runFunction: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        // Read before the request may be transferred to a worker (and be empty here).
        const request = requestLog(logger, call.request);
        const reply = (a: Answered) => {
          logAnswer(logger, request, a);
          callback(null, a.out);
        };
        const answered = handle(call.request);
        if (answered instanceof Promise) {
          void answered.then(reply);
          return;
        }
        // Answered in this thread: the request was not transferred, and nothing reads it again.
        release(call.request);
        reply(answered);
      },
    });
  } else {
    const handle = rawAnswerer(cache);
    server.addService(functionService, {
      runFunction: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        const answered = handle(call.request);
        logAnswer(logger, requestLog(logger, call.request), answered);
        // The request is answered: nothing reads grpc-js's Buffer of it again.
        release(call.request);
        callback(null, answered.out);
      },
    });
  }
  server.addService(HealthServiceDefinition, health.implementation());
  return server;
}

/** What the debug log says about a request (only read when debug logging is on). */
interface RequestLog {
  readonly tag: string;
  readonly requestBytes: number;
}

const requestLog = (logger: Logger, request: Buffer): RequestLog | undefined =>
  logger.isLevelEnabled('debug') ? { tag: salvageTag(request), requestBytes: request.length } : undefined;

function logAnswer(logger: Logger, request: RequestLog | undefined, { out, summary }: Answered): void {
  // A FATAL result stops the whole composition; the XR's events say so, and so does our log.
  for (const f of summary?.fatal ?? []) logger.warn({ xr: summary?.xr, reason: f.reason, message: f.message }, 'RunFunction FATAL result');
  if (request !== undefined) logger.debug({ xr: summary?.xr, ...request, responseBytes: out.length }, 'RunFunction');
}

/** A server with only the health service, for a plaintext probe port. */
export function createHealthServer(health: Health): grpc.Server {
  const server = new grpc.Server();
  server.addService(HealthServiceDefinition, health.implementation());
  return server;
}

export function bind(server: grpc.Server, address: string, creds: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    try {
      server.bindAsync(address, creds, (err, port) => (err ? reject(new StartupError(`cannot listen on ${address}: ${err.message}`)) : resolve(port)));
    } catch (err) {
      reject(new StartupError(`cannot listen on ${address}: ${message(err)}`));
    }
  });
}

export function newLogger(debug: boolean): Logger {
  // Synchronous writes: lines come out in the order they were logged, and the last one
  // ("stopped") is written before process.exit.
  return pino(
    {
      level: debug ? 'debug' : 'info',
      formatters: { level: (label) => ({ severity: label.toUpperCase() }) },
    },
    pino.destination({ dest: 1, sync: true }),
  );
}

/** grpc-js writes its own lines to stderr (a failed bind prints one before ours); they go to our log at debug. */
function routeGrpcLogs(logger: Logger): void {
  grpc.setLogger({ error: (...args: unknown[]) => logger.debug({ grpc: args.map(String).join(' ') }, 'grpc-js') } as unknown as Partial<Console>);
}

export interface RunningServer {
  readonly server: grpc.Server;
  readonly port: number;
  readonly healthPort: number | undefined;
  readonly health: Health;
  /** Graceful stop: NOT_SERVING, no new calls, in-flight calls finish (or are cut after `graceMs`). */
  readonly stop: (graceMs?: number) => Promise<{ forced: boolean; ms: number }>;
}

/** Starts the servers (no signal handling). */
export async function listen(opts: ServerOptions, logger: Logger): Promise<RunningServer> {
  const creds = serverCredentials(opts);
  const health = new Health();
  const server = createServer({ ...opts, startWorkers: false }, logger, health);
  const pool = poolOf(server);
  let port: number;
  try {
    port = await bind(server, opts.address, creds);
  } catch (err) {
    await pool?.terminate();
    throw err;
  }
  // Workers start at the first call big enough for one (worker-pool.ts, startOnDemand): loading
  // one competes with start-up, and a server that gets only small calls never needs it.
  pool?.startOnDemand();
  let healthServer: grpc.Server | undefined;
  let healthPort: number | undefined;
  if (opts.healthAddress !== undefined) {
    healthServer = createHealthServer(health);
    try {
      healthPort = await bind(healthServer, opts.healthAddress, grpc.ServerCredentials.createInsecure());
    } catch (err) {
      server.forceShutdown();
      await pool?.terminate();
      throw err;
    }
  }
  const stop = (graceMs = SHUTDOWN_GRACE_MS) =>
    new Promise<{ forced: boolean; ms: number }>((resolve) => {
      const started = Date.now();
      // NOT_SERVING first; the plaintext health port keeps answering so until the drain is over.
      health.shutdown();
      const done = (forced: boolean) => {
        healthServer?.forceShutdown();
        // Every call is answered (or cut) by now; the workers have nothing left to finish.
        const closing = forced ? pool?.terminate() : pool?.close();
        void Promise.resolve(closing)
          .catch(() => undefined)
          .then(() => resolve({ forced, ms: Date.now() - started }));
      };
      const timer = setTimeout(() => {
        server.forceShutdown();
        done(true);
      }, graceMs);
      timer.unref();
      server.tryShutdown(() => {
        clearTimeout(timer);
        done(false);
      });
    });
  return { server, port, healthPort, health, stop };
}

/** Starts the servers and installs SIGTERM/SIGINT handling (exit 0 once drained); resolves once listening. */
export async function startFunctionServer(opts: ServerOptions, logger = newLogger(opts.debug)): Promise<RunningServer> {
  // Before the first call and before the workers exist, so that every heap keeps a small nursery.
  capNursery();
  routeGrpcLogs(logger);
  const running = await listen(opts, logger);
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight calls');
    void running.stop().then(({ forced, ms }) => {
      if (forced) logger.warn({ ms }, 'grace period over, remaining calls were cut');
      else logger.info({ ms }, 'stopped');
      process.exit(0);
    });
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
  // Announced only once the signal handlers are in place: a supervisor that reacts to this line
  // with SIGTERM must get a graceful stop, not the default signal action.
  logger.info(
    { address: opts.address, port: running.port, tls: !opts.insecure, ...(running.healthPort === undefined ? {} : { healthPort: running.healthPort }) },
    'function-asya-state-proxy listening',
  );
  return running;
}
