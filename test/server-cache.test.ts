/**
 * The server's answer path with its response cache: a repeated request is answered from the
 * cache with the same bytes, and the key is the request's content, so a reused tag can never
 * return another request's answer.
 */
import { RunFunctionRequest, RunFunctionResponse, Severity } from '@crossplane-org/function-sdk-typescript';
import { describe, expect, it } from 'vitest';
import { ResponseCache } from '../function/server/cache.js';
import { rawAnswerer } from '../function/server/server.js';
import { actorDoc, baseSpec, cacheMount, request } from './support/requests.js';

const bytesOf = (spec: Record<string, unknown>, tag: string) => Buffer.from(RunFunctionRequest.encode(request({ xr: actorDoc(spec), tag })).finish());

describe('rawAnswerer with a response cache', () => {
  it('answers a repeated request from the cache with identical bytes', () => {
    const cache = new ResponseCache({ maxEntries: 8 });
    const answer = rawAnswerer(cache);
    const req = bytesOf(baseSpec, 'same');
    const first = answer(req);
    expect(cache.size).toBe(1);
    const second = answer(Buffer.from(req));
    expect(second.out.equals(first.out)).toBe(true);
    expect(cache.size).toBe(1);
    expect(first.out.equals(rawAnswerer(undefined)(req).out)).toBe(true);
    // The log of a cache hit names the XR as the first answer's did.
    expect(first.summary?.xr).toMatch(/AsyncActor/);
    expect(second.summary).toEqual(first.summary);
  });

  it('keys on content: two different requests with the same tag get their own answers', () => {
    const answer = rawAnswerer(new ResponseCache({ maxEntries: 8 }));
    const one = RunFunctionResponse.decode(answer(bytesOf(baseSpec, 'reused')).out);
    const other = RunFunctionResponse.decode(answer(bytesOf({ ...baseSpec, stateProxy: [cacheMount] }, 'reused')).out);
    const mounts = (r: RunFunctionResponse) => (r.desired?.composite?.resource?.['status'] as { mounts: string }).mounts;
    expect(mounts(one)).toBe('weights,cache');
    expect(mounts(other)).toBe('cache');
  });

  it('does not keep answers to undecodable requests', () => {
    const cache = new ResponseCache({ maxEntries: 8 });
    const out = RunFunctionResponse.decode(rawAnswerer(cache)(Buffer.from([0xff, 0xff, 0xff])).out);
    expect(out.results[0]?.severity).toBe(Severity.SEVERITY_FATAL);
    expect(out.results[0]?.reason).toBe('UndecodableRequest');
    expect(cache.size).toBe(0);
  });

  it('stays within its bound', () => {
    const cache = new ResponseCache({ maxEntries: 2 });
    const answer = rawAnswerer(cache);
    for (let i = 0; i < 5; i++) answer(bytesOf({ ...baseSpec, handler: `mod.f${i}` }, `t${i}`));
    expect(cache.size).toBe(2);
  });
});
