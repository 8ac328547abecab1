/**
 * Things that render fine but are probably wrong (issue 3, item 3). Each becomes a WARNING result
 * (an event on the XR) and a stderr line in the CLI; none blocks the render. Order is fixed:
 * runtime env first, then each mount in spec order.
 */
import type { StepInput } from '../input/schema.js';
import type { AsyncActor, StateProxyEntry } from '../schema/async-actor.js';
import type { PathSegment } from '../schema/issues.js';
import { CONNECTOR_SELECTOR_ENV } from './constants.js';
import { FILE_FLAVORS, recognizeFlavor } from './flavor.js';
import { effectiveWriteMode } from './mounts-env.js';

export interface Warning {
  readonly message: string;
  readonly path: readonly PathSegment[];
  readonly reason: string;
}

export const WARNING_REASON = {
  missingConnectorEnv: 'MissingConnectorEnv',
  literalCredential: 'LiteralCredential',
  lastWriteWinsWithReplicas: 'LastWriteWinsWithReplicas',
  writeModeFlavorMismatch: 'WriteModeFlavorMismatch',
  unknownConnectorFlavor: 'UnknownConnectorFlavor',
  connectorFlavorConflict: 'ConnectorFlavorConflict',
} as const;

/** Name tokens that mark a credential on their own (`DB_PASSWORD`, `HF_TOKEN`, `REDIS_AUTH`). */
const SECRET_TOKENS = new Set([
  'SECRET', 'SECRETS', 'PASSWORD', 'PASSWORDS', 'PASSWD', 'PASS', 'PASSPHRASE',
  'TOKEN', 'TOKENS', 'CREDENTIAL', 'CREDENTIALS', 'APIKEY', 'PRIVATEKEY', 'AUTH',
]);
/** Glued compounds (`CLIENTSECRET`, `DBPASSWORD`, `ACCESSTOKEN`); a suffix test, so `TOKENIZERS_PARALLELISM` is not one. */
const SECRET_SUFFIXES = ['SECRET', 'SECRETKEY', 'PASSWORD', 'PASSWD', 'TOKEN', 'APIKEY', 'PRIVATEKEY'];
/**
 * A last token that makes the variable describe a credential rather than hold one:
 * `AWS_WEB_IDENTITY_TOKEN_FILE`, `SECRET_NAME`, `TOKEN_TTL`, `AWS_ACCESS_KEY_ID` (an identifier,
 * not a secret; its secret half `AWS_SECRET_ACCESS_KEY` is caught by `SECRET`).
 */
const DESCRIPTIVE_LAST = new Set([
  'FILE', 'PATH', 'DIR', 'NAME', 'TTL', 'URL', 'URI', 'ENDPOINT', 'HOST', 'PORT', 'TYPE', 'MODE',
  'ENABLED', 'EXPIRY', 'TIMEOUT', 'HEADER', 'ID', 'REF', 'REGION',
]);
/** `*_KEY` is a credential except for these data keys (`CACHE_KEY`, `PARTITION_KEY`). */
const DATA_KEY_QUALIFIERS = new Set(['CACHE', 'PARTITION', 'SORT', 'PRIMARY', 'ROUTING', 'SHARD', 'HASH', 'OBJECT', 'IDEMPOTENCY', 'DEDUP', 'MESSAGE', 'GROUP', 'QUEUE']);

/** Verdicts by name, memoised (the same few env names come back on every reconcile); bounded. */
const verdicts = new Map<string, boolean>();

/** `*SECRET*`, `*PASSWORD*`, `*TOKEN*`, `*_KEY` by whole tokens, minus names that only describe one. */
export function looksLikeCredentialName(name: string): boolean {
  const known = verdicts.get(name);
  if (known !== undefined) return known;
  const verdict = classifyName(name);
  if (verdicts.size >= 4096) verdicts.clear();
  verdicts.set(name, verdict);
  return verdict;
}

function classifyName(name: string): boolean {
  const tokens = name.toUpperCase().split(/[_.-]+/).filter((t) => t !== '');
  const last = tokens[tokens.length - 1];
  if (last === undefined || DESCRIPTIVE_LAST.has(last)) return false;
  if (tokens.some((t) => SECRET_TOKENS.has(t) || SECRET_SUFFIXES.some((s) => t.endsWith(s)))) return true;
  const qualifier = tokens[tokens.length - 2];
  return last === 'KEY' && qualifier !== undefined && !DATA_KEY_QUALIFIERS.has(qualifier);
}

/** `redis://:hunter2@host`, `postgres://u:p@db/x`: a password inside a URL, whatever the variable is called. */
const URL_WITH_PASSWORD = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#@:\s]*:[^/?#@\s]+@/;
/** `$(OTHER_VAR)` is expanded by the kubelet from another variable: not a literal. */
const VAR_REFERENCE = /^\$\([A-Za-z_][A-Za-z0-9_.-]*\)$/;

/** Why a literal env value looks like a credential, or undefined. */
export function literalCredentialProblem(name: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '' || VAR_REFERENCE.test(value)) return undefined;
  if (URL_WITH_PASSWORD.test(value)) return `the value of ${name} embeds a password in a URL`;
  // An absolute path names a mounted credentials file (GOOGLE_APPLICATION_CREDENTIALS), which is the safe pattern.
  if (value.startsWith('/') && !/\s/.test(value)) return undefined;
  return looksLikeCredentialName(name) ? `${name} looks like a credential but is set as a literal value` : undefined;
}

const CREDENTIAL_HINT = 'anyone who can read the XR or the Deployment can read it; use valueFrom.secretKeyRef (or envFrom with a Secret) instead';

/** Autoscaled actors can reach maxReplicaCount; fixed ones run `replicas`. */
export const maxReplicas = (actor: AsyncActor): number =>
  actor.spec.scaling.enabled === false ? actor.spec.replicas : actor.spec.scaling.maxReplicaCount;

function writeModePath(entry: StateProxyEntry, i: number): PathSegment[] {
  return entry.writeMode === undefined && entry.mount.writeMode !== undefined
    ? ['spec', 'stateProxy', i, 'mount', 'writeMode']
    : ['spec', 'stateProxy', i, 'writeMode'];
}

/** Where a connector field is in the AsyncActor (module level: a closure per mount costs more under tsx, which names every one). */
const connectorPath = (i: number, ...rest: PathSegment[]): PathSegment[] => ['spec', 'stateProxy', i, 'connector', ...rest];

function mountWarnings(actor: AsyncActor, entry: StateProxyEntry, i: number): Warning[] {
  const out: Warning[] = [];
  const c = entry.connector;
  const hasEnvFrom = (c.envFrom ?? []).length > 0;
  const flavor = recognizeFlavor(c);

  if (flavor.kind === 'unknown') {
    if (flavor.code === 'unified-without-selector') {
      // With envFrom the selector may come from there; the connector fails its startup probe if not.
      if (!hasEnvFrom) {
        out.push({ reason: WARNING_REASON.missingConnectorEnv, path: connectorPath(i, 'env'), message: `${flavor.why} (for example ${CONNECTOR_SELECTOR_ENV}=s3_buffered_lww); without it the connector cannot start` });
      }
    } else {
      out.push({ reason: WARNING_REASON.unknownConnectorFlavor, path: connectorPath(i, 'image'), message: `connector flavour not recognised: ${flavor.why}; required env, replica and write mode checks were skipped` });
    }
  } else if (flavor.kind === 'file') {
    const spec = FILE_FLAVORS[flavor.flavor];
    if (flavor.source.conflictsWithImage !== undefined) {
      out.push({
        reason: WARNING_REASON.connectorFlavorConflict,
        path: connectorPath(i, ...flavor.source.path),
        message: `${CONNECTOR_SELECTOR_ENV} selects ${flavor.flavor} but the image is named for ${flavor.source.conflictsWithImage}; the checks below assume ${flavor.flavor}`,
      });
    }
    const names = new Set((c.env ?? []).map((e) => e.name));
    const missing = spec.requiredEnv.filter((n) => !names.has(n));
    // envFrom content is invisible at render time; warning on every reconcile about a variable
    // that is probably there would teach people to ignore warnings. A connector that really
    // lacks it fails its startup probe, which blocks the pod visibly.
    if (missing.length > 0 && !hasEnvFrom) {
      out.push({ reason: WARNING_REASON.missingConnectorEnv, path: connectorPath(i, 'env'), message: `the ${flavor.flavor} connector requires ${missing.join(', ')}, which connector.env does not set` });
    }
    const replicas = maxReplicas(actor);
    if (spec.consistency === 'lww' && replicas > 1) {
      out.push({
        reason: WARNING_REASON.lastWriteWinsWithReplicas,
        path: connectorPath(i, 'image'),
        message: `the ${flavor.flavor} connector is last-write-wins but the actor can run ${replicas} replicas, so concurrent writes to the same key are silently lost; use ${spec.casAlternative ?? 'a -cas flavour'} or run a single replica`,
      });
    }
    const mode = effectiveWriteMode(entry);
    if (mode !== spec.writeMode) {
      out.push({
        reason: WARNING_REASON.writeModeFlavorMismatch,
        path: writeModePath(entry, i),
        message:
          mode === 'passthrough'
            ? `writeMode passthrough streams writes, but ${flavor.flavor} is a buffered connector; use the s3-passthrough connector or writeMode buffered`
            : `writeMode ${mode} sends whole files, but ${flavor.flavor} is the streaming connector; set writeMode: passthrough`,
      });
    }
  }

  (c.env ?? []).forEach((e, j) => {
    const problem = literalCredentialProblem(e.name, e.value);
    if (problem !== undefined) out.push({ reason: WARNING_REASON.literalCredential, path: connectorPath(i, 'env', j, 'value'), message: `${problem}: ${CREDENTIAL_HINT}` });
  });
  return out;
}

export function collectWarnings(actor: AsyncActor, _input: StepInput): Warning[] {
  const out: Warning[] = [];
  (actor.spec.env ?? []).forEach((e, j) => {
    const problem = literalCredentialProblem(e.name, e.value);
    if (problem !== undefined) out.push({ reason: WARNING_REASON.literalCredential, path: ['spec', 'env', j, 'value'], message: `${problem}: ${CREDENTIAL_HINT}` });
  });
  (actor.spec.stateProxy ?? []).forEach((entry, i) => out.push(...mountWarnings(actor, entry, i)));
  // Key order of the interface: message, path, reason.
  return out.map((w) => ({ message: w.message, path: w.path, reason: w.reason }));
}
