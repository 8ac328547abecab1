import type { V1Container, V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { renderDeployment } from './deployment.js';
import { DEFAULT_INPUT, cache, deepFreeze, makeActor, makeInput, weights } from './fixtures.testkit.js';

const names = (list: readonly V1Container[] | undefined) => (list ?? []).map((c) => c.name);
const pod = (d: V1Deployment) => d.spec?.template.spec;
const container = (d: V1Deployment, name: string) =>
  [...(pod(d)?.initContainers ?? []), ...(pod(d)?.containers ?? [])].find((c) => c.name === name);

const PROBE_CMD = ['sh', '-c', 'test -S /var/run/asya/asya-runtime.sock && test -f /var/run/asya/runtime-ready'];

describe('renderDeployment: the pod upstream renders (contract §1)', () => {
  const actor = deepFreeze(
    makeActor(
      {
        actor: 'summarizer',
        env: [{ name: 'LOG_LEVEL', value: 'debug' }, { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
        secretRefs: [{ secretName: 'openai', keys: [{ key: 'api-key', envVar: 'OPENAI_API_KEY' }, { key: 'org', envVar: 'OPENAI_ORG' }] }],
        resources: { limits: { memory: '1Gi' } },
        volumes: [{ name: 'models', persistentVolumeClaim: { claimName: 'models' } }],
        volumeMounts: [{ name: 'models', mountPath: '/models' }],
        nodeSelector: { pool: 'gpu' },
        tolerations: [{ key: 'gpu', operator: 'Exists' }],
        initContainers: [{ name: 'fetch', image: 'busybox' }],
        sidecars: [{ name: 'metrics', image: 'prom/statsd-exporter' }],
        stateProxy: [weights, cache],
      },
      { labels: { team: 'ml', 'crossplane.io/composite': 'x', 'app.kubernetes.io/name': 'spoof' } },
    ),
  );
  const input = deepFreeze(makeInput({ sidecar: { image: 'ghcr.io/deliveryhero/asya-sidecar:v1', env: [{ name: 'ASYA_TRANSPORT', value: 'sqs' }] } }));
  const d = renderDeployment(actor, input);

  it('names the Deployment after the actor, with no namespace, and the platform labels', () => {
    expect(d.apiVersion).toBe('apps/v1');
    expect(d.kind).toBe('Deployment');
    expect(d.metadata).toEqual({
      name: 'summarizer',
      labels: {
        team: 'ml',
        'app.kubernetes.io/name': 'summarizer',
        'app.kubernetes.io/component': 'actor',
        'app.kubernetes.io/part-of': 'asya',
        'app.kubernetes.io/managed-by': 'crossplane',
        'asya.sh/actor': 'summarizer',
      },
    });
    expect(d.spec?.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'summarizer' } });
    expect(d.spec?.template.metadata?.labels).toEqual(d.metadata?.labels);
    expect(pod(d)?.terminationGracePeriodSeconds).toBe(30);
  });

  it('omits replicas while an autoscaler owns them', () => {
    expect(d.spec).not.toHaveProperty('replicas');
  });

  it('renders replicas when scaling is disabled', () => {
    const fixed = renderDeployment(makeActor({ replicas: 3, scaling: { enabled: false } }), DEFAULT_INPUT);
    expect(fixed.spec?.replicas).toBe(3);
    expect(Object.keys(fixed.spec ?? {})).toEqual(['replicas', 'selector', 'template']);
  });

  it('orders containers runtime, queue sidecar, user sidecars; connectors after user init containers', () => {
    expect(names(pod(d)?.containers)).toEqual(['asya-runtime', 'asya-sidecar', 'metrics']);
    expect(names(pod(d)?.initContainers)).toEqual(['fetch', 'asya-state-proxy-weights', 'asya-state-proxy-cache']);
  });

  it('orders volumes socket-dir, tmp, asya-runtime, state-sockets, the mount guards, then the user volumes', () => {
    expect(pod(d)?.volumes).toEqual([
      { name: 'socket-dir', emptyDir: {} },
      { name: 'tmp', emptyDir: {} },
      { name: 'asya-runtime', configMap: { name: 'asya-runtime', defaultMode: 0o755 } },
      { name: 'state-sockets', emptyDir: {} },
      { name: 'state-guard-weights', emptyDir: {} },
      { name: 'state-guard-cache', emptyDir: {} },
      { name: 'models', persistentVolumeClaim: { claimName: 'models' } },
    ]);
  });

  it('renders the runtime container exactly', () => {
    expect(container(d, 'asya-runtime')).toStrictEqual({
      name: 'asya-runtime',
      image: 'ghcr.io/acme/inference:1.2.3',
      imagePullPolicy: 'IfNotPresent',
      command: ['python3', '/opt/asya/asya_runtime.py'],
      env: [
        { name: 'ASYA_SOCKET_DIR', value: '/var/run/asya' },
        { name: 'ASYA_HANDLER', value: 'app.handler.process' },
        { name: 'LOG_LEVEL', value: 'debug' },
        { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'OPENAI_API_KEY', valueFrom: { secretKeyRef: { name: 'openai', key: 'api-key' } } },
        { name: 'OPENAI_ORG', valueFrom: { secretKeyRef: { name: 'openai', key: 'org' } } },
        { name: 'ASYA_STATE_PROXY_MOUNTS', value: 'weights:/state/weights:write=buffered;cache:/state/cache:write=passthrough' },
      ],
      resources: { limits: { memory: '1Gi' } },
      volumeMounts: [
        { name: 'socket-dir', mountPath: '/var/run/asya' },
        { name: 'tmp', mountPath: '/tmp' },
        { name: 'asya-runtime', mountPath: '/opt/asya/asya_runtime.py', subPath: 'asya_runtime.py', readOnly: true },
        { name: 'state-sockets', mountPath: '/var/run/asya/state' },
        { name: 'state-guard-weights', mountPath: '/state/weights', readOnly: true },
        { name: 'state-guard-cache', mountPath: '/state/cache', readOnly: true },
        { name: 'models', mountPath: '/models' },
      ],
      startupProbe: { exec: { command: PROBE_CMD }, initialDelaySeconds: 3, periodSeconds: 2, timeoutSeconds: 3, failureThreshold: 150 },
      livenessProbe: { exec: { command: PROBE_CMD }, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 },
      readinessProbe: { exec: { command: PROBE_CMD }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
    });
  });

  it('renders the queue sidecar from the step input only', () => {
    expect(container(d, 'asya-sidecar')).toStrictEqual({
      name: 'asya-sidecar',
      image: 'ghcr.io/deliveryhero/asya-sidecar:v1',
      env: [{ name: 'ASYA_TRANSPORT', value: 'sqs' }],
      volumeMounts: [
        { name: 'socket-dir', mountPath: '/var/run/asya' },
        { name: 'tmp', mountPath: '/tmp' },
      ],
    });
    expect(names(pod(renderDeployment(actor, DEFAULT_INPUT))?.containers)).toEqual(['asya-runtime', 'metrics']);
  });

  it('passes scheduling fields and user containers through', () => {
    expect(pod(d)?.nodeSelector).toEqual({ pool: 'gpu' });
    // Shared, not copied (a 4 MiB nodeSelector is 300,000 keys): the actor is frozen here, so
    // anything later that wrote to the rendered map would throw.
    expect(pod(d)?.nodeSelector).toBe(actor.spec.nodeSelector);
    expect(pod(d)?.tolerations).toEqual([{ key: 'gpu', operator: 'Exists' }]);
    expect(container(d, 'fetch')).toEqual({ name: 'fetch', image: 'busybox' });
    expect(container(d, 'metrics')).toEqual({ name: 'metrics', image: 'prom/statsd-exporter' });
  });

  it('uses pythonExecutable and the input runtime container name', () => {
    const custom = renderDeployment(makeActor({ pythonExecutable: '/venv/bin/python' }), makeInput({ runtimeContainerName: 'main' }));
    expect(pod(custom)?.containers[0]?.name).toBe('main');
    expect(pod(custom)?.containers[0]?.command).toEqual(['/venv/bin/python', '/opt/asya/asya_runtime.py']);
  });

  it('without mounts has no state proxy pieces at all', () => {
    const plain = renderDeployment(makeActor(), DEFAULT_INPUT);
    const json = JSON.stringify(plain);
    expect(json).not.toContain('state-sockets');
    expect(json).not.toContain('ASYA_STATE_PROXY_MOUNTS');
    expect(json).not.toContain('asya-state-proxy-');
    expect(pod(plain)).not.toHaveProperty('initContainers');
    expect(Object.keys(pod(plain) ?? {})).toEqual(['terminationGracePeriodSeconds', 'containers', 'volumes']);
  });

  it('is deterministic and independent of label map order', () => {
    const a = makeActor({ stateProxy: [weights] }, { labels: { b: '2', a: '1' } });
    const b = makeActor({ stateProxy: [weights] }, { labels: { a: '1', b: '2' } });
    expect(JSON.stringify(renderDeployment(a, DEFAULT_INPUT))).toBe(JSON.stringify(renderDeployment(b, DEFAULT_INPUT)));
    expect(JSON.stringify(renderDeployment(actor, input))).toBe(JSON.stringify(d));
  });

  it('returns plain JSON (no class instances, nothing undefined)', () => {
    expect(JSON.parse(JSON.stringify(d))).toStrictEqual(d);
  });

  it('shares no objects with its inputs', () => {
    const mutable = makeActor({ stateProxy: [weights], sidecars: [{ name: 'x', image: 'y' }] });
    const out = renderDeployment(mutable, DEFAULT_INPUT);
    (pod(out)?.containers[1] as V1Container).image = 'changed';
    (pod(out)?.initContainers?.[0]?.env ?? [])[1]!.value = 'changed';
    expect(mutable.spec.sidecars?.[0]?.['image']).toBe('y');
    expect(mutable.spec.stateProxy?.[0]?.connector.env?.[0]?.value).toBe('my-model-weights');
  });
});

describe('renderDeployment: sidecar modes', () => {
  const actor = deepFreeze(makeActor({ stateProxy: [weights, cache], sidecars: [{ name: 'metrics', image: 'm' }], initContainers: [{ name: 'fetch', image: 'f' }] }));

  it('native (default): connectors are init containers with restartPolicy Always', () => {
    const p = pod(renderDeployment(actor, makeInput({ sidecar: { image: 's' } })));
    expect(names(p?.initContainers)).toEqual(['fetch', 'asya-state-proxy-weights', 'asya-state-proxy-cache']);
    expect(p?.initContainers?.slice(1).map((c) => c.restartPolicy)).toEqual(['Always', 'Always']);
    expect(names(p?.containers)).toEqual(['asya-runtime', 'asya-sidecar', 'metrics']);
  });

  it('containers: connectors after asya-sidecar, before user sidecars, no restartPolicy', () => {
    const p = pod(renderDeployment(actor, makeInput({ sidecar: { image: 's' }, sidecarMode: 'containers' })));
    expect(names(p?.initContainers)).toEqual(['fetch']);
    expect(names(p?.containers)).toEqual(['asya-runtime', 'asya-sidecar', 'asya-state-proxy-weights', 'asya-state-proxy-cache', 'metrics']);
    expect(p?.containers.some((c) => c.restartPolicy !== undefined)).toBe(false);
  });

  it('containers without a queue sidecar: connectors right after the runtime', () => {
    const p = pod(renderDeployment(actor, makeInput({ sidecarMode: 'containers' })));
    expect(names(p?.containers)).toEqual(['asya-runtime', 'asya-state-proxy-weights', 'asya-state-proxy-cache', 'metrics']);
  });

  it('the actor override beats the input', () => {
    const override = makeActor({ stateProxy: [weights], stateProxySidecarMode: 'containers' });
    expect(names(pod(renderDeployment(override, DEFAULT_INPUT))?.containers)).toEqual(['asya-runtime', 'asya-state-proxy-weights']);
    const back = makeActor({ stateProxy: [weights], stateProxySidecarMode: 'native' });
    expect(names(pod(renderDeployment(back, makeInput({ sidecarMode: 'containers' })))?.initContainers)).toEqual(['asya-state-proxy-weights']);
  });
});

describe('renderDeployment: restricted profile', () => {
  const d = renderDeployment(makeActor({ stateProxy: [weights] }), makeInput({ securityProfile: 'restricted', runAsUser: 2000, runAsGroup: 3000, sidecar: { image: 's' } }));

  it('sets one non-root user for the pod, placed before the containers', () => {
    expect(pod(d)?.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 2000, runAsGroup: 3000, fsGroup: 3000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(Object.keys(pod(d) ?? {})).toEqual(['terminationGracePeriodSeconds', 'securityContext', 'initContainers', 'containers', 'volumes']);
  });

  it('hardens the runtime and the queue sidecar with read-only roots', () => {
    const expected = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsNonRoot: true };
    expect(container(d, 'asya-runtime')?.securityContext).toEqual(expected);
    expect(container(d, 'asya-sidecar')?.securityContext).toEqual(expected);
  });

  it('gives connectors a writable /tmp from the pod tmp emptyDir', () => {
    expect(container(d, 'asya-state-proxy-weights')?.volumeMounts).toEqual([
      { name: 'state-sockets', mountPath: '/var/run/asya/state' },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
  });
});
