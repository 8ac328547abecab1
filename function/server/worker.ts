/**
 * The worker-thread side of the pool (worker-pool.ts): request bytes in, response bytes out,
 * one call at a time, through the same pure computeAnswer the in-process path uses.
 *
 * `serveWorker` is a function rather than top-level code so that the bundled entry point
 * (main.ts), which is also the worker's module in the bundle, can call it, and so that a test can
 * serve a different compute function (one that crashes on purpose).
 */
import { parentPort } from 'node:worker_threads';
import type { ComputedAnswer } from './answer.js';
import { type HeapBound, heapBound } from './reclaim.js';

/** What the pool sends: one call. */
export interface WorkerCall {
  readonly id: number;
  readonly bytes: Uint8Array;
}

/** What a worker sends back for one call. */
export interface WorkerReply {
  readonly id: number;
  readonly out: Uint8Array;
  readonly keep: boolean;
  readonly summary: ComputedAnswer['summary'];
}

/** A worker's first message: its module loaded and it takes calls. */
export const WORKER_READY = 'ready';

/** Marks the workerData of a pool worker, so a shared entry module knows which role it has. */
export const POOL_WORKER_MARK = 'asya-state-proxy-pool-worker';

export const isPoolWorkerData = (data: unknown): boolean =>
  typeof data === 'object' && data !== null && (data as Record<string, unknown>)['role'] === POOL_WORKER_MARK;

/** An ArrayBuffer holding exactly `b`, which can be transferred (no copy when `b` already owns one). */
export function ownBuffer(b: Uint8Array): ArrayBuffer {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) return b.buffer;
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return copy.buffer;
}

/** Below this a Buffer may be a slice of Node's shared 8 KiB allocation pool, which must never be detached. */
export const RELEASE_MIN_BYTES = 64 * 1024;

/**
 * The ArrayBuffer under `b` if `b` is all of it but a few leading bytes (grpc-js hands a request
 * over without its 5-byte message prefix) and large enough that it cannot be a pool slice;
 * otherwise undefined. Only such a buffer may be transferred or released in place.
 */
export function ownedBuffer(b: Uint8Array): ArrayBuffer | undefined {
  const ab = b.buffer;
  if (!(ab instanceof ArrayBuffer) || b.byteLength < RELEASE_MIN_BYTES) return undefined;
  return b.byteOffset + b.byteLength === ab.byteLength && b.byteOffset <= 16 ? ab : undefined;
}

/**
 * Frees a dead buffer's memory at the next scavenge instead of the next full collection. The
 * Buffer objects of a call often outlive a scavenge (the call is in flight), so they sit in V8's
 * old space, and their megabytes with them, until a mark-compact, which V8 starts only after
 * 64 MiB more of such memory: most of a busy server's RSS above its heaps. Detaching moves the
 * memory to a fresh ArrayBuffer that nothing references, which the next scavenge frees. Only
 * for buffers the caller owns (see ownedBuffer); after this `b` is empty.
 */
export function release(b: Uint8Array): void {
  const ab = ownedBuffer(b);
  if (ab !== undefined) structuredClone(ab, { transfer: [ab] });
}

/**
 * How far a worker's old generation may grow above its live size before the worker collects
 * (reclaim.ts, heapBound): without it V8 let a worker reach 50 to 65 MiB for 15 MiB live under
 * bench/soak.ts, most of the RSS a worker adds; with 12 MiB it stayed near 35 MiB at the same
 * throughput (README, memory).
 */
export const WORKER_HEAP_GROWTH_BYTES = 12 * 1024 * 1024;

export function serveWorker(compute: (bytes: Uint8Array) => ComputedAnswer, bound: HeapBound = heapBound({ growthBytes: WORKER_HEAP_GROWTH_BYTES })): void {
  const port = parentPort;
  if (port === null) throw new Error('serveWorker must run in a worker thread');
  port.on('message', (call: WorkerCall) => {
    const { out, keep, summary } = compute(call.bytes);
    // The request was transferred or copied to this thread: nothing else holds it.
    release(call.bytes);
    const buffer = ownBuffer(out);
    const reply: WorkerReply = { id: call.id, out: new Uint8Array(buffer), keep, summary };
    // Transferred, not copied: the response can be megabytes.
    port.postMessage(reply, [buffer]);
    // After the reply is on its way: a collection here delays only the next call, not this one.
    bound.check();
  });
  port.postMessage(WORKER_READY);
}
