/**
 * Validation cost and output stay linear in the document (issue 12 item 2): pairwise rules are
 * skipped on a list already over its limit, rules see at most a list's limit of entries, and the
 * report is one bounded list however many entries are wrong. Speed itself is measured by
 * bench/boundaries.ts.
 */
import { describe, expect, it } from 'vitest';
import { actorDoc, baseSpec, weightsMount } from '../../test/support/requests.js';
import { MAX_MOUNTS } from './async-actor.js';
import { mountPathOverlap } from './rules.js';
import { MAX_REPORTED_ISSUES, validateAsyncActor } from './validate.js';

const nestedMounts = (n: number) => Array.from({ length: n }, (_, i) => ({ ...weightsMount, name: `m${i}`, mount: { path: `/a${'/a'.repeat(i)}` } }));

describe('bounded validation', () => {
  it('mount-path-overlap compares pairs only within the 32-entry limit', () => {
    const within = { spec: { stateProxy: nestedMounts(MAX_MOUNTS) } } as never;
    expect(mountPathOverlap(within)).toHaveLength((MAX_MOUNTS * (MAX_MOUNTS - 1)) / 2);
    const over = { spec: { stateProxy: nestedMounts(MAX_MOUNTS + 1) } } as never;
    expect(mountPathOverlap(over)).toEqual([]);
  });

  it('20,000 nested, duplicate, badly named mounts give one bounded report that starts with the limit', () => {
    const stateProxy = Array.from({ length: 20_000 }, (_, i) => ({ ...weightsMount, name: i % 2 === 0 ? 'Bad_Name' : `m${i}`, mount: { path: `/a${'/a'.repeat(i % 50)}/..` } }));
    const result = validateAsyncActor(actorDoc({ ...baseSpec, stateProxy }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.length).toBeLessThanOrEqual(MAX_REPORTED_ISSUES + 1);
    expect(result.issues[0]).toMatchObject({ path: ['spec', 'stateProxy'] });
    // Rules looked at the first 32 entries only: nothing is reported past index 31.
    const indices = result.issues.map((i) => (i.path[0] === 'spec' && i.path[1] === 'stateProxy' && typeof i.path[2] === 'number' ? i.path[2] : -1));
    expect(Math.max(...indices)).toBeLessThan(MAX_MOUNTS);
  });

  it.each([['env', (i: number) => ({ name: `bad name ${i}`, value: 'v' })], ['volumes', (i: number) => ({ name: `Bad_${i}`, emptyDir: {} })]] as const)(
    'an over-limit %s list of 100,000 bad entries is one bounded report',
    (field, make) => {
      const result = validateAsyncActor(actorDoc({ ...baseSpec, [field]: Array.from({ length: 100_000 }, (_, i) => make(i)) }));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.issues.length).toBeLessThanOrEqual(MAX_REPORTED_ISSUES + 1);
    },
  );
});
