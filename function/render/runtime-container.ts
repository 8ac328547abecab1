/**
 * The `asya-runtime` container exactly as upstream renders it (`contract.md` §1), before the state
 * proxy: `applyStateProxy` adds the socket mount and `ASYA_STATE_PROXY_MOUNTS`, so the same code
 * path serves fresh renders and Deployments from earlier steps.
 */
import type { V1Container, V1EnvVar, V1EnvVarSource, V1Probe, V1ResourceRequirements, V1VolumeMount } from '@kubernetes/client-node';
import type { SecurityProfile } from '../input/schema.js';
import type { AsyncActor } from '../schema/async-actor.js';
import {
  DEFAULT_PYTHON,
  RUNTIME_SCRIPT_FILE,
  RUNTIME_SCRIPT_PATH,
  RUNTIME_SCRIPT_VOLUME,
  SOCKET_DIR,
  SOCKET_DIR_VOLUME,
  TMP_DIR,
  TMP_VOLUME,
} from './constants.js';
import { asK8s, copyJson } from './objects.js';
import { platformSecurityContext } from './security.js';
import { kubeletLiteral } from './kubelet-literal.js';

const READY_CHECK = ['sh', '-c', `test -S ${SOCKET_DIR}/asya-runtime.sock && test -f ${SOCKET_DIR}/runtime-ready`];

/** The runtime's socket and ready marker; the numbers are upstream's (slow imports get 5 minutes). */
export const runtimeProbes = (): Pick<V1Container, 'startupProbe' | 'livenessProbe' | 'readinessProbe'> => ({
  startupProbe: { exec: { command: [...READY_CHECK] }, initialDelaySeconds: 3, periodSeconds: 2, timeoutSeconds: 3, failureThreshold: 150 } satisfies V1Probe,
  livenessProbe: { exec: { command: [...READY_CHECK] }, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 } satisfies V1Probe,
  readinessProbe: { exec: { command: [...READY_CHECK] }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 } satisfies V1Probe,
});

/** User env in order (value or valueFrom as given), then each secretRefs key as a secretKeyRef. */
export function runtimeEnv(actor: AsyncActor): V1EnvVar[] {
  const env: V1EnvVar[] = [
    { name: 'ASYA_SOCKET_DIR', value: SOCKET_DIR },
    { name: 'ASYA_HANDLER', value: kubeletLiteral(actor.spec.handler) },
  ];
  for (const e of actor.spec.env ?? []) {
    env.push({
      name: e.name,
      ...(e.value === undefined ? {} : { value: e.value }),
      ...(e.valueFrom === undefined ? {} : { valueFrom: asK8s<V1EnvVarSource>(copyJson(e.valueFrom)) }),
    });
  }
  for (const ref of actor.spec.secretRefs ?? []) {
    for (const k of ref.keys) {
      env.push({ name: k.envVar, valueFrom: { secretKeyRef: { name: ref.secretName, key: k.key } } });
    }
  }
  return env;
}

export const platformRuntimeMounts = (): V1VolumeMount[] => [
  { name: SOCKET_DIR_VOLUME, mountPath: SOCKET_DIR },
  { name: TMP_VOLUME, mountPath: TMP_DIR },
  { name: RUNTIME_SCRIPT_VOLUME, mountPath: RUNTIME_SCRIPT_PATH, subPath: RUNTIME_SCRIPT_FILE, readOnly: true },
];

export function renderRuntimeContainer(actor: AsyncActor, name: string, profile: SecurityProfile): V1Container {
  const spec = actor.spec;
  const securityContext = platformSecurityContext(profile);
  return {
    name,
    image: spec.image,
    imagePullPolicy: spec.imagePullPolicy,
    command: [kubeletLiteral(spec.pythonExecutable ?? DEFAULT_PYTHON), RUNTIME_SCRIPT_PATH],
    env: runtimeEnv(actor),
    ...(spec.resources === undefined ? {} : { resources: asK8s<V1ResourceRequirements>(copyJson(spec.resources)) }),
    volumeMounts: [...platformRuntimeMounts(), ...asK8s<V1VolumeMount[]>(copyJson(spec.volumeMounts ?? []))],
    ...runtimeProbes(),
    ...(securityContext === undefined ? {} : { securityContext }),
  };
}
