/**
 * Admission with the API server's own validation code: `crossplane beta validate` (offline)
 * checks every example and corpus manifest against the generated XRD, exactly as `kubectl apply`
 * would be judged by a cluster running Crossplane: OpenAPI constraints, unknown fields and the
 * CEL rules. The rendered Deployment, a built-in kind that command has no schema for, is checked
 * against the apps/v1 schema from kubernetes-models.
 */
import { relative } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { Deployment } from 'kubernetes-models/apps/v1';
import { ServiceAccount } from 'kubernetes-models/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { exampleFiles, invalidFiles, validFiles } from '../corpus/corpus.js';
import { describeWithCrank, ROOT, run, validateFlags } from './crank.js';
import { startOurFunction, writeFunctionsFile } from './functions.js';

const XRD = 'crds/asyncactors.asya.sh.xrd.yaml';
const CRD = 'crds/asyncactors.asya.sh.crd.yaml';
/** The API server enforces these, `beta validate` does not (it skips list-map key uniqueness). */
const NOT_CHECKED_BY_CLI = new Set(['connector-env-duplicate-name.yaml']);

describeWithCrank('admission: crossplane beta validate (real CLI)', (crank) => {
  const validate = (schema: string, resources: string, stdin?: string) =>
    run(crank, ['beta', 'validate', schema, resources, ...validateFlags(crank)], stdin);

  const accepted = [...exampleFiles(), ...validFiles()].map((f) => relative(ROOT, f.path));

  it(`accepts all ${accepted.length} examples and valid corpus manifests against the XRD`, async () => {
    const out = await validate(XRD, accepted.join(','));
    expect(out.stdout).toMatch(/0 failure cases/);
    expect(out.code).toBe(0);
  });

  it('accepts the same manifests against the plain CRD', async () => {
    const out = await validate(CRD, accepted.join(','));
    expect(out.stdout).toMatch(/0 failure cases/);
    expect(out.code).toBe(0);
  });

  // `# admission: none` files break a rule only validate and the function enforce: admission has nothing to refuse.
  const refused = invalidFiles().filter((f) => !NOT_CHECKED_BY_CLI.has(f.name) && f.admission !== 'none');
  it.each(refused.map((f) => [f.name, f] as const))('refuses %s, naming the field', async (_name, f) => {
    const out = await validate(XRD, relative(ROOT, f.path));
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/1 failure cases/);
    // Each corpus file states the field it breaks; the API server's message names it too (list
    // items and map keys are written differently there, so compare the field names).
    for (const e of f.expect) {
      const last = e.path.replace(/\[\d+\]/g, '').split('.').pop() ?? e.path;
      expect(out.stdout).toContain(last);
    }
  });

  describe('a rendered actor', () => {
    let server: grpc.Server;
    let functionsFile: string;
    beforeAll(async () => {
      const started = await startOurFunction();
      server = started.server;
      functionsFile = writeFunctionsFile(started.port);
    });
    afterAll(() => server?.forceShutdown());

    it.each(exampleFiles().map((f) => [f.name, relative(ROOT, f.path)] as const))(
      '%s: the XR with status passes the XRD, the Deployment apps/v1 and any ServiceAccount v1',
      async (_name, xr) => {
        // The workload identity examples go with the Composition whose input composes their ServiceAccount.
        const cloud = /workload-identity-(\w+)\.yaml$/.exec(xr)?.[1];
        const composition = cloud === undefined ? 'compositions/asyncactor-state-proxy.yaml' : `compositions/workload-identity-${cloud}.yaml`;
        const rendered = await run(crank, ['render', '-x', xr, composition, functionsFile]);
        expect(rendered.code).toBe(0);
        const checked = await validate(XRD, '-', rendered.stdout);
        expect(checked.stdout).toMatch(/1 success cases/);
        expect(checked.stdout).toMatch(/0 failure cases/);
        const docs = parseAllDocuments(rendered.stdout).map((d) => d.toJS() as { kind?: string });
        const deployments = docs.filter((d) => d.kind === 'Deployment');
        expect(deployments).toHaveLength(1);
        expect(() => new Deployment(deployments[0] as ConstructorParameters<typeof Deployment>[0]).validate()).not.toThrow();
        const serviceAccounts = docs.filter((d) => d.kind === 'ServiceAccount');
        expect(serviceAccounts).toHaveLength(cloud === undefined ? 0 : 1);
        for (const sa of serviceAccounts) expect(() => new ServiceAccount(sa as ConstructorParameters<typeof ServiceAccount>[0]).validate()).not.toThrow();
      },
    );
  });
});
