/**
 * fast-check arbitraries for AsyncActor documents, step inputs and earlier-step desired states,
 * plus the mutations that turn a valid actor into a hostile one. Shared by the property tests and
 * bench/fuzz.ts.
 *
 * "Valid" follows every rule of the schema and function/schema/rules.ts: DNS-label mount names of
 * at most 46 characters, unique normalised mount paths that neither overlap nor touch a reserved
 * directory, connector env without CONNECTOR_SOCKET and with unique names, user containers and
 * volumes that avoid the platform's names, file-protocol connector images. Generated so that the
 * restricted profile holds too (no hostPath, no privileged user containers).
 */
import fc from 'fast-check';
import { RESERVED_PATHS, RUNTIME_RESERVED_ENV, RESERVED_VOLUMES } from '../../function/schema/reserved.js';
import { FILE_FLAVORS } from '../../function/render/flavor.js';

type Obj = Record<string, unknown>;

const lower = 'abcdefghijklmnopqrstuvwxyz';
const alnum = `${lower}0123456789`;

/** A DNS label of 1..max characters. */
export const dnsLabel = (max: number): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom(...alnum), fc.string({ unit: fc.constantFrom(...alnum, '-'), maxLength: Math.max(0, max - 2) }), fc.constantFrom(...alnum))
    .map(([a, mid, b]) => (max === 1 ? a : `${a}${mid}${b}`).slice(0, max))
    .filter((s) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s));

/** Characters a mount path segment may hold: ASCII punctuation, accents, CJK, emoji. */
const SEGMENT_UNITS = [...alnum, ...'ABCXYZ', '-', '_', '.', '~', '+', '=', '@', ',', "'", '$', '!', '(', ')', 'é', 'ß', 'ж', '日', '本', '😀', '%'];
const segment = fc
  .string({ unit: fc.constantFrom(...SEGMENT_UNITS), minLength: 1, maxLength: 12 })
  .filter((s) => s !== '.' && s !== '..');

const isUnderOrEqual = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);
const touchesReserved = (path: string) => RESERVED_PATHS.some((d) => isUnderOrEqual(path, d) || d.startsWith(`${path}/`));
const overlaps = (a: string, b: string) => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);

/** Where the generated user volumes are mounted on the runtime; mount paths keep clear of it (rule mount-path-volume-mount). */
const USER_VOLUME_ROOT = '/mnt/volumes';

/** Candidate paths share parents often (`/state/a`, `/state/b`), so sibling cases are common. */
const mountPath = fc
  .tuple(fc.oneof(fc.constantFrom('state', 'data', 'models', 'srv', 'var', 'opt', 'mnt', 'home'), segment), fc.array(segment, { minLength: 0, maxLength: 3 }))
  .map(([top, rest]) => `/${[top, ...rest].join('/')}`)
  .filter((p) => p.length <= 256 && !touchesReserved(p) && !overlaps(p, USER_VOLUME_ROOT));

/** Keeps the first of any overlapping paths. */
function disjoint(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) if (!out.some((q) => overlaps(p, q))) out.push(p);
  return out;
}

const ENV_NAME_UNITS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ', ...'0123456789', '_', '.', '-'];
const envName = fc
  .tuple(fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ_'), fc.string({ unit: fc.constantFrom(...ENV_NAME_UNITS), maxLength: 20 }))
  .map(([a, b]) => a + b);

/** Env values: anything printable, including separators the mounts env var would choke on. */
const envValue = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('a:b;c', 'x=y,z', '日本語', '"quoted"', '\\back', ''));

const file = Object.keys(FILE_FLAVORS);
const tag = fc.oneof(fc.constant(':v1.0.0'), fc.constant(''), fc.constant(`@sha256:${'a'.repeat(64)}`), fc.constant(':latest'));
const connectorImage = fc.oneof(
  fc.tuple(fc.constantFrom(...file), tag).map(([f, t]) => ({ image: `ghcr.io/deliveryhero/asya-state-proxy-${f}${t}`, selector: undefined as string | undefined })),
  fc.constantFrom(...file).map((f) => ({ image: 'ghcr.io/deliveryhero/asya-state-proxy:v1', selector: f.replaceAll('-', '_') as string | undefined })),
  fc.constant({ image: 'registry.internal/platform/custom-connector:2', selector: undefined as string | undefined }),
);

/** Quantities in increasing order, so a request can be drawn at or below its limit. */
const QUANTITIES = ['1m', '50m', '0.5', '1', '+2', '64Mi', '100M', '1Gi', '2e9', '4G'];
const quantityAtMost = (max: number) => fc.integer({ min: 0, max }).map((i) => QUANTITIES[i] as string);
/** Valid container resources: requests never above limits, extended resources whole and equal. */
export const resources = fc
  .record({
    cpu: fc.option(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.boolean()), { nil: undefined }),
    memory: fc.option(fc.tuple(fc.integer({ min: 5, max: 9 }), fc.boolean()), { nil: undefined }),
    storage: fc.option(fc.constantFrom('1Gi', '500M'), { nil: undefined }),
    gpu: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
  })
  .chain((r) =>
    fc
      .tuple(
        r.cpu === undefined ? fc.constant(undefined) : quantityAtMost(r.cpu[0]),
        r.memory === undefined ? fc.constant(undefined) : quantityAtMost(r.memory[0]),
      )
      .map(([cpuReq, memReq]) => {
        const limits: Obj = {};
        const requests: Obj = {};
        if (r.cpu !== undefined) {
          requests['cpu'] = cpuReq;
          if (r.cpu[1]) limits['cpu'] = QUANTITIES[r.cpu[0]];
        }
        if (r.memory !== undefined) {
          requests['memory'] = memReq;
          if (r.memory[1]) limits['memory'] = QUANTITIES[r.memory[0]];
        }
        if (r.storage !== undefined) requests['ephemeral-storage'] = r.storage;
        if (r.gpu !== undefined) {
          limits['example.com/gpu'] = r.gpu;
          requests['example.com/gpu'] = r.gpu;
        }
        return {
          ...(Object.keys(requests).length === 0 ? {} : { requests }),
          ...(Object.keys(limits).length === 0 ? {} : { limits }),
        };
      }),
  );

const connectorEnv = (selector: string | undefined) =>
  fc
    .uniqueArray(
      fc.record({
        name: envName.filter((n) => n !== 'CONNECTOR_SOCKET' && n !== 'ASYA_CONNECTOR'),
        value: fc.oneof(envValue.map((v) => ({ value: v })), fc.constant({ valueFrom: { secretKeyRef: { name: 'creds', key: 'k' } } })),
      }),
      { selector: (e) => e.name, maxLength: 4 },
    )
    .map((env) => [
      ...(selector === undefined ? [] : [{ name: 'ASYA_CONNECTOR', value: selector }]),
      ...env.map((e) => ({ name: e.name, ...e.value })),
    ]);

type WriteMode = 'buffered' | 'passthrough';
const writeModes = fc.oneof(
  fc.constant({}),
  fc.constantFrom<WriteMode>('buffered', 'passthrough').map((m) => ({ writeMode: m })),
  fc.constantFrom<WriteMode>('buffered', 'passthrough').map((m) => ({ mountWriteMode: m })),
  fc.constantFrom<WriteMode>('buffered', 'passthrough').map((m) => ({ writeMode: m, mountWriteMode: m })),
);

const mountEntry = (name: string, path: string) =>
  fc
    .record({
      image: connectorImage,
      modes: writeModes,
      pullPolicy: fc.option(fc.constantFrom('Always', 'IfNotPresent', 'Never'), { nil: undefined }),
      resources: fc.option(resources, { nil: undefined }),
      envFrom: fc.option(fc.constant([{ secretRef: { name: 'connector-creds' } }]), { nil: undefined }),
      securityContext: fc.option(fc.constantFrom({ readOnlyRootFilesystem: false }, { readOnlyRootFilesystem: true }, { runAsNonRoot: true }), { nil: undefined }),
      guard: fc.option(fc.boolean(), { nil: undefined }),
    })
    .chain((r) =>
      connectorEnv(r.image.selector).map((env) => {
        const modes = r.modes as { writeMode?: WriteMode; mountWriteMode?: WriteMode };
        return {
          name,
          mount: { path, ...(modes.mountWriteMode === undefined ? {} : { writeMode: modes.mountWriteMode }), ...(r.guard === undefined ? {} : { guard: r.guard }) },
          ...(modes.writeMode === undefined ? {} : { writeMode: modes.writeMode }),
          connector: {
            image: r.image.image,
            ...(r.pullPolicy === undefined ? {} : { imagePullPolicy: r.pullPolicy }),
            ...(env.length === 0 ? {} : { env }),
            ...(r.envFrom === undefined ? {} : { envFrom: r.envFrom }),
            ...(r.resources === undefined ? {} : { resources: r.resources }),
            ...(r.securityContext === undefined ? {} : { securityContext: r.securityContext }),
          },
        };
      }),
    );

/** 0..max state proxy mounts with unique names and disjoint paths. */
export const stateProxy = (max = 6, min = 0): fc.Arbitrary<Obj[]> =>
  fc
    .tuple(fc.uniqueArray(dnsLabel(46), { minLength: min, maxLength: max }), fc.array(mountPath, { minLength: 2 * max, maxLength: 2 * max + 4 }))
    .map(([names, paths]) => {
      const free = disjoint(paths);
      return names.slice(0, free.length).map((n, i) => [n, free[i] as string] as const);
    })
    .chain((pairs) => (pairs.length === 0 ? fc.constant([]) : fc.tuple(...pairs.map(([n, p]) => mountEntry(n, p)))));

const userContainerNames = fc
  .uniqueArray(dnsLabel(30).filter((n) => !n.startsWith('asya-')), { maxLength: 4 })
  .chain((names) => fc.nat(names.length).map((k) => ({ init: names.slice(0, k), sidecars: names.slice(k) })));

const userVolume = (name: string) =>
  fc.constantFrom(
    { name, emptyDir: {} },
    { name, configMap: { name: 'cfg', items: [{ key: 'a', path: 'a' }] } },
    { name, secret: { secretName: 's' } },
    { name, persistentVolumeClaim: { claimName: 'pvc' } },
  );

const handler = fc
  .array(fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/), { minLength: 2, maxLength: 4 })
  .map((parts) => parts.join('.'));

/** Names the API server accepts (printable ASCII but '='; measured: a space is fine). */
const relaxedEnvName = fc.oneof(envName, fc.constantFrom('my var', 'a:b', 'x@y', '1START', '~tilde'));
const valueSource = fc.constantFrom<Obj>(
  { secretKeyRef: { name: 'app-secrets', key: 'token' } },
  { configMapKeyRef: { name: 'app.config', key: 'LOG_LEVEL', optional: true } },
  { fieldRef: { fieldPath: 'metadata.name' } },
  { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.labels['team']" } },
  { fieldRef: { fieldPath: 'status.podIP' } },
  { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } },
);
const runtimeEnv = fc
  .uniqueArray(
    fc.record({
      name: relaxedEnvName.filter((n) => !(RUNTIME_RESERVED_ENV as readonly string[]).includes(n)),
      source: fc.oneof(envValue.map((v) => ({ value: v })), valueSource.map((v) => ({ valueFrom: v })), valueSource.map((v) => ({ value: '', valueFrom: v }))),
    }),
    { selector: (e) => e.name, maxLength: 4 },
  )
  .map((env) => env.map((e) => ({ name: e.name, ...e.source })));

/** Label keys (optionally with a DNS-subdomain prefix) and values of every allowed shape. */
const labelName = fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,20}[A-Za-z0-9])?$/);
const labelKey = fc.oneof(labelName, fc.tuple(fc.constantFrom('example.com', 'k8s.io', 'a.b-c.d'), labelName).map(([p, n]) => `${p}/${n}`));
const labelValue = fc.oneof(fc.constant(''), labelName);
const nodeSelector = fc.dictionary(labelKey, labelValue, { maxKeys: 3 });

const tolerations = fc.array(
  fc.oneof(
    fc.record({ key: labelKey, operator: fc.constant('Exists'), effect: fc.constantFrom('NoSchedule', 'PreferNoSchedule', 'NoExecute', '') }, { requiredKeys: ['operator'] }),
    fc.record({ key: labelKey, operator: fc.constantFrom('Equal', ''), value: labelValue, effect: fc.constantFrom('NoSchedule', 'PreferNoSchedule') }, { requiredKeys: ['key'] }),
    fc.record({ key: labelKey, operator: fc.constant('Equal'), value: labelValue, effect: fc.constant('NoExecute'), tolerationSeconds: fc.integer({ min: -5, max: 3600 }) }),
  ),
  { maxLength: 3 },
);

const ports = fc
  .uniqueArray(
    fc.record(
      {
        name: fc.stringMatching(/^[a-z]([a-z0-9]|-[a-z0-9]){0,6}$/),
        containerPort: fc.integer({ min: 1, max: 65535 }),
        protocol: fc.constantFrom('TCP', 'UDP', 'SCTP'),
      },
      { requiredKeys: ['containerPort'] },
    ),
    { selector: (p) => p.name ?? `#${p.containerPort}`, maxLength: 3 },
  );

const labels = fc.dictionary(
  fc.oneof(fc.constantFrom('team', 'app', 'tier', 'crossplane.io/composite', 'app.kubernetes.io/name', 'example.com/owner', 'asya.sh/actor'), labelKey),
  fc.oneof(dnsLabel(20), labelValue),
  { maxKeys: 4 },
);

/** A volume mount of `volume` at a path no other mount of the container uses. */
const userMount = (volume: string, path: string) =>
  fc
    .record({
      readOnly: fc.boolean(),
      subPath: fc.option(fc.constantFrom('sub', 'a/b', 'x..y'), { nil: undefined }),
      propagation: fc.option(fc.constantFrom('None', 'HostToContainer'), { nil: undefined }),
    })
    .map((m) => ({
      name: volume,
      mountPath: path,
      ...(m.readOnly ? { readOnly: true } : {}),
      ...(m.subPath === undefined ? {} : { subPath: m.subPath }),
      ...(m.propagation === undefined ? {} : { mountPropagation: m.propagation }),
      ...(m.readOnly && m.propagation !== 'HostToContainer' ? { recursiveReadOnly: 'IfPossible' } : {}),
    }));

export interface GeneratedActor {
  readonly xr: Obj;
  readonly mounts: ReadonlyArray<{ name: string; path: string; writeMode: WriteMode; guard?: boolean }>;
}

/** A valid AsyncActor document. `maxMounts` up to 32 (the schema's limit). */
export const validActor = (maxMounts = 6, minMounts = 0): fc.Arbitrary<GeneratedActor> =>
  fc
    .record({
      name: dnsLabel(63),
      actor: fc.option(dnsLabel(63), { nil: undefined }),
      namespace: dnsLabel(20),
      labels,
      image: fc.constantFrom('ghcr.io/acme/inference:1.2.3', 'python:3.12-slim', 'registry.internal/ml/app@sha256:' + 'b'.repeat(64)),
      handler,
      python: fc.option(fc.constantFrom('python3', 'python3.11', '/usr/local/bin/python3', '/opt/venv/bin/python'), { nil: undefined }),
      replicas: fc.option(fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constant(2147483647)), { nil: undefined }),
      pullPolicy: fc.option(fc.constantFrom('Always', 'IfNotPresent', 'Never'), { nil: undefined }),
      runtimeResources: fc.option(resources, { nil: undefined }),
      nodeSelector: fc.option(nodeSelector, { nil: undefined }),
      sidecarPorts: ports,
      sidecarResources: fc.option(resources, { nil: undefined }),
      sidecarEnv: fc.option(runtimeEnv, { nil: undefined }),
      scaling: fc.option(fc.boolean(), { nil: undefined }),
      env: fc.option(runtimeEnv, { nil: undefined }),
      secretRefs: fc.option(
        fc.constantFrom(
          [{ secretName: 'app-secrets', keys: [{ key: 'token', envVar: 'APP_TOKEN' }] }],
          [{ secretName: 'db.prod-1', keys: [{ key: 'pass.word_1', envVar: 'db password' }, { key: '-k', envVar: 'K' }] }],
        ),
        { nil: undefined },
      ),
      containers: userContainerNames,
      volumeNames: fc.uniqueArray(dnsLabel(20).filter((n) => !(RESERVED_VOLUMES as readonly string[]).includes(n)), { maxLength: 3 }),
      stateProxy: stateProxy(maxMounts, minMounts),
      sidecarMode: fc.option(fc.constantFrom('native', 'containers'), { nil: undefined }),
      tolerations: fc.option(tolerations, { nil: undefined }),
    })
    .chain((r) =>
      fc.tuple(
        r.volumeNames.length === 0 ? fc.constant([] as Obj[]) : fc.tuple(...r.volumeNames.map(userVolume)),
        r.volumeNames.length === 0 ? fc.constant([] as Obj[]) : fc.tuple(...r.volumeNames.map((v) => userMount(v, `${USER_VOLUME_ROOT}/${v}`))),
        r.volumeNames.length === 0 ? fc.constant([] as Obj[]) : fc.tuple(...r.volumeNames.map((v) => userMount(v, `/srv/${v}`))),
      ).map(([volumes, runtimeMounts, sidecarMounts]) => {
        const sidecar = (n: string, i: number): Obj => ({
          name: n,
          image: 'envoy:1',
          ...(i === 0 && r.sidecarPorts.length > 0 ? { ports: r.sidecarPorts } : {}),
          ...(i === 0 && r.sidecarResources !== undefined ? { resources: r.sidecarResources } : {}),
          ...(i === 0 && r.sidecarEnv !== undefined ? { env: r.sidecarEnv } : {}),
          ...(i === 0 && sidecarMounts.length > 0 ? { volumeMounts: sidecarMounts } : {}),
        });
        const spec: Obj = {
          ...(r.actor === undefined ? {} : { actor: r.actor }),
          image: r.image,
          handler: r.handler,
          ...(r.python === undefined ? {} : { pythonExecutable: r.python }),
          ...(r.pullPolicy === undefined ? {} : { imagePullPolicy: r.pullPolicy }),
          ...(r.runtimeResources === undefined ? {} : { resources: r.runtimeResources }),
          ...(r.nodeSelector === undefined ? {} : { nodeSelector: r.nodeSelector }),
          ...(r.replicas === undefined ? {} : { replicas: r.replicas }),
          ...(r.scaling === undefined ? {} : { scaling: { enabled: r.scaling } }),
          ...(r.env === undefined ? {} : { env: r.env }),
          ...(r.secretRefs === undefined ? {} : { secretRefs: r.secretRefs }),
          ...(r.containers.init.length === 0 ? {} : { initContainers: r.containers.init.map((n) => ({ name: n, image: 'busybox:1.36', command: ['true'] })) }),
          ...(r.containers.sidecars.length === 0 ? {} : { sidecars: r.containers.sidecars.map(sidecar) }),
          ...(volumes.length === 0 ? {} : { volumes, volumeMounts: runtimeMounts }),
          ...(r.tolerations === undefined ? {} : { tolerations: r.tolerations }),
          ...(r.stateProxy.length === 0 ? {} : { stateProxy: r.stateProxy }),
          ...(r.sidecarMode === undefined ? {} : { stateProxySidecarMode: r.sidecarMode }),
        };
        const xr = {
          apiVersion: 'asya.sh/v1alpha1',
          kind: 'AsyncActor',
          metadata: { name: r.name, namespace: r.namespace, ...(Object.keys(r.labels).length === 0 ? {} : { labels: r.labels }) },
          spec,
        };
        const mounts = r.stateProxy.map((m) => {
          const e = m as { name: string; mount: { path: string; writeMode?: WriteMode; guard?: boolean }; writeMode?: WriteMode };
          const guard = e.mount.guard === undefined ? {} : { guard: e.mount.guard };
          return { name: e.name, path: e.mount.path, writeMode: e.writeMode ?? e.mount.writeMode ?? 'buffered', ...guard };
        });
        return { xr, mounts };
      }),
    );

/** A step input that cannot refuse a valid actor from `validActor`. */
export const stepInput = fc.record(
  {
    sidecarMode: fc.constantFrom('native', 'containers'),
    securityProfile: fc.constantFrom('default', 'restricted'),
    startupProbeFailureThreshold: fc.integer({ min: 1, max: 600 }),
    sidecar: fc.constant({ image: 'ghcr.io/deliveryhero/asya-sidecar:v1', env: [{ name: 'ASYA_TRANSPORT', value: 'sqs' }] }),
    allowedConnectorImages: fc.constant(['ghcr.io/deliveryhero/asya-state-proxy', 'ghcr.io/deliveryhero/asya-state-proxy-', 'registry.internal/platform/']),
    defaultConnectorResources: resources,
    mountGuard: fc.boolean(),
    // Issue 17: a composed per-actor ServiceAccount, or a shared one referenced only.
    serviceAccount: fc.constantFrom(
      { enabled: false },
      { enabled: true, annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/asya-{actor}' }, automountServiceAccountToken: false },
      { enabled: true, namePattern: 'sa-{actor}', podLabels: { 'azure.workload.identity/use': 'true' } },
      { enabled: true, shared: { name: 'asya-actors' } },
    ),
  },
  { requiredKeys: [] },
);

// ---------------------------------------------------------------------------------------------
// Hostile values and mutations

/** A key that a naive `obj[key] = v` would turn into a prototype change. */
export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** `{ [key]: value }` with `key` as an own property even when it is `__proto__` (as JSON.parse and the decoder make it). */
export function ownKeyObject(key: string, value: unknown): Obj {
  const o: Obj = {};
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  return o;
}

const deepValue = fc.integer({ min: 2, max: 120 }).map((depth) => {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = i % 3 === 2 ? [v] : { nest: v };
  return v;
});

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 53, -0, Number.NaN, Number.POSITIVE_INFINITY, '', ' ', '\u0000', 'a\u0000b', '\u202e', '\ud800', '日本', '../../etc/passwd', 'a:b;c', '$(reboot)', '`id`'),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.integer({ min: 1_000, max: 200_000 }).map((n) => 'x'.repeat(n)),
  fc.constantFrom(...PROTO_KEYS).chain((k) => fc.constantFrom({ polluted: 'yes' }, 'str', [1], null).map((v) => ownKeyObject(k, v))),
  fc.jsonValue({ maxDepth: 3 }),
  deepValue,
  fc.constant([]),
  fc.constant({}),
);

/** Every path of a JSON document that holds a value, the root excluded. */
export function paths(doc: unknown): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [];
  const stack: Array<[unknown, Array<string | number>]> = [[doc, []]];
  while (stack.length > 0) {
    const [v, at] = stack.pop() as [unknown, Array<string | number>];
    if (at.length > 0) out.push(at);
    if (typeof v !== 'object' || v === null) continue;
    const entries: Array<[string | number, unknown]> = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
    for (const [k, c] of entries) stack.push([c, [...at, k]]);
  }
  return out;
}

export type Mutation =
  | { readonly kind: 'replace'; readonly at: number; readonly value: unknown }
  | { readonly kind: 'delete'; readonly at: number }
  | { readonly kind: 'add'; readonly at: number; readonly key: string; readonly value: unknown };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: hostileValue }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('add' as const), at: fc.nat(), key: fc.oneof(fc.constantFrom(...PROTO_KEYS), fc.string({ maxLength: 8 })), value: hostileValue }),
);

/** A deep copy of `doc` with the mutations applied (own keys only, `__proto__` included). */
export function mutate(doc: Obj, mutations: readonly Mutation[]): Obj {
  const out = structuredClone(doc);
  for (const m of mutations) {
    const all = paths(out);
    if (all.length === 0) break;
    const at = all[m.at % all.length] as Array<string | number>;
    const parentPath = at.slice(0, -1);
    const key = at[at.length - 1] as string | number;
    let parent: unknown = out;
    for (const k of parentPath) parent = (parent as Record<string | number, unknown>)[k];
    if (typeof parent !== 'object' || parent === null) continue;
    const p = parent as Record<string | number, unknown>;
    // A fresh copy of each inserted value: fast-check reuses constant instances, and inserting one
    // object twice could make a cycle, which no JSON document (and no request) can hold.
    if (m.kind === 'replace') Object.defineProperty(p, key, { value: structuredClone(m.value), enumerable: true, writable: true, configurable: true });
    else if (m.kind === 'delete') {
      if (Array.isArray(p) && typeof key === 'number') p.splice(key, 1);
      else delete p[key];
    } else {
      const target = p[key];
      if (typeof target === 'object' && target !== null && !Array.isArray(target)) {
        Object.defineProperty(target, m.key, { value: structuredClone(m.value), enumerable: true, writable: true, configurable: true });
      }
    }
  }
  return out;
}

/** Earlier pipeline steps' desired resources: arbitrary JSON objects under keys other than `avoid`. */
export const earlierResources = (avoid: string): fc.Arbitrary<Record<string, Obj>> =>
  fc
    .dictionary(
      fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom(...PROTO_KEYS, 'config', 'queue')).filter((k) => k !== avoid),
      fc.oneof(
        fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(...PROTO_KEYS)), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 5 }),
        fc.record({ apiVersion: fc.constant('v1'), kind: fc.constant('ConfigMap'), data: fc.dictionary(fc.string({ maxLength: 8 }), fc.string(), { maxKeys: 4 }) }),
      ) as fc.Arbitrary<Obj>,
      { maxKeys: 4 },
    )
    .map((r) => {
      // Rebuild with own-property keys: `__proto__` must be data, as the decoder delivers it.
      const out: Record<string, Obj> = {};
      for (const [k, v] of Object.entries(r)) Object.defineProperty(out, k, { value: JSON.parse(JSON.stringify(v)) as Obj, enumerable: true, writable: true, configurable: true });
      return out;
    });

/** Fields an earlier step may have put on the desired composite (Crossplane merges only status). */
export const earlierComposite = fc.record(
  {
    status: fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('phase', 'queueUrl', 'actor', 'stateProxy')), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
    metadata: fc.constant({ annotations: { note: 'from an earlier step' } }),
  },
  { requiredKeys: [] },
);
