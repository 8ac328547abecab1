import { describe, expect, it } from 'vitest';
import { nested } from '../../test/support/wire-arbitraries.js';
import { copyJson, withKey } from './objects.js';

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

describe('copyJson past the recursive levels', () => {
  it('keeps a __proto__ key deep below them an own key, and copies every level', () => {
    const leaf = JSON.parse('{"__proto__": {"polluted": true}, "x": [1, {"y": 2}]}') as unknown;
    const deep = nested(200, leaf);
    const copy = copyJson(deep);
    expect(copy).toEqual(deep);
    let v: unknown = copy;
    for (let i = 0; i < 200; i++) v = (v as { a: unknown }).a;
    expect(Object.hasOwn(v as object, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(v).not.toBe(leaf);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('copies a null-prototype object into a plain one', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { k: { v: 1 } });
    const copy = copyJson({ bare });
    expect(Object.getPrototypeOf(copy.bare)).toBe(Object.prototype);
    expect(copy.bare).toEqual({ k: { v: 1 } });
    expect(copy.bare['k']).not.toBe(bare['k']);
  });
});

describe('withKey', () => {
  it('puts a new key before the first anchor present and keeps a __proto__ key an own key', () => {
    const source = JSON.parse('{"a": 1, "__proto__": {"p": 1}, "c": 3}') as Record<string, unknown>;
    const out = withKey(source, 'b', 2, ['x', 'c']);
    expect(Object.keys(out)).toEqual(['a', '__proto__', 'b', 'c']);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(source)).toEqual(['a', '__proto__', 'c']);
    expect(Object.keys(withKey(source, 'c', 4))).toEqual(['a', '__proto__', 'c']);
    expect(Object.keys(withKey(source, 'z', 4, ['y']))).toEqual(['a', '__proto__', 'c', 'z']);
  });
});

describe('copyJson and inherited keys', () => {
  it('copies own keys only, even when Object.prototype has an enumerable one', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto['injected'] = { x: 1 };
    try {
      const copy = copyJson({ a: { b: 1 }, c: [{ d: {} }] });
      expect(Object.keys(copy)).toEqual(['a', 'c']);
      expect(Object.hasOwn(copy.a, 'injected')).toBe(false);
      expect(Object.hasOwn(copy.c[0] as object, 'injected')).toBe(false);
    } finally {
      delete proto['injected'];
    }
  });
});
