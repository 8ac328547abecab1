/**
 * RunFunction with required resources (issue 18): what it asks Crossplane for, the
 * PodReferencesResolved condition, and the per-actor runtime script copy.
 */
import { Capability, Ready, type RunFunctionRequest, type RunFunctionResponse, Severity, Status } from '@crossplane-org/function-sdk-typescript';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validActor } from '../test/support/actor-arbitraries.js';
import { fcParams } from '../test/support/fc.js';
import { actorDoc, baseSpec, request } from '../test/support/requests.js';
import { REASON, runFunction } from './handler.js';

const ALL = [Capability.CAPABILITY_CAPABILITIES, Capability.CAPABILITY_REQUIRED_RESOURCES, Capability.CAPABILITY_CONDITIONS];
const SCRIPT = { 'asya_runtime.py': 'print("hello")\n' };
const cm = (name: string, namespace: string, data: Record<string, string> = SCRIPT) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data });
const sa = (name: string, namespace = 'prod') => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });

type Fetch = Record<string, Record<string, unknown>[]>;
function req(opts: { spec?: Record<string, unknown>; input?: Record<string, unknown>; caps?: Capability[]; required?: Fetch; extra?: Fetch; observed?: Record<string, unknown>[] } = {}): RunFunctionRequest {
  const r = request({ xr: actorDoc(opts.spec ?? baseSpec), input: opts.input, observed: opts.observed ?? [] });
  const wrap = (f: Fetch | undefined) => Object.fromEntries(Object.entries(f ?? {}).map(([k, items]) => [k, { items: items.map((resource) => ({ resource, connectionDetails: {}, ready: Ready.READY_UNSPECIFIED })) }]));
  return { ...r, meta: { tag: '', capabilities: opts.caps ?? ALL }, requiredResources: wrap(opts.required), extraResources: wrap(opts.extra) };
}
const condition = (rsp: RunFunctionResponse) => rsp.conditions.find((c) => c.type === 'PodReferencesResolved');
const warnings = (rsp: RunFunctionResponse) => rsp.results.filter((r) => r.severity === Severity.SEVERITY_WARNING && r.reason === 'ReferencesMissing');
const runtimeVolume = (rsp: RunFunctionResponse) => (rsp.desired?.resources['deployment']?.resource as any).spec.template.spec.volumes.find((v: any) => v.name === 'asya-runtime');
const copyInput = { runtimeScript: { copyFrom: { namespace: 'asya-system', name: 'asya-runtime' } } };

describe('runFunction: pod references', () => {
  it('asks for the runtime ConfigMap by name, keyed deterministically', () => {
    const rsp = runFunction(req());
    expect(rsp.requirements?.resources).toEqual({ 'configmap/asya-runtime': { apiVersion: 'v1', kind: 'ConfigMap', matchName: 'asya-runtime', namespace: 'prod' } });
  });

  it('asks for the same requirements whether or not the objects arrived (stable across iterations)', () => {
    const first = runFunction(req({ input: copyInput }));
    const second = runFunction(req({ input: copyInput, required: { 'configmap/asya-runtime': [], 'configmap/asya-system/asya-runtime': [cm('asya-runtime', 'asya-system')] } }));
    expect(first.requirements).toEqual(second.requirements);
    expect(Object.keys(second.requirements?.resources ?? {})).toEqual(['configmap/asya-runtime', 'configmap/asya-system/asya-runtime']);
  });

  it('is Unknown, without a warning, before Crossplane fetched anything (its first iteration)', () => {
    const rsp = runFunction(req());
    expect(condition(rsp)).toMatchObject({ status: Status.STATUS_CONDITION_UNKNOWN, reason: 'ReferencesNotFetched' });
    expect(warnings(rsp)).toEqual([]);
  });

  it('is False with the missing names, a WARNING, and never FATAL; the Deployment is still rendered', () => {
    const rsp = runFunction(req({ required: { 'configmap/asya-runtime': [] } }));
    expect(condition(rsp)).toMatchObject({ status: Status.STATUS_CONDITION_FALSE, reason: 'ReferencesMissing' });
    expect(condition(rsp)?.message).toMatch(/^In namespace prod: ConfigMap asya-runtime \(volume asya-runtime\) not found\. The pod cannot start until these exist/);
    expect(warnings(rsp)).toHaveLength(1);
    expect(rsp.results.some((r) => r.severity === Severity.SEVERITY_FATAL)).toBe(false);
    expect(rsp.desired?.resources['deployment']).toBeDefined();
  });

  it('is True once the ConfigMap exists, with no warning', () => {
    const rsp = runFunction(req({ required: { 'configmap/asya-runtime': [cm('asya-runtime', 'prod')] } }));
    expect(condition(rsp)).toMatchObject({ status: Status.STATUS_CONDITION_TRUE, reason: 'AllReferencesFound', message: 'Every object the pod references exists in namespace prod: ConfigMap asya-runtime' });
    expect(rsp.results).toEqual([]);
  });

  it('reports a ConfigMap that lacks the runtime script key', () => {
    const rsp = runFunction(req({ required: { 'configmap/asya-runtime': [cm('asya-runtime', 'prod', { other: 'x' })] } }));
    expect(condition(rsp)?.message).toMatch(/ConfigMap asya-runtime \(volume asya-runtime\) has no key "asya_runtime.py"/);
  });

  it('reads the deprecated extraResources too (older Crossplane)', () => {
    const rsp = runFunction(req({ extra: { 'configmap/asya-runtime': [cm('asya-runtime', 'prod')] } }));
    expect(condition(rsp)?.status).toBe(Status.STATUS_CONDITION_TRUE);
  });

  it('requires the actor ServiceAccount and user ConfigMaps (keys included), but no Secret unless opted in', () => {
    const spec = {
      ...baseSpec,
      serviceAccountName: 'runner',
      env: [
        { name: 'MODEL', valueFrom: { configMapKeyRef: { name: 'model-config', key: 'model' } } },
        { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'hf-token', key: 'token' } } },
        { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'optional-cm', key: 'k', optional: true } } },
      ],
    };
    const off = runFunction(req({ spec }));
    expect(Object.keys(off.requirements?.resources ?? {})).toEqual(['configmap/asya-runtime', 'configmap/model-config', 'serviceaccount/runner']);
    const on = runFunction(req({ spec, input: { podReferences: { checkSecrets: true } } }));
    expect(Object.keys(on.requirements?.resources ?? {})).toEqual(['configmap/asya-runtime', 'configmap/model-config', 'secret/hf-token', 'serviceaccount/runner']);
    const rsp = runFunction(
      req({ spec, input: { podReferences: { checkSecrets: true } }, required: { 'configmap/asya-runtime': [cm('asya-runtime', 'prod')], 'configmap/model-config': [cm('model-config', 'prod', { other: '1' })], 'secret/hf-token': [], 'serviceaccount/runner': [sa('runner')] } }),
    );
    expect(condition(rsp)?.message).toContain('ConfigMap model-config (env MODEL of container asya-runtime) has no key "model"; Secret hf-token (env TOKEN of container asya-runtime) not found');
  });

  it('does not require the ServiceAccount it composes itself', () => {
    const rsp = runFunction(req({ input: { serviceAccount: { enabled: true } } }));
    expect(Object.keys(rsp.requirements?.resources ?? {})).toEqual(['configmap/asya-runtime']);
  });

  it('podReferences.check: false asks nothing and reports nothing', () => {
    const rsp = runFunction(req({ input: { podReferences: { check: false } } }));
    expect(rsp.requirements).toBeUndefined();
    expect(rsp.conditions).toEqual([]);
  });
});

describe('runFunction: capabilities', () => {
  it('without advertised capabilities (before Crossplane 2.2) renders exactly as today', () => {
    const today = runFunction(request({ xr: actorDoc(baseSpec) }));
    const rsp = runFunction(req({ caps: [] }));
    expect(JSON.stringify(rsp)).toBe(JSON.stringify(today));
    expect(rsp.requirements).toBeUndefined();
  });

  it('without advertised capabilities, an explicit copyFrom gets one NORMAL result and no copy', () => {
    const rsp = runFunction(req({ caps: [], input: copyInput }));
    expect(rsp.results.map((r) => [r.severity, r.reason])).toEqual([[Severity.SEVERITY_NORMAL, 'PodReferencesNotChecked']]);
    expect(runtimeVolume(rsp).configMap.name).toBe('asya-runtime');
  });

  it('advertised without REQUIRED_RESOURCES: renders as today and says once that it could not check', () => {
    const rsp = runFunction(req({ caps: [Capability.CAPABILITY_CAPABILITIES, Capability.CAPABILITY_CONDITIONS] }));
    expect(rsp.requirements).toBeUndefined();
    expect(rsp.conditions).toEqual([]);
    expect(rsp.results).toHaveLength(1);
    expect(rsp.results[0]).toMatchObject({ severity: Severity.SEVERITY_NORMAL, reason: 'PodReferencesNotChecked' });
    expect(rsp.results[0]?.message).toMatch(/does not advertise the REQUIRED_RESOURCES capability/);
  });

  it('advertised without CONDITIONS: no condition, the WARNING still names what is missing', () => {
    const rsp = runFunction(req({ caps: [Capability.CAPABILITY_CAPABILITIES, Capability.CAPABILITY_REQUIRED_RESOURCES], required: { 'configmap/asya-runtime': [] } }));
    expect(rsp.conditions).toEqual([]);
    expect(warnings(rsp)[0]?.message).toMatch(/ConfigMap asya-runtime \(volume asya-runtime\) not found/);
  });
});

describe('runFunction: runtimeScript.copyFrom', () => {
  const found = { 'configmap/asya-runtime': [], 'configmap/asya-system/asya-runtime': [cm('asya-runtime', 'asya-system', { 'asya_runtime.py': 'v2', extra: 'e' })] };

  it('composes a per-actor copy and mounts it; condition True without the namespace asya-runtime', () => {
    const rsp = runFunction(req({ input: copyInput, required: found }));
    expect(Object.keys(rsp.desired?.resources ?? {})).toEqual(['deployment', 'runtime-script']);
    const copy = rsp.desired?.resources['runtime-script'];
    expect(copy?.resource).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'model-inference-asya-runtime',
        labels: { 'app.kubernetes.io/name': 'model-inference', 'app.kubernetes.io/component': 'actor', 'app.kubernetes.io/managed-by': 'crossplane', 'app.kubernetes.io/part-of': 'asya', 'asya.sh/actor': 'model-inference', team: 'ml' },
        annotations: { 'stateproxy.fn.asya.sh/copied-from': 'asya-system/asya-runtime' },
      },
      data: { 'asya_runtime.py': 'v2', extra: 'e' },
    });
    expect(copy?.ready).toBe(Ready.READY_FALSE);
    expect(runtimeVolume(rsp)).toEqual({ name: 'asya-runtime', configMap: { name: 'model-inference-asya-runtime', defaultMode: 493 } });
    expect(condition(rsp)).toMatchObject({ status: Status.STATUS_CONDITION_TRUE, message: 'The runtime script is copied from ConfigMap asya-system/asya-runtime to ConfigMap prod/model-inference-asya-runtime' });
  });

  it('marks the copy ready once observed', () => {
    const observed = [{ ...cm('model-inference-asya-runtime', 'prod'), metadata: { name: 'model-inference-asya-runtime', annotations: { 'crossplane.io/composition-resource-name': 'runtime-script' } } }];
    const rsp = runFunction(req({ input: copyInput, required: found, observed }));
    expect(rsp.desired?.resources['runtime-script']?.ready).toBe(Ready.READY_TRUE);
  });

  it('source missing from the start: condition False, a warning, no copy, the pod mounts asya-runtime', () => {
    const rsp = runFunction(req({ input: copyInput, required: { 'configmap/asya-runtime': [], 'configmap/asya-system/asya-runtime': [] } }));
    expect(Object.keys(rsp.desired?.resources ?? {})).toEqual(['deployment']);
    expect(runtimeVolume(rsp).configMap.name).toBe('asya-runtime');
    expect(condition(rsp)?.status).toBe(Status.STATUS_CONDITION_FALSE);
    expect(condition(rsp)?.message).toContain('The runtime script source ConfigMap asya-system/asya-runtime (input.runtimeScript.copyFrom) not found; no copy is made and the pod mounts ConfigMap prod/asya-runtime instead');
    expect(condition(rsp)?.message).toContain('In namespace prod: ConfigMap asya-runtime (volume asya-runtime) not found');
    expect(warnings(rsp)).toHaveLength(1);
  });

  it('source removed after the copy exists: the copy keeps the last script, condition False says so', () => {
    const observed = [{ ...cm('model-inference-asya-runtime', 'prod', { 'asya_runtime.py': 'v1' }), metadata: { name: 'model-inference-asya-runtime', annotations: { 'crossplane.io/composition-resource-name': 'runtime-script' } } }];
    const rsp = runFunction(req({ input: copyInput, required: { 'configmap/asya-runtime': [], 'configmap/asya-system/asya-runtime': [] }, observed }));
    expect((rsp.desired?.resources['runtime-script']?.resource as any).data).toEqual({ 'asya_runtime.py': 'v1' });
    expect(runtimeVolume(rsp).configMap.name).toBe('model-inference-asya-runtime');
    expect(condition(rsp)?.status).toBe(Status.STATUS_CONDITION_FALSE);
    expect(condition(rsp)?.message).toMatch(/^The runtime script source ConfigMap asya-system\/asya-runtime \(input.runtimeScript.copyFrom\) not found; ConfigMap prod\/model-inference-asya-runtime keeps the script copied last/);
  });

  it('refuses a copy key an earlier step already uses, leaving the desired state as received', () => {
    const taken = { ...cm('x', 'prod'), metadata: { name: 'x', annotations: { 'crossplane.io/composition-resource-name': 'runtime-script' } } };
    const r = req({ input: copyInput, required: found });
    const withTaken = { ...r, desired: { ...r.desired!, resources: { 'runtime-script': { resource: taken, connectionDetails: {}, ready: Ready.READY_UNSPECIFIED } } } };
    const rsp = runFunction(withTaken);
    expect(rsp.results.map((x) => x.reason)).toEqual([REASON.conflict]);
    expect(rsp.desired?.resources['runtime-script']?.resource).toEqual(taken);
  });

  it('refuses an invalid copyFrom as InvalidFunctionInput', () => {
    const rsp = runFunction(req({ input: { runtimeScript: { copyFrom: { namespace: 'Asya_System', name: 'asya-runtime' } } } }));
    expect(rsp.results.map((x) => x.reason)).toEqual([REASON.invalidInput]);
    expect(rsp.results[0]?.message).toMatch(/input\.runtimeScript\.copyFrom\.namespace/);
  });

  it('is byte-identical for the same request', () => {
    const r = () => req({ input: copyInput, required: found });
    expect(JSON.stringify(runFunction(r()))).toBe(JSON.stringify(runFunction(r())));
  });
});

describe('requirements are a function of the request, not of what was fetched', () => {
  it('for generated actors: the second iteration (everything fetched, found or not) asks exactly what the first asked', () => {
    fc.assert(
      fc.property(validActor(), fc.boolean(), fc.boolean(), (gen, copy, found) => {
        const input = copy ? copyInput : {};
        // Fresh requests each time: the SDK's to() shares the request's desired state with the response.
        const base = () => ({ ...request({ xr: gen.xr, input }), meta: { tag: '', capabilities: ALL } });
        const first = runFunction(base());
        if (first.results.some((r) => r.severity === Severity.SEVERITY_FATAL)) return;
        const fetchedAll = Object.fromEntries(
          Object.entries(first.requirements?.resources ?? {}).map(([k, sel]) => [
            k,
            { items: found ? [{ resource: { apiVersion: 'v1', kind: sel.kind, metadata: { name: sel.matchName, namespace: sel.namespace }, data: SCRIPT }, connectionDetails: {}, ready: Ready.READY_UNSPECIFIED }] : [] },
          ]),
        );
        const second = runFunction({ ...base(), requiredResources: fetchedAll });
        expect(second.requirements).toEqual(first.requirements);
        // The first key is always the runtime script the pod mounts.
        expect(Object.keys(first.requirements?.resources ?? {})).toContain('configmap/asya-runtime');
        expect(JSON.stringify(runFunction({ ...base(), requiredResources: fetchedAll }))).toBe(JSON.stringify(second));
      }),
      fcParams(100),
    );
  });
});

describe('runFunction: a provider-kubernetes Object from an earlier step', () => {
  const object = (namespace: string) => ({
    apiVersion: 'kubernetes.m.crossplane.io/v1alpha1',
    kind: 'Object',
    metadata: { annotations: { 'crossplane.io/composition-resource-name': 'deployment' } },
    spec: {
      forProvider: {
        manifest: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'model-inference', namespace },
          spec: {
            selector: { matchLabels: { 'app.kubernetes.io/name': 'model-inference' } },
            template: {
              metadata: { labels: { 'app.kubernetes.io/name': 'model-inference' } },
              spec: {
                containers: [{ name: 'asya-runtime', image: 'ghcr.io/example/inference:1.2.3', volumeMounts: [{ name: 'asya-runtime', mountPath: '/opt/asya/asya_runtime.py', subPath: 'asya_runtime.py' }] }],
                volumes: [{ name: 'asya-runtime', configMap: { name: 'asya-runtime', defaultMode: 493 } }],
              },
            },
          },
        },
      },
      providerConfigRef: { kind: 'ClusterProviderConfig', name: 'default' },
    },
  });
  const withDesired = (r: RunFunctionRequest, desired: Record<string, unknown>): RunFunctionRequest => ({
    ...r,
    desired: { ...r.desired!, resources: { deployment: { resource: desired, connectionDetails: {}, ready: Ready.READY_UNSPECIFIED } } },
  });

  it('looks in the wrapped manifest namespace and wraps the copy in an Object with the same provider config', () => {
    const r = withDesired(req({ input: copyInput, required: { 'configmap/asya-system/asya-runtime': [cm('asya-runtime', 'asya-system')], 'configmap/asya-runtime': [] } }), object('workloads'));
    const rsp = runFunction(r);
    expect(rsp.requirements?.resources['configmap/asya-runtime']?.namespace).toBe('workloads');
    const copy = rsp.desired?.resources['runtime-script']?.resource as any;
    expect(copy).toMatchObject({ apiVersion: 'kubernetes.m.crossplane.io/v1alpha1', kind: 'Object', spec: { providerConfigRef: { kind: 'ClusterProviderConfig', name: 'default' } } });
    expect(copy.spec.forProvider.manifest).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'model-inference-asya-runtime', namespace: 'workloads' }, data: SCRIPT });
    const wrapped = rsp.desired?.resources['deployment']?.resource as any;
    expect(wrapped.spec.forProvider.manifest.spec.template.spec.volumes.find((v: any) => v.name === 'asya-runtime').configMap.name).toBe('model-inference-asya-runtime');
    expect(condition(rsp)?.message).toBe('The runtime script is copied from ConfigMap asya-system/asya-runtime to ConfigMap workloads/model-inference-asya-runtime');
  });

  it("keeps an earlier step's own choice of runtime ConfigMap: no copy, and that ConfigMap is what is checked", () => {
    const chosen = object('prod');
    (chosen.spec.forProvider.manifest.spec.template.spec.volumes[0] as any).configMap.name = 'platform-script';
    const rsp = runFunction(withDesired(req({ input: copyInput, required: { 'configmap/asya-system/asya-runtime': [cm('asya-runtime', 'asya-system')], 'configmap/platform-script': [cm('platform-script', 'prod')] } }), chosen));
    expect(rsp.desired?.resources['runtime-script']).toBeUndefined();
    expect(condition(rsp)).toMatchObject({ status: Status.STATUS_CONDITION_TRUE, message: 'Every object the pod references exists in namespace prod: ConfigMap platform-script' });
  });
});

describe('runFunction: what the False message tells to do', () => {
  it('a missing source with a working fallback (or a kept copy) does not claim the pod cannot start', () => {
    const rsp = runFunction(req({ input: copyInput, required: { 'configmap/asya-runtime': [cm('asya-runtime', 'prod')], 'configmap/asya-system/asya-runtime': [] } }));
    expect(condition(rsp)?.status).toBe(Status.STATUS_CONDITION_FALSE);
    expect(condition(rsp)?.message).not.toContain('cannot start');
    expect(condition(rsp)?.message).toMatch(/This condition turns True at the next reconcile once the source is back/);
  });
});
