/**
 * Giving memory back once a burst of request bytes is released (issue 12 item 5).
 *
 * Request bytes live in Node Buffers whose memory V8 frees only when it collects the objects
 * that point at them. V8 collects when it allocates; a server that just dropped hundreds of
 * megabytes of stalled requests and then sits idle allocates nothing, so without help that
 * memory stays resident until the next burst of traffic, however long that takes. This runs one
 * full collection once the server has been quiet for a moment after releasing a lot of request
 * bytes of large requests (stalled ones, or a burst of big XRs). Under a steady stream of large
 * calls it never fires (each large release re-arms the timer): there V8 collects on its own, and
 * a forced collection would only add a pause. Small calls neither count nor re-arm it: a trickle
 * of typical calls after a burst allocates too little for V8 to run a full collection soon, so
 * it would not free the burst's memory either, and steady typical traffic must not pay for
 * forced collections.
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null | undefined;

/**
 * V8's gc() without starting node with --expose-gc: the flag set at run time applies to contexts
 * created afterwards, so a fresh context has the function (the way test runners get it).
 */
export function garbageCollector(): (() => void) | undefined {
  if (collect === undefined) {
    const global = (globalThis as { gc?: unknown }).gc;
    if (typeof global === 'function') collect = global as () => void;
    else {
      try {
        setFlagsFromString('--expose-gc');
        const gc: unknown = runInNewContext('gc');
        collect = typeof gc === 'function' ? (gc as () => void) : null;
      } catch {
        collect = null;
      }
    }
  }
  return collect ?? undefined;
}

export interface ReclaimOptions {
  /** Bytes of large releases since the last collection from which a collection is worth it. */
  readonly thresholdBytes: number;
  /** How long no further large release may happen before the collection runs. */
  readonly quietMs: number;
  /** A release of at least this many bytes is large: only those count, and each postpones a pending collection. */
  readonly largeBytes: number;
  /** The collection (default: V8's full gc, or nothing where it cannot be had). */
  readonly collect?: (() => void) | undefined;
}

export interface Reclaimer {
  /** Tells it that `bytes` of request memory are no longer needed. */
  released(bytes: number): void;
  /** Collections run so far. */
  readonly runs: number;
  stop(): void;
}

export function reclaimer(opts: ReclaimOptions): Reclaimer {
  const gc = opts.collect ?? garbageCollector();
  let pending = 0;
  let runs = 0;
  let timer: NodeJS.Timeout | undefined;
  const fire = () => {
    timer = undefined;
    pending = 0;
    runs++;
    gc?.();
  };
  return {
    released(bytes) {
      // Only large releases count: typical calls release a few KiB each, and counting them would
      // force a full collection every few thousand calls of steady traffic for nothing.
      if (gc === undefined || bytes < opts.largeBytes) return;
      pending += bytes;
      if (pending < opts.thresholdBytes) return;
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(fire, opts.quietMs);
      // Never what keeps the process alive.
      timer.unref();
    },
    get runs() {
      return runs;
    },
    stop() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}

/**
 * Bytes used by this thread's V8 old generation (every space but the nursery): what a call's
 * promoted garbage adds to, unlike the nursery, which fills and empties with every call.
 */
export function oldGenerationUsed(): number {
  let used = 0;
  for (const space of getHeapSpaceStatistics()) if (!space.space_name.startsWith('new_')) used += space.space_used_size;
  return used;
}

export interface HeapBoundOptions {
  /** How far the old generation may grow above what the last collection left before one is forced. */
  readonly growthBytes: number;
  /** The old generation's used bytes now (default: oldGenerationUsed). */
  readonly used?: (() => number) | undefined;
  /** The collection (default: V8's full gc, or nothing where it cannot be had). */
  readonly collect?: (() => void) | undefined;
}

export interface HeapBound {
  /** Called after each unit of work (one call): collects if the old generation grew past the bound. */
  check(): boolean;
  /** Collections forced so far. */
  readonly runs: number;
}

/**
 * Keeps a thread's V8 old generation within `growthBytes` of what survived its last
 * collection. V8 lets an isolate's old generation grow to several times its live size before it
 * collects (a pool worker answering 200 KiB requests: about 15 MiB live, 50 to 65 MiB
 * committed under bench/soak.ts), and keeps those pages committed afterwards, so the high-water
 * mark is what the RSS shows. The check costs under a microsecond; the full collection (about
 * 20 ms for a worker's heap) is paid once per `growthBytes` of promoted garbage, not per call.
 */
export function heapBound(opts: HeapBoundOptions): HeapBound {
  const gc = opts.collect ?? garbageCollector();
  const used = opts.used ?? oldGenerationUsed;
  let baseline = used();
  let runs = 0;
  return {
    check() {
      if (gc === undefined || used() - baseline < opts.growthBytes) return false;
      gc();
      runs++;
      baseline = used();
      return true;
    },
    get runs() {
      return runs;
    },
  };
}
