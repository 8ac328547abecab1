/**
 * Issue 18 in one decision: what to ask Crossplane for, whether the actor gets its runtime
 * script copy, and the `PodReferencesResolved` condition. Pure: the handler passes the parts of
 * the request it reads (capabilities, required resources, the observed copy) as plain data.
 *
 * Capabilities (Crossplane >= 2.2 advertises them in `meta.capabilities`):
 * - REQUIRED_RESOURCES advertised: ask and check;
 * - advertised without it: render as today and say so once (a NORMAL result);
 * - nothing advertised (Crossplane before 2.2, or a hand-built request such as the offline CLI's
 *   and the benchmarks'): render as today, ask nothing and say nothing, except that an explicit
 *   `runtimeScript.copyFrom` that cannot be honoured gets one NORMAL result. Such a Crossplane
 *   may or may not read `requirements.resources` (1.x reads only `extraResources`), and asking
 *   would change the response for every old control plane; the output stays byte-identical.
 * - CONDITIONS missing: the WARNING result still carries every missing name.
 */
import type { StepInput } from '../input/schema.js';
import type { AsyncActor } from '../schema/async-actor.js';
import type { FieldIssue } from '../schema/issues.js';
import { RUNTIME_SCRIPT_CONFIGMAP, RUNTIME_SCRIPT_FILE } from './constants.js';
import type { Json } from './objects.js';
import {
  describeProblem,
  evaluate,
  type Fetched,
  fetched,
  type PodReference,
  podReferences,
  type ReferenceProblem,
  type Requirement,
  requirementKey,
  requirementsFor,
} from './pod-references.js';
import { getPath, templatePath } from './pod-template.js';
import { hasScript, mountsUpstreamRuntime, runtimeCopy, runtimeCopyName, scriptData, withRuntimeConfigMap } from './runtime-script.js';
import { composedResourceFor } from './service-account.js';
import { isKubernetesObject } from './wrapped.js';

export const POD_REFERENCES_CONDITION = 'PodReferencesResolved';

/** Reasons on the condition and results, stable so alerts and tests can match them. */
export const POD_REFERENCES_REASON = {
  resolved: 'AllReferencesFound',
  missing: 'ReferencesMissing',
  pending: 'ReferencesNotFetched',
  notChecked: 'PodReferencesNotChecked',
} as const;

export interface Capabilities {
  /** Crossplane sent `meta.capabilities` with CAPABILITY_CAPABILITIES (v2.2 and later). */
  readonly advertised: boolean;
  readonly requiredResources: boolean;
  readonly conditions: boolean;
}

type ResourcesMap = Parameters<typeof fetched>[0];

export interface ReferencePlanRequest {
  readonly actor: AsyncActor;
  readonly input: StepInput;
  /** The actor resource as rendered, ServiceAccount included. */
  readonly actorResource: Json;
  /** The ServiceAccount this function composes for the pod, not required (it is ours). */
  readonly composedServiceAccount?: string | undefined;
  readonly capabilities: Capabilities;
  readonly required: ResourcesMap;
  readonly extra: ResourcesMap;
  /** What Crossplane observes under the copy's key. */
  readonly observedCopy: unknown;
}

export interface ReferenceCondition {
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
}

export interface ReferencePlan {
  /** The actor resource, mounting the copy when there is one. */
  readonly actorResource: Json;
  readonly copy?: { readonly key: string; readonly resource: Json };
  readonly requirements: readonly Requirement[];
  readonly condition?: ReferenceCondition;
  readonly results: ReadonlyArray<{ readonly severity: 'warning' | 'normal'; readonly reason: string; readonly message: string }>;
}

/** The namespace the pod runs in: the wrapped manifest's, else the XR's (Crossplane composes there). */
export function podNamespace(actor: AsyncActor, actorResource: Json): string | undefined {
  const wrapped = isKubernetesObject(actorResource) ? getPath(actorResource, ['spec', 'forProvider', 'manifest', 'metadata', 'namespace']) : undefined;
  return typeof wrapped === 'string' && wrapped !== '' ? wrapped : actor.metadata.namespace;
}

/** The copy's key must be free: an earlier step's resource is never replaced. */
export function runtimeCopyKeyIssues(input: StepInput, taken: (key: string) => boolean): FieldIssue[] {
  const rs = input.runtimeScript;
  if (rs === undefined) return [];
  const path = ['input', 'runtimeScript', 'resourceKey'];
  if (rs.resourceKey === input.resourceKey || rs.resourceKey === (input.serviceAccount?.enabled === true ? input.serviceAccount.resourceKey : undefined)) {
    return [{ path, rule: 'runtime-script-resource-key', message: `resourceKey ${JSON.stringify(rs.resourceKey)} is already the key of another resource this function composes; choose another` }];
  }
  if (taken(rs.resourceKey)) {
    return [{ path, rule: 'desired-resource-taken', message: `an earlier step already composed a resource under "${rs.resourceKey}"; set input.runtimeScript.resourceKey to a free key` }];
  }
  return [];
}

const sentence = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export function planReferences(r: ReferencePlanRequest): ReferencePlan {
  const { actor, input, capabilities: caps } = r;
  const check = input.podReferences.check;
  const copyFrom = input.runtimeScript?.copyFrom;
  // Before anything is built: the common case (nothing advertised, nothing to copy) returns here.
  if ((!check || !caps.advertised) && copyFrom === undefined) return { actorResource: r.actorResource, requirements: [], results: [] };
  const unchanged = { actorResource: r.actorResource, requirements: [] as Requirement[] };

  const notChecked = (why: string) => {
    const what = [check ? 'the objects the pod references were not checked' : undefined, copyFrom === undefined ? undefined : `the runtime script was not copied from ${copyFrom.namespace}/${copyFrom.name} (the pod mounts ConfigMap ${RUNTIME_SCRIPT_CONFIGMAP})`]
      .filter((s) => s !== undefined)
      .join(' and ');
    return { ...unchanged, results: [{ severity: 'normal' as const, reason: POD_REFERENCES_REASON.notChecked, message: `${what}: ${why}` }] };
  };
  if (!caps.advertised) {
    return copyFrom === undefined ? { ...unchanged, results: [] } : notChecked('this Crossplane does not advertise its capabilities (before v2.2), so it may not fetch required resources');
  }
  if (!caps.requiredResources) return notChecked('this Crossplane does not advertise the REQUIRED_RESOURCES capability');

  const namespace = podNamespace(actor, r.actorResource);
  if (namespace === undefined) return notChecked('the AsyncActor has no namespace, so there is no namespace to look in');

  const template = getPath(r.actorResource, templatePath(r.actorResource));
  const secrets = input.podReferences.checkSecrets;
  const ours = (ref: PodReference) => !(ref.kind === 'ServiceAccount' && ref.name === r.composedServiceAccount);
  // Computed from the pod before the copy is mounted, so the requirements never depend on
  // whether the source arrived: stable across iterations.
  const refs = check ? podReferences(template, { secrets }).filter(ours) : [];
  const source = copyFrom === undefined ? undefined : { kind: 'ConfigMap' as const, name: copyFrom.name, namespace: copyFrom.namespace };
  const requirements = requirementsFor(refs, namespace, source === undefined ? [] : [source]);
  const lookup = (kind: PodReference['kind'], name: string, ns: string): Fetched => fetched(r.required, r.extra, requirementKey(kind, name, ns, namespace));

  // The runtime script copy.
  const lines: string[] = [];
  const problems: string[] = [];
  let pending = false;
  let actorResource = r.actorResource;
  let copy: ReferencePlan['copy'];
  let copyMounted = false;
  if (copyFrom !== undefined && input.runtimeScript !== undefined && mountsUpstreamRuntime(r.actorResource)) {
    const name = runtimeCopyName(actor);
    const src = lookup('ConfigMap', copyFrom.name, copyFrom.namespace);
    const from = `${copyFrom.namespace}/${copyFrom.name}`;
    const srcData = src.state === 'found' ? scriptData(src.object) : undefined;
    const observed = scriptData(r.observedCopy);
    const kept = observed !== undefined && hasScript(observed) ? observed : undefined;
    let data = srcData !== undefined && hasScript(srcData) ? srcData : undefined;
    if (data !== undefined) {
      lines.push(`the runtime script is copied from ConfigMap ${from} to ConfigMap ${namespace}/${name}`);
    } else {
      const why =
        src.state === 'pending'
          ? undefined
          : src.state === 'absent'
            ? `the runtime script source ConfigMap ${from} (input.runtimeScript.copyFrom) not found`
            : `the runtime script source ConfigMap ${from} (input.runtimeScript.copyFrom) has no key "${RUNTIME_SCRIPT_FILE}"`;
      if (why === undefined) pending = true;
      if (kept !== undefined) {
        data = kept;
        if (why !== undefined) problems.push(`${why}; ConfigMap ${namespace}/${name} keeps the script copied last and the pod keeps mounting it: restore the source, or delete the AsyncActor to remove the copy`);
      } else if (why !== undefined) {
        problems.push(`${why}; no copy is made and the pod mounts ConfigMap ${namespace}/${RUNTIME_SCRIPT_CONFIGMAP} instead: install the source ConfigMap in namespace ${copyFrom.namespace}`);
      }
    }
    if (data !== undefined) {
      const built = runtimeCopy(actor, copyFrom, data) as unknown as Json;
      copy = { key: input.runtimeScript.resourceKey, resource: composedResourceFor(r.actorResource, built as never) };
      actorResource = withRuntimeConfigMap(r.actorResource, name);
      copyMounted = true;
    }
  }

  // What the pod references, with the copy (ours) in place of asya-runtime when mounted.
  const mounted = copyMounted ? podReferences(getPath(actorResource, templatePath(actorResource)), { secrets }).filter(ours).filter((ref) => !(ref.kind === 'ConfigMap' && ref.name === runtimeCopyName(actor))) : refs;
  const evaluated = evaluate(check ? mounted : [], (ref) => lookup(ref.kind, ref.name, namespace));
  if (evaluated.pending.length > 0) pending = true;
  const missing = evaluated.problems.map((p: ReferenceProblem) => describeProblem(p));
  // The source first: when it is missing, the namespace's asya-runtime is only the fallback.
  const allProblems = [...problems, ...(missing.length === 0 ? [] : [`in namespace ${namespace}: ${missing.join('; ')}`])].map(sentence);

  let condition: ReferenceCondition;
  if (allProblems.length > 0) {
    condition = {
      status: 'False',
      reason: POD_REFERENCES_REASON.missing,
      // Only a missing reference blocks the pod; a missing source alone leaves it a script to mount.
      message: `${allProblems.join('. ')}. ${
        missing.length > 0
          ? 'The pod cannot start until these exist (it waits in ContainerCreating or CreateContainerConfigError); create them and this condition turns True at the next reconcile, without changing the AsyncActor'
          : 'This condition turns True at the next reconcile once the source is back, without changing the AsyncActor'
      }`,
    };
  } else if (pending) {
    condition = { status: 'Unknown', reason: POD_REFERENCES_REASON.pending, message: 'Waiting for Crossplane to fetch the objects the pod references' };
  } else {
    const names = evaluated.found.map((f) => `${f.kind} ${f.name}`);
    const head = names.length > 0 ? `every object the pod references exists in namespace ${namespace}: ${names.join(', ')}` : check && lines.length === 0 ? 'the pod references no ConfigMap or ServiceAccount' : '';
    condition = { status: 'True', reason: POD_REFERENCES_REASON.resolved, message: sentence([head, ...lines].filter((s) => s !== '').join('; ')) };
  }
  const results: Array<ReferencePlan['results'][number]> = [];
  if (condition.status === 'False') results.push({ severity: 'warning', reason: POD_REFERENCES_REASON.missing, message: `${POD_REFERENCES_CONDITION}: ${condition.message}` });
  return {
    actorResource,
    ...(copy === undefined ? {} : { copy }),
    requirements,
    ...(caps.conditions ? { condition } : {}),
    results,
  };
}
