/**
 * The shipped upstream-chain compositions (compositions/upstream-chain-*.yaml) reconciled by the
 * real Crossplane with the REAL function-go-templating v0.12.2 (built by
 * scripts/install-peer-go-templating.sh from ../shared/peers) as step 1 and our function as step 2,
 * both over mutual TLS. What is checked is read back from the API server: the Deployment (or the
 * provider-kubernetes Object wrapping it) keeps the state-proxy contract, and everything step 1
 * rendered is still there.
 *
 * Wrapped chain: the shipped composition wraps the Deployment in provider-kubernetes' namespaced
 * Object (kubernetes.m.crossplane.io/v1alpha1), the one a namespaced AsyncActor can compose
 * (Crossplane refuses the cluster-scoped kubernetes.crossplane.io/v1alpha2 Object for it: "cannot
 * apply cluster scoped composed resource ... for a namespaced composite resource").
 * provider-kubernetes is not run (it would need a cluster to apply into and its own build); only
 * its namespaced Object CRD (the real one, v1.0.0 from the Go module proxy, via
 * scripts/install-provider-kubernetes-crds.sh) is applied, so the API server admits and stores
 * the Object our step rewrote, and nothing ever turns it into a Deployment. The provider's part
 * (copying the live Deployment to status.atProvider.manifest) is played by a status patch.
 *
 * Skipped, with a message, when the peer's source archive is absent; ASYA_PEER_TESTS=1 (.ci/run)
 * makes that a failure.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump, load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, type Deployment, composedDeployment, contractViolations, ensureNamespace, waitForDeployment } from './support/actors.js';
import { registerFunction, startBinaryFunction } from './support/function-process.js';
import { apply, condition, kubectl, markDeploymentRolledOut, waitFor, waitForCondition } from './support/kube.js';
import { stopAll } from './support/processes.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NS = 'e2e-upstream-chain';
const PEER = 'function-go-templating';

const peer = spawnSync(join(ROOT, 'scripts/install-peer-go-templating.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const peerBin = peer.status === 0 ? peer.stdout.trim().split('\n').pop() : undefined;
if (peer.status !== 0 && (peer.status !== 3 || process.env['ASYA_PEER_TESTS'] === '1')) {
  throw new Error(`scripts/install-peer-go-templating.sh exited ${peer.status}: ${peer.stderr.trim()}`);
}
if (peerBin === undefined) process.stdout.write(`upstream-chain e2e skipped: ${peer.stderr.trim()}\n`);

const env = (k: string) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set: run the e2e suite with \`npm run e2e\``);
  return v;
};
type Doc = Record<string, any>;
const shipped = (name: string) => readFileSync(join(ROOT, `compositions/${name}.yaml`), 'utf8');

/** test/corpus/valid/upstream-style.yaml (every upstream spec field, two mounts) in our namespace, on `composition`. */
function upstreamActor(name: string, composition: string): Actor {
  const a = load(readFileSync(join(ROOT, 'test/corpus/valid/upstream-style.yaml'), 'utf8')) as Actor;
  a.metadata = { ...a.metadata, name, namespace: NS };
  a.spec = { ...a.spec, actor: name, crossplane: { compositionRef: { name: composition } } };
  return a;
}

/** What step 1 (go-templating) rendered and step 2 must keep: checked on the stored pod spec. */
function expectStepOneKept(actor: Actor, pod: Doc) {
  const containers = (pod['containers'] as Doc[]).map((c) => c['name']);
  expect(containers).toEqual(expect.arrayContaining(['asya-runtime', 'asya-sidecar', 'metrics-exporter']));
  expect((pod['initContainers'] as Doc[])[0]?.['name']).toBe('warmup');
  expect((pod['volumes'] as Doc[]).map((v) => v['name'])).toEqual(expect.arrayContaining(['socket-dir', 'tmp', 'asya-runtime', 'models-cache']));
  const runtime = (pod['containers'] as Doc[])[0] as Doc;
  expect(runtime['command']).toEqual([actor.spec['pythonExecutable'], '/opt/asya/asya_runtime.py']);
  // The API server defaults fieldRef.apiVersion on a Deployment, not inside an Object's manifest.
  expect(runtime['env'].find((e: Doc) => e['name'] === 'POD_IP')).toMatchObject({ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } });
  expect(pod['nodeSelector']).toEqual(actor.spec['nodeSelector']);
}

const deleteActor = (name: string) => kubectl(['delete', 'asyncactor', name, '-n', NS, '--ignore-not-found', '--wait=true', '--timeout=60s']);

describe.skipIf(peerBin === undefined).sequential('upstream chains with the real function-go-templating in front of ours', () => {
  const compositions: string[] = [];
  beforeAll(async () => {
    const fn = await startBinaryFunction(PEER, peerBin!, env('ASYA_E2E_TLS_SERVER_DIR'), join(env('ASYA_E2E_DIR'), 'logs'));
    await registerFunction(PEER, fn.port);
    await ensureNamespace(NS);
    const crds = spawnSync(join(ROOT, 'scripts/install-provider-kubernetes-crds.sh'), { encoding: 'utf8' });
    if (crds.status !== 0) throw new Error(`scripts/install-provider-kubernetes-crds.sh exited ${crds.status}: ${crds.stderr.trim()}`);
    // One version, no conversion webhook: it needs no provider to be served.
    await kubectl(['apply', '--server-side', '-f', join(crds.stdout.trim(), 'kubernetes.m.crossplane.io_objects.yaml')]);
    await waitFor('provider-kubernetes namespaced Object CRD Established', () => kubectl(['wait', '--for=condition=Established', 'crd/objects.kubernetes.m.crossplane.io', '--timeout=10s']), 60_000, 1000);
  });
  afterAll(async () => {
    for (const n of ['chain-unwrapped', 'chain-wrapped']) await deleteActor(n);
    for (const c of compositions) await kubectl(['delete', 'composition', c, '--ignore-not-found']);
    await stopAll();
  });

  it('unwrapped: the Deployment keeps the contract and everything go-templating rendered; Ready follows the rollout', async () => {
    await apply(shipped('upstream-chain-unwrapped'));
    compositions.push('asyncactors-upstream-chain-unwrapped');
    const actor = upstreamActor('chain-unwrapped', 'asyncactors-upstream-chain-unwrapped');
    const t0 = Date.now();
    await apply(dump(actor));
    const d = await waitForDeployment('chain-unwrapped', NS, (x) => contractViolations(actor, x).length === 0, 90_000);
    process.stdout.write(`upstream chain (unwrapped): Deployment stored ${Date.now() - t0} ms after apply\n`);
    expect(contractViolations(actor, d)).toEqual([]);
    expectStepOneKept(actor, d.spec.template.spec as unknown as Doc);
    // go-templating labels it, ours keeps the labels; Crossplane stamps the composite label.
    expect((d.metadata as Doc)['labels']).toMatchObject({ 'app.kubernetes.io/name': 'chain-unwrapped', team: 'ml', 'crossplane.io/composite': 'chain-unwrapped' });

    const before = await waitForCondition('asyncactor', 'chain-unwrapped', 'Synced', 'True', NS);
    expect(condition(before, 'Ready')?.status).not.toBe('True');
    await markDeploymentRolledOut(d.metadata.name, NS);
    const xr = (await waitForCondition('asyncactor', 'chain-unwrapped', 'Ready', 'True', NS)) as { status: Record<string, unknown> };
    expect(xr.status['mounts']).toBe('weights,cache');

    await deleteActor('chain-unwrapped');
    await waitFor('Deployment of the unwrapped chain garbage-collected', async () => ((await composedDeployment('chain-unwrapped', NS)) === undefined ? true : undefined));
  });

  it('wrapped (namespaced Object, as shipped): the stored Object keeps the contract and its wrapper; Ready follows the observed Deployment', async () => {
    await apply(shipped('upstream-chain-wrapped'));
    compositions.push('asyncactors-upstream-chain-wrapped');
    const actor = upstreamActor('chain-wrapped', 'asyncactors-upstream-chain-wrapped');
    await apply(dump(actor));

    const object = await waitFor('Object composed for chain-wrapped, with the contract', async () => {
      const list = JSON.parse(await kubectl(['get', 'objects.kubernetes.m.crossplane.io', '-n', NS, '-l', 'crossplane.io/composite=chain-wrapped', '-o', 'json'])) as { items: Doc[] };
      const o = list.items[0];
      return o !== undefined && contractViolations(actor, o['spec']['forProvider']['manifest'] as Deployment).length === 0 ? o : undefined;
    }, 90_000);
    // Crossplane puts a namespaced XR's composed resources in its namespace; the template names none.
    expect(object['metadata']['namespace']).toBe(NS);
    const manifest = object['spec']['forProvider']['manifest'] as Doc;
    expect(contractViolations(actor, manifest as Deployment)).toEqual([]);
    expectStepOneKept(actor, manifest['spec']['template']['spec']);
    // upstream's OLD state proxy, left in step 1's template on purpose, is replaced, not duplicated.
    const runtimeEnv = (manifest['spec']['template']['spec']['containers'][0]['env'] as Doc[]).filter((e) => e['name'] === 'ASYA_STATE_PROXY_MOUNTS');
    expect(runtimeEnv).toHaveLength(1);
    // The wrapper stays as step 1 wrote it.
    expect(object['spec']['watch']).toBe(true);
    expect(object['spec']['providerConfigRef']).toEqual({ kind: 'ClusterProviderConfig', name: 'default' });
    // No provider: nothing made a Deployment out of it.
    expect(await composedDeployment('chain-wrapped', NS)).toBeUndefined();

    const synced = await waitForCondition('asyncactor', 'chain-wrapped', 'Synced', 'True', NS);
    expect(condition(synced, 'Ready')?.status).not.toBe('True');
    // What provider-kubernetes would report once the Deployment rolled out.
    const now = new Date().toISOString();
    const replicas = 1;
    const observed = {
      ...manifest,
      metadata: { ...manifest['metadata'], generation: 1 },
      status: {
        observedGeneration: 1, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas,
        conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', lastTransitionTime: now, lastUpdateTime: now }],
      },
    };
    await kubectl(['patch', 'objects.kubernetes.m.crossplane.io', object['metadata']['name'], '-n', NS, '--subresource=status', '--type=merge', '-p', JSON.stringify({
      status: { atProvider: { manifest: observed }, conditions: [{ type: 'Synced', status: 'True', reason: 'ReconcileSuccess', lastTransitionTime: now }, { type: 'Ready', status: 'True', reason: 'Available', lastTransitionTime: now }] },
    })]);
    const xr = (await waitForCondition('asyncactor', 'chain-wrapped', 'Ready', 'True', NS, 90_000)) as { status: Record<string, unknown> };
    expect(xr.status['mounts']).toBe('weights,cache');
  });
});
