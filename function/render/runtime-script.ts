/**
 * The per-actor copy of the runtime script (issue 18, step input `runtimeScript.copyFrom`).
 * Upstream installs the `asya-runtime` ConfigMap in one namespace, so an actor anywhere else
 * never starts. The platform installs a source ConfigMap once; each actor gets its own copy in
 * its namespace, composed by its XR and so deleted with it only, and its pod mounts that copy.
 *
 * Decisions (docs/pod-references.md):
 * - the copy holds the source's `data` and `binaryData`, nothing of its metadata;
 * - the source must hold `asya_runtime.py` (contract.md §1), or it is not copied;
 * - when the source disappears (or loses the key) after a copy exists, the copy keeps the script
 *   it observed last and the pod keeps mounting it: deleting a working copy would break running
 *   actors at their next restart for a problem they did not cause. The condition says so.
 * - without a copy (never copied, or the source missing from the start) the pod mounts
 *   `asya-runtime` as today.
 */
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { AsyncActor } from '../schema/async-actor.js';
import { actorName } from '../schema/validate.js';
import { RUNTIME_SCRIPT_CONFIGMAP, RUNTIME_SCRIPT_FILE, RUNTIME_SCRIPT_VOLUME } from './constants.js';
import { actorLabels } from './labels.js';
import { isObject, type Json, withKey } from './objects.js';
import { isKubernetesObject } from './wrapped.js';
import { getPath, setPath, templatePath } from './pod-template.js';

/** Names the source on the copy, so `kubectl get cm -o yaml` tells where it came from. */
export const COPIED_FROM_ANNOTATION = 'stateproxy.fn.asya.sh/copied-from';

const SUFFIX = `-${RUNTIME_SCRIPT_CONFIGMAP}`;

/**
 * `<actor>-asya-runtime`. The actor name is a DNS label (at most 63), so the name is a DNS
 * subdomain of at most 76 characters (limit 253). It is unique per actor in the namespace because
 * the actor name is the Deployment's name, which already is.
 */
export const runtimeCopyName = (actor: AsyncActor): string => `${actorName(actor)}${SUFFIX}`;

/** The script data a ConfigMap (plain, or as a provider-kubernetes Object observes it) holds. */
export function scriptData(configMap: unknown): { data?: Json; binaryData?: Json } | undefined {
  const cm = isKubernetesObject(configMap) ? atProviderManifest(configMap) : configMap;
  if (!isObject(cm) || cm['kind'] !== 'ConfigMap') return undefined;
  const out: { data?: Json; binaryData?: Json } = {};
  if (isObject(cm['data'])) out.data = sorted(cm['data']);
  if (isObject(cm['binaryData'])) out.binaryData = sorted(cm['binaryData']);
  return out;
}

export const hasScript = (d: { data?: Json; binaryData?: Json }): boolean =>
  Object.hasOwn(d.data ?? {}, RUNTIME_SCRIPT_FILE) || Object.hasOwn(d.binaryData ?? {}, RUNTIME_SCRIPT_FILE);

function atProviderManifest(object: Json): unknown {
  const status = isObject(object['status']) ? object['status'] : {};
  const atProvider = isObject(status['atProvider']) ? status['atProvider'] : {};
  return atProvider['manifest'];
}

/** Code-unit key order: the source's order is the API server's, but a copy must not depend on it. */
function sorted(map: Json): Json {
  return Object.fromEntries(Object.keys(map).sort().map((k) => [k, map[k]]));
}

export function runtimeCopy(actor: AsyncActor, from: { readonly namespace: string; readonly name: string }, d: { data?: Json; binaryData?: Json }): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: runtimeCopyName(actor),
      labels: actorLabels(actor),
      annotations: { [COPIED_FROM_ANNOTATION]: `${from.namespace}/${from.name}` },
    },
    ...(d.data === undefined ? {} : { data: d.data as Record<string, string> }),
    ...(d.binaryData === undefined ? {} : { binaryData: d.binaryData as Record<string, string> }),
  };
}

/**
 * The actor resource whose `asya-runtime` volume names `configMap` instead of `asya-runtime`.
 * Only a volume that still names `asya-runtime` is switched: an earlier step that chose another
 * ConfigMap for the script made a decision this function does not override.
 */
export function withRuntimeConfigMap(resource: Json, configMap: string): Json {
  const path = [...templatePath(resource), 'spec', 'volumes'];
  const volumes = getPath(resource, path);
  if (!Array.isArray(volumes)) return resource;
  let changed = false;
  const next = volumes.map((v: unknown) => {
    if (!isObject(v) || v['name'] !== RUNTIME_SCRIPT_VOLUME || !isObject(v['configMap']) || v['configMap']['name'] !== RUNTIME_SCRIPT_CONFIGMAP) return v;
    changed = true;
    return withKey(v, 'configMap', withKey(v['configMap'], 'name', configMap));
  });
  return changed ? setPath(resource, path, next) : resource;
}

/** Whether the actor resource mounts the upstream `asya-runtime` ConfigMap (the copy replaces it). */
export function mountsUpstreamRuntime(resource: Json): boolean {
  const volumes = getPath(resource, [...templatePath(resource), 'spec', 'volumes']);
  return Array.isArray(volumes) && volumes.some((v: unknown) => isObject(v) && v['name'] === RUNTIME_SCRIPT_VOLUME && isObject(v['configMap']) && v['configMap']['name'] === RUNTIME_SCRIPT_CONFIGMAP);
}

/** The copy is ready once it exists; wrapped in a provider-kubernetes Object, the Object decides. */
export function runtimeCopyReady(observed: unknown, objectReady: (o: unknown) => boolean): boolean {
  if (isKubernetesObject(observed)) return objectReady(observed);
  return isObject(observed) && observed['apiVersion'] === 'v1' && observed['kind'] === 'ConfigMap';
}
