/**
 * Validation cost and output stay linear in the document (issue 12 item 2): pairwise rules are
 * skipped on a list already over its limit, rules see at most a list's limit of entries, and the
 * report is one bounded list however many entries are wrong. Speed itself is measured by
 * bench/boundaries.ts.
 */
import { describe, expect, it } from 'vitest';
import { longEntries, mapSize, tinyEntries } from '../../test/support/label-maps.js';
import { actorDoc, actorDocWithLabels, baseSpec, weightsMount } from '../../test/support/requests.js';
import { renderDeployment } from '../render/deployment.js';
import { DEFAULT_INPUT } from '../input/schema.js';
import { MAX_MOUNTS } from './async-actor.js';
import { MAX_LABEL_MAP_SIZE } from './k8s.js';
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

  it('past the cap, shape issues are counted with the rule findings, and a rule finding on a field with a shape issue is not', () => {
    const unknown = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`x${i}`, i]));
    const stateProxy = [weightsMount, weightsMount, { ...weightsMount, name: 'Bad_Name', mount: { path: '/state/a/../b' } }];
    const more = (doc: Record<string, unknown>) => {
      const result = validateAsyncActor(actorDoc(doc));
      if (result.ok) throw new Error('expected problems');
      expect(result.issues).toHaveLength(MAX_REPORTED_ISSUES + 1);
      expect(result.issues.slice(0, MAX_REPORTED_ISSUES).every((i) => i.rule === 'schema')).toBe(true);
      return result.issues[MAX_REPORTED_ISSUES]?.message;
    };
    // 3,000 unknown fields and the bad name's pattern (shape), then duplicate name, duplicate path
    // and the path's format (rules): 3,005 problems.
    expect(more({ ...baseSpec, ...unknown, stateProxy })).toBe('and 2904 more problems not shown (fix the ones above first)');
    // A bad nodeSelector value is a shape issue at the key; the key's label-syntax finding at the
    // same path is dropped.
    expect(more({ ...baseSpec, ...unknown, stateProxy, nodeSelector: { 'bad key!': 'Bad Value!', ok: 'v' } })).toBe('and 2905 more problems not shown (fix the ones above first)');
    expect(more({ ...baseSpec, ...unknown })).toBe('and 2900 more problems not shown (fix the ones above first)');
  });

  describe.each([
    ['metadata.labels', ['metadata', 'labels'], (m: Record<string, string>) => actorDocWithLabels(baseSpec, m)],
    ['spec.nodeSelector', ['spec', 'nodeSelector'], (m: Record<string, string>) => actorDoc({ ...baseSpec, nodeSelector: m })],
  ] as const)('%s: at most 128 KiB of keys and values', (_field, at, doc) => {
    it.each([
      ['long', MAX_LABEL_MAP_SIZE - 1],
      ['long', MAX_LABEL_MAP_SIZE],
      ['tiny', MAX_LABEL_MAP_SIZE - 1],
      ['tiny', MAX_LABEL_MAP_SIZE],
    ])('%s entries of %i characters are accepted and rendered whole', (kind, n) => {
      const map = kind === 'long' ? longEntries(n) : tinyEntries(n);
      expect(mapSize(map)).toBe(n);
      const result = validateAsyncActor(doc(map));
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      const d = renderDeployment(result.value, DEFAULT_INPUT);
      const rendered = at[0] === 'metadata' ? d.spec?.template.metadata?.labels : d.spec?.template.spec?.nodeSelector;
      expect(rendered).toMatchObject(map);
      if (at[0] === 'metadata') expect(d.metadata?.labels).toMatchObject(map);
    });

    it.each(['long', 'tiny'])('one more character (%s entries) is one finding at the map, naming the size and the bound', (kind) => {
      const result = validateAsyncActor(doc((kind === 'long' ? longEntries : tinyEntries)(MAX_LABEL_MAP_SIZE + 1)));
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.issues).toEqual([{ path: at, rule: 'label-syntax', message: expect.stringContaining(`hold ${MAX_LABEL_MAP_SIZE + 1} bytes of keys and values, more than the 131072 (128 KiB) allowed`) }]);
    });

    it('over the bound, keys are not checked one by one: 100,000 bad keys are still one finding', () => {
      const bad = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`-bad${i}`, 'v']));
      const result = validateAsyncActor(doc(bad));
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.issues.filter((i) => i.rule === 'label-syntax')).toEqual([expect.objectContaining({ path: at })]);
    });
  });

  it('the bound holds on a malformed document too, beside its shape issues', () => {
    const result = validateAsyncActor(actorDocWithLabels({ ...baseSpec, replicas: 'three' }, longEntries(MAX_LABEL_MAP_SIZE + 1)));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => [i.rule, i.path.join('.')])).toEqual([['schema', 'spec.replicas'], ['label-syntax', 'metadata.labels']]);
  });
});
