/**
 * The 4 MiB shapes of bench/boundaries.ts (bench/boundary-shapes.ts) sent over gRPC to the built
 * entry point as the image starts it (`node <the image's node flags> dist/function/server/main.js`,
 * response cache off): the latency a caller sees, from the first byte sent to the last byte
 * received, with receiving, the copy to a worker thread and sending back included. Issue 12
 * item 2's goal is < 200 ms per request on this machine. One call at a time, after one warm-up
 * call per shape; median and max of `runs` calls.
 *
 * `--workers` lists the server variants (`default` is the server's own default; a number is
 * `--workers N`).
 *
 *   npm run build && npx tsx bench/boundaries-wire.ts [--runs 5] [--workers default,0] [--only <shape filter>] [--node <node binary>]
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { RawFunctionClient } from '../test/support/grpc-client.js';
import { AT_LABEL_BOUND, atLabelBound, EARLIER_STEPS, earlierSteps, fit, MiB, shapes, wireOf } from './boundary-shapes.js';
import { BENCH_INPUT, benchActor, benchRequest } from './fixtures.js';
import { RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import { ROOT } from './peer.js';
import { imageNodeFlags, spawnFunction } from './spawn.js';

const { values } = parseArgs({ options: { runs: { type: 'string' }, workers: { type: 'string' }, only: { type: 'string' }, node: { type: 'string' } } });
const RUNS = Number(values.runs ?? 5);
const VARIANTS = (values.workers ?? 'default,0').split(',');
const ONLY = values.only;
/** The node binary the server runs on (the image runs Node 24). */
const NODE = values.node ?? process.execPath;
const dist = join(ROOT, 'dist/function/server/main.js');

const requests: Array<[string, Uint8Array]> = [];
for (const [name, make] of shapes) {
  if (ONLY === undefined || name.includes(ONLY)) requests.push([name, wireOf(make(fit(make)))]);
}
if (ONLY === undefined || EARLIER_STEPS.includes(ONLY)) requests.push([EARLIER_STEPS, earlierSteps().full]);
if (ONLY === undefined || AT_LABEL_BOUND.includes(ONLY)) requests.push([AT_LABEL_BOUND, atLabelBound().full]);

const small = RunFunctionRequest.encode(benchRequest(benchActor(8), BENCH_INPUT)).finish();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

console.log(`over gRPC to the built server on ${NODE} (response cache off), one call at a time, median and max of ${RUNS}`);
console.log(`| shape | request MiB | ${VARIANTS.map((v) => `${v === 'default' ? 'default workers' : `--workers ${v}`} ms (max)`).join(' | ')} |`);
console.log(`|---|---:|${VARIANTS.map(() => '---:').join('|')}|`);
const cells = new Map<string, string[]>();
for (const variant of VARIANTS) {
  const flags = variant === 'default' ? [] : ['--workers', variant];
  const spawned = await spawnFunction(NODE, [...imageNodeFlags(), dist, '--response-cache-entries', '0', ...flags], small);
  const client = new RawFunctionClient(spawned.address);
  try {
    // Workers start after the port opens; until they are ready, calls are answered in process.
    await new Promise((res) => setTimeout(res, 1500));
    for (const [name, bytes] of requests) {
      await client.callBytes(bytes, 60_000);
      const ms: number[] = [];
      for (let r = 0; r < RUNS; r++) {
        const t = performance.now();
        await client.callBytes(bytes, 60_000);
        ms.push(performance.now() - t);
      }
      const row = cells.get(name) ?? [];
      row.push(`${median(ms).toFixed(0)} (${Math.max(...ms).toFixed(0)})`);
      cells.set(name, row);
    }
  } finally {
    client.close();
    await spawned.stop();
  }
}
for (const [name, bytes] of requests) console.log(`| ${name} | ${(bytes.length / MiB).toFixed(2)} | ${(cells.get(name) ?? []).join(' | ')} |`);
