import { describe, expect, it } from 'vitest';
import { deploymentReady } from './deployment.js';

const available = { type: 'Available', status: 'True' };
const dep = (over: { generation?: number; replicas?: number; status?: Record<string, unknown> | undefined }) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'a', generation: over.generation ?? 2 },
  spec: over.replicas === undefined ? {} : { replicas: over.replicas },
  ...(over.status === undefined ? {} : { status: over.status }),
});

describe('deploymentReady', () => {
  it.each([
    ['fully rolled out', dep({ replicas: 2, status: { observedGeneration: 2, updatedReplicas: 2, availableReplicas: 2, conditions: [available] } }), true],
    ['replicas defaulted to 1', dep({ status: { observedGeneration: 2, updatedReplicas: 1, availableReplicas: 1, conditions: [available] } }), true],
    ['scaled to zero by an autoscaler', dep({ replicas: 0, status: { observedGeneration: 2, conditions: [available] } }), true],
    ['controller has not seen the new spec', dep({ replicas: 1, status: { observedGeneration: 1, updatedReplicas: 1, availableReplicas: 1, conditions: [available] } }), false],
    ['still rolling out', dep({ replicas: 3, status: { observedGeneration: 2, updatedReplicas: 2, availableReplicas: 3, conditions: [available] } }), false],
    ['not all available', dep({ replicas: 3, status: { observedGeneration: 2, updatedReplicas: 3, availableReplicas: 2, conditions: [available] } }), false],
    ['Available is False', dep({ replicas: 1, status: { observedGeneration: 2, updatedReplicas: 1, availableReplicas: 1, conditions: [{ type: 'Available', status: 'False' }] } }), false],
    ['no conditions yet', dep({ replicas: 1, status: { observedGeneration: 2, updatedReplicas: 1, availableReplicas: 1 } }), false],
    ['no status', dep({ replicas: 1 }), false],
    ['not a Deployment', { kind: 'ConfigMap', status: {} }, false],
    ['garbage', 'nope', false],
  ])('%s', (_name, observed, want) => {
    expect(deploymentReady(observed)).toBe(want);
  });
});
