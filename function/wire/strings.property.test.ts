/**
 * Strings come out of function/wire exactly as they went in: a leading U+FEFF is data, every
 * Unicode plane round-trips, and bytes that are not UTF-8 are refused as Go refuses them.
 */
import { RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParams } from '../../test/support/fc.js';
import { answer } from '../server/server.js';
import { REASON } from '../results.js';
import { decodeRequest, decodeRequestSafely } from './codec.js';
import { Reader, Writer } from './protobuf.js';

const BOM = '\uFEFF';
type Req = Parameters<typeof RunFunctionRequest.encode>[0];

const withConfigMap = (data: Record<string, string>, tag = 't'): Req =>
  RunFunctionRequest.fromPartial({ meta: { tag }, desired: { resources: { cm: { resource: { apiVersion: 'v1', kind: 'ConfigMap', data } } } } });

// Every plane: code points drawn from the whole range (surrogates excluded, as UTF-8 has none).
const anyPlane = fc.string({ unit: 'binary', maxLength: 12 });
const maybeBom = fc.tuple(fc.constantFrom('', BOM, BOM + BOM), anyPlane).map(([p, s]) => p + s);

describe('string decoding', () => {
  it('keeps a leading U+FEFF in keys and values (the earlier step data the issue reproduced)', () => {
    const data = { [`${BOM}a`]: 'x', a: 'y', bom: `${BOM}hello` };
    const got = decodeRequest(RunFunctionRequest.encode(withConfigMap(data, `${BOM}tag`)).finish());
    expect(got.desired?.resources['cm']?.resource?.['data']).toEqual(data);
    expect(Object.keys(got.desired?.resources['cm']?.resource?.['data'] as object)).toHaveLength(3);
    expect(got.meta?.tag).toBe(`${BOM}tag`);
  });

  it('decodes strings with BOMs and from every plane exactly as the SDK does', () => {
    fc.assert(
      fc.property(fc.dictionary(maybeBom, maybeBom, { maxKeys: 6 }), maybeBom, (data, tag) => {
        const bytes = RunFunctionRequest.encode(withConfigMap(data, tag)).finish();
        const ours = decodeRequest(bytes);
        expect(ours).toEqual(RunFunctionRequest.decode(bytes));
        expect(ours.desired?.resources['cm']?.resource?.['data']).toEqual(data);
        expect(ours.meta?.tag).toBe(tag);
      }),
      fcParams(300),
    );
  });

  // meta { tag: <bytes> } as field 1 of the request.
  const tagBytes = (bytes: number[]) => Buffer.from([0x0a, bytes.length + 2, 0x0a, bytes.length, ...bytes]);

  it.each([
    ['a lone continuation byte', [0x80]],
    ['0xFF', [0x61, 0xff]],
    ['an overlong "/"', [0xc0, 0xaf]],
    ['an encoded surrogate (CESU-8)', [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a truncated 3-byte sequence', [0xe2, 0x82]],
  ])('refuses %s with a FATAL UndecodableRequest, as a Go server does', (_name, bytes) => {
    const decoded = decodeRequestSafely(tagBytes(bytes));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error).toMatch(/not valid UTF-8/);
    const rsp = answer(decoded);
    expect(rsp.results).toHaveLength(1);
    expect(rsp.results[0]).toMatchObject({ severity: 1, reason: REASON.undecodable });
  });

  it('ASCII strings of every length (each way of building them) come out as they went in, from any view of the bytes', () => {
    const ascii = fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)), maxLength: 80 });
    fc.assert(
      fc.property(fc.array(ascii, { maxLength: 8 }), fc.nat(7), (strings, offset) => {
        const w = new Writer(strings.reduce((n, x) => n + 5 + x.length, 0));
        for (const x of strings) w.string(x, x.length);
        // A Uint8Array (not a Buffer) at an offset into a larger buffer, as a transport may hand over.
        const backing = new Uint8Array(offset + w.pos);
        backing.set(w.buf.subarray(0, w.pos), offset);
        const reader = new Reader(new Uint8Array(backing.buffer, offset, w.pos));
        for (const x of strings) expect(reader.string()).toBe(x);
        // The same again: the recent-strings cache hands out equal strings.
        const again = new Reader(Buffer.from(w.buf.subarray(0, w.pos)));
        for (const x of strings) expect(again.string()).toBe(x);
      }),
      fcParams(300),
    );
  });
});
