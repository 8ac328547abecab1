/**
 * Render-time refusals beyond the schema: things that need the step input or the rendered pod to
 * judge, and that can never work, so they are FATAL rather than warnings. `checkRender` is the one
 * call the handler needs before rendering a fresh Deployment.
 */
import type { V1Deployment, V1PodSpec } from '@kubernetes/client-node';
import type { StepInput } from '../input/schema.js';
import type { AsyncActor } from '../schema/async-actor.js';
import type { FieldIssue, PathSegment } from '../schema/issues.js';
import { CONNECTOR_PREFIX, QUEUE_SIDECAR_CONTAINER } from './constants.js';
import { renderDeployment } from './deployment.js';
import { recognizeFlavor } from './flavor.js';
import { checkImagePolicy } from './image-policy.js';
import { checkRestricted } from './pss.js';

/**
 * The gateway's key-value connectors (`s3-kv`, `gcs-kv`, `pvc-kv`, `pg`) answer a different
 * protocol: every file operation the runtime sends would fail. That is a configuration that
 * cannot work, not a judgement call, hence an error and not a warning.
 */
export function checkConnectorFlavors(actor: AsyncActor): FieldIssue[] {
  const issues: FieldIssue[] = [];
  (actor.spec.stateProxy ?? []).forEach((entry, i) => {
    const flavor = recognizeFlavor(entry.connector);
    if (flavor.kind === 'key-value') {
      issues.push({
        path: ['spec', 'stateProxy', i, 'connector', ...flavor.source.path],
        rule: 'connector-flavor',
        message: `${flavor.flavor} is a key-value connector for the gateway; it does not speak the file protocol the runtime uses, so it cannot back a mount (use an s3-, gcs- or redis- file connector)`,
      });
    }
  });
  return issues;
}

/** Maps a violation in the rendered pod back to the AsyncActor field the author can change. */
function actorPath(actor: AsyncActor, spec: V1PodSpec | undefined, pod: readonly PathSegment[], containerName: string | undefined): PathSegment[] {
  const [, list, index, ...rest] = pod;
  if (list === 'volumes' && typeof index === 'number') {
    // The user's volumes are rendered last, after every volume the function adds.
    const userIndex = index - (spec?.volumes ?? []).length + (actor.spec.volumes ?? []).length;
    return userIndex >= 0 ? ['spec', 'volumes', userIndex] : ['input', 'securityProfile'];
  }
  if (containerName === undefined) return ['input', 'securityProfile'];
  if (containerName.startsWith(CONNECTOR_PREFIX)) {
    const i = (actor.spec.stateProxy ?? []).findIndex((e) => `${CONNECTOR_PREFIX}${e.name}` === containerName);
    return ['spec', 'stateProxy', i, 'connector', ...rest];
  }
  for (const field of ['initContainers', 'sidecars'] as const) {
    const j = (actor.spec[field] ?? []).findIndex((c) => c.name === containerName);
    if (j >= 0) return ['spec', field, j, ...rest];
  }
  // The runtime and the queue sidecar are the function's own; reaching here is a bug in the
  // renderer, reported against the profile so it is not mistaken for a user error.
  return containerName === QUEUE_SIDECAR_CONTAINER ? ['input', 'sidecar'] : ['input', 'securityProfile'];
}

/**
 * Under the restricted profile: renders the pod, runs the standard's checks and reports each
 * violation at the AsyncActor field that causes it (a user container or connector securityContext
 * that overrides a default, a hostPath volume, ...). Also: a connector forced to another user than
 * the runtime could not be reached through its socket.
 */
export function checkRestrictedProfile(actor: AsyncActor, input: StepInput, rendered?: V1Deployment): FieldIssue[] {
  if (input.securityProfile !== 'restricted') return [];
  const template = (rendered ?? renderDeployment(actor, input)).spec?.template;
  if (template === undefined) return [];
  const spec = template.spec;
  const issues: FieldIssue[] = checkRestricted(template).map((v) => {
    const [, list, index] = v.path;
    const containers = list === 'initContainers' || list === 'containers' ? (spec?.[list] ?? []) : [];
    const name = typeof index === 'number' ? containers[index]?.name : undefined;
    return { ...v, path: actorPath(actor, spec, v.path, name), message: `securityProfile restricted: ${v.message}` };
  });
  (actor.spec.stateProxy ?? []).forEach((entry, i) => {
    const user = entry.connector.securityContext?.runAsUser;
    if (user !== undefined && user !== input.runAsUser) {
      issues.push({
        path: ['spec', 'stateProxy', i, 'connector', 'securityContext', 'runAsUser'],
        rule: 'connector-shared-user',
        message: `securityProfile restricted runs the runtime as user ${input.runAsUser}; a connector running as ${user} creates a socket the runtime cannot connect to`,
      });
    }
  });
  return issues;
}

/**
 * Everything that must refuse a fresh render: image policy, connector protocol, restricted profile.
 * `rendered` is `renderDeployment(actor, input)` when the caller has it already (the restricted
 * check renders otherwise).
 */
export function checkRender(actor: AsyncActor, input: StepInput, rendered?: V1Deployment): FieldIssue[] {
  return [...checkImagePolicy(actor, input), ...checkConnectorFlavors(actor), ...checkRestrictedProfile(actor, input, rendered)];
}
