/**
 * Kubernetes core types the AsyncActor schema embeds, written as strict zod schemas so that a
 * typo inside a state proxy entry is an error instead of being pruned by the API server.
 *
 * Only what a connector container may carry is modelled strictly; upstream free-form fields
 * (volumes, tolerations, sidecars, ...) use `freeForm` and are passed through untouched.
 */
import { z } from 'zod';

/** An object Kubernetes keeps as-is (`x-kubernetes-preserve-unknown-fields`). */
export const freeForm = () =>
  z.record(z.string(), z.unknown()).meta({ 'x-kubernetes-preserve-unknown-fields': true });

export const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** RFC 1123 subdomain (ServiceAccount and most object names); at most 253 characters. */
export const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

/** Same grammar as `resource.Quantity` in apimachinery. */
export const QUANTITY =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

/** Environment variable names Kubernetes accepts everywhere (C identifier plus `-` and `.`). */
export const ENV_NAME = '^[-._a-zA-Z][-._a-zA-Z0-9]*$';

export const quantity = z
  .union([z.string().regex(new RegExp(QUANTITY)), z.number()])
  .meta({ 'x-kubernetes-int-or-string': true });

export const imagePullPolicy = z.enum(['Always', 'IfNotPresent', 'Never']);

const keyRef = z.strictObject({
  name: z.string().max(253).optional(),
  key: z.string().min(1).max(253),
  optional: z.boolean().optional(),
});

export const envVarSource = z
  .strictObject({
    secretKeyRef: keyRef.optional(),
    configMapKeyRef: keyRef.optional(),
    fieldRef: z
      .strictObject({ apiVersion: z.string().optional(), fieldPath: z.string().min(1) })
      .optional(),
    resourceFieldRef: z
      .strictObject({
        containerName: z.string().optional(),
        resource: z.string().min(1),
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

const sourceRef = z.strictObject({ name: z.string().min(1).max(253), optional: z.boolean().optional() });

export const envFromSource = z
  .strictObject({
    prefix: z.string().max(253).optional(),
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
  limits: z.record(z.string(), quantity).optional(),
  requests: z.record(z.string(), quantity).optional(),
  claims: z
    .array(z.strictObject({ name: z.string().min(1), request: z.string().optional() }))
    .max(16)
    .optional(),
});

const profile = z.strictObject({
  type: z.enum(['RuntimeDefault', 'Localhost', 'Unconfined']),
  localhostProfile: z.string().optional(),
});

export const securityContext = z.strictObject({
  allowPrivilegeEscalation: z.boolean().optional(),
  capabilities: z
    .strictObject({
      add: z.array(z.string()).max(64).optional(),
      drop: z.array(z.string()).max(64).optional(),
    })
    .optional(),
  privileged: z.boolean().optional(),
  procMount: z.enum(['Default', 'Unmasked']).optional(),
  readOnlyRootFilesystem: z.boolean().optional(),
  runAsGroup: z.number().int().min(0).optional(),
  runAsNonRoot: z.boolean().optional(),
  runAsUser: z.number().int().min(0).optional(),
  seLinuxOptions: z
    .strictObject({
      level: z.string().optional(),
      role: z.string().optional(),
      type: z.string().optional(),
      user: z.string().optional(),
    })
    .optional(),
  seccompProfile: profile.optional(),
  appArmorProfile: profile.optional(),
});

export type EnvVar = z.infer<typeof envVar>;
export type EnvFromSource = z.infer<typeof envFromSource>;
export type ResourceRequirements = z.infer<typeof resourceRequirements>;
export type SecurityContext = z.infer<typeof securityContext>;
