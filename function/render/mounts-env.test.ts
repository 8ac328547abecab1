import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_MOUNT_NAME } from '../schema/async-actor.js';
import { mountPathProblem } from '../schema/rules.js';
import { validateAsyncActor } from '../schema/validate.js';
import { actorDoc, makeActor } from './fixtures.testkit.js';
import { MountsEnvError, effectiveWriteMode, formatMountsEnv, parseMountsEnv } from './mounts-env.js';

const entry = (name: string, path: string, extra: object = {}) => ({ name, mount: { path }, connector: { image: 'i' }, ...extra });

describe('effectiveWriteMode', () => {
  it.each([
    [{}, 'buffered'],
    [{ writeMode: 'passthrough' }, 'passthrough'],
    [{ mount: { path: '/s', writeMode: 'passthrough' } }, 'passthrough'],
    [{ writeMode: 'buffered', mount: { path: '/s', writeMode: 'buffered' } }, 'buffered'],
  ])('%j -> %s', (extra, mode) => {
    const [e] = makeActor({ stateProxy: [{ ...entry('a', '/s'), ...extra }] as never }).spec.stateProxy ?? [];
    expect(effectiveWriteMode(e!)).toBe(mode);
  });
});

describe('formatMountsEnv', () => {
  it('matches the contract example byte for byte', () => {
    const mounts = makeActor({ stateProxy: [entry('weights', '/state/weights'), entry('cache', '/state/cache', { writeMode: 'passthrough' })] as never }).spec.stateProxy ?? [];
    expect(formatMountsEnv(mounts)).toBe('weights:/state/weights:write=buffered;cache:/state/cache:write=passthrough');
  });

  it('is empty for no mounts and has no trailing separator', () => {
    expect(formatMountsEnv([])).toBe('');
    const one = makeActor({ stateProxy: [entry('a', '/s')] as never }).spec.stateProxy ?? [];
    expect(formatMountsEnv(one)).toBe('a:/s:write=buffered');
  });
});

describe('parseMountsEnv mimics the upstream runtime', () => {
  it('reads the contract example', () => {
    expect(parseMountsEnv('weights:/state/weights:write=buffered;cache:/state/cache:write=passthrough')).toEqual([
      { name: 'weights', path: '/state/weights/', write: 'buffered', ignored: [] },
      { name: 'cache', path: '/state/cache/', write: 'passthrough', ignored: [] },
    ]);
  });

  it.each([
    ['strips and skips empty entries', ' a:/x:write=buffered ;; ;', [{ name: 'a', path: '/x/', write: 'buffered', ignored: [] }]],
    ['a : inside the path truncates it', 'a:/x:y:write=passthrough', [{ name: 'a', path: '/x/', write: 'buffered', ignored: ['y:write=passthrough'] }]],
    ['write defaults to buffered', 'a:/x:', [{ name: 'a', path: '/x/', write: 'buffered', ignored: [''] }]],
    ['anything but exactly buffered is passthrough', 'a:/x:write=Buffered', [{ name: 'a', path: '/x/', write: 'passthrough', ignored: [] }]],
    ['unknown keys are ignored', 'a:/x:foo=1,write=passthrough', [{ name: 'a', path: '/x/', write: 'passthrough', ignored: ['foo=1'] }]],
    ['mount paths are not normalised', 'a:/s//x/./y:write=buffered', [{ name: 'a', path: '/s//x/./y/', write: 'buffered', ignored: [] }]],
    ['an existing trailing slash is kept', 'a:/x/:write=buffered', [{ name: 'a', path: '/x/', write: 'buffered', ignored: [] }]],
  ])('%s', (_what, value, expected) => {
    expect(parseMountsEnv(value)).toEqual(expected);
  });

  it.each([['a:/x'], ['a'], ['ok:/o:write=buffered;broken']])('raises (the runtime exits) on %j', (value) => {
    expect(() => parseMountsEnv(value)).toThrow(MountsEnvError);
  });

  it('a ; in a path splits the entry', () => {
    expect(() => parseMountsEnv('a:/x;y:write=buffered')).toThrow(MountsEnvError);
  });
});

// Any mount the schema accepts must come back from the runtime's parser exactly as meant.
describe('round trip over valid mounts (property)', () => {
  const nameArb = fc.stringMatching(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).filter((s) => s.length <= MAX_MOUNT_NAME);
  // Everything a segment may contain, including dots, punctuation the runtime does not split on, and non-ASCII.
  const segmentArb = fc
    .array(fc.constantFrom(...'abcXYZ019._-~+=@%!()[]{},é日'.split('')), { minLength: 1, maxLength: 8 })
    .map((cs) => cs.join(''))
    .filter((s) => s !== '.' && s !== '..');
  const mountArb = fc.record({
    name: nameArb,
    segments: fc.array(segmentArb, { minLength: 0, maxLength: 3 }),
    writeMode: fc.constantFrom(undefined, 'buffered', 'passthrough'),
    mountWriteMode: fc.constantFrom(undefined, 'buffered', 'passthrough'),
  });
  const mountsArb = fc.uniqueArray(mountArb, { selector: (m) => m.name, minLength: 1, maxLength: 6 });

  it('parseMountsEnv(formatMountsEnv(m)) gives every name, path and write mode back, in order', () => {
    fc.assert(
      fc.property(mountsArb, (raw) => {
        const stateProxy = raw.map((m, i) => ({
          name: m.name,
          // A distinct first segment per mount keeps them from overlapping (a schema error).
          mount: { path: ['', `m${i}`, ...m.segments].join('/'), ...(m.mountWriteMode === undefined || m.writeMode !== undefined ? {} : { writeMode: m.mountWriteMode }) },
          ...(m.writeMode === undefined ? {} : { writeMode: m.writeMode }),
          connector: { image: 'i' },
        }));
        const validated = validateAsyncActor(actorDoc({ stateProxy } as never));
        expect(validated.ok).toBe(true);
        if (!validated.ok) return;
        const mounts = validated.value.spec.stateProxy ?? [];
        for (const m of mounts) expect(mountPathProblem(m.mount.path)).toBeUndefined();
        expect(parseMountsEnv(formatMountsEnv(mounts))).toEqual(
          mounts.map((m) => ({ name: m.name, path: `${m.mount.path}/`, write: effectiveWriteMode(m), ignored: [] })),
        );
      }),
      { seed: 0x5ca1ab1e, numRuns: 300 },
    );
  });
});
