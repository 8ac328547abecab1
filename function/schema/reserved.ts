/**
 * Names and paths the rendered pod owns (`contract.md` §1). A leaf module: both the JavaScript
 * rules (`rules.ts`, which re-exports these) and the CEL rules (`cel.ts`, used by the schema)
 * read them, and neither may import the other without creating an import cycle.
 */

/** Environment variables the function sets on the runtime container. */
export const RUNTIME_RESERVED_ENV = ['ASYA_SOCKET_DIR', 'ASYA_HANDLER', 'ASYA_STATE_PROXY_MOUNTS'] as const;
/** Environment variable the function sets first on every connector. */
export const CONNECTOR_RESERVED_ENV = ['CONNECTOR_SOCKET'] as const;
/** Volumes the rendered pod already has. */
export const RESERVED_VOLUMES = ['socket-dir', 'tmp', 'asya-runtime', 'state-sockets'] as const;
/**
 * Prefix of the per-mount guard volumes (`state-guard-<mount name>`, at most 12 + 46 = 58
 * characters). The whole prefix is reserved, not only the names of the actor's current mounts, so
 * that a re-render can remove every guard an earlier render added (renamed or removed mounts).
 */
export const GUARD_VOLUME_PREFIX = 'state-guard-';
/** Container name prefix owned by the platform (runtime, queue sidecar, connectors). */
export const RESERVED_CONTAINER_PREFIX = 'asya-';
/**
 * A mount may not be at or under these (runtime sockets and code, kernel filesystems, the
 * runtime's scratch space) nor be an ancestor of one, since the runtime's first-match lookup
 * would then capture the runtime's own files.
 */
export const RESERVED_PATHS = ['/var/run/asya', '/opt/asya', '/proc', '/sys', '/dev', '/tmp'] as const;
