/**
 * Step input `podReferences` and `runtimeScript` (issue 18): what the function checks the pod
 * references in the actor's namespace, and where it copies the runtime script from.
 *
 * Secrets are off by default: to check a Secret, Crossplane reads it and sends its data to the
 * function on every reconcile, which a platform may not want for credentials.
 */
import { z } from 'zod';

/** A DNS subdomain (ConfigMap names) or label (namespaces), checked as the API server does. */
const dnsSubdomain = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, 'must be a DNS subdomain: lower-case letters, digits, "-" and ".", starting and ending with a letter or digit');
const dnsLabel = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label: lower-case letters, digits and "-", starting and ending with a letter or digit');

export const podReferencesInput = z.strictObject({
  /** Require the ConfigMaps and ServiceAccount the pod references and report PodReferencesResolved. */
  check: z.boolean().default(true),
  /** Also the Secrets; Crossplane then sends their data to the function (off by default). */
  checkSecrets: z.boolean().default(false),
});

export const runtimeScriptInput = z.strictObject({
  /** The ConfigMap the platform installs once; each actor gets its own copy in its namespace. */
  copyFrom: z.strictObject({ namespace: dnsLabel, name: dnsSubdomain }),
  /** Key of the composed copy among the desired resources. */
  resourceKey: z.string().min(1).max(253).default('runtime-script'),
});

export type PodReferencesInput = z.output<typeof podReferencesInput>;
export type RuntimeScriptInput = z.output<typeof runtimeScriptInput>;
