/**
 * The long fuzz run (issue 5, item 1): the properties `npm test` samples, at 100,000+ cases.
 * Seeded and reproducible; each failure prints the seed and the fast-check path that replays it
 * (`FC_SEED=<seed> FC_PATH=<path> npx vitest run <test file>`, or rerun this with --seed).
 *
 *   npx tsx bench/fuzz.ts [--runs 100000] [--seed 1592598565] [--only <name substring>]
 *
 * Exits 1 when any property failed.
 */
import { RunFunctionRequest, RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { parseArgs } from 'node:util';
import { checkRestricted } from '../function/render/index.js';
import { decodeRequest, decodeRequestSafely, encodeResponse } from '../function/wire/codec.js';
import { earlierComposite, earlierResources, mutate, mutation, stepInput, validActor } from '../test/support/actor-arbitraries.js';
import { FC_SEED } from '../test/support/fc.js';
import { buildRequest, earlierViolations, fatals, hostileViolations, podOf, serve, validActorViolations } from '../test/support/invariants.js';
import { hasProtoKey, requestMessage, responseMessage } from '../test/support/wire-arbitraries.js';
import { TARGETS, hostileSinkViolations, hostileString, sinkViolations } from '../test/support/sinks.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '100000' }, seed: { type: 'string' }, only: { type: 'string' } },
});
const total = Number(values.runs);
const seed = values.seed === undefined ? FC_SEED : Number(values.seed);

/** A property returns the violations it found (empty = pass). */
interface Prop {
  readonly name: string;
  readonly weight: number;
  readonly property: fc.IProperty<unknown[]>;
}

const check = (problems: string[]): boolean => {
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return true;
};

const restricted = stepInput.map((i) => ({ ...i, securityProfile: 'restricted' }));

const props: Prop[] = [
  {
    name: '(a) valid actor renders a contract-conforming pod',
    weight: 24,
    property: fc.property(validActor(), fc.option(stepInput, { nil: undefined }), (gen, input) => check(validActorViolations(gen, input))),
  },
  {
    name: '(a) valid actor with 24-32 mounts',
    weight: 3,
    property: fc.property(validActor(32, 24), stepInput, (gen, input) => check(validActorViolations(gen, input))),
  },
  {
    name: '(a) restricted profile passes checkRestricted',
    weight: 8,
    property: fc.property(validActor(5), restricted, (gen, input) => {
      const { rsp } = serve(buildRequest({ xr: gen.xr, input }));
      return check([...fatals(rsp).map((f) => f.message), ...checkRestricted(podOf(rsp) as never).map((i) => `${i.rule}`)]);
    }),
  },
  {
    name: '(b) random JSON object as the XR',
    weight: 15,
    property: fc.property(fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 6 }), earlierResources('deployment'), (xr, earlier) =>
      check(hostileViolations(JSON.parse(JSON.stringify(xr)), earlier)),
    ),
  },
  {
    name: '(b) mutated valid actor',
    weight: 25,
    property: fc.property(validActor(4), fc.array(mutation, { minLength: 1, maxLength: 3 }), earlierResources('deployment'), (gen, ms, earlier) =>
      check(hostileViolations(mutate(gen.xr, ms), earlier)),
    ),
  },
  {
    name: '(c) earlier-step desired state untouched',
    weight: 10,
    property: fc.property(validActor(3), earlierResources('deployment'), earlierComposite, (gen, earlier, composite) => {
      const { rsp } = serve(buildRequest({ xr: gen.xr, desired: earlier, composite }));
      return check([...fatals(rsp).map((f) => f.message), ...earlierViolations(earlier, rsp, 'deployment')]);
    }),
  },
  {
    name: 'security: every pod sink holds a validated value',
    weight: 5,
    property: fc.property(validActor(5), fc.option(stepInput, { nil: undefined }), (gen, input) => {
      const { rsp } = serve(buildRequest({ xr: gen.xr, input }));
      return check([...fatals(rsp).map((f) => f.message), ...sinkViolations(rsp.desired?.resources['deployment']?.resource as Record<string, unknown>)]);
    }),
  },
  {
    name: 'security: hostile strings in sink fields',
    weight: 10,
    property: fc.property(validActor(2), fc.constantFrom(...TARGETS), hostileString, (gen, target, value) => check(hostileSinkViolations(gen.xr, target, value))),
  },
  {
    name: 'wire: request decode = SDK decode',
    weight: 6,
    property: fc.property(requestMessage.filter((r) => !hasProtoKey(r)), (req) => {
      const bytes = RunFunctionRequest.encode(req as unknown as RunFunctionRequest).finish();
      return isDeepStrictEqual(decodeRequest(bytes), RunFunctionRequest.decode(bytes)) || check(['decode differs from the SDK']);
    }),
  },
  {
    name: 'wire: response encode = SDK encode',
    weight: 6,
    property: fc.property(responseMessage.filter((r) => !hasProtoKey(r)), (rsp) =>
      encodeResponse(rsp as unknown as RunFunctionResponse).equals(Buffer.from(RunFunctionResponse.encode(rsp as unknown as RunFunctionResponse).finish())) ||
      check(['encode differs from the SDK']),
    ),
  },
  {
    name: 'wire: random bytes never throw',
    weight: 3,
    property: fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      decodeRequestSafely(bytes);
      return true;
    }),
  },
];

const selected = props.filter((p) => values.only === undefined || p.name.includes(values.only));
const weights = selected.reduce((n, p) => n + p.weight, 0);
console.log(`fuzz: ${total} cases, seed ${seed}`);
const started = performance.now();
let casesRun = 0;
let failures = 0;
for (const p of selected) {
  const numRuns = Math.max(1, Math.round((total * p.weight) / weights));
  const t0 = performance.now();
  const details = fc.check(p.property, { seed, numRuns, endOnFailure: true });
  const ms = performance.now() - t0;
  casesRun += details.numRuns;
  const status = details.failed ? 'FAILED' : 'ok';
  console.log(`  ${status.padEnd(6)} ${p.name.padEnd(48)} ${String(details.numRuns).padStart(7)} cases ${(ms / 1000).toFixed(1).padStart(6)} s`);
  if (details.failed) {
    failures++;
    console.log(`    seed ${details.seed} path ${details.counterexamplePath}`);
    console.log(`    counterexample: ${fc.stringify(details.counterexample).slice(0, 2_000)}`);
    console.log(`    ${String(details.errorInstance instanceof Error ? details.errorInstance.message : details.errorInstance).slice(0, 2_000)}`);
  }
}
const seconds = (performance.now() - started) / 1000;
console.log(`fuzz: ${casesRun} cases run, ${failures} failing properties, ${seconds.toFixed(1)} s`);
process.exit(failures > 0 ? 1 : 0);
