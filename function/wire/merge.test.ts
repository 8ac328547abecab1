/**
 * Protobuf merge semantics, as Go's decoder (proto.Unmarshal) applies them (issue 12 item 6):
 * bytes A followed by bytes B decode as A merged with B. A singular message field sent twice
 * merges, repeated fields append, scalars and map entries replace; a map entry without a key or
 * value gets the default.
 */
import { RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParams } from '../../test/support/fc.js';
import { decodeRequest } from './codec.js';
import { emptyMessage, Resource } from './messages.js';

const enc = (r: object) => Buffer.from(RunFunctionRequest.encode(RunFunctionRequest.fromPartial(r as never)).finish());
const both = (...parts: Buffer[]) => decodeRequest(Buffer.concat(parts));

describe('merge semantics', () => {
  it('meta sent twice merges: the later tag replaces, capabilities append', () => {
    const got = both(enc({ meta: { tag: 'a', capabilities: [1] } }), enc({ meta: { tag: 'b', capabilities: [2] } }));
    expect(got.meta).toEqual({ tag: 'b', capabilities: [1, 2] });
  });

  it('a message field sent twice keeps what only the first copy set', () => {
    const got = both(enc({ meta: { tag: 'first', capabilities: [] } }), enc({ meta: { tag: '', capabilities: [3] } }));
    expect(got.meta?.tag).toBe('first');
    expect(got.meta?.capabilities).toEqual([3]);
  });

  it('desired state sent in two parts has the resources of both; a nested composite merges', () => {
    const a = enc({ desired: { composite: { resource: { apiVersion: 'x/v1', kind: 'X' }, connectionDetails: { a: Buffer.from('1') } }, resources: { one: { resource: { kind: 'A' } } } } });
    const b = enc({ desired: { composite: { ready: 1, connectionDetails: { b: Buffer.from('2') } }, resources: { two: { resource: { kind: 'B' } } } } });
    const got = both(a, b);
    expect(Object.keys(got.desired?.resources ?? {}).sort()).toEqual(['one', 'two']);
    expect(got.desired?.composite?.resource).toEqual({ apiVersion: 'x/v1', kind: 'X' });
    expect(got.desired?.composite?.ready).toBe(1);
    expect(Object.keys(got.desired?.composite?.connectionDetails ?? {}).sort()).toEqual(['a', 'b']);
  });

  it('a Struct field sent twice has the keys of both, the later value winning per key', () => {
    const got = both(enc({ input: { a: 1, b: 'x' } }), enc({ input: { b: 'y', c: true } }));
    expect(got.input).toEqual({ a: 1, b: 'y', c: true });
  });

  it('a map entry without a value is kept with an empty message; without a key, under ""', () => {
    // desired (3) { resources (2) { entry: key "k", no value } }, then an entry with a value but no key.
    const entryNoValue = Buffer.from([0x12, 0x03, 0x0a, 0x01, 0x6b]);
    const entryNoKey = Buffer.from([0x12, 0x04, 0x12, 0x02, 0x18, 0x01]);
    const desired = Buffer.concat([entryNoValue, entryNoKey]);
    const got = decodeRequest(Buffer.concat([Buffer.from([0x1a, desired.length]), desired]));
    expect(got.desired?.resources['k']).toEqual(emptyMessage(Resource));
    expect(got.desired?.resources['']).toEqual({ ...emptyMessage(Resource), ready: 1 });
  });

  it('a map value sent twice within one entry merges', () => {
    // resources entry: key "k", value { ready: 1 }, value { resource: {} } -> both set.
    const entry = Buffer.from([0x0a, 0x01, 0x6b, 0x12, 0x02, 0x18, 0x01, 0x12, 0x02, 0x0a, 0x00]);
    const desired = Buffer.concat([Buffer.from([0x12, entry.length]), entry]);
    const got = decodeRequest(Buffer.concat([Buffer.from([0x1a, desired.length]), desired]));
    expect(got.desired?.resources['k']?.ready).toBe(1);
    expect(got.desired?.resources['k']?.resource).toEqual({});
  });

  it('any request split at its top-level fields decodes the same as the whole', () => {
    const tagged = fc.record({ tag: fc.string(), caps: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }), keys: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { maxLength: 4 }) });
    fc.assert(
      fc.property(tagged, tagged, ({ tag, caps, keys }, second) => {
        const resources = (ks: string[]) => Object.fromEntries(ks.map((k) => [k, { resource: { k } }]));
        const a = enc({ meta: { tag, capabilities: caps }, desired: { resources: resources(keys) } });
        const b = enc({ meta: { tag: second.tag, capabilities: second.caps }, desired: { resources: resources(second.keys) } });
        const got = both(a, b);
        expect(got.meta?.tag).toBe(second.tag === '' ? tag : second.tag);
        expect(got.meta?.capabilities).toEqual([...caps, ...second.caps]);
        expect(Object.keys(got.desired?.resources ?? {}).sort()).toEqual([...new Set([...keys, ...second.keys])].sort());
      }),
      fcParams(200),
    );
  });
});
