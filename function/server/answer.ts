/**
 * One RunFunction call as a pure function of its bytes: decode, run the handler, encode. No I/O,
 * no grpc-js, so a worker thread (worker.ts) can load it without the server around it.
 */
import type { RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { Severity } from '../wire/protocol.js';
import { runFunction } from '../handler.js';
import { encodeResponseFast } from './response-encoder.js';
import { type DecodedRequest, decodeRequestSafely, encodeResponse, salvageTag } from '../wire/codec.js';
import { describeComposite, REASON } from '../results.js';
import { fatalResponse, undecodableResponse } from '../wire/guard.js';

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The answer to one decoded (or undecodable) request. Never throws. */
export function answer(decoded: DecodedRequest): RunFunctionResponse {
  if (!decoded.ok) return undecodableResponse(decoded.tag, decoded.error);
  try {
    return runFunction(decoded.request);
  } catch (err) {
    // runFunction catches everything itself; this is the last line of defence.
    return fatalResponse(decoded.request.meta?.tag ?? '', REASON.internal, `internal error: ${message(err)}`, decoded.request.desired);
  }
}

/** Encodes a response; if that ever fails, a FATAL saying so (a response that cannot be sent must not be half-applied). */
export function serializeResponse(rsp: RunFunctionResponse): Buffer {
  try {
    // The fast encoder falls back to function/wire's for what it does not handle (deep values).
    return encodeResponseFast(rsp);
  } catch (err) {
    return encodeResponse(fatalResponse(rsp.meta?.tag ?? '', REASON.internal, `internal error: the response could not be encoded: ${message(err)}`));
  }
}

/** What the log says about one answer: which XR, and its FATAL results if any. */
export interface AnswerSummary {
  readonly xr: string;
  readonly fatal: ReadonlyArray<{ readonly reason: string; readonly message: string }>;
}

export interface ComputedAnswer {
  readonly out: Buffer;
  /** False for undecodable requests and internal errors, which are never cached. */
  readonly keep: boolean;
  readonly summary: AnswerSummary;
}

function summarize(decoded: DecodedRequest, rsp: RunFunctionResponse): AnswerSummary {
  const xr = decoded.ok ? describeComposite(decoded.request.observed?.composite?.resource) : '(undecodable request)';
  const fatal = rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL).map((r) => ({ reason: r.reason ?? '', message: r.message }));
  return { xr, fatal };
}

/** Request bytes in, response bytes and a summary out; pure and synchronous. Never throws. */
export function computeAnswer(bytes: Uint8Array): ComputedAnswer {
  const decoded = decodeRequestSafely(bytes);
  const rsp = answer(decoded);
  const internal = rsp.results.some((r) => r.reason === REASON.internal);
  return { out: serializeResponse(rsp), keep: decoded.ok && !internal, summary: summarize(decoded, rsp) };
}


/**
 * The answer to a call whose computation was lost (its worker thread died): a FATAL InternalError
 * with the request's tag, never cached, so Crossplane reports it and retries on its next reconcile.
 */
export function lostAnswer(bytes: Uint8Array, why: string, tag = salvageTag(bytes)): ComputedAnswer {
  const text = `internal error: ${why}`;
  const rsp = fatalResponse(tag, REASON.internal, text);
  return { out: serializeResponse(rsp), keep: false, summary: { xr: '(not decoded)', fatal: [{ reason: REASON.internal, message: text }] } };
}
