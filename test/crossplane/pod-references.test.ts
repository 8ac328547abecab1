/**
 * `crossplane render` (the real CLI, which advertises REQUIRED_RESOURCES and CONDITIONS) with
 * required resources given as files: the PodReferencesResolved condition and the runtime script
 * copy, compared with reviewed golden files under test/golden/crossplane-render-refs/.
 *
 * Regenerate deliberately with `UPDATE_GOLDEN=1 npx vitest run test/crossplane/pod-references.test.ts`,
 * then review the diff like code.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { describeWithCrank, ROOT, run, expectGoldenRender, UPDATE_GOLDEN } from './crank.js';
import { startOurFunction, writeFunctionsFile } from './functions.js';

const GOLDEN = join(ROOT, 'test/golden/crossplane-render-refs');
const DEFAULT = 'compositions/asyncactor-state-proxy.yaml';
const COPY = 'test/crossplane/compositions/runtime-copy.yaml';
const XR = 'examples/model-weights-s3.yaml';

interface Case {
  readonly name: string;
  readonly xr?: string;
  readonly composition: string;
  /** `--required-resources` (or the deprecated `--extra-resources`) file or directory. */
  readonly flag?: '--required-resources' | '--extra-resources';
  readonly resources?: string;
}

const cases: Case[] = [
  { name: 'namespace-runtime-missing', composition: DEFAULT },
  { name: 'namespace-runtime-found', composition: DEFAULT, flag: '--required-resources', resources: 'test/crossplane/required/namespace-runtime' },
  { name: 'namespace-runtime-found-extra-resources', composition: DEFAULT, flag: '--extra-resources', resources: 'test/crossplane/required/namespace-runtime' },
  { name: 'runtime-copy', composition: COPY, flag: '--required-resources', resources: 'test/crossplane/required/runtime-found' },
  { name: 'runtime-copy-source-missing', composition: COPY },
  { name: 'secrets-checked', xr: 'examples/gcs-secret-valuefrom.yaml', composition: 'test/crossplane/compositions/check-secrets.yaml', flag: '--required-resources', resources: 'test/crossplane/required/reports' },
  { name: 'secrets-not-checked', xr: 'examples/gcs-secret-valuefrom.yaml', composition: DEFAULT, flag: '--required-resources', resources: 'test/crossplane/required/reports' },
];

type Doc = Record<string, any>;
const docs = (yaml: string): Doc[] => parseAllDocuments(yaml).map((d) => d.toJS() as Doc);
const condition = (yaml: string) => docs(yaml)[0]?.['status']?.['conditions']?.find((c: Doc) => c['type'] === 'PodReferencesResolved');
const byKey = (yaml: string) => new Map(docs(yaml).map((d) => [d['metadata']?.['annotations']?.['crossplane.io/composition-resource-name'], d]));

describeWithCrank('crossplane render with required resources (real CLI)', (crank) => {
  let ours: grpc.Server;
  let functionsFile: string;

  beforeAll(async () => {
    const started = await startOurFunction();
    ours = started.server;
    functionsFile = writeFunctionsFile(started.port);
    if (UPDATE_GOLDEN) mkdirSync(GOLDEN, { recursive: true });
  });
  afterAll(() => ours?.forceShutdown());

  const render = (c: Case) => run(crank, ['render', '-r', c.xr ?? XR, c.composition, functionsFile, ...(c.resources === undefined ? [] : [`${c.flag}=${c.resources}`])]);

  it.each(cases.map((c) => [c.name, c] as const))('%s matches its golden file', async (_n, c) => {
    const out = await render(c);
    expectGoldenRender(out, join(GOLDEN, `${c.name}.yaml`));
  });

  it('reports the namespace runtime ConfigMap False when missing and True when given, never failing the render', async () => {
    const missing = await render(cases[0]!);
    expect(condition(missing.stdout)).toMatchObject({ status: 'False', reason: 'ReferencesMissing' });
    expect(condition(missing.stdout)?.['message']).toMatch(/^In namespace prod: ConfigMap asya-runtime \(volume asya-runtime\) not found/);
    expect(docs(missing.stdout).some((d) => d['kind'] === 'Result' && d['severity'] === 'SEVERITY_WARNING' && /PodReferencesResolved/.test(d['message']))).toBe(true);
    for (const c of [cases[1]!, cases[2]!]) {
      const found = await render(c);
      expect(condition(found.stdout)).toMatchObject({ status: 'True', reason: 'AllReferencesFound' });
    }
  });

  it('checks Secrets only when opted in, and names a ConfigMap key the connector reads but the object lacks', async () => {
    const checked = condition((await render(cases[5]!)).stdout)?.['message'];
    expect(checked).toContain('ConfigMap gcp-settings (env GCS_PROJECT of container asya-state-proxy-media) has no key "project"');
    expect(checked).toContain('Secret gcs-connector-credentials (env GCS_CREDENTIALS_JSON of container asya-state-proxy-media) not found');
    const unchecked = condition((await render(cases[6]!)).stdout)?.['message'];
    expect(unchecked).toContain('has no key "project"');
    expect(unchecked).not.toContain('Secret');
  });

  it('composes the per-actor copy from the source and mounts it; without the source, no copy and asya-runtime', async () => {
    const copied = byKey((await render(cases[3]!)).stdout);
    expect(copied.get('runtime-script')?.['metadata']?.['name']).toBe('model-inference-asya-runtime');
    expect(copied.get('runtime-script')?.['data']?.['asya_runtime.py']).toContain('asya runtime');
    const volume = (m: Map<unknown, Doc>) => m.get('deployment')?.['spec']?.['template']?.['spec']?.['volumes']?.find((v: Doc) => v['name'] === 'asya-runtime');
    expect(volume(copied)?.['configMap']?.['name']).toBe('model-inference-asya-runtime');
    const missing = await render(cases[4]!);
    expect(byKey(missing.stdout).has('runtime-script')).toBe(false);
    expect(volume(byKey(missing.stdout))?.['configMap']?.['name']).toBe('asya-runtime');
    expect(condition(missing.stdout)?.['message']).toContain('The runtime script source ConfigMap asya-system/asya-runtime (input.runtimeScript.copyFrom) not found');
  });
});
