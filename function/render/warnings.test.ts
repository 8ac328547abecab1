import { describe, expect, it } from 'vitest';
import { DEFAULT_INPUT, cache, deepFreeze, makeActor, weights } from './fixtures.testkit.js';
import { collectWarnings, literalCredentialProblem, looksLikeCredentialName, maxReplicas } from './warnings.js';

const reasons = (spec: object) => collectWarnings(makeActor(spec as never), DEFAULT_INPUT).map((w) => [w.reason, w.path]);
const single = { scaling: { enabled: false }, replicas: 1 };
const s3 = (image: string, extra: object = {}) => ({ name: 'm', mount: { path: '/state/m' }, connector: { image, env: [{ name: 'STATE_BUCKET', value: 'b' }] }, ...extra });

describe('looksLikeCredentialName', () => {
  it.each([
    'DB_PASSWORD', 'password', 'HF_TOKEN', 'GITHUB_TOKEN', 'CLIENT_SECRET', 'AWS_SECRET_ACCESS_KEY', 'API_KEY', 'OPENAI_API_KEY',
    'ENCRYPTION_KEY', 'dbPassword', 'CLIENTSECRET', 'SECRETKEY', 'MINIO_SECRETKEY', 'ACCESSTOKEN', 'REDIS_AUTH', 'GOOGLE_APPLICATION_CREDENTIALS', 'DB_PASS', 'x.secret',
  ])('%s is a credential', (name) => expect(looksLikeCredentialName(name)).toBe(true));

  it.each([
    'STATE_BUCKET', 'STATE_PREFIX', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'TOKENIZERS_PARALLELISM',
    'SECRET_NAME', 'TOKEN_TTL', 'STATE_PRESIGN_TTL', 'CACHE_KEY', 'PARTITION_KEY', 'KEY', 'PASSTHROUGH', 'REDIS_URL', 'OAUTH_ENDPOINT',
  ])('%s is not', (name) => expect(looksLikeCredentialName(name)).toBe(false));
});

describe('literalCredentialProblem', () => {
  it.each<[string, string | undefined, boolean]>([
    ['DB_PASSWORD', 'hunter2', true],
    ['DB_PASSWORD', '', false],
    ['DB_PASSWORD', undefined, false],
    ['DB_PASSWORD', '$(FROM_SECRET)', false],
    ['GOOGLE_APPLICATION_CREDENTIALS', '/var/secrets/google/key.json', false],
    ['REDIS_URL', 'redis://:hunter2@redis:6379/0', true],
    ['REDIS_URL', 'redis://user:hunter2@redis:6379/0', true],
    ['REDIS_URL', 'redis://redis.default:6379/0', false],
    ['STATE_BUCKET', 'my-bucket', false],
  ])('%s=%j -> %s', (name, value, flagged) => {
    expect(literalCredentialProblem(name, value) !== undefined).toBe(flagged);
  });
});

describe('collectWarnings', () => {
  it('is silent for a well-configured actor', () => {
    expect(reasons({ ...single, stateProxy: [weights] })).toEqual([]);
  });

  it('flags literal credentials on runtime and connector env, with paths to the values', () => {
    const connector = { ...weights.connector, env: [...weights.connector.env, { name: 'AWS_SECRET_ACCESS_KEY', value: 'abc' }] };
    expect(reasons({ ...single, env: [{ name: 'HF_TOKEN', value: 't' }, { name: 'OK', value: 'v' }], stateProxy: [{ ...weights, connector }] })).toEqual([
      ['LiteralCredential', ['spec', 'env', 0, 'value']],
      ['LiteralCredential', ['spec', 'stateProxy', 0, 'connector', 'env', 2, 'value']],
    ]);
  });

  it('flags missing required env of a known flavour, unless envFrom may provide it', () => {
    const bare = { name: 'r', mount: { path: '/state/r' }, connector: { image: 'ghcr.io/deliveryhero/asya-state-proxy-redis-buffered-cas:v1' } };
    expect(reasons({ ...single, stateProxy: [bare] })).toEqual([['MissingConnectorEnv', ['spec', 'stateProxy', 0, 'connector', 'env']]]);
    const withEnvFrom = { ...bare, connector: { ...bare.connector, envFrom: [{ secretRef: { name: 'redis' } }] } };
    expect(reasons({ ...single, stateProxy: [withEnvFrom] })).toEqual([]);
    // valueFrom counts as set.
    expect(reasons({ ...single, stateProxy: [cache] })).toEqual([['WriteModeFlavorMismatch', ['spec', 'stateProxy', 0, 'writeMode']]]);
  });

  it('flags LWW connectors when more than one replica can run', () => {
    const lww = s3('ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww:v1');
    const at = ['spec', 'stateProxy', 0, 'connector', 'image'];
    expect(reasons({ stateProxy: [lww] })).toEqual([['LastWriteWinsWithReplicas', at]]);
    expect(reasons({ scaling: { maxReplicaCount: 1 }, stateProxy: [lww] })).toEqual([]);
    expect(reasons({ scaling: { enabled: false }, replicas: 2, stateProxy: [lww] })).toEqual([['LastWriteWinsWithReplicas', at]]);
    expect(reasons({ stateProxy: [s3('ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-cas:v1')] })).toEqual([]);
    const w = collectWarnings(makeActor({ stateProxy: [lww] }), DEFAULT_INPUT)[0];
    expect(w?.message).toContain('s3-buffered-cas');
  });

  it('flags write modes that do not fit the flavour, at the field that set them', () => {
    expect(reasons({ ...single, stateProxy: [s3('ghcr.io/deliveryhero/asya-state-proxy-s3-passthrough:v1')] })).toEqual([
      ['WriteModeFlavorMismatch', ['spec', 'stateProxy', 0, 'writeMode']],
    ]);
    expect(reasons({ ...single, stateProxy: [s3('ghcr.io/deliveryhero/asya-state-proxy-s3-passthrough:v1', { writeMode: 'passthrough' })] })).toEqual([]);
    expect(reasons({ ...single, stateProxy: [s3('ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-cas:v1', { mount: { path: '/state/m', writeMode: 'passthrough' } })] })).toEqual([
      ['WriteModeFlavorMismatch', ['spec', 'stateProxy', 0, 'mount', 'writeMode']],
    ]);
  });

  it('flags unknown flavours, the unified image without its selector, and selector conflicts', () => {
    expect(reasons({ ...single, stateProxy: [s3('ghcr.io/acme/custom:v1')] })).toEqual([['UnknownConnectorFlavor', ['spec', 'stateProxy', 0, 'connector', 'image']]]);
    expect(reasons({ ...single, stateProxy: [s3('ghcr.io/deliveryhero/asya-state-proxy:v1')] })).toEqual([['MissingConnectorEnv', ['spec', 'stateProxy', 0, 'connector', 'env']]]);
    const conflict = { name: 'm', mount: { path: '/state/m' }, connector: { image: 'ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww:v1', env: [{ name: 'STATE_BUCKET', value: 'b' }, { name: 'ASYA_CONNECTOR', value: 's3_buffered_cas' }] } };
    expect(reasons({ stateProxy: [conflict] })).toEqual([['ConnectorFlavorConflict', ['spec', 'stateProxy', 0, 'connector', 'env', 1, 'value']]]);
  });

  it('returns plain objects in a fixed key order, deterministically, without touching the actor', () => {
    const actor = deepFreeze(makeActor({ env: [{ name: 'HF_TOKEN', value: 't' }], stateProxy: [weights, cache] }));
    const a = collectWarnings(actor, DEFAULT_INPUT);
    expect(JSON.stringify(a)).toBe(JSON.stringify(collectWarnings(actor, DEFAULT_INPUT)));
    expect(a.every((w) => Object.keys(w).join() === 'message,path,reason')).toBe(true);
    expect(a.map((w) => w.reason)).toEqual(['LiteralCredential', 'LastWriteWinsWithReplicas', 'WriteModeFlavorMismatch']);
  });

  it('maxReplicas follows scaling', () => {
    expect(maxReplicas(makeActor())).toBe(10);
    expect(maxReplicas(makeActor({ scaling: { enabled: false }, replicas: 4 }))).toBe(4);
  });
});
