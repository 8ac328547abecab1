/**
 * `asya-sidecar`, the queue consumer. Rendered only from the step input: its image and transport
 * settings belong to the platform, and an actor must not be able to point it at another queue.
 * (The upstream `spec.sidecar` field is accepted by the schema but not rendered, for that reason.)
 */
import type { V1Container, V1EnvFromSource, V1EnvVar, V1ResourceRequirements } from '@kubernetes/client-node';
import type { SecurityProfile, StepInput } from '../input/schema.js';
import { QUEUE_SIDECAR_CONTAINER, SOCKET_DIR, SOCKET_DIR_VOLUME, TMP_DIR, TMP_VOLUME } from './constants.js';
import { asK8s, copyJson } from './objects.js';
import { platformSecurityContext } from './security.js';

export function renderQueueSidecar(sidecar: NonNullable<StepInput['sidecar']>, profile: SecurityProfile): V1Container {
  const securityContext = platformSecurityContext(profile);
  return {
    name: QUEUE_SIDECAR_CONTAINER,
    image: sidecar.image,
    ...(sidecar.imagePullPolicy === undefined ? {} : { imagePullPolicy: sidecar.imagePullPolicy }),
    ...(sidecar.env === undefined ? {} : { env: asK8s<V1EnvVar[]>(copyJson(sidecar.env)) }),
    ...(sidecar.envFrom === undefined ? {} : { envFrom: asK8s<V1EnvFromSource[]>(copyJson(sidecar.envFrom)) }),
    ...(sidecar.resources === undefined ? {} : { resources: asK8s<V1ResourceRequirements>(copyJson(sidecar.resources)) }),
    volumeMounts: [
      { name: SOCKET_DIR_VOLUME, mountPath: SOCKET_DIR },
      { name: TMP_VOLUME, mountPath: TMP_DIR },
    ],
    ...(securityContext === undefined ? {} : { securityContext }),
  };
}
