import { describe, expect, it } from 'vitest';
import { makeActor, makeInput, weights } from './fixtures.testkit.js';
import { parseImageRef, repositoryName } from './image-ref.js';
import { checkImagePolicy, entryMatches, imageAllowed, parsePolicyEntry, type PolicyEntry } from './image-policy.js';

describe('parseImageRef', () => {
  it.each([
    ['redis', 'docker.io/library/redis', undefined, undefined],
    ['redis:7', 'docker.io/library/redis', '7', undefined],
    ['acme/app', 'docker.io/acme/app', undefined, undefined],
    ['index.docker.io/acme/app:1', 'docker.io/acme/app', '1', undefined],
    ['DOCKER.IO/library/redis', 'docker.io/library/redis', undefined, undefined],
    ['GHCR.io/deliveryhero/asya-state-proxy-s3-buffered-lww:v1.0.0', 'ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww', 'v1.0.0', undefined],
    ['localhost:5000/x/y:dev', 'localhost:5000/x/y', 'dev', undefined],
    ['[::1]:5000/x', '[::1]:5000/x', undefined, undefined],
    [`ghcr.io/a/b:v1@sha256:${'a'.repeat(64)}`, 'ghcr.io/a/b', 'v1', `sha256:${'a'.repeat(64)}`],
  ])('%s', (ref, repo, tag, digest) => {
    const parsed = parseImageRef(ref);
    expect(parsed && repositoryName(parsed)).toBe(repo);
    expect(parsed?.tag).toBe(tag);
    expect(parsed?.digest).toBe(digest);
  });

  it.each([
    'ghcr.io/Deliveryhero/x', // upper case in the path is not a valid reference
    'ghcr.io/a//b',
    'ghcr.io/a/../b',
    'ghcr.io/a/b:',
    'ghcr.io/a/b@sha256:short',
    ' ghcr.io/a/b',
    'ghcr.io/a/b:v1 ',
    'ghcr.io:port/a',
    '',
  ])('refuses %j', (ref) => {
    expect(parseImageRef(ref)).toBeUndefined();
  });
});

describe('parsePolicyEntry', () => {
  it.each<[string, PolicyEntry]>([
    ['ghcr.io/deliveryhero/asya-state-proxy-', { prefix: 'ghcr.io/deliveryhero/asya-state-proxy-', open: true }],
    ['GHCR.IO/DeliveryHero/asya-state-proxy-', { prefix: 'ghcr.io/deliveryhero/asya-state-proxy-', open: true }],
    ['ghcr.io/deliveryhero', { prefix: 'ghcr.io/deliveryhero', open: false }],
    ['ghcr.io/deliveryhero/', { prefix: 'ghcr.io/deliveryhero/', open: true }],
    ['ghcr.io', { prefix: 'ghcr.io/', open: true }],
    ['localhost:5000', { prefix: 'localhost:5000/', open: true }],
    ['index.docker.io/acme', { prefix: 'docker.io/library/acme', open: false }],
    ['docker.io/acme/', { prefix: 'docker.io/acme/', open: true }],
    ['acme/', { prefix: 'docker.io/acme/', open: true }],
    ['redis', { prefix: 'docker.io/library/redis', open: false }],
  ])('%s', (entry, expected) => {
    expect(parsePolicyEntry(entry)).toEqual(expected);
  });

  it.each(['ghcr.io/a/b:v1', `ghcr.io/a/b@sha256:${'a'.repeat(64)}`, 'ghcr.io/a b', 'ghcr.io//a', '  '])('refuses %j', (entry) => {
    expect(parsePolicyEntry(entry)).toHaveProperty('invalid');
  });
});

describe('imageAllowed', () => {
  const entries = (...raw: string[]) => raw.map((r) => parsePolicyEntry(r) as PolicyEntry);
  const family = entries('ghcr.io/deliveryhero/asya-state-proxy-');
  const exact = entries('ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww');
  const org = entries('ghcr.io/deliveryhero');

  it.each([
    [family, 'ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww:v1.0.0', true],
    [family, `ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww@sha256:${'b'.repeat(64)}`, true],
    [family, 'GHCR.IO/deliveryhero/asya-state-proxy-redis-buffered-cas:v1', true],
    [family, 'ghcr.io/deliveryhero/other:v1', false],
    [family, 'ghcr.io/evil/asya-state-proxy-s3-buffered-lww:v1', false],
    [family, 'evil.io/ghcr.io/deliveryhero/asya-state-proxy-s3:v1', false],
    [family, 'ghcr.io/DeliveryHero/asya-state-proxy-s3-buffered-lww:v1', false], // invalid reference
    [exact, 'ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww:v2', true],
    [exact, 'ghcr.io/deliveryhero/asya-state-proxy-s3:v1', false],
    [exact, 'ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww-evil:v1', false],
    [org, 'ghcr.io/deliveryhero/x:1', true],
    [org, 'ghcr.io/deliveryhero-evil/x:1', false],
    [entries('docker.io/library/'), 'redis:7', true],
    [entries('redis'), 'index.docker.io/library/redis:7', true],
    [entries('redis'), 'redis-evil', false],
    [entries('acme/'), 'docker.io/acme/app', true],
    [[], 'anything', false],
  ])('%j allows %s: %s', (list, image, allowed) => {
    expect(imageAllowed(image, list).allowed).toBe(allowed);
  });

  it('open and boundary matching', () => {
    expect(entryMatches({ prefix: 'a.io/x', open: false }, 'a.io/x')).toBe(true);
    expect(entryMatches({ prefix: 'a.io/x', open: false }, 'a.io/xy')).toBe(false);
    expect(entryMatches({ prefix: 'a.io/x', open: true }, 'a.io/xy')).toBe(true);
  });
});

describe('checkImagePolicy', () => {
  const other = { ...weights, name: 'other', mount: { path: '/state/other' }, connector: { image: 'docker.io/evil/asya-state-proxy-s3-buffered-lww:v1' } };
  const actor = makeActor({ stateProxy: [weights, other] });

  it('allows everything without a list', () => {
    expect(checkImagePolicy(actor, makeInput())).toEqual([]);
    expect(checkImagePolicy(actor, makeInput({ allowedConnectorImages: [] }))).toEqual([]);
  });

  it('names the mount whose image is outside the list', () => {
    const issues = checkImagePolicy(actor, makeInput({ allowedConnectorImages: ['ghcr.io/deliveryhero/asya-state-proxy-'] }));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: ['spec', 'stateProxy', 1, 'connector', 'image'], rule: 'connector-image-policy' });
    expect(issues[0]?.message).toContain('"other"');
    expect(issues[0]?.message).toContain('docker.io/evil/asya-state-proxy-s3-buffered-lww');
  });

  it('reports invalid entries and fails closed when none is usable', () => {
    const issues = checkImagePolicy(actor, makeInput({ allowedConnectorImages: ['ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww:v1.0.0'] }));
    expect(issues.map((i) => i.path)).toEqual([
      ['input', 'allowedConnectorImages', 0],
      ['spec', 'stateProxy', 0, 'connector', 'image'],
      ['spec', 'stateProxy', 1, 'connector', 'image'],
    ]);
  });
});
