/**
 * Soak test (issue 5, item 2): starts the real entry point as its own process
 * (`node --import tsx function/server/main.ts --insecure --address 127.0.0.1:<port>`), hammers it with
 * a mix of requests from `--concurrency` concurrent callers for `--seconds`, checks every answer
 * byte for byte against that request's first answer, and prints calls, errors, latency
 * percentiles and the server's RSS (VmRSS from /proc) over time. RSS must stay flat.
 *
 *   npx tsx bench/soak.ts [--seconds 60] [--concurrency 16] [--warmup 5] [--dist] [--server-arg=<flag> ...] [--node-arg=<flag> ...]
 *
 * With --dist the server runs as the package image runs it: `node <the image's node flags>
 * dist/function/server/main.js`, the flags read from the Dockerfile's ENTRYPOINT (they size V8's
 * heap, so RSS figures without them would not be the image's). --node-arg replaces them.
 *
 * Loopback only. Exits 1 on any error or mismatched answer.
 */
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import * as wire from '../function/wire/messages.js';
import { RawFunctionClient } from '../test/support/grpc-client.js';
import { actorDoc, baseSpec, request } from '../test/support/requests.js';
import { rssKiB, spawnBuiltEntryPoint, spawnEntryPoint } from '../test/support/spawn.js';
import { imageNodeFlags } from './spawn.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    concurrency: { type: 'string', default: '16' },
    warmup: { type: 'string', default: '5' },
    // The shipped entry point (`node dist/function/server/main.js`, after `npm run build`) instead
    // of the sources through tsx, whose loader alone holds tens of MiB: RSS figures need this.
    dist: { type: 'boolean', default: false },
    // Extra server flags, e.g. --server-arg=--response-cache-entries --server-arg=0.
    'server-arg': { type: 'string', multiple: true, default: [] },
    // Node flags for the --dist server instead of the image's (e.g. --node-arg=--max-semi-space-size=16).
    'node-arg': { type: 'string', multiple: true },
  },
});
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const warmup = Number(values.warmup);

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a !== null ? resolve(a.port) : reject(new Error('no port'))));
    });
  });

const encode = (req: ReturnType<typeof request>): Buffer => wire.encode(wire.RunFunctionRequest, req as unknown as Record<string, unknown>);
const earlierDeployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'custom', annotations: { 'crossplane.io/composition-resource-name': 'deployment' } },
  spec: { replicas: 2, selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'asya-runtime', image: 'x:1' }] } } },
};
const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', annotations: { 'crossplane.io/composition-resource-name': 'config' } }, data: { a: 'b' } };
const mounts = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    name: `m${i}`,
    mount: { path: `/state/m${i}` },
    connector: { image: 'ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-cas:v1', env: [{ name: 'STATE_BUCKET', value: `bucket-${i}` }] },
  }));

/** The request mix: typical, many mounts, restricted, augmenting, invalid, large, deep, garbage. */
const MIX: Array<[string, Buffer]> = [
  ['typical', encode(request({ xr: actorDoc(baseSpec), desired: [configMap], tag: 'typical' }))],
  ['16 mounts', encode(request({ xr: actorDoc({ ...baseSpec, stateProxy: mounts(16) }), tag: 'many' }))],
  ['restricted', encode(request({ xr: actorDoc(baseSpec), input: { securityProfile: 'restricted', sidecar: { image: 'ghcr.io/x/sidecar:1' } }, tag: 'restricted' }))],
  ['augment', encode(request({ xr: actorDoc(baseSpec), desired: [earlierDeployment, configMap], tag: 'augment' }))],
  ['invalid', encode(request({ xr: actorDoc({ ...baseSpec, stateProxy: [{ ...baseSpec.stateProxy[0], mount: { path: '/state/a:b' } }] }), tag: 'invalid' }))],
  ['200 KiB env', encode(request({ xr: actorDoc({ ...baseSpec, env: Array.from({ length: 50 }, (_, i) => ({ name: `E${i}`, value: 'v'.repeat(4096) })) }), tag: 'large' }))],
  ['nested 300', encode(request({ xr: actorDoc({ ...baseSpec, volumes: [{ name: 'deep', emptyDir: {}, free: JSON.parse(`${'{"a":'.repeat(300)}1${'}'.repeat(300)}`) as unknown }] }), tag: 'deep' }))],
  ['garbage', Buffer.from([0xff, 0xff, 0xff, 0x0f, 0x01])],
];

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

const port = await freePort();
const serverArgs = ['--insecure', '--address', `127.0.0.1:${port}`, ...(values['server-arg'] ?? [])];
const nodeFlags = values['node-arg'] ?? imageNodeFlags();
const server = values.dist === true ? spawnBuiltEntryPoint(serverArgs, nodeFlags) : spawnEntryPoint(serverArgs);
const pid = server.child.pid as number;
const client = new RawFunctionClient(`127.0.0.1:${port}`);
try {
  for (let i = 0; ; i++) {
    try {
      await client.callBytes(MIX[0]?.[1] as Buffer, 1_000);
      break;
    } catch (err) {
      if (i > 100 || server.child.exitCode !== null) throw new Error(`server did not start: ${String(err)} ${server.stderr()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const rssIdle = await rssKiB(pid);
  const expected = await Promise.all(MIX.map(([, bytes]) => client.callBytes(bytes)));

  let calls = 0;
  let errors = 0;
  let mismatches = 0;
  const firstErrors: string[] = [];
  let latencies = new Float64Array(1 << 20);
  let kinds = new Uint8Array(1 << 20);
  let recorded = 0;
  const samples: Array<[number, number]> = [];

  const run = async (untilMs: number, record: boolean) => {
    let next = 0;
    const worker = async () => {
      while (performance.now() < untilMs) {
        const k = next++ % MIX.length;
        const t0 = performance.now();
        try {
          const got = await client.callBytes(MIX[k]?.[1] as Buffer, 30_000);
          if (!record) continue;
          const ms = performance.now() - t0;
          if (recorded === latencies.length) {
            const bigger = new Float64Array(latencies.length * 2);
            bigger.set(latencies);
            latencies = bigger;
            const biggerKinds = new Uint8Array(kinds.length * 2);
            biggerKinds.set(kinds);
            kinds = biggerKinds;
          }
          kinds[recorded] = k;
          latencies[recorded++] = ms;
          calls++;
          if (!got.equals(expected[k] as Buffer)) {
            mismatches++;
            if (firstErrors.length < 5) firstErrors.push(`${MIX[k]?.[0]}: answer differs from the first one`);
          }
        } catch (err) {
          if (!record) throw err;
          calls++;
          errors++;
          if (firstErrors.length < 5) firstErrors.push(`${MIX[k]?.[0]}: ${String(err)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  };

  console.log(`soak: ${seconds} s, ${concurrency} concurrent callers, ${MIX.length} request kinds (${MIX.map(([n]) => n).join(', ')}), server pid ${pid} on 127.0.0.1:${port}`);
  if (values.dist === true) console.log(`server    node ${[...nodeFlags, 'dist/function/server/main.js', ...serverArgs].join(' ')}`);
  await run(performance.now() + warmup * 1000, false);
  const rssBefore = await rssKiB(pid);
  const start = performance.now();
  const sampler = setInterval(() => {
    void rssKiB(pid).then((kib) => samples.push([(performance.now() - start) / 1000, kib]));
  }, 5_000);
  await run(start + seconds * 1000, true);
  clearInterval(sampler);
  const elapsed = (performance.now() - start) / 1000;
  const rssAfter = await rssKiB(pid);

  const sorted = latencies.slice(0, recorded).sort();
  const mb = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;
  console.log(`calls     ${calls} (${(calls / elapsed).toFixed(0)}/s), errors ${errors}, mismatched answers ${mismatches}`);
  console.log(`latency   p50 ${percentile(sorted, 50).toFixed(2)} ms, p90 ${percentile(sorted, 90).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms, max ${(sorted[sorted.length - 1] ?? 0).toFixed(2)} ms`);
  const perKind = MIX.map(([name], k) => {
    const xs = latencies.slice(0, recorded).filter((_, i) => kinds[i] === k).sort();
    return `${name} ${percentile(xs, 50).toFixed(1)}/${percentile(xs, 99).toFixed(1)}`;
  });
  console.log(`per kind  p50/p99 ms: ${perKind.join(', ')}`);
  console.log(`RSS       idle ${mb(rssIdle)}, after ${warmup} s warm-up ${mb(rssBefore)}, after soak ${mb(rssAfter)} (${rssAfter >= rssBefore ? '+' : ''}${mb(rssAfter - rssBefore)})`);
  await new Promise((r) => setTimeout(r, 5_000));
  console.log(`RSS idle 5 s after the soak ${mb(await rssKiB(pid))}`);
  console.log(`RSS trend ${samples.map(([t, k]) => `${t.toFixed(0)}s:${(k / 1024).toFixed(0)}`).join(' ')} MiB`);
  for (const e of firstErrors) console.log(`  ${e}`);
  server.child.kill('SIGTERM');
  const exit = await server.exited;
  console.log(`server exit ${exit.code} after SIGTERM`);
  process.exitCode = errors + mismatches > 0 ? 1 : 0;
} finally {
  client.close();
  if (server.child.exitCode === null) server.child.kill('SIGKILL');
}
