/**
 * The state proxy for a Deployment wrapped in a provider-kubernetes `Object`, the form upstream
 * Asya renders with function-go-templating (`contract.md` §4): the Deployment sits at
 * `spec.forProvider.manifest` and provider-kubernetes applies it. Only the manifest's pod template
 * changes; the wrapper (its metadata, providerConfigRef, readiness policy, references, watch,
 * management policies, ...) is returned exactly as the earlier step wrote it.
 *
 * Supported wrappers, all with the same `spec.forProvider.manifest` / `status.atProvider.manifest`
 * layout (crossplane-contrib/provider-kubernetes, apis/):
 * - `kubernetes.crossplane.io/v1alpha2` Object: cluster-scoped, the storage version and what
 *   upstream's templates emit;
 * - `kubernetes.crossplane.io/v1alpha1` Object: the same resource's older, deprecated but still
 *   served version;
 * - `kubernetes.m.crossplane.io/v1alpha1` Object: the namespaced Object of provider-kubernetes for
 *   Crossplane v2, the one a namespaced XR (such as our v2 AsyncActor) can compose.
 */
import type { StepInput } from '../input/schema.js';
import type { AsyncActor } from '../schema/async-actor.js';
import type { FieldIssue, PathSegment, Result } from '../schema/issues.js';
import { augmentDeployment, desiredPath } from './deployment.js';
import { type Json, isObject, withKey } from './objects.js';

export const OBJECT_KIND = 'Object';
export const OBJECT_API_VERSIONS = [
  'kubernetes.crossplane.io/v1alpha2',
  'kubernetes.crossplane.io/v1alpha1',
  'kubernetes.m.crossplane.io/v1alpha1',
] as const;

/** A provider-kubernetes Object of a version whose layout we know; says nothing about its manifest. */
export function isKubernetesObject(resource: unknown): resource is Json {
  return (
    isObject(resource) &&
    resource['kind'] === OBJECT_KIND &&
    (OBJECT_API_VERSIONS as readonly unknown[]).includes(resource['apiVersion'])
  );
}

const MANIFEST: readonly PathSegment[] = ['spec', 'forProvider', 'manifest'];

/** Where `rest` is inside the wrapped manifest, from the request's root. */
export const manifestPath = (input: StepInput, ...rest: PathSegment[]): PathSegment[] => desiredPath(input, ...MANIFEST, ...rest);

/** augmentDeployment reports paths into a Deployment at the desired resource's root; inside an Object that Deployment is the manifest. */
function reanchor(issue: FieldIssue, input: StepInput): FieldIssue {
  const root = desiredPath(input);
  const under = root.every((segment, i) => issue.path[i] === segment);
  return under ? { ...issue, path: [...root, ...MANIFEST, ...issue.path.slice(root.length)] } : issue;
}

/**
 * The runtime container, checked here rather than left to applyStateProxy (which pins the problem
 * on the input field alone) so that the FATAL says both where it looked and what to change.
 */
function missingRuntime(manifest: Json, input: StepInput): FieldIssue | undefined {
  const spec = manifest['spec'];
  const template = isObject(spec) ? spec['template'] : undefined;
  const podSpec = isObject(template) ? template['spec'] : undefined;
  const containers = isObject(podSpec) ? podSpec['containers'] : undefined;
  if (!Array.isArray(containers)) return undefined; // augmentDeployment reports the shape
  if (containers.some((c) => isObject(c) && c['name'] === input.runtimeContainerName)) return undefined;
  const names = containers.map((c) => JSON.stringify(isObject(c) ? c['name'] : c)).join(', ') || 'none';
  return {
    path: manifestPath(input, 'spec', 'template', 'spec', 'containers'),
    rule: 'runtime-container-missing',
    message: `no container named ${JSON.stringify(input.runtimeContainerName)} (input.runtimeContainerName) to wire the state proxy into (containers: ${names})`,
  };
}

/**
 * Adds the state proxy to the Deployment inside a provider-kubernetes Object. Refuses (with the
 * path) an Object without a manifest, or whose manifest is not an apps/v1 Deployment: the function
 * owns the actor pod, and silently passing another kind through would drop the state proxy.
 * Replacing state-proxy pieces an earlier step rendered (upstream's connectors as ordinary
 * containers, the socket volume, the mounts variable) and dropping connectors of removed mounts is
 * applyStateProxy's job, shared with the unwrapped form.
 */
export function augmentObject(existing: Json, actor: AsyncActor, input: StepInput): Result<Json> {
  const spec = existing['spec'];
  const forProvider = isObject(spec) ? spec['forProvider'] : undefined;
  const manifest = isObject(forProvider) ? forProvider['manifest'] : undefined;
  if (!isObject(spec) || !isObject(forProvider) || !isObject(manifest)) {
    return {
      ok: false,
      issues: [{ path: manifestPath(input), rule: 'wrapped-manifest-missing', message: `the ${String(existing['apiVersion'])} Object has no manifest object` }],
    };
  }
  if (manifest['apiVersion'] !== 'apps/v1' || manifest['kind'] !== 'Deployment') {
    const found = `${String(manifest['apiVersion'] ?? '(no apiVersion)')} ${String(manifest['kind'] ?? '(no kind)')}`;
    return {
      ok: false,
      issues: [
        {
          path: manifestPath(input, 'kind'),
          rule: 'wrapped-manifest-kind',
          message: `the Object wraps a ${found}, not an apps/v1 Deployment; point input.resourceKey at the Object that wraps the actor Deployment`,
        },
      ],
    };
  }
  const runtime = missingRuntime(manifest, input);
  if (runtime !== undefined) return { ok: false, issues: [runtime] };
  const augmented = augmentDeployment(manifest, actor, input);
  if (!augmented.ok) return { ok: false, issues: augmented.issues.map((i) => reanchor(i, input)) };
  const newForProvider = withKey(forProvider, 'manifest', augmented.value);
  const newSpec = withKey(spec, 'forProvider', newForProvider);
  return { ok: true, value: withKey(existing, 'spec', newSpec) };
}

