import { describe, expect, it } from 'vitest';
import { actorResourceReady, objectReady } from './object.js';

type Obj = Record<string, unknown>;

const rolledOut: Obj = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'a', generation: 4 },
  spec: { replicas: 2 },
  status: { observedGeneration: 4, updatedReplicas: 2, availableReplicas: 2, conditions: [{ type: 'Available', status: 'True' }] },
};
const rollingOut: Obj = {
  ...rolledOut,
  status: { observedGeneration: 4, updatedReplicas: 1, availableReplicas: 2, conditions: [{ type: 'Available', status: 'True' }] },
};
const cond = (type: string, status: string) => ({ type, status, reason: 'x', lastTransitionTime: '2024-01-01T00:00:00Z' });

function object(status: Obj | undefined, apiVersion = 'kubernetes.crossplane.io/v1alpha2'): Obj {
  return {
    apiVersion,
    kind: 'Object',
    metadata: { name: 'a' },
    spec: { forProvider: { manifest: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a' } } } },
    ...(status === undefined ? {} : { status }),
  };
}

describe('objectReady', () => {
  it.each([
    ['the reported Deployment is rolled out', object({ atProvider: { manifest: rolledOut }, conditions: [cond('Ready', 'True'), cond('Synced', 'True')] }), true],
    // The default readiness policy (SuccessfulCreate) says Ready as soon as the Deployment exists.
    ['Ready=True but the reported Deployment is still rolling out', object({ atProvider: { manifest: rollingOut }, conditions: [cond('Ready', 'True'), cond('Synced', 'True')] }), false],
    ['rolled out, no conditions on the Object yet', object({ atProvider: { manifest: rolledOut } }), true],
    ['rolled out but Ready=False on the Object (a stricter readiness policy)', object({ atProvider: { manifest: rolledOut }, conditions: [cond('Ready', 'False')] }), true],
    // The observed Deployment predates the manifest the provider failed to apply.
    ['Synced=False: the latest manifest was not applied', object({ atProvider: { manifest: rolledOut }, conditions: [cond('Ready', 'True'), cond('Synced', 'False')] }), false],
    ['reported Deployment without status', object({ atProvider: { manifest: { ...rolledOut, status: undefined } }, conditions: [cond('Ready', 'True')] }), false],
    ['no manifest reported: falls back to Ready=True', object({ conditions: [cond('Ready', 'True'), cond('Synced', 'True')] }), true],
    ['no manifest reported: falls back to Ready=False', object({ conditions: [cond('Ready', 'False')] }), false],
    ['no manifest reported, no Ready condition', object({ conditions: [cond('Synced', 'True')] }), false],
    ['a reported manifest that is not a Deployment: falls back to Ready', object({ atProvider: { manifest: { kind: 'ConfigMap' } }, conditions: [cond('Ready', 'True')] }), true],
    ['no status at all', object(undefined), false],
    ['namespaced Object (kubernetes.m.crossplane.io/v1alpha1)', object({ atProvider: { manifest: rolledOut } }, 'kubernetes.m.crossplane.io/v1alpha1'), true],
    ['deprecated v1alpha1 Object', object({ atProvider: { manifest: rolledOut } }, 'kubernetes.crossplane.io/v1alpha1'), true],
    ['an unknown Object version', object({ atProvider: { manifest: rolledOut }, conditions: [cond('Ready', 'True')] }, 'kubernetes.crossplane.io/v1beta9'), false],
    ['garbage status', { ...object(undefined), status: 'nope' }, false],
    ['garbage', 'nope', false],
  ])('%s', (_name, observed, want) => {
    expect(objectReady(observed)).toBe(want);
  });
});

describe('actorResourceReady', () => {
  it('judges an unwrapped Deployment and a wrapping Object by the same rollout', () => {
    expect(actorResourceReady(rolledOut)).toBe(true);
    expect(actorResourceReady(rollingOut)).toBe(false);
    expect(actorResourceReady(object({ atProvider: { manifest: rolledOut } }))).toBe(true);
    expect(actorResourceReady(object({ atProvider: { manifest: rollingOut } }))).toBe(false);
    expect(actorResourceReady(undefined)).toBe(false);
  });
});
