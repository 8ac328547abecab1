/**
 * Reader.string() hands out a recently decoded string again for the same bytes (repeated keys
 * and values in a 4 MiB request). Strings with the same hash and length must still come back as
 * their own characters: "Aa" and "BB" collide in the 31-multiplier hash, and so do their
 * concatenations.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParams } from '../../test/support/fc.js';
import { Reader } from './protobuf.js';

/** Length-prefixed strings back to back, as a Reader reads them with string(). */
function strings(...xs: string[]): Uint8Array {
  const parts: number[] = [];
  for (const x of xs) {
    const b = Buffer.from(x, 'utf8');
    parts.push(b.length, ...b);
  }
  return Uint8Array.from(parts);
}
const readAll = (bytes: Uint8Array, n: number) => {
  const r = new Reader(bytes);
  return Array.from({ length: n }, () => r.string());
};

describe('Reader.string', () => {
  it('colliding strings of the same length come back as themselves', () => {
    const xs = ['Aa', 'BB', 'Aa', 'AaBB', 'BBAa', 'AaAa', 'BBBB', 'AaBB', 'BB'];
    expect(readAll(strings(...xs), xs.length)).toEqual(xs);
  });

  it('any mix of short strings, repeated or not, decodes as Buffer does', () => {
    const short = fc.oneof(fc.constantFrom('', 'a', 'name', 'Aa', 'BB', 'path', '\u00e9', '\uFEFFa'), fc.string({ maxLength: 10 }), fc.string({ unit: 'binary-ascii', maxLength: 70 }));
    fc.assert(
      fc.property(fc.array(short, { maxLength: 40 }).filter((xs) => xs.every((x) => Buffer.byteLength(x) < 128)), (xs) => {
        // Each twice, so that the second read can come from the cache.
        const twice = [...xs, ...xs];
        expect(readAll(strings(...twice), twice.length)).toEqual(twice.map((x) => Buffer.from(x, 'utf8').toString('utf8')));
      }),
      fcParams(300),
    );
  });
});
