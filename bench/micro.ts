/** In-process timing of one synchronous operation: per-call microseconds, median of batches. */
import { performance } from 'node:perf_hooks';

export interface Timing {
  /** Microseconds per call: median, min and max over the batches. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly batches: number;
  readonly perBatch: number;
}

/** Keeps results alive so the JIT cannot drop the work. */
let sink: unknown;
export const consume = (v: unknown): void => {
  sink = v;
};
export const lastSink = (): unknown => sink;

/**
 * Warms `fn` up, sizes a batch to about `batchMs`, then times `batches` batches and reports the
 * per-call time of each (median, min, max).
 */
export function time(fn: () => unknown, { batches = 15, batchMs = 20, warmupMs = 150 } = {}): Timing {
  const warmEnd = performance.now() + warmupMs;
  let n = 0;
  while (performance.now() < warmEnd) {
    consume(fn());
    n++;
  }
  const perCallMs = warmupMs / Math.max(1, n);
  const perBatch = Math.max(1, Math.round(batchMs / perCallMs));
  const samples: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < perBatch; i++) consume(fn());
    samples.push(((performance.now() - t0) * 1000) / perBatch);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)] ?? 0, min: samples[0] ?? 0, max: samples[samples.length - 1] ?? 0, batches, perBatch };
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/** The q-quantile (0..1) of a sorted array, nearest rank. */
export const quantile = (sorted: ArrayLike<number>, q: number): number =>
  sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number);
