/**
 * Readiness of the composed ServiceAccount: it has no status to wait for, so it is ready once it
 * exists, that is once Crossplane reports it among the observed resources. Wrapped in a
 * provider-kubernetes Object (beside a wrapped Deployment), the Object's own readiness decides.
 */
import { isObject } from '../json.js';
import { isKubernetesObject } from '../render/wrapped.js';
import { objectReady } from './object.js';

export function serviceAccountReady(observed: unknown): boolean {
  if (isKubernetesObject(observed)) return objectReady(observed);
  return isObject(observed) && observed['apiVersion'] === 'v1' && observed['kind'] === 'ServiceAccount';
}
