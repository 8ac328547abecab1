import { describe, expect, it } from 'vitest';
import { serviceAccountReady } from './service-account.js';

const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'model-inference', namespace: 'prod', uid: 'u-1' } };
const wrapped = (status: Record<string, unknown> | undefined) => ({
  apiVersion: 'kubernetes.crossplane.io/v1alpha2',
  kind: 'Object',
  spec: { forProvider: { manifest: sa } },
  ...(status === undefined ? {} : { status }),
});

describe('serviceAccountReady', () => {
  it.each([
    ['observed ServiceAccount', sa, true],
    ['not observed yet', undefined, false],
    ['another kind under the key', { apiVersion: 'v1', kind: 'ConfigMap' }, false],
    ['wrong apiVersion', { ...sa, apiVersion: 'v2' }, false],
    ['wrapped, Object Ready', wrapped({ conditions: [{ type: 'Ready', status: 'True' }] }), true],
    ['wrapped, Object not Ready yet', wrapped({ conditions: [{ type: 'Ready', status: 'False' }] }), false],
    ['wrapped, no status', wrapped(undefined), false],
    ['garbage', 'nope', false],
  ])('%s', (_n, observed, want) => expect(serviceAccountReady(observed)).toBe(want));
});
