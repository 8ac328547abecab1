/**
 * fastRecord parses exactly as zod's own record: same output (keys, order, values) and the same
 * issues (code, path, message, order), on random maps with valid and invalid values, `__proto__`,
 * numeric and symbol keys, non-enumerable keys and non-objects.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fcParams } from '../../test/support/fc.js';
import { isLabelValue, LABEL_VALUE, MAX_LABEL_VALUE, NON_NEGATIVE_QUANTITY, nonNegativeQuantity } from './k8s.js';
import { zodMessage } from './messages.js';
import { fastRecord, KEY_LIST_MIN_KEYS, parsedKeys } from './record.js';
import { isDecoded } from '../wire/known-keys.js';
import * as wire from '../wire/messages.js';

const labelValue = () => z.string().max(MAX_LABEL_VALUE).regex(new RegExp(LABEL_VALUE));
const NON_NEGATIVE_QUANTITY_RE = new RegExp(NON_NEGATIVE_QUANTITY);

/** [name, zod's record, ours]; each pair built from the same value schema. */
const pairs: ReadonlyArray<readonly [string, z.ZodType, z.ZodType]> = [
  ['label values', z.record(z.string(), labelValue()), fastRecord(labelValue(), isLabelValue)],
  ['strings', z.record(z.string(), z.string()), fastRecord(z.string(), (v) => typeof v === 'string')],
  ['anything', z.record(z.string(), z.unknown()).meta({ x: 1 }), fastRecord(z.unknown(), () => true, (s) => s.meta({ x: 1 }))],
  ['quantities', z.record(z.string(), nonNegativeQuantity), fastRecord(nonNegativeQuantity, (v) => typeof v === 'string' && NON_NEGATIVE_QUANTITY_RE.test(v))],
  // accepts() may say no to values the schema takes: zod then parses them.
  ['never vouched', z.record(z.string(), labelValue()), fastRecord(labelValue(), () => false)],
];

const value = fc.oneof(
  fc.constantFrom('', 'a', 'v1', '-x', 'x-', 'a'.repeat(63), 'a'.repeat(64), 'a b', '500m', '1Gi', '-1', '1e3', '__proto__'),
  fc.string({ maxLength: 70 }),
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom(0.5, -0, Number.NaN, Number.POSITIVE_INFINITY, true, null, undefined),
  fc.constant([1]),
  fc.constant({ a: 1 }),
);
const key = fc.oneof(fc.constantFrom('__proto__', '0', '1', '10', '-1', '01', 'constructor', 'toString', 'a/b', ''), fc.string({ maxLength: 8 }));

/** A plain object with these entries; `__proto__` as an own key, as the wire decoder keeps it. */
function build(entries: ReadonlyArray<readonly [string, unknown]>, extra: { symbol?: boolean; hidden?: boolean }): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  if (extra.symbol === true) (o as Record<symbol, unknown>)[Symbol('s')] = 'x';
  if (extra.hidden === true) Object.defineProperty(o, 'hidden', { value: 'Not Valid!', enumerable: false });
  return o;
}

/** `entries` through the wire: encoded as a Struct and decoded, so the decoder marks a large map. */
function decoded(entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> {
  const json = build(entries, {});
  const type = { name: 'T', fields: [{ no: 1, name: 's', type: { t: 'struct' as const } }] };
  return wire.decode(type, wire.encode(type, { s: json }))['s'] as Record<string, unknown>;
}

/** What a caller can observe of a parse: success, output (own keys in order) or issues. */
function observe(schema: z.ZodType, input: unknown) {
  const r = schema.safeParse(input, { error: zodMessage });
  if (r.success) {
    const out = r.data as Record<string, unknown>;
    return { ok: true, keys: Reflect.ownKeys(out).map(String), values: Object.values(out), proto: Object.getPrototypeOf(out) === Object.prototype };
  }
  return { ok: false, issues: r.error.issues.map((i) => ({ ...i, input: undefined })) };
}

describe('fastRecord', () => {
  for (const [name, zods, ours] of pairs) {
    it(`${name}: same output and issues as z.record`, () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(key, value), { maxLength: 12 }), fc.boolean(), fc.boolean(), (entries, symbol, hidden) => {
          const input = build(entries, { symbol, hidden });
          expect(observe(ours, input)).toEqual(observe(zods, input));
        }),
        fcParams(300),
      );
    });

    it(`${name}: non-objects as z.record`, () => {
      for (const input of [null, undefined, 'x', 3, [], ['a'], new Date(0), new Map([['a', 'b']]), Object.create(null)]) {
        expect(observe(ours, input)).toEqual(observe(zods, input));
      }
    });
  }

  it('keeps zod parse for a record with checks of its own (none are used)', () => {
    expect(() => fastRecord(z.string(), () => true, (s) => s.refine(() => true) as never)).toThrow(/checks/);
  });

  it('parsedKeys is the output\'s own keys in order whenever it is known', () => {
    const [, , ours] = pairs[0] as (typeof pairs)[number];
    let known = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(key, value), { maxLength: 12 }), fc.boolean(), (entries, large) => {
        // Large enough for a key list, or not (small records keep none).
        const filler: Array<[string, unknown]> = large ? Array.from({ length: KEY_LIST_MIN_KEYS }, (_, i) => [`filler-${i}`, 'v']) : [];
        const r = ours.safeParse(build([...filler, ...entries], {}));
        if (!r.success) return;
        const out = r.data as Record<string, unknown>;
        const keys = parsedKeys(out);
        if (keys === undefined) {
          // No list for a small record, nor for one whose __proto__ key the parse left out.
          expect(Reflect.ownKeys(out).length < KEY_LIST_MIN_KEYS || entries.some(([k]) => k === '__proto__')).toBe(true);
          return;
        }
        known++;
        expect(keys).toEqual(Reflect.ownKeys(out));
      }),
      fcParams(300),
    );
    expect(known).toBeGreaterThan(0);
    expect(parsedKeys({ a: 'b' })).toBeUndefined();
  });

  it('the output is a fresh object for a map the wire decoder did not mark', () => {
    const input = { a: 'b' };
    const r = fastRecord(z.string(), (v) => typeof v === 'string').parse(input);
    expect(r).toEqual(input);
    expect(r).not.toBe(input);
  });

  it('a decoded (large) map parses as z.record would, and is the output itself when every value is vouched for', () => {
    const listedCases: ReadonlyArray<readonly [string, z.ZodType, (v: unknown) => boolean]> = [
      ['label values', z.record(z.string(), labelValue()), isLabelValue],
      ['anything', z.record(z.string(), z.unknown()), () => true],
      ['never vouched', z.record(z.string(), labelValue()), () => false],
    ];
    // Values a Struct can carry (no undefined, no NaN or infinities); mostly valid label values.
    const goodValue = fc.constantFrom('v', 'a-b', '');
    const oddValue = fc.constantFrom('-x', 'a b', 3, true, null, [1], { a: 1 });
    /** At most one odd value, at some index (-1: none). */
    const odd = fc.oneof({ weight: 2, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.tuple(fc.nat(299), oddValue) });
    // Distinct keys (a Struct has each once), enough for the decoder to list them; sometimes `__proto__`.
    const wireEntries = fc
      .tuple(fc.array(goodValue, { minLength: 300, maxLength: 400 }), odd, fc.oneof({ weight: 4, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.nat(299) }))
      .map(([values, bad, proto]) => values.map((v, i): [string, unknown] => [i === proto ? '__proto__' : `k${i}`, bad !== null && bad[0] === i ? bad[1] : v]));
    for (const [name, zods, accepts] of listedCases) {
      const ours = fastRecord(name === 'anything' ? z.unknown() : labelValue(), accepts);
      let whole = 0;
      fc.assert(
        fc.property(wireEntries, (entries) => {
          const input = decoded(entries);
          expect(isDecoded(input), name).toBe(true);
          expect(observe(ours, input), name).toEqual(observe(zods, input));
          const r = ours.safeParse(input, { error: zodMessage });
          const vouched = !Object.hasOwn(input, '__proto__') && Object.values(input).every(accepts);
          expect(r.success && r.data === input, name).toBe(vouched);
          if (vouched) whole++;
          const listed = r.success ? parsedKeys(r.data as object) : undefined;
          if (vouched) expect(listed, name).toBeDefined();
          if (listed !== undefined) expect(listed, name).toEqual(Object.keys(r.data as object));
        }),
        fcParams(40),
      );
      // Both paths ran (but never vouched, which always copies).
      if (name !== 'never vouched') expect(whole, name).toBeGreaterThan(5);
    }
  });

  it('a bad value among many is reported at its key, with zod message', () => {
    const input = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i === 500 ? 'Not valid!' : 'v']));
    const r = z.object({ m: fastRecord(labelValue(), isLabelValue) }).safeParse({ m: input }, { error: zodMessage });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => [i.path, i.message])).toEqual([[['m', 'k500'], `"Not valid!" is not a valid label value: empty, or letters, digits, '-', '_' and '.', starting and ending with a letter or digit`]]);
  });
});
