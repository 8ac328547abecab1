/**
 * What the gRPC server registers as the RunFunction (de)serializers. Decoding never throws: a
 * request that is not valid protobuf comes back as `{ ok: false }` with whatever `meta.tag` could
 * be salvaged, so the server can answer it with a FATAL result instead of a transport error.
 */
import type { RunFunctionRequest as Request, RunFunctionResponse as Response } from '@crossplane-org/function-sdk-typescript';
import { Reader, WIRE } from './protobuf.js';
import { RequestMeta, RunFunctionRequest, RunFunctionResponse, decode, decodeMessage, encode } from './messages.js';

export type DecodedRequest =
  | { readonly ok: true; readonly request: Request }
  | { readonly ok: false; readonly error: string; readonly tag: string };

export const decodeRequest = (bytes: Uint8Array): Request => decode(RunFunctionRequest, bytes) as unknown as Request;

export function decodeRequestSafely(bytes: Uint8Array): DecodedRequest {
  try {
    return { ok: true, request: decodeRequest(bytes) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err), tag: salvageTag(bytes) };
  }
}

/** `meta.tag` of a request that does not decode as a whole, or '' when even that is unreadable. */
export function salvageTag(bytes: Uint8Array): string {
  let tag = '';
  try {
    const reader = new Reader(bytes);
    while (reader.pos < bytes.length) {
      const { no, wire } = reader.tag();
      if (no === 1 && wire === WIRE.len) {
        const meta = decodeMessage(RequestMeta, reader, reader.lengthEnd());
        tag = String(meta['tag'] ?? '');
      } else {
        reader.skip(wire);
      }
    }
  } catch {
    // Keep whatever was found before the damage.
  }
  return tag;
}

export const encodeResponse = (rsp: Response): Buffer => encode(RunFunctionResponse, rsp as unknown as Record<string, unknown>);
