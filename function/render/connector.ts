/**
 * One connector container per state proxy mount (`contract.md` §1, §3).
 */
import type { V1Container, V1EnvFromSource, V1EnvVar, V1Probe, V1ResourceRequirements, V1VolumeMount } from '@kubernetes/client-node';
import type { SecurityProfile } from '../input/schema.js';
import type { SidecarMode, StateProxyEntry } from '../schema/async-actor.js';
import type { ResourceRequirements } from '../schema/k8s.js';
import { connectorContainerName } from '../schema/rules.js';
import { CONNECTOR_SOCKET_ENV, STATE_SOCKET_DIR, STATE_SOCKETS_VOLUME, TMP_DIR, TMP_VOLUME, connectorSocketPath } from './constants.js';
import { asK8s, copyJson } from './objects.js';
import { connectorSecurityContext } from './security.js';
import { kubeletLiteral } from './kubelet-literal.js';

export interface ConnectorOptions {
  readonly sidecarMode: SidecarMode;
  readonly securityProfile: SecurityProfile;
  readonly startupProbeFailureThreshold: number;
  readonly defaultConnectorResources?: ResourceRequirements;
}

/**
 * Succeeds once the connector listens. The images all ship `sh`; `httpGet` cannot reach a Unix
 * socket. Polled every second because the runtime waits on it in native mode.
 *
 * No liveness probe: `test -S` keeps succeeding on a hung server (the socket file outlives it),
 * and a crashed connector is restarted by its restart policy anyway, so such a probe would only
 * cost an exec per period. A real health check (`GET /healthz` over the socket) needs a client in
 * the image that the contract does not promise.
 */
export const connectorStartupProbe = (mountName: string, failureThreshold: number): V1Probe => ({
  exec: { command: ['sh', '-c', `test -S ${connectorSocketPath(mountName)}`] },
  periodSeconds: 1,
  failureThreshold,
});

/**
 * In `native` mode the container goes to initContainers with `restartPolicy: Always`, so the
 * kubelet starts the runtime only after this startup probe passes and stops the connector after
 * the runtime. In `containers` mode (clusters before 1.29) the same probe only delays the pod's
 * readiness and restarts a connector that never binds; it cannot hold the runtime back, which is
 * upstream's startup race.
 */
export function renderConnector(entry: StateProxyEntry, options: ConnectorOptions): V1Container {
  const c = entry.connector;
  const env: V1EnvVar[] = [{ name: CONNECTOR_SOCKET_ENV, value: kubeletLiteral(connectorSocketPath(entry.name)) }];
  for (const e of c.env ?? []) env.push(asK8s<V1EnvVar>(copyJson(e)));
  const resources = c.resources ?? options.defaultConnectorResources;
  const securityContext = connectorSecurityContext(c.securityContext, options.securityProfile);
  const volumeMounts: V1VolumeMount[] = [{ name: STATE_SOCKETS_VOLUME, mountPath: STATE_SOCKET_DIR }];
  // A read-only root needs a writable scratch directory: buffered writes and SDK downloads spool
  // to the temp dir. The pod's `tmp` emptyDir serves (same pod, same user, random file names).
  if (securityContext.readOnlyRootFilesystem === true) volumeMounts.push({ name: TMP_VOLUME, mountPath: TMP_DIR });
  // Built field by field rather than with conditional spreads (one object less per optional
  // field); the key order is the one the output has always had.
  const out: V1Container = { name: connectorContainerName(entry.name), image: c.image };
  if (c.imagePullPolicy !== undefined) out.imagePullPolicy = c.imagePullPolicy;
  if (options.sidecarMode === 'native') out.restartPolicy = 'Always';
  out.env = env;
  if (c.envFrom !== undefined) out.envFrom = asK8s<V1EnvFromSource[]>(copyJson(c.envFrom));
  if (resources !== undefined) out.resources = asK8s<V1ResourceRequirements>(copyJson(resources));
  out.volumeMounts = volumeMounts;
  out.startupProbe = connectorStartupProbe(entry.name, options.startupProbeFailureThreshold);
  out.securityContext = securityContext;
  return out;
}
