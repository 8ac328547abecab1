/**
 * The semantic rules of `rules.ts`, written as Kubernetes CEL validation rules
 * (`x-kubernetes-validations`). The schema attaches them with `.meta()`, so the generated XRD and
 * CRD enforce them at admission; `rules.ts` stays the reference semantics with field-specific
 * messages, and `test/admission-parity.test.ts` checks both reject the same corpus documents.
 *
 * Every message names the field it is about, because the API server prefixes it with the path
 * of the node that carries the rule (a list, for the cross-entry rules), not of the element.
 * Rules only use the CEL standard library (macros, `size`, `startsWith`, `contains`, raw
 * strings) and `matches` (RE2, so `\p{..}` classes work), all available since Kubernetes 1.25;
 * each list and string they iterate over has maxItems / maxLength in the schema so that the API
 * server's cost estimator accepts them.
 *
 * Kept free of imports from the schema modules (only the leaf modules below) so that the schema
 * can import it without an import cycle.
 */
import { HANDLER_FORBIDDEN_CHARS, HANDLER_SHAPE, PYTHON_EXECUTABLE_PATTERN } from './formats.js';
import { DNS_LABEL } from './k8s.js';
import {
  CONNECTOR_RESERVED_ENV,
  GUARD_VOLUME_PREFIX,
  RESERVED_CONTAINER_PREFIX,
  RESERVED_PATHS,
  RESERVED_VOLUMES,
  RUNTIME_RESERVED_ENV,
} from './reserved.js';

/** One entry of `x-kubernetes-validations`. */
export interface CelRule {
  readonly rule: string;
  readonly message: string;
  /** Relative JSONPath (from the node carrying the rule) of the field the error is reported on. */
  readonly fieldPath?: string;
}

/** A CEL string literal (single-quoted, backslash and quote escaped). */
export const celString = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
/** A regular expression as a CEL raw string literal (`r'...'`, read as written), when it can be one. */
export const celRegex = (re: string): string => (/['\r\n]/.test(re) ? celString(re) : `r'${re}'`);
/** A CEL list literal of strings. */
export const celStringList = (xs: readonly string[]): string => `[${xs.map(celString).join(', ')}]`;

const orList = (xs: readonly string[]): string =>
  xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}`;

const PATH = 'spec.stateProxy[].mount.path';

/** On `spec.stateProxy[].mount.path` (self: string); same order and wording as mountPathProblem. */
export const MOUNT_PATH_RULES: readonly CelRule[] = [
  { rule: "self.startsWith('/')", message: `${PATH} must be an absolute path (start with /)` },
  { rule: "self != '/'", message: `${PATH} must not be / (it would capture every file, including the runtime itself)` },
  { rule: "!self.contains(':')", message: `${PATH} must not contain ':' (the runtime splits ASYA_STATE_PROXY_MOUNTS entries on ':')` },
  { rule: "!self.contains(';')", message: `${PATH} must not contain ';' (the runtime splits ASYA_STATE_PROXY_MOUNTS on ';')` },
  { rule: String.raw`!self.contains('"') && !self.contains('\\')`, message: `${PATH} must not contain '"' or '\\'` },
  { rule: String.raw`!self.matches(r'[\s\p{Cc}\p{Cf}\p{Z}]')`, message: `${PATH} must not contain whitespace, control or invisible formatting characters` },
  { rule: "self == '/' || !self.endsWith('/')", message: `${PATH} must not end with /` },
  { rule: "!self.contains('//')", message: `${PATH} must be normalised: no empty segments (//)` },
  {
    rule: String.raw`!self.matches(r'/\.\.?(/|$)')`,
    message: `${PATH} must be normalised: no '.' or '..' segments (the runtime never matches a non-normalised mount path)`,
  },
  {
    rule: `${celStringList(RESERVED_PATHS)}.all(d, self != d && !self.startsWith(d + '/') && !d.startsWith(self + '/'))`,
    message: `${PATH} must not be at, under or above a reserved directory (${orList(RESERVED_PATHS)})`,
  },
];

/**
 * On `spec.stateProxy` (self: list of entries). The list is also `x-kubernetes-list-type: map`
 * keyed by name, which the API server enforces too; the explicit rule gives a clearer message and
 * is also checked by tools that evaluate only schema and CEL (crank beta validate).
 */
export const STATE_PROXY_LIST_RULES: readonly CelRule[] = [
  { rule: 'self.all(x, self.exists_one(y, y.name == x.name))', message: 'spec.stateProxy[].name must be unique' },
  { rule: 'self.all(x, self.exists_one(y, y.mount.path == x.mount.path))', message: `${PATH} must be unique` },
  {
    rule: "self.all(x, self.all(y, !y.mount.path.startsWith(x.mount.path + '/')))",
    message: `${PATH} must not be inside another mount's path (the runtime matches the first mount, so one would shadow the other)`,
  },
];

/** On `spec.stateProxy[]` (self: one entry). */
export const STATE_PROXY_ENTRY_RULES: readonly CelRule[] = [
  {
    rule: '!has(self.writeMode) || !has(self.mount.writeMode) || self.writeMode == self.mount.writeMode',
    message: 'spec.stateProxy[].mount.writeMode must equal spec.stateProxy[].writeMode when both are set',
    fieldPath: '.mount.writeMode',
  },
];

/**
 * On `spec.stateProxy[].connector.env` (self: list). Unique names are left to
 * `x-kubernetes-list-type: map`: a quadratic CEL rule here (64 entries in each of 32 mounts)
 * exceeds the API server's estimated cost budget for the CRD.
 */
export const CONNECTOR_ENV_RULES: readonly CelRule[] = CONNECTOR_RESERVED_ENV.map((name) => ({
  rule: `self.all(e, e.name != ${celString(name)})`,
  message: `spec.stateProxy[].connector.env[].name must not be ${name} (the function sets it from the mount name)`,
}));

const runtimeEnv = orList(RUNTIME_RESERVED_ENV);

/**
 * On `spec.stateProxy[].connector` (self: the connector). The function sets
 * allowPrivilegeEscalation: false unless the author sets it; the API server refuses that together
 * with privileged or CAP_SYS_ADMIN, so the author must opt in explicitly.
 */
const escalationAllowed = 'has(self.securityContext.allowPrivilegeEscalation) && self.securityContext.allowPrivilegeEscalation';
export const CONNECTOR_RULES: readonly CelRule[] = [
  {
    rule: `!has(self.securityContext) || !has(self.securityContext.privileged) || !self.securityContext.privileged || (${escalationAllowed})`,
    message:
      'spec.stateProxy[].connector.securityContext.privileged: true contradicts allowPrivilegeEscalation: false (which the function sets on connectors); set allowPrivilegeEscalation: true explicitly',
    fieldPath: '.securityContext.privileged',
  },
  {
    rule: `!has(self.securityContext) || !has(self.securityContext.capabilities) || !has(self.securityContext.capabilities.add) || !self.securityContext.capabilities.add.exists(c, c == 'CAP_SYS_ADMIN') || (${escalationAllowed})`,
    message:
      'spec.stateProxy[].connector.securityContext.capabilities.add CAP_SYS_ADMIN contradicts allowPrivilegeEscalation: false (which the function sets on connectors); set allowPrivilegeEscalation: true explicitly',
    fieldPath: '.securityContext.capabilities.add',
  },
];

/** On `spec.env` (self: list). */
export const RUNTIME_ENV_RULES: readonly CelRule[] = [
  {
    rule: `self.all(e, !(e.name in ${celStringList(RUNTIME_RESERVED_ENV)}))`,
    message: `spec.env[].name must not be ${runtimeEnv} (set by the function)`,
  },
];

/** On `spec.secretRefs` (self: list). */
export const SECRET_REFS_RULES: readonly CelRule[] = [
  {
    rule: `self.all(r, r.keys.all(k, !(k.envVar in ${celStringList(RUNTIME_RESERVED_ENV)})))`,
    message: `spec.secretRefs[].keys[].envVar must not be ${runtimeEnv} (set by the function)`,
  },
];

/**
 * On `spec.volumes` (self: list). The uniqueness rule is quadratic, but over one top-level list of
 * at most 128 names of at most 63 characters it is estimated at about 5% of the API server's
 * per-rule cost budget (apiextensions-apiserver v0.35 rejects it from about 560 items), so
 * volumes need no `x-kubernetes-list-type: map` (which would also change how server-side apply
 * merges them).
 */
export const VOLUMES_RULES: readonly CelRule[] = [
  {
    rule: `self.all(v, !(v.name in ${celStringList(RESERVED_VOLUMES)}))`,
    message: `spec.volumes[].name must not be ${orList(RESERVED_VOLUMES)} (reserved for the actor pod)`,
  },
  {
    rule: `self.all(v, !v.name.startsWith(${celString(GUARD_VOLUME_PREFIX)}))`,
    message: `spec.volumes[].name must not start with ${GUARD_VOLUME_PREFIX} (reserved for the mount guard volumes)`,
  },
  { rule: 'self.all(v, self.exists_one(w, w.name == v.name))', message: 'spec.volumes[].name must be unique (volume names are unique in a pod)' },
];

/**
 * On `spec.pythonExecutable` (self: string). The schema also carries the same pattern (and
 * maxLength) as OpenAPI constraints; this rule only adds a message that says what is allowed.
 */
export const PYTHON_EXECUTABLE_RULES: readonly CelRule[] = [
  {
    rule: `self.matches(${celRegex(PYTHON_EXECUTABLE_PATTERN)})`,
    message:
      'spec.pythonExecutable must be an executable name (python3) or an absolute path (/opt/venv/bin/python): letters, digits and . _ + - only, no whitespace, control characters or arguments',
  },
];

/** On `spec.handler` (self: string); same order and wording as handlerFormat in rules.ts. */
export const HANDLER_RULES: readonly CelRule[] = [
  {
    rule: `!self.matches(${celRegex(HANDLER_FORBIDDEN_CHARS)})`,
    message: 'spec.handler must not contain whitespace, control characters (NUL included) or invisible formatting characters',
  },
  { rule: `self.matches(${celRegex(HANDLER_SHAPE)})`, message: 'spec.handler must be module.attr[.attr] (dot-separated, no empty parts)' },
];

/** On `spec.initContainers` and `spec.sidecars` (self: list). */
export const userContainerRules = (field: 'initContainers' | 'sidecars'): readonly CelRule[] => [
  {
    rule: `self.all(c, !c.name.startsWith(${celString(RESERVED_CONTAINER_PREFIX)}))`,
    message: `spec.${field}[].name must not start with ${RESERVED_CONTAINER_PREFIX} (reserved for platform containers)`,
  },
  { rule: 'self.all(c, self.exists_one(d, d.name == c.name))', message: `spec.${field}[].name must be unique` },
];

/**
 * On `spec` (self: the spec). The volume mount rule is volumeMountRelation in rules.ts: equal
 * (with or without a trailing `/`), inside, or containing. Bounded by 32 mounts of 256 characters
 * and 64 volume mounts of 1024.
 */
export const SPEC_RULES: readonly CelRule[] = [
  {
    rule:
      "!has(self.stateProxy) || !has(self.volumeMounts) || self.stateProxy.all(m, self.volumeMounts.all(v, !has(v.mountPath) || " +
      "(v.mountPath != m.mount.path && !v.mountPath.startsWith(m.mount.path + '/') && " +
      "!m.mount.path.startsWith(v.mountPath.endsWith('/') ? v.mountPath : v.mountPath + '/'))))",
    message: `spec.volumeMounts[].mountPath must not be at, inside or above a ${PATH} (the runtime serves that directory from the connector; a volume there is never seen and would hide the mount's read-only guard)`,
  },
  {
    rule: '!has(self.initContainers) || !has(self.sidecars) || self.initContainers.all(c, !self.sidecars.exists(s, s.name == c.name))',
    message: 'spec.sidecars[].name must not repeat a name from spec.initContainers[].name (container names are unique in a pod)',
  },
];

/**
 * On the document root (self: the whole object). CEL at the root may read `metadata.name`
 * (Kubernetes exposes `metadata.name` and `metadata.generateName` there); a rule on `spec`
 * cannot, which is why this one is not in SPEC_RULES.
 */
export const ROOT_RULES: readonly CelRule[] = [
  {
    rule: `has(self.spec.actor) || (size(self.metadata.name) <= 63 && self.metadata.name.matches(${celString(DNS_LABEL)}))`,
    message: 'metadata.name must be a DNS label of at most 63 characters when spec.actor is not set (the actor is named after it)',
    fieldPath: '.metadata.name',
  },
];

/** The meta fragment that attaches rules to a zod schema node. */
export const validations = (rules: readonly CelRule[]): { 'x-kubernetes-validations': CelRule[] } => ({
  'x-kubernetes-validations': [...rules],
});
