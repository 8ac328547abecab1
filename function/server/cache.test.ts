/**
 * The tag cache: a repeated non-empty `meta.tag` is answered with the same bytes without running
 * the handler again; everything else is computed as before, within the bounds.
 */
import { RunFunctionRequest, type RunFunctionRequest as Req } from '@crossplane-org/function-sdk-typescript';
import { describe, expect, it } from 'vitest';
import { BENCH_INPUT, benchActor, benchRequest } from '../../bench/fixtures.js';
import { ResponseCache, withRawResponseCache, withResponseCache } from './cache.js';
import { runFunction } from '../handler.js';
import { encodeResponseFast } from './response-encoder.js';
import { answer } from './server.js';
import { type DecodedRequest, decodeRequestSafely, encodeResponse, salvageTag } from '../wire/codec.js';

const req = (tag: string, mounts = 2): Req => benchRequest(benchActor(mounts), BENCH_INPUT, tag);

function counted() {
  const calls = { run: 0, decode: 0 };
  const run = (r: Req) => {
    calls.run++;
    return runFunction(r);
  };
  return { calls, run };
}

describe('ResponseCache', () => {
  it('evicts the least recently used entry beyond maxEntries', () => {
    const cache = new ResponseCache({ maxEntries: 2 });
    cache.set('a', Buffer.from('A'));
    cache.set('b', Buffer.from('B'));
    expect(cache.get('a')?.toString()).toBe('A'); // a is now the most recent
    cache.set('c', Buffer.from('C'));
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.toString()).toBe('A');
    expect(cache.get('c')?.toString()).toBe('C');
  });

  it('keeps the total size within maxBytes and never keeps a response larger than that', () => {
    const cache = new ResponseCache({ maxEntries: 100, maxBytes: 10 });
    cache.set('a', Buffer.alloc(4));
    cache.set('b', Buffer.alloc(4));
    cache.set('c', Buffer.alloc(4));
    expect(cache.totalBytes).toBeLessThanOrEqual(10);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(2);
    cache.set('huge', Buffer.alloc(11));
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.totalBytes).toBe(8);
    cache.set('b', Buffer.alloc(1)); // replacing an entry frees its old size
    expect(cache.totalBytes).toBe(5);
  });

  it('with maxEntries 0 keeps nothing, and rejects nonsense bounds', () => {
    const cache = new ResponseCache({ maxEntries: 0 });
    cache.set('a', Buffer.from('A'));
    expect(cache.size).toBe(0);
    expect(() => new ResponseCache({ maxEntries: -1 })).toThrow(RangeError);
    expect(() => new ResponseCache({ maxEntries: 1, maxBytes: -1 })).toThrow(RangeError);
  });
});

describe('withResponseCache (decoded requests)', () => {
  it('same tag: the same bytes, computed once', () => {
    const { calls, run } = counted();
    const cached = withResponseCache(run, encodeResponse, new ResponseCache({ maxEntries: 8 }));
    const first = cached(req('t1'));
    const second = cached(req('t1'));
    expect(second).toBe(first);
    expect(second.equals(encodeResponse(runFunction(req('t1'))))).toBe(true);
    expect(calls.run).toBe(1);
  });

  it('a different tag is recomputed', () => {
    const { calls, run } = counted();
    const cached = withResponseCache(run, encodeResponse, new ResponseCache({ maxEntries: 8 }));
    const a = cached(req('t1', 1));
    const b = cached(req('t2', 3));
    expect(calls.run).toBe(2);
    expect(a.equals(b)).toBe(false);
    expect(b.equals(encodeResponse(runFunction(req('t2', 3))))).toBe(true);
  });

  it('never caches an empty tag', () => {
    const { calls, run } = counted();
    const cache = new ResponseCache({ maxEntries: 8 });
    const cached = withResponseCache(run, encodeResponse, cache);
    cached(req(''));
    cached(req(''));
    expect(calls.run).toBe(2);
    expect(cache.size).toBe(0);
  });

  it('respects its bound', () => {
    const { calls, run } = counted();
    const cache = new ResponseCache({ maxEntries: 3 });
    const cached = withResponseCache(run, encodeResponse, cache);
    for (let i = 0; i < 10; i++) cached(req(`t${i}`));
    expect(cache.size).toBe(3);
    cached(req('t9'));
    expect(calls.run).toBe(10);
    cached(req('t0'));
    expect(calls.run).toBe(11);
  });

  it('does not keep InternalError answers', () => {
    const cache = new ResponseCache({ maxEntries: 8 });
    let n = 0;
    const failing = (r: Req) => {
      n++;
      const rsp = runFunction(r);
      rsp.results.push({ severity: 1, message: 'boom', reason: 'InternalError', target: 1 });
      return rsp;
    };
    const cached = withResponseCache(failing, encodeResponse, cache);
    cached(req('t1'));
    cached(req('t1'));
    expect(n).toBe(2);
    expect(cache.size).toBe(0);
  });
});

describe('withRawResponseCache (request bytes in, response bytes out)', () => {
  function setup(max = 8) {
    const calls = { decode: 0, answer: 0 };
    const cache = new ResponseCache({ maxEntries: max });
    const handle = withRawResponseCache<DecodedRequest>(
      {
        tagOf: salvageTag,
        decode: (b) => {
          calls.decode++;
          return decodeRequestSafely(b);
        },
        cacheable: (d) => d.ok,
        answer: (d) => {
          calls.answer++;
          return answer(d);
        },
        encode: (r) => encodeResponseFast(r),
      },
      cache,
    );
    return { calls, cache, handle };
  }
  const bytes = (r: Req) => RunFunctionRequest.encode(r).finish();

  it('same tag: same bytes as the uncached server path, without decoding again', () => {
    const { calls, handle } = setup();
    const b = bytes(req('t1'));
    const first = handle(b);
    const second = handle(b);
    expect(second).toBe(first);
    expect(first.equals(encodeResponse(answer(decodeRequestSafely(b))))).toBe(true);
    expect(calls).toEqual({ decode: 1, answer: 1 });
  });

  it('a different tag (or a different request length under the same tag) is recomputed', () => {
    const { calls, handle } = setup();
    handle(bytes(req('t1', 1)));
    handle(bytes(req('t2', 1)));
    handle(bytes(req('t2', 4)));
    expect(calls.answer).toBe(3);
  });

  it('never caches an empty tag, nor bytes that do not decode', () => {
    const { calls, cache, handle } = setup();
    handle(bytes(req('')));
    handle(bytes(req('')));
    // A valid meta (tag "t") followed by garbage: the tag is salvaged, the rest does not decode.
    const broken = Buffer.concat([Buffer.from(bytes({ ...req('t'), observed: undefined, desired: undefined, input: undefined })), Buffer.from([0xff, 0xff, 0xff])]);
    expect(salvageTag(broken)).toBe('t');
    const a = handle(broken);
    const b = handle(broken);
    expect(a.equals(b)).toBe(true);
    expect(calls.answer).toBe(4);
    expect(cache.size).toBe(0);
  });

  it('respects its bound', () => {
    const { calls, cache, handle } = setup(2);
    for (const t of ['a', 'b', 'c', 'a']) handle(bytes(req(t)));
    expect(cache.size).toBe(2);
    expect(calls.answer).toBe(4);
  });
});
