/**
 * decodeStruct on bytes no protobuf encoder writes but a decoder must take (protobuf's rules:
 * the last of a oneof wins, fields come in any order, unknown fields are skipped). The decoder
 * reads scalar values in place and gives only objects and lists frames of their own; these pin
 * that both paths agree, whichever kind comes first.
 */
import { describe, expect, it } from 'vitest';
import { Reader } from './protobuf.js';
import { decodeStruct } from './struct.js';
import { bool, entry, key, len, list, obj, str, unknown, value, varint } from './struct-bytes.testkit.js';

const decode = (...entries: number[][]) => {
  const bytes = Uint8Array.from(entries.flat());
  const reader = new Reader(bytes);
  const out = decodeStruct(reader, bytes.length);
  expect(reader.pos).toBe(bytes.length);
  return out;
};

describe('decodeStruct on non-canonical bytes', () => {
  it('the last kind of a Value wins, scalar after object and object after scalar', () => {
    expect(decode(entry(key('a'), value(obj(entry(key('x'), value(str('1')))), str('s'))))).toEqual({ a: 's' });
    expect(decode(entry(key('a'), value(str('s'), obj(entry(key('x'), value(str('1')))))))).toEqual({ a: { x: '1' } });
    expect(decode(entry(key('a'), value(list(bool(true)), bool(false))))).toEqual({ a: false });
    expect(decode(entry(key('a'), value(bool(false), list(bool(true), str('t')))))).toEqual({ a: [true, 't'] });
  });

  it('the last value field of an entry wins, and the key may come after it', () => {
    expect(decode(entry(value(str('first')), value(str('second')), key('k')))).toEqual({ k: 'second' });
    expect(decode(entry(value(obj()), key('k'), value(str('last'))))).toEqual({ k: 'last' });
    expect(decode(entry(value(str('first')), value(list()), key('k')))).toEqual({ k: [] });
  });

  it('an entry without a value, or with an empty Value, is dropped; a list keeps an empty Value as undefined', () => {
    expect(decode(entry(key('a')), entry(key('b'), value()), entry(key('c'), value(str('c'))))).toEqual({ c: 'c' });
    expect(decode(entry(key('l'), value(list([], str('x'), []))))).toEqual({ l: [undefined, 'x', undefined] });
  });

  it('skips unknown fields at every level', () => {
    expect(decode(unknown, entry(unknown, key('a'), unknown, value(unknown, str('v'), unknown)), entry(key('l'), value(len(6, [...unknown, ...len(1, str('i'))]))))).toEqual({ a: 'v', l: ['i'] });
  });

  it('refuses a Value field that runs past its Value, and an entry field past its entry', () => {
    // The Value claims 2 bytes but its string field is 3 long: it ends inside the next entry.
    const overrunValue = [...len(1, [...key('a'), ...varint((2 << 3) | 2), 2, ...varint((3 << 3) | 2), 1, 0x61]), ...entry(key('b'), value(str('x')))];
    expect(() => decode(overrunValue)).toThrow(/overruns its message/);
    const overrunEntry = [...varint((1 << 3) | 2), 3, ...key('abc')];
    expect(() => decode(overrunEntry)).toThrow(/overruns its message|runs past/);
  });
});
