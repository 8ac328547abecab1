import { describe, expect, it } from 'vitest';
import { nested } from '../../test/support/wire-arbitraries.js';
import { copyJson } from './objects.js';

describe('copyJson', () => {
  it('copies plain JSON deeply: equal, and sharing nothing with the original', () => {
    const original = { a: [1, 'two', null, true, { b: { c: [] } }], d: {}, e: -0 };
    const copy = copyJson(original);
    expect(copy).toEqual(original);
    expect(Object.is(copy.e, -0)).toBe(true);
    expect(copy).not.toBe(original);
    expect(copy.a).not.toBe(original.a);
    expect(copy.a[4]).not.toBe(original.a[4]);
    (copy.a[4] as { b: { c: unknown[] } }).b.c.push(1);
    expect(original.a[4]).toEqual({ b: { c: [] } });
  });

  it('keeps a __proto__ key as an own key and never changes the prototype', () => {
    const original = JSON.parse('{"__proto__": {"polluted": true}, "x": 1}') as Record<string, unknown>;
    const copy = copyJson(original);
    expect(Object.hasOwn(copy, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect((copy as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.keys(copy)).toEqual(['__proto__', 'x']);
  });

  it('copies deeper than the call stack allows recursion', () => {
    const depth = 100_000;
    const deep = nested(depth, 'leaf', true);
    const copy = copyJson(deep);
    // Walked iteratively: expect's deep equality would itself recurse.
    let a: unknown = deep;
    let b: unknown = copy;
    for (let i = 0; i < depth; i++) {
      if (a === b) throw new Error(`level ${i} was shared, not copied`);
      const next = (v: unknown) => (Array.isArray(v) ? v[0] : (v as Record<string, unknown>)[Object.keys(v as object)[0] as string]);
      a = next(a);
      b = next(b);
    }
    expect(b).toEqual(a);
  });
});
