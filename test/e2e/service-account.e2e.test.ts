/**
 * Workload identity through the real Crossplane: with the workload-identity Composition each
 * actor gets its own ServiceAccount (annotated, owned by its actor, named in the pod), two actors
 * in one namespace get two, and deleting one actor deletes only its ServiceAccount.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump, load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { ensureNamespace, waitForDeployment } from './support/actors.js';
import { apply, getJson, kubectl, waitFor } from './support/kube.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NS = 'e2e-workload-identity';
type Obj = Record<string, any>;

function awsActor(name: string): Obj {
  const a = load(readFileSync(join(ROOT, 'examples/workload-identity-aws.yaml'), 'utf8')) as Obj;
  a['metadata'] = { name, namespace: NS };
  return a;
}
const serviceAccount = (name: string) => getJson<Obj>('serviceaccount', name, NS);

describe('one ServiceAccount per actor (compositions/workload-identity-aws.yaml)', () => {
  it('composes, references and garbage-collects each actor its own ServiceAccount', async () => {
    await ensureNamespace(NS);
    await apply(dump(awsActor('indexer-a')));
    await apply(dump(awsActor('indexer-b')));
    for (const name of ['indexer-a', 'indexer-b']) {
      const sa = await waitFor(`ServiceAccount ${NS}/${name}`, () => serviceAccount(name));
      expect(sa['metadata']['annotations']['eks.amazonaws.com/role-arn']).toBe(`arn:aws:iam::123456789012:role/asya-${NS}-${name}`);
      expect(sa['automountServiceAccountToken']).toBe(false);
      expect(sa['metadata']['ownerReferences'].map((o: Obj) => `${o['kind']}/${o['name']}/${o['controller']}`)).toEqual([`AsyncActor/${name}/true`]);
      const d = await waitForDeployment(name, NS);
      expect((d as Obj)['spec']['template']['spec']['serviceAccountName']).toBe(name);
    }

    await kubectl(['delete', 'asyncactor', 'indexer-a', '-n', NS, '--wait=true', '--timeout=60s']);
    await waitFor('ServiceAccount of indexer-a garbage-collected', async () => ((await serviceAccount('indexer-a')) === undefined ? true : undefined));
    expect(await serviceAccount('indexer-b')).toBeDefined();
    expect(await getJson('deployment', 'indexer-b', NS)).toBeDefined();
  });
});
