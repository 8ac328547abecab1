/**
 * A STAND-IN for the function-go-templating step of compositions/upstream-chain-{wrapped,unwrapped}.yaml,
 * for the real-CLI render tests (test/crossplane/wrapped.test.ts).
 *
 * Why a stand-in: the render tests should run both pipeline steps through the real `crank render`,
 * but this machine's Go module proxy refuses every version of
 * github.com/crossplane-contrib/function-go-templating (403), so the real function cannot be built
 * here. This tiny composition function emits, in TypeScript, the same base actor Deployment the
 * inline Go templates of those compositions render: unwrapped, or wrapped in a provider-kubernetes
 * Object like upstream Asya, optionally with upstream's OLD state-proxy pieces (connectors as
 * ordinary `asya-state-proxy-*` containers, the `state-sockets` volume and mount,
 * `ASYA_STATE_PROXY_MOUNTS`) that our step must replace. wrapped.test.ts executes those templates
 * with Go's text/template (when `go` is installed) and checks that they render what this emits.
 *
 * Its input (apiVersion test.asya.sh/v1alpha1, kind BaseActor):
 *   wrap               Object apiVersion to wrap the Deployment in; absent: a plain Deployment
 *   legacyStateProxy   render upstream's old state-proxy pieces (default false)
 *   runtimeContainerName  name of the runtime container (default asya-runtime)
 *   providerConfigName    the Object's providerConfigRef.name (default "default")
 *   providerConfigKind    the Object's providerConfigRef.kind (namespaced Objects; default none)
 *   resource           return this object verbatim instead (re-render tests feed a previous output back)
 *
 * It reads the raw observed XR, as a template does: no validation, no defaults beyond the
 * template's own.
 */
import { startTestFunction } from './test-function.js';
import {
  Ready,
  type RunFunctionRequest,
  type RunFunctionResponse,
  to,
} from '@crossplane-org/function-sdk-typescript';
import { isObject, type Json } from '../../function/json.js';

const obj = (v: unknown): Json => (isObject(v) ? v : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** What Go templates' `with`/`if` and sprig's `default` treat as unset: nil, false, 0, "", [], {}. */
const empty = (v: unknown): boolean =>
  v === undefined || v === null || v === '' || v === false || v === 0 || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
const orDefault = (v: unknown, d: unknown): unknown => (empty(v) ? d : v);
/** `{{- with .x }}x: {{ toJson . }}{{- end }}` */
const withKey = (key: string, v: unknown): Json => (empty(v) ? {} : { [key]: v });

/** The composed resource key; upstream's templates use the same one. */
export const BASE_ACTOR_KEY = 'deployment';
export const QUEUE_SIDECAR_IMAGE = 'ghcr.io/deliveryhero/asya-sidecar:v1.0.0';
export const QUEUE_TRANSPORT = 'sqs';

export interface BaseActorOptions {
  readonly wrap?: string | undefined;
  readonly legacyStateProxy?: boolean | undefined;
  readonly runtimeContainerName?: string | undefined;
  readonly providerConfigName?: string | undefined;
  /** Namespaced (`kubernetes.m.crossplane.io`) Objects name the kind: ClusterProviderConfig or ProviderConfig. */
  readonly providerConfigKind?: string | undefined;
}

const READY_CHECK = ['sh', '-c', 'test -S /var/run/asya/asya-runtime.sock && test -f /var/run/asya/runtime-ready'];

/** The XR's user labels, as upstream filters them (sorted, as Go templates range over maps). */
function userLabels(xr: Json): Json {
  const labels = obj(obj(xr['metadata'])['labels']);
  const out: Json = {};
  for (const k of Object.keys(labels).sort()) {
    if (!k.startsWith('crossplane.io/') && !k.startsWith('app.kubernetes.io/')) out[k] = String(labels[k]);
  }
  return out;
}

/** `name:path:write=mode;...` exactly as upstream's template concatenates it. */
const legacyMountsValue = (mounts: unknown[]): string =>
  mounts.map((m) => `${String(obj(m)['name'])}:${String(obj(obj(m)['mount'])['path'])}:write=${String(orDefault(obj(m)['writeMode'], 'buffered'))}`).join(';');

function legacyConnector(m: unknown): Json {
  const entry = obj(m);
  const connector = obj(entry['connector']);
  const name = String(entry['name']);
  return {
    name: `asya-state-proxy-${name}`,
    image: connector['image'],
    ...withKey('imagePullPolicy', connector['imagePullPolicy']),
    env: [
      { name: 'CONNECTOR_SOCKET', value: `/var/run/asya/state/${name}.sock` },
      ...list(connector['env']),
    ],
    ...withKey('resources', connector['resources']),
    volumeMounts: [{ name: 'state-sockets', mountPath: '/var/run/asya/state' }],
  };
}

/** The base actor Deployment, as the inline template renders it. */
export function baseActorDeployment(xr: Json, options: BaseActorOptions = {}): Json {
  const meta = obj(xr['metadata']);
  const spec = obj(xr['spec']);
  const actor = String(orDefault(spec['actor'], meta['name']));
  const legacy = options.legacyStateProxy === true && !empty(spec['stateProxy']);
  const mounts = list(spec['stateProxy']);
  const scaling = obj(spec['scaling']);
  const scalingEnabled = 'enabled' in scaling ? scaling['enabled'] : true;
  const user = userLabels(xr);
  const labels = {
    ...user,
    'app.kubernetes.io/name': actor,
    'app.kubernetes.io/component': 'actor',
    'app.kubernetes.io/part-of': 'asya',
    'app.kubernetes.io/managed-by': 'crossplane',
    'asya.sh/actor': actor,
  };

  const runtimeEnv: unknown[] = [
    { name: 'ASYA_SOCKET_DIR', value: '/var/run/asya' },
    { name: 'ASYA_HANDLER', value: String(spec['handler']) },
    ...list(spec['env']),
    ...list(spec['secretRefs']).flatMap((r) =>
      list(obj(r)['keys']).map((k) => ({
        name: obj(k)['envVar'],
        valueFrom: { secretKeyRef: { name: obj(r)['secretName'], key: obj(k)['key'] } },
      })),
    ),
    ...(legacy ? [{ name: 'ASYA_STATE_PROXY_MOUNTS', value: legacyMountsValue(mounts) }] : []),
  ];
  const runtime: Json = {
    name: options.runtimeContainerName ?? 'asya-runtime',
    image: spec['image'],
    imagePullPolicy: orDefault(spec['imagePullPolicy'], 'IfNotPresent'),
    command: [String(orDefault(spec['pythonExecutable'], 'python3')), '/opt/asya/asya_runtime.py'],
    env: runtimeEnv,
    ...withKey('resources', spec['resources']),
    volumeMounts: [
      { name: 'socket-dir', mountPath: '/var/run/asya' },
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'asya-runtime', mountPath: '/opt/asya/asya_runtime.py', subPath: 'asya_runtime.py', readOnly: true },
      ...(legacy ? [{ name: 'state-sockets', mountPath: '/var/run/asya/state' }] : []),
      ...list(spec['volumeMounts']),
    ],
    startupProbe: { exec: { command: READY_CHECK }, initialDelaySeconds: 3, periodSeconds: 2, timeoutSeconds: 3, failureThreshold: 150 },
    livenessProbe: { exec: { command: READY_CHECK }, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 },
    readinessProbe: { exec: { command: READY_CHECK }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
  };
  const sidecarSpec = obj(spec['sidecar']);
  const queueSidecar: Json = {
    name: 'asya-sidecar',
    image: QUEUE_SIDECAR_IMAGE,
    imagePullPolicy: 'IfNotPresent',
    env: [
      { name: 'ASYA_SOCKET_DIR', value: '/var/run/asya' },
      { name: 'ASYA_ACTOR_NAME', value: actor },
      { name: 'ASYA_TRANSPORT', value: QUEUE_TRANSPORT },
      ...list(sidecarSpec['env']),
    ],
    ...withKey('resources', sidecarSpec['resources']),
    volumeMounts: [
      { name: 'socket-dir', mountPath: '/var/run/asya' },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  };

  const podSpec: Json = {
    terminationGracePeriodSeconds: 30,
    ...withKey('nodeSelector', spec['nodeSelector']),
    ...withKey('tolerations', spec['tolerations']),
    ...withKey('initContainers', spec['initContainers']),
    containers: [runtime, queueSidecar, ...(legacy ? mounts.map(legacyConnector) : []), ...list(spec['sidecars'])],
    volumes: [
      { name: 'socket-dir', emptyDir: {} },
      { name: 'tmp', emptyDir: {} },
      { name: 'asya-runtime', configMap: { name: 'asya-runtime', defaultMode: 0o755 } },
      ...(legacy ? [{ name: 'state-sockets', emptyDir: {} }] : []),
      ...list(spec['volumes']),
    ],
  };

  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: actor,
      // Only the wrapped form names it: provider-kubernetes applies the manifest as written, while
      // Crossplane puts an unwrapped composed resource in the XR's namespace itself.
      ...(options.wrap === undefined ? {} : { namespace: meta['namespace'] }),
      labels,
    },
    spec: {
      ...(scalingEnabled === false ? { replicas: orDefault(spec['replicas'], 1) } : {}),
      selector: { matchLabels: { 'app.kubernetes.io/name': actor } },
      template: { metadata: { labels: { ...user, 'app.kubernetes.io/name': actor, 'app.kubernetes.io/component': 'actor', 'asya.sh/actor': actor } }, spec: podSpec },
    },
  };
}

/** The desired resource the step emits: the Deployment, or the Object wrapping it like upstream's. */
export function baseActorResource(xr: Json, options: BaseActorOptions = {}): Json {
  const deployment = baseActorDeployment(xr, options);
  if (options.wrap === undefined) return deployment;
  return {
    apiVersion: options.wrap,
    kind: 'Object',
    spec: {
      watch: true,
      forProvider: { manifest: deployment },
      providerConfigRef: {
        name: options.providerConfigName ?? 'default',
        ...(options.providerConfigKind === undefined ? {} : { kind: options.providerConfigKind }),
      },
    },
  };
}

function optionsFrom(input: Json): BaseActorOptions {
  const str = (k: string): string | undefined => (typeof input[k] === 'string' ? (input[k] as string) : undefined);
  return {
    wrap: str('wrap'),
    legacyStateProxy: input['legacyStateProxy'] === true,
    runtimeContainerName: str('runtimeContainerName'),
    providerConfigName: str('providerConfigName'),
    providerConfigKind: str('providerConfigKind'),
  };
}

function compose(req: RunFunctionRequest): RunFunctionResponse {
  const rsp = to(req);
  const input = obj(req.input);
  const xr = obj(req.observed?.composite?.resource);
  const desired = rsp.desired ?? { composite: undefined, resources: {} };
  // Like function-go-templating: the resource replaces whatever the key held, readiness unspecified.
  desired.resources[BASE_ACTOR_KEY] = {
    resource: isObject(input['resource']) ? structuredClone(input['resource']) : baseActorResource(xr, optionsFrom(input)),
    connectionDetails: {},
    ready: Ready.READY_UNSPECIFIED,
  };
  rsp.desired = desired;
  return rsp;
}

export const startBaseActorFunction = () => startTestFunction(compose);
