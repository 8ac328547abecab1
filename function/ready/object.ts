/**
 * Readiness of the actor's composed resource when it is a provider-kubernetes Object wrapping the
 * Deployment (see render/wrapped.ts for the versions).
 *
 * provider-kubernetes copies the live object, status included, to the Object's
 * `status.atProvider.manifest`; that Deployment is judged exactly like an unwrapped one
 * (deploymentReady). The Object's own Ready condition is only a fallback for when no observed
 * Deployment is reported: with the default readiness policy (`SuccessfulCreate`) it turns True as
 * soon as the Deployment exists, long before any pod runs, so it must not win over the rollout.
 *
 * One more guard: while the Object's `Synced` condition is False the provider failed to apply the
 * latest manifest, and the observed Deployment is the previous one; it says nothing about the pod
 * this function just rendered, so the Object is not ready.
 */
import { isKubernetesObject } from '../render/wrapped.js';
import { deploymentReady } from './deployment.js';
import { isObject, type Json } from '../json.js';


function condition(status: Json, type: string): unknown {
  const conditions = Array.isArray(status['conditions']) ? status['conditions'] : [];
  const found = conditions.find((c) => isObject(c) && c['type'] === type);
  return isObject(found) ? found['status'] : undefined;
}

export function objectReady(observed: unknown): boolean {
  if (!isKubernetesObject(observed)) return false;
  const status = isObject(observed['status']) ? observed['status'] : undefined;
  if (status === undefined) return false;
  if (condition(status, 'Synced') === 'False') return false;
  const atProvider = isObject(status['atProvider']) ? status['atProvider'] : {};
  const manifest = atProvider['manifest'];
  if (isObject(manifest) && manifest['kind'] === 'Deployment') return deploymentReady(manifest);
  return condition(status, 'Ready') === 'True';
}

/** The actor's observed composed resource, unwrapped Deployment or wrapping Object. */
export function actorResourceReady(observed: unknown): boolean {
  return isKubernetesObject(observed) ? objectReady(observed) : deploymentReady(observed);
}
