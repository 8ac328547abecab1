/** RunFunction with the ServiceAccount (issue 17): composed beside the Deployment, ready once observed, named in status. */
import { Ready, type RunFunctionResponse, Severity } from '@crossplane-org/function-sdk-typescript';
import { describe, expect, it } from 'vitest';
import { actorDoc, baseSpec, request } from '../test/support/requests.js';
import { REASON, runFunction } from './handler.js';

const ROLE = 'arn:aws:iam::123456789012:role/asya-{namespace}-{actor}';
const input = { serviceAccount: { enabled: true, annotations: { 'eks.amazonaws.com/role-arn': ROLE } } };
const fatals = (rsp: RunFunctionResponse) => rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL);
const podSpec = (rsp: RunFunctionResponse) => (rsp.desired?.resources['deployment']?.resource as any).spec.template.spec;

describe('runFunction with input.serviceAccount', () => {
  it('composes the ServiceAccount under its own key and points the pod at it', () => {
    const rsp = runFunction(request({ xr: actorDoc(baseSpec), input }));
    expect(fatals(rsp)).toEqual([]);
    expect(Object.keys(rsp.desired?.resources ?? {})).toEqual(['deployment', 'serviceaccount']);
    const sa = rsp.desired?.resources['serviceaccount'];
    expect(sa?.resource).toMatchObject({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'model-inference', annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/asya-prod-model-inference' } },
    });
    expect(sa?.ready).toBe(Ready.READY_FALSE);
    expect(podSpec(rsp).serviceAccountName).toBe('model-inference');
    expect((rsp.desired?.composite?.resource as any).status.serviceAccount).toEqual({ name: 'model-inference', source: 'composed' });
  });

  it('marks the ServiceAccount ready once it is observed', () => {
    const observed = [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'model-inference', annotations: { 'crossplane.io/composition-resource-name': 'serviceaccount' } } }];
    const rsp = runFunction(request({ xr: actorDoc(baseSpec), input, observed }));
    expect(rsp.desired?.resources['serviceaccount']?.ready).toBe(Ready.READY_TRUE);
  });

  it('renders byte-identical responses for the same request', () => {
    const req = () => request({ xr: actorDoc(baseSpec), input });
    expect(JSON.stringify(runFunction(req()))).toBe(JSON.stringify(runFunction(req())));
  });

  it('refuses spec.serviceAccountName with an enabled input and leaves the desired state as received', () => {
    const req = request({ xr: actorDoc({ ...baseSpec, serviceAccountName: 'mine' }), input });
    const before = JSON.stringify(req.desired);
    const rsp = runFunction(req);
    expect(fatals(rsp).map((r) => r.reason)).toEqual([REASON.invalidActor]);
    expect(fatals(rsp)[0]?.message).toMatch(/spec\.serviceAccountName: the actor names ServiceAccount "mine"/);
    expect(JSON.stringify(rsp.desired)).toBe(before);
  });

  it('refuses an invalid substituted annotation as InvalidFunctionInput', () => {
    const rsp = runFunction(request({ xr: actorDoc(baseSpec), input: { serviceAccount: { enabled: true, annotations: { 'eks.amazonaws.com/role-arn': 'role-{actor}' } } } }));
    expect(fatals(rsp).map((r) => r.reason)).toEqual([REASON.invalidInput]);
    expect(fatals(rsp)[0]?.message).toMatch(/input\.serviceAccount\.annotations\["eks\.amazonaws\.com\/role-arn"\]: .*got "role-model-inference"/);
  });

  it('refuses a namePattern without {actor} as InvalidFunctionInput', () => {
    const rsp = runFunction(request({ xr: actorDoc(baseSpec), input: { serviceAccount: { enabled: true, namePattern: 'asya-actors' } } }));
    expect(fatals(rsp).map((r) => r.reason)).toEqual([REASON.invalidInput]);
  });

  it('refuses to overwrite what an earlier step composed under the ServiceAccount key', () => {
    const taken = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', annotations: { 'crossplane.io/composition-resource-name': 'serviceaccount' } } };
    const rsp = runFunction(request({ xr: actorDoc(baseSpec), input, desired: [taken] }));
    expect(fatals(rsp).map((r) => r.reason)).toEqual([REASON.conflict]);
    expect((rsp.desired?.resources['serviceaccount']?.resource as any).kind).toBe('ConfigMap');
  });

  it('uses spec.serviceAccountName without an input and composes nothing', () => {
    const rsp = runFunction(request({ xr: actorDoc({ ...baseSpec, serviceAccountName: 'inference-reader' }) }));
    expect(Object.keys(rsp.desired?.resources ?? {})).toEqual(['deployment']);
    expect(podSpec(rsp).serviceAccountName).toBe('inference-reader');
    expect((rsp.desired?.composite?.resource as any).status.serviceAccount).toEqual({ name: 'inference-reader', source: 'actor' });
  });

  it('refuses a spec.serviceAccountName that is not a DNS subdomain', () => {
    const rsp = runFunction(request({ xr: actorDoc({ ...baseSpec, serviceAccountName: 'Reader_SA' }) }));
    expect(fatals(rsp)[0]?.message).toMatch(/spec\.serviceAccountName: serviceAccountName must be a DNS-1123 subdomain/);
  });
});

describe('runFunction with input.serviceAccount on an earlier step\'s Deployment', () => {
  const earlier = (serviceAccountName?: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'model-inference', annotations: { 'crossplane.io/composition-resource-name': 'deployment' } },
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/name': 'model-inference' } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'model-inference' } },
        spec: { ...(serviceAccountName === undefined ? {} : { serviceAccountName }), containers: [{ name: 'asya-runtime', image: 'ghcr.io/example/inference:1.2.3' }] },
      },
    },
  });
  const warnings = (rsp: RunFunctionResponse) => rsp.results.filter((r) => r.severity === Severity.SEVERITY_WARNING);

  it('keeps its serviceAccountName, composes nothing and says so', () => {
    const rsp = runFunction(request({ xr: actorDoc(baseSpec), input, desired: [earlier('asya-actors')] }));
    expect(fatals(rsp)).toEqual([]);
    expect(podSpec(rsp).serviceAccountName).toBe('asya-actors');
    expect(Object.keys(rsp.desired?.resources ?? {})).toEqual(['deployment']);
    expect(warnings(rsp).map((w) => w.reason)).toEqual(['ServiceAccountKept']);
    expect((rsp.desired?.composite?.resource as any).status.serviceAccount).toEqual({ name: 'asya-actors', source: 'earlier-step' });
  });

  it('replaces it with replaceExisting', () => {
    const rsp = runFunction(request({ xr: actorDoc(baseSpec), input: { serviceAccount: { ...input.serviceAccount, replaceExisting: true } }, desired: [earlier('asya-actors')] }));
    expect(podSpec(rsp).serviceAccountName).toBe('model-inference');
    expect(Object.keys(rsp.desired?.resources ?? {})).toEqual(['deployment', 'serviceaccount']);
    expect(warnings(rsp)).toEqual([]);
  });

  it('sets it when the earlier step set none', () => {
    const rsp = runFunction(request({ xr: actorDoc(baseSpec), input, desired: [earlier()] }));
    expect(podSpec(rsp).serviceAccountName).toBe('model-inference');
    expect(Object.keys(rsp.desired?.resources ?? {})).toEqual(['deployment', 'serviceaccount']);
  });

  it('wraps the ServiceAccount in an Object like the Deployment, same provider config and namespace', () => {
    const dep = earlier();
    const object = {
      apiVersion: 'kubernetes.m.crossplane.io/v1alpha1',
      kind: 'Object',
      metadata: { annotations: dep.metadata.annotations },
      spec: { forProvider: { manifest: { ...dep, metadata: { name: 'model-inference', namespace: 'prod' } } }, providerConfigRef: { kind: 'ClusterProviderConfig', name: 'default' } },
    };
    const rsp = runFunction(request({ xr: actorDoc(baseSpec), input, desired: [object] }));
    expect(fatals(rsp)).toEqual([]);
    const wrapped = rsp.desired?.resources['deployment']?.resource as any;
    expect(wrapped.spec.forProvider.manifest.spec.template.spec.serviceAccountName).toBe('model-inference');
    const sa = rsp.desired?.resources['serviceaccount']?.resource as any;
    expect(sa.apiVersion).toBe('kubernetes.m.crossplane.io/v1alpha1');
    expect(sa.kind).toBe('Object');
    expect(sa.spec.providerConfigRef).toEqual({ kind: 'ClusterProviderConfig', name: 'default' });
    expect(sa.spec.forProvider.manifest).toMatchObject({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'model-inference', namespace: 'prod' } });
  });
});
