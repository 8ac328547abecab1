/**
 * The benchmark actor and step input, shared by `npm run bench` and test/bench-peer.test.ts.
 *
 * A realistic actor: user labels (and one Crossplane label that must not reach the pod), runtime
 * env with a literal and a valueFrom, a secretRefs key, resources, a user volume and mount, and N
 * state proxy mounts cycling through the check-and-set connector flavours, each with a literal
 * env var, a secret reference and resources. The step input configures the queue sidecar, so the
 * pod has asya-runtime, asya-sidecar and N native-sidecar connectors.
 */
import type { RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import { buildRequest } from '../function/offline.js';

type Obj = Record<string, unknown>;

const FLAVOURS = [
  { image: 'ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-cas:v1.0.0', env: { name: 'STATE_BUCKET', value: 'bench-state' } },
  { image: 'ghcr.io/deliveryhero/asya-state-proxy-gcs-buffered-cas:v1.0.0', env: { name: 'STATE_BUCKET', value: 'bench-state-gcs' } },
  { image: 'ghcr.io/deliveryhero/asya-state-proxy-redis-buffered-cas:v1.0.0', env: { name: 'REDIS_URL', value: 'redis://redis.state:6379/0' } },
] as const;

export function benchMount(i: number): Obj {
  const flavour = FLAVOURS[i % FLAVOURS.length]!;
  return {
    name: `mount-${i}`,
    mount: { path: `/state/m${i}` },
    ...(i % 2 === 1 ? { writeMode: 'buffered' } : {}),
    connector: {
      image: flavour.image,
      env: [
        { ...flavour.env },
        { name: 'STATE_PREFIX', value: `bench/m${i}` },
        { name: 'ACCESS_TOKEN', valueFrom: { secretKeyRef: { name: 'state-credentials', key: 'token' } } },
      ],
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } },
    },
  };
}

export function benchActor(mounts: number, name = 'bench-actor'): Obj {
  return {
    apiVersion: 'asya.sh/v1alpha1',
    kind: 'AsyncActor',
    metadata: {
      name,
      namespace: 'bench',
      labels: { team: 'ml', tier: 'gold', 'crossplane.io/composite': name },
    },
    spec: {
      image: 'ghcr.io/example/bench-actor:1.2.3',
      handler: 'bench.Actor.process',
      env: [
        { name: 'LOG_LEVEL', value: 'info' },
        { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      ],
      secretRefs: [{ secretName: 'bench-secrets', keys: [{ key: 'api-key', envVar: 'API_KEY' }] }],
      resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } },
      volumes: [{ name: 'models', configMap: { name: 'bench-models' } }],
      volumeMounts: [{ name: 'models', mountPath: '/models', readOnly: true }],
      scaling: { minReplicaCount: 0, maxReplicaCount: 10 },
      stateProxy: Array.from({ length: mounts }, (_, i) => benchMount(i)),
    },
  };
}

/** Our step input: the platform's queue sidecar; native sidecars and the default profile. */
export const BENCH_INPUT: Obj = {
  apiVersion: 'stateproxy.fn.asya.sh/v1alpha1',
  kind: 'Input',
  sidecar: {
    image: 'ghcr.io/deliveryhero/asya-sidecar:v1.0.0',
    env: [
      { name: 'ASYA_TRANSPORT', value: 'sqs' },
      { name: 'ASYA_LOG_LEVEL', value: 'info' },
    ],
  },
};

/** A request as Crossplane sends it (empty desired state, the XR observed). */
export function benchRequest(xr: Obj, input: Obj, tag = ''): RunFunctionRequest {
  return { ...buildRequest({ xr, input }), meta: { tag, capabilities: [] } };
}
