/**
 * Per-step cost of one uncached RunFunction call for the benchmark actor, in process: each step
 * of the handler timed on its own (bench/micro.ts), then the whole handler. Prints one JSON line
 * so that two builds can be run interleaved and compared (see bench/handler-compare.sh).
 *
 *   npx tsx bench/handler-profile.ts [mounts]                      (quick look; tsx skews profiles)
 *   node <tsc-out>/bench/handler-profile.js [mounts] [--only step,step] [--profile N [--augment|--advertised|--render]]
 *     (--profile: N calls and no timing, for node --cpu-prof)
 */
import { Capability, type RunFunctionRequest, Severity } from '@crossplane-org/function-sdk-typescript';
import { runFunction } from '../function/handler.js';
import { parseStepInput } from '../function/input/schema.js';
import { checkRender, collectWarnings, renderDeployment } from '../function/render/index.js';
import { asAsyncActorDocument } from '../function/schema/legacy.js';
import { validateAsyncActor } from '../function/schema/validate.js';
import { nestingRefusal } from '../function/wire/guard.js';
import { podTemplateShapeIssues } from '../function/render/pod-shape.js';
import { BENCH_INPUT, benchActor, benchRequest } from './fixtures.js';
import { consume, median, time } from './micro.js';

/** CPU microseconds per call (user + system, the whole process, so GC threads count): median of 15 batches. */
function cpuTime(fn: () => unknown, batches = 15, batchUs = 20_000): number {
  let n = 0;
  const warm = process.cpuUsage();
  while (elapsed(warm) < 100_000) {
    consume(fn());
    n++;
  }
  const perBatch = Math.max(1, Math.round((batchUs * n) / 100_000));
  const samples: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = process.cpuUsage();
    for (let i = 0; i < perBatch; i++) consume(fn());
    samples.push(elapsed(t0) / perBatch);
  }
  return median(samples);
}

function elapsed(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return d.user + d.system;
}

const args = process.argv.slice(2);
const mounts = Number(args.find((a) => /^\d+$/.test(a)) ?? 8);
const profileAt = args.indexOf('--profile');

const doc = benchActor(mounts);
const req = benchRequest(doc, BENCH_INPUT);
const input = parseStepInput(BENCH_INPUT);
const validated = validateAsyncActor(doc);
if (!input.ok || !validated.ok) throw new Error('benchmark actor or input is invalid');
const actor = validated.value;

// Each call gets its own desired map, as a decoded request has: the handler of main before this
// bench wrote its answer into the request's map, so a reused request turned every later call into
// the augment path.
const composite = req.desired?.composite;
const fresh = (): RunFunctionRequest => ({ ...req, desired: { composite, resources: {} } });
const rendered = runFunction(fresh()).desired?.resources['deployment'];
if (rendered === undefined) throw new Error('benchmark request renders nothing');
// The augment path: an earlier step already put a Deployment (our own render) under the key.
const augment = (): RunFunctionRequest => ({ ...req, desired: { composite, resources: { deployment: { ...rendered } } } });
// Crossplane 2.2 and later: capabilities advertised, so the pod's references are checked (the
// first iteration: nothing fetched yet, every reference pending).
const capabilities = [Capability.CAPABILITY_CAPABILITIES, Capability.CAPABILITY_REQUIRED_RESOURCES, Capability.CAPABILITY_CONDITIONS];
const advertised = (): RunFunctionRequest => ({ ...fresh(), meta: { tag: '', capabilities } });
for (const r of [fresh(), augment(), advertised()]) {
  if (runFunction(r).results.some((x) => x.severity === Severity.SEVERITY_FATAL)) throw new Error('benchmark request fails');
}

const template = (rendered.resource?.['spec'] as Record<string, unknown>)['template'];

if (profileAt >= 0) {
  const n = Number(args[profileAt + 1] ?? 20000);
  if (args.includes('--render')) {
    for (let i = 0; i < n; i++) consume(renderDeployment(actor, input.value));
  } else {
    const make = args.includes('--augment') ? augment : args.includes('--advertised') ? advertised : fresh;
    for (let i = 0; i < n; i++) consume(runFunction(make()));
  }
} else {
  const steps: Record<string, () => unknown> = {
    nestingRefusal: () => nestingRefusal(fresh()),
    nestingRefusalAugment: () => nestingRefusal(augment()),
    parseStepInput: () => parseStepInput(req.input),
    validateAsyncActor: () => validateAsyncActor(asAsyncActorDocument(req.observed?.composite?.resource)),
    checkRender: () => checkRender(actor, input.value),
    renderDeployment: () => renderDeployment(actor, input.value),
    podShape: () => podTemplateShapeIssues(template, ['desired', 'resources', 'deployment', 'spec', 'template']),
    collectWarnings: () => collectWarnings(actor, input.value),
    runFunction: () => runFunction(fresh()),
    runFunctionAugment: () => runFunction(augment()),
    runFunctionAdvertised: () => runFunction(advertised()),
  };
  // Wall time per call, min of 60 short batches (on a busy machine the batches the scheduler left
  // alone: the steadiest statistic), the median `npm run bench` reports, and the process's CPU
  // time per call (median of 15 batches).
  const only = args.indexOf('--only');
  const wanted = only >= 0 ? new Set((args[only + 1] ?? '').split(',')) : undefined;
  // Every step warm before any is timed: otherwise the first ones timed (validation) run while the
  // JIT is still tiering up the code that later steps share with them.
  const warmEnd = Date.now() + 1500;
  while (Date.now() < warmEnd) for (const fn of Object.values(steps)) consume(fn());
  const wall: Record<string, number> = {};
  const benchMedian: Record<string, number> = {};
  const cpu: Record<string, number> = {};
  for (const [name, fn] of Object.entries(steps)) {
    if (wanted !== undefined && !wanted.has(name)) continue;
    wall[name] = Number(time(fn, { batches: 60, batchMs: 5, warmupMs: 150 }).min.toFixed(2));
    // What `npm run bench` reports (bench/run.ts: bench/micro.ts's defaults, the median).
    benchMedian[name] = Number(time(fn).median.toFixed(2));
    cpu[name] = Number(cpuTime(fn).toFixed(2));
  }
  for (const m of [wall, benchMedian, cpu]) {
    if (m['runFunction'] !== undefined && m['validateAsyncActor'] !== undefined) m['runFunctionMinusValidate'] = Number((m['runFunction'] - m['validateAsyncActor']).toFixed(2));
    if (m['runFunctionAdvertised'] !== undefined && m['validateAsyncActor'] !== undefined) m['runFunctionAdvertisedMinusValidate'] = Number((m['runFunctionAdvertised'] - m['validateAsyncActor']).toFixed(2));
    if (m['runFunctionAugment'] !== undefined && m['validateAsyncActor'] !== undefined) m['runFunctionAugmentMinusValidate'] = Number((m['runFunctionAugment'] - m['validateAsyncActor']).toFixed(2));
  }
  console.log(JSON.stringify({ mounts, wallMin: wall, benchMedian, cpuMedian: cpu }));
}
