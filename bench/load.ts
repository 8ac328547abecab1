/** A closed-loop RunFunction load generator: `concurrency` callers, each sending its next call when the last one is answered. */
import { performance } from 'node:perf_hooks';
import type { RawFunctionClient } from '../test/support/grpc-client.js';
import { quantile } from './micro.js';

export interface LoadResult {
  readonly calls: number;
  readonly seconds: number;
  /** Calls per second. */
  readonly throughput: number;
  /** Milliseconds. */
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
}

/** Runs for `durationMs` (callers stop starting new calls then; in-flight ones are counted). */
export async function load(client: RawFunctionClient, request: Uint8Array, concurrency: number, durationMs: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const end = started + durationMs;
  const caller = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        await client.callBytes(request, 30_000);
        latencies.push(performance.now() - t0);
      } catch {
        errors++;
        if (errors > 100) throw new Error('more than 100 failed calls');
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  const seconds = (performance.now() - started) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  return {
    calls: latencies.length,
    seconds,
    throughput: latencies.length / seconds,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    errors,
  };
}
