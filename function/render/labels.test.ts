import { describe, expect, it } from 'vitest';
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
});
