import type { V1Container, V1PodSpec, V1PodTemplateSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { StateProxyEntry } from '../schema/async-actor.js';
import { volumeMountRelation } from '../schema/rules.js';
import { augmentDeployment, renderDeployment } from './deployment.js';
import { DEFAULT_INPUT, cache, deepFreeze, makeActor, makeInput, weights } from './fixtures.testkit.js';
import { guardConflicts, guardPieces, guardVolumeName, isGuarded, withoutGuards } from './guard.js';
import { applyStateProxy, stateProxyOptions } from './state-proxy.js';

const ok = <T>(r: { ok: true; value: T } | { ok: false; issues: unknown }): T => {
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
};
const mountsOf = (...raw: object[]): StateProxyEntry[] => makeActor({ stateProxy: raw as never }).spec.stateProxy ?? [];
const podOf = (actor = makeActor({ stateProxy: [weights, cache] }), input = DEFAULT_INPUT): V1PodSpec => renderDeployment(actor, input).spec!.template.spec!;
const runtimeOf = (pod: V1PodSpec): V1Container => pod.containers.find((c) => c.name === 'asya-runtime')!;
const guardsIn = (pod: V1PodSpec) => ({
  volumes: (pod.volumes ?? []).filter((v) => v.name.startsWith('state-guard-')),
  mounts: [...pod.containers, ...(pod.initContainers ?? [])].flatMap((c) =>
    (c.volumeMounts ?? []).filter((m) => m.name.startsWith('state-guard-')).map((m) => ({ container: c.name, ...m })),
  ),
});

describe('mount guards in the rendered pod', () => {
  it('by default: one read-only emptyDir per mount, on the runtime container only, at exactly the mount path', () => {
    for (const sidecarMode of ['native', 'containers'] as const) {
      for (const securityProfile of ['default', 'restricted'] as const) {
        const pod = podOf(makeActor({ stateProxy: [weights, cache] }), makeInput({ sidecarMode, securityProfile, sidecar: { image: 's' } }));
        expect(guardsIn(pod)).toEqual({
          volumes: [
            { name: 'state-guard-weights', emptyDir: {} },
            { name: 'state-guard-cache', emptyDir: {} },
          ],
          mounts: [
            { container: 'asya-runtime', name: 'state-guard-weights', mountPath: '/state/weights', readOnly: true },
            { container: 'asya-runtime', name: 'state-guard-cache', mountPath: '/state/cache', readOnly: true },
          ],
        });
      }
    }
  });

  it('follows the socket entry in volumes and in the runtime mounts', () => {
    const pod = podOf();
    expect((pod.volumes ?? []).map((v) => v.name)).toEqual(['socket-dir', 'tmp', 'asya-runtime', 'state-sockets', 'state-guard-weights', 'state-guard-cache']);
    expect(runtimeOf(pod).volumeMounts?.map((m) => m.name)).toEqual(['socket-dir', 'tmp', 'asya-runtime', 'state-sockets', 'state-guard-weights', 'state-guard-cache']);
  });

  it('input mountGuard: false turns them off; mount.guard overrides the input either way', () => {
    expect(guardsIn(podOf(makeActor({ stateProxy: [weights, cache] }), makeInput({ mountGuard: false })))).toEqual({ volumes: [], mounts: [] });
    const mixed = makeActor({ stateProxy: [{ ...weights, mount: { ...weights.mount, guard: false } }, { ...cache, mount: { ...cache.mount, guard: true } }] });
    for (const mountGuard of [true, false]) {
      expect(guardsIn(podOf(mixed, makeInput({ mountGuard }))).volumes.map((v) => v.name)).toEqual(['state-guard-cache']);
    }
  });

  it('an actor without mounts gets none', () => {
    expect(guardsIn(podOf(makeActor()))).toEqual({ volumes: [], mounts: [] });
  });

  it('names fit 63 characters for the longest mount name', () => {
    expect(guardVolumeName('a'.repeat(46))).toHaveLength(58);
  });
});

describe('re-rendering and augmenting', () => {
  const mounts = deepFreeze(mountsOf(weights, cache));
  const options = stateProxyOptions(makeActor(), DEFAULT_INPUT);

  it('a re-render of our own output is byte-identical, in every mode and profile', () => {
    for (const sidecarMode of ['native', 'containers'] as const) {
      for (const securityProfile of ['default', 'restricted'] as const) {
        const opts = { ...options, sidecarMode, securityProfile };
        const once = ok(applyStateProxy(renderDeployment(makeActor({ stateProxy: [weights, cache] }), makeInput({ sidecarMode, securityProfile })).spec!.template, mounts, opts));
        expect(JSON.stringify(ok(applyStateProxy(once, mounts, opts)))).toBe(JSON.stringify(once));
      }
    }
  });

  it('a removed mount loses its guard, a renamed one gets the new name, a switched-off one none', () => {
    const before = renderDeployment(makeActor({ stateProxy: [weights, cache] }), DEFAULT_INPUT).spec!.template;
    const cases: Array<[object[], string[]]> = [
      [[cache], ['state-guard-cache']],
      [[{ ...weights, name: 'model' }], ['state-guard-model']],
      [[{ ...weights, mount: { ...weights.mount, guard: false } }, cache], ['state-guard-cache']],
      [[], []],
    ];
    for (const [spec, expected] of cases) {
      const target = makeActor({ stateProxy: spec as never });
      const out = ok(applyStateProxy(before, target.spec.stateProxy ?? [], stateProxyOptions(target, DEFAULT_INPUT))).spec!;
      const guards = guardsIn(out);
      expect(guards.volumes.map((v) => v.name)).toEqual(expected);
      expect(guards.mounts.map((m) => m.name)).toEqual(expected);
      // Converged: the same bytes as a fresh render of the target.
      expect(JSON.stringify(out)).toBe(JSON.stringify(renderDeployment(target, DEFAULT_INPUT).spec!.template.spec));
    }
  });

  it('an upstream pod (no guards yet) gets them; guard mounts a copy left on another container are removed', () => {
    const upstream: V1PodTemplateSpec = {
      spec: {
        containers: [
          { name: 'asya-runtime', volumeMounts: [{ name: 'socket-dir', mountPath: '/var/run/asya' }, { name: 'state-sockets', mountPath: '/var/run/asya/state' }] },
          { name: 'asya-sidecar', volumeMounts: [{ name: 'state-guard-old', mountPath: '/state/old', readOnly: true }] },
          { name: 'asya-state-proxy-old', image: 'old' },
        ],
        volumes: [{ name: 'socket-dir', emptyDir: {} }, { name: 'state-sockets', emptyDir: {} }, { name: 'state-guard-old', emptyDir: {} }],
      },
    };
    const out = ok(applyStateProxy(deepFreeze(upstream), mounts, options)).spec!;
    expect(guardsIn(out).mounts.map((m) => [m.container, m.name])).toEqual([
      ['asya-runtime', 'state-guard-weights'],
      ['asya-runtime', 'state-guard-cache'],
    ]);
    expect(out.volumes?.map((v) => v.name)).toEqual(['socket-dir', 'state-sockets', 'state-guard-weights', 'state-guard-cache']);
    expect(out.containers[1]).toEqual({ name: 'asya-sidecar' });
  });

  it("refuses an earlier step's runtime volume mount at, inside or above a guarded mount path, at its desired path", () => {
    for (const mountPath of ['/state/weights', '/state/weights/', '/state/weights/lora', '/state']) {
      const existing = renderDeployment(makeActor(), DEFAULT_INPUT) as unknown as Record<string, unknown>;
      const pod = (existing['spec'] as { template: { spec: V1PodSpec } }).template.spec;
      runtimeOf(pod).volumeMounts!.push({ name: 'data', mountPath });
      const actor = makeActor({ stateProxy: [weights] });
      const result = augmentDeployment(existing, actor, DEFAULT_INPUT);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.issues.map((i) => [i.rule, i.path])).toEqual([
          ['guard-mount-conflict', ['desired', 'resources', 'deployment', 'spec', 'template', 'spec', 'containers', 0, 'volumeMounts', 3, 'mountPath']],
        ]);
        expect(result.issues[0]?.message).toContain('spec.stateProxy[0].mount.guard: false');
      }
      // With the guard off for that mount, the same Deployment is augmented.
      const off = makeActor({ stateProxy: [{ ...weights, mount: { ...weights.mount, guard: false } }] });
      expect(augmentDeployment(existing, off, DEFAULT_INPUT).ok).toBe(true);
    }
  });
});

describe('the pure pieces', () => {
  it('isGuarded: mount.guard, else the platform default', () => {
    const [plain, on, off] = mountsOf(weights, { ...cache, mount: { ...cache.mount, guard: true } }, { name: 'c', mount: { path: '/c', guard: false }, connector: { image: 'x' } });
    expect([true, false].map((d) => [isGuarded(plain!, d), isGuarded(on!, d), isGuarded(off!, d)])).toEqual([
      [true, true, false],
      [false, true, false],
    ]);
  });

  it('guardPieces keeps mount order', () => {
    expect(guardPieces(mountsOf(cache, weights), true).volumes.map((v) => v.name)).toEqual(['state-guard-cache', 'state-guard-weights']);
  });

  it('withoutGuards returns the same object when there is nothing to remove', () => {
    const pod = podOf(makeActor({ stateProxy: [weights] }), makeInput({ mountGuard: false }));
    expect(withoutGuards(pod)).toBe(pod);
  });

  it('guardConflicts ignores our own guards and unguarded mounts', () => {
    const at = (j: number) => ['x', j];
    const mounts = mountsOf(weights);
    expect(guardConflicts([{ name: 'state-guard-weights', mountPath: '/state/weights' }], mounts, true, at)).toEqual([]);
    expect(guardConflicts([{ name: 'data', mountPath: '/state/weights' }], mounts, false, at)).toEqual([]);
    expect(guardConflicts([{ name: 'data', mountPath: '/state/weights-2' }], mounts, true, at)).toEqual([]);
  });

  it('volumeMountRelation: equal (trailing / too), inside, contains, or unrelated', () => {
    expect(volumeMountRelation('/state/a', '/state/a')).toBe('equal');
    expect(volumeMountRelation('/state/a', '/state/a/')).toBe('equal');
    expect(volumeMountRelation('/state/a', '/state/a/b')).toBe('inside');
    expect(volumeMountRelation('/state/a', '/state')).toBe('contains');
    expect(volumeMountRelation('/state/a', '/state/')).toBe('contains');
    expect(volumeMountRelation('/state/a', '/')).toBe('contains');
    expect(volumeMountRelation('/state/a', '/state/ab')).toBeUndefined();
    expect(volumeMountRelation('/state/ab', '/state/a')).toBeUndefined();
  });
});
