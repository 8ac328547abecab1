import { Ready, RunFunctionResponse, Severity, type RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import { describe, expect, it } from 'vitest';
import { actorDoc, baseSpec, request } from '../test/support/requests.js';
import { REASON, runFunction } from './handler.js';

const fatals = (rsp: RunFunctionResponse) => rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL);
const snapshot = (req: RunFunctionRequest) => JSON.parse(JSON.stringify(req.desired)) as unknown;

const earlierConfigMap = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'x', annotations: { 'crossplane.io/composition-resource-name': 'config' } },
  data: { a: 'b' },
};

describe('runFunction refusals leave the desired state exactly as received', () => {
  const cases: Array<[string, RunFunctionRequest, string, RegExp]> = [
    ['invalid actor', request({ xr: actorDoc({ ...baseSpec, stateProxy: [{ ...baseSpec.stateProxy[0], name: 'Bad_Name' }] }), desired: [earlierConfigMap] }), REASON.invalidActor, /spec\.stateProxy\[0\]\.name/],
    ['invalid step input', request({ xr: actorDoc(baseSpec), input: { sidecarmode: 'native' }, desired: [earlierConfigMap] }), REASON.invalidInput, /input\.sidecarmode: unknown field/],
    ['image outside the allow-list', request({ xr: actorDoc(baseSpec), input: { allowedConnectorImages: ['registry.internal/asya/'] }, desired: [earlierConfigMap] }), REASON.imagePolicy, /spec\.stateProxy\[0\]\.connector\.image/],
    ['a tagged allow-list entry on an actor without mounts', request({ xr: actorDoc({ ...baseSpec, stateProxy: [] }), input: { allowedConnectorImages: ['ghcr.io/deliveryhero/asya-state-proxy-s3:v1'] }, desired: [earlierConfigMap] }), REASON.invalidInput, /input\.allowedConnectorImages\[0\]: .*must not contain a tag/],
    ['a tagged allow-list entry on an actor with mounts', request({ xr: actorDoc(baseSpec), input: { allowedConnectorImages: ['ghcr.io/deliveryhero/asya-state-proxy-s3:v1'] }, desired: [earlierConfigMap] }), REASON.invalidInput, /input\.allowedConnectorImages\[0\]: .*must not contain a tag/],
    ['a non-Deployment under the resource key', request({ xr: actorDoc(baseSpec), input: { resourceKey: 'config' }, desired: [earlierConfigMap] }), REASON.conflict, /v1 ConfigMap, not an apps\/v1 Deployment/],
  ];
  it.each(cases)('%s', (_name, req, reason, message) => {
    const before = snapshot(req);
    const rsp = runFunction(req);
    expect(fatals(rsp)).toHaveLength(1);
    expect(fatals(rsp)[0]?.reason).toBe(reason);
    expect(fatals(rsp)[0]?.message).toMatch(message);
    expect(JSON.parse(JSON.stringify(rsp.desired))).toEqual(before);
  });

  it('reports a request without an observed composite', () => {
    const req = request({ xr: actorDoc(baseSpec) });
    const rsp = runFunction({ ...req, observed: undefined });
    expect(fatals(rsp)[0]?.reason).toBe(REASON.missingComposite);
  });
});

describe('runFunction on malformed requests', () => {
  const weird: unknown[] = [
    null,
    'a string',
    [1, 2, 3],
    { apiVersion: 'asya.sh/v1alpha1', kind: 'AsyncActor' },
    { apiVersion: 'asya.sh/v1alpha1', kind: 'AsyncActor', metadata: { name: 'x' }, spec: null },
    { apiVersion: 'asya.sh/v1alpha1', kind: 'AsyncActor', metadata: { name: 'x' }, spec: { ...baseSpec, stateProxy: 'nope' } },
    { apiVersion: 'asya.sh/v1alpha1', kind: 'AsyncActor', metadata: { name: 'x' }, spec: { ...baseSpec, stateProxy: [null, 3, { name: 7 }] } },
    JSON.parse('{"apiVersion":"asya.sh/v1alpha1","kind":"AsyncActor","metadata":{"name":"x"},"spec":{"__proto__":{"polluted":true},"image":"i","handler":"h"}}'),
    { apiVersion: 'asya.sh/v1alpha1', kind: 'AsyncActor', metadata: { name: 'x\u0000y' }, spec: { ...baseSpec, handler: 'h\u0000' } },
  ];
  it.each(weird.map((w, i) => [i, w] as const))('case %i answers with a FATAL result and does not throw', (_i, xr) => {
    const req = request({ xr: actorDoc(baseSpec), desired: [earlierConfigMap] });
    const malformed = { ...req, observed: { composite: { resource: xr as Record<string, unknown>, connectionDetails: {}, ready: Ready.READY_UNSPECIFIED }, resources: {} } };
    const rsp = runFunction(malformed);
    expect(fatals(rsp).length).toBeGreaterThan(0);
    expect(Object.keys(rsp.desired?.resources ?? {})).toEqual(['config']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('runFunction on a valid actor', () => {
  it('keeps the status an earlier step wrote on the composite and adds its own', () => {
    const req = request({ xr: actorDoc(baseSpec) });
    req.desired!.composite!.resource = { apiVersion: 'asya.sh/v1alpha1', kind: 'AsyncActor', status: { phase: 'Creating' } };
    const rsp = runFunction(req);
    expect(rsp.desired?.composite?.resource?.['status']).toMatchObject({
      phase: 'Creating',
      actor: 'model-inference',
      mounts: 'weights,cache',
      stateProxy: { sidecarMode: 'native', ready: false },
    });
  });

  it('status.stateProxy.mounts[] says whether each mount is guarded (mount.guard over the input mountGuard)', () => {
    const [first, second] = baseSpec.stateProxy;
    const spec = { ...baseSpec, stateProxy: [first, { ...second!, mount: { ...second!.mount, guard: true } }] };
    const guarded = (input?: Record<string, unknown>) =>
      (runFunction(request({ xr: actorDoc(spec as never), ...(input === undefined ? {} : { input }) })).desired?.composite?.resource?.['status'] as {
        stateProxy: { mounts: Array<{ name: string; guarded: boolean }> };
      }).stateProxy.mounts.map((m) => [m.name, m.guarded]);
    expect(guarded()).toEqual([['weights', true], ['cache', true]]);
    expect(guarded({ mountGuard: false })).toEqual([['weights', false], ['cache', true]]);
  });

  it('marks the Deployment ready from the observed rollout', () => {
    const observed = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'model-inference', generation: 1, annotations: { 'crossplane.io/composition-resource-name': 'deployment' } },
      spec: { replicas: 1 },
      status: { observedGeneration: 1, updatedReplicas: 1, availableReplicas: 1, conditions: [{ type: 'Available', status: 'True' }] },
    };
    const rsp = runFunction(request({ xr: actorDoc(baseSpec), observed: [observed] }));
    expect(rsp.desired?.resources['deployment']?.ready).toBe(Ready.READY_TRUE);
    expect(rsp.desired?.composite?.resource?.['status']?.['stateProxy']?.['ready']).toBe(true);
  });

  it('emits warnings as WARNING results with a reason and the field path', () => {
    const spec = { ...baseSpec, scaling: { enabled: true, maxReplicaCount: 4 } };
    const rsp = runFunction(request({ xr: actorDoc(spec) }));
    const warnings = rsp.results.filter((r) => r.severity === Severity.SEVERITY_WARNING);
    expect(warnings.map((w) => w.reason)).toContain('LastWriteWinsWithReplicas');
    expect(warnings.find((w) => w.reason === 'LastWriteWinsWithReplicas')?.message).toMatch(/^spec\.stateProxy\[0\]/);
  });

  it('leaves its request untouched, so calling it again on the same request renders afresh', () => {
    const req = request({ xr: actorDoc(baseSpec), tag: 't', desired: [earlierConfigMap] });
    const before = structuredClone(req);
    const first = RunFunctionResponse.encode(runFunction(req)).finish();
    expect(req).toEqual(before);
    expect(Object.keys(req.desired?.resources ?? {})).toEqual(['config']);
    const second = RunFunctionResponse.encode(runFunction(req)).finish();
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
  });

  it('renders identical bytes for identical requests', () => {
    const a = RunFunctionResponse.encode(runFunction(request({ xr: actorDoc(baseSpec), tag: 't' }))).finish();
    const b = RunFunctionResponse.encode(runFunction(request({ xr: actorDoc(baseSpec), tag: 't' }))).finish();
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });
});
