/**
 * A small pool of worker threads that answer RunFunction calls (decode, validate, render, encode),
 * so the server's event loop only moves bytes: a 4 MB request no longer holds every other call
 * and the health check for the hundreds of milliseconds its answer takes.
 *
 * - Each worker answers one call at a time; calls wait in FIFO queues in the main thread.
 * - Large requests (at least `largeBytes`) may occupy at most `size - 1` workers (at least one),
 *   so with two or more workers one is always free for small calls. With one worker, a small
 *   call that would wait behind large ones only is answered in the main thread instead: a small
 *   call costs well under a millisecond, a large one up to hundreds.
 * - A worker that dies (an uncaught exception, out of memory, terminated) is replaced; the call
 *   it was answering gets a FATAL InternalError answer, never a hang. Workers that die before
 *   they ever start (a broken installation) are not replaced forever: after a few, the pool
 *   answers in the main thread.
 * - Workers load in the background: until one is ready, calls are answered in the main thread,
 *   except large ones, which wait for it. A server starts them with `startOnDemand`: at the first
 *   call a worker is for (`minBytes` or more, or with `othersInFlight` any call while others are in
 *   flight), so a server that gets the usual few-KiB requests never pays a worker's RSS (about
 *   30 MiB); a large first call waits for the worker to load (a few hundred milliseconds), a smaller one
 *   is answered in the main thread and the workers start just after it. Loading a worker (its
 *   own Node, the whole module graph, the schemas) costs about as much CPU as the main
 *   thread's own start-up, and while it ran next to a call, on 2 busy cores, it delayed that
 *   call by about as much (bench/cold-start.ts).
 * - `close` lets the calls already given to workers finish, then terminates them.
 *
 * The response is transferred back, never copied; the request is transferred when the caller
 * gives it away (the server does: grpc-js's Buffer is the call's own) and copied otherwise. The
 * response cache and the logging stay in the main thread (server.ts).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type ComputedAnswer, computeAnswer, lostAnswer } from './answer.js';
import { salvageTag } from '../wire/codec.js';
import { ownBuffer, ownedBuffer, POOL_WORKER_MARK, WORKER_READY, type WorkerCall, type WorkerReply } from './worker.js';

/** Emitted on a Worker once its module loaded and serves calls (its first message). */
const READY_EVENT = 'asya-ready';

/** Set to true by scripts/bundle.sh (esbuild --define): the bundle is its own worker module. */
declare const ASYA_BUNDLED: boolean | undefined;

/** Requests from this size on count as large (a typical XR is a few KiB; 4 MiB is the limit). */
export const DEFAULT_LARGE_REQUEST_BYTES = 256 * 1024;
/** Workers that die before coming online, in a row, after which the pool stops replacing them. */
const MAX_FAILED_STARTS = 3;

/** How long after the first call big enough for a worker was answered `startOnDemand` starts the workers. */
const START_AFTER_FIRST_CALL_MS = 100;

/**
 * V8's young generation of a worker (two semi-spaces and its large-object space). V8's default
 * lets it grow to 48 MiB under allocation load, each worker its own: most of what a worker adds
 * to the RSS of a busy server. One call's garbage is small; a small nursery costs a few more
 * scavenges, not throughput (README, performance; bench/soak.ts for the RSS). A process-wide
 * `--max-semi-space-size` (the image's ENTRYPOINT has 8) takes precedence over this limit in V8,
 * so in the image a worker's nursery is two 8 MiB semi-spaces (measured with
 * v8.getHeapSpaceStatistics in the workers: new space 16 MiB, 4 without the flag).
 */
export const DEFAULT_WORKER_YOUNG_GENERATION_MB = 6;

/**
 * Requests below this size are answered in the main thread by default (see WorkerPoolOptions.minBytes):
 * the large ones only, for which a worker exists. The worst shape under it (thousands of small map
 * keys) costs the main thread a few tens of milliseconds; the usual one of that size (long env
 * values) about a millisecond, less than its round trip to a worker. With 64 KiB, the soak's
 * 200 KiB requests queued for the one worker: bench/soak.ts uncached, interleaved, 256 KiB against
 * 64 KiB, two pairs: 745-782 calls/s against 592-681, p99 of the typical call 33-35 ms against
 * 36-45, RSS after the soak 148-150 MiB against 158-171 (the worker's heap stays small).
 */
export const DEFAULT_WORKER_MIN_BYTES = 256 * 1024;

export interface WorkerPoolOptions {
  readonly size: number;
  /**
   * Requests smaller than this are answered in the main thread unless the caller says other
   * calls are in flight (`othersInFlight`, which the server passes only with `--busy-offload`):
   * alone, they cost well under a millisecond, less than the round trip to a worker. With others
   * in flight they go to the workers, so that the main thread only moves bytes (README,
   * performance). 0 sends every request to the workers.
   */
  readonly minBytes?: number | undefined;
  readonly largeBytes?: number | undefined;
  /** Each worker's V8 young generation in MiB (default DEFAULT_WORKER_YOUNG_GENERATION_MB). */
  readonly youngGenerationMb?: number | undefined;
  /** The module each worker runs (it must call serveWorker); default: the real one. */
  readonly entry?: URL | undefined;
  /** Start the workers in the constructor (default) or only when `start` is called. */
  readonly autoStart?: boolean | undefined;
  /** Called when a worker has loaded and takes calls (for the log). */
  readonly onWorkerReady?: ((info: { readonly threadId: number }) => void) | undefined;
  /** Called when a worker dies (for the log). */
  readonly onWorkerExit?: ((info: { readonly code: number; readonly error: string | undefined; readonly hadCall: boolean }) => void) | undefined;
}

interface Task {
  readonly id: number;
  readonly bytes: Uint8Array;
  /** The caller gives the request's memory away: it may be transferred to the worker, not copied. */
  readonly transfer: boolean;
  /** The request's tag, read before a transfer empties `bytes` (for a lost answer). */
  tag?: string;
  readonly large: boolean;
  readonly resolve: (answer: ComputedAnswer) => void;
}

interface Slot {
  worker: Worker;
  task: Task | undefined;
  /** Its module loaded and it serves calls (not just the thread started). */
  online: boolean;
  error: string | undefined;
}

/** How to start a worker that runs `entry` in this installation (tsx, tsc's dist/, or the bundle). */
function workerSource(entry: URL | undefined): { readonly source: URL | string; readonly evaluate: boolean } {
  if (entry === undefined && typeof ASYA_BUNDLED !== 'undefined' && ASYA_BUNDLED) return { source: new URL(import.meta.url), evaluate: false };
  const here = import.meta.url;
  const target = entry ?? new URL(here.endsWith('.ts') ? './worker-entry.ts' : './worker-entry.js', here);
  if (!target.pathname.endsWith('.ts')) return { source: target, evaluate: false };
  // Source checkouts (tsx, vitest): Node cannot load TypeScript in a worker by itself, and a
  // worker's --import is not honoured, so a two-line bootstrap registers tsx first.
  // tsx's ESM API (require.resolve would give its CommonJS twin, which cannot register in a worker).
  const tsx = pathToFileURL(join(dirname(createRequire(here).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(target.href)}); });`;
  return { source: code, evaluate: true };
}

export class WorkerPool {
  readonly size: number;
  readonly largeBytes: number;
  readonly minBytes: number;
  private readonly slots: Slot[] = [];
  private readonly small: Task[] = [];
  private readonly large: Task[] = [];
  private readonly source: { readonly source: URL | string; readonly evaluate: boolean };
  private readonly onWorkerExit: WorkerPoolOptions['onWorkerExit'];
  private readonly onWorkerReady: WorkerPoolOptions['onWorkerReady'];
  private readonly youngGenerationMb: number;
  private nextId = 1;
  private closed = false;
  private failedStarts = 0;
  /** Set by startOnDemand until the workers start (or are scheduled to). */
  private onDemand = false;
  private startTimer: NodeJS.Timeout | undefined;
  /** Calls answered in the main thread (small calls behind large ones, or no usable worker). */
  inline = 0;
  /** Workers that died and were replaced. */
  replaced = 0;

  constructor(options: WorkerPoolOptions) {
    if (!Number.isSafeInteger(options.size) || options.size < 1) throw new RangeError('a worker pool needs at least one worker');
    this.size = options.size;
    this.largeBytes = options.largeBytes ?? DEFAULT_LARGE_REQUEST_BYTES;
    this.minBytes = options.minBytes ?? 0;
    this.source = workerSource(options.entry);
    this.youngGenerationMb = options.youngGenerationMb ?? DEFAULT_WORKER_YOUNG_GENERATION_MB;
    this.onWorkerExit = options.onWorkerExit;
    this.onWorkerReady = options.onWorkerReady;
    if (options.autoStart !== false) this.start();
  }

  private scheduleStart(): void {
    this.onDemand = false;
    this.startTimer = setTimeout(() => this.start(), START_AFTER_FIRST_CALL_MS);
    // Like the workers themselves, the pending start never keeps the process alive.
    this.startTimer.unref();
  }

  /** Starts the workers (once); until one is ready, calls are answered in the main thread (large ones wait). */
  start(): void {
    this.cancelStart();
    if (this.slots.length > 0 || this.closed) return;
    for (let i = 0; i < this.size; i++) this.slots.push(this.spawn());
  }

  /**
   * Leaves the workers unstarted until the first call of `minBytes` or more (see the class
   * comment); `ready` and `start` start them at once.
   */
  startOnDemand(): void {
    if (this.slots.length > 0 || this.closed) return;
    this.onDemand = true;
  }

  /** Whether the workers have been started (spawned; they may still be loading). */
  get started(): boolean {
    return this.slots.length > 0;
  }

  private cancelStart(): void {
    this.onDemand = false;
    if (this.startTimer === undefined) return;
    clearTimeout(this.startTimer);
    this.startTimer = undefined;
  }

  /** Resolves once every worker is online (starting them now if a start is pending); rejects with the reason if one fails to start. */
  ready(): Promise<void> {
    if (this.onDemand || this.startTimer !== undefined) this.start();
    return Promise.all(
      this.slots.map(
        (slot) =>
          new Promise<void>((resolve, reject) => {
            if (slot.online) return resolve();
            slot.worker.once(READY_EVENT, () => resolve());
            slot.worker.once('error', (err) => reject(err));
            slot.worker.once('exit', (code) => reject(new Error(`a worker thread exited with code ${code} while starting`)));
          }),
      ),
    ).then(() => undefined);
  }

  /** Calls waiting for a worker. */
  get queued(): number {
    return this.small.length + this.large.length;
  }

  /** Calls being answered by workers. */
  get busy(): number {
    return this.slots.filter((s) => s.task !== undefined).length;
  }

  /**
   * The answer for `bytes`; never rejects. `othersInFlight`: the server has other calls open, so a
   * small request goes to a worker too (see WorkerPoolOptions.minBytes). With `transfer`, the caller hands over `bytes`: a large
   * request that owns its memory moves to the worker without a copy, and is empty afterwards.
   */
  run(bytes: Uint8Array, options: { readonly transfer?: boolean } = {}): Promise<ComputedAnswer> {
    return Promise.resolve(this.answer(bytes, options));
  }

  /** Answered in the main thread, counted as such. */
  private answerHere(bytes: Uint8Array): ComputedAnswer {
    this.inline++;
    return computeAnswer(bytes);
  }

  /**
   * `run` for the server: an answer computed in the main thread is returned as it is, not in a
   * promise, so that grpc-js gets it in the same turn (a promise and its microtask per call were
   * measurable at the usual size, where every call is answered in the main thread).
   */
  answer(bytes: Uint8Array, options: { readonly transfer?: boolean; readonly othersInFlight?: boolean } = {}): ComputedAnswer | Promise<ComputedAnswer> {
    if (this.closed || this.failedStarts >= MAX_FAILED_STARTS) {
      return this.answerHere(bytes);
    }
    const large = bytes.length >= this.largeBytes;
    // A small call alone costs less here than its round trip to a worker; with other calls in
    // flight the main thread is the bottleneck, and the workers use the other core.
    if (bytes.length < this.minBytes && options.othersInFlight !== true) {
      return this.answerHere(bytes);
    }
    // The first call a worker is for: a large one waits for the workers to load, a smaller one is
    // answered here and they start just after it (not at once: grpc-js takes a few turns of the
    // event loop to send the answer, and creating the workers costs the main thread a few ms).
    if (this.onDemand) {
      if (large) this.start();
      else this.scheduleStart();
    }
    // Answered here: while no worker is online, every call but a large one the workers are
    // loading for; once one is, a small call that would wait behind large ones only (tens to
    // hundreds of milliseconds, for what costs well under one).
    const inline = this.slots.some((s) => s.online) ? !large && this.slots.every((s) => s.task?.large === true) : !(large && this.slots.length > 0);
    if (inline) {
      return this.answerHere(bytes);
    }
    return new Promise<ComputedAnswer>((resolve) => {
      (large ? this.large : this.small).push({ id: this.nextId++, bytes, large, transfer: options.transfer === true, resolve });
      this.dispatch();
    });
  }

  /** Lets the calls given to workers finish, then terminates every worker. Queued calls are answered in process. */
  async close(): Promise<void> {
    this.closed = true;
    this.cancelStart();
    for (const task of [...this.small.splice(0), ...this.large.splice(0)]) task.resolve(computeAnswer(task.bytes));
    await Promise.all(this.slots.map((slot) => this.drained(slot)));
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  /** Terminates every worker now; calls they were answering get a FATAL InternalError. */
  async terminate(): Promise<void> {
    this.closed = true;
    this.cancelStart();
    for (const task of [...this.small.splice(0), ...this.large.splice(0)]) task.resolve(lostAnswer(task.bytes, 'the server stopped before answering'));
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private drained(slot: Slot): Promise<void> {
    if (slot.task === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (slot.task === undefined) resolve();
        else setTimeout(check, 5);
      };
      check();
    });
  }

  private spawn(): Slot {
    const { source, evaluate } = this.source;
    const worker = new Worker(source, {
      eval: evaluate,
      workerData: { role: POOL_WORKER_MARK },
      stdout: false,
      stderr: false,
      resourceLimits: { maxYoungGenerationSizeMb: this.youngGenerationMb },
    });
    // The pool never keeps the process alive by itself: the gRPC server does while it listens.
    worker.unref();
    const slot: Slot = { worker, task: undefined, online: false, error: undefined };
    worker.on('message', (reply: WorkerReply | typeof WORKER_READY) => {
      if (reply === WORKER_READY) {
        slot.online = true;
        this.failedStarts = 0;
        slot.worker.emit(READY_EVENT);
        this.onWorkerReady?.({ threadId: slot.worker.threadId });
        this.dispatch();
        return;
      }
      const task = slot.task;
      if (task === undefined || task.id !== reply.id) return;
      slot.task = undefined;
      task.resolve({ out: Buffer.from(reply.out.buffer, reply.out.byteOffset, reply.out.byteLength), keep: reply.keep, summary: reply.summary });
      this.dispatch();
    });
    worker.on('error', (err) => {
      slot.error = err instanceof Error ? err.message : String(err);
    });
    worker.on('exit', (code) => this.onExit(slot, code));
    return slot;
  }

  private onExit(slot: Slot, code: number): void {
    const task = slot.task;
    slot.task = undefined;
    if (!slot.online) this.failedStarts++;
    if (!this.closed || task !== undefined) this.onWorkerExit?.({ code, error: slot.error, hadCall: task !== undefined });
    if (task !== undefined) {
      const why = slot.error === undefined ? `exited with code ${code}` : `failed: ${slot.error}`;
      task.resolve(lostAnswer(task.bytes, `the worker thread answering this call ${why}; the call was not answered`, task.tag));
    }
    if (this.closed) return;
    const index = this.slots.indexOf(slot);
    if (this.failedStarts >= MAX_FAILED_STARTS) {
      // Workers cannot start here: answer what waits in process rather than spawn forever.
      for (const t of [...this.small.splice(0), ...this.large.splice(0)]) t.resolve(computeAnswer(t.bytes));
      return;
    }
    this.replaced++;
    if (index >= 0) this.slots[index] = this.spawn();
    this.dispatch();
  }

  private dispatch(): void {
    const maxLarge = Math.max(1, this.size - 1);
    for (const slot of this.slots) {
      if (slot.task !== undefined || !slot.online) continue;
      const largeBusy = this.slots.filter((s) => s.task?.large === true).length;
      const task = this.small.shift() ?? (largeBusy < maxLarge ? this.large.shift() : undefined);
      if (task === undefined) return;
      slot.task = task;
      const owned = task.transfer ? ownedBuffer(task.bytes) : undefined;
      if (owned !== undefined) {
        task.tag = salvageTag(task.bytes);
        const call: WorkerCall = { id: task.id, bytes: new Uint8Array(owned, task.bytes.byteOffset, task.bytes.byteLength) };
        slot.worker.postMessage(call, [owned]);
        continue;
      }
      const buffer = ownBuffer(task.bytes);
      const call: WorkerCall = { id: task.id, bytes: new Uint8Array(buffer) };
      // A copy (ownBuffer) when the request shares its memory, so the caller's Buffer stays intact.
      slot.worker.postMessage(call, buffer === task.bytes.buffer ? [] : [buffer]);
    }
  }
}
