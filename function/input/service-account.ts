/**
 * Step input `serviceAccount`: the actor's pod identity for workload identity (issue 17). Off
 * unless `enabled`. Names, annotations and labels may use the placeholders `{namespace}` and
 * `{actor}`; what can be checked without an actor is checked here (placeholders known, one
 * ServiceAccount per actor, no settings that would be silently ignored), the substituted strings
 * per actor in render/service-account.ts, since only then are they what the API server sees.
 */
import { z } from 'zod';

export const PLACEHOLDERS = ['namespace', 'actor'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/** Every `{...}` in a string that is not a known placeholder. */
export function unknownPlaceholders(text: string): string[] {
  return [...text.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] ?? '').filter((p) => !(PLACEHOLDERS as readonly string[]).includes(p));
}

const templated = z.record(z.string(), z.string());

const fields = z.strictObject({
  enabled: z.boolean().default(false),
  /** Key of the composed ServiceAccount among the desired resources. */
  resourceKey: z.string().min(1).max(253).default('serviceaccount'),
  /** Must contain `{actor}`: one ServiceAccount per actor, so deleting one actor never deletes another's. */
  namePattern: z.string().min(1).max(253).default('{actor}'),
  annotations: templated.optional(),
  labels: templated.optional(),
  /** Set on the composed ServiceAccount; under the restricted profile it defaults to false. */
  automountServiceAccountToken: z.boolean().optional(),
  /** Pod template labels a provider's webhook needs (`azure.workload.identity/use: "true"`). */
  podLabels: templated.optional(),
  /** A ServiceAccount the platform manages itself: referenced by the pod, never composed. */
  shared: z.strictObject({ name: z.string().min(1).max(253) }).optional(),
  /** Augment mode: replace the serviceAccountName an earlier step's Deployment already has. */
  replaceExisting: z.boolean().default(false),
  /**
   * The cloud binds the ServiceAccount to an identity outside Kubernetes (an EKS Pod Identity
   * association, a GKE Workload Identity Federation principal binding), so no annotation shows
   * it; counts as an identity for the missing-credentials warning.
   */
  boundOutsideKubernetes: z.boolean().default(false),
});

export type ServiceAccountInput = z.output<typeof fields>;

/** Settings that only exist on a composed ServiceAccount; with `shared` nothing is composed. */
const COMPOSED_ONLY = ['namePattern', 'annotations', 'labels', 'automountServiceAccountToken'] as const;

export const serviceAccountInput = fields.superRefine((sa, ctx) => {
  const strings: Array<{ path: (string | number)[]; text: string }> = [
    { path: ['namePattern'], text: sa.namePattern },
    ...(sa.shared === undefined ? [] : [{ path: ['shared', 'name'], text: sa.shared.name }]),
    ...(['annotations', 'labels', 'podLabels'] as const).flatMap((field) =>
      Object.entries(sa[field] ?? {}).flatMap(([k, v]) => [
        { path: [field, k], text: k },
        { path: [field, k], text: v },
      ]),
    ),
  ];
  for (const { path, text } of strings) {
    for (const p of unknownPlaceholders(text)) {
      ctx.addIssue({ code: 'custom', path, message: `unknown placeholder {${p}}; only {namespace} and {actor} are substituted` });
    }
  }
  if (sa.shared === undefined) {
    if (!sa.namePattern.includes('{actor}')) {
      ctx.addIssue({
        code: 'custom',
        path: ['namePattern'],
        message: `namePattern ${JSON.stringify(sa.namePattern)} has no {actor}, so every actor would compose the same ServiceAccount and deleting one actor would delete it for all; include {actor}, or set shared.name for a ServiceAccount the platform manages itself`,
      });
    }
  } else {
    const raw = sa as Record<string, unknown>;
    for (const field of COMPOSED_ONLY) {
      // namePattern has a default; only an explicit one that differs from it is a contradiction.
      const given = field === 'namePattern' ? sa.namePattern !== '{actor}' : raw[field] !== undefined;
      if (given) {
        ctx.addIssue({ code: 'custom', path: [field], message: `${field} applies to a composed ServiceAccount, but with shared the platform manages the ServiceAccount and none is composed; set it on the shared ServiceAccount instead` });
      }
    }
  }
});
