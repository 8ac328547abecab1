/**
 * The actor pod's ServiceAccount (issue 17): which one the pod runs as, whether this function
 * composes it, and how that reaches the pod. Pure; the handler adds the composed resource next to
 * the Deployment and the result of `podServiceAccount` to the pod.
 *
 * Sources, in the order they are decided:
 * - `spec.serviceAccountName` on the actor: an existing ServiceAccount, nothing composed; with
 *   `input.serviceAccount.enabled` as well it is an error (which one would the pod use?);
 * - `input.serviceAccount.shared.name`: one the platform manages itself, referenced only;
 * - otherwise, when enabled, one composed per actor (the name pattern must contain `{actor}`, so
 *   actors never share, and deleting one actor deletes only its own);
 * - an earlier step's Deployment that already names one keeps it unless `replaceExisting`.
 */
import type { V1ServiceAccount } from '@kubernetes/client-node';
import type { ServiceAccountInput } from '../input/service-account.js';
import type { StepInput } from '../input/schema.js';
import type { AsyncActor } from '../schema/async-actor.js';
import type { FieldIssue, PathSegment } from '../schema/issues.js';
import { actorName } from '../schema/validate.js';
import { annotationsBytes, dnsSubdomainProblem, labelValueProblem, MAX_ANNOTATIONS_BYTES, qualifiedNameProblem } from './k8s-names.js';
import { actorLabels } from './labels.js';
import { isObject, type Json, withKey } from './objects.js';
import { isKubernetesObject } from './wrapped.js';
import { getPath, setPath, templatePath } from './pod-template.js';
import { identityAnnotationProblem, missingIdentityWarnings, type PodIdentity } from './workload-identity.js';

/** Reasons on the ServiceAccount warnings, stable so alerts and tests can match them. */
export const WARNING_REASON_SERVICE_ACCOUNT = {
  kept: 'ServiceAccountKept',
  missingIdentity: 'MissingCloudCredentials',
} as const;

export type ServiceAccountSource = 'composed' | 'shared' | 'actor' | 'earlier-step';

export interface ServiceAccountStatus {
  readonly name: string;
  readonly source: ServiceAccountSource;
}

export interface ServiceAccountWarning {
  readonly message: string;
  readonly path: readonly PathSegment[];
  readonly reason: string;
}

export interface ServiceAccountPlan {
  /** What to set on the pod; undefined leaves the pod's ServiceAccount as it is. */
  readonly pod?: { readonly name: string; readonly labels: Readonly<Record<string, string>> };
  /** The ServiceAccount to compose under `key`; undefined when none is. */
  readonly composed?: { readonly key: string; readonly resource: V1ServiceAccount };
  readonly status?: ServiceAccountStatus;
  readonly warnings: readonly ServiceAccountWarning[];
}

/** A refusal: `input` issues are the Composition's to fix, `actor` ones the AsyncActor's. */
export type ServiceAccountRefusal = { readonly ok: false; readonly blame: 'input' | 'actor'; readonly issues: readonly FieldIssue[] };
export type ServiceAccountOutcome = { readonly ok: true; readonly value: ServiceAccountPlan } | ServiceAccountRefusal;

const INPUT: PathSegment[] = ['input', 'serviceAccount'];

/** Replaces `{namespace}` and `{actor}`; the input schema already refused any other placeholder. */
export function substitute(text: string, vars: { readonly namespace: string | undefined; readonly actor: string }): string | undefined {
  if (text.includes('{namespace}') && vars.namespace === undefined) return undefined;
  return text.replaceAll('{namespace}', vars.namespace ?? '').replaceAll('{actor}', vars.actor);
}

interface Substituter {
  (text: string, path: PathSegment[], what: string): string | undefined;
  readonly issues: FieldIssue[];
}

function substituter(actor: AsyncActor): Substituter {
  const vars = { namespace: actor.metadata.namespace, actor: actorName(actor) };
  const issues: FieldIssue[] = [];
  const fn = (text: string, path: PathSegment[], what: string): string | undefined => {
    const out = substitute(text, vars);
    if (out === undefined) {
      issues.push({ path, rule: 'service-account-placeholder', message: `${what} uses {namespace}, but the AsyncActor has no metadata.namespace` });
    }
    return out;
  };
  return Object.assign(fn, { issues });
}

function checkName(name: string, path: PathSegment[], issues: FieldIssue[]): void {
  const problem = dnsSubdomainProblem(name);
  if (problem !== undefined) issues.push({ path, rule: 'service-account-name', message: `ServiceAccount name ${JSON.stringify(name)} ${problem}` });
}

/** Substituted keys and values of one map, in code-unit key order (deterministic output). */
function substituteMap(
  map: Readonly<Record<string, string>> | undefined,
  field: 'annotations' | 'labels' | 'podLabels',
  sub: Substituter,
  issues: FieldIssue[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rawKey of Object.keys(map ?? {}).sort()) {
    const path = [...INPUT, field, rawKey];
    const key = sub(rawKey, path, `the ${field} key`);
    const value = sub(map?.[rawKey] ?? '', path, `the ${field} value`);
    if (key === undefined || value === undefined) continue;
    const keyProblem = qualifiedNameProblem(key);
    if (keyProblem !== undefined) issues.push({ path, rule: 'service-account-metadata-key', message: `${field} key ${JSON.stringify(key)} ${keyProblem}` });
    if (field !== 'annotations') {
      const valueProblem = labelValueProblem(value);
      if (valueProblem !== undefined) issues.push({ path, rule: 'service-account-label-value', message: `${field} value ${JSON.stringify(value)} (for ${key}) ${valueProblem}` });
    } else {
      const formatProblem = identityAnnotationProblem(key, value);
      if (formatProblem !== undefined) issues.push({ path, rule: 'service-account-identity-annotation', message: formatProblem });
    }
    if (Object.hasOwn(out, key)) issues.push({ path, rule: 'service-account-metadata-key', message: `${field} key ${JSON.stringify(key)} appears twice after substitution` });
    out[key] = value;
  }
  return out;
}

/** Keys the function sets itself: an input label must not silently lose to them, nor override them. */
function reservedLabelIssues(labels: Readonly<Record<string, string>>, actor: AsyncActor, field: 'labels' | 'podLabels'): FieldIssue[] {
  const own = actorLabels(actor);
  return Object.keys(labels)
    .filter((k) => Object.hasOwn(own, k))
    .map((k) => ({ path: [...INPUT, field, k], rule: 'service-account-reserved-label', message: `label ${k} is set by the function (to ${JSON.stringify(own[k])}); choose another key` }));
}

function composedServiceAccount(name: string, sa: ServiceAccountInput, input: StepInput, actor: AsyncActor, annotations: Record<string, string>, labels: Record<string, string>): V1ServiceAccount {
  // Restricted: the runtime and connectors never call the Kubernetes API, and the workload
  // identity webhooks project their own tokens, so the default token is only attack surface.
  const automount = sa.automountServiceAccountToken ?? (input.securityProfile === 'restricted' ? false : undefined);
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name,
      labels: { ...actorLabels(actor), ...labels },
      ...(Object.keys(annotations).length === 0 ? {} : { annotations }),
    },
    ...(automount === undefined ? {} : { automountServiceAccountToken: automount }),
  };
}

/**
 * Decides the pod's ServiceAccount. `existing` is the serviceAccountName of the Deployment an
 * earlier step produced (undefined on a fresh render or when it has none).
 */
export function planServiceAccount(actor: AsyncActor, input: StepInput, existing: string | undefined): ServiceAccountOutcome {
  const sa = input.serviceAccount;
  const enabled = sa?.enabled === true;
  const own = actor.spec.serviceAccountName;
  const replace = sa?.replaceExisting === true;

  if (own !== undefined && enabled) {
    return {
      ok: false,
      blame: 'actor',
      issues: [
        {
          path: ['spec', 'serviceAccountName'],
          rule: 'service-account-both',
          message: `the actor names ServiceAccount ${JSON.stringify(own)}, but the Composition's step input composes one per actor (input.serviceAccount.enabled); remove spec.serviceAccountName, or use a Composition without input.serviceAccount`,
        },
      ],
    };
  }

  let wanted: { name: string; source: ServiceAccountSource; podLabels: Record<string, string> } | undefined;
  let composed: ServiceAccountPlan['composed'];
  if (own !== undefined) {
    wanted = { name: own, source: 'actor', podLabels: {} };
  } else if (sa !== undefined && enabled) {
    const sub = substituter(actor);
    const issues = sub.issues;
    const podLabels = substituteMap(sa.podLabels, 'podLabels', sub, issues);
    issues.push(...reservedLabelIssues(podLabels, actor, 'podLabels'));
    if (sa.shared !== undefined) {
      const name = sub(sa.shared.name, [...INPUT, 'shared', 'name'], 'shared.name');
      if (name !== undefined) checkName(name, [...INPUT, 'shared', 'name'], issues);
      if (issues.length > 0 || name === undefined) return { ok: false, blame: 'input', issues };
      wanted = { name, source: 'shared', podLabels };
    } else {
      const name = sub(sa.namePattern, [...INPUT, 'namePattern'], 'namePattern');
      if (name !== undefined) checkName(name, [...INPUT, 'namePattern'], issues);
      const annotations = substituteMap(sa.annotations, 'annotations', sub, issues);
      const bytes = annotationsBytes(annotations);
      if (bytes > MAX_ANNOTATIONS_BYTES) {
        issues.push({ path: [...INPUT, 'annotations'], rule: 'service-account-annotations-size', message: `annotations total ${bytes} bytes after substitution; Kubernetes allows at most ${MAX_ANNOTATIONS_BYTES} (256 KiB)` });
      }
      const labels = substituteMap(sa.labels, 'labels', sub, issues);
      issues.push(...reservedLabelIssues(labels, actor, 'labels'));
      if (sa.resourceKey === input.resourceKey) {
        issues.push({ path: [...INPUT, 'resourceKey'], rule: 'service-account-resource-key', message: `resourceKey ${JSON.stringify(sa.resourceKey)} is the Deployment's key (input.resourceKey); choose another` });
      }
      if (issues.length > 0 || name === undefined) return { ok: false, blame: 'input', issues };
      wanted = { name, source: 'composed', podLabels };
      composed = { key: sa.resourceKey, resource: composedServiceAccount(name, sa, input, actor, annotations, labels) };
    }
  }

  const warnings: ServiceAccountWarning[] = [];
  if (wanted !== undefined && existing !== undefined && existing !== wanted.name && !replace) {
    // The earlier step chose the pod's identity; overriding it silently could cut off its access.
    warnings.push({
      reason: WARNING_REASON_SERVICE_ACCOUNT.kept,
      path: [...INPUT, 'replaceExisting'],
      message: `the Deployment from the earlier step runs as ServiceAccount ${JSON.stringify(existing)} and keeps it, so ${wanted.source === 'actor' ? `spec.serviceAccountName ${JSON.stringify(wanted.name)}` : `ServiceAccount ${JSON.stringify(wanted.name)}`} is not used${wanted.source === 'composed' ? ' (and not composed)' : ''}; set input.serviceAccount.replaceExisting: true to replace it`,
    });
    wanted = undefined;
    composed = undefined;
  }

  const status: ServiceAccountStatus | undefined =
    wanted !== undefined ? { name: wanted.name, source: wanted.source } : existing !== undefined && sa !== undefined ? { name: existing, source: 'earlier-step' } : undefined;

  // Only a platform that configured identity hears about connectors without one: elsewhere the
  // namespace's default ServiceAccount or the node may well carry it, invisibly to the render.
  if (sa !== undefined) {
    const identity: PodIdentity = {
      ...(composed === undefined ? {} : { composedAnnotations: composed.resource.metadata?.annotations ?? {} }),
      external: status !== undefined && status.source !== 'composed',
      boundOutsideKubernetes: sa.boundOutsideKubernetes,
    };
    for (const w of missingIdentityWarnings(actor, identity)) warnings.push({ reason: WARNING_REASON_SERVICE_ACCOUNT.missingIdentity, ...w });
  }

  return {
    ok: true,
    value: {
      ...(wanted === undefined ? {} : { pod: { name: wanted.name, labels: wanted.podLabels } }),
      ...(composed === undefined ? {} : { composed }),
      ...(status === undefined ? {} : { status }),
      warnings: warnings.map((w) => ({ message: w.message, path: w.path, reason: w.reason })),
    },
  };
}

/** Pod spec keys a fresh render places after `serviceAccountName` (the API's field order). */
const POD_KEYS_AFTER_SERVICE_ACCOUNT = ['securityContext', 'nodeSelector', 'tolerations', 'initContainers', 'containers', 'volumes'];

/** The pod template with the planned ServiceAccount and pod labels; untouched parts are shared. */
export function withPodServiceAccount(template: Json, pod: NonNullable<ServiceAccountPlan['pod']>): Json {
  const spec = isObject(template['spec']) ? template['spec'] : {};
  let newSpec = withKey(spec, 'serviceAccountName', pod.name, POD_KEYS_AFTER_SERVICE_ACCOUNT);
  // The deprecated alias: the API server ignores it once serviceAccountName is set, but a reader
  // (or an older tool) seeing two different names would be misled.
  if (Object.hasOwn(newSpec, 'serviceAccount')) newSpec = withKey(newSpec, 'serviceAccount', pod.name);
  let out = withKey(template, 'spec', newSpec);
  if (Object.keys(pod.labels).length > 0) {
    const metadata = isObject(template['metadata']) ? template['metadata'] : {};
    const labels = isObject(metadata['labels']) ? metadata['labels'] : {};
    out = withKey(out, 'metadata', withKey(metadata, 'labels', { ...labels, ...pod.labels }), ['spec']);
  }
  return out;
}

/** The serviceAccountName a pod template already has (or its deprecated alias), if any. */
export function podServiceAccountName(template: unknown): string | undefined {
  const spec = isObject(template) && isObject(template['spec']) ? template['spec'] : {};
  for (const key of ['serviceAccountName', 'serviceAccount']) {
    const v = spec[key];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

/** The ServiceAccount the actor resource's pod already runs as (an earlier step's choice). */
export function actorResourceServiceAccount(resource: Json): string | undefined {
  return podServiceAccountName(getPath(resource, templatePath(resource)));
}

/** The actor resource (Deployment or wrapping Object) with the planned pod ServiceAccount. */
export function withActorServiceAccount(resource: Json, plan: ServiceAccountPlan): Json {
  if (plan.pod === undefined) return resource;
  const path = templatePath(resource);
  const template = getPath(resource, path);
  return setPath(resource, path, withPodServiceAccount(isObject(template) ? template : {}, plan.pod));
}

/**
 * The composed ServiceAccount in the form the actor resource has: beside a plain Deployment a
 * plain ServiceAccount (Crossplane puts it in the XR's namespace), beside a provider-kubernetes
 * Object another Object of the same version and provider config, wrapping the ServiceAccount in
 * the wrapped Deployment's namespace, so the same provider applies both.
 */
export function composedResourceFor(actorResource: Json, serviceAccount: V1ServiceAccount): Json {
  const sa = serviceAccount as unknown as Json;
  if (!isKubernetesObject(actorResource)) return sa;
  const spec = isObject(actorResource['spec']) ? actorResource['spec'] : {};
  const namespace = getPath(actorResource, ['spec', 'forProvider', 'manifest', 'metadata', 'namespace']);
  const metadata = isObject(sa['metadata']) ? sa['metadata'] : {};
  const manifest = typeof namespace === 'string' ? { ...sa, metadata: { name: metadata['name'], namespace, ...metadata } } : sa;
  return {
    apiVersion: actorResource['apiVersion'],
    kind: actorResource['kind'],
    spec: {
      forProvider: { manifest },
      ...(spec['providerConfigRef'] === undefined ? {} : { providerConfigRef: spec['providerConfigRef'] }),
    },
  };
}
