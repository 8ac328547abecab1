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
import type { FieldIssue, PathSegment } from './issues.js';
import { DNS_LABEL } from './k8s.js';
import {
  CONNECTOR_RESERVED_ENV,
  RESERVED_CONTAINER_PREFIX,
  RESERVED_PATHS,
  RESERVED_VOLUMES,
  RUNTIME_RESERVED_ENV,
} from './reserved.js';

// The reserved names live in reserved.ts (shared with the CEL rules in cel.ts); re-exported here
// so that existing imports keep working.
export { CONNECTOR_RESERVED_ENV, RESERVED_CONTAINER_PREFIX, RESERVED_PATHS, RESERVED_VOLUMES, RUNTIME_RESERVED_ENV };

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

/** Why a mount path is unusable, or undefined when it is fine. Shared by the rule and tests. */
export function mountPathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'must be an absolute path (start with /)';
  if (path === '/') return 'must not be / (it would capture every file, including the runtime itself)';
  for (const [re, what] of FORBIDDEN_PATH_CHARS) {
    if (re.test(path)) return `must not contain ${what}`;
  }
  if (path.endsWith('/')) return 'must not end with /';
  if (path.includes('//')) return 'must be normalised: no empty segments (//)';
  const segments = path.slice(1).split('/');
  if (segments.some((s) => s === '.' || s === '..')) {
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
  return (actor.spec.volumes ?? []).flatMap((v, i) =>
    reserved.includes(v.name)
      ? [{ path: ['spec', 'volumes', i, 'name'], rule: 'reserved-volume-name', message: `volume name ${v.name} is reserved for the actor pod` }]
      : [],
  );
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
  { id: 'write-mode-conflict', description: 'writeMode and mount.writeMode agree when both are set', check: writeModeConflict },
  { id: 'connector-env', description: 'connector env does not set CONNECTOR_SOCKET and has unique names', check: connectorEnv },
  { id: 'runtime-env-reserved', description: 'user env and secretRefs do not set variables the function sets', check: runtimeEnvReserved },
  { id: 'reserved-volume-name', description: 'user volumes do not reuse the pod\'s volume names', check: reservedVolumes },
  { id: 'user-containers', description: 'user init containers and sidecars do not use the asya- prefix and have unique names', check: userContainers },
  { id: 'user-names', description: 'user init containers, sidecars and volumes have DNS-label names; volume names are unique', check: userNames },
  { id: 'python-executable', description: 'pythonExecutable is an executable name or an absolute path, without whitespace or control characters', check: runtimeCommand },
  { id: 'handler-format', description: 'handler is module.attr[.attr] without whitespace, control or formatting characters', check: handlerFormat },
];

export function checkRules(actor: AsyncActor): FieldIssue[] {
  return RULES.flatMap((rule) => rule.check(actor));
}

/** The connector container name for a mount; the name rules above guarantee it fits 63. */
export const connectorContainerName = (mountName: string): string => `${CONNECTOR_PREFIX}${mountName}`;
