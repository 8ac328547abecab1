/**
 * Cost of hostile-but-legal inputs (issue 12 item 2): requests of about 4 MiB in many shapes,
 * answered in-process (decode, validate, render, encode: computeAnswer), and `validate` of 4 MB
 * YAML files (checkSource, the CLI's path). Prints the median of a few runs per shape, wall time and
 * CPU time; the goals are < 200 ms per request and < 1 s per validate file on this machine.
 *
 * Requests are scaled so that their wire size is just under the 4 MiB receive limit (a larger one
 * is refused by grpc-js before any work). Each shape is also answered at half that size: the
 * `x2 cost` column is the CPU time ratio full/half, about 2 for a linear path; over 3 is flagged as
 * super-linear. Last, the costliest valid request under the label bound (bench/boundary-shapes.ts,
 * atLabelBound), smaller than 4 MiB but rendered in full. The shapes themselves are in
 * bench/boundary-shapes.ts; bench/boundaries-wire.ts sends them over gRPC to the built server.
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
import { AT_LABEL_BOUND, atLabelBound, EARLIER_STEPS, earlierSteps, fit, MiB, shapes, wireOf } from './boundary-shapes.js';

const RUNS = Number(process.argv[2] ?? 3);
/** Which table(s): the request one, the validate one, or both (default). */
const PART = process.argv[3] ?? 'all';
const ONLY = process.argv[4];

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
  const doc = make(target);
  docs.push([name, doc]);
  row(name, wireOf(doc), wireOf(make(Math.floor(target / 2))));
}
if (ONLY === undefined || EARLIER_STEPS.includes(ONLY)) {
  const { full, half } = earlierSteps();
  row(EARLIER_STEPS, full, half);
}
if (ONLY === undefined || AT_LABEL_BOUND.includes(ONLY)) {
  const { full, half } = atLabelBound();
  row(AT_LABEL_BOUND, full, half);
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
