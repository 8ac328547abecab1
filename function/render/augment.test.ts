import { describe, expect, it } from 'vitest';
import { augmentDeployment, renderDeployment } from './deployment.js';
import { DEFAULT_INPUT, cache, deepFreeze, makeActor, makeInput, weights } from './fixtures.testkit.js';

/** What an earlier step (e.g. upstream's go-templating) may have put in the desired state. */
function earlierDeployment(): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'custom-name', labels: { owner: 'step-1' }, annotations: { a: 'b' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'custom' } },
      strategy: { type: 'Recreate' },
      template: {
        metadata: { labels: { app: 'custom' } },
        spec: {
          serviceAccountName: 'sa',
          containers: [
            { name: 'asya-runtime', image: 'img', env: [{ name: 'ASYA_HANDLER', value: 'h.f' }], volumeMounts: [{ name: 'socket-dir', mountPath: '/var/run/asya' }] },
            { name: 'istio-proxy', image: 'istio' },
          ],
          volumes: [{ name: 'socket-dir', emptyDir: {} }],
        },
      },
    },
  };
}

const ok = <T>(r: { ok: true; value: T } | { ok: false; issues: unknown }): T => {
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
};

describe('augmentDeployment', () => {
  const actor = deepFreeze(makeActor({ stateProxy: [weights, cache] }));

  it('changes only spec.template and leaves everything else as the earlier step wrote it', () => {
    const existing = deepFreeze(earlierDeployment());
    const out = ok(augmentDeployment(existing, actor, DEFAULT_INPUT));
    const { spec: outSpec, ...outRest } = out as { spec: Record<string, unknown> };
    const { spec: inSpec, ...inRest } = existing as { spec: Record<string, unknown> };
    expect(outRest).toEqual(inRest);
    const { template: _t1, ...outSpecRest } = outSpec;
    const { template: _t2, ...inSpecRest } = inSpec;
    expect(outSpecRest).toEqual(inSpecRest);
    expect(Object.keys(out)).toEqual(Object.keys(existing));
    const pod = (outSpec['template'] as { spec: Record<string, unknown> }).spec;
    expect(pod['serviceAccountName']).toBe('sa');
    expect((pod['containers'] as Array<{ name: string }>).map((c) => c.name)).toEqual(['asya-runtime', 'istio-proxy']);
    expect((pod['initContainers'] as Array<{ name: string }>).map((c) => c.name)).toEqual(['asya-state-proxy-weights', 'asya-state-proxy-cache']);
    expect((pod['volumes'] as Array<{ name: string }>).map((v) => v.name)).toEqual(['socket-dir', 'state-sockets', 'state-guard-weights', 'state-guard-cache']);
  });

  it('is idempotent byte for byte', () => {
    const once = ok(augmentDeployment(earlierDeployment(), actor, DEFAULT_INPUT));
    const twice = ok(augmentDeployment(once, actor, DEFAULT_INPUT));
    expect(JSON.stringify(twice)).toBe(JSON.stringify(once));
  });

  it('on our own render equals the render', () => {
    const input = makeInput({ sidecar: { image: 's' }, securityProfile: 'restricted' });
    const fresh = renderDeployment(actor, input) as unknown as Record<string, unknown>;
    expect(JSON.stringify(ok(augmentDeployment(fresh, actor, input)))).toBe(JSON.stringify(fresh));
  });

  it('refuses a Deployment without a pod template, or without the runtime container', () => {
    const bad = augmentDeployment({ apiVersion: 'apps/v1', kind: 'Deployment', spec: {} }, actor, DEFAULT_INPUT);
    expect(bad.ok ? [] : bad.issues.map((i) => i.path)).toEqual([['desired', 'resources', 'deployment', 'spec', 'template', 'spec', 'containers']]);
    const noRuntime = augmentDeployment(earlierDeployment(), actor, makeInput({ runtimeContainerName: 'main' }));
    expect(noRuntime.ok ? [] : noRuntime.issues.map((i) => i.path)).toEqual([['input', 'runtimeContainerName']]);
  });

  it('under restricted, reports what the earlier step made non-compliant at its desired path', () => {
    const existing = earlierDeployment();
    const pod = ((existing['spec'] as Record<string, unknown>)['template'] as { spec: { containers: Array<Record<string, unknown>> } }).spec;
    pod.containers[1]!['securityContext'] = { privileged: true };
    const result = augmentDeployment(existing, actor, makeInput({ securityProfile: 'restricted', resourceKey: 'actor' }));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues.map((i) => [i.rule, i.path])).toEqual([
        ['pss-restricted:privileged', ['desired', 'resources', 'actor', 'spec', 'template', 'spec', 'containers', 1, 'securityContext', 'privileged']],
      ]);
    }
    // Without the violation the same Deployment passes after hardening.
    expect(augmentDeployment(earlierDeployment(), actor, makeInput({ securityProfile: 'restricted' })).ok).toBe(true);
  });
});
