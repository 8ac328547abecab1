/** A pool worker keeps its V8 old generation near its live size (worker.ts, reclaim.ts heapBound). */
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerPool } from './worker-pool.js';
import { WORKER_HEAP_GROWTH_BYTES } from './worker.js';

const entry = new URL('../../test/support/heap-worker.ts', import.meta.url);
let pool: WorkerPool | undefined;
afterEach(async () => {
  await pool?.terminate();
  pool = undefined;
});

describe('pool worker heap', () => {
  it('collects before promoted garbage grows the old generation past its bound', async () => {
    pool = new WorkerPool({ size: 1, entry });
    await pool.ready();
    const used: number[] = [];
    for (let i = 0; i < 400; i++) used.push(Number((await pool.run(Buffer.alloc(8))).out.toString()));
    // Each call keeps about 1 MiB for 8 calls; V8 left alone lets such a worker's old generation
    // reach several times that before it collects.
    const floor = Math.min(...used.slice(50));
    expect(Math.max(...used.slice(50)) - floor).toBeLessThan(WORKER_HEAP_GROWTH_BYTES + 4 * 1024 * 1024);
  }, 60_000);
});
