/**
 * Answers for requests the handler should not see: bytes that are not a RunFunctionRequest, and
 * objects nested too deeply to render. Both are FATAL results, never transport errors, so the
 * reason shows up on the XR (`Synced=False`) instead of an opaque gRPC status.
 *
 * Undecodable requests get an empty desired state. That is safe only because the result is FATAL:
 * Crossplane aborts the whole composition on FATAL and applies nothing, so the empty state is
 * never mistaken for "delete everything". Echoing the request's desired state is impossible when
 * it cannot be read.
 */
import { type RunFunctionRequest, type RunFunctionResponse, Severity, Target } from '@crossplane-org/function-sdk-typescript';
import { formatPath, type PathSegment } from '../schema/issues.js';
import { deepest } from './depth.js';

/**
 * Deepest object nesting the function renders, in objects and arrays from the resource's root.
 * No Kubernetes object comes close (a pod template is about 15 deep); the renderer copies user
 * objects with recursive built-ins (structuredClone) that overflow the stack near 2,000 levels,
 * and Crossplane cannot decode a response much deeper than 5,000. 512 leaves ample margin for all.
 */
export const MAX_NESTING = 512;

export const GUARD_REASON = { undecodable: 'UndecodableRequest', tooDeep: 'NestingTooDeep', internal: 'InternalError' } as const;

const DEFAULT_TTL = { seconds: 60, nanos: 0 };

export function fatalResponse(tag: string, reason: string, message: string, desired: RunFunctionResponse['desired'] = { composite: undefined, resources: {} }): RunFunctionResponse {
  return {
    meta: { tag, ttl: DEFAULT_TTL },
    desired,
    results: [{ severity: Severity.SEVERITY_FATAL, message, reason, target: Target.TARGET_COMPOSITE }],
    context: undefined,
    requirements: undefined,
    conditions: [],
    output: undefined,
  };
}

export const undecodableResponse = (tag: string, error: string): RunFunctionResponse =>
  fatalResponse(tag, GUARD_REASON.undecodable, `request could not be decoded: ${error}`);

/** At most `keep` segments of a (possibly thousands long) path. */
function shortPath(path: readonly PathSegment[], keep = 12): string {
  return path.length <= keep ? formatPath(path) : `${formatPath(path.slice(0, keep))}…`;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A FATAL answer when the observed XR, or the earlier step's resource this step would augment,
 * nests deeper than MAX_NESTING; undefined when the request may go to the handler. The desired
 * state is passed back as received, as on every other refusal.
 */
export function nestingRefusal(req: RunFunctionRequest, limit = MAX_NESTING): RunFunctionResponse | undefined {
  const tag = req.meta?.tag ?? '';
  const desired = req.desired ?? { composite: undefined, resources: {} };
  const xr = req.observed?.composite?.resource;
  const xrDeepest = deepest(xr, limit);
  if (xrDeepest.depth > limit) {
    const meta = isObj(xr) && isObj(xr['metadata']) ? xr['metadata'] : {};
    const name = `${String(isObj(xr) ? (xr['kind'] ?? 'composite') : 'composite')} ${typeof meta['namespace'] === 'string' ? `${meta['namespace']}/` : ''}${String(meta['name'] ?? '(unnamed)')}`;
    return fatalResponse(
      tag,
      GUARD_REASON.tooDeep,
      `invalid ${name}:\n  ${shortPath(xrDeepest.path)}: nests more than ${limit} levels deep; the function refuses objects nested deeper than ${limit} levels (no Kubernetes object comes close)`,
      desired,
    );
  }
  const rawKey = isObj(req.input) ? req.input['resourceKey'] : undefined;
  const key = typeof rawKey === 'string' ? rawKey : 'deployment';
  const existing = Object.hasOwn(desired.resources, key) ? desired.resources[key]?.resource : undefined;
  const existingDeepest = deepest(existing, limit);
  if (existingDeepest.depth > limit) {
    return fatalResponse(
      tag,
      GUARD_REASON.tooDeep,
      `cannot add the state proxy to desired resource "${key}":\n  ${shortPath(['desired', 'resources', key, ...existingDeepest.path])}: nests more than ${limit} levels deep; the function refuses objects nested deeper than ${limit} levels`,
      desired,
    );
  }
  return undefined;
}
