/**
 * The Struct decoder marks the large maps it builds (known-keys.ts), and only those: a record
 * parse may hand a marked map on as it is, which is right only for the decoder's plain objects.
 */
import { RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParams } from '../../test/support/fc.js';
import { decodeRequest } from './codec.js';
import { isArrayIndex, isDecoded, knownKeys } from './known-keys.js';
import { Reader } from './protobuf.js';
import { decodeStruct, decodeStructGeneral } from './struct.js';
import { entry, key, str, value } from './struct-bytes.testkit.js';

const enc = (input: Record<string, unknown>) => Buffer.from(RunFunctionRequest.encode(RunFunctionRequest.fromPartial({ input } as never)).finish());
const map = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));

describe('decoded marks', () => {
  it('are on the large maps the decoder built, at any depth, and on no other object', () => {
    const input = decodeRequest(enc({ small: map(3), big: map(300), deep: { list: [map(256), map(255)] } })).input as Record<string, Record<string, unknown>>;
    expect(isDecoded(input['big'] as object)).toBe(true);
    const list = (input['deep'] as { list: object[] }).list;
    expect(isDecoded(list[0] as object)).toBe(true);
    expect(isDecoded(list[1] as object)).toBe(false);
    expect(isDecoded(input['small'] as object)).toBe(false);
    expect(isDecoded(input)).toBe(false);
    // A map built in JavaScript, however large, is not marked.
    expect(isDecoded(map(300))).toBe(false);
  });

});

describe('isArrayIndex', () => {
  it.each([
    ['0', true], ['7', true], ['10', true], ['4294967294', true],
    ['', false], ['01', false], ['00', false], ['4294967295', false], ['99999999999', false], ['-1', false], ['1.5', false], ['1e3', false], [' 1', false], ['k1', false],
  ])('%j: %s, as V8 orders it', (key, index) => {
    expect(isArrayIndex(key)).toBe(index);
    // The engine's own answer: array indices come before other keys whatever the insertion order.
    expect(Object.keys({ z: 1, [key]: 1 })[0] === key).toBe(index);
  });
});

/** A Struct entry of a string value, its key field first or (not canonical: only the general decoder takes it) last. */
const stringEntry = (k: string, v: string, valueFirst: boolean) => (valueFirst ? entry(value(str(v)), key(k)) : entry(key(k), value(str(v))));
const decodeEntries = (entries: number[][], general: boolean) => {
  const bytes = Uint8Array.from(entries.flat());
  return (general ? decodeStructGeneral : decodeStruct)(new Reader(bytes), bytes.length);
};

describe('key lists the decoder keeps', () => {
  // Keys from a small pool, so that repeats are common; now and then an array-index key, a
  // near-miss V8 keeps as a name ("01", "4294967295", "-1", "1e3"), __proto__, an inherited name.
  const key = fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: 2000 }).map((i) => `k${i}`), weight: 400 },
    { arbitrary: fc.constantFrom('01', '4294967295', '-1', '1e3', '__proto__', 'constructor', 'toString', ''), weight: 2 },
    { arbitrary: fc.constantFrom('0', '17', '4294967294'), weight: 1 },
  );
  it('equal Object.keys of the decoded object whenever one is recorded, on both decoder paths', () => {
    let recorded = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.boolean()), { minLength: 200, maxLength: 1200 }), fc.boolean(), (entries, general) => {
        const obj = decodeEntries(entries.map(([k, valueFirst], i) => stringEntry(k, `v${i}`, general && valueFirst)), general);
        const list = knownKeys(obj);
        if (list === undefined) return;
        recorded++;
        expect(list).toEqual(Object.keys(obj));
      }),
      fcParams(200),
    );
    // Most runs are large maps without an array-index key after the 256th entry: lists compared.
    expect(recorded).toBeGreaterThan(50);
  });

  it.each([false, true])('are kept for large maps, not once an array-index key comes after the 256th entry (general decoder: %s)', (general) => {
    // An array index before the 257th entry, a repeat, inherited names and __proto__ after it.
    const odd = new Map([[10, '5'], [900, 'k3'], [500, 'constructor'], [600, '__proto__'], [700, 'toString'], [701, 'toString']]);
    const names = Array.from({ length: 1000 }, (_, i) => odd.get(i) ?? `k${i}`);
    const obj = decodeEntries(names.map((k) => stringEntry(k, 'v', general)), general);
    expect(knownKeys(obj)).toEqual(Object.keys(obj));
    expect(knownKeys(obj)?.[0]).toBe('5');
    expect(knownKeys(obj)).toHaveLength(998);
    expect(knownKeys(decodeEntries([...names, '7'].map((k) => stringEntry(k, 'v', general)), general))).toBeUndefined();
    // 256 entries: marked, no list (it starts with the 257th).
    expect(knownKeys(decodeEntries(names.slice(0, 256).map((k) => stringEntry(k, 'v', general)), general))).toBeUndefined();
  });
});

