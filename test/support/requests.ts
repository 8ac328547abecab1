/** RunFunctionRequests built from plain documents, for tests and benchmarks. */
import { readFileSync } from 'node:fs';
import type { RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import { parse } from 'yaml';
import { buildRequest, type OfflineRequest } from '../../function/offline.js';

export const loadYaml = (path: string): Record<string, unknown> => parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

export function request(r: OfflineRequest & { tag?: string }): RunFunctionRequest {
  const req = buildRequest(r);
  return { ...req, meta: { tag: r.tag ?? '', capabilities: [] } };
}

export function actorDoc(spec: Record<string, unknown>, name = 'model-inference'): Record<string, unknown> {
  return {
    apiVersion: 'asya.sh/v1alpha1',
    kind: 'AsyncActor',
    metadata: { name, namespace: 'prod', labels: { team: 'ml', 'crossplane.io/composite': name } },
    spec,
  };
}

/** actorDoc with these labels in place of its usual ones. */
export function actorDocWithLabels(spec: Record<string, unknown>, labels: Record<string, string>): Record<string, unknown> {
  const doc = actorDoc(spec);
  return { ...doc, metadata: { ...(doc['metadata'] as object), labels } };
}

export const weightsMount = {
  name: 'weights',
  mount: { path: '/state/weights' },
  connector: {
    image: 'ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww:v1.0.0',
    env: [{ name: 'STATE_BUCKET', value: 'my-model-weights' }],
  },
};

export const cacheMount = {
  name: 'cache',
  mount: { path: '/state/cache' },
  writeMode: 'buffered',
  connector: {
    image: 'ghcr.io/deliveryhero/asya-state-proxy-redis-buffered-cas:v1.0.0',
    env: [{ name: 'REDIS_URL', value: 'redis://redis.default:6379/0' }],
  },
};

export const baseSpec = {
  image: 'ghcr.io/example/inference:1.2.3',
  handler: 'inference.Model.process',
  scaling: { enabled: false },
  stateProxy: [weightsMount, cacheMount],
};
