/**
 * Reaching the pod template of the actor resource, whether the Deployment is composed directly or
 * wrapped in a provider-kubernetes Object: shared by the ServiceAccount and runtime-script steps,
 * which both read and rewrite parts of the pod without copying what they do not touch.
 */
import { isObject, type Json, withKey } from './objects.js';
import { isKubernetesObject } from './wrapped.js';

/** Where the pod template sits: a Deployment's `spec.template`, or inside a wrapping Object's manifest. */
export function templatePath(resource: Json): string[] {
  return isKubernetesObject(resource) ? ['spec', 'forProvider', 'manifest', 'spec', 'template'] : ['spec', 'template'];
}

export function getPath(obj: unknown, path: readonly string[]): unknown {
  let at: unknown = obj;
  for (const key of path) at = isObject(at) ? at[key] : undefined;
  return at;
}

/** A copy of `obj` with `value` at `path`, sharing every branch off the path. */
export function setPath(obj: Json, path: readonly string[], value: unknown): Json {
  const [head, ...rest] = path;
  if (head === undefined) return obj;
  const child = isObject(obj[head]) ? obj[head] : {};
  return withKey(obj, head, rest.length === 0 ? value : setPath(child, rest, value));
}
