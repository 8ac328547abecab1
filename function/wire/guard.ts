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
import type { RunFunctionRequest, RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { DEFAULT_TTL } from './protocol.js';
import { DEFAULT_INPUT } from '../input/schema.js';
import { describeComposite, fatalResult, REASON } from '../results.js';
import { formatPath, type PathSegment } from '../schema/issues.js';
import { deepest, nestsDeeperThan } from './depth.js';
import { isObject } from '../json.js';

/**
 * Deepest object nesting the function renders, in objects and arrays from the resource's root.
 * No Kubernetes object comes close (a pod template is about 15 deep); validation (zod), the
 * renderer's merges and the fast response encoder recurse and would overflow the stack some
 * thousands of levels down, and Crossplane cannot decode a response much deeper than 5,000.
 * 512 leaves ample margin for all.
 */
export const MAX_NESTING = 512;

export function fatalResponse(tag: string, reason: string, message: string, desired: RunFunctionResponse['desired'] = { composite: undefined, resources: {} }): RunFunctionResponse {
  return {
    meta: { tag, ttl: DEFAULT_TTL },
    desired,
    results: [fatalResult(reason, message)],
    context: undefined,
    requirements: undefined,
    conditions: [],
    output: undefined,
  };
}

export const undecodableResponse = (tag: string, error: string): RunFunctionResponse =>
  fatalResponse(tag, REASON.undecodable, `request could not be decoded: ${error}`);

/** At most `keep` segments of a (possibly thousands long) path. */
function shortPath(path: readonly PathSegment[], keep = 12): string {
  return path.length <= keep ? formatPath(path) : `${formatPath(path.slice(0, keep))}…`;
}


/**
 * A FATAL answer when the observed XR, or the earlier step's resource this step would augment,
 * nests deeper than MAX_NESTING; undefined when the request may go to the handler. The desired
 * state is passed back as received, as on every other refusal.
 */
export function nestingRefusal(req: RunFunctionRequest, limit = MAX_NESTING): RunFunctionResponse | undefined {
  const tag = req.meta?.tag ?? '';
  const desired = req.desired ?? { composite: undefined, resources: {} };
  const xr = req.observed?.composite?.resource;
  if (nestsDeeperThan(xr, limit)) {
    // Walked again for the path only now: the common case needs no path.
    const xrDeepest = deepest(xr, limit);
    return fatalResponse(
      tag,
      REASON.tooDeep,
      `invalid ${describeComposite(xr)}:\n  ${shortPath(xrDeepest.path)}: nests more than ${limit} levels deep; the function refuses objects nested deeper than ${limit} levels (no Kubernetes object comes close)`,
      desired,
    );
  }
  const rawKey = isObject(req.input) ? req.input['resourceKey'] : undefined;
  const key = typeof rawKey === 'string' ? rawKey : DEFAULT_INPUT.resourceKey;
  const existing = Object.hasOwn(desired.resources, key) ? desired.resources[key]?.resource : undefined;
  if (nestsDeeperThan(existing, limit)) {
    const existingDeepest = deepest(existing, limit);
    return fatalResponse(
      tag,
      REASON.tooDeep,
      `cannot add the state proxy to desired resource "${key}":\n  ${shortPath(['desired', 'resources', key, ...existingDeepest.path])}: nests more than ${limit} levels deep; the function refuses objects nested deeper than ${limit} levels`,
      desired,
    );
  }
  return undefined;
}
