/**
 * Names and paths the upstream runtime and connector images depend on (`contract.md` §1).
 * Byte-for-byte: the runtime derives socket paths from mount names and never reads a setting,
 * so any drift here breaks pods silently rather than loudly.
 */
import { CONNECTOR_PREFIX } from '../schema/async-actor.js';

export const RUNTIME_CONTAINER = 'asya-runtime';
export const QUEUE_SIDECAR_CONTAINER = 'asya-sidecar';

export const SOCKET_DIR_VOLUME = 'socket-dir';
export const SOCKET_DIR = '/var/run/asya';
export const TMP_VOLUME = 'tmp';
export const TMP_DIR = '/tmp';
export const RUNTIME_SCRIPT_VOLUME = 'asya-runtime';
export const RUNTIME_SCRIPT_CONFIGMAP = 'asya-runtime';
export const RUNTIME_SCRIPT_FILE = 'asya_runtime.py';
export const RUNTIME_SCRIPT_PATH = '/opt/asya/asya_runtime.py';
/** 0755 in decimal: JSON has no octal literals and the API server stores the decimal value. */
export const RUNTIME_SCRIPT_MODE = 0o755;

export const STATE_SOCKETS_VOLUME = 'state-sockets';
export const STATE_SOCKET_DIR = '/var/run/asya/state';

export const MOUNTS_ENV = 'ASYA_STATE_PROXY_MOUNTS';
export const CONNECTOR_SOCKET_ENV = 'CONNECTOR_SOCKET';
/** Selects the flavour inside the unified connector image (`contract.md` §3). */
export const CONNECTOR_SELECTOR_ENV = 'ASYA_CONNECTOR';

export const DEFAULT_PYTHON = 'python3';
export const TERMINATION_GRACE_SECONDS = 30;

export { CONNECTOR_PREFIX };

export const connectorSocketPath = (mountName: string): string => `${STATE_SOCKET_DIR}/${mountName}.sock`;

/** Every container this function may have rendered for a state proxy mount, old renders included. */
export const isConnectorName = (name: unknown): boolean => typeof name === 'string' && name.startsWith(CONNECTOR_PREFIX);
