/**
 * Mount guards: one read-only `emptyDir` per guarded mount, mounted on the runtime container at
 * exactly the mount path and on no other container. The runtime's hooks resolve mount paths
 * before touching the filesystem, so reads, writes and listings through them never see the guard;
 * a call that bypasses them (a C extension, `os.open`, `os.rename`, ...) hits the read-only
 * directory and fails with EROFS instead of writing a container-local file that the next restart
 * loses without a trace.
 *
 * Pure pod-spec transformations, used by applyStateProxy: `withoutGuards` removes every guard a
 * previous render added (by the reserved prefix, so renamed or removed mounts lose theirs too),
 * `guardPieces` builds the current ones, `guardConflicts` refuses an earlier step's runtime mount
 * that would collide with a guard.
 */
import type { V1Container, V1PodSpec, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { StateProxyEntry } from '../schema/async-actor.js';
import type { FieldIssue, PathSegment } from '../schema/issues.js';
import { GUARD_VOLUME_PREFIX } from '../schema/reserved.js';
import { volumeMountRelation } from '../schema/rules.js';
import { withList } from './objects.js';

export { GUARD_VOLUME_PREFIX };

export const guardVolumeName = (mountName: string): string => `${GUARD_VOLUME_PREFIX}${mountName}`;

export const isGuardVolumeName = (name: unknown): boolean => typeof name === 'string' && name.startsWith(GUARD_VOLUME_PREFIX);

/** The mount's own `mount.guard` wins over the platform default (step input `mountGuard`). */
export const isGuarded = (entry: StateProxyEntry, platformDefault: boolean): boolean => entry.mount.guard ?? platformDefault;

export interface GuardPieces {
  readonly volumes: V1Volume[];
  readonly runtimeMounts: V1VolumeMount[];
}

/** In mount order, so the output follows the spec and is deterministic. */
export function guardPieces(mounts: readonly StateProxyEntry[], platformDefault: boolean): GuardPieces {
  const guarded = mounts.filter((m) => isGuarded(m, platformDefault));
  return {
    volumes: guarded.map((m) => ({ name: guardVolumeName(m.name), emptyDir: {} })),
    runtimeMounts: guarded.map((m) => ({ name: guardVolumeName(m.name), mountPath: m.mount.path, readOnly: true })),
  };
}

function withoutGuardMounts(container: V1Container): V1Container {
  const mounts = container.volumeMounts;
  if (mounts === undefined || !mounts.some((m) => isGuardVolumeName(m.name))) return container;
  return withList(container, 'volumeMounts', mounts.filter((m) => !isGuardVolumeName(m.name)), true);
}

/**
 * Every guard volume, and every mount of one on any container (a guard on another container, an
 * earlier render's or a copy of it, would otherwise point at a volume that no longer exists).
 * Containers without guard mounts are returned as they are (same object).
 */
export function withoutGuards(spec: V1PodSpec): V1PodSpec {
  let out = spec;
  const volumes = spec.volumes;
  if (volumes !== undefined && volumes.some((v) => isGuardVolumeName(v.name))) {
    out = withList(out, 'volumes', volumes.filter((v) => !isGuardVolumeName(v.name)), true);
  }
  for (const key of ['initContainers', 'containers'] as const) {
    const list = out[key];
    if (list === undefined) continue;
    const mapped = list.map(withoutGuardMounts);
    if (mapped.some((c, i) => c !== list[i])) out = { ...out, [key]: mapped };
  }
  return out;
}

const RELATION_TEXT = {
  equal: 'is at',
  inside: 'is inside',
  contains: 'contains',
} as const;

/**
 * Runtime mounts from an earlier step (not ours) that would collide with a guard: at the same
 * path the API server refuses the pod (mount paths are unique in a container); inside it the
 * kubelet cannot create the mount point in the read-only guard. Above it is refused too, as the
 * AsyncActor rule does: the actor then keeps state in a volume the proxy's paths cut through.
 */
export function guardConflicts(
  runtimeMounts: readonly V1VolumeMount[],
  mounts: readonly StateProxyEntry[],
  platformDefault: boolean,
  pathOf: (index: number) => PathSegment[],
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  runtimeMounts.forEach((vm, j) => {
    if (isGuardVolumeName(vm.name) || typeof vm.mountPath !== 'string') return;
    mounts.forEach((m, i) => {
      if (!isGuarded(m, platformDefault)) return;
      const relation = volumeMountRelation(m.mount.path, vm.mountPath);
      if (relation === undefined) return;
      issues.push({
        path: [...pathOf(j), 'mountPath'],
        rule: 'guard-mount-conflict',
        message: `the runtime container's volume mount ${JSON.stringify(vm.name)} at ${vm.mountPath} ${RELATION_TEXT[relation]} the mount path of spec.stateProxy[${i}] (${m.mount.path}), where the mount's read-only guard goes; move that volume mount or set spec.stateProxy[${i}].mount.guard: false`,
      });
    });
  });
  return issues;
}
