/**
 * The pure renderer: AsyncActor + step input in, plain JSON Kubernetes objects out. No I/O, no
 * clocks, no randomness; see each module for the rules it owns.
 */
export { renderDeployment, augmentDeployment, renderBasePod, platformVolumes, desiredPath } from './deployment.js';
export { guardVolumeName, isGuardVolumeName, isGuarded, guardPieces, withoutGuards, guardConflicts, GUARD_VOLUME_PREFIX } from './guard.js';
export { applyStateProxy, sidecarModeFor, stateProxyOptions, type StateProxyOptions } from './state-proxy.js';
export { augmentObject, isKubernetesObject, OBJECT_API_VERSIONS, OBJECT_KIND } from './wrapped.js';
export { renderConnector, connectorStartupProbe, type ConnectorOptions } from './connector.js';
export { renderRuntimeContainer, runtimeEnv, runtimeProbes } from './runtime-container.js';
export { renderQueueSidecar } from './queue-sidecar.js';
export { actorLabels, selectorLabels, isUserLabel } from './labels.js';
export { formatMountsEnv, parseMountsEnv, effectiveWriteMode, MountsEnvError, type ParsedMount } from './mounts-env.js';
export { collectWarnings, looksLikeCredentialName, literalCredentialProblem, maxReplicas, WARNING_REASON, type Warning } from './warnings.js';
export { checkImagePolicy, imageAllowed, parsePolicyEntry, type PolicyEntry } from './image-policy.js';
export { checkConnectorFlavors, checkRestrictedProfile, checkRender } from './checks.js';
export { checkRestricted, PSS_RULE_PREFIX, type PssCheck } from './pss.js';
export { recognizeFlavor, flavorFromImage, FILE_FLAVORS, type FileFlavor, type KeyValueFlavor, type Recognition } from './flavor.js';
export { parseImageRef, repositoryName, type ImageRef } from './image-ref.js';
export { connectorSecurityContext, mergeSecurityContext, hardenRestricted, restrictedPod } from './security.js';
export * from './constants.js';
