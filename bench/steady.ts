/**
 * Steady-state throughput of server variants against the peer, interleaved: each server is warmed
 * up for WARM ms first (V8 is still compiling the hot paths for several seconds after start, which
 * a 1 s warm-up leaves in the figures), then REPS rotated cells of DUR ms at concurrency C.
 *
 *   npm run build && npx tsx bench/steady.ts [--workers 0,2] [--busy-offload] [--min-bytes-zero] [--node-flags '<flags>' ...]
 *   env: C (16), WARM (8000), DUR (3000), REPS (4)
 *
 * Every variant is `node <image flags> dist/function/server/main.js --response-cache-entries 0
 * --workers N` (plus --busy-offload or --worker-min-bytes 0 when given: without either, requests of
 * the benchmark's size stay in the main thread whatever N is); the peer is function-go-templating
 * v0.12.2 (bench/peer.ts). Each --node-flags
 * (space-separated Node flags, e.g. '--max-semi-space-size=4') replaces the image's flags in one
 * more set of variants, so flag choices are compared within one run.
 */
import { parseArgs } from 'node:util';
import { RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import { BENCH_INPUT, benchActor, benchRequest } from './fixtures.js';
import { load } from './load.js';
import { median } from './micro.js';
import { ensurePeerBinary, peerInput } from './peer.js';
import { imageNodeFlags, spawnFunction } from './spawn.js';
import { RawFunctionClient } from '../test/support/grpc-client.js';

const { values: opts } = parseArgs({ options: { workers: { type: 'string' }, 'min-bytes-zero': { type: 'boolean' }, 'busy-offload': { type: 'boolean' }, 'node-flags': { type: 'string', multiple: true } } });
const conc = Number(process.env['C'] ?? 16);
const warm = Number(process.env['WARM'] ?? 8000);
const dur = Number(process.env['DUR'] ?? 3000);
const reps = Number(process.env['REPS'] ?? 4);
const ours = RunFunctionRequest.encode(benchRequest(benchActor(8), BENCH_INPUT)).finish();
const peer = ensurePeerBinary();
if (!peer.ok) throw new Error(peer.why);
const flagSets = [imageNodeFlags(), ...(opts['node-flags'] ?? []).map((f) => f.split(' ').filter((x) => x !== ''))];
const variants = flagSets.flatMap((flags, k) => (opts.workers ?? '0,2').split(',').map((w) => ({
  id: `--workers ${w}${opts['busy-offload'] === true ? ' --busy-offload' : ''}${k === 0 ? '' : ` ${flags.join(' ')}`}`,
  cmd: process.execPath,
  args: [...flags, 'dist/function/server/main.js', '--response-cache-entries', '0', '--workers', w, ...(opts['busy-offload'] === true ? ['--busy-offload'] : []), ...(opts['min-bytes-zero'] === true ? ['--worker-min-bytes', '0'] : [])],
  req: ours,
})));
const all = [...variants, { id: 'peer', cmd: peer.path, args: [] as string[], req: RunFunctionRequest.encode(benchRequest(benchActor(8), peerInput())).finish() }];
const runs = [];
for (const s of all) {
  const spawned = await spawnFunction(s.cmd, s.args, s.req);
  runs.push({ ...s, spawned, client: new RawFunctionClient(spawned.address), calls: [] as number[], p99: [] as number[] });
}
try {
  for (const r of runs) await load(r.client, r.req, conc, warm);
  for (let i = 0; i < reps; i++) {
    for (let j = 0; j < runs.length; j++) {
      const r = runs[(i + j) % runs.length] as (typeof runs)[number];
      const x = await load(r.client, r.req, conc, dur);
      r.calls.push(x.throughput);
      r.p99.push(x.p99);
    }
  }
  const peerMedian = median((runs.at(-1) as (typeof runs)[number]).calls);
  console.log(`concurrency ${conc}, ${warm / 1000} s warm-up, ${reps} x ${dur / 1000} s cells (calls/s, median, ratio to the peer, median p99 ms)`);
  for (const r of runs) console.log(`${r.id.padEnd(40)} ${r.calls.map((x) => x.toFixed(0)).join(' ')}  median ${median(r.calls).toFixed(0)}  ${(median(r.calls) / peerMedian).toFixed(2)}x  p99 ${median(r.p99).toFixed(1)}`);
} finally {
  for (const r of runs) {
    r.client.close();
    await r.spawned.stop();
  }
}
