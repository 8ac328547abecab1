import { describe, expect, it } from 'vitest';
import type { Connector } from '../schema/async-actor.js';
import { flavorFromImage, recognizeFlavor } from './flavor.js';

const c = (image: string, env: Connector['env'] = undefined): Connector => ({ image, ...(env === undefined ? {} : { env }) });

describe('recognizeFlavor', () => {
  it.each([
    ['ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww:v1.0.0', 's3-buffered-lww'],
    [`ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-cas@sha256:${'c'.repeat(64)}`, 's3-buffered-cas'],
    ['registry.local:5000/mirror/asya-state-proxy-s3-passthrough', 's3-passthrough'],
    ['GHCR.IO/deliveryhero/asya-state-proxy-gcs-buffered-lww:1', 'gcs-buffered-lww'],
    ['asya-state-proxy-gcs-buffered-cas', 'gcs-buffered-cas'],
    ['ghcr.io/deliveryhero/asya-state-proxy-redis-buffered-cas:v1', 'redis-buffered-cas'],
  ])('file flavour from the image suffix: %s', (image, flavor) => {
    expect(recognizeFlavor(c(image))).toEqual({ kind: 'file', flavor, source: { path: ['image'] } });
  });

  it.each(['s3-kv', 'gcs-kv', 'pvc-kv', 'pg'])('key-value flavour %s', (flavor) => {
    expect(recognizeFlavor(c(`ghcr.io/deliveryhero/asya-state-proxy-${flavor}:v1`))).toMatchObject({ kind: 'key-value', flavor });
  });

  it('reads ASYA_CONNECTOR for the unified image', () => {
    const env = [{ name: 'STATE_BUCKET', value: 'b' }, { name: 'ASYA_CONNECTOR', value: 's3_buffered_cas' }];
    expect(recognizeFlavor(c('ghcr.io/deliveryhero/asya-state-proxy:v1', env))).toEqual({ kind: 'file', flavor: 's3-buffered-cas', source: { path: ['env', 1, 'value'] } });
    expect(recognizeFlavor(c('ghcr.io/deliveryhero/asya-state-proxy:v1', [{ name: 'ASYA_CONNECTOR', value: 'pg' }]))).toMatchObject({ kind: 'key-value', flavor: 'pg' });
  });

  it('ASYA_CONNECTOR wins over the suffix and records the conflict', () => {
    const out = recognizeFlavor(c('ghcr.io/deliveryhero/asya-state-proxy-s3-buffered-lww:v1', [{ name: 'ASYA_CONNECTOR', value: 's3_buffered_cas' }]));
    expect(out).toEqual({ kind: 'file', flavor: 's3-buffered-cas', source: { path: ['env', 0, 'value'], conflictsWithImage: 's3-buffered-lww' } });
  });

  it.each<[Connector, string]>([
    [c('ghcr.io/deliveryhero/asya-state-proxy:v1'), 'unified-without-selector'],
    [c('ghcr.io/deliveryhero/asya-state-proxy:v1', [{ name: 'ASYA_CONNECTOR', valueFrom: { configMapKeyRef: { name: 'x', key: 'y' } } }]), 'selector-not-literal'],
    [c('ghcr.io/deliveryhero/asya-state-proxy-mongo:v1'), 'unrecognised'],
    [c('ghcr.io/acme/my-connector:v1'), 'unrecognised'],
    [c('not a reference'), 'unrecognised'],
  ])('unknown: %j', (connector, code) => {
    expect(recognizeFlavor(connector)).toMatchObject({ kind: 'unknown', code });
  });

  it('flavorFromImage ignores tag and digest', () => {
    expect(flavorFromImage('x/asya-state-proxy-s3-kv:asya-state-proxy-pg')).toBe('s3-kv');
  });
});
