/**
 * Small calls while 4 MB calls run (issue 12 item 8) and small-call throughput by worker count
 * (issue 16 item 3), against the built entry point as the image starts it (`node <the image's
 * node flags> dist/function/server/main.js`, response cache off) with `--workers 0` (in process), 1 and 2:
 *
 * - throughput: the 8-mount bench actor at concurrency 16, closed loop;
 * - mixed: `--big` closed-loop callers sending a ~3.9 MiB request (250 env values of 16 KB, valid)
 *   while 4 callers send the small request; p50/p99 of the small calls.
 *
 * `--workers` lists variants: `N` runs `--workers N` (small requests stay in the main thread, the
 * default `--worker-min-bytes`), `N:B` adds `--worker-min-bytes B` (`1:0`: every request to workers).
 *
 *   npm run build && npx tsx bench/mixed.ts [--duration 5000] [--workers 0,1,1:0,2,2:0] [--big 2] [--reps 1]
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import { RawFunctionClient } from '../test/support/grpc-client.js';
import { actorDoc, baseSpec, request } from '../test/support/requests.js';
import { BENCH_INPUT, benchActor, benchRequest } from './fixtures.js';
import { load } from './load.js';
import { quantile } from './micro.js';
import { ROOT } from './peer.js';
import { imageNodeFlags, spawnFunction } from './spawn.js';

const { values } = parseArgs({ options: { duration: { type: 'string' }, workers: { type: 'string' }, big: { type: 'string' }, reps: { type: 'string' } } });
const DURATION = Number(values.duration ?? 5000);
/** `N` is `--workers N`; `N:B` adds `--worker-min-bytes B`. */
const WORKERS = (values.workers ?? '0,1,1:0,2,2:0').split(',');
const BIG_CALLERS = Number(values.big ?? 2);
const REPS = Number(values.reps ?? 1);
const dist = join(ROOT, 'dist/function/server/main.js');

const small = RunFunctionRequest.encode(benchRequest(benchActor(8), BENCH_INPUT)).finish();
const big = RunFunctionRequest.encode(request({ xr: actorDoc({ ...baseSpec, env: Array.from({ length: 250 }, (_, i) => ({ name: `E${i}`, value: 'v'.repeat(16_000) })) }) })).finish();

async function mixed(client: RawFunctionClient): Promise<{ p50: number; p99: number; max: number; smallCalls: number; bigCalls: number }> {
  const end = performance.now() + DURATION;
  const lat: number[] = [];
  let bigCalls = 0;
  const bigLoop = async () => {
    while (performance.now() < end) {
      await client.callBytes(big, 60_000);
      bigCalls++;
    }
  };
  const smallLoop = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      await client.callBytes(small, 60_000);
      lat.push(performance.now() - t);
    }
  };
  await Promise.all([...Array.from({ length: BIG_CALLERS }, bigLoop), ...Array.from({ length: 4 }, smallLoop)]);
  const sorted = Float64Array.from(lat).sort();
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted[sorted.length - 1] ?? NaN, smallCalls: lat.length, bigCalls };
}

console.log(`small request ${small.length} B, big request ${(big.length / 2 ** 20).toFixed(2)} MiB; ${DURATION} ms per cell, ${REPS} rep(s)`);
console.log('| flags | small calls/s at c=16 | p99 ms at c=16 | small p50 ms with big calls | small p99 ms with big calls | small max ms | big calls/s |');
console.log('|---:|---:|---:|---:|---:|---:|---:|');
for (let r = 0; r < REPS; r++) {
  for (const w of WORKERS) {
    const [n, min] = w.split(':');
    const flags = ['--workers', String(n), ...(min === undefined ? [] : ['--worker-min-bytes', min])];
    const spawned = await spawnFunction(process.execPath, [...imageNodeFlags(), dist, '--response-cache-entries', '0', ...flags], small);
    const client = new RawFunctionClient(spawned.address);
    try {
      // Warm-up (and, with workers, until they are ready: the first calls after start run in process).
      await new Promise((res) => setTimeout(res, 1500));
      await load(client, small, 16, 1000);
      await client.callBytes(big, 60_000);
      const t = await load(client, small, 16, DURATION);
      const m = await mixed(client);
      console.log(`| \`${flags.join(' ')}\` | ${t.throughput.toFixed(0)} | ${t.p99.toFixed(1)} | ${m.p50.toFixed(1)} | ${m.p99.toFixed(1)} | ${m.max.toFixed(0)} | ${(m.bigCalls / (DURATION / 1000)).toFixed(1)} |`);
    } finally {
      client.close();
      await spawned.stop();
    }
  }
}
