/**
 * The Struct decoder marks the large maps it builds (known-keys.ts), and only those: a record
 * parse may hand a marked map on as it is, which is right only for the decoder's plain objects.
 */
import { RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import { describe, expect, it } from 'vitest';
import { decodeRequest } from './codec.js';
import { isArrayIndex, isDecoded } from './known-keys.js';

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
