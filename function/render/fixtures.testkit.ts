/**
 * Test helpers for the renderer's tests: validated actors built from small documents, and a deep
 * freeze that makes any mutation of an input throw. Not a test file itself (no `.test.ts`).
 */
import { DEFAULT_INPUT, type StepInput, stepInput } from '../input/schema.js';
import type { AsyncActor, AsyncActorInput } from '../schema/async-actor.js';
import { validateAsyncActor } from '../schema/validate.js';

type SpecInput = Partial<AsyncActorInput['spec']>;

export function actorDoc(spec: SpecInput = {}, metadata: Partial<AsyncActorInput['metadata']> = {}): AsyncActorInput {
  return {
    apiVersion: 'asya.sh/v1alpha1',
    kind: 'AsyncActor',
    metadata: { name: 'model-inference', namespace: 'prod', ...metadata },
    spec: { image: 'ghcr.io/acme/inference:1.2.3', handler: 'app.handler.process', ...spec },
  };
}

/** A validated actor; throws with the issues when the document is invalid (a broken fixture). */
export function makeActor(spec: SpecInput = {}, metadata: Partial<AsyncActorInput['metadata']> = {}): AsyncActor {
  const result = validateAsyncActor(actorDoc(spec, metadata));
  if (!result.ok) throw new Error(`invalid fixture: ${JSON.stringify(result.issues)}`);
  return result.value;
}

export function makeInput(raw: Record<string, unknown> = {}): StepInput {
  return stepInput.parse(raw);
}

export { DEFAULT_INPUT };

export const weights = {
  name: 'weights',
  mount: { path: '/state/weights' },
  connector: {
    image: 'ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww:v1.0.0',
    env: [
      { name: 'STATE_BUCKET', value: 'my-model-weights' },
      { name: 'AWS_REGION', value: 'us-east-1' },
    ],
    resources: { requests: { cpu: '50m', memory: '64Mi' } },
  },
};

export const cache = {
  name: 'cache',
  mount: { path: '/state/cache' },
  writeMode: 'passthrough' as const,
  connector: {
    image: 'ghcr.io/deliveryhero/asya-state-proxy-redis-buffered-cas:v1.0.0',
    imagePullPolicy: 'Always' as const,
    env: [{ name: 'REDIS_URL', valueFrom: { secretKeyRef: { name: 'redis', key: 'url' } } }],
    envFrom: [{ configMapRef: { name: 'redis-settings' } }],
  },
};

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
