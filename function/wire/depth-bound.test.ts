/**
 * The Struct decoder records an upper bound on the depth of what it builds, so the request guard
 * can skip walking a large shallow object (issue 12 item 2). The bound must never be below the
 * real depth: a request too deep must still be refused, also when it reaches the decoder in
 * non-canonical bytes (a Value whose kind is sent twice, a Struct field sent twice).
 */
import { RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParams } from '../../test/support/fc.js';
import { decodeRequest } from './codec.js';
import { depthBound, nestingDepth, nestsDeeperThan } from './depth.js';

const enc = (r: object) => Buffer.from(RunFunctionRequest.encode(RunFunctionRequest.fromPartial(r as never)).finish());
const json = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.string({ maxLength: 3 }), fc.double(), fc.boolean(), fc.constant(null), tie('arr'), tie('obj')),
  arr: fc.array(tie('v'), { maxLength: 3 }),
  obj: fc.dictionary(fc.string({ maxLength: 3 }), tie('v'), { maxKeys: 3 }),
})) as { obj: fc.Arbitrary<Record<string, unknown>> };
const chain = (depth: number): Record<string, unknown> => {
  let v: Record<string, unknown> = {};
  for (let i = 1; i < depth; i++) v = { a: v };
  return v;
};

describe('depth bound of decoded Structs', () => {
  it('equals the real depth for canonical bytes, for a Struct of 16 KiB or more', () => {
    fc.assert(
      fc.property(json.obj, (obj) => {
        // The padding makes the Struct large enough to get a bound, and adds no depth.
        const got = decodeRequest(enc({ input: { ...obj, pad: 'x'.repeat(16 * 1024) } })).input as Record<string, unknown>;
        expect(depthBound(got)).toBe(nestingDepth(got));
      }),
      fcParams(200),
    );
  });

  it('is not recorded for a small Struct: the guard walks it, and finds its real depth', () => {
    fc.assert(
      fc.property(json.obj, (obj) => {
        const got = decodeRequest(enc({ input: obj })).input as Record<string, unknown>;
        expect(depthBound(got)).toBeUndefined();
        const depth = nestingDepth(got);
        expect(nestsDeeperThan(got, depth)).toBe(false);
        if (depth > 0) expect(nestsDeeperThan(got, depth - 1)).toBe(true);
      }),
      fcParams(100),
    );
  });

  it('is never below the real depth when a Struct field is sent twice, the second copy deeper', () => {
    const pad = 'x'.repeat(16 * 1024);
    const got = decodeRequest(Buffer.concat([enc({ input: { a: 1, pad } }), enc({ input: { b: chain(20), pad } })])).input as Record<string, unknown>;
    expect(nestingDepth(got)).toBe(21);
    expect(depthBound(got)).toBeGreaterThanOrEqual(21);
    expect(nestsDeeperThan(got, 20)).toBe(true);
    expect(nestsDeeperThan(got, 21)).toBe(false);
  });

  it('a deep value later replaced by a scalar makes the bound larger, and the walk decides', () => {
    // The same key twice in one Struct: the later entry (a string) wins over the deep one.
    const got = decodeRequest(Buffer.concat([enc({ input: { k: chain(30) } }), enc({ input: { k: 'x' } })])).input as Record<string, unknown>;
    expect(got).toEqual({ k: 'x' });
    expect(depthBound(got)).toBeGreaterThanOrEqual(1);
    expect(nestsDeeperThan(got, 1)).toBe(false);
  });

  it('objects not from the decoder are walked', () => {
    expect(depthBound(chain(5))).toBeUndefined();
    expect(nestsDeeperThan(chain(5), 4)).toBe(true);
    expect(nestsDeeperThan(chain(5), 5)).toBe(false);
    expect(nestsDeeperThan('x', 0)).toBe(false);
  });
});
