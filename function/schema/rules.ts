/**
 * Semantic rules over a shape-valid AsyncActor: the checks that span several fields or protect
 * names and paths the upstream runtime and connector images depend on (`contract.md` §1-2).
 *
 * Each rule is a pure function returning every violation it finds, with a path from the document
 * root. The generated XRD carries the same rules as CEL (see `cel.ts`); a parity test
 * (`test/admission-parity.test.ts`) runs both over the corpus.
 */
import type { AsyncActor } from './async-actor.js';
import { CONNECTOR_PREFIX, MAX_MOUNTS } from './async-actor.js';
import {
  HANDLER_FORBIDDEN_CHARS,
  HANDLER_SHAPE,
  MAX_HANDLER,
  MAX_PYTHON_EXECUTABLE,
  PYTHON_EXECUTABLE_PATTERN,
} from './formats.js';
import { type FieldIssue, formatPath, type PathSegment } from './issues.js';
import { DNS_LABEL, labelValueProblem, MAX_LABEL_MAP_SIZE, privilegeContradiction, qualifiedNameProblem } from './k8s.js';
import { isWholeQuantity, quantityValue } from './quantity.js';
import { parsedKeys } from './record.js';
import {
  CONNECTOR_RESERVED_ENV,
  GUARD_VOLUME_PREFIX,
  RESERVED_CONTAINER_PREFIX,
  RESERVED_PATHS,
  RESERVED_VOLUMES,
  RUNTIME_RESERVED_ENV,
} from './reserved.js';

// The reserved names live in reserved.ts (shared with the CEL rules in cel.ts); re-exported here
// so that existing imports keep working.
export { CONNECTOR_RESERVED_ENV, GUARD_VOLUME_PREFIX, RESERVED_CONTAINER_PREFIX, RESERVED_PATHS, RESERVED_VOLUMES, RUNTIME_RESERVED_ENV };

export interface Rule {
  readonly id: string;
  readonly description: string;
  readonly check: (actor: AsyncActor) => FieldIssue[];
}

const sp = (i: number, ...rest: PathSegment[]): PathSegment[] => ['spec', 'stateProxy', i, ...rest];

const FORBIDDEN_PATH_CHARS: ReadonlyArray<readonly [RegExp, string]> = [
  [/:/u, "':' (the runtime splits ASYA_STATE_PROXY_MOUNTS entries on ':')"],
  [/;/u, "';' (the runtime splits ASYA_STATE_PROXY_MOUNTS on ';')"],
  [/"/u, `'"'`],
  [/\\/u, "'\\'"],
  [/[\p{Z}\s]/u, 'whitespace'],
  [/\p{Cc}/u, 'control characters'],
  // Zero-width and bidi-override characters make two different paths look identical.
  [/\p{Cf}/u, 'invisible formatting characters'],
];

/** Letters, digits, `/`, `.`, `_`, `-`: nothing FORBIDDEN_PATH_CHARS matches. */
const PLAIN_PATH = /^[A-Za-z0-9/._-]*$/;
const DOT_SEGMENT = /\/\.\.?(?:\/|$)/;

/** Why a mount path is unusable, or undefined when it is fine. Shared by the rule and tests. */
export function mountPathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'must be an absolute path (start with /)';
  if (path === '/') return 'must not be / (it would capture every file, including the runtime itself)';
  // The usual path is plain ASCII, which none of the seven character checks can refuse: one test
  // instead of seven Unicode-aware ones (twice per mount: the format and reserved rules).
  if (!PLAIN_PATH.test(path)) {
    for (const [re, what] of FORBIDDEN_PATH_CHARS) {
      if (re.test(path)) return `must not contain ${what}`;
    }
  }
  if (path.endsWith('/')) return 'must not end with /';
  if (path.includes('//')) return 'must be normalised: no empty segments (//)';
  // A '.' or '..' segment: the path starts with '/', so each segment follows a '/'.
  if (DOT_SEGMENT.test(path)) {
    return "must be normalised: no '.' or '..' segments (the runtime never matches a non-normalised mount path)";
  }
  return undefined;
}

const isUnderOrEqual = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);

function mountPathFormat(actor: AsyncActor): FieldIssue[] {
  return (actor.spec.stateProxy ?? []).flatMap((entry, i) => {
    const problem = mountPathProblem(entry.mount.path);
    return problem === undefined
      ? []
      : [{ path: sp(i, 'mount', 'path'), rule: 'mount-path-format', message: `mount path ${JSON.stringify(entry.mount.path)} ${problem}` }];
  });
}

function mountPathReserved(actor: AsyncActor): FieldIssue[] {
  const issues: FieldIssue[] = [];
  (actor.spec.stateProxy ?? []).forEach((entry, i) => {
    const path = entry.mount.path;
    if (mountPathProblem(path) !== undefined) return;
    const under = RESERVED_PATHS.find((dir) => isUnderOrEqual(path, dir));
    const above = RESERVED_PATHS.find((dir) => dir.startsWith(`${path}/`));
    if (under !== undefined) {
      issues.push({ path: sp(i, 'mount', 'path'), rule: 'mount-path-reserved', message: `mount path ${path} is under the reserved directory ${under}` });
    } else if (above !== undefined) {
      issues.push({ path: sp(i, 'mount', 'path'), rule: 'mount-path-reserved', message: `mount path ${path} contains the reserved directory ${above}` });
    }
  });
  return issues;
}

function uniqueBy(
  actor: AsyncActor,
  key: (e: NonNullable<AsyncActor['spec']['stateProxy']>[number]) => string,
  field: PathSegment[],
  rule: string,
  what: string,
): FieldIssue[] {
  const first = new Map<string, number>();
  const issues: FieldIssue[] = [];
  (actor.spec.stateProxy ?? []).forEach((entry, i) => {
    const k = key(entry);
    const seen = first.get(k);
    if (seen === undefined) {
      first.set(k, i);
    } else {
      issues.push({ path: sp(i, ...field), rule, message: `duplicate ${what} ${JSON.stringify(k)}: already used by spec.stateProxy[${seen}]` });
    }
  });
  return issues;
}

export function mountPathOverlap(actor: AsyncActor): FieldIssue[] {
  const entries = actor.spec.stateProxy ?? [];
  // Pairwise: a list over its limit is already refused, and would cost its length squared.
  if (entries.length > MAX_MOUNTS) return [];
  const issues: FieldIssue[] = [];
  entries.forEach((entry, i) => {
    entries.forEach((other, j) => {
      if (i !== j && entry.mount.path.startsWith(`${other.mount.path}/`)) {
        issues.push({
          path: sp(i, 'mount', 'path'),
          rule: 'mount-path-overlap',
          message: `mount path ${entry.mount.path} is inside spec.stateProxy[${j}] (${other.mount.path}); the runtime matches the first mount, so one would shadow the other`,
        });
      }
    });
  });
  return issues;
}

function writeModeConflict(actor: AsyncActor): FieldIssue[] {
  return (actor.spec.stateProxy ?? []).flatMap((entry, i) =>
    entry.writeMode !== undefined && entry.mount.writeMode !== undefined && entry.writeMode !== entry.mount.writeMode
      ? [{
          path: sp(i, 'mount', 'writeMode'),
          rule: 'write-mode-conflict',
          message: `mount.writeMode (${entry.mount.writeMode}) contradicts writeMode (${entry.writeMode}); set one of them`,
        }]
      : [],
  );
}

function connectorEnv(actor: AsyncActor): FieldIssue[] {
  const issues: FieldIssue[] = [];
  (actor.spec.stateProxy ?? []).forEach((entry, i) => {
    const seen = new Map<string, number>();
    (entry.connector.env ?? []).forEach((env, j) => {
      if ((CONNECTOR_RESERVED_ENV as readonly string[]).includes(env.name)) {
        issues.push({
          path: sp(i, 'connector', 'env', j, 'name'),
          rule: 'connector-env-reserved',
          message: `${env.name} is set by the function (the socket path is fixed by the mount name)`,
        });
      }
      const before = seen.get(env.name);
      if (before !== undefined) {
        issues.push({
          path: sp(i, 'connector', 'env', j, 'name'),
          rule: 'connector-env-unique',
          message: `duplicate env name ${env.name}: already set by connector.env[${before}]`,
        });
      } else {
        seen.set(env.name, j);
      }
    });
  });
  return issues;
}

function runtimeEnvReserved(actor: AsyncActor): FieldIssue[] {
  const reserved = RUNTIME_RESERVED_ENV as readonly string[];
  const issues: FieldIssue[] = [];
  (actor.spec.env ?? []).forEach((env, i) => {
    if (reserved.includes(env.name)) {
      issues.push({ path: ['spec', 'env', i, 'name'], rule: 'runtime-env-reserved', message: `${env.name} is set by the function` });
    }
  });
  (actor.spec.secretRefs ?? []).forEach((ref, i) => {
    ref.keys.forEach((k, j) => {
      if (reserved.includes(k.envVar)) {
        issues.push({ path: ['spec', 'secretRefs', i, 'keys', j, 'envVar'], rule: 'runtime-env-reserved', message: `${k.envVar} is set by the function` });
      }
    });
  });
  return issues;
}

function reservedVolumes(actor: AsyncActor): FieldIssue[] {
  const reserved = RESERVED_VOLUMES as readonly string[];
  return (actor.spec.volumes ?? []).flatMap((v, i) => {
    const path = ['spec', 'volumes', i, 'name'];
    if (reserved.includes(v.name)) return [{ path, rule: 'reserved-volume-name', message: `volume name ${v.name} is reserved for the actor pod` }];
    if (v.name.startsWith(GUARD_VOLUME_PREFIX)) {
      return [{ path, rule: 'reserved-volume-name', message: `volume name ${v.name} starts with ${GUARD_VOLUME_PREFIX}, the prefix of the pod's mount guard volumes (${GUARD_VOLUME_PREFIX}<mount name>)` }];
    }
    return [];
  });
}

/**
 * How a runtime volume mount path relates to a state proxy mount path. A trailing `/` on the
 * volume mount (Kubernetes accepts one) names the same directory. CEL twin:
 * SPEC_RULES in cel.ts (same three cases).
 */
export function volumeMountRelation(mountPath: string, volumeMountPath: string): 'equal' | 'inside' | 'contains' | undefined {
  if (volumeMountPath === mountPath || volumeMountPath === `${mountPath}/`) return 'equal';
  if (volumeMountPath.startsWith(`${mountPath}/`)) return 'inside';
  if (mountPath.startsWith(volumeMountPath.endsWith('/') ? volumeMountPath : `${volumeMountPath}/`)) return 'contains';
  return undefined;
}

const VOLUME_MOUNT_RELATION = {
  equal: 'is the mount path of',
  inside: 'is inside the mount path of',
  contains: 'contains the mount path of',
} as const;

/**
 * A user volume at, under or above a mount path: at or under it, Python never sees the volume
 * (the runtime sends every path under the mount to the connector) and it would hide or break the
 * mount's read-only guard; above it, one directory tree is split between a volume and a state
 * proxy mount, which the guide's model (the mount path is the state) does not cover.
 */
function mountPathVolumeMounts(actor: AsyncActor): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const mounts = actor.spec.stateProxy ?? [];
  (actor.spec.volumeMounts ?? []).forEach((vm, j) => {
    const at = vm.mountPath;
    if (typeof at !== 'string') return;
    mounts.forEach((m, i) => {
      const relation = volumeMountRelation(m.mount.path, at);
      if (relation === undefined) return;
      issues.push({
        path: ['spec', 'volumeMounts', j, 'mountPath'],
        rule: 'mount-path-volume-mount',
        message: `volume mount path ${at} ${VOLUME_MOUNT_RELATION[relation]} spec.stateProxy[${i}] (${m.mount.path}); the runtime serves everything under a mount path from the connector, so a volume there is never seen (and would hide the mount's read-only guard)`,
      });
    });
  });
  return issues;
}

function userContainers(actor: AsyncActor): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const seen = new Map<string, string>();
  for (const field of ['initContainers', 'sidecars'] as const) {
    (actor.spec[field] ?? []).forEach((c, i) => {
      const path = ['spec', field, i, 'name'];
      if (c.name.startsWith(RESERVED_CONTAINER_PREFIX)) {
        issues.push({ path, rule: 'reserved-container-prefix', message: `container name ${c.name} must not start with ${RESERVED_CONTAINER_PREFIX} (reserved for platform containers)` });
      }
      const before = seen.get(c.name);
      if (before !== undefined) {
        issues.push({ path, rule: 'unique-container-names', message: `duplicate container name ${c.name}: already used by ${before}` });
      } else {
        seen.set(c.name, `spec.${field}[${i}]`);
      }
    });
  }
  return issues;
}

const DNS_LABEL_RE = new RegExp(DNS_LABEL);

// PYTHON_EXECUTABLE_PATTERN, HANDLER_* and the MAX_* bounds live in formats.ts (shared with the
// schema's OpenAPI pattern/maxLength and the CEL rules in cel.ts); re-exported for existing imports.
export { MAX_HANDLER, MAX_PYTHON_EXECUTABLE, PYTHON_EXECUTABLE_PATTERN };
const PYTHON_EXECUTABLE_RE = new RegExp(PYTHON_EXECUTABLE_PATTERN);

/**
 * `spec.pythonExecutable` becomes `command[0]` of the runtime container: an executable name or an
 * absolute path, nothing else (the kubelet does not use a shell, but a value like `python3 -X dev`
 * or `python3\u0000` only fails later as an unstartable container).
 */
function runtimeCommand(actor: AsyncActor): FieldIssue[] {
  const exe = actor.spec.pythonExecutable;
  if (typeof exe !== 'string') return [];
  if (exe.length <= MAX_PYTHON_EXECUTABLE && PYTHON_EXECUTABLE_RE.test(exe)) return [];
  return [{
    path: ['spec', 'pythonExecutable'],
    rule: 'python-executable',
    message: `pythonExecutable ${JSON.stringify(exe)} must be an executable name (python3) or an absolute path (/opt/venv/bin/python) of at most ${MAX_PYTHON_EXECUTABLE} characters: letters, digits and . _ + - only, no whitespace, control characters or arguments`,
  }];
}

/** Whitespace, control (NUL included), format (bidi overrides) and separator characters. */
const HANDLER_FORBIDDEN = new RegExp(HANDLER_FORBIDDEN_CHARS, 'u');
const HANDLER_SHAPE_RE = new RegExp(HANDLER_SHAPE, 'u');

/** `spec.handler` becomes ASYA_HANDLER; the runtime imports `module` and walks `.attr[.attr]`. */
function handlerFormat(actor: AsyncActor): FieldIssue[] {
  const handler = actor.spec.handler;
  if (typeof handler !== 'string') return [];
  let problem: string | undefined;
  if (handler.length > MAX_HANDLER) problem = `must be at most ${MAX_HANDLER} characters`;
  else if (HANDLER_FORBIDDEN.test(handler)) problem = 'must not contain whitespace, control characters (NUL included) or invisible formatting characters';
  else if (!HANDLER_SHAPE_RE.test(handler)) problem = 'must be module.attr[.attr] (dot-separated, no empty parts)';
  return problem === undefined ? [] : [{ path: ['spec', 'handler'], rule: 'handler-format', message: `handler ${JSON.stringify(handler)} ${problem}` }];
}

/**
 * User init containers, sidecars and volumes go into the pod under their own names, which
 * Kubernetes requires to be DNS labels and unique; checked here so the author sees the field
 * instead of an API error on the composed Deployment.
 */
function userNames(actor: AsyncActor): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const field of ['initContainers', 'sidecars', 'volumes'] as const) {
    (actor.spec[field] ?? []).forEach((item, i) => {
      const name = item.name;
      if (typeof name === 'string' && !DNS_LABEL_RE.test(name)) {
        issues.push({
          path: ['spec', field, i, 'name'],
          rule: 'user-name-dns-label',
          message: `${field === 'volumes' ? 'volume' : 'container'} name ${JSON.stringify(name)} must be a DNS label (lower-case letters, digits and '-', starting and ending with a letter or digit)`,
        });
      }
    });
  }
  const seen = new Map<string, number>();
  (actor.spec.volumes ?? []).forEach((v, i) => {
    const before = seen.get(v.name);
    if (before !== undefined) {
      issues.push({ path: ['spec', 'volumes', i, 'name'], rule: 'unique-volume-names', message: `duplicate volume name ${v.name}: already used by spec.volumes[${before}]` });
    } else {
      seen.set(v.name, i);
    }
  });
  return issues;
}


function actorName(actor: AsyncActor): FieldIssue[] {
  if (actor.spec.actor !== undefined) return [];
  const name = actor.metadata.name;
  return name.length <= 63 && DNS_LABEL_RE.test(name)
    ? []
    : [{
        path: ['metadata', 'name'],
        rule: 'actor-name',
        message: `spec.actor is not set, so the actor is named after metadata.name, which must then be a DNS label of at most 63 characters`,
      }];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Characters of keys and values (a value that is not a string, a shape issue, counts none). */
function mapSize(map: Record<string, unknown>, names: readonly string[]): number {
  let size = 0;
  for (let i = 0; i < names.length; i++) {
    const key = names[i] as string;
    const value = map[key];
    size += key.length + (typeof value === 'string' ? value.length : 0);
  }
  return size;
}

/**
 * XR labels are copied to the Deployment and the pod, nodeSelector keys are label keys. The API
 * server checks XR labels itself (on every object), the schema checks nodeSelector values; map keys
 * cannot be constrained by a schema, hence this rule. Each map is also bounded in size
 * (MAX_LABEL_MAP_SIZE), checked first so that a map over it costs one pass.
 */
function labelSyntax(actor: AsyncActor): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const keys = (map: Record<string, string> | undefined, at: PathSegment[], values: boolean, what: string) => {
    if (map === undefined) return;
    // Keys only, not Object.entries: a 4 MB nodeSelector is 300,000 keys, and a pair array per
    // key was most of this rule's cost; the parse's own key list when it has one (enumerating a
    // map that large sorts it), and a value lookup only when values are checked here.
    const names = parsedKeys(map) ?? Object.keys(map);
    const size = mapSize(map, names);
    if (size > MAX_LABEL_MAP_SIZE) {
      // One finding for the whole map: over the bound, a finding per key would only repeat it.
      issues.push({
        path: at,
        rule: 'label-syntax',
        message: `${what} hold ${size} bytes of keys and values, more than the ${MAX_LABEL_MAP_SIZE} (${MAX_LABEL_MAP_SIZE / 1024} KiB) allowed, so that the Deployment stays within what etcd stores`,
      });
      return;
    }
    for (let i = 0; i < names.length; i++) {
      const key = names[i] as string;
      const kp = qualifiedNameProblem(key);
      if (kp !== undefined) issues.push({ path: [...at, key], rule: 'label-syntax', message: `label key ${JSON.stringify(key)} ${kp}` });
      const value = values ? map[key] : undefined;
      const vp = typeof value === 'string' ? labelValueProblem(value) : undefined;
      if (vp !== undefined) issues.push({ path: [...at, key], rule: 'label-syntax', message: `label value ${JSON.stringify(value)} ${vp}` });
    }
  };
  keys(actor.metadata.labels, ['metadata', 'labels'], true, 'the labels (copied to the Deployment and its pod template)');
  keys(actor.spec.nodeSelector, ['spec', 'nodeSelector'], false, 'the nodeSelector entries');
  (actor.spec.tolerations ?? []).forEach((t, i) => {
    const key = t.key ?? '';
    const p = key === '' ? undefined : qualifiedNameProblem(key);
    if (p !== undefined) issues.push({ path: ['spec', 'tolerations', i, 'key'], rule: 'label-syntax', message: `toleration key ${JSON.stringify(key)} ${p}` });
  });
  return issues;
}

const STANDARD_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];
const isHugePages = (name: string) => name.startsWith('hugepages-');
const isNative = (name: string) => !name.includes('/') || name.includes('kubernetes.io/');

/** validateContainerResourceName: a standard resource without a domain, or an extended resource. */
function resourceNameProblem(name: string): string | undefined {
  // The names nearly every container uses, and valid qualified names: no pattern to run.
  if (name === 'cpu' || name === 'memory') return undefined;
  const q = qualifiedNameProblem(name);
  if (q !== undefined) return q;
  if (!name.includes('/') && !STANDARD_RESOURCES.includes(name) && !isHugePages(name)) {
    return `is not a container resource (cpu, memory, ephemeral-storage, hugepages-<size>, or an extended resource such as example.com/gpu)`;
  }
  return undefined;
}

/** ValidateResourceRequirements over one container's resources. */
function resourceProblems(resources: unknown, at: PathSegment[]): FieldIssue[] {
  if (!isObj(resources)) return [];
  const issues: FieldIssue[] = [];
  const limits = isObj(resources['limits']) ? resources['limits'] : {};
  const requests = isObj(resources['requests']) ? resources['requests'] : {};
  const add = (path: PathSegment[], message: string) => issues.push({ path: [...at, ...path], rule: 'container-resources', message });
  for (const [kind, map] of [['limits', limits], ['requests', requests]] as const) {
    for (const [name, q] of Object.entries(map)) {
      const p = resourceNameProblem(name);
      if (p !== undefined) add([kind, name], `resource name ${JSON.stringify(name)} ${p}`);
      else if (!isNative(name) && !isWholeQuantity(q)) add([kind, name], `${name} is an extended resource and must be a whole number, not ${String(q)}`);
    }
  }
  for (const [name, q] of Object.entries(requests)) {
    const request = quantityValue(q);
    const limit = quantityValue(limits[name]);
    const overcommit = isNative(name) && !isHugePages(name);
    if (request === undefined) continue;
    if (limit === undefined) {
      if (!overcommit && resourceNameProblem(name) === undefined) add(['limits', name], `${name} cannot be overcommitted: a request needs a limit equal to it`);
    } else if (!overcommit && request !== limit) {
      add(['requests', name], `request ${String(q)} of ${name} must equal its limit ${String(limits[name])} (${name} cannot be overcommitted)`);
    } else if (request > limit) {
      add(['requests', name], `request ${String(q)} of ${name} exceeds its limit ${String(limits[name])}`);
    }
  }
  const names = [...Object.keys(limits), ...Object.keys(requests)];
  if (names.some(isHugePages) && !names.some((n) => n === 'cpu' || n === 'memory')) {
    add([], 'hugepages need a cpu or memory request or limit on the same container');
  }
  return issues;
}

interface PodContainer {
  readonly at: PathSegment[];
  readonly c: Obj;
  /** Mount paths the function adds to this container. */
  readonly platformPaths: readonly string[];
  readonly kind: 'runtime' | 'connector' | 'init' | 'sidecar';
}

/** The containers whose user-set fields reach the pod, each with its AsyncActor path. */
function podContainers(actor: AsyncActor): PodContainer[] {
  const spec = actor.spec;
  const mounts = (spec.stateProxy ?? []).length > 0;
  const runtime: Obj = { resources: spec.resources, volumeMounts: spec.volumeMounts };
  return [
    { at: ['spec'], c: runtime, kind: 'runtime', platformPaths: ['/var/run/asya', '/tmp', '/opt/asya/asya_runtime.py', ...(mounts ? ['/var/run/asya/state'] : [])] },
    ...(spec.stateProxy ?? []).map((e, i) => ({ at: ['spec', 'stateProxy', i, 'connector'], c: e.connector as Obj, kind: 'connector' as const, platformPaths: [] })),
    ...(spec.initContainers ?? []).map((c, i) => ({ at: ['spec', 'initContainers', i], c: c as Obj, kind: 'init' as const, platformPaths: [] })),
    ...(spec.sidecars ?? []).map((c, i) => ({ at: ['spec', 'sidecars', i], c: c as Obj, kind: 'sidecar' as const, platformPaths: [] })),
  ];
}

function containerResources(actor: AsyncActor): FieldIssue[] {
  return podContainers(actor).flatMap(({ at, c }) => resourceProblems(c['resources'], [...at, 'resources']));
}

/** Volume source fields of a Kubernetes Volume (everything but `name`). */
const sourceKeys = (v: Obj) => Object.keys(v).filter((k) => k !== 'name');
/** Sources whose reference the API server requires. */
const REQUIRED_REFERENCE: Readonly<Record<string, string>> = {
  configMap: 'name',
  secret: 'secretName',
  persistentVolumeClaim: 'claimName',
  hostPath: 'path',
};

/** A volume has at most one source (none is fine: the API server defaults it to emptyDir). */
function volumeSources(actor: AsyncActor): FieldIssue[] {
  const issues: FieldIssue[] = [];
  (actor.spec.volumes ?? []).forEach((v, i) => {
    const keys = sourceKeys(v as Obj);
    if (keys.length > 1) {
      issues.push({ path: ['spec', 'volumes', i, keys[1] as string], rule: 'volume-source', message: `volume ${v.name} sets ${keys.join(' and ')}; a volume has exactly one source` });
    }
    for (const key of keys) {
      const field = REQUIRED_REFERENCE[key];
      const source = (v as Obj)[key];
      if (field === undefined) continue;
      const ref = isObj(source) ? source[field] : undefined;
      if (typeof ref !== 'string' || ref === '') {
        issues.push({ path: ['spec', 'volumes', i, key, field], rule: 'volume-source', message: `volume ${v.name}: ${key}.${field} is required` });
      }
    }
  });
  return issues;
}

/**
 * Each volume mount names a volume of the pod (the user's, or the platform's own) and mount paths
 * are unique within a container, the function's mounts included. Bidirectional propagation needs
 * a privileged container, which the runtime never is.
 */
function volumeMounts(actor: AsyncActor): FieldIssue[] {
  const volumes = new Set<string>([
    ...(RESERVED_VOLUMES as readonly string[]).filter((v) => v !== 'state-sockets' || (actor.spec.stateProxy ?? []).length > 0),
    ...(actor.spec.volumes ?? []).map((v) => v.name),
  ]);
  const issues: FieldIssue[] = [];
  for (const { at, c, kind, platformPaths } of podContainers(actor)) {
    const list = c['volumeMounts'];
    if (!Array.isArray(list)) continue;
    const paths = new Map<string, string>(platformPaths.map((p) => [p, 'the function']));
    const sc = isObj(c['securityContext']) ? c['securityContext'] : {};
    list.forEach((m: unknown, j) => {
      if (!isObj(m)) return;
      const base = [...at, 'volumeMounts', j];
      if (typeof m['name'] === 'string' && !volumes.has(m['name'])) {
        issues.push({ path: [...base, 'name'], rule: 'volume-mounts', message: `volume mount names ${m['name']}, which is not a volume of the pod (spec.volumes)` });
      }
      const path = m['mountPath'];
      if (typeof path === 'string') {
        const before = paths.get(path);
        if (before !== undefined) {
          issues.push({ path: [...base, 'mountPath'], rule: 'volume-mounts', message: `mountPath ${path} is already mounted in this container by ${before}` });
        } else {
          paths.set(path, `volumeMounts[${j}]`);
        }
      }
      if (m['mountPropagation'] === 'Bidirectional' && (kind === 'runtime' || sc['privileged'] !== true)) {
        issues.push({
          path: [...base, 'mountPropagation'],
          rule: 'volume-mounts',
          message: kind === 'runtime'
            ? 'Bidirectional mount propagation needs a privileged container, and the runtime container is never privileged'
            : 'Bidirectional mount propagation needs securityContext.privileged: true on this container',
        });
      }
    });
  }
  return issues;
}

/** IANA service name (validateContainerPorts): at most 15, a-z 0-9 '-', a letter, no '--', no '-' at the ends. */
function portNameProblem(name: string): string | undefined {
  if (name.length > 15 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.includes('--') || !/[a-z]/.test(name)) {
    return "must be an IANA service name: at most 15 lower-case letters, digits and '-', with a letter, no '--', not starting or ending with '-'";
  }
  return undefined;
}

/**
 * User containers: port names, probes of init containers
 * (an init container that is not a native sidecar runs to completion, so probes and lifecycle
 * hooks are refused by the API server), and privilege settings that contradict each other.
 */
function userContainerFields(actor: AsyncActor): FieldIssue[] {
  const issues: FieldIssue[] = [];
  // Host ports (protocol/hostIP/hostPort, protocol defaulted to TCP) are unique across the pod's
  // regular containers and within each init container (checkHostPortConflicts); the function's
  // own containers use none.
  const sidecarHostPorts = new Map<string, string>();
  for (const { at, c, kind } of podContainers(actor)) {
    if (kind === 'connector') {
      const sc = c['securityContext'] as Parameters<typeof privilegeContradiction>[0];
      const problem = privilegeContradiction(sc, false);
      if (problem !== undefined) {
        const field = sc?.privileged === true ? ['privileged'] : ['capabilities', 'add'];
        issues.push({ path: [...at, 'securityContext', ...field], rule: 'container-privilege', message: problem });
      }
      continue;
    }
    if (kind === 'runtime') continue;
    const seen = new Map<string, number>();
    const ports = Array.isArray(c['ports']) ? c['ports'] : [];
    ports.forEach((p: unknown, j) => {
      const name = isObj(p) ? p['name'] : undefined;
      if (typeof name !== 'string' || name === '') return;
      const problem = portNameProblem(name);
      if (problem !== undefined) issues.push({ path: [...at, 'ports', j, 'name'], rule: 'container-ports', message: `port name ${JSON.stringify(name)} ${problem}` });
      else if (seen.has(name)) issues.push({ path: [...at, 'ports', j, 'name'], rule: 'container-ports', message: `duplicate port name ${name}: already used by ports[${seen.get(name)}]` });
      else seen.set(name, j);
    });
    const hostPorts = kind === 'sidecar' ? sidecarHostPorts : new Map<string, string>();
    ports.forEach((p: unknown, j) => {
      if (!isObj(p) || typeof p['hostPort'] !== 'number' || p['hostPort'] === 0) return;
      const key = `${typeof p['protocol'] === 'string' && p['protocol'] !== '' ? p['protocol'] : 'TCP'}/${typeof p['hostIP'] === 'string' ? p['hostIP'] : ''}/${p['hostPort']}`;
      const here = formatPath([...at, 'ports', j]);
      const taken = hostPorts.get(key);
      if (taken !== undefined) {
        issues.push({ path: [...at, 'ports', j, 'hostPort'], rule: 'container-ports', message: `host port ${p['hostPort']} (${key.split('/')[0]}) is already used by ${taken}: containers of a pod cannot share a host port` });
      } else {
        hostPorts.set(key, here);
      }
    });
    // Only a plainly run-to-completion init container (no restartPolicy): restart rules on
    // containers are a newer API (ContainerRestartRules), so other values are left to the server.
    if (kind === 'init' && c['restartPolicy'] === undefined) {
      for (const field of ['livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle']) {
        if (c[field] !== undefined) {
          issues.push({ path: [...at, field], rule: 'init-container-probes', message: `${field} is not allowed on an init container that runs to completion (only with restartPolicy: Always, a native sidecar)` });
        }
      }
    }
    const sc = isObj(c['securityContext']) ? (c['securityContext'] as Parameters<typeof privilegeContradiction>[0]) : undefined;
    const problem = privilegeContradiction(sc, undefined);
    if (problem !== undefined) {
      const field = sc?.privileged === true ? ['privileged'] : ['capabilities', 'add'];
      issues.push({ path: [...at, 'securityContext', ...field], rule: 'container-privilege', message: problem });
    }
  }
  return issues;
}

export const RULES: readonly Rule[] = [
  { id: 'actor-name', description: 'the actor name (spec.actor or metadata.name) is a DNS label', check: actorName },
  {
    id: 'unique-mount-names',
    description: 'mount names are unique',
    check: (a) => uniqueBy(a, (e) => e.name, ['name'], 'unique-mount-names', 'mount name'),
  },
  {
    id: 'unique-mount-paths',
    description: 'mount paths are unique',
    check: (a) => uniqueBy(a, (e) => e.mount.path, ['mount', 'path'], 'unique-mount-paths', 'mount path'),
  },
  { id: 'mount-path-format', description: 'mount paths are absolute, normalised, not /, free of : ; " \\ whitespace and control characters', check: mountPathFormat },
  { id: 'mount-path-overlap', description: 'no mount path is a directory prefix of another', check: mountPathOverlap },
  { id: 'mount-path-reserved', description: 'no mount path is under or above /var/run/asya, /opt/asya, /proc, /sys, /dev, /tmp', check: mountPathReserved },
  { id: 'mount-path-volume-mount', description: 'no runtime volume mount (spec.volumeMounts) is at, under or above a mount path', check: mountPathVolumeMounts },
  { id: 'write-mode-conflict', description: 'writeMode and mount.writeMode agree when both are set', check: writeModeConflict },
  { id: 'connector-env', description: 'connector env does not set CONNECTOR_SOCKET and has unique names', check: connectorEnv },
  { id: 'runtime-env-reserved', description: 'user env and secretRefs do not set variables the function sets', check: runtimeEnvReserved },
  { id: 'reserved-volume-name', description: 'user volumes do not reuse the pod\'s volume names nor the guard prefix state-guard-', check: reservedVolumes },
  { id: 'user-containers', description: 'user init containers and sidecars do not use the asya- prefix and have unique names', check: userContainers },
  { id: 'user-names', description: 'user init containers, sidecars and volumes have DNS-label names; volume names are unique', check: userNames },
  { id: 'python-executable', description: 'pythonExecutable is an executable name or an absolute path, without whitespace or control characters', check: runtimeCommand },
  { id: 'handler-format', description: 'handler is module.attr[.attr] without whitespace, control or formatting characters', check: handlerFormat },
  { id: 'label-syntax', description: 'XR labels, nodeSelector keys and toleration keys are valid label keys and values', check: labelSyntax },
  { id: 'container-resources', description: 'resource names are container resources; requests within limits; extended resources whole and not overcommitted', check: containerResources },
  { id: 'volume-source', description: 'a user volume has at most one source, with the reference that source needs', check: volumeSources },
  { id: 'volume-mounts', description: 'volume mounts name a pod volume, mount paths are unique per container, Bidirectional only when privileged', check: volumeMounts },
  { id: 'user-container-fields', description: 'port names, init-container probes and privilege settings the API server accepts', check: userContainerFields },
];

export function checkRules(actor: AsyncActor): FieldIssue[] {
  return RULES.flatMap((rule) => rule.check(actor));
}

/** The connector container name for a mount; the name rules above guarantee it fits 63. */
export const connectorContainerName = (mountName: string): string => `${CONNECTOR_PREFIX}${mountName}`;
