/**
 * Which objects the rendered pod needs in its namespace to start (issue 18), the requirements
 * that ask Crossplane for them, and what the fetched answer says. Pure: the handler passes the
 * pod template in and the required resources Crossplane sent back.
 *
 * A reference with `optional: true` is left out: the kubelet starts the pod without it. A pod
 * without `serviceAccountName` runs as `default`, which the ServiceAccount controller creates in
 * every namespace, so it is not required either.
 *
 * The requirements depend only on the pod template (never on what was fetched), so they are the
 * same for the same request and stable across Crossplane's iterations: it stops iterating when a
 * response asks for exactly what the previous one asked for.
 */
import { isObject, type Json } from './objects.js';

export type ReferenceKind = 'ConfigMap' | 'Secret' | 'ServiceAccount';

export interface PodReference {
  readonly kind: ReferenceKind;
  readonly name: string;
  /** Keys the pod reads from it (`configMapKeyRef`, volume `items`, the runtime script subPath). */
  readonly keys: readonly string[];
  /** Where the pod references it, for messages: `volume asya-runtime`, `env FOO of container x`. */
  readonly usedBy: readonly string[];
}

/** Every object the pod template references, one entry per object, sorted by kind and name. */
export function podReferences(template: unknown, opts: { readonly secrets: boolean }): PodReference[] {
  const found = new Map<string, { kind: ReferenceKind; name: string; keys: Set<string>; usedBy: string[] }>();
  const add = (kind: ReferenceKind, name: unknown, usedBy: string, key?: unknown): void => {
    if (typeof name !== 'string' || name === '') return;
    const id = `${kind}/${name}`;
    const entry = found.get(id) ?? { kind, name, keys: new Set<string>(), usedBy: [] };
    if (typeof key === 'string' && key !== '') entry.keys.add(key);
    if (!entry.usedBy.includes(usedBy)) entry.usedBy.push(usedBy);
    found.set(id, entry);
  };

  const spec = isObject(template) && isObject(template['spec']) ? template['spec'] : {};
  const sa = spec['serviceAccountName'] ?? spec['serviceAccount'];
  if (typeof sa === 'string' && sa !== '' && sa !== 'default') add('ServiceAccount', sa, 'serviceAccountName');
  // Secrets only when asked: every Secret site below is skipped before its message text is built.
  const secrets = opts.secrets;
  if (secrets) for (const [i, s] of list(spec['imagePullSecrets']).entries()) add('Secret', s['name'], `imagePullSecrets[${i}]`);

  const containers = [...list(spec['initContainers']), ...list(spec['containers'])];
  // Ephemeral containers are added to a running pod by kubectl debug, not by a render.
  for (const c of containers) {
    const where = `container ${String(c['name'])}`;
    for (const e of list(c['env'])) {
      const from = isObject(e['valueFrom']) ? e['valueFrom'] : {};
      const cm = isObject(from['configMapKeyRef']) ? from['configMapKeyRef'] : undefined;
      const sec = isObject(from['secretKeyRef']) ? from['secretKeyRef'] : undefined;
      if (cm !== undefined && !optional(cm)) add('ConfigMap', cm['name'], `env ${String(e['name'])} of ${where}`, cm['key']);
      if (secrets && sec !== undefined && !optional(sec)) add('Secret', sec['name'], `env ${String(e['name'])} of ${where}`, sec['key']);
    }
    for (const e of list(c['envFrom'])) {
      const cm = isObject(e['configMapRef']) ? e['configMapRef'] : undefined;
      const sec = isObject(e['secretRef']) ? e['secretRef'] : undefined;
      if (cm !== undefined && !optional(cm)) add('ConfigMap', cm['name'], `envFrom of ${where}`);
      if (secrets && sec !== undefined && !optional(sec)) add('Secret', sec['name'], `envFrom of ${where}`);
    }
  }

  for (const v of list(spec['volumes'])) {
    const where = `volume ${String(v['name'])}`;
    const cm = isObject(v['configMap']) ? v['configMap'] : undefined;
    if (cm !== undefined && !optional(cm)) {
      add('ConfigMap', cm['name'], where);
      for (const item of list(cm['items'])) add('ConfigMap', cm['name'], where, item['key']);
      for (const key of subPathKeys(containers, v['name'])) add('ConfigMap', cm['name'], where, key);
    }
    const sec = isObject(v['secret']) ? v['secret'] : undefined;
    if (secrets && sec !== undefined && !optional(sec)) {
      add('Secret', sec['secretName'], where);
      for (const item of list(sec['items'])) add('Secret', sec['secretName'], where, item['key']);
    }
    const projected = isObject(v['projected']) ? v['projected'] : {};
    for (const source of list(projected['sources'])) {
      const pcm = isObject(source['configMap']) ? source['configMap'] : undefined;
      const psec = isObject(source['secret']) ? source['secret'] : undefined;
      if (pcm !== undefined && !optional(pcm)) {
        add('ConfigMap', pcm['name'], where);
        for (const item of list(pcm['items'])) add('ConfigMap', pcm['name'], where, item['key']);
      }
      if (secrets && psec !== undefined && !optional(psec)) {
        add('Secret', psec['name'], where);
        for (const item of list(psec['items'])) add('Secret', psec['name'], where, item['key']);
      }
    }
  }

  return [...found.values()]
    .map((e) => ({ kind: e.kind, name: e.name, keys: [...e.keys].sort(), usedBy: e.usedBy }))
    .sort((a, b) => cmp(`${a.kind}/${a.name}`, `${b.kind}/${b.name}`));
}

/**
 * A ConfigMap volume without `items` projects every key; a `subPath` mount of it then reads one
 * file, which must be a key (the runtime script is mounted this way). Only top-level subPaths
 * without a directory are keys.
 */
function subPathKeys(containers: readonly Json[], volume: unknown): string[] {
  const keys: string[] = [];
  for (const c of containers) {
    for (const m of list(c['volumeMounts'])) {
      const sub = m['subPath'];
      if (m['name'] === volume && typeof sub === 'string' && sub !== '' && !sub.includes('/')) keys.push(sub);
    }
  }
  return keys;
}

const optional = (ref: Json): boolean => ref['optional'] === true;

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** One object Crossplane is asked for, by name. */
export interface Requirement {
  readonly key: string;
  readonly kind: ReferenceKind;
  readonly name: string;
  readonly namespace: string;
}

/**
 * The requirement key of an object: `configmap/<name>` in the actor's namespace,
 * `configmap/<namespace>/<name>` elsewhere. Object names never contain "/", so keys never collide.
 */
export function requirementKey(kind: ReferenceKind, name: string, namespace: string, actorNamespace: string): string {
  const k = kind.toLowerCase();
  return namespace === actorNamespace ? `${k}/${name}` : `${k}/${namespace}/${name}`;
}

/** Requirements for the references (in the actor's namespace) and extra objects elsewhere, sorted by key. */
export function requirementsFor(
  refs: readonly PodReference[],
  actorNamespace: string,
  extra: ReadonlyArray<{ readonly kind: ReferenceKind; readonly name: string; readonly namespace: string }> = [],
): Requirement[] {
  const out = new Map<string, Requirement>();
  for (const r of [...refs.map((r) => ({ kind: r.kind, name: r.name, namespace: actorNamespace })), ...extra]) {
    const key = requirementKey(r.kind, r.name, r.namespace, actorNamespace);
    out.set(key, { key, ...r });
  }
  return [...out.values()].sort((a, b) => cmp(a.key, b.key));
}

/** What Crossplane sent for one requirement. `pending`: not sent (yet); Crossplane fetches between iterations. */
export type Fetched = { readonly state: 'found'; readonly object: Json } | { readonly state: 'absent' } | { readonly state: 'pending' };

type ResourcesMap = Readonly<Record<string, { readonly items?: ReadonlyArray<{ readonly resource?: unknown }> } | undefined>> | undefined;

/**
 * The fetched object under `key`: `requiredResources` first, then the deprecated
 * `extraResources` older Crossplane fills. A key present without items was fetched and not found.
 */
export function fetched(required: ResourcesMap, extra: ResourcesMap, key: string): Fetched {
  for (const map of [required, extra]) {
    if (map === undefined || !Object.hasOwn(map, key)) continue;
    const first = map[key]?.items?.find((i) => isObject(i.resource));
    return first !== undefined && isObject(first.resource) ? { state: 'found', object: first.resource } : { state: 'absent' };
  }
  return { state: 'pending' };
}

/** Keys of a ConfigMap's or Secret's `data` and `binaryData`. */
export function objectKeys(object: Json): Set<string> {
  const keys = new Set<string>();
  for (const field of ['data', 'binaryData', 'stringData']) {
    const data = object[field];
    if (isObject(data)) for (const k of Object.keys(data)) keys.add(k);
  }
  return keys;
}

export interface ReferenceProblem {
  readonly ref: PodReference;
  /** `not found`, or the keys the object lacks. */
  readonly missingKeys?: readonly string[];
}

export interface Evaluation {
  readonly problems: readonly ReferenceProblem[];
  readonly pending: readonly PodReference[];
  readonly found: readonly PodReference[];
}

export function evaluate(refs: readonly PodReference[], lookup: (ref: PodReference) => Fetched): Evaluation {
  const problems: ReferenceProblem[] = [];
  const pending: PodReference[] = [];
  const found: PodReference[] = [];
  for (const ref of refs) {
    const got = lookup(ref);
    if (got.state === 'pending') pending.push(ref);
    else if (got.state === 'absent') problems.push({ ref });
    else {
      const have = objectKeys(got.object);
      // A ServiceAccount has no data; a ConfigMap or Secret must hold every key the pod reads.
      const missingKeys = ref.kind === 'ServiceAccount' ? [] : ref.keys.filter((k) => !have.has(k));
      if (missingKeys.length > 0) problems.push({ ref, missingKeys });
      else found.push(ref);
    }
  }
  return { problems, pending, found };
}

/** `ConfigMap asya-runtime (volume asya-runtime)`, or with the keys it lacks. */
export function describeProblem(p: ReferenceProblem): string {
  const where = `(${p.ref.usedBy.join(', ')})`;
  if (p.missingKeys === undefined) return `${p.ref.kind} ${p.ref.name} ${where} not found`;
  const keys = p.missingKeys.map((k) => JSON.stringify(k)).join(', ');
  return `${p.ref.kind} ${p.ref.name} ${where} has no key ${keys}`;
}
