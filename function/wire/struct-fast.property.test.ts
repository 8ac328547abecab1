/**
 * decodeStruct's fast path (struct.ts) against the general decoder it hands over to: on the
 * canonical bytes an encoder writes it must take them and give exactly the general decoder's
 * object (keys in order, own `__proto__` keys, -0, marks and depth bounds alike); on any other
 * bytes decodeStruct must give what the general decoder gives, value or error.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParams } from '../../test/support/fc.js';
import { jsonObject, nested } from '../../test/support/wire-arbitraries.js';
import { depthBound } from './depth.js';
import { isDecoded } from './known-keys.js';
import { Reader, Writer } from './protobuf.js';
import { decodeStruct, decodeStructFast, decodeStructGeneral, StructSizes, writeStruct } from './struct.js';

/** The canonical encoding of a Struct body, as the response encoder (and the SDK) write it. */
function encode(obj: object): Uint8Array {
  const sizes = new StructSizes();
  const w = new Writer(sizes.body(obj));
  writeStruct(w, sizes, obj);
  return w.buf.subarray(0, w.pos);
}

/** Everything observable of a decoded value: key order, own keys, -0, marks and depth bounds. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return ['list', v.map(shape)];
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : v;
  if (typeof v !== 'object' || v === null) return v;
  return ['obj', isDecoded(v), depthBound(v) ?? null, Reflect.ownKeys(v).map((k) => [k, shape((v as Record<PropertyKey, unknown>)[k])])];
}

/** A decoder's outcome on `bytes`: its object and where it stopped, or its error. */
function outcome(decode: (r: Reader, end: number) => unknown, bytes: Uint8Array): unknown {
  const reader = new Reader(bytes);
  try {
    const out = decode(reader, bytes.length);
    return { out: shape(out), pos: reader.pos };
  } catch (err) {
    return { error: String(err) };
  }
}

const withProto = fc.tuple(jsonObject(5), fc.boolean()).map(([o, proto]) => {
  if (proto) Object.defineProperty(o, '__proto__', { value: { x: 1 }, enumerable: true, writable: true, configurable: true });
  return o;
});

describe('decodeStruct fast path', () => {
  it('takes every canonical encoding and gives the general decoder\'s object', () => {
    fc.assert(
      fc.property(withProto, (obj) => {
        const bytes = encode(obj);
        const reader = new Reader(bytes);
        const fast = decodeStructFast(reader, bytes.length);
        expect(fast).toBeDefined();
        expect(reader.pos).toBe(bytes.length);
        expect(shape(fast)).toEqual((outcome(decodeStructGeneral, bytes) as { out: unknown }).out);
      }),
      fcParams(400),
    );
  });

  it('gives the general decoder\'s value or error on mutated bytes', () => {
    const mutated = fc.tuple(withProto, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete')), { minLength: 1, maxLength: 4 }));
    fc.assert(
      fc.property(mutated, ([obj, edits]) => {
        const bytes = [...encode(obj)];
        for (const [at, b, op] of edits) {
          const i = bytes.length === 0 ? 0 : at % bytes.length;
          if (op === 'set' && bytes.length > 0) bytes[i] = b;
          else if (op === 'insert') bytes.splice(i, 0, b);
          else bytes.splice(i, 1);
        }
        const u8 = Uint8Array.from(bytes);
        expect(outcome(decodeStruct, u8)).toEqual(outcome(decodeStructGeneral, u8));
      }),
      fcParams(1500),
    );
  });

  it('hands deep values to the general decoder and large maps keep their mark and depth bound', () => {
    for (const v of [nested(63), nested(64), nested(65), nested(300, 'leaf', true)]) {
      const bytes = encode({ v });
      expect(outcome(decodeStruct, bytes)).toEqual(outcome(decodeStructGeneral, bytes));
    }
    expect(decodeStructFast(new Reader(encode({ v: nested(200) })), encode({ v: nested(200) }).length)).toBeUndefined();
    const big = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`key-${i}`, i % 2 === 0 ? `v${i}` : { n: i, l: [i, null, true] }]));
    const bytes = encode({ big });
    const fast = outcome(decodeStruct, bytes) as { out: unknown };
    expect(fast).toEqual(outcome(decodeStructGeneral, bytes));
    // The map of 3,000 entries is marked, and the request of about 100 KiB got a depth bound.
    expect(JSON.stringify(fast.out)).toContain('"obj",true');
    expect((fast.out as unknown[])[2]).not.toBeNull();
  });
});
