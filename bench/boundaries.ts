/**
 * Cost of hostile-but-legal inputs (issue 12 item 2): requests of about 4 MiB in many shapes,
 * answered in-process (decode, validate, render, encode: computeAnswer), and `validate` of 4 MB
 * YAML files (checkSource, the CLI's path). Prints the median of a few runs per shape, wall time and
 * CPU time; the goals are < 200 ms per request and < 1 s per validate file on this machine.
 *
 * Requests are scaled so that their wire size is just under the 4 MiB receive limit (a larger one
 * is refused by grpc-js before any work). Each shape is also answered at half that size: the
 * `x2 cost` column is the CPU time ratio full/half, about 2 for a linear path; over 3 is flagged as
 * super-linear.
 *
 *   npx tsx bench/boundaries.ts [runs] [all|requests|validate] [shape filter]
 *
 * The filter (a substring of the shape name) runs only the matching shapes: for CPU profiles of
 * one shape. With BOUNDARIES_PROFILE=<file.cpuprofile> only the timed calls are profiled (the
 * inspector's profiler is on around them, not while requests are built and encoded); run the tsc
 * build for that, tsx's injected helpers distort profiles. With BOUNDARIES_DIGEST=1 each row also
 * prints (on stderr) a SHA-256 of its answer or report, to check that two builds answer alike.
 * With BOUNDARIES_STAGES=1 each request row also prints (on stderr) the median CPU ms of its
 * stages run one by one: decode, handler (nesting guard, validation, render) and encode.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { performance } from 'node:perf_hooks';
import YAML from 'yaml';
import { answer, computeAnswer, serializeResponse } from '../function/server/server.js';
import { decodeRequestSafely } from '../function/wire/codec.js';
import { checkSource } from '../function/validate/check.js';
import { defaultValidator } from '../function/validate/schema-file.js';
import * as wire from '../function/wire/messages.js';
import { actorDoc, baseSpec, request, weightsMount } from '../test/support/requests.js';

const RUNS = Number(process.argv[2] ?? 3);
/** Which table(s): the request one, the validate one, or both (default). */
const PART = process.argv[3] ?? 'all';
const ONLY = process.argv[4];
const MiB = 1024 * 1024;

const WIRE_LIMIT = 4 * MiB - 16 * 1024;
const wireOf = (doc: Record<string, unknown>) => wire.encode(wire.RunFunctionRequest, request({ xr: doc }) as unknown as Record<string, unknown>);

const mount = (i: number) => ({ ...weightsMount, name: `m${i}`, mount: { path: `/state/m${i}` } });
/** As many copies of `make(i)` as fit in about `bytes` of JSON. */
function fill<T>(bytes: number, make: (i: number) => T): T[] {
  const one = JSON.stringify(make(0)).length + 1;
  return Array.from({ length: Math.floor(bytes / one) }, (_, i) => make(i));
}
const nested = (depth: number, width: number): unknown => {
  let v: unknown = 'leaf';
  for (let d = 0; d < depth; d++) v = Object.fromEntries(Array.from({ length: width }, (_, k) => [`k${k}`, k === 0 ? v : 'x']));
  return v;
};

const shapes: Array<[string, (target: number) => Record<string, unknown>]> = [
  ['stateProxy: 4 MB of mounts (over the 32 limit)', (target) => ({ ...baseSpec, stateProxy: fill(target, mount) })],
  ['stateProxy: 4 MB of nested mount paths /a/a/a...', (target) => ({ ...baseSpec, stateProxy: fill(target, (i) => ({ ...mount(i), mount: { path: `/a${'/a'.repeat(i % 120)}` } })) })],
  ['stateProxy: 4 MB of duplicate names', (target) => ({ ...baseSpec, stateProxy: fill(target, () => mount(1)) })],
  ['env: 4 MB of entries (over the 256 limit)', (target) => ({ ...baseSpec, env: fill(target, (i) => ({ name: `E${i}`, value: 'v' })) })],
  ['env: 250 entries of 16 KB (valid)', (target) => ({ ...baseSpec, env: Array.from({ length: 250 }, (_, i) => ({ name: `E${i}`, value: 'v'.repeat(Math.floor(target / 256)) })) })],
  ['volumes: 4 MB (over the limit)', (target) => ({ ...baseSpec, volumes: fill(target, (i) => ({ name: `v${i}`, emptyDir: {} })) })],
  ['one 4 MB handler', (target) => ({ ...baseSpec, handler: `a.${'b'.repeat(target)}` })],
  ['one 4 MB mount path', (target) => ({ ...baseSpec, stateProxy: [{ ...mount(0), mount: { path: `/${'a/'.repeat(target / 2)}b` } }] })],
  ['mount path of 4 MB of "." segments', (target) => ({ ...baseSpec, stateProxy: [{ ...mount(0), mount: { path: '/.'.repeat(target / 2) } }] })],
  ['tolerations: 4 MB (free-form list)', (target) => ({ ...baseSpec, tolerations: fill(target, (i) => ({ key: `k${i}`, operator: 'Exists' })) })],
  ['nodeSelector: 4 MB of keys', (target) => ({ ...baseSpec, nodeSelector: Object.fromEntries(fill(target, (i) => [`k${i}`, 'v'])) })],
  // Keys as labels are usually written (a domain prefix), 13 to 64 characters: another decoding path.
  ['nodeSelector: 4 MB of prefixed keys', (target) => ({ ...baseSpec, nodeSelector: Object.fromEntries(fill(target, (i) => [`example.com/key-${i}`, 'v'])) })],
  ['resources: 4 MB nested 400 deep', (target) => ({ ...baseSpec, resources: nested(400, Math.floor(target / 400 / 8)) })],
  ['unknown fields: 4 MB of them', (target) => ({ ...baseSpec, ...Object.fromEntries(fill(target, (i) => [`x${i}`, 1])) })],
];

const PROFILE = process.env['BOUNDARIES_PROFILE'];
const DIGEST = process.env['BOUNDARIES_DIGEST'] === '1';
const STAGES = process.env['BOUNDARIES_STAGES'] === '1';
/** Median CPU ms of each stage of computeAnswer, each timed on its own. */
function stages(name: string, bytes: Uint8Array): void {
  const decoded = decodeRequestSafely(bytes);
  const rsp = answer(decoded);
  const decode = time(() => decodeRequestSafely(bytes)).cpu;
  const handler = time(() => answer(decoded)).cpu;
  const encode = time(() => serializeResponse(rsp)).cpu;
  console.error(`stages | ${name} | decode ${decode.toFixed(0)} | handler ${handler.toFixed(0)} | encode ${encode.toFixed(0)}`);
}
const digest = (name: string, bytes: Uint8Array | string) => {
  if (DIGEST) console.error(`digest | ${name} | ${createHash('sha256').update(bytes).digest('hex')}`);
};
const session = PROFILE === undefined ? undefined : new Session();
const post = (method: string, params?: object) =>
  new Promise<unknown>((resolve, reject) => session?.post(method, params, (err, res) => (err === null ? resolve(res) : reject(err))));
if (session !== undefined) {
  session.connect();
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
}
/** Synchronous on/off: the inspector answers these posts in the same turn. */
const profiling = (on: boolean) => {
  if (session === undefined) return;
  if (on) session.post('Profiler.start');
  else session.post('Profiler.stop', (err, res) => {
    if (err === null) profiles.push(res.profile);
  });
};
const profiles: object[] = [];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
/**
 * Median wall time and median CPU time (this process, all threads) of RUNS calls. CPU time is the
 * steadier figure on a shared machine: a descheduled process accrues none.
 */
const time = (f: () => unknown) => {
  const ms: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    profiling(true);
    const c = process.cpuUsage();
    const t = performance.now();
    f();
    ms.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
    profiling(false);
  }
  return { ms: median(ms), cpu: median(cpu) };
};

if (PART !== 'validate') console.log(`requests (computeAnswer: decode, validate, render, encode), median of ${RUNS}; x2 cost = CPU ms / CPU ms at half the size`);
if (PART !== 'validate') console.log('| shape | request MiB | ms | CPU ms | x2 cost |\n|---|---:|---:|---:|---:|');
const docs: Array<[string, Record<string, unknown>]> = [];
/** The largest size parameter (of a few tries) whose request stays under the wire limit. */
function fit(make: (target: number) => Record<string, unknown>): number {
  let target = 4 * MiB;
  for (let i = 0; i < 4; i++) {
    const len = wireOf(actorDoc(make(target))).length;
    if (len <= WIRE_LIMIT && len > WIRE_LIMIT * 0.97) break;
    target = Math.floor(target * (WIRE_LIMIT * 0.985) / len);
  }
  return target;
}
const row = (name: string, full: Uint8Array, half: Uint8Array) => {
  if (PART === 'validate') return;
  digest(name, computeAnswer(full).out);
  const { ms, cpu } = time(() => computeAnswer(full));
  const halfCpu = time(() => computeAnswer(half)).cpu;
  const x2 = cpu / Math.max(halfCpu, 0.5);
  console.log(`| ${name} | ${(full.length / MiB).toFixed(2)} | ${ms.toFixed(0)} | ${cpu.toFixed(0)} | ${x2.toFixed(1)}${x2 > 3 ? ' super-linear?' : ''} |`);
  if (STAGES) stages(name, full);
};
for (const [name, make] of shapes) {
  if (ONLY !== undefined && !name.includes(ONLY)) continue;
  const target = fit(make);
  const doc = actorDoc(make(target));
  docs.push([name, doc]);
  row(name, wireOf(doc), wireOf(actorDoc(make(Math.floor(target / 2)))));
}
// Earlier-step resources: 4 MB of ConfigMaps passed through.
if (ONLY === undefined || 'earlier steps: 4 MiB of ConfigMaps'.includes(ONLY)) {
  const cm = (i: number) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}`, annotations: { 'crossplane.io/composition-resource-name': `c${i}` } }, data: { a: 'b' } });
  const withDesired = (bytes: number) => wire.encode(wire.RunFunctionRequest, request({ xr: actorDoc(baseSpec), desired: fill(bytes, cm) }) as unknown as Record<string, unknown>);
  const scale = WIRE_LIMIT * 0.985 / withDesired(MiB).length;
  row('earlier steps: 4 MiB of ConfigMaps', withDesired(Math.floor(MiB * scale)), withDesired(Math.floor((MiB * scale) / 2)));
}

if (PART !== 'requests') {
  console.log(`\nvalidate (checkSource on one YAML file), median of ${RUNS}`);
  console.log('| file | MB | ms | CPU ms |');
  console.log('|---|---:|---:|---:|');
  const validator = defaultValidator();
  for (const [name, doc] of docs) {
    const text = YAML.stringify(doc, { aliasDuplicateObjects: false });
    if (text.length > 5_000_000) continue;
    digest(name, JSON.stringify(checkSource(text, 'bench.yaml', validator)));
    const { ms, cpu } = time(() => checkSource(text, 'bench.yaml', validator));
    console.log(`| ${name} | ${(text.length / 1e6).toFixed(2)} | ${ms.toFixed(0)} | ${cpu.toFixed(0)} |`);
  }
}
if (PROFILE !== undefined) {
  // One profile per timed call; the first full-size one of the last shape is the usual target.
  profiles.forEach((p, i) => writeFileSync(PROFILE.replace(/(\.cpuprofile)?$/, `.${i}.cpuprofile`), JSON.stringify(p)));
  console.error(`${profiles.length} profiles written next to ${PROFILE}`);
}
