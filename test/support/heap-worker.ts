/**
 * A pool worker for tests of the worker's heap bound: each call leaves about 1 MiB of objects
 * that outlive a few later calls (so V8 promotes them to the old generation, as a large
 * request's decoded tree is), and answers with its old generation's used bytes as text.
 */
import { oldGenerationUsed } from '../../function/server/reclaim.js';
import { serveWorker } from '../../function/server/worker.js';

const ring: unknown[][] = [];
let calls = 0;

serveWorker(() => {
  const garbage = Array.from({ length: 10_000 }, (_, i) => ({ i, s: `value ${i} of call ${calls}`, more: [i, i + 1] }));
  ring[calls++ % 8] = garbage;
  return { out: Buffer.from(String(oldGenerationUsed())), keep: false, summary: { xr: '', fatal: [] } };
});
