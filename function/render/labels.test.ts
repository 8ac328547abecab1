import { describe, expect, it } from 'vitest';
import { knownKeys } from '../wire/known-keys.js';
import { makeActor } from './fixtures.testkit.js';
import { actorLabels, isUserLabel, selectorLabels } from './labels.js';

describe('isUserLabel', () => {
  it.each([
    ['team', true],
    ['acme.com/cost-center', true],
    ['kubernetes.io/arch', true],
    ['crossplane.io/composite', false],
    ['pkg.crossplane.io/revision', false],
    ['CROSSPLANE.IO/claim-name', false],
    ['notcrossplane.io/x', true],
    ['app.kubernetes.io/name', false],
    ['app.kubernetes.io/version', false],
    ['asya.sh/actor', false],
    ['asya.sh/team', true],
  ])('%s -> %s', (key, user) => expect(isUserLabel(key)).toBe(user));
});

describe('actorLabels', () => {
  it('sorts user labels, then the platform labels in a fixed order; the platform wins', () => {
    const actor = makeActor({ actor: 'a1' }, { labels: { zeta: 'z', alpha: 'a', 'crossplane.io/composite': 'x', 'app.kubernetes.io/name': 'spoof', 'asya.sh/actor': 'spoof' } });
    expect(Object.entries(actorLabels(actor))).toEqual([
      ['alpha', 'a'],
      ['zeta', 'z'],
      ['app.kubernetes.io/name', 'a1'],
      ['app.kubernetes.io/component', 'actor'],
      ['app.kubernetes.io/part-of', 'asya'],
      ['app.kubernetes.io/managed-by', 'crossplane'],
      ['asya.sh/actor', 'a1'],
    ]);
    expect(selectorLabels(actor)).toEqual({ 'app.kubernetes.io/name': 'a1' });
  });

  it('falls back to metadata.name', () => {
    expect(actorLabels(makeActor({}, { name: 'from-meta' }))['asya.sh/actor']).toBe('from-meta');
  });

  it('records no key list for the usual few labels', () => {
    expect(knownKeys(actorLabels(makeActor({}, { labels: { team: 'ml' } })))).toBeUndefined();
  });

  // A large result carries a recorded key list (wire/known-keys.ts) the response encoder walks
  // instead of Object.keys: it must be exactly Object.keys, in V8's own order (integer-like keys
  // first, numerically), or the encoder would write the labels in another order than the SDK.
  it.each([
    ['names only', (i: number) => `k${i}`],
    ['integer-like keys among them', (i: number) => (i % 7 === 0 ? String(i * 13) : i % 11 === 0 ? `0${i}` : `k${i}`)],
    ['only integer-like keys', (i: number) => String(5000 - i)],
  ])('records Object.keys of a large result exactly: %s', (_n, key) => {
    const labels = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [key(i), 'v']));
    labels['crossplane.io/composite'] = 'x';
    const out = actorLabels(makeActor({}, { labels }));
    expect(knownKeys(out)).toEqual(Object.keys(out));
    expect(Object.keys(out)).toHaveLength(3000 + 5);
    expect(Object.keys(out).slice(-5)).toEqual(['app.kubernetes.io/name', 'app.kubernetes.io/component', 'app.kubernetes.io/part-of', 'app.kubernetes.io/managed-by', 'asya.sh/actor']);
  });
});
