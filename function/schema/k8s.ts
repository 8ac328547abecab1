/**
 * Kubernetes core types the AsyncActor schema embeds, written as strict zod schemas so that a
 * typo inside a state proxy entry is an error instead of being pruned by the API server.
 *
 * Only what a connector container may carry is modelled strictly; upstream free-form fields
 * (volumes, tolerations, sidecars, ...) use `freeForm` and are passed through untouched.
 */
import { z } from 'zod';
import { fastRecord } from './record.js';

const anything = () => true;
/** An object Kubernetes keeps as-is (`x-kubernetes-preserve-unknown-fields`). */
export const freeForm = () =>
  fastRecord(z.unknown(), anything, (s) => s.meta({ 'x-kubernetes-preserve-unknown-fields': true }));
const isString = (v: unknown): v is string => typeof v === 'string';
/** A map of strings (labels, annotations). */
export const stringMap = () => fastRecord(z.string(), isString);

export const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** A DNS-1123 subdomain (Secret, ConfigMap names); at most 253 characters (maxLength). */
export const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
/** A label value (apimachinery IsValidLabelValue): empty, or at most 63 of these. */
export const LABEL_VALUE = '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$';
export const MAX_LABEL_VALUE = 63;
/**
 * A qualified name (label keys, toleration keys): optional DNS-subdomain prefix of at most 253
 * characters and `/`, then a name of at most 63. The name length is in the pattern; the prefix
 * length is checked by `qualifiedNameProblem` (a regular expression cannot count both at once).
 */
export const QUALIFIED_NAME =
  '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$';
export const MAX_QUALIFIED_NAME = 253 + 1 + 63;
/**
 * The most an XR's labels, or its nodeSelector, may hold: 128 KiB of keys and values (counted as
 * apimachinery counts an object's annotations against its 256 KiB). Labels have no total upstream,
 * but the function writes the XR's labels twice into the Deployment (its own and the pod
 * template's) and the nodeSelector once, and etcd stores at most 1.5 MiB an object: a map of
 * 3-character keys with empty values takes about three times its characters stored, so three maps
 * of 128 KiB stay at about 1.1 MiB (test/e2e/pod-level.e2e.test.ts stores one). Valid label keys and
 * values are ASCII, so characters are bytes.
 */
export const MAX_LABEL_MAP_SIZE = 128 * 1024;
/** A Secret or ConfigMap data key (IsConfigMapKey). */
export const CONFIG_MAP_KEY = '^[-._a-zA-Z0-9]+$';
/**
 * Environment variable names the API server accepts since 1.34 (RelaxedEnvironmentVariableValidation,
 * measured on v1.36.3): printable ASCII except '='. A space is allowed.
 */
export const RELAXED_ENV_NAME = '^[ -<>-~]+$';
/** An image reference: the API server refuses leading or trailing whitespace (an empty one is `minLength`). */
export const IMAGE = '^[^ \\t\\n\\v\\f\\r]([\\s\\S]*[^ \\t\\n\\v\\f\\r])?$';
export const MAX_INT32 = 2147483647;

const LABEL_VALUE_RE = new RegExp(LABEL_VALUE);
/** `z.string().max(MAX_LABEL_VALUE).regex(LABEL_VALUE)` takes it as it is. */
export const isLabelValue = (v: unknown): boolean => typeof v === 'string' && v.length <= MAX_LABEL_VALUE && LABEL_VALUE_RE.test(v);
const QUALIFIED_NAME_RE = new RegExp(QUALIFIED_NAME);
/** QUALIFIED_NAME without its prefix group: the same answer for a key without '/'. */
const UNPREFIXED_NAME_RE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Why `key` is not a qualified name (label key), or undefined. */
export function qualifiedNameProblem(key: string): string | undefined {
  // The prefix is key.slice(0, slash): its length is `slash` (no copy per nodeSelector key).
  const slash = key.indexOf('/');
  if (slash > 253) return 'has a prefix longer than 253 characters';
  // Without a '/' the optional prefix group cannot match, so the name part alone decides: a
  // pattern that does not first try each key as a DNS subdomain.
  if (!(slash < 0 ? UNPREFIXED_NAME_RE : QUALIFIED_NAME_RE).test(key)) {
    return "must be a qualified name: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
  }
  return undefined;
}

/** Why `value` is not a label value, or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > MAX_LABEL_VALUE) return `must be at most ${MAX_LABEL_VALUE} characters`;
  if (!LABEL_VALUE_RE.test(value)) return "must be empty or letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
  return undefined;
}

/** Same grammar as `resource.Quantity` in apimachinery. */
export const QUANTITY =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

/** Environment variable names Kubernetes accepts everywhere (C identifier plus `-` and `.`). */
export const ENV_NAME = '^[-._a-zA-Z][-._a-zA-Z0-9]*$';

export const quantity = z
  .union([z.string().regex(new RegExp(QUANTITY)), z.number()])
  .meta({ 'x-kubernetes-int-or-string': true });

/** A resource quantity as container resources take it: the API server refuses negative ones. */
export const NON_NEGATIVE_QUANTITY =
  '^\\+?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';
const NON_NEGATIVE_QUANTITY_RE = new RegExp(NON_NEGATIVE_QUANTITY);
export const nonNegativeQuantity = z
  .union([z.string().regex(NON_NEGATIVE_QUANTITY_RE), z.number().min(0)])
  .meta({ 'x-kubernetes-int-or-string': true });
/** Resource name -> quantity; the usual string quantity skips zod's union. */
const quantities = () => fastRecord(nonNegativeQuantity, (v) => typeof v === 'string' && NON_NEGATIVE_QUANTITY_RE.test(v));

export const imagePullPolicy = z.enum(['Always', 'IfNotPresent', 'Never']);

/** A Secret or ConfigMap name: a DNS subdomain. */
export const objectName = () => z.string().min(1).max(253).regex(new RegExp(DNS_SUBDOMAIN));

// The API server requires the name (validateSecretKeySelector, validateConfigMapKeySelector).
const keyRef = z.strictObject({
  name: objectName(),
  key: z.string().min(1).max(253).regex(new RegExp(CONFIG_MAP_KEY)),
  optional: z.boolean().optional(),
});

/** The pod fields the downward API exposes as env (validateDownwardAPIVolumeFile's env list). */
export const FIELD_PATH =
  "^(metadata\\.(name|namespace|uid)|spec\\.(nodeName|serviceAccountName)|status\\.(hostIP|hostIPs|podIP|podIPs)|metadata\\.(labels|annotations)\\['[^']+'\\])$";
/** Container resources the downward API exposes as env. */
export const RESOURCE_FIELD = '^(limits|requests)\\.(cpu|memory|ephemeral-storage|hugepages-[^.]+)$';

export const envVarSource = z
  .strictObject({
    secretKeyRef: keyRef.optional(),
    configMapKeyRef: keyRef.optional(),
    fieldRef: z
      .strictObject({ apiVersion: z.enum(['v1']).optional(), fieldPath: z.string().min(1).max(512).regex(new RegExp(FIELD_PATH)) })
      .optional(),
    resourceFieldRef: z
      .strictObject({
        containerName: z.string().optional(),
        resource: z.string().min(1).regex(new RegExp(RESOURCE_FIELD)),
        divisor: quantity.optional(),
      })
      .optional(),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: "[has(self.secretKeyRef), has(self.configMapKeyRef), has(self.fieldRef), has(self.resourceFieldRef)].filter(x, x).size() == 1",
        message: 'valueFrom must set exactly one of secretKeyRef, configMapKeyRef, fieldRef, resourceFieldRef',
      },
    ],
  })
  .refine(
    (v) =>
      [v.secretKeyRef, v.configMapKeyRef, v.fieldRef, v.resourceFieldRef].filter((x) => x !== undefined).length === 1,
    { message: 'valueFrom must set exactly one of secretKeyRef, configMapKeyRef, fieldRef, resourceFieldRef' },
  );

/** A Kubernetes EnvVar as a connector may use it: a literal `value` or a `valueFrom` reference. */
export const envVar = z
  .strictObject({
    name: z.string().min(1).max(253).regex(new RegExp(ENV_NAME)),
    value: z.string().optional(),
    valueFrom: envVarSource.optional(),
  })
  .meta({
    'x-kubernetes-validations': [
      { rule: '!(has(self.value) && has(self.valueFrom))', message: 'env: set value or valueFrom, not both' },
    ],
  })
  .refine((v) => !(v.value !== undefined && v.valueFrom !== undefined), {
    message: 'env: set value or valueFrom, not both',
  });

const sourceRef = z.strictObject({ name: objectName(), optional: z.boolean().optional() });

export const envFromSource = z
  .strictObject({
    prefix: z.string().max(253).regex(new RegExp(RELAXED_ENV_NAME)).optional(),
    configMapRef: sourceRef.optional(),
    secretRef: sourceRef.optional(),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: 'has(self.configMapRef) != has(self.secretRef)',
        message: 'envFrom: set exactly one of configMapRef or secretRef',
      },
    ],
  })
  .refine((v) => (v.configMapRef === undefined) !== (v.secretRef === undefined), {
    message: 'envFrom: set exactly one of configMapRef or secretRef',
  });

export const resourceRequirements = z.strictObject({
  limits: quantities().optional(),
  requests: quantities().optional(),
  claims: z
    .array(z.strictObject({ name: z.string().min(1), request: z.string().optional() }))
    .max(16)
    .optional(),
});

/** Refinement issues carry their rule id so `validate` reports it instead of `schema`. */
type Ctx = { addIssue: (issue: { code: 'custom'; message: string; path: (string | number)[]; params: { rule: string } }) => void };
const fail = (ctx: Ctx, rule: string, path: (string | number)[], message: string) =>
  ctx.addIssue({ code: 'custom', message, path, params: { rule } });

/**
 * A seccomp or AppArmor profile (validateSeccompProfileField, ValidateAppArmorProfileField):
 * `localhostProfile` is required with type Localhost and forbidden with any other type.
 */
export const profile = (at: string) =>
  z
    .strictObject({
      type: z.enum(['RuntimeDefault', 'Localhost', 'Unconfined']),
      localhostProfile: z.string().optional(),
    })
    .meta({
      'x-kubernetes-validations': [
        {
          rule: "self.type == 'Localhost' ? (has(self.localhostProfile) && self.localhostProfile != '') : !has(self.localhostProfile)",
          message: `${at}.localhostProfile must be set when type is Localhost, and only then`,
          fieldPath: '.localhostProfile',
        },
      ],
    })
    .superRefine((p, ctx) => {
      if (p.type === 'Localhost' && (p.localhostProfile ?? '') === '') fail(ctx, 'security-profile', ['localhostProfile'], 'localhostProfile must be set when type is Localhost');
      if (p.type !== 'Localhost' && p.localhostProfile !== undefined) fail(ctx, 'security-profile', ['localhostProfile'], `localhostProfile can only be set when type is Localhost, not ${p.type}`);
    });

export const securityContext = z.strictObject({
  allowPrivilegeEscalation: z.boolean().optional(),
  capabilities: z
    .strictObject({
      add: z.array(z.string().max(64)).max(64).optional(),
      drop: z.array(z.string().max(64)).max(64).optional(),
    })
    .optional(),
  privileged: z.boolean().optional(),
  procMount: z.enum(['Default', 'Unmasked']).optional(),
  readOnlyRootFilesystem: z.boolean().optional(),
  runAsGroup: z.number().int().min(0).max(MAX_INT32).optional(),
  runAsNonRoot: z.boolean().optional(),
  runAsUser: z.number().int().min(0).max(MAX_INT32).optional(),
  seLinuxOptions: z
    .strictObject({
      level: z.string().optional(),
      role: z.string().optional(),
      type: z.string().optional(),
      user: z.string().optional(),
    })
    .optional(),
  seccompProfile: profile('spec.stateProxy[].connector.securityContext.seccompProfile').optional(),
  appArmorProfile: profile('spec.stateProxy[].connector.securityContext.appArmorProfile').optional(),
});

/**
 * A user container's securityContext: passed to the pod as written, with the fields the API
 * server checks on their own typed (user and group IDs int32 and non-negative, procMount,
 * seccomp and AppArmor profiles).
 */
export const userSecurityContext = (field: string) =>
  z
    .looseObject({
      runAsUser: z.number().int().min(0).max(MAX_INT32).optional(),
      runAsGroup: z.number().int().min(0).max(MAX_INT32).optional(),
      procMount: z.enum(['Default', 'Unmasked']).optional(),
      seccompProfile: profile(`spec.${field}[].securityContext.seccompProfile`).optional(),
      appArmorProfile: profile(`spec.${field}[].securityContext.appArmorProfile`).optional(),
    })
    .meta({ 'x-kubernetes-preserve-unknown-fields': true });

export type EnvVar = z.infer<typeof envVar>;
export type EnvFromSource = z.infer<typeof envFromSource>;
export type ResourceRequirements = z.infer<typeof resourceRequirements>;
export type SecurityContext = z.infer<typeof securityContext>;


/**
 * The Kubernetes Toleration (validateTolerations). Strict: a typo such as `efect` would otherwise
 * be dropped and the toleration would match every effect.
 */
export const toleration = z
  .strictObject({
    key: z.string().max(MAX_QUALIFIED_NAME).regex(new RegExp(`^$|${QUALIFIED_NAME}`)).optional(),
    operator: z.enum(['Exists', 'Equal', '']).optional(),
    value: z.string().max(MAX_LABEL_VALUE).regex(new RegExp(LABEL_VALUE)).optional(),
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute', '']).optional(),
    tolerationSeconds: z.number().int().optional(),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: "(has(self.key) && self.key != '') || (has(self.operator) && self.operator == 'Exists')",
        message: 'spec.tolerations[].operator must be Exists when key is empty (a toleration without key matches every taint)',
        fieldPath: '.operator',
      },
      {
        rule: "!has(self.operator) || self.operator != 'Exists' || !has(self.value) || self.value == ''",
        message: 'spec.tolerations[].value must be empty when operator is Exists',
        fieldPath: '.value',
      },
      {
        rule: "!has(self.tolerationSeconds) || (has(self.effect) && self.effect == 'NoExecute')",
        message: 'spec.tolerations[].tolerationSeconds is only allowed with effect NoExecute',
        fieldPath: '.tolerationSeconds',
      },
    ],
  })
  .superRefine((t, ctx) => {
    if ((t.key ?? '') === '' && t.operator !== 'Exists') {
      fail(ctx, 'toleration', ['operator'], 'operator must be Exists when key is empty (a toleration without key matches every taint)');
    }
    if (t.operator === 'Exists' && (t.value ?? '') !== '') {
      fail(ctx, 'toleration', ['value'], 'value must be empty when operator is Exists');
    }
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      fail(ctx, 'toleration', ['tolerationSeconds'], 'tolerationSeconds is only allowed with effect NoExecute');
    }
  });

const LOCAL_PATH_PROBLEM = (p: string): string | undefined =>
  p.startsWith('/') ? 'must be a relative path' : p.split('/').includes('..') ? "must not contain '..'" : undefined;

/**
 * The Kubernetes VolumeMount (validateVolumeMounts, minus what needs the volume list or the
 * container, which rules.ts checks).
 */
export const volumeMount = (field: string) => z
  .strictObject({
    name: z.string().min(1).max(63),
    mountPath: z.string().min(1).max(1024), // = MAX_VOLUME_MOUNT_PATH (bounds the CEL cost of the mount-path rule)
    readOnly: z.boolean().optional(),
    subPath: z.string().max(1024).optional(),
    subPathExpr: z.string().max(1024).optional(),
    mountPropagation: z.enum(['None', 'HostToContainer', 'Bidirectional']).optional(),
    recursiveReadOnly: z.enum(['Disabled', 'IfPossible', 'Enabled']).optional(),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: "!has(self.subPath) || !has(self.subPathExpr) || self.subPath == '' || self.subPathExpr == ''",
        message: `${field}.subPathExpr and subPath are mutually exclusive`,
        fieldPath: '.subPathExpr',
      },
      ...(['subPath', 'subPathExpr'] as const).map((key) => ({
        rule: `!has(self.${key}) || (!self.${key}.startsWith('/') && !self.${key}.matches(r'(^|/)[.][.](/|$)'))`,
        message: `${field}.${key} must be a relative path without '..' (it must stay inside the volume)`,
        fieldPath: `.${key}`,
      })),
      {
        rule: "!has(self.recursiveReadOnly) || self.recursiveReadOnly == 'Disabled' || (has(self.readOnly) && self.readOnly && (!has(self.mountPropagation) || self.mountPropagation == 'None'))",
        message: `${field}.recursiveReadOnly other than Disabled needs readOnly: true and mountPropagation None or unset`,
        fieldPath: '.recursiveReadOnly',
      },
    ],
  })
  .superRefine((m, ctx) => {
    if ((m.subPath ?? '') !== '' && (m.subPathExpr ?? '') !== '') {
      fail(ctx, 'volume-mount', ['subPathExpr'], 'subPath and subPathExpr are mutually exclusive');
    }
    for (const key of ['subPath', 'subPathExpr'] as const) {
      const problem = m[key] === undefined ? undefined : LOCAL_PATH_PROBLEM(m[key]);
      if (problem !== undefined) fail(ctx, 'volume-mount', [key], `${key} ${problem} (it must stay inside the volume)`);
    }
    if (m.recursiveReadOnly !== undefined && m.recursiveReadOnly !== 'Disabled') {
      if (m.readOnly !== true) fail(ctx, 'volume-mount', ['recursiveReadOnly'], 'recursiveReadOnly other than Disabled needs readOnly: true');
      else if (m.mountPropagation !== undefined && m.mountPropagation !== 'None') {
        fail(ctx, 'volume-mount', ['recursiveReadOnly'], 'recursiveReadOnly other than Disabled needs mountPropagation None or unset');
      }
    }
  });

/** A container port (validateContainerPorts: numbers, protocol; names checked in rules.ts). */
export const containerPort = z.looseObject({
  name: z.string().max(15).optional(),
  containerPort: z.number().int().min(1).max(65535),
  hostPort: z.number().int().min(0).max(65535).optional(),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
  hostIP: z.string().optional(),
}).meta({ 'x-kubernetes-preserve-unknown-fields': true });

/** env entries of the runtime and user containers: any name the API server accepts. */
export const podEnvVar = (field: string) => z
  .strictObject({
    name: z.string().min(1).max(253).regex(new RegExp(RELAXED_ENV_NAME)),
    value: z.string().optional(),
    valueFrom: envVarSource.optional(),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: "!has(self.valueFrom) || !has(self.value) || self.value == ''",
        message: `${field}.valueFrom may not be set when value is not empty`,
        fieldPath: '.valueFrom',
      },
    ],
  })
  .superRefine((v, ctx) => {
    // The API server allows an empty value beside valueFrom, not a non-empty one.
    if ((v.value ?? '') !== '' && v.valueFrom !== undefined) {
      fail(ctx, 'env-value-source', ['valueFrom'], 'valueFrom may not be set when value is not empty');
    }
  });

/**
 * The API server refuses allowPrivilegeEscalation false together with privileged true or an added
 * CAP_SYS_ADMIN (both grant more than the process starts with). The function sets it false on
 * connectors unless the author sets it.
 */
export function privilegeContradiction(sc: { allowPrivilegeEscalation?: boolean | undefined; privileged?: boolean | undefined; capabilities?: { add?: string[] | undefined } | undefined } | undefined, escalationDefault: boolean | undefined): string | undefined {
  const escalation = sc?.allowPrivilegeEscalation ?? escalationDefault;
  if (escalation !== false) return undefined;
  const who = sc?.allowPrivilegeEscalation === false ? 'allowPrivilegeEscalation: false' : 'allowPrivilegeEscalation: false (which the function sets on connectors)';
  if (sc?.privileged === true) return `privileged: true contradicts ${who}; the API server refuses the pair. Set allowPrivilegeEscalation: true explicitly if the container really must be privileged`;
  if ((sc?.capabilities?.add ?? []).includes('CAP_SYS_ADMIN')) return `capabilities.add CAP_SYS_ADMIN contradicts ${who}; the API server refuses the pair. Set allowPrivilegeEscalation: true explicitly if the container needs it`;
  return undefined;
}
