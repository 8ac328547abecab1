import { describe, expect, it } from 'vitest';
import type { StateProxyEntry } from '../schema/async-actor.js';
import { renderConnector } from './connector.js';
import { cache, deepFreeze, makeActor, weights } from './fixtures.testkit.js';

const entries = (...raw: object[]): StateProxyEntry[] => makeActor({ stateProxy: raw as never }).spec.stateProxy ?? [];
const base = { sidecarMode: 'native', securityProfile: 'default', startupProbeFailureThreshold: 60 } as const;

describe('renderConnector', () => {
  const [w, c] = deepFreeze(entries(weights, cache));

  it('renders the contract: name, socket env first, state-sockets mount, probe, defaults', () => {
    expect(renderConnector(w!, base)).toStrictEqual({
      name: 'asya-state-proxy-weights',
      image: 'ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww:v1.0.0',
      restartPolicy: 'Always',
      env: [
        { name: 'CONNECTOR_SOCKET', value: '/var/run/asya/state/weights.sock' },
        { name: 'STATE_BUCKET', value: 'my-model-weights' },
        { name: 'AWS_REGION', value: 'us-east-1' },
      ],
      resources: { requests: { cpu: '50m', memory: '64Mi' } },
      volumeMounts: [{ name: 'state-sockets', mountPath: '/var/run/asya/state' }],
      startupProbe: { exec: { command: ['sh', '-c', 'test -S /var/run/asya/state/weights.sock'] }, periodSeconds: 1, failureThreshold: 60 },
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
    });
  });

  it('keeps valueFrom env, envFrom and imagePullPolicy; no restartPolicy in containers mode', () => {
    const out = renderConnector(c!, { ...base, sidecarMode: 'containers', startupProbeFailureThreshold: 7 });
    expect(out.restartPolicy).toBeUndefined();
    expect(out.imagePullPolicy).toBe('Always');
    expect(out.env).toEqual([
      { name: 'CONNECTOR_SOCKET', value: '/var/run/asya/state/cache.sock' },
      { name: 'REDIS_URL', valueFrom: { secretKeyRef: { name: 'redis', key: 'url' } } },
    ]);
    expect(out.envFrom).toEqual([{ configMapRef: { name: 'redis-settings' } }]);
    expect(out.startupProbe?.failureThreshold).toBe(7);
    expect(out).not.toHaveProperty('livenessProbe');
  });

  it('uses default resources only when the mount sets none', () => {
    const defaults = { requests: { cpu: '10m' } };
    expect(renderConnector(c!, { ...base, defaultConnectorResources: defaults }).resources).toEqual(defaults);
    expect(renderConnector(w!, { ...base, defaultConnectorResources: defaults }).resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' } });
    expect(renderConnector(c!, base)).not.toHaveProperty('resources');
  });

  it('lets the user securityContext win field by field, keeping the default drop when only add is set', () => {
    const [e] = entries({ ...weights, connector: { ...weights.connector, securityContext: { runAsUser: 1000, capabilities: { add: ['NET_BIND_SERVICE'] }, allowPrivilegeEscalation: true } } });
    expect(renderConnector(e!, base).securityContext).toStrictEqual({
      allowPrivilegeEscalation: true,
      capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] },
      runAsUser: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  it('restricted: read-only root, non-root, and /tmp from the pod tmp volume', () => {
    const out = renderConnector(w!, { ...base, securityProfile: 'restricted' });
    expect(out.securityContext).toStrictEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(out.volumeMounts).toEqual([
      { name: 'state-sockets', mountPath: '/var/run/asya/state' },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
  });

  it('a user who makes the root read-only also gets /tmp', () => {
    const [e] = entries({ ...weights, connector: { ...weights.connector, securityContext: { readOnlyRootFilesystem: true } } });
    expect(renderConnector(e!, base).volumeMounts?.map((m) => m.name)).toEqual(['state-sockets', 'tmp']);
  });
});
