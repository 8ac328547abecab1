/**
 * Updates converge: each change to a live AsyncActor (image, a mount added, renamed, removed, the
 * write mode switched, the sidecar mode switched) ends with a Deployment on the API server that
 * keeps the contract for the new spec, with no connector of an earlier spec left behind.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { dump } from 'js-yaml';
import { type Actor, type Deployment, contractViolations, ensureNamespace, waitForDeployment } from './support/actors.js';
import { apply, kubectl } from './support/kube.js';

const NS = 'e2e-updates';
const NAME = 'updated-actor';
const mount = (name: string, writeMode = 'buffered') => ({
  name,
  mount: { path: `/state/${name}` },
  writeMode,
  connector: {
    image: 'ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww:v1.0.0',
    env: [{ name: 'STATE_BUCKET', value: `bucket-${name}` }, { name: 'AWS_REGION', value: 'us-east-1' }],
  },
});
const actor = (spec: Record<string, unknown>): Actor => ({
  apiVersion: 'asya.sh/v1alpha1',
  kind: 'AsyncActor',
  metadata: { name: NAME, namespace: NS },
  spec: { image: 'ghcr.io/example/app:1.0.0', handler: 'app.handler', replicas: 1, scaling: { enabled: false }, ...spec },
});

const runtimeImage = (d: Deployment) => (d.spec.template.spec.containers[0] as { image?: string }).image;

/** Applies `a` and waits until the stored Deployment keeps the contract for it. */
async function converge(a: Actor, extra: (d: Deployment) => boolean = () => true): Promise<Deployment> {
  await apply(dump(a));
  return waitForDeployment(NAME, NS, (d) => contractViolations(a, d).length === 0 && extra(d), 90_000);
}

describe.sequential('updates to a live AsyncActor converge', () => {
  afterAll(async () => {
    await kubectl(['delete', 'asyncactor', NAME, '-n', NS, '--ignore-not-found', '--wait=false']);
  });

  const steps: Array<[string, Actor, ((d: Deployment) => boolean)?]> = [
    ['created with mounts a, b', actor({ stateProxy: [mount('a'), mount('b')] })],
    ['image changed', actor({ image: 'ghcr.io/example/app:2.0.0', stateProxy: [mount('a'), mount('b')] }), (d) => runtimeImage(d) === 'ghcr.io/example/app:2.0.0'],
    ['mount c added', actor({ image: 'ghcr.io/example/app:2.0.0', stateProxy: [mount('a'), mount('b'), mount('c')] })],
    ['mount b renamed to b2', actor({ image: 'ghcr.io/example/app:2.0.0', stateProxy: [mount('a'), mount('b2'), mount('c')] })],
    ['mount a removed', actor({ image: 'ghcr.io/example/app:2.0.0', stateProxy: [mount('b2'), mount('c')] })],
    ['write mode of c switched to passthrough', actor({ image: 'ghcr.io/example/app:2.0.0', stateProxy: [mount('b2'), mount('c', 'passthrough')] })],
    ['sidecar mode switched to containers', actor({ image: 'ghcr.io/example/app:2.0.0', stateProxySidecarMode: 'containers', stateProxy: [mount('b2'), mount('c', 'passthrough')] })],
    ['sidecar mode switched back to native', actor({ image: 'ghcr.io/example/app:2.0.0', stateProxySidecarMode: 'native', stateProxy: [mount('b2'), mount('c', 'passthrough')] })],
    ['every mount removed', actor({ image: 'ghcr.io/example/app:2.0.0' })],
  ];

  it('namespace', () => ensureNamespace(NS));
  for (const [what, a, extra] of steps) {
    it(what, async () => {
      const d = await converge(a, extra);
      expect(contractViolations(a, d)).toEqual([]);
    });
  }
});
