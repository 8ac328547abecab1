/**
 * What an e2e test needs to know about AsyncActors and the Deployments Crossplane composes for
 * them, read back from the API server.
 */
import { load } from 'js-yaml';
import { CONNECTOR_PREFIX, CONNECTOR_SOCKET_ENV, MOUNTS_ENV, RUNTIME_CONTAINER, STATE_SOCKETS_VOLUME, connectorSocketPath } from '../../../function/render/constants.js';
import { formatMountsEnv } from '../../../function/render/mounts-env.js';
import type { StateProxyEntry } from '../../../function/schema/async-actor.js';
import { kubectl, waitFor } from './kube.js';

export interface Actor {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  spec: { stateProxy?: StateProxyEntry[]; [k: string]: unknown };
}

interface Container { name: string; env?: Array<{ name: string; value?: string }>; volumeMounts?: Array<{ name: string }> }
export interface Deployment {
  metadata: { name: string; namespace: string; generation: number; ownerReferences?: Array<{ kind: string; name: string }> };
  spec: { template: { spec: { containers: Container[]; initContainers?: Container[]; volumes?: Array<{ name: string; emptyDir?: unknown }> } } };
}

export const parseActor = (text: string): Actor => load(text) as Actor;

export async function ensureNamespace(ns: string): Promise<void> {
  await kubectl(['create', 'namespace', ns]).catch((e: Error) => {
    if (!/AlreadyExists/.test(e.message)) throw e;
  });
}

/** The Deployment Crossplane composed for the XR, found by the composite label it stamps. */
export async function composedDeployment(name: string, ns: string): Promise<Deployment | undefined> {
  const list = JSON.parse(await kubectl(['get', 'deployments', '-n', ns, '-l', `crossplane.io/composite=${name}`, '-o', 'json'])) as { items: Deployment[] };
  if (list.items.length > 1) throw new Error(`${list.items.length} Deployments composed for ${ns}/${name}, expected one`);
  return list.items[0];
}

export const waitForDeployment = (name: string, ns: string, accept: (d: Deployment) => boolean = () => true, timeoutMs = 60_000) =>
  waitFor(`Deployment composed for AsyncActor ${ns}/${name}`, async () => {
    const d = await composedDeployment(name, ns);
    return d !== undefined && accept(d) ? d : undefined;
  }, timeoutMs);

/**
 * The pod contract the runtime and connector images depend on, checked against what the API
 * server stored. Returns every violation (empty: the Deployment keeps the contract).
 */
/** `defaultMode` is the Composition's step input; an actor's own `stateProxySidecarMode` wins. */
export function contractViolations(actor: Actor, d: Deployment, defaultMode: 'native' | 'containers' = 'native'): string[] {
  const sidecarMode = (actor.spec['stateProxySidecarMode'] as 'native' | 'containers' | undefined) ?? defaultMode;
  const out: string[] = [];
  const pod = d.spec.template.spec;
  const mounts = actor.spec.stateProxy ?? [];
  const wanted = mounts.map((m) => `${CONNECTOR_PREFIX}${m.name}`);
  const where = sidecarMode === 'native' ? pod.initContainers ?? [] : pod.containers;
  const other = sidecarMode === 'native' ? pod.containers : pod.initContainers ?? [];
  const connectors = where.filter((c) => c.name.startsWith(CONNECTOR_PREFIX));
  if (JSON.stringify(connectors.map((c) => c.name)) !== JSON.stringify(wanted)) out.push(`connectors in ${sidecarMode === 'native' ? 'initContainers' : 'containers'} are [${connectors.map((c) => c.name)}], want [${wanted}]`);
  const stray = other.filter((c) => c.name.startsWith(CONNECTOR_PREFIX)).map((c) => c.name);
  if (stray.length > 0) out.push(`connectors left in the other container list: [${stray}]`);
  if (pod.containers[0]?.name !== RUNTIME_CONTAINER) out.push(`first container is ${pod.containers[0]?.name}, want ${RUNTIME_CONTAINER}`);
  const runtime = pod.containers.find((c) => c.name === RUNTIME_CONTAINER);
  const env = runtime?.env ?? [];
  const mountsEnv = env.filter((e) => e.name === MOUNTS_ENV);
  const hasVolume = (pod.volumes ?? []).some((v) => v.name === STATE_SOCKETS_VOLUME && v.emptyDir !== undefined);
  if (mounts.length === 0) {
    if (mountsEnv.length > 0) out.push(`${MOUNTS_ENV} set on an actor without mounts`);
    if ((pod.volumes ?? []).some((v) => v.name === STATE_SOCKETS_VOLUME)) out.push(`${STATE_SOCKETS_VOLUME} volume on an actor without mounts`);
    return out;
  }
  if (!hasVolume) out.push(`no ${STATE_SOCKETS_VOLUME} emptyDir volume`);
  const want = formatMountsEnv(mounts);
  if (mountsEnv.length !== 1 || mountsEnv[0]!.value !== want) out.push(`${MOUNTS_ENV} is ${JSON.stringify(mountsEnv.map((e) => e.value))}, want ${JSON.stringify(want)}`);
  if (env.at(-1)?.name !== MOUNTS_ENV) out.push(`${MOUNTS_ENV} is not the runtime's last env entry`);
  for (const [i, c] of connectors.entries()) {
    const first = c.env?.[0];
    const sock = connectorSocketPath(mounts[i]!.name);
    if (first?.name !== CONNECTOR_SOCKET_ENV || first.value !== sock) out.push(`${c.name}: first env is ${JSON.stringify(first)}, want ${CONNECTOR_SOCKET_ENV}=${sock}`);
    if (!(c.volumeMounts ?? []).some((v) => v.name === STATE_SOCKETS_VOLUME)) out.push(`${c.name}: does not mount ${STATE_SOCKETS_VOLUME}`);
  }
  if (!(runtime?.volumeMounts ?? []).some((v) => v.name === STATE_SOCKETS_VOLUME)) out.push(`${RUNTIME_CONTAINER}: does not mount ${STATE_SOCKETS_VOLUME}`);
  return out;
}
