/**
 * Caps V8's nursery (the young generation's semi-spaces) of the main thread at what the image's
 * `--max-semi-space-size=8` gives it, whatever flags node was started with.
 *
 * V8 doubles a busy isolate's semi-spaces up to 16 MiB each (32 MiB of nursery); the image's
 * flag (Dockerfile) caps that only when node is started with it (`node main.mjs` alone: up to
 * 32 MiB), and the same flag given later through v8.setFlagsFromString no longer resizes a heap
 * that exists (measured). The growth factor, though, is read each time V8 would grow the
 * nursery: once the nursery has reached the cap, setting it to 1 stops further growth, in every
 * thread (workers are capped by their resourceLimits or the image's flag already).
 *
 * Not set before the cap is reached: pinning the main thread's nursery at its initial 1 MiB
 * semi-spaces cut the RSS after bench/soak.ts by about 20 MiB but cost a quarter of the cached
 * calls/s (more scavenges on the thread that answers every cache hit). Never 0: V8 crashes on a
 * growth factor of 0.
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { PerformanceObserver } from 'node:perf_hooks';

/**
 * The image's --max-semi-space-size=8: a nursery of two 8 MiB semi-spaces. Half that (the cap
 * until 2026-12-03) cost about 5% of the server's CPU per uncached call in scavenges and
 * promotions (bench/soak.ts and loopback load at 16 callers, interleaved; twice this gained
 * nothing more), and the RSS has room for it since the workers start on demand.
 */
export const NURSERY_CAP_BYTES = 16 * 1024 * 1024;
const STOP_GROWTH = '--semi-space-growth-factor=1';

let applied = false;

const nurseryBytes = (): number => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.physical_space_size ?? 0;

/**
 * Stops the nursery's growth once it holds `capBytes` (checked after each collection, since V8
 * grows it only in one). Once per process; startFunctionServer calls it before it listens.
 */
export function capNursery(capBytes = NURSERY_CAP_BYTES): void {
  if (applied) return;
  applied = true;
  if (nurseryBytes() >= capBytes) {
    setFlagsFromString(STOP_GROWTH);
    return;
  }
  const observer = new PerformanceObserver(() => {
    if (nurseryBytes() < capBytes) return;
    setFlagsFromString(STOP_GROWTH);
    observer.disconnect();
  });
  observer.observe({ entryTypes: ['gc'] });
}
