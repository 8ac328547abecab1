import { describe, expect, it } from 'vitest';
import { asAsyncActorDocument } from './legacy.js';
import { validateAsyncActor } from './validate.js';

const spec = {
  image: 'ghcr.io/example/a:1',
  handler: 'h.main',
  stateProxy: [{ name: 'cache', mount: { path: '/state/cache' }, connector: { image: 'ghcr.io/deliveryhero/asya-state-proxy-redis-buffered-cas:v1.0.0' } }],
};
const machinery = {
  claimRef: { apiVersion: 'asya.sh/v1alpha1', kind: 'AsyncActor', name: 'a', namespace: 'prod' },
  compositionRef: { name: 'asyncactors' },
  resourceRefs: [],
  writeConnectionSecretToRef: { name: 'x', namespace: 'crossplane-system' },
};

describe('asAsyncActorDocument', () => {
  it('accepts an upstream XAsyncActor composite, ignoring Crossplane v1 machinery', () => {
    const xr = { apiVersion: 'asya.sh/v1alpha1', kind: 'XAsyncActor', metadata: { name: 'a-x7k2p' }, spec: { actor: 'a', ...spec, ...machinery } };
    const result = validateAsyncActor(asAsyncActorDocument(xr));
    expect(result.ok).toBe(true);
  });

  it('still rejects typos in an XAsyncActor', () => {
    const xr = { apiVersion: 'asya.sh/v1alpha1', kind: 'XAsyncActor', metadata: { name: 'a' }, spec: { ...spec, statProxy: [] } };
    const result = validateAsyncActor(asAsyncActorDocument(xr));
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.issues.map((i) => i.path.join('.'))).toContain('spec.statProxy');
  });

  it('leaves machinery fields on an AsyncActor to the schema (a v2 XR keeps them under spec.crossplane)', () => {
    const xr = { apiVersion: 'asya.sh/v1alpha1', kind: 'AsyncActor', metadata: { name: 'a' }, spec: { ...spec, compositionRef: { name: 'x' } } };
    expect(asAsyncActorDocument(xr)).toBe(xr);
    expect(validateAsyncActor(xr).ok).toBe(false);
  });
});
