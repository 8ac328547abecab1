/**
 * The Struct decoder's key lists (known-keys.ts) are `Object.keys` of the object exactly, whenever
 * one is recorded: on large maps with repeated keys, `__proto__`, keys that look like array
 * indices and nested maps; and a Struct field sent twice (merged) does not keep a stale list.
 */
import { RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParams } from '../../test/support/fc.js';
import { decodeRequest } from './codec.js';
import { knownKeys, mayBeIndex } from './known-keys.js';
import { Reader } from './protobuf.js';
import { decodeStruct } from './struct.js';

const varint = (n: number): number[] => {
  const out: number[] = [];
  for (; n > 127; n >>>= 7) out.push((n & 127) | 128);
  out.push(n);
  return out;
};
const len = (no: number, body: number[]) => [...varint((no << 3) | 2), ...varint(body.length), ...body];
const text = (s: string) => [...Buffer.from(s)];
/** A Struct entry with a string value; the same key may come any number of times (the last wins). */
const entry = (k: string, v: string) => len(1, [...len(1, text(k)), ...len(2, len(3, text(v)))]);
const objectEntry = (k: string, inner: number[]) => len(1, [...len(1, text(k)), ...len(2, len(5, inner))]);

function decode(bytes: number[]): Record<string, unknown> {
  const buf = Uint8Array.from(bytes);
  return decodeStruct(new Reader(buf), buf.length);
}

/** Every object in `root` whose list is known has exactly that list as its Object.keys; how many were known. */
function checkLists(root: Record<string, unknown>): number {
  let known = 0;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    const keys = knownKeys(v);
    if (keys !== undefined) {
      known++;
      expect(keys).toEqual(Object.keys(v));
    }
    stack.push(...Object.values(v));
  }
  return known;
}

const key = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 400 }).map((i) => `k${i}`) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', '', 'toString') },
);
/** Keys that Object.keys may list out of insertion order (array indices) or not ('01', '1a'). */
const digitKey = fc.constantFrom('0', '7', '01', '1a', '4294967294');

describe('decoded key lists', () => {
  it('are Object.keys exactly, on large maps with repeated and odd keys', () => {
    let listed = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.string({ maxLength: 3 })), { minLength: 256, maxLength: 700 }), fc.boolean(), fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.tuple(digitKey, fc.nat()) }), (entries, nest, digit) => {
        if (digit !== null) entries.splice(digit[1] % entries.length, 0, [digit[0], 'd']);
        const flat = entries.flatMap(([k, v]) => entry(k, v));
        const root = decode(nest ? [...entry('a', 'b'), ...objectEntry('inner', flat)] : flat);
        listed += checkLists(root);
      }),
      fcParams(150),
    );
    // The property is not vacuous: many of these maps were listed.
    expect(listed).toBeGreaterThan(50);
  });

  it('are recorded for large maps only, and never for one with a key that may be an array index', () => {
    const big = decode(Array.from({ length: 300 }, (_, i) => entry(`k${i}`, 'v')).flat());
    expect(knownKeys(big)).toEqual(Array.from({ length: 300 }, (_, i) => `k${i}`));
    expect(knownKeys(decode(entry('a', 'b')))).toBeUndefined();
    // Object.keys lists "5" first: an insertion-order list would be wrong.
    const indexed = decode([...Array.from({ length: 300 }, (_, i) => entry(`k${i}`, 'v')).flat(), ...entry('5', 'v')]);
    expect(Object.keys(indexed)[0]).toBe('5');
    expect(knownKeys(indexed)).toBeUndefined();
  });

  it('mayBeIndex holds for every array index', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 2 }), (i) => {
        expect(mayBeIndex(String(i))).toBe(true);
      }),
      fcParams(200),
    );
    expect(mayBeIndex('k1')).toBe(false);
    expect(mayBeIndex('')).toBe(false);
  });

  it('a Struct field sent twice leaves no stale list on the merged object', () => {
    const enc = (input: Record<string, unknown>) => Buffer.from(RunFunctionRequest.encode(RunFunctionRequest.fromPartial({ input } as never)).finish());
    const first = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, 'v']));
    const req = decodeRequest(Buffer.concat([enc(first), enc({ extra: 'x' })]));
    const input = req.input as Record<string, unknown>;
    expect(Object.keys(input)).toHaveLength(301);
    const keys = knownKeys(input);
    if (keys !== undefined) expect(keys).toEqual(Object.keys(input));
  });

});
