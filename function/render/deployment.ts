/**
 * The actor Deployment (`contract.md` §1): a fresh render from the AsyncActor, or the state proxy
 * added to a Deployment an earlier pipeline step produced.
 */
import type { V1Container, V1Deployment, V1PodTemplateSpec, V1Toleration, V1Volume } from '@kubernetes/client-node';
import type { StepInput } from '../input/schema.js';
import type { AsyncActor } from '../schema/async-actor.js';
import type { FieldIssue, PathSegment, Result } from '../schema/issues.js';
import { actorName } from '../schema/validate.js';
import {
  RUNTIME_SCRIPT_CONFIGMAP,
  RUNTIME_SCRIPT_MODE,
  RUNTIME_SCRIPT_VOLUME,
  SOCKET_DIR_VOLUME,
  TERMINATION_GRACE_SECONDS,
  TMP_VOLUME,
} from './constants.js';
import { actorLabels, selectorLabels } from './labels.js';
import { type Json, asK8s, copyJson, isObject, withKey } from './objects.js';
import { podTemplateShapeIssues } from './pod-shape.js';
import { checkRestricted } from './pss.js';
import { renderQueueSidecar } from './queue-sidecar.js';
import { renderRuntimeContainer } from './runtime-container.js';
import { applyStateProxy, stateProxyOptions } from './state-proxy.js';

export const platformVolumes = (): V1Volume[] => [
  { name: SOCKET_DIR_VOLUME, emptyDir: {} },
  { name: TMP_VOLUME, emptyDir: {} },
  { name: RUNTIME_SCRIPT_VOLUME, configMap: { name: RUNTIME_SCRIPT_CONFIGMAP, defaultMode: RUNTIME_SCRIPT_MODE } },
];

/** The pod as upstream renders it, without the state proxy. */
export function renderBasePod(actor: AsyncActor, input: StepInput, labels: Record<string, string>): V1PodTemplateSpec {
  const spec = actor.spec;
  const profile = input.securityProfile;
  const containers: V1Container[] = [
    renderRuntimeContainer(actor, input.runtimeContainerName, profile),
    ...(input.sidecar === undefined ? [] : [renderQueueSidecar(input.sidecar, profile)]),
    ...asK8s<V1Container[]>(copyJson(spec.sidecars ?? [])),
  ];
  return {
    // The same labels object as the Deployment's own (renderDeployment): nothing writes to either
    // (the renderer copies on write), and with 128 KiB of labels (up to 43,000 keys, a dictionary-mode
    // object) each copy cost more than the rest of the render. The CLI prints YAML without aliases.
    metadata: { labels },
    spec: {
      terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
      // The validated map itself, not a copy: nothing writes to it after (it is fastRecord's copy,
      // or for a large map the decoded request's own object, which nothing writes to either). A
      // 4 MiB nodeSelector is 300,000 keys in a dictionary-mode object, and a second copy was a
      // quarter of such a request's cost.
      ...(spec.nodeSelector === undefined ? {} : { nodeSelector: spec.nodeSelector }),
      ...(spec.tolerations === undefined ? {} : { tolerations: asK8s<V1Toleration[]>(copyJson(spec.tolerations)) }),
      ...(spec.initContainers === undefined ? {} : { initContainers: asK8s<V1Container[]>(copyJson(spec.initContainers)) }),
      containers,
      volumes: [...platformVolumes(), ...asK8s<V1Volume[]>(copyJson(spec.volumes ?? []))],
    },
  };
}

/**
 * `replicas` only when scaling is disabled: with an autoscaler (KEDA) owning it, rendering it
 * would make Crossplane and the autoscaler fight over the field (crossplane-notes.md).
 * No namespace: Crossplane puts composed resources in the XR's namespace.
 */
export function renderDeployment(actor: AsyncActor, input: StepInput): V1Deployment {
  const labels = actorLabels(actor);
  const applied = applyStateProxy(renderBasePod(actor, input, labels), actor.spec.stateProxy ?? [], stateProxyOptions(actor, input));
  if (!applied.ok) {
    // Unreachable: the base pod always has the runtime under input.runtimeContainerName.
    throw new Error(applied.issues.map((i) => i.message).join('; '));
  }
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: actorName(actor), labels },
    spec: {
      ...(actor.spec.scaling.enabled === false ? { replicas: actor.spec.replicas } : {}),
      selector: { matchLabels: selectorLabels(actor) },
      template: applied.value,
    },
  };
}

/** Where a problem in the augmented Deployment is, from the request's root. */
export const desiredPath = (input: StepInput, ...rest: PathSegment[]): PathSegment[] => ['desired', 'resources', input.resourceKey, ...rest];

/**
 * Adds the state proxy to `spec.template` of a Deployment an earlier step produced and keeps
 * everything else as that step wrote it (name, labels, replicas, selector, other containers).
 * Issue paths point into the desired resource (`['desired', 'resources', <key>, 'spec', …]`)
 * except the runtime-container one, which names the input field to fix.
 * Under the restricted profile the result must pass the standard; a container the earlier step
 * made non-compliant is an error rather than a pod that admission would refuse later.
 */
export function augmentDeployment(existing: Record<string, unknown>, actor: AsyncActor, input: StepInput): Result<Record<string, unknown>> {
  const spec = existing['spec'];
  const template = isObject(spec) ? spec['template'] : undefined;
  const podSpec = isObject(template) ? template['spec'] : undefined;
  if (!isObject(spec) || !isObject(template) || !isObject(podSpec) || !Array.isArray(podSpec['containers'])) {
    const issue: FieldIssue = {
      path: desiredPath(input, 'spec', 'template', 'spec', 'containers'),
      rule: 'desired-deployment-shape',
      message: 'the Deployment from the earlier step has no pod template with a containers list',
    };
    return { ok: false, issues: [issue] };
  }
  const malformed = podTemplateShapeIssues(template, desiredPath(input, 'spec', 'template'));
  if (malformed.length > 0) return { ok: false, issues: malformed };
  const applied = applyStateProxy(asK8s<V1PodTemplateSpec>(template), actor.spec.stateProxy ?? [], stateProxyOptions(actor, input));
  if (!applied.ok) {
    // Input-field issues stay as they are; pod issues (guard conflicts) point into the template.
    return { ok: false, issues: applied.issues.map((i) => (i.path[0] === 'input' ? i : { ...i, path: desiredPath(input, 'spec', 'template', ...i.path) })) };
  }
  if (input.securityProfile === 'restricted') {
    const violations = checkRestricted(applied.value);
    if (violations.length > 0) {
      return {
        ok: false,
        issues: violations.map((v) => ({ ...v, path: desiredPath(input, 'spec', 'template', ...v.path), message: `securityProfile restricted: ${v.message}` })),
      };
    }
  }
  const newSpec = withKey(spec as Json, 'template', applied.value);
  return { ok: true, value: withKey(existing, 'spec', newSpec) };
}
