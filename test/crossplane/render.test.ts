/**
 * `crossplane render` (the real CLI) against the function running in this process, compared
 * with reviewed golden files under test/golden/crossplane-render/.
 *
 * Regenerate deliberately with `UPDATE_GOLDEN=1 npx vitest run test/crossplane/render.test.ts`,
 * then review the diff like code.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { startEarlierStepFunction } from '../support/earlier-step-function.js';
import { describeWithCrank, ROOT, run, expectGoldenRender, UPDATE_GOLDEN } from './crank.js';
import { startOurFunction, writeFunctionsFile } from './functions.js';

const GOLDEN = join(ROOT, 'test/golden/crossplane-render');
const COMPOSITION = 'compositions/asyncactor-state-proxy.yaml';

interface Case {
  readonly name: string;
  readonly xr: string;
  readonly composition?: string;
  readonly observed?: string;
}

const exampleCases: Case[] = readdirSync(join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.yaml') && f !== 'functions.yaml')
  .sort()
  .map((f) => {
    // The workload identity examples need the Composition whose step input composes their ServiceAccount.
    const cloud = /^workload-identity-(\w+)\.yaml$/.exec(f)?.[1];
    return { name: f.replace(/\.yaml$/, ''), xr: `examples/${f}`, ...(cloud === undefined ? {} : { composition: `compositions/workload-identity-${cloud}.yaml` }) };
  });

const scenarioCases: Case[] = [
  { name: 'observed-available', xr: 'examples/model-weights-s3.yaml', observed: 'test/crossplane/observed/available' },
  { name: 'observed-rolling-out', xr: 'examples/model-weights-s3.yaml', observed: 'test/crossplane/observed/rolling-out' },
  { name: 'earlier-step-resources', xr: 'examples/multi-mount-s3-redis.yaml', composition: 'test/crossplane/compositions/with-earlier-step.yaml' },
  { name: 'earlier-step-deployment', xr: 'examples/multi-mount-s3-redis.yaml', composition: 'test/crossplane/compositions/with-earlier-deployment.yaml' },
  { name: 'restricted-containers', xr: 'examples/conversation-history-cas.yaml', composition: 'test/crossplane/compositions/restricted-containers.yaml' },
  { name: 'earlier-service-account-kept', xr: 'examples/workload-identity-aws.yaml', composition: 'test/crossplane/compositions/with-earlier-service-account-kept.yaml' },
  { name: 'earlier-service-account-replaced', xr: 'examples/workload-identity-aws.yaml', composition: 'test/crossplane/compositions/with-earlier-service-account-replaced.yaml' },
  { name: 'workload-identity-observed', xr: 'examples/workload-identity-gcp.yaml', composition: 'compositions/workload-identity-gcp.yaml', observed: 'test/crossplane/observed/workload-identity-gcp' },
  { name: 'workload-identity-no-service-account-yet', xr: 'examples/workload-identity-gcp.yaml', composition: 'compositions/workload-identity-gcp.yaml', observed: 'test/crossplane/observed/workload-identity-gcp-no-sa' },
];

type Doc = Record<string, any>;
const docs = (yaml: string): Doc[] => parseAllDocuments(yaml).map((d) => d.toJS() as Doc);

describeWithCrank('crossplane render (real CLI)', (crank) => {
  let ours: grpc.Server;
  let earlier: grpc.Server;
  let functionsFile: string;

  beforeAll(async () => {
    const started = await Promise.all([startOurFunction(), startEarlierStepFunction()]);
    ours = started[0].server;
    earlier = started[1].server;
    functionsFile = writeFunctionsFile(started[0].port, [{ name: 'function-earlier-step', port: started[1].port }]);
    if (UPDATE_GOLDEN) mkdirSync(GOLDEN, { recursive: true });
  });
  afterAll(() => {
    ours?.forceShutdown();
    earlier?.forceShutdown();
  });

  const render = (c: Case) =>
    run(crank, ['render', '-r', c.xr, c.composition ?? COMPOSITION, functionsFile, ...(c.observed ? ['-o', c.observed] : [])]);

  it.each([...exampleCases, ...scenarioCases].map((c) => [c.name, c] as const))('%s matches its golden file', async (_n, c) => {
    const out = await render(c);
    expectGoldenRender(out, join(GOLDEN, `${c.name}.yaml`));
  });

  it('is deterministic across runs', async () => {
    const a = await render(scenarioCases[2]!);
    const b = await render(scenarioCases[2]!);
    expect(a.stdout).toBe(b.stdout);
  });

  it('marks the actor Ready only when the observed Deployment is rolled out', async () => {
    const ready = (yaml: string) =>
      docs(yaml)[0]?.['status']?.['conditions']?.find((c: Doc) => c['type'] === 'Ready')?.['status'];
    expect(ready((await render(scenarioCases[0]!)).stdout)).toBe('True');
    expect(ready((await render(scenarioCases[1]!)).stdout)).toBe('False');
    expect(ready((await render(exampleCases[0]!)).stdout)).toBe('False');
  });

  it('counts the composed ServiceAccount towards readiness once it is observed', async () => {
    const ready = (yaml: string) => docs(yaml)[0]?.['status']?.['conditions']?.find((c: Doc) => c['type'] === 'Ready');
    const both = scenarioCases.find((c) => c.name === 'workload-identity-observed')!;
    const onlyDeployment = scenarioCases.find((c) => c.name === 'workload-identity-no-service-account-yet')!;
    expect(ready((await render(both)).stdout)?.['status']).toBe('True');
    const waiting = ready((await render(onlyDeployment)).stdout);
    expect(waiting?.['status']).toBe('False');
    expect(waiting?.['message']).toBe('Unready resources: serviceaccount');
  });

  it('keeps what an earlier step composed and augments its Deployment', async () => {
    const out = docs((await render(scenarioCases[3]!)).stdout);
    const byKey = new Map(out.map((d) => [d['metadata']?.['annotations']?.['crossplane.io/composition-resource-name'], d]));
    expect(byKey.get('actor-config')?.['data']).toEqual({ 'settings.json': '{"batch": 8}' });
    const dep = byKey.get('deployment');
    expect(dep?.['metadata']?.['labels']?.['rendered-by']).toBe('earlier-step');
    const pod = dep?.['spec']?.['template']?.['spec'];
    expect(pod?.['containers']?.map((c: Doc) => c['name'])).toEqual(['asya-runtime', 'metrics-exporter']);
    expect(pod?.['initContainers']?.map((c: Doc) => c['name'])).toEqual(['asya-state-proxy-weights', 'asya-state-proxy-cache']);
  });

  it('fails the render of an invalid actor with a message naming the field', async () => {
    const out = await run(crank, ['render', 'test/corpus/invalid/mount-path-colon.yaml', COMPOSITION, functionsFile]);
    expect(out.code).not.toBe(0);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain('returned a fatal result');
    expect(out.stderr).toContain('spec.stateProxy[0].mount.path');
  });
});
