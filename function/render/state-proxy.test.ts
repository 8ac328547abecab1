import type { V1Container, V1PodTemplateSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { StateProxyEntry } from '../schema/async-actor.js';
import { renderDeployment } from './deployment.js';
import { DEFAULT_INPUT, cache, deepFreeze, makeActor, makeInput, weights } from './fixtures.testkit.js';
import { applyStateProxy, type StateProxyOptions, stateProxyOptions } from './state-proxy.js';

const ok = <T>(r: { ok: true; value: T } | { ok: false; issues: unknown }): T => {
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
};
const names = (list: readonly V1Container[] | undefined) => (list ?? []).map((c) => c.name);
const template = (actor = makeActor(), input = DEFAULT_INPUT) => renderDeployment(actor, input).spec!.template;
const mountsOf = (...raw: object[]): StateProxyEntry[] => makeActor({ stateProxy: raw as never }).spec.stateProxy ?? [];

const native: StateProxyOptions = stateProxyOptions(makeActor(), DEFAULT_INPUT);
const containers: StateProxyOptions = { ...native, sidecarMode: 'containers' };

/** A pod like upstream's go-templating renders (connectors as ordinary containers, no probes). */
function upstreamPod(): V1PodTemplateSpec {
  return {
    metadata: { labels: { app: 'x' } },
    spec: {
      containers: [
        {
          name: 'asya-runtime',
          image: 'img',
          env: [
            { name: 'ASYA_SOCKET_DIR', value: '/var/run/asya' },
            { name: 'ASYA_STATE_PROXY_MOUNTS', value: 'old:/state/old:write=buffered' },
            { name: 'ASYA_HANDLER', value: 'h.f' },
          ],
          volumeMounts: [
            { name: 'socket-dir', mountPath: '/var/run/asya' },
            { name: 'state-sockets', mountPath: '/var/run/asya/state' },
            { name: 'data', mountPath: '/data' },
          ],
        },
        { name: 'asya-sidecar', image: 'sidecar' },
        { name: 'asya-state-proxy-old', image: 'ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww:v0' },
        { name: 'user-sidecar', image: 'u' },
      ],
      volumes: [
        { name: 'socket-dir', emptyDir: {} },
        { name: 'state-sockets', emptyDir: { medium: 'Memory' } },
        { name: 'data', emptyDir: {} },
      ],
    },
  };
}

describe('applyStateProxy', () => {
  const mounts = deepFreeze(mountsOf(weights, cache));

  it('never mutates its argument', () => {
    const pod = deepFreeze(upstreamPod());
    const before = JSON.stringify(pod);
    const out = ok(applyStateProxy(pod, mounts, native));
    expect(JSON.stringify(pod)).toBe(before);
    expect(out).not.toBe(pod);
  });

  it('is idempotent, byte for byte, in every mode and profile', () => {
    for (const options of [native, containers, { ...native, securityProfile: 'restricted' as const }, { ...containers, securityProfile: 'restricted' as const }]) {
      for (const start of [template(), upstreamPod()]) {
        const once = ok(applyStateProxy(start, mounts, options));
        const twice = ok(applyStateProxy(once, mounts, options));
        expect(JSON.stringify(twice)).toBe(JSON.stringify(once));
      }
    }
  });

  it('replaces an older render: old connectors go, env var replaced and last, volume and mount not duplicated', () => {
    const out = ok(applyStateProxy(upstreamPod(), mounts, native)).spec!;
    expect(names(out.containers)).toEqual(['asya-runtime', 'asya-sidecar', 'user-sidecar']);
    expect(names(out.initContainers)).toEqual(['asya-state-proxy-weights', 'asya-state-proxy-cache']);
    const runtime = out.containers[0]!;
    expect(runtime.env).toEqual([
      { name: 'ASYA_SOCKET_DIR', value: '/var/run/asya' },
      { name: 'ASYA_HANDLER', value: 'h.f' },
      { name: 'ASYA_STATE_PROXY_MOUNTS', value: 'weights:/state/weights:write=buffered;cache:/state/cache:write=passthrough' },
    ]);
    // Re-added where it was, exactly once, as the contract's plain emptyDir.
    expect(runtime.volumeMounts?.map((m) => m.name)).toEqual(['socket-dir', 'state-sockets', 'state-guard-weights', 'state-guard-cache', 'data']);
    expect(out.volumes).toEqual([
      { name: 'socket-dir', emptyDir: {} },
      { name: 'state-sockets', emptyDir: {} },
      { name: 'state-guard-weights', emptyDir: {} },
      { name: 'state-guard-cache', emptyDir: {} },
      { name: 'data', emptyDir: {} },
    ]);
  });

  it('containers mode places connectors after asya-sidecar even when old ones sat elsewhere', () => {
    const out = ok(applyStateProxy(upstreamPod(), mounts, containers)).spec!;
    expect(names(out.containers)).toEqual(['asya-runtime', 'asya-sidecar', 'asya-state-proxy-weights', 'asya-state-proxy-cache', 'user-sidecar']);
    expect(out).not.toHaveProperty('initContainers');
  });

  it('converges: a render switched between modes or mount sets equals a fresh render', () => {
    const cases: Array<[object[], 'native' | 'containers', object[], 'native' | 'containers']> = [
      [[weights, cache], 'native', [cache], 'containers'],
      [[weights], 'containers', [weights, cache], 'native'],
      [[weights, cache], 'native', [], 'native'],
      [[cache], 'containers', [], 'containers'],
      [[], 'native', [weights], 'native'],
    ];
    for (const [fromMounts, fromMode, toMounts, toMode] of cases) {
      const input = makeInput({ sidecar: { image: 's' } });
      const old = template(makeActor({ stateProxy: fromMounts as never, stateProxySidecarMode: fromMode, sidecars: [{ name: 'u', image: 'u' }] }), input);
      const target = makeActor({ stateProxy: toMounts as never, stateProxySidecarMode: toMode, sidecars: [{ name: 'u', image: 'u' }] });
      const converged = ok(applyStateProxy(old, target.spec.stateProxy ?? [], stateProxyOptions(target, input)));
      expect(JSON.stringify(converged)).toBe(JSON.stringify(template(target, input)));
    }
  });

  it('zero mounts removes every piece, from either list', () => {
    for (const options of [native, containers]) {
      const rendered = ok(applyStateProxy(upstreamPod(), mounts, options));
      const json = JSON.stringify(ok(applyStateProxy(rendered, [], options)));
      for (const needle of ['state-sockets', 'ASYA_STATE_PROXY_MOUNTS', 'asya-state-proxy-']) expect(json).not.toContain(needle);
    }
  });

  it('keeps an init container list the author wrote empty', () => {
    const pod: V1PodTemplateSpec = { spec: { initContainers: [], containers: [{ name: 'asya-runtime' }] } };
    expect(ok(applyStateProxy(pod, [], native)).spec?.initContainers).toEqual([]);
  });

  it('refuses a pod without the runtime container, naming the input field', () => {
    const result = applyStateProxy({ spec: { containers: [{ name: 'main' }] } }, mounts, native);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues).toEqual([
        expect.objectContaining({ path: ['input', 'runtimeContainerName'], rule: 'runtime-container-missing' }),
      ]);
      expect(result.issues[0]?.message).toContain('"main"');
    }
    expect(ok(applyStateProxy({ spec: { containers: [{ name: 'main' }] } }, mounts, { ...native, runtimeContainerName: 'main' })).spec?.containers[0]?.env?.at(-1)?.name).toBe(
      'ASYA_STATE_PROXY_MOUNTS',
    );
  });

  it('adds a tmp volume for read-only connectors when the pod has none', () => {
    const pod: V1PodTemplateSpec = { spec: { containers: [{ name: 'asya-runtime' }], volumes: [{ name: 'socket-dir', emptyDir: {} }, { name: 'x', emptyDir: {} }] } };
    const out = ok(applyStateProxy(pod, mounts, { ...native, securityProfile: 'restricted' })).spec!;
    expect(out.volumes?.map((v) => v.name)).toEqual(['socket-dir', 'tmp', 'state-sockets', 'state-guard-weights', 'state-guard-cache', 'x']);
  });

  it('restricted hardens user containers without overriding explicit values', () => {
    const pod: V1PodTemplateSpec = {
      spec: {
        containers: [
          { name: 'asya-runtime' },
          { name: 'mine', securityContext: { capabilities: { add: ['NET_BIND_SERVICE'] }, allowPrivilegeEscalation: true } },
        ],
        securityContext: { runAsUser: 4242 },
      },
    };
    const out = ok(applyStateProxy(pod, [], { ...native, securityProfile: 'restricted' })).spec!;
    expect(out.securityContext).toEqual({ runAsUser: 4242, runAsNonRoot: true, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(out.containers[1]?.securityContext).toEqual({ capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] }, allowPrivilegeEscalation: true });
    expect(out.containers[0]?.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });
});

describe('stateProxyOptions', () => {
  it('copies the input and lets the actor override the sidecar mode', () => {
    const input = makeInput({ sidecarMode: 'containers', securityProfile: 'restricted', runAsUser: 7, runAsGroup: 8, startupProbeFailureThreshold: 9, defaultConnectorResources: { limits: { cpu: '1' } } });
    expect(stateProxyOptions(makeActor(), input)).toStrictEqual({
      runtimeContainerName: 'asya-runtime',
      sidecarMode: 'containers',
      securityProfile: 'restricted',
      runAsUser: 7,
      runAsGroup: 8,
      startupProbeFailureThreshold: 9,
      mountGuard: true,
      defaultConnectorResources: { limits: { cpu: '1' } },
    });
    expect(stateProxyOptions(makeActor({ stateProxySidecarMode: 'native' }), input).sidecarMode).toBe('native');
    expect(stateProxyOptions(makeActor(), DEFAULT_INPUT)).not.toHaveProperty('defaultConnectorResources');
  });
});
