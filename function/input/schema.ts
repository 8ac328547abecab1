/**
 * The step input: what a platform team sets once per Composition. Every field is optional; an
 * absent input means the defaults below. The CRD under package/input/ is generated from this.
 */
import { z } from 'zod';
import { sidecarMode } from '../schema/async-actor.js';
import { envFromSource, envVar, imagePullPolicy, resourceRequirements } from '../schema/k8s.js';
import type { FieldIssue, Result } from '../schema/issues.js';
import { serviceAccountInput } from './service-account.js';
import { podReferencesInput, runtimeScriptInput } from './pod-references.js';
import { fromZodIssues } from '../schema/validate.js';
import { parsePolicyEntry } from '../render/image-policy.js';
import { zodMessage } from '../schema/messages.js';
import { firstParseInterpreted } from '../schema/parse-context.js';

export const INPUT_GROUP = 'stateproxy.fn.asya.sh';
export const INPUT_VERSION = 'v1alpha1';
export const INPUT_API_VERSION = `${INPUT_GROUP}/${INPUT_VERSION}`;
export const INPUT_KIND = 'Input';

export const securityProfile = z.enum(['default', 'restricted']);
export type SecurityProfile = z.infer<typeof securityProfile>;

const queueSidecarInput = z.strictObject({
  image: z.string().min(1),
  imagePullPolicy: imagePullPolicy.optional(),
  // Bounded so the generated CRD stays within the API server's CEL cost budget.
  env: z.array(envVar).max(64).optional(),
  envFrom: z.array(envFromSource).max(16).optional(),
  resources: resourceRequirements.optional(),
});

export const stepInput = z.strictObject({
  // Not checked, as Crossplane's Go SDK does not check them either: the Composition decides which
  // function gets this input. INPUT_API_VERSION and INPUT_KIND are what the CRD declares.
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: z.looseObject({}).optional(),
  /** Key of the Deployment in the desired composed resources. */
  resourceKey: z.string().min(1).max(253).default('deployment'),
  runtimeContainerName: z.string().min(1).max(63).default('asya-runtime'),
  /** native: connectors as init containers with restartPolicy Always (Kubernetes >= 1.29). */
  sidecarMode: sidecarMode.default('native'),
  securityProfile: securityProfile.default('default'),
  /** The one non-root user the runtime and connectors share under the restricted profile. */
  runAsUser: z.number().int().min(1).default(1000),
  runAsGroup: z.number().int().min(1).default(1000),
  /**
   * A read-only emptyDir at every mount path on the runtime container, so writes that bypass the
   * runtime's hooks fail with EROFS instead of landing on the container disk. A mount's
   * `mount.guard` overrides it.
   */
  mountGuard: z.boolean().default(true),
  /** Applied to connectors whose mount sets no resources. */
  defaultConnectorResources: resourceRequirements.optional(),
  /** Connector startup probe: checked every second until the socket exists. */
  startupProbeFailureThreshold: z.number().int().min(1).max(600).default(60),
  /** The queue sidecar; rendered only when configured, since its transport is platform-owned. */
  sidecar: queueSidecarInput.optional(),
  /** Image prefixes connectors may use; absent or empty allows any image. */
  allowedConnectorImages: z.array(z.string().min(1).max(512)).max(64).optional(),
  /** A per-actor ServiceAccount for workload identity; absent means the pod keeps the namespace default. */
  serviceAccount: serviceAccountInput.optional(),
  /** Which objects the pod references are checked in the actor's namespace (docs/pod-references.md). */
  podReferences: podReferencesInput.default({ check: true, checkSecrets: false }),
  /** Copy the runtime script ConfigMap into each actor's namespace; absent mounts `asya-runtime` as upstream. */
  runtimeScript: runtimeScriptInput.optional(),
});

export type StepInput = z.output<typeof stepInput>;

export const DEFAULT_INPUT: StepInput = stepInput.parse({});

const parseContext = firstParseInterpreted(zodMessage);

export function parseStepInput(raw: unknown): Result<StepInput> {
  const parsed = stepInput.safeParse(raw ?? {}, parseContext());
  if (parsed.success) {
    // A bad allow-list entry is wrong input whatever the actor: checked here, not only when a
    // mount's image is compared against it (an actor without mounts would never reach that).
    const entries = policyEntryIssues(parsed.data.allowedConnectorImages ?? []);
    return entries.length === 0 ? { ok: true, value: parsed.data } : { ok: false, issues: entries };
  }
  const issues: FieldIssue[] = fromZodIssues(parsed.error.issues, ['input']);
  return { ok: false, issues };
}

function policyEntryIssues(entries: readonly string[]): FieldIssue[] {
  return entries.flatMap((entry, k) => {
    const parsed = parsePolicyEntry(entry);
    return 'invalid' in parsed
      ? [{ path: ['input', 'allowedConnectorImages', k], rule: 'connector-image-policy-entry', message: `${JSON.stringify(entry)} ${parsed.invalid}` }]
      : [];
  });
}
