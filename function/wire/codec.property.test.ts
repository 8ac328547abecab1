/**
 * function/wire against the SDK's generated codec: same objects out of the same bytes, same bytes
 * out of the same objects; and, where the SDK gives up (deep nesting, `__proto__` keys), the
 * behaviour we want instead.
 */
import {
  Condition,
  CredentialData,
  Credentials,
  Requirements,
  Resource,
  ResourceSelector,
  Resources,
  Result,
  RunFunctionRequest,
  RunFunctionResponse,
  Schema,
  SchemaSelector,
  State,
} from '@crossplane-org/function-sdk-typescript';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParams } from '../../test/support/fc.js';
import { hasProtoKey, nested, requestMessage, responseMessage } from '../../test/support/wire-arbitraries.js';
import { decodeRequest, decodeRequestSafely, encodeResponse, salvageTag } from './codec.js';
import { deepest } from './depth.js';
import * as wire from './messages.js';

type Req = Parameters<typeof RunFunctionRequest.encode>[0];
type Rsp = Parameters<typeof RunFunctionResponse.encode>[0];
const sdkBytes = (req: Req) => RunFunctionRequest.encode(req).finish();

describe('wire codec = SDK codec', () => {
  it('decodes every request exactly as the SDK does', () => {
    fc.assert(
      fc.property(requestMessage.filter((r) => !hasProtoKey(r)), (req) => {
        const bytes = sdkBytes(req as unknown as Req);
        expect(decodeRequest(bytes)).toEqual(RunFunctionRequest.decode(bytes));
      }),
      fcParams(300),
    );
  });

  it('encodes every response to the SDK bytes, and decodes them back as the SDK does', () => {
    fc.assert(
      fc.property(responseMessage.filter((r) => !hasProtoKey(r)), (rsp) => {
        const ours = encodeResponse(rsp as unknown as Rsp);
        const sdk = Buffer.from(RunFunctionResponse.encode(rsp as unknown as Rsp).finish());
        expect(ours.equals(sdk)).toBe(true);
        expect(wire.decode(wire.RunFunctionResponse, ours)).toEqual(RunFunctionResponse.decode(sdk));
      }),
      fcParams(300),
    );
  });

  it('encodes requests to the SDK bytes too (packed enums included)', () => {
    fc.assert(
      fc.property(requestMessage.filter((r) => !hasProtoKey(r)), (req) => {
        expect(wire.encode(wire.RunFunctionRequest, req).equals(Buffer.from(sdkBytes(req as unknown as Req)))).toBe(true);
      }),
      fcParams(200),
    );
  });

  it('names every field the SDK knows, for every message (a new SDK field fails here)', () => {
    const pairs: Array<[wire.MessageType, object]> = [
      [wire.RunFunctionRequest, RunFunctionRequest.fromPartial({})],
      [wire.RunFunctionResponse, RunFunctionResponse.fromPartial({})],
      [wire.State, State.fromPartial({})],
      [wire.Resource, Resource.fromPartial({})],
      [wire.Resources, Resources.fromPartial({})],
      [wire.Credentials, Credentials.fromPartial({})],
      [wire.CredentialData, CredentialData.fromPartial({})],
      [wire.Schema, Schema.fromPartial({})],
      [wire.Result, Result.fromPartial({})],
      [wire.Condition, Condition.fromPartial({})],
      [wire.Requirements, Requirements.fromPartial({})],
      [wire.ResourceSelector, ResourceSelector.fromPartial({})],
      [wire.SchemaSelector, SchemaSelector.fromPartial({})],
      [wire.RequestMeta, RunFunctionRequest.fromPartial({ meta: {} }).meta as unknown as Record<string, unknown>],
      [wire.ResponseMeta, RunFunctionResponse.fromPartial({ meta: {} }).meta as unknown as Record<string, unknown>],
      [wire.MatchLabels, ResourceSelector.fromPartial({ matchLabels: {} }).matchLabels as unknown as Record<string, unknown>],
      [wire.Duration, RunFunctionResponse.fromPartial({ meta: { ttl: {} } }).meta?.ttl as unknown as Record<string, unknown>],
    ];
    for (const [type, sdkDefault] of pairs) {
      expect(Object.keys(wire.emptyMessage(type)).sort(), type.name).toEqual(Object.keys(sdkDefault).sort());
      expect(wire.emptyMessage(type), type.name).toEqual(sdkDefault);
    }
  });
});

describe('where the SDK codec fails', () => {
  const xrWith = (spec: unknown) => ({ apiVersion: 'x/v1', kind: 'X', metadata: { name: 'n' }, spec });
  const reqWith = (xr: unknown): Req => RunFunctionRequest.fromPartial({ meta: { tag: 't' }, observed: { composite: { resource: xr as Record<string, unknown> } } });

  it('measured: the SDK refuses an XR nested 33 levels deep (32 still decodes); we decode both', () => {
    for (const [depth, sdkOk] of [
      [32, true],
      [33, false],
    ] as const) {
      const xr = xrWith(nested(depth - 1));
      expect(deepest(xr).depth).toBe(depth);
      const bytes = wire.encode(wire.RunFunctionRequest, reqWith(xr) as unknown as Record<string, unknown>);
      if (sdkOk) expect(() => RunFunctionRequest.decode(bytes)).not.toThrow();
      else expect(() => RunFunctionRequest.decode(bytes)).toThrow(/recursion limit exceeded/);
      expect(decodeRequest(bytes).observed?.composite?.resource).toEqual(xr);
    }
  });

  it.each([64, 1_000, 20_000, 100_000])('round-trips objects and lists nested %i deep without recursion', (depth) => {
    const xr = xrWith(nested(depth, 'leaf', true));
    const bytes = wire.encode(wire.RunFunctionRequest, reqWith(xr) as unknown as Record<string, unknown>);
    const back = decodeRequest(bytes).observed?.composite?.resource;
    expect(deepest(back).depth).toBe(deepest(xr).depth);
    const rsp = RunFunctionResponse.fromPartial({ desired: { resources: { deep: { resource: xr } } } });
    const decoded = wire.decode(wire.RunFunctionResponse, encodeResponse(rsp)) as unknown as Rsp;
    expect(deepest(decoded.desired?.resources['deep']?.resource).depth).toBe(deepest(xr).depth);
  });

  it('keeps a "__proto__" key as an own key (the SDK drops it, or sets a prototype with it), on decode and encode', () => {
    const data = JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"x": 1}}, "plain": "v"}') as Record<string, unknown>;
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', data };
    const rsp = RunFunctionResponse.fromPartial({ desired: { resources: { cm: { resource: cm } } } });
    const bytes = encodeResponse(rsp);
    const back = wire.decode(wire.RunFunctionResponse, bytes) as unknown as Rsp;
    const got = back.desired?.resources['cm']?.resource?.['data'] as Record<string, unknown>;
    expect(Object.keys(got)).toEqual(['__proto__', 'constructor', 'plain']);
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
    expect(JSON.stringify(got)).toBe(JSON.stringify(data));
    // The SDK loses it in both directions.
    expect(Object.keys(RunFunctionResponse.decode(bytes).desired?.resources['cm']?.resource?.['data'] as object)).toEqual(['constructor', 'plain']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('malformed bytes', () => {
  const valid = wire.encode(
    wire.RunFunctionRequest,
    RunFunctionRequest.fromPartial({ meta: { tag: 'tag-1' }, observed: { composite: { resource: { a: { b: [1, 'x', null] } } } } }) as unknown as Record<string, unknown>,
  );

  it('never throws on random bytes, truncations or byte flips; salvages the tag when meta is intact', () => {
    const mutated = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.nat(valid.length).map((n) => valid.subarray(0, n)),
      fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })).map(([i, b]) => {
        const copy = Buffer.from(valid);
        copy[i] = b;
        return copy;
      }),
    );
    fc.assert(
      fc.property(mutated, (bytes) => {
        const decoded = decodeRequestSafely(bytes);
        if (!decoded.ok) expect(typeof decoded.error).toBe('string');
      }),
      fcParams(500),
    );
  });

  it.each([
    ['a truncated struct', valid.subarray(0, valid.length - 3), /runs past the end|truncated/],
    ['field number 0', Buffer.from([0x00]), /field number 0/],
    ['wire type 7', Buffer.from([0x0f]), /wire type 7/],
    ['an overlong varint', Buffer.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), /varint/],
    ['an unterminated group', Buffer.from([0x0b, 0x08, 0x01]), /group/],
  ])('%s is an error with a reason, and the tag is salvaged', (_name, bytes, why) => {
    const decoded = decodeRequestSafely(bytes);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error).toMatch(why);
    expect(salvageTag(valid.subarray(0, valid.length - 3))).toBe('tag-1');
  });
});
