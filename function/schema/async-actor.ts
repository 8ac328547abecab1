/**
 * The AsyncActor schema: the single source of truth for the XRD, the plain CRD, the editor JSON
 * Schema and the runtime validation in the function and the CLI.
 *
 * Field names and types follow upstream Asya (`contract.md` §4) so that an upstream manifest
 * validates unchanged. `stateProxy` entries are strict: a typo there would otherwise be pruned by
 * the API server and silently drop a mount. Kubernetes-only annotations (`x-kubernetes-*`) ride
 * along in `.meta()` so the generators can emit them; semantic rules that need more than one
 * field live in `rules.ts` (JavaScript) and as CEL in the generated XRD.
 */
import { z } from 'zod';
import {
  CONNECTOR_ENV_RULES,
  CONNECTOR_RULES,
  HANDLER_RULES,
  MOUNT_PATH_RULES,
  PYTHON_EXECUTABLE_RULES,
  ROOT_RULES,
  RUNTIME_ENV_RULES,
  SECRET_REFS_RULES,
  SPEC_RULES,
  STATE_PROXY_ENTRY_RULES,
  STATE_PROXY_LIST_RULES,
  userContainerRules,
  validations,
  VOLUMES_RULES,
} from './cel.js';
import { HANDLER_PATTERN, MAX_HANDLER, MAX_PYTHON_EXECUTABLE, PYTHON_EXECUTABLE_PATTERN } from './formats.js';
import {
  CONFIG_MAP_KEY,
  containerPort,
  DNS_LABEL,
  DNS_SUBDOMAIN,
  envFromSource,
  envVar,
  freeForm,
  IMAGE,
  imagePullPolicy,
  isLabelValue,
  LABEL_VALUE,
  MAX_INT32,
  MAX_LABEL_VALUE,
  objectName,
  podEnvVar,
  RELAXED_ENV_NAME,
  resourceRequirements,
  securityContext,
  stringMap,
  userSecurityContext,
  toleration,
  volumeMount,
} from './k8s.js';
import { fastRecord } from './record.js';

export const GROUP = 'asya.sh';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'AsyncActor';
export const PLURAL = 'asyncactors';
export const SINGULAR = 'asyncactor';
export const SHORT_NAMES = ['aa', 'actor'] as const;

/** `asya-state-proxy-` (17) + name must fit a 63-character container name. */
export const CONNECTOR_PREFIX = 'asya-state-proxy-';
export const MAX_MOUNT_NAME = 63 - CONNECTOR_PREFIX.length;
/** Bounds keep the generated CEL rules within the API server's cost budget. */
export const MAX_MOUNTS = 32;
export const MAX_MOUNT_PATH = 256;
/** Upper bounds for the other lists and names the CEL rules iterate over (generous on purpose). */
export const MAX_ENV = 256;
export const MAX_ENV_NAME = 253;
export const MAX_SECRET_REFS = 64;
export const MAX_SECRET_KEYS = 128;
export const MAX_VOLUMES = 128;
export const MAX_USER_CONTAINERS = 64;
/** Runtime volume mounts and their paths: bounded for the CEL rule that compares them with mount paths. */
export const MAX_VOLUME_MOUNTS = 64;
export const MAX_VOLUME_MOUNT_PATH = 1024;

/**
 * One path segment: any run of allowed characters except `.` and `..`. Written without
 * look-arounds because Kubernetes evaluates `pattern` with RE2.
 */
const SEGMENT_CHAR = String.raw`[^/\p{Cc}\p{Cf}\p{Z}:;"\\]`;
const SEGMENT = String.raw`(?:[^/.\p{Cc}\p{Cf}\p{Z}:;"\\]|\.[^/.\p{Cc}\p{Cf}\p{Z}:;"\\]|\.\.${SEGMENT_CHAR})${SEGMENT_CHAR}*`;
/** Absolute, normalised, not `/`, no `: ; " \`, whitespace or control characters. */
export const MOUNT_PATH_PATTERN = `^(?:/${SEGMENT})+$`;

export const writeMode = z.enum(['buffered', 'passthrough']);
export type WriteMode = z.infer<typeof writeMode>;

export const sidecarMode = z.enum(['native', 'containers']);
export type SidecarMode = z.infer<typeof sidecarMode>;

/** An image reference as the API server takes it: not empty, no leading or trailing whitespace. */
const image = () => z.string().min(1).max(512).regex(new RegExp(IMAGE));

export const connector = z.strictObject({
  image: image(),
  imagePullPolicy: imagePullPolicy.optional(),
  env: z
    .array(envVar)
    .max(64)
    .meta({
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      ...validations(CONNECTOR_ENV_RULES),
    })
    .optional(),
  envFrom: z.array(envFromSource).max(16).optional(),
  resources: resourceRequirements.optional(),
  securityContext: securityContext.optional(),
}).meta(validations(CONNECTOR_RULES));

export const stateProxyEntry = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(MAX_MOUNT_NAME)
    .regex(new RegExp(DNS_LABEL))
    .describe('Unique mount identifier; names the connector container and its socket.'),
  mount: z.strictObject({
    // The precise path rules (with field-specific messages) are in rules.ts; the pattern is
    // emitted into the generated schemas for admission and editors.
    path: z
      .string()
      .min(1)
      .max(MAX_MOUNT_PATH)
      .meta({ pattern: MOUNT_PATH_PATTERN, ...validations(MOUNT_PATH_RULES) })
      .describe('Absolute, normalised path in the runtime container, for example /state/weights.'),
    writeMode: writeMode
      .optional()
      .describe('Accepted here because the user guide shows it here; same as the entry-level writeMode.'),
    guard: z
      .boolean()
      .optional()
      .describe(
        'Mount a read-only empty directory at the path on the runtime container, so that writes bypassing the runtime hooks (C extensions, os.open, os.rename) fail with EROFS instead of being lost. Defaults to the function input mountGuard (true).',
      ),
  }),
  writeMode: writeMode.optional().describe('buffered (default) or passthrough.'),
  connector,
}).meta(validations(STATE_PROXY_ENTRY_RULES));

export const MAX_TOLERATIONS = 64;
export const MAX_PORTS = 64;

/**
 * A name the pod uses as is (user init container, sidecar, volume). The DNS-label rule (with its
 * message) is `user-name-dns-label` in rules.ts; the pattern is emitted for admission and editors
 * through `.meta()`, so that `validate` reports the rule rather than a bare pattern mismatch.
 */
const podName = () => z.string().min(1).max(63).meta({ pattern: DNS_LABEL });

/**
 * A container probe's counters as the API server checks them (ValidateNonnegativeField on each,
 * after defaulting turns 0 into 1, 10, 1 and 3), int32 like every Kubernetes count, and
 * `terminationGracePeriodSeconds` greater than 0. A liveness or startup probe must have
 * `successThreshold` 1 (0 is defaulted to 1). The handler and anything else pass through.
 */
const probeCount = () => z.number().int().min(0).max(MAX_INT32).optional();
const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;
const probeHandlerMessage = (field: string) =>
  `${field} needs exactly one handler: exec, httpGet, tcpSocket or grpc (the API server refuses a probe with none, "must specify a handler type", or with more than one)`;
const probe = (field: 'initContainers' | 'sidecars', kind: 'liveness' | 'readiness' | 'startup') =>
  z
    .looseObject({
      // Declared so that CEL can see them (unknown fields are invisible to CEL).
      exec: freeForm().optional(),
      httpGet: freeForm().optional(),
      tcpSocket: freeForm().optional(),
      grpc: freeForm().optional(),
      initialDelaySeconds: probeCount(),
      timeoutSeconds: probeCount(),
      periodSeconds: probeCount(),
      successThreshold:
        kind === 'readiness'
          ? probeCount()
          : z
              .number()
              .int()
              .min(0)
              .max(1, { error: (iss) => `${String(iss.input)} is not allowed: a ${kind} probe's successThreshold must be 1 (0 is defaulted to 1)` })
              .optional(),
      failureThreshold: probeCount(),
      terminationGracePeriodSeconds: z.number().int().min(1).optional(),
    })
    .meta({
      'x-kubernetes-preserve-unknown-fields': true,
      ...validations([
        {
          rule: `[${PROBE_HANDLERS.map((h) => `has(self.${h})`).join(', ')}].filter(x, x).size() == 1`,
          // The API server's message names the field; the zod one gets the path from the issue.
          message: probeHandlerMessage(`spec.${field}[].${kind}Probe`),
        },
      ]),
    })
    .superRefine((p, ctx) => {
      const handlers = PROBE_HANDLERS.filter((h) => p[h] !== undefined);
      if (handlers.length !== 1) ctx.addIssue({ code: 'custom', message: probeHandlerMessage(`${kind}Probe`), path: [], params: { rule: 'probe-handler' } });
    });

const LIFECYCLE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'sleep'] as const;
const hookHandlerMessage = (field: string) =>
  `${field} needs exactly one handler: exec, httpGet, tcpSocket or sleep (the API server refuses a hook with none, "must specify a handler type", or with more than one)`;
/** A postStart or preStop hook (validateLifecycleHandler): exactly one handler. */
const lifecycleHandler = (field: 'initContainers' | 'sidecars', hook: 'postStart' | 'preStop') =>
  z
    .looseObject({ exec: freeForm().optional(), httpGet: freeForm().optional(), tcpSocket: freeForm().optional(), sleep: freeForm().optional() })
    .meta({
      'x-kubernetes-preserve-unknown-fields': true,
      ...validations([
        {
          rule: `[${LIFECYCLE_HANDLERS.map((h) => `has(self.${h})`).join(', ')}].filter(x, x).size() == 1`,
          message: hookHandlerMessage(`spec.${field}[].lifecycle.${hook}`),
        },
      ]),
    })
    .superRefine((p, ctx) => {
      const handlers = LIFECYCLE_HANDLERS.filter((h) => p[h] !== undefined);
      if (handlers.length !== 1) ctx.addIssue({ code: 'custom', message: hookHandlerMessage(hook), path: [], params: { rule: 'lifecycle-handler' } });
    });
const lifecycle = (field: 'initContainers' | 'sidecars') =>
  z
    .looseObject({ postStart: lifecycleHandler(field, 'postStart').optional(), preStop: lifecycleHandler(field, 'preStop').optional() })
    .meta({ 'x-kubernetes-preserve-unknown-fields': true });

/**
 * A user container: the fields the API server checks on their own are modelled (name, image,
 * pull policy, ports, env, envFrom, resources, volume mounts); the rest is passed to the pod
 * untouched. Cross-field checks (mounts naming a volume, resource names, requests <= limits,
 * port names, privilege) are in rules.ts.
 */
const userContainer = (field: 'initContainers' | 'sidecars') =>
  z
    .looseObject({
      name: podName(),
      image: image(),
      imagePullPolicy: imagePullPolicy.optional(),
      ports: z.array(containerPort).max(MAX_PORTS).optional(),
      env: z.array(podEnvVar(`spec.${field}[].env[]`)).max(MAX_ENV).optional(),
      envFrom: z.array(envFromSource).max(16).optional(),
      resources: resourceRequirements.optional(),
      volumeMounts: z.array(volumeMount(`spec.${field}[].volumeMounts[]`)).max(MAX_VOLUME_MOUNTS).optional(),
      securityContext: userSecurityContext(field).optional(),
      livenessProbe: probe(field, 'liveness').optional(),
      readinessProbe: probe(field, 'readiness').optional(),
      startupProbe: probe(field, 'startup').optional(),
      lifecycle: lifecycle(field).optional(),
      terminationMessagePolicy: z.enum(['File', 'FallbackToLogsOnError']).optional(),
    })
    .meta({ 'x-kubernetes-preserve-unknown-fields': true });
const userContainers = (field: 'initContainers' | 'sidecars') =>
  z.array(userContainer(field)).max(MAX_USER_CONTAINERS).meta(validations(userContainerRules(field)));

const scaling = z.strictObject({
  enabled: z.boolean().default(true),
  minReplicaCount: z.number().int().min(0).default(0),
  maxReplicaCount: z.number().int().min(1).default(10),
  pollingInterval: z.number().int().min(1).default(30),
  cooldownPeriod: z.number().int().min(0).default(300),
  queueLength: z.number().int().min(1).default(5),
  advanced: z
    .strictObject({
      restoreToOriginalReplicaCount: z.boolean().optional(),
      formula: z.string().optional(),
      target: z.string().optional(),
      activationTarget: z.string().optional(),
      metricType: z.enum(['AverageValue', 'Value', 'Utilization']).optional(),
    })
    .meta({
      'x-kubernetes-validations': [
        { rule: '!has(self.formula) || has(self.target)', message: 'scaling.advanced.formula requires target', fieldPath: '.target' },
      ],
    })
    .refine((a) => a.formula === undefined || a.target !== undefined, {
      message: 'scaling.advanced.formula requires target',
      path: ['target'],
    })
    .optional(),
  additionalTriggers: z.array(freeForm()).optional(),
});

const resiliencyPolicy = z
  .looseObject({
    maxAttempts: z.number().int().min(1).optional(),
    backoff: z.enum(['constant', 'linear', 'exponential']).optional(),
  })
  .meta({ 'x-kubernetes-preserve-unknown-fields': true });

const resiliency = z
  .looseObject({
    policies: z.record(z.string(), resiliencyPolicy).optional(),
    rules: z
      .array(
        z
          .looseObject({ errors: z.array(z.string()).min(1), policy: z.string().optional() })
          .meta({ 'x-kubernetes-preserve-unknown-fields': true }),
      )
      .optional(),
    actorTimeout: z.string().optional(),
  })
  .meta({ 'x-kubernetes-preserve-unknown-fields': true });

const queueSidecar = z.strictObject({
  image: z
    .strictObject({
      repository: z.string().optional(),
      tag: z.string().optional(),
      pullPolicy: imagePullPolicy.optional(),
    })
    .optional(),
  env: z.array(z.strictObject({ name: z.string().min(1), value: z.string() })).optional(),
  resources: freeForm().optional(),
});

const secretRef = z.strictObject({
  secretName: objectName(),
  keys: z
    .array(
      z.strictObject({
        key: z.string().min(1).max(253).regex(new RegExp(CONFIG_MAP_KEY)),
        envVar: z.string().min(1).max(MAX_ENV_NAME).regex(new RegExp(RELAXED_ENV_NAME)),
      }),
    )
    .min(1)
    .max(MAX_SECRET_KEYS),
});

export const asyncActorSpec = z.strictObject({
  actor: z
    .string()
    .min(1)
    .max(63)
    .regex(new RegExp(DNS_LABEL))
    .optional()
    .describe('Actor name (Deployment name, queue name). Defaults to metadata.name.'),
  flavors: z.array(z.string().min(3)).max(8).optional(),
  image: z.string().min(1).regex(new RegExp(IMAGE)),
  imagePullPolicy: imagePullPolicy.default('IfNotPresent'),
  // The format rules (with field-specific messages) are handler-format and python-executable in
  // rules.ts; pattern and maxLength go through `.meta()` (not `.regex()`/`.max()`) so that zod
  // leaves them to those rules, and are emitted for admission and editors with the CEL rules.
  handler: z
    .string()
    .min(1)
    .meta({ pattern: HANDLER_PATTERN, maxLength: MAX_HANDLER, ...validations(HANDLER_RULES) })
    .describe('Handler as module.attr[.attr].'),
  pythonExecutable: z
    .string()
    .min(1)
    .meta({ pattern: PYTHON_EXECUTABLE_PATTERN, maxLength: MAX_PYTHON_EXECUTABLE, ...validations(PYTHON_EXECUTABLE_RULES) })
    .default('python3')
    .describe('Executable name (python3) or absolute path (/opt/venv/bin/python) of the runtime interpreter.'),
  replicas: z.number().int().min(1).max(MAX_INT32).default(1).describe('Used only when scaling is disabled.'),
  env: z.array(podEnvVar('spec.env[]')).max(MAX_ENV).meta(validations(RUNTIME_ENV_RULES)).optional(),
  resources: resourceRequirements.optional(),
  // Keys are label keys too; a schema cannot constrain map keys, so rules.ts checks them.
  nodeSelector: fastRecord(z.string().max(MAX_LABEL_VALUE).regex(new RegExp(LABEL_VALUE)), isLabelValue).optional(),
  tolerations: z.array(toleration).max(MAX_TOLERATIONS).optional(),
  volumes: z
    .array(z.looseObject({ name: podName() }).meta({ 'x-kubernetes-preserve-unknown-fields': true }))
    .max(MAX_VOLUMES)
    .meta(validations(VOLUMES_RULES))
    .optional(),
  volumeMounts: z.array(volumeMount('spec.volumeMounts[]')).max(MAX_VOLUME_MOUNTS).optional(),
  initContainers: userContainers('initContainers').optional(),
  sidecars: userContainers('sidecars').optional(),
  scaling: scaling.prefault({}),
  resiliency: resiliency.optional(),
  sidecar: queueSidecar.optional(),
  tracing: z.strictObject({ endpoint: z.string().optional(), protocol: z.string().optional() }).optional(),
  secretRefs: z.array(secretRef).max(MAX_SECRET_REFS).meta(validations(SECRET_REFS_RULES)).optional(),
  stateProxy: z
    .array(stateProxyEntry)
    .max(MAX_MOUNTS)
    .meta({
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      ...validations(STATE_PROXY_LIST_RULES),
    })
    .optional(),
  serviceAccountName: z
    .string()
    .min(1)
    .max(253)
    .regex(new RegExp(DNS_SUBDOMAIN), { message: 'serviceAccountName must be a DNS-1123 subdomain: lower-case letters, digits, "-" and ".", starting and ending with a letter or digit' })
    .optional()
    .describe('An existing ServiceAccount the actor pod runs as (workload identity); then none is composed.'),
  stateProxySidecarMode: sidecarMode
    .optional()
    .describe('Overrides the function input: native (init containers with restartPolicy Always) or containers.'),
  /** Crossplane v2 machinery; the XRD generator leaves it out because Crossplane injects it. */
  crossplane: freeForm().optional(),
}).meta(validations(SPEC_RULES));

/** Keys that belong to Crossplane, never rendered, never declared in the XRD. */
export const CROSSPLANE_MANAGED_SPEC_KEYS = ['crossplane'] as const;

export const asyncActorStatus = z.looseObject({
  actor: z.string().optional().describe('Resolved actor name.'),
  mounts: z.string().optional().describe('Mount names, comma separated (printer column).'),
  stateProxy: z
    .strictObject({
      mounts: z
        .array(
          z.strictObject({
            name: z.string(),
            path: z.string(),
            writeMode,
            container: z.string(),
            guarded: z.boolean().optional().describe('A read-only guard volume is mounted at the path on the runtime container.'),
          }),
        )
        .optional(),
      sidecarMode: sidecarMode.optional(),
      ready: z.boolean().optional().describe('The actor Deployment is available with all replicas updated.'),
    })
    .optional(),
  serviceAccount: z
    .strictObject({
      name: z.string(),
      source: z.enum(['composed', 'shared', 'actor', 'earlier-step']),
    })
    .optional()
    .describe('The ServiceAccount the actor pod runs as, and who provides it.'),
  phase: z.string().optional(),
  queueUrl: z.string().optional(),
  queueIdentifier: z.string().optional(),
  infrastructure: freeForm().optional(),
});

export const objectMeta = z.looseObject({
  // 63, not 253: Crossplane caps an XR's name at 63 because it is used as a label value.
  name: z.string().min(1).max(63),
  namespace: z.string().optional(),
  labels: stringMap().optional(),
  annotations: stringMap().optional(),
});

export const asyncActorDocument = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(KIND),
  metadata: objectMeta,
  spec: asyncActorSpec,
  // Status belongs to Crossplane and this function; an observed XR's status is never a reason to
  // refuse it. Its declared shape (for the XRD) is asyncActorStatus.
  status: freeForm().optional(),
}).meta(validations(ROOT_RULES));

export type AsyncActorInput = z.input<typeof asyncActorDocument>;
export type AsyncActor = z.output<typeof asyncActorDocument>;
export type AsyncActorSpec = z.output<typeof asyncActorSpec>;
export type StateProxyEntry = z.output<typeof stateProxyEntry>;
export type Connector = z.output<typeof connector>;
export type AsyncActorStatus = z.output<typeof asyncActorStatus>;
