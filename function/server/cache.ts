/**
 * A bounded cache of encoded RunFunction responses keyed by the request's `meta.tag`.
 *
 * Crossplane sets the tag to a hash of the request, and reconciles repeat identical requests
 * (every poll, every change of an unrelated composed resource), so the same tag means the same
 * request; the function is a pure function of its request (crossplane-notes.md), so the same
 * request means the same response bytes. The cache therefore never changes an answer, it only
 * skips recomputing it. Rules:
 *
 * - an empty tag (a caller that is not Crossplane, such as a test client) is never cached;
 * - only answers computed from a decoded request are cached: the FATAL for bytes that did not
 *   decode, or for an internal error, is never remembered;
 * - bounded both in entries and in bytes; least recently used entries go first;
 * - the raw-bytes variant also keys on the request's length, a free guard against a caller that
 *   reuses a tag for a different request.
 *
 * Pure wrappers: the cache holds only Buffers it produced; callers get the same Buffer instance on
 * a hit (grpc-js only reads it).
 */
import type { RunFunctionRequest, RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';

export interface ResponseCacheOptions {
  /** Most entries kept. */
  readonly maxEntries: number;
  /** Most response bytes kept (sum of entry sizes); a response larger than this is never kept. */
  readonly maxBytes?: number;
}

export const DEFAULT_CACHE_OPTIONS: Required<ResponseCacheOptions> = { maxEntries: 1024, maxBytes: 64 * 1024 * 1024 };

export class ResponseCache {
  /** Map iteration order is insertion order: the first key is the least recently used. */
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;
  readonly maxEntries: number;
  readonly maxBytes: number;
  hits = 0;
  misses = 0;

  constructor(options: ResponseCacheOptions = DEFAULT_CACHE_OPTIONS) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 0) throw new RangeError('maxEntries must be a non-negative integer');
    const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    if (!(maxBytes >= 0)) throw new RangeError('maxBytes must be non-negative');
    this.maxEntries = options.maxEntries;
    this.maxBytes = maxBytes;
  }

  get size(): number {
    return this.entries.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  /** The cached bytes for `key` (and marks them most recently used), or undefined. */
  get(key: string): Buffer | undefined {
    const hit = this.entries.get(key);
    if (hit === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit;
  }

  set(key: string, value: Buffer): void {
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.entries.delete(key);
      this.bytes -= old.length;
    }
    if (this.maxEntries === 0 || value.length > this.maxBytes) return;
    this.entries.set(key, value);
    this.bytes += value.length;
    while (this.entries.size > this.maxEntries || this.bytes > this.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.bytes -= this.entries.get(oldest.value)?.length ?? 0;
      this.entries.delete(oldest.value);
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}

/** An internal error may be transient (a bug hit under memory pressure, say): never remembered. */
const internalError = (rsp: RunFunctionResponse): boolean => rsp.results.some((r) => r.reason === 'InternalError');

export type Runner = (req: RunFunctionRequest) => RunFunctionResponse;
export type Encoder = (rsp: RunFunctionResponse) => Buffer;

/**
 * `run` followed by `encode`, with repeated non-empty tags answered from `cache` (answers with an
 * InternalError result are not kept).
 * For a server whose request decoder already produced a RunFunctionRequest.
 */
export function withResponseCache(run: Runner, encode: Encoder, cache = new ResponseCache()): (req: RunFunctionRequest) => Buffer {
  return (req) => {
    const tag = req.meta?.tag ?? '';
    if (tag === '') return encode(run(req));
    const key = `t:${tag}`;
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const rsp = run(req);
    const bytes = encode(rsp);
    if (!internalError(rsp)) cache.set(key, bytes);
    return bytes;
  };
}

/** What a raw-bytes answerer needs from the wire layer. */
export interface RawAnswerParts<D> {
  /** The request's `meta.tag` read from the raw bytes without decoding the rest ('' if none). */
  readonly tagOf: (bytes: Uint8Array) => string;
  readonly decode: (bytes: Uint8Array) => D;
  /** Only answers to requests for which this is true are cached (decoded fine). */
  readonly cacheable: (decoded: D) => boolean;
  readonly answer: (decoded: D) => RunFunctionResponse;
  readonly encode: Encoder;
}

/**
 * Request bytes in, response bytes out: on a hit neither the request is decoded nor the response
 * encoded. An answer is kept only when the request decoded and the response carries no
 * InternalError result.
 */
export function withRawResponseCache<D>(parts: RawAnswerParts<D>, cache = new ResponseCache()): (bytes: Uint8Array) => Buffer {
  return (bytes) => {
    const tag = parts.tagOf(bytes);
    const key = tag === '' ? undefined : `r:${bytes.length}:${tag}`;
    if (key !== undefined) {
      const hit = cache.get(key);
      if (hit !== undefined) return hit;
    }
    const decoded = parts.decode(bytes);
    const rsp = parts.answer(decoded);
    const out = parts.encode(rsp);
    if (key !== undefined && parts.cacheable(decoded) && !internalError(rsp)) cache.set(key, out);
    return out;
  };
}
