import { Ready, Severity } from '@crossplane-org/function-sdk-typescript';
import { describe, expect, it } from 'vitest';
import { baseActorDeployment, baseActorResource } from '../../test/support/base-actor-function.js';
import { loadYaml, request } from '../../test/support/requests.js';
import { REASON, runFunction } from '../handler.js';
import type { AsyncActor } from '../schema/async-actor.js';
import { validateAsyncActor } from '../schema/validate.js';
import { augmentDeployment } from './deployment.js';
import { DEFAULT_INPUT, deepFreeze, makeInput } from './fixtures.testkit.js';
import { augmentObject, isKubernetesObject, OBJECT_API_VERSIONS } from './wrapped.js';

type Obj = Record<string, any>;

/** Every upstream spec field (contract.md §4), two mounts: weights (buffered) and cache (passthrough). */
const UPSTREAM_XR: Obj = deepFreeze(loadYaml('test/corpus/valid/upstream-style.yaml'));

function actorFrom(doc: Obj): AsyncActor {
  const r = validateAsyncActor(doc);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}
const withMounts = (mounts: unknown[]): Obj => ({ ...UPSTREAM_XR, spec: { ...UPSTREAM_XR['spec'], stateProxy: mounts } });
const upstreamMounts = (UPSTREAM_XR['spec'] as Obj)['stateProxy'] as unknown[];

const ok = <T>(r: { ok: true; value: T } | { ok: false; issues: unknown }): T => {
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
};

/** What upstream's template renders today: the Object with the OLD state proxy inside. */
const upstreamObject = (xr: Obj = UPSTREAM_XR, wrap: string = OBJECT_API_VERSIONS[0]): Obj =>
  deepFreeze(baseActorResource(xr, { wrap, legacyStateProxy: true }));
const manifestOf = (o: Obj): Obj => o['spec']['forProvider']['manifest'];
const podOf = (o: Obj): Obj => manifestOf(o)['spec']['template']['spec'];
const names = (list: unknown): unknown[] => (Array.isArray(list) ? list.map((c: Obj) => c['name']) : []);

describe('isKubernetesObject', () => {
  it.each(OBJECT_API_VERSIONS.map((v) => [v]))('accepts a %s Object', (apiVersion) => {
    expect(isKubernetesObject({ apiVersion, kind: 'Object' })).toBe(true);
  });
  it.each([
    ['an unknown version', { apiVersion: 'kubernetes.crossplane.io/v1beta1', kind: 'Object' }],
    ['another group', { apiVersion: 'example.org/v1alpha2', kind: 'Object' }],
    ['another kind', { apiVersion: 'kubernetes.crossplane.io/v1alpha2', kind: 'ObservedObjectCollection' }],
    ['a Deployment', { apiVersion: 'apps/v1', kind: 'Deployment' }],
    ['not an object', 'Object'],
  ])('refuses %s', (_n, value) => {
    expect(isKubernetesObject(value)).toBe(false);
  });
});

describe('augmentObject', () => {
  const actor = deepFreeze(actorFrom(UPSTREAM_XR));

  it('changes only the manifest pod template and leaves the wrapper as the earlier step wrote it', () => {
    const wrapper: Obj = deepFreeze({
      apiVersion: 'kubernetes.crossplane.io/v1alpha2',
      kind: 'Object',
      metadata: { name: 'model-inference-deployment', labels: { owner: 'step-1' }, annotations: { a: 'b' } },
      spec: {
        deletionPolicy: 'Orphan',
        managementPolicies: ['Observe', 'Create', 'Update'],
        watch: true,
        readiness: { policy: 'DeriveFromObject' },
        references: [{ dependsOn: { apiVersion: 'kubernetes.crossplane.io/v1alpha2', kind: 'Object', name: 'sa' } }],
        connectionDetails: [{ apiVersion: 'v1', kind: 'Secret', name: 's', namespace: 'prod', fieldPath: 'data.x', toConnectionSecretKey: 'x' }],
        forProvider: { deletionPropagationPolicy: 'Foreground', manifest: manifestOf(upstreamObject()) },
        providerConfigRef: { name: 'in-cluster' },
        writeConnectionSecretToRef: { name: 'conn', namespace: 'prod' },
      },
    });
    const out: Obj = ok(augmentObject(wrapper, actor, DEFAULT_INPUT));
    expect(JSON.stringify(Object.keys(out))).toBe(JSON.stringify(Object.keys(wrapper)));
    expect(Object.keys(out['spec'])).toEqual(Object.keys(wrapper['spec']));
    expect(Object.keys(out['spec']['forProvider'])).toEqual(['deletionPropagationPolicy', 'manifest']);
    const strip = (o: Obj) => ({ ...o, spec: { ...o['spec'], forProvider: { ...o['spec']['forProvider'], manifest: { ...manifestOf(o), spec: { ...manifestOf(o)['spec'], template: 'x' } } } } });
    expect(strip(out)).toEqual(strip(wrapper));
  });

  it.each(OBJECT_API_VERSIONS.map((v) => [v]))('treats the manifest of a %s Object exactly like an unwrapped Deployment', (apiVersion) => {
    const wrapped = upstreamObject(UPSTREAM_XR, apiVersion);
    const out = ok(augmentObject(wrapped, actor, DEFAULT_INPUT));
    expect(out['apiVersion']).toBe(apiVersion);
    expect(JSON.stringify(manifestOf(out))).toBe(JSON.stringify(ok(augmentDeployment(manifestOf(wrapped), actor, DEFAULT_INPUT))));
  });

  it("replaces upstream's old state proxy: the result is byte-identical to augmenting a base without it", () => {
    const legacy = upstreamObject();
    expect(names(podOf(legacy)['containers'])).toEqual(['asya-runtime', 'asya-sidecar', 'asya-state-proxy-weights', 'asya-state-proxy-cache', 'metrics-exporter']);
    const clean = deepFreeze(baseActorResource(UPSTREAM_XR, { wrap: OBJECT_API_VERSIONS[0] }));
    for (const sidecarMode of ['native', 'containers'] as const) {
      const input = makeInput({ sidecarMode });
      expect(JSON.stringify(ok(augmentObject(legacy, actor, input)))).toBe(JSON.stringify(ok(augmentObject(clean, actor, input))));
    }
  });

  it('wires each piece exactly once, with the contract names, env order and socket paths', () => {
    const pod = podOf(ok(augmentObject(upstreamObject(), actor, DEFAULT_INPUT)));
    expect(names(pod['containers'])).toEqual(['asya-runtime', 'asya-sidecar', 'metrics-exporter']);
    expect(names(pod['initContainers'])).toEqual(['warmup', 'asya-state-proxy-weights', 'asya-state-proxy-cache']);
    expect(names(pod['volumes'])).toEqual(['socket-dir', 'tmp', 'asya-runtime', 'state-sockets', 'state-guard-weights', 'state-guard-cache', 'models-cache']);
    const runtime = pod['containers'][0];
    expect(names(runtime['volumeMounts'])).toEqual(['socket-dir', 'tmp', 'asya-runtime', 'state-sockets', 'state-guard-weights', 'state-guard-cache', 'models-cache']);
    expect(runtime['volumeMounts'][3]).toEqual({ name: 'state-sockets', mountPath: '/var/run/asya/state' });
    expect(names(runtime['env'])).toEqual(['ASYA_SOCKET_DIR', 'ASYA_HANDLER', 'LOG_LEVEL', 'POD_IP', 'HF_TOKEN', 'ASYA_STATE_PROXY_MOUNTS']);
    expect(runtime['env'][5]).toEqual({ name: 'ASYA_STATE_PROXY_MOUNTS', value: 'weights:/state/weights:write=buffered;cache:/state/cache:write=passthrough' });
    for (const [i, name] of [[1, 'weights'], [2, 'cache']] as const) {
      const c = pod['initContainers'][i];
      expect(c['restartPolicy']).toBe('Always');
      expect(c['env'][0]).toEqual({ name: 'CONNECTOR_SOCKET', value: `/var/run/asya/state/${name}.sock` });
      expect(c['volumeMounts'][0]).toEqual({ name: 'state-sockets', mountPath: '/var/run/asya/state' });
      expect(c['startupProbe']['exec']['command']).toEqual(['sh', '-c', `test -S /var/run/asya/state/${name}.sock`]);
    }
  });

  it('removes the connector of a mount the actor no longer has', () => {
    const weightsOnly = actorFrom(withMounts([upstreamMounts[0]]));
    const pod = podOf(ok(augmentObject(upstreamObject(), weightsOnly, DEFAULT_INPUT)));
    expect(names(pod['containers'])).toEqual(['asya-runtime', 'asya-sidecar', 'metrics-exporter']);
    expect(names(pod['initContainers'])).toEqual(['warmup', 'asya-state-proxy-weights']);
    expect(pod['containers'][0]['env'].filter((e: Obj) => e['name'] === 'ASYA_STATE_PROXY_MOUNTS')).toEqual([
      { name: 'ASYA_STATE_PROXY_MOUNTS', value: 'weights:/state/weights:write=buffered' },
    ]);
  });

  it('removes every state proxy piece when the actor has no mounts left', () => {
    const none = actorFrom(withMounts([]));
    const out = ok(augmentObject(upstreamObject(), none, DEFAULT_INPUT));
    const bare = baseActorDeployment(withMounts([]), { wrap: OBJECT_API_VERSIONS[0] });
    expect(manifestOf(out)).toEqual(bare);
    expect(JSON.stringify(out)).not.toMatch(/state-sockets|asya-state-proxy-|ASYA_STATE_PROXY_MOUNTS/);
  });

  it('keeps upstream\'s layout in sidecarMode containers, with the probes and security context added', () => {
    const pod = podOf(ok(augmentObject(upstreamObject(), actor, makeInput({ sidecarMode: 'containers' }))));
    expect(names(pod['initContainers'])).toEqual(['warmup']);
    expect(names(pod['containers'])).toEqual(['asya-runtime', 'asya-sidecar', 'asya-state-proxy-weights', 'asya-state-proxy-cache', 'metrics-exporter']);
    expect(pod['containers'][2]['restartPolicy']).toBeUndefined();
    expect(pod['containers'][2]['startupProbe']).toBeDefined();
    expect(pod['containers'][2]['securityContext']).toBeDefined();
  });

  it("follows the actor's stateProxySidecarMode over the step input", () => {
    const perActor = actorFrom({ ...UPSTREAM_XR, spec: { ...UPSTREAM_XR['spec'], stateProxySidecarMode: 'containers' } });
    const pod = podOf(ok(augmentObject(upstreamObject(), perActor, makeInput({ sidecarMode: 'native' }))));
    expect(names(pod['containers'])).toContain('asya-state-proxy-weights');
  });

  it('is idempotent byte for byte and never touches its argument', () => {
    const once = deepFreeze(ok(augmentObject(upstreamObject(), actor, DEFAULT_INPUT)));
    expect(JSON.stringify(ok(augmentObject(once, actor, DEFAULT_INPUT)))).toBe(JSON.stringify(once));
  });

  describe('refuses, naming the field', () => {
    const key = makeInput({ resourceKey: 'actor' });
    const base = upstreamObject();
    const withManifest = (manifest: unknown): Obj => ({ ...base, spec: { ...base['spec'], forProvider: { manifest } } });
    const issues = (r: ReturnType<typeof augmentObject>) => (r.ok ? [] : r.issues.map((i) => [i.rule, i.path, i.message]));

    it('an Object without a manifest', () => {
      expect(issues(augmentObject({ apiVersion: OBJECT_API_VERSIONS[0], kind: 'Object', spec: {} }, actor, key))).toEqual([
        ['wrapped-manifest-missing', ['desired', 'resources', 'actor', 'spec', 'forProvider', 'manifest'], 'the kubernetes.crossplane.io/v1alpha2 Object has no manifest object'],
      ]);
    });

    it('a manifest that is not an apps/v1 Deployment', () => {
      const r = augmentObject(withManifest({ ...manifestOf(base), kind: 'StatefulSet' }), actor, key);
      expect(issues(r)).toEqual([
        [
          'wrapped-manifest-kind',
          ['desired', 'resources', 'actor', 'spec', 'forProvider', 'manifest', 'kind'],
          'the Object wraps a apps/v1 StatefulSet, not an apps/v1 Deployment; point input.resourceKey at the Object that wraps the actor Deployment',
        ],
      ]);
    });

    it('a manifest without the runtime container', () => {
      const r = augmentObject(baseActorResource(UPSTREAM_XR, { wrap: OBJECT_API_VERSIONS[0], runtimeContainerName: 'main' }), actor, DEFAULT_INPUT);
      expect(issues(r)).toEqual([
        [
          'runtime-container-missing',
          ['desired', 'resources', 'deployment', 'spec', 'forProvider', 'manifest', 'spec', 'template', 'spec', 'containers'],
          'no container named "asya-runtime" (input.runtimeContainerName) to wire the state proxy into (containers: "main", "asya-sidecar", "metrics-exporter")',
        ],
      ]);
    });

    it('a manifest without a pod template', () => {
      const r = augmentObject(withManifest({ apiVersion: 'apps/v1', kind: 'Deployment', spec: {} }), actor, key);
      expect(issues(r).map(([rule, path]) => [rule, path])).toEqual([
        ['desired-deployment-shape', ['desired', 'resources', 'actor', 'spec', 'forProvider', 'manifest', 'spec', 'template', 'spec', 'containers']],
      ]);
    });

    it('under restricted, what the earlier step made non-compliant, at its path inside the manifest', () => {
      const manifest = structuredClone(manifestOf(base));
      manifest['spec']['template']['spec']['containers'][4]['securityContext'] = { privileged: true };
      const r = augmentObject(withManifest(manifest), actor, makeInput({ resourceKey: 'actor', securityProfile: 'restricted' }));
      expect(issues(r).map(([rule, path]) => [rule, path])).toContainEqual([
        'pss-restricted:privileged',
        ['desired', 'resources', 'actor', 'spec', 'forProvider', 'manifest', 'spec', 'template', 'spec', 'containers', 2, 'securityContext', 'privileged'],
      ]);
    });
  });
});

describe('runFunction with a wrapped Deployment in the desired state', () => {
  const named = (o: Obj): Obj => ({ ...o, metadata: { ...(o['metadata'] ?? {}), annotations: { 'crossplane.io/composition-resource-name': 'deployment' } } });
  const rolledOut = (manifest: Obj, generation: number) => ({
    ...manifest,
    metadata: { ...manifest['metadata'], generation },
    status: { observedGeneration: generation, replicas: 1, updatedReplicas: 1, availableReplicas: 1, conditions: [{ type: 'Available', status: 'True' }] },
  });

  it('augments the Object in place and marks it ready from the Deployment provider-kubernetes reports', () => {
    const desired = named(upstreamObject());
    const observed = named({ ...upstreamObject(), status: { atProvider: { manifest: rolledOut(manifestOf(upstreamObject()), 2) } } });
    const rsp = runFunction(request({ xr: UPSTREAM_XR, desired: [desired], observed: [observed] }));
    expect(rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL)).toEqual([]);
    const out = rsp.desired?.resources['deployment'];
    expect(out?.ready).toBe(Ready.READY_TRUE);
    expect(out?.resource?.['kind']).toBe('Object');
    expect(names(podOf(out?.resource as Obj)['initContainers'])).toEqual(['warmup', 'asya-state-proxy-weights', 'asya-state-proxy-cache']);
    expect((rsp.desired?.composite?.resource as Obj)['status']['stateProxy']['ready']).toBe(true);
  });

  it('is not ready while the reported Deployment rolls out, whatever the Object says', () => {
    const observed = named({
      ...upstreamObject(),
      status: { atProvider: { manifest: { ...rolledOut(manifestOf(upstreamObject()), 3), status: { observedGeneration: 2 } } }, conditions: [{ type: 'Ready', status: 'True' }] },
    });
    const rsp = runFunction(request({ xr: UPSTREAM_XR, desired: [named(upstreamObject())], observed: [observed] }));
    expect(rsp.desired?.resources['deployment']?.ready).toBe(Ready.READY_FALSE);
  });

  it('refuses an Object whose manifest lacks the runtime container, leaving the desired state as received', () => {
    const req = request({ xr: UPSTREAM_XR, desired: [named(baseActorResource(UPSTREAM_XR, { wrap: OBJECT_API_VERSIONS[0], runtimeContainerName: 'main' }))] });
    const before = JSON.stringify(req.desired);
    const rsp = runFunction(req);
    const fatal = rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]?.reason).toBe(REASON.conflict);
    expect(fatal[0]?.message).toContain('desired.resources.deployment.spec.forProvider.manifest.spec.template.spec.containers: no container named "asya-runtime" (input.runtimeContainerName)');
    expect(JSON.stringify(rsp.desired)).toBe(before);
  });

  it('still refuses a desired resource that is neither a Deployment nor an Object wrapping one', () => {
    const rsp = runFunction(request({ xr: UPSTREAM_XR, desired: [named({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } })] }));
    expect(rsp.results[0]?.message).toMatch(/is a v1 ConfigMap, not an apps\/v1 Deployment nor a provider-kubernetes Object wrapping one/);
  });
});
