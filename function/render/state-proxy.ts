/**
 * The state proxy as a transformation of a pod template, shared by fresh renders and by
 * Deployments an earlier pipeline step put in the desired state. It first removes every piece a
 * previous render may have added (connectors in either list, the socket volume and mount, the
 * mounts variable) and then adds the current ones, so it is idempotent, converges an old render
 * to the new spec (renamed or removed mounts, switched sidecar mode) and never duplicates.
 * The mount guards (guard.ts) follow the same remove-then-add cycle.
 */
import type { V1Container, V1EnvVar, V1PodSpec, V1PodTemplateSpec, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { SecurityProfile, StepInput } from '../input/schema.js';
import type { AsyncActor, SidecarMode, StateProxyEntry } from '../schema/async-actor.js';
import type { Result } from '../schema/issues.js';
import type { ResourceRequirements } from '../schema/k8s.js';
import { renderConnector } from './connector.js';
import {
  MOUNTS_ENV,
  QUEUE_SIDECAR_CONTAINER,
  RUNTIME_SCRIPT_VOLUME,
  SOCKET_DIR_VOLUME,
  STATE_SOCKET_DIR,
  STATE_SOCKETS_VOLUME,
  TMP_VOLUME,
  isConnectorName,
} from './constants.js';
import { guardConflicts, guardPieces, withoutGuards } from './guard.js';
import { formatMountsEnv } from './mounts-env.js';
import { withKey, withList } from './objects.js';
import { hardenRestricted } from './security.js';
import { kubeletLiteral } from './kubelet-literal.js';

export interface StateProxyOptions {
  runtimeContainerName: string;
  sidecarMode: SidecarMode;
  securityProfile: SecurityProfile;
  runAsUser: number;
  runAsGroup: number;
  startupProbeFailureThreshold: number;
  /** Guard mounts whose `mount.guard` is unset. */
  mountGuard: boolean;
  defaultConnectorResources?: ResourceRequirements;
}

/** The actor's `stateProxySidecarMode` overrides the platform default (an actor may need upstream's layout). */
export const sidecarModeFor = (actor: AsyncActor, input: StepInput): SidecarMode => actor.spec.stateProxySidecarMode ?? input.sidecarMode;

export function stateProxyOptions(actor: AsyncActor, input: StepInput): StateProxyOptions {
  return {
    runtimeContainerName: input.runtimeContainerName,
    sidecarMode: sidecarModeFor(actor, input),
    securityProfile: input.securityProfile,
    runAsUser: input.runAsUser,
    runAsGroup: input.runAsGroup,
    startupProbeFailureThreshold: input.startupProbeFailureThreshold,
    mountGuard: input.mountGuard,
    ...(input.defaultConnectorResources === undefined ? {} : { defaultConnectorResources: input.defaultConnectorResources }),
  };
}

/** Volumes and runtime mounts the socket entry follows, per the contract's order. */
const PLATFORM_VOLUMES = [SOCKET_DIR_VOLUME, TMP_VOLUME, RUNTIME_SCRIPT_VOLUME];

/**
 * Where an entry we re-add goes: where it was (stable across re-renders), else right after the
 * last platform entry (the contract's order for fresh renders), else at the end.
 */
function insertionIndex(list: ReadonlyArray<{ name?: string }>, previous: number, anchors: readonly string[]): number {
  if (previous >= 0) return Math.min(previous, list.length);
  let last = -1;
  list.forEach((item, i) => {
    if (item.name !== undefined && anchors.includes(item.name)) last = i;
  });
  return last >= 0 ? last + 1 : list.length;
}

const insertAt = <T>(list: readonly T[], index: number, ...items: T[]): T[] => [...list.slice(0, index), ...items, ...list.slice(index)];

function withoutStateProxy(runtime: V1Container): { runtime: V1Container; mountIndex: number } {
  const env = runtime.env ?? [];
  const mounts = runtime.volumeMounts ?? [];
  const keptEnv = env.filter((e) => e.name !== MOUNTS_ENV);
  const keptMounts = mounts.filter((m) => m.name !== STATE_SOCKETS_VOLUME);
  let out = withList(runtime, 'env', keptEnv, keptEnv.length !== env.length);
  out = withList(out, 'volumeMounts', keptMounts, keptMounts.length !== mounts.length);
  return { runtime: out, mountIndex: mounts.findIndex((m) => m.name === STATE_SOCKETS_VOLUME) };
}

/**
 * Pure: returns a new pod template and never touches its argument. Copy on write: every object
 * on the way to a change is copied (withKey, withList, filter, map), untouched parts are shared
 * with the argument, so no deep copy is needed. Zero mounts removes every state proxy piece (a
 * fresh render then matches one that never had mounts). The restricted profile is applied here
 * too, so an augmented Deployment gets it as well.
 */
export function applyStateProxy(
  pod: V1PodTemplateSpec,
  mounts: readonly StateProxyEntry[],
  options: StateProxyOptions,
): Result<V1PodTemplateSpec> {
  const source = pod;
  const original: V1PodSpec = source.spec ?? { containers: [] };
  const originalContainers = original.containers ?? [];
  const originalRuntime = originalContainers.findIndex((c) => c.name === options.runtimeContainerName);
  if (originalRuntime < 0) {
    const names = originalContainers.map((c) => JSON.stringify(c.name)).join(', ') || 'none';
    return {
      ok: false,
      issues: [
        {
          path: ['input', 'runtimeContainerName'],
          rule: 'runtime-container-missing',
          message: `the pod has no container named ${JSON.stringify(options.runtimeContainerName)} to wire the state proxy into (containers: ${names})`,
        },
      ],
    };
  }
  // Paths relative to the pod template, into the Deployment as the earlier step wrote it.
  const conflicts = guardConflicts(originalContainers[originalRuntime]?.volumeMounts ?? [], mounts, options.mountGuard, (j) => [
    'spec', 'containers', originalRuntime, 'volumeMounts', j,
  ]);
  if (conflicts.length > 0) return { ok: false, issues: conflicts };

  const spec = withoutGuards(original);
  const removedGuardVolumes = (spec.volumes ?? []).length !== (original.volumes ?? []).length;
  const containers = spec.containers ?? [];
  const initContainers = spec.initContainers ?? [];
  const volumes = spec.volumes ?? [];
  let keptInit = initContainers.filter((c) => !isConnectorName(c.name));
  let keptContainers = containers.filter((c) => !isConnectorName(c.name));
  let keptVolumes = volumes.filter((v) => v.name !== STATE_SOCKETS_VOLUME);
  const removedInit = keptInit.length !== initContainers.length;
  const socketsIndex = volumes.findIndex((v) => v.name === STATE_SOCKETS_VOLUME);

  const runtimeIndex = keptContainers.findIndex((c) => c.name === options.runtimeContainerName);
  const stripped = withoutStateProxy(keptContainers[runtimeIndex] as V1Container);
  let runtime = stripped.runtime;

  if (mounts.length > 0) {
    const env: V1EnvVar[] = [...(runtime.env ?? []), { name: MOUNTS_ENV, value: kubeletLiteral(formatMountsEnv(mounts)) }];
    const runtimeMounts = runtime.volumeMounts ?? [];
    const socketMount: V1VolumeMount = { name: STATE_SOCKETS_VOLUME, mountPath: STATE_SOCKET_DIR };
    // Guards right after the socket entry: wherever that sits, a re-render puts them back in place.
    const guards = guardPieces(mounts, options.mountGuard);
    runtime = withList(runtime, 'env', env, false);
    runtime = withList(
      runtime,
      'volumeMounts',
      insertAt(runtimeMounts, insertionIndex(runtimeMounts, stripped.mountIndex, PLATFORM_VOLUMES), socketMount, ...guards.runtimeMounts),
      false,
    );

    const socketsVolume: V1Volume = { name: STATE_SOCKETS_VOLUME, emptyDir: {} };
    keptVolumes = insertAt(keptVolumes, insertionIndex(keptVolumes, socketsIndex, PLATFORM_VOLUMES), socketsVolume, ...guards.volumes);

    const connectors = mounts.map((m) => renderConnector(m, options));
    if (connectors.some((c) => (c.volumeMounts ?? []).some((vm) => vm.name === TMP_VOLUME)) && !keptVolumes.some((v) => v.name === TMP_VOLUME)) {
      keptVolumes = insertAt(keptVolumes, insertionIndex(keptVolumes, -1, [SOCKET_DIR_VOLUME]), { name: TMP_VOLUME, emptyDir: {} });
    }

    if (options.sidecarMode === 'native') {
      // After the user's init containers: those are run-to-completion steps "before the app"
      // (network setup, credential or data fetchers a connector may need), and a user native
      // sidecar such as a mesh proxy should be up before connectors dial out. Connectors only have
      // to precede the runtime, which every init container does.
      keptInit = [...keptInit, ...connectors];
    } else {
      // Upstream's layout: after asya-runtime and asya-sidecar, before the user's sidecars.
      const after = Math.max(runtimeIndex, keptContainers.findIndex((c) => c.name === QUEUE_SIDECAR_CONTAINER));
      keptContainers = insertAt(keptContainers, after + 1, ...connectors);
    }
  }
  keptContainers = keptContainers.map((c) => (c.name === options.runtimeContainerName ? runtime : c));

  let out: V1PodSpec = spec;
  out = withList(out, 'initContainers', keptInit, removedInit, ['containers', 'volumes']);
  out = withKey(out, 'containers', keptContainers);
  out = withList(out, 'volumes', keptVolumes, socketsIndex >= 0 || removedGuardVolumes);
  if (options.securityProfile === 'restricted') out = hardenRestricted(out, options.runAsUser, options.runAsGroup);
  return { ok: true, value: withKey(source, 'spec', out) };
}
