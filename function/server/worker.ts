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

export function serveWorker(compute: (bytes: Uint8Array) => ComputedAnswer): void {
  const port = parentPort;
  if (port === null) throw new Error('serveWorker must run in a worker thread');
  port.on('message', (call: WorkerCall) => {
    const { out, keep, summary } = compute(call.bytes);
    const buffer = ownBuffer(out);
    const reply: WorkerReply = { id: call.id, out: new Uint8Array(buffer), keep, summary };
    // Transferred, not copied: the response can be megabytes.
    port.postMessage(reply, [buffer]);
  });
  port.postMessage(WORKER_READY);
}
