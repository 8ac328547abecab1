/**
 * Reconcile, through the real API server and Crossplane: each example AsyncActor becomes a
 * Deployment that keeps the pod contract (read back from the API server), the XR turns Ready only
 * once the Deployment is rolled out, its status and printer columns say what the README says,
 * and deleting it garbage-collects the Deployment.
 */
import { describe, expect, it } from 'vitest';
import { exampleFiles } from '../corpus/corpus.js';
import { composedDeployment, contractViolations, ensureNamespace, parseActor, waitForDeployment } from './support/actors.js';
import { apply, condition, getJson, kubectl, markDeploymentRolledOut, waitFor, waitForCondition } from './support/kube.js';

const examples = exampleFiles();

describe('examples reconciled by Crossplane through the function', () => {
  it('has examples to reconcile', () => expect(examples.length).toBeGreaterThan(0));

  for (const file of examples) {
    it(`${file.name}: contract, readiness, status, garbage collection`, async () => {
      const actor = parseActor(file.text);
      const { name } = actor.metadata;
      const ns = actor.metadata.namespace ?? 'default';
      await ensureNamespace(ns);
      await apply(file.text);

      const d = await waitForDeployment(name, ns);
      expect(contractViolations(actor, d)).toEqual([]);
      expect(d.metadata.ownerReferences?.map((o) => `${o.kind}/${o.name}`)).toEqual([`AsyncActor/${name}`]);

      // Nothing rolls out without a kubelet: the XR must say so.
      const before = await waitFor(`AsyncActor ${ns}/${name} Synced=True`, async () => {
        const xr = await getJson('asyncactor', name, ns);
        return condition(xr, 'Synced')?.status === 'True' ? xr : undefined;
      });
      expect(condition(before, 'Ready')?.status).not.toBe('True');

      await markDeploymentRolledOut(d.metadata.name, ns);
      const xr = (await waitForCondition('asyncactor', name, 'Ready', 'True', ns)) as { status: Record<string, unknown> };
      const mounts = (actor.spec.stateProxy ?? []).map((m) => m.name);
      expect(xr.status['mounts']).toBe(mounts.join(','));
      expect(xr.status['actor']).toBe((actor.spec['actor'] as string | undefined) ?? name);
      const columns = await kubectl(['get', 'asyncactor', name, '-n', ns, '--no-headers', '-o', 'custom-columns=ACTOR:.status.actor,MOUNTS:.status.mounts']);
      expect(columns.trim().split(/\s+/)).toEqual([xr.status['actor'], mounts.length > 0 ? mounts.join(',') : '<none>']);
      const table = await kubectl(['get', 'asyncactor', name, '-n', ns]);
      expect(table.split('\n')[0]).toMatch(/ACTOR\s+MOUNTS/);

      await kubectl(['delete', 'asyncactor', name, '-n', ns, '--wait=true', '--timeout=60s']);
      await waitFor(`Deployment of ${ns}/${name} garbage-collected`, async () => ((await composedDeployment(name, ns)) === undefined ? true : undefined));
    });
  }
});
