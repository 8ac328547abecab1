import { describe, expect, it } from 'vitest';
import { evaluate, fetched, podReferences, requirementKey, requirementsFor } from './pod-references.js';
import { runtimeCopyName, withRuntimeConfigMap } from './runtime-script.js';
import { makeActor } from './fixtures.testkit.js';

const template = {
  spec: {
    serviceAccountName: 'runner',
    imagePullSecrets: [{ name: 'regcred' }],
    initContainers: [{ name: 'init', envFrom: [{ configMapRef: { name: 'init-env' } }, { secretRef: { name: 'opt', optional: true } }] }],
    containers: [
      {
        name: 'app',
        env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'a' } } }, { name: 'S', valueFrom: { secretKeyRef: { name: 'creds', key: 's' } } }],
        volumeMounts: [{ name: 'asya-runtime', mountPath: '/opt/asya/asya_runtime.py', subPath: 'asya_runtime.py' }],
      },
    ],
    volumes: [
      { name: 'asya-runtime', configMap: { name: 'asya-runtime', defaultMode: 493 } },
      { name: 'files', secret: { secretName: 'tls', items: [{ key: 'tls.crt', path: 'c' }] } },
      { name: 'proj', projected: { sources: [{ configMap: { name: 'cfg', items: [{ key: 'b', path: 'b' }] } }, { configMap: { name: 'maybe', optional: true } }] } },
      { name: 'scratch', emptyDir: {} },
    ],
  },
};

describe('podReferences', () => {
  it('lists every non-optional ConfigMap and the ServiceAccount, once per object with its keys and uses', () => {
    expect(podReferences(template, { secrets: false })).toEqual([
      { kind: 'ConfigMap', name: 'asya-runtime', keys: ['asya_runtime.py'], usedBy: ['volume asya-runtime'] },
      { kind: 'ConfigMap', name: 'cfg', keys: ['a', 'b'], usedBy: ['env A of container app', 'volume proj'] },
      { kind: 'ConfigMap', name: 'init-env', keys: [], usedBy: ['envFrom of container init'] },
      { kind: 'ServiceAccount', name: 'runner', keys: [], usedBy: ['serviceAccountName'] },
    ]);
  });

  it('adds Secrets only when asked to', () => {
    expect(podReferences(template, { secrets: true }).filter((r) => r.kind === 'Secret').map((r) => [r.name, r.keys])).toEqual([
      ['creds', ['s']],
      ['regcred', []],
      ['tls', ['tls.crt']],
    ]);
  });

  it('does not require the default ServiceAccount every namespace has', () => {
    expect(podReferences({ spec: { serviceAccountName: 'default', containers: [] } }, { secrets: true })).toEqual([]);
  });
});

describe('requirements', () => {
  it('keys objects in the actor namespace by kind and name, elsewhere by namespace too, sorted', () => {
    const refs = podReferences(template, { secrets: false });
    expect(requirementsFor(refs, 'prod', [{ kind: 'ConfigMap', name: 'asya-runtime', namespace: 'asya-system' }]).map((r) => r.key)).toEqual([
      'configmap/asya-runtime',
      'configmap/asya-system/asya-runtime',
      'configmap/cfg',
      'configmap/init-env',
      'serviceaccount/runner',
    ]);
    expect(requirementKey('Secret', 'x', 'prod', 'prod')).toBe('secret/x');
  });

  it('tells not fetched from fetched and not found', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: '1' } };
    expect(fetched({}, {}, 'configmap/cfg')).toEqual({ state: 'pending' });
    expect(fetched({ 'configmap/cfg': { items: [] } }, {}, 'configmap/cfg')).toEqual({ state: 'absent' });
    expect(fetched({ 'configmap/cfg': undefined }, {}, 'configmap/cfg')).toEqual({ state: 'absent' });
    expect(fetched({}, { 'configmap/cfg': { items: [{ resource: cm }] } }, 'configmap/cfg')).toEqual({ state: 'found', object: cm });
  });

  it('reports missing keys of a found ConfigMap', () => {
    const refs = podReferences(template, { secrets: false }).filter((r) => r.name === 'cfg');
    const out = evaluate(refs, () => ({ state: 'found', object: { data: { a: '1' } } }));
    expect(out.problems.map((p) => p.missingKeys)).toEqual([['b']]);
  });
});

describe('runtime script copy', () => {
  it('is named per actor and switches only the volume that names asya-runtime', () => {
    const actor = makeActor();
    expect(runtimeCopyName(actor)).toBe(`${actor.metadata.name}-asya-runtime`);
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', spec: { template } };
    const out = withRuntimeConfigMap(deployment, 'x-asya-runtime') as any;
    expect(out.spec.template.spec.volumes[0]).toEqual({ name: 'asya-runtime', configMap: { name: 'x-asya-runtime', defaultMode: 493 } });
    expect(out.spec.template.spec.volumes.slice(1)).toEqual(template.spec.volumes.slice(1));
    const chosen = { spec: { template: { spec: { volumes: [{ name: 'asya-runtime', configMap: { name: 'platform-script' } }] } } } };
    expect(withRuntimeConfigMap(chosen, 'x-asya-runtime')).toBe(chosen);
  });
});
