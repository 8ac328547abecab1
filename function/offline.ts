/**
 * Offline rendering: builds the RunFunctionRequest Crossplane would send from plain documents,
 * and turns the response into the documents Crossplane would apply. Pure; the CLI does the I/O.
 */
import type { RunFunctionRequest, RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { Ready, Severity } from './wire/protocol.js';
import { isObject, type Json } from './json.js';


export const RESOURCE_NAME_ANNOTATION = 'crossplane.io/composition-resource-name';

export interface OfflineRequest {
  readonly xr: Json;
  readonly input?: Json | undefined;
  /** Observed composed resources; each names its key with the composition-resource-name annotation. */
  readonly observed?: readonly Json[];
  /** Desired composed resources from "earlier steps", keyed the same way. */
  readonly desired?: readonly Json[];
}

export class OfflineInputError extends Error {
  override name = 'OfflineInputError';
}

function keyed(resources: readonly Json[], what: string): Record<string, { resource: Json; connectionDetails: Record<string, Buffer>; ready: Ready }> {
  const out: Record<string, { resource: Json; connectionDetails: Record<string, Buffer>; ready: Ready }> = {};
  resources.forEach((resource, i) => {
    const meta = isObject(resource['metadata']) ? resource['metadata'] : {};
    const annotations = isObject(meta['annotations']) ? meta['annotations'] : {};
    const key = annotations[RESOURCE_NAME_ANNOTATION];
    if (typeof key !== 'string' || key === '') {
      throw new OfflineInputError(`${what} resource #${i} (${String(resource['kind'])} ${String(meta['name'])}) has no ${RESOURCE_NAME_ANNOTATION} annotation`);
    }
    out[key] = { resource, connectionDetails: {}, ready: Ready.READY_UNSPECIFIED };
  });
  return out;
}

export function buildRequest(r: OfflineRequest): RunFunctionRequest {
  const xrStub = { apiVersion: r.xr['apiVersion'], kind: r.xr['kind'] };
  return {
    meta: { tag: '', capabilities: [] },
    observed: { composite: { resource: r.xr, connectionDetails: {}, ready: Ready.READY_UNSPECIFIED }, resources: keyed(r.observed ?? [], 'observed') },
    desired: { composite: { resource: xrStub, connectionDetails: {}, ready: Ready.READY_UNSPECIFIED }, resources: keyed(r.desired ?? [], 'desired') },
    input: r.input,
    context: undefined,
    extraResources: {},
    credentials: {},
    requiredResources: {},
    requiredSchemas: {},
  };
}

export interface OfflineResult {
  readonly documents: readonly Json[];
  readonly warnings: readonly string[];
  readonly errors: readonly string[];
}

/** The XR (with the status the step wrote) followed by every desired composed resource, by key. */
export function responseDocuments(xr: Json, rsp: RunFunctionResponse): OfflineResult {
  const errors = rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL).map((r) => r.message);
  const warnings = rsp.results.filter((r) => r.severity === Severity.SEVERITY_WARNING).map((r) => r.message);
  if (errors.length > 0) return { documents: [], warnings, errors };

  const xrMeta = isObject(xr['metadata']) ? xr['metadata'] : {};
  const namespace = typeof xrMeta['namespace'] === 'string' ? xrMeta['namespace'] : undefined;
  const status = rsp.desired?.composite?.resource?.['status'];
  const documents: Json[] = [
    {
      apiVersion: xr['apiVersion'],
      kind: xr['kind'],
      metadata: { name: xrMeta['name'], ...(namespace === undefined ? {} : { namespace }) },
      ...(isObject(status) ? { status } : {}),
    },
  ];
  const resources = rsp.desired?.resources ?? {};
  for (const key of Object.keys(resources).sort()) {
    const resource = resources[key]?.resource;
    if (!isObject(resource)) continue;
    const meta = isObject(resource['metadata']) ? resource['metadata'] : {};
    const annotations = isObject(meta['annotations']) ? meta['annotations'] : {};
    const { name, namespace: own, annotations: _drop, ...rest } = meta;
    const ns = own ?? namespace;
    documents.push({
      ...resource,
      metadata: {
        ...(name === undefined ? {} : { name }),
        ...(ns === undefined ? {} : { namespace: ns }),
        ...rest,
        annotations: { ...annotations, [RESOURCE_NAME_ANNOTATION]: key },
      },
    });
  }
  return { documents, warnings, errors };
}
