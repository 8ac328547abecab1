/**
 * Faults through the real Crossplane: a function process killed mid-run and started again is
 * recovered from (the Deployment converges to the change made while it was down), and a
 * Composition with invalid step input shows on the XR as Synced=False with our reason.
 */
import { dump } from 'js-yaml';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Actor, type Deployment, contractViolations, ensureNamespace, waitForDeployment } from './support/actors.js';
import { registerFunction, startFunction } from './support/function-process.js';
import { apply, condition, getJson, kubectl, waitFor } from './support/kube.js';
import { signalGroup, stop, stopAll } from './support/processes.js';

const NS = 'e2e-faults';
const env = (k: string) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set: run the e2e suite with \`npm run e2e\``);
  return v;
};

const composition = (name: string, functionName: string, input: Record<string, unknown>) => ({
  apiVersion: 'apiextensions.crossplane.io/v1',
  kind: 'Composition',
  metadata: { name },
  spec: {
    compositeTypeRef: { apiVersion: 'asya.sh/v1alpha1', kind: 'AsyncActor' },
    mode: 'Pipeline',
    pipeline: [{ step: 'render-actor', functionRef: { name: functionName }, input: { apiVersion: 'stateproxy.fn.asya.sh/v1alpha1', kind: 'Input', ...input } }],
  },
});

const actor = (name: string, compositionName: string, image: string): Actor => ({
  apiVersion: 'asya.sh/v1alpha1',
  kind: 'AsyncActor',
  metadata: { name, namespace: NS },
  spec: {
    crossplane: { compositionRef: { name: compositionName } },
    image,
    handler: 'app.handler',
    stateProxy: [{ name: 'cache', mount: { path: '/state/cache' }, connector: { image: 'ghcr.io/deliveryhero/asya-state-proxy-redis-buffered-cas:v1.0.0', env: [{ name: 'REDIS_URL', value: 'redis://redis:6379/0' }] } }],
  },
});
const runtimeImage = (d: Deployment) => (d.spec.template.spec.containers[0] as { image?: string }).image;

describe.sequential('faults', () => {
  afterAll(async () => {
    for (const n of ['restarted-actor', 'bad-input-actor']) await kubectl(['delete', 'asyncactor', n, '-n', NS, '--ignore-not-found', '--wait=true', '--timeout=60s']);
    for (const c of ['e2e-faults-restart', 'e2e-faults-bad-input']) await kubectl(['delete', 'composition', c, '--ignore-not-found']);
    await stopAll();
  });

  it('a function killed and started again is recovered from', async () => {
    await ensureNamespace(NS);
    const fnName = 'function-asya-e2e-restart';
    const logs = join(env('ASYA_E2E_DIR'), 'logs');
    const first = await startFunction(env('ASYA_E2E_TLS_SERVER_DIR'), logs, undefined, fnName);
    await registerFunction(fnName, first.port);
    await apply(dump(composition('e2e-faults-restart', fnName, { sidecarMode: 'native' })));
    const v1 = actor('restarted-actor', 'e2e-faults-restart', 'ghcr.io/example/app:1.0.0');
    await apply(dump(v1));
    const d1 = await waitForDeployment('restarted-actor', NS);
    expect(contractViolations(v1, d1)).toEqual([]);

    signalGroup(first.proc, 'SIGKILL');
    await stop(first.proc);
    const v2 = actor('restarted-actor', 'e2e-faults-restart', 'ghcr.io/example/app:2.0.0');
    await apply(dump(v2));
    // While it is down nothing half-applied reaches the Deployment: it still has the old image.
    expect(runtimeImage((await waitForDeployment('restarted-actor', NS))!)).toBe('ghcr.io/example/app:1.0.0');

    await startFunction(env('ASYA_E2E_TLS_SERVER_DIR'), logs, first.port, fnName);
    const d2 = await waitForDeployment('restarted-actor', NS, (d) => runtimeImage(d) === 'ghcr.io/example/app:2.0.0', 120_000);
    expect(contractViolations(v2, d2)).toEqual([]);
    await waitFor('XR Synced=True after the restart', async () => (condition(await getJson('asyncactor', 'restarted-actor', NS), 'Synced')?.status === 'True' ? true : undefined), 120_000, 500);
  });

  it('invalid step input: XR Synced=False with our reason and message', async () => {
    await ensureNamespace(NS);
    await apply(dump(composition('e2e-faults-bad-input', 'function-asya-state-proxy', { sidecarMode: 'sideways' })));
    await apply(dump(actor('bad-input-actor', 'e2e-faults-bad-input', 'ghcr.io/example/app:1.0.0')));
    const synced = await waitFor('bad-input-actor Synced=False', async () => {
      const c = condition(await getJson('asyncactor', 'bad-input-actor', NS), 'Synced');
      return c?.status === 'False' ? c : undefined;
    });
    process.stdout.write(`bad step input: Synced=False reason=${synced.reason} message=${synced.message}\n`);
    // Crossplane puts a FATAL result's message on Synced (reason ReconcileError); the result's own
    // reason (InvalidFunctionInput) is not carried over, so the message is what names the problem.
    expect(synced.message).toMatch(/returned a fatal result: invalid function input/);
    expect(synced.message).toMatch(/sidecarMode/);
    expect(await waitForDeploymentOrNone('bad-input-actor')).toBeUndefined();
  });
});

const waitForDeploymentOrNone = async (name: string) => {
  const list = JSON.parse(await kubectl(['get', 'deployments', '-n', NS, '-l', `crossplane.io/composite=${name}`, '-o', 'json'])) as { items: unknown[] };
  return list.items[0];
};
