/**
 * Security contexts: the connector defaults every profile gets, and the `restricted` profile that
 * makes the whole pod pass the Kubernetes "restricted" Pod Security Standard (checked by pss.ts).
 *
 * One rule throughout: an explicit value is never overridden. Defaults fill gaps; a user value
 * that breaks the restricted standard stays visible in the output and is reported as an error by
 * `checkRestrictedProfile` instead of being silently rewritten (a rewritten value would make the
 * manifest lie about what the author asked for, and a pod rejected at admission is far harder to
 * diagnose than a FATAL result naming the field).
 */
import type { V1Capabilities, V1PodSecurityContext, V1PodSpec, V1SecurityContext } from '@kubernetes/client-node';
import type { SecurityProfile } from '../input/schema.js';
import type { SecurityContext } from '../schema/k8s.js';
import { copyJson, isObject, withKey } from './objects.js';

/** Pod spec keys a fresh render places after `securityContext`. */
export const POD_KEYS_AFTER_SECURITY = ['nodeSelector', 'tolerations', 'initContainers', 'containers', 'volumes'] as const;

/** The API's own (alphabetical) order, so merged contexts always serialise the same way. */
const CONTAINER_KEYS = [
  'allowPrivilegeEscalation',
  'appArmorProfile',
  'capabilities',
  'privileged',
  'procMount',
  'readOnlyRootFilesystem',
  'runAsGroup',
  'runAsNonRoot',
  'runAsUser',
  'seLinuxOptions',
  'seccompProfile',
  'windowsOptions',
] as const;

/**
 * Safe for the upstream connector images: they run as an ordinary user, need no capabilities and
 * make no unusual syscalls, so none of these can break them.
 */
export const connectorDefaults = (): V1SecurityContext => ({
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
});

/**
 * What the restricted profile adds on containers this function renders. readOnlyRootFilesystem is
 * not part of the standard but is only set where every writable path is an emptyDir: the runtime
 * and the queue sidecar write to /tmp and /var/run/asya, connectors get /tmp (connector.ts).
 * User containers never get it: we cannot know where they write.
 */
export const restrictedPlatformContainer = (): V1SecurityContext => ({
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
});

/** The fields the standard itself requires on every container (pss.ts `allowPrivilegeEscalation`, `capabilities`). */
const restrictedAnyContainer = (): V1SecurityContext => ({
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
});

/**
 * Pod level: one non-root user and group for every container. The Python connector does not chmod
 * its socket, so the runtime can connect only when it runs as the same user. fsGroup makes the
 * emptyDirs group-writable for that group.
 */
export const restrictedPod = (runAsUser: number, runAsGroup: number): V1PodSecurityContext => ({
  runAsNonRoot: true,
  runAsUser,
  runAsGroup,
  fsGroup: runAsGroup,
  seccompProfile: { type: 'RuntimeDefault' },
});

function mergeCapabilities(base: V1Capabilities | undefined, over: V1Capabilities | undefined): V1Capabilities | undefined {
  if (base === undefined && over === undefined) return undefined;
  const add = over?.add ?? base?.add;
  const drop = over?.drop ?? base?.drop;
  return { ...(add === undefined ? {} : { add: [...add] }), ...(drop === undefined ? {} : { drop: [...drop] }) };
}

/**
 * `over` wins field by field; `capabilities.add` and `.drop` are separate fields (adding
 * NET_BIND_SERVICE must not silently lose the default drop of ALL). Keys come out in API order.
 */
export function mergeSecurityContext(base: V1SecurityContext, over: SecurityContext | V1SecurityContext | undefined): V1SecurityContext {
  const a = base as Record<string, unknown>;
  const b = (over ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of CONTAINER_KEYS) {
    const value =
      key === 'capabilities'
        ? mergeCapabilities(base.capabilities, (over as V1SecurityContext | undefined)?.capabilities)
        : b[key] !== undefined
          ? b[key]
          : a[key];
    if (value !== undefined) out[key] = copyJson(value);
  }
  return out as V1SecurityContext;
}

export function connectorSecurityContext(user: SecurityContext | undefined, profile: SecurityProfile): V1SecurityContext {
  // What the merge below gives for no user context (the defaults are fresh and in API order), without the merge.
  if (user === undefined && profile !== 'restricted') return connectorDefaults();
  const base = profile === 'restricted' ? mergeSecurityContext(connectorDefaults(), restrictedPlatformContainer()) : connectorDefaults();
  return mergeSecurityContext(base, user);
}

/** Runtime and queue sidecar: upstream renders no securityContext, and the default profile keeps that. */
export const platformSecurityContext = (profile: SecurityProfile): V1SecurityContext | undefined =>
  profile === 'restricted' ? restrictedPlatformContainer() : undefined;

/**
 * Adds what `required` has and `existing` lacks, keeping existing keys where they are. Nested
 * objects are filled one level deep (`capabilities.drop` when only `add` is set).
 */
export function fillMissing<T extends object>(existing: T | undefined, required: T): T {
  const out: Record<string, unknown> = { ...(existing ?? {}) };
  for (const [key, value] of Object.entries(required)) {
    const current = out[key];
    if (current === undefined) {
      out[key] = copyJson(value);
    } else if (isObject(current) && isObject(value)) {
      out[key] = fillMissing(current, value);
    }
  }
  return out as T;
}

type ContainerList = 'initContainers' | 'containers' | 'ephemeralContainers';
const CONTAINER_LISTS: readonly ContainerList[] = ['initContainers', 'containers', 'ephemeralContainers'];

/**
 * Brings any pod up to the restricted standard without overriding an explicit value: pod-level
 * user, group and seccomp, and on every container (user ones too: the standard applies to all)
 * the two fields it requires per container. Idempotent.
 */
export function hardenRestricted(spec: V1PodSpec, runAsUser: number, runAsGroup: number): V1PodSpec {
  let out: V1PodSpec = { ...spec };
  // A new pod-level context goes where a fresh render puts it: before scheduling and containers.
  out = withKey(out, 'securityContext', fillMissing(spec.securityContext, restrictedPod(runAsUser, runAsGroup)), POD_KEYS_AFTER_SECURITY);
  for (const list of CONTAINER_LISTS) {
    const containers = spec[list];
    if (containers === undefined) continue;
    out = {
      ...out,
      [list]: containers.map((c) => ({ ...c, securityContext: fillMissing(c.securityContext, restrictedAnyContainer()) })),
    };
  }
  return out;
}
