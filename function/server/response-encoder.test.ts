/**
 * The fast response encoder writes exactly the bytes function/wire (and the SDK) write, takes the
 * fast path on everything the handler produces, and hands the rest to the fallback encoder.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Capability, RunFunctionResponse, Severity } from '@crossplane-org/function-sdk-typescript';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { BENCH_INPUT, benchActor, benchRequest } from '../../bench/fixtures.js';
import { CORPUS_DIR } from '../../test/corpus/corpus.js';
import { fcParams } from '../../test/support/fc.js';
import { hasProtoKey, jsonObject, nested, responseMessage } from '../../test/support/wire-arbitraries.js';
import { runFunction } from '../handler.js';
import { FAST_MAX_DEPTH, encodeResponseFast, tryEncodeResponseFast } from './response-encoder.js';
import { encodeResponse } from '../wire/codec.js';
import { recordKeys } from '../wire/known-keys.js';

type Rsp = RunFunctionResponse;
const sdk = (rsp: Rsp) => Buffer.from(RunFunctionResponse.encode(rsp).finish());

function sameAsWire(rsp: Rsp): void {
  const fast = encodeResponseFast(rsp);
  expect(fast.equals(encodeResponse(rsp))).toBe(true);
}

describe('encodeResponseFast', () => {
  it('equals the wire encoder and the SDK on arbitrary responses', () => {
    fc.assert(
      fc.property(responseMessage, (raw) => {
        const rsp = raw as unknown as Rsp;
        sameAsWire(rsp);
        if (!hasProtoKey(rsp)) expect(encodeResponseFast(rsp).equals(sdk(rsp))).toBe(true);
      }),
      fcParams(500),
    );
  });

  it('takes the fast path on plain responses (no requirements, non-negative enums) and agrees', () => {
    const plain = responseMessage.map((r) => ({
      ...r,
      requirements: undefined,
      results: r.results.map((x) => ({ ...x, severity: Math.abs(x.severity), ...(x.target === undefined ? {} : { target: Math.abs(x.target) }) })),
      conditions: r.conditions.map((c) => ({ ...c, status: Math.abs(c.status), ...(c.target === undefined ? {} : { target: Math.abs(c.target) }) })),
      meta: r.meta === undefined ? undefined : { tag: r.meta.tag, ttl: { seconds: 60, nanos: 0 } },
      desired:
        r.desired === undefined
          ? undefined
          : {
              composite: r.desired.composite === undefined ? undefined : { ...r.desired.composite, ready: Math.abs(r.desired.composite.ready) },
              resources: Object.fromEntries(Object.entries(r.desired.resources).map(([k, v]) => [k, { ...v, ready: Math.abs(v.ready) }])),
            },
    }));
    fc.assert(
      fc.property(plain, (raw) => {
        const rsp = raw as unknown as Rsp;
        const fast = tryEncodeResponseFast(rsp);
        expect(fast).toBeDefined();
        expect(fast?.equals(encodeResponse(rsp))).toBe(true);
      }),
      fcParams(300),
    );
  });

  it('takes the fast path on JSON of any shape, unicode, odd keys and numbers included', () => {
    fc.assert(
      fc.property(jsonObject(6), fc.array(fc.oneof(fc.double(), fc.constant(-0), fc.string({ unit: 'grapheme' }))), (obj, list) => {
        const resource = { ...obj, list, '': 'empty key', '10': 'integer-like key', 'ключ 🔑': 'ü' };
        const rsp = { ...runFunction(benchRequest(benchActor(1), BENCH_INPUT)), context: { fields: resource } } as Rsp;
        rsp.desired!.resources['extra'] = { resource, connectionDetails: { pw: Buffer.from('secret'), empty: Buffer.alloc(0) }, ready: 1 };
        const fast = tryEncodeResponseFast(rsp);
        expect(fast).toBeDefined();
        expect(fast?.equals(encodeResponse(rsp))).toBe(true);
      }),
      fcParams(200),
    );
  });

  it('encodes what the handler answers for the benchmark actors and every corpus document, on the fast path', () => {
    const requests = [
      ...[0, 1, 8, 32].map((m) => benchRequest(benchActor(m), BENCH_INPUT, `tag-${m}`)),
      ...['valid', 'invalid'].flatMap((dir) =>
        readdirSync(join(CORPUS_DIR, dir))
          .filter((f) => f.endsWith('.yaml'))
          .flatMap((f) => parseAllDocuments(readFileSync(join(CORPUS_DIR, dir, f), 'utf8')).map((d) => d.toJS() as Record<string, unknown>))
          .filter((doc) => doc !== null && typeof doc === 'object')
          .map((doc) => benchRequest(doc, { sidecarMode: dir === 'valid' ? 'containers' : 'native' })),
      ),
    ];
    let fatal = 0;
    for (const req of requests) {
      const rsp = runFunction(req);
      if (rsp.results.some((r) => r.severity === Severity.SEVERITY_FATAL)) fatal++;
      const fast = tryEncodeResponseFast(rsp);
      expect(fast).toBeDefined();
      expect(fast?.equals(encodeResponse(rsp))).toBe(true);
      expect(fast?.equals(sdk(rsp))).toBe(true);
    }
    expect(fatal).toBeGreaterThan(10);
  });

  it('writes the labels of an actor with thousands of them (a recorded key list, integer-like keys among them) as the SDK does', () => {
    const labels = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [i % 5 === 0 ? String(i * 37) : `team-${i}`, `v${i % 10}`]));
    const doc = { apiVersion: 'asya.sh/v1alpha1', kind: 'AsyncActor', metadata: { name: 'many-labels', namespace: 'prod', labels }, spec: { image: 'ghcr.io/example/actor:1.0.0', handler: 'handler.process' } };
    const rsp = runFunction(benchRequest(doc, BENCH_INPUT));
    expect(rsp.results.some((r) => r.severity === Severity.SEVERITY_FATAL)).toBe(false);
    const fast = tryEncodeResponseFast(rsp);
    expect(fast?.equals(sdk(rsp))).toBe(true);
  });

  it('keeps the pod-reference requirements of a Crossplane that advertises them on the fast path', () => {
    const capabilities = [Capability.CAPABILITY_CAPABILITIES, Capability.CAPABILITY_REQUIRED_RESOURCES, Capability.CAPABILITY_CONDITIONS];
    const runtime = { resource: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'asya-runtime', namespace: 'default' }, data: { 'asya_runtime.py': 'x' } } };
    let withRequirements = 0;
    for (const m of [0, 1, 8]) {
      const base = benchRequest(benchActor(m), BENCH_INPUT, `tag-${m}`);
      const first = { ...base, meta: { tag: `tag-${m}`, capabilities } };
      // The first iteration asks; the next ones carry the answer (found, then not found).
      const asked = runFunction(first).requirements?.resources ?? {};
      const keys = Object.keys(asked);
      const found = { ...first, requiredResources: Object.fromEntries(keys.map((k) => [k, { items: [runtime] }])) };
      const missing = { ...first, requiredResources: Object.fromEntries(keys.map((k) => [k, { items: [] }])) };
      for (const req of [first, found, missing]) {
        const rsp = runFunction(req as typeof base);
        if (rsp.requirements !== undefined) withRequirements++;
        const fast = tryEncodeResponseFast(rsp);
        expect(fast).toBeDefined();
        expect(fast?.equals(sdk(rsp))).toBe(true);
      }
    }
    expect(withRequirements).toBe(9);
  });

  it('writes a map with a recorded key list as the wire encoder does, values changed or deleted since', () => {
    const baseResponse = runFunction(benchRequest(benchActor(1), BENCH_INPUT));
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 3 }), { minLength: 1, maxLength: 350 }), fc.uniqueArray(fc.nat(349), { maxLength: 5 }), (values, touched) => {
        const map: Record<string, unknown> = Object.fromEntries(values.map((v, i) => [`k${i}`, v]));
        recordKeys(map, Object.keys(map));
        // Existing keys only, each once: adding a key is what a recorded list does not allow.
        touched.filter((i) => i < values.length).forEach((i, n) => {
          if (n % 3 === 0) delete map[`k${i}`];
          else if (n % 3 === 1) map[`k${i}`] = undefined;
          else map[`k${i}`] = { changed: i };
        });
        const rsp = { ...baseResponse, output: map } as unknown as Rsp;
        const fast = tryEncodeResponseFast(rsp);
        expect(fast).toBeDefined();
        expect(fast?.equals(encodeResponse(rsp))).toBe(true);
      }),
      fcParams(30),
    );
  });

  it('grows past its scratch buffer', () => {
    const rsp = runFunction(benchRequest(benchActor(1), BENCH_INPUT));
    rsp.desired!.resources['big'] = { resource: { data: 'x'.repeat(300_000), list: Array.from({ length: 5000 }, (_, i) => `item-${i}-ü`) }, connectionDetails: {}, ready: 0 };
    sameAsWire(rsp);
    expect(tryEncodeResponseFast(rsp)).toBeDefined();
    // And the next, small, response is still right.
    sameAsWire(runFunction(benchRequest(benchActor(2), BENCH_INPUT)));
  });

  it('hands deep objects to the fallback encoder (no stack overflow), with the same bytes', () => {
    for (const lists of [false, true]) {
      const rsp = runFunction(benchRequest(benchActor(1), BENCH_INPUT));
      rsp.desired!.resources['deep'] = { resource: { root: nested(FAST_MAX_DEPTH + 5, 'leaf', lists) }, connectionDetails: {}, ready: 0 };
      expect(tryEncodeResponseFast(rsp)).toBeUndefined();
      sameAsWire(rsp);
      rsp.desired!.resources['deep'] = { resource: { root: nested(5000, 'leaf', lists) }, connectionDetails: {}, ready: 0 };
      sameAsWire(rsp);
    }
  });

  it('fails like the fallback encoder on what cannot be encoded', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    const bad = [{ fn: () => 1 }, { n: 10n }, cyclic];
    for (const resource of bad) {
      const rsp = runFunction(benchRequest(benchActor(1), BENCH_INPUT));
      rsp.desired!.resources['bad'] = { resource, connectionDetails: {}, ready: 0 };
      expect(tryEncodeResponseFast(rsp)).toBeUndefined();
      expect(() => encodeResponseFast(rsp)).toThrow();
      let wireError = '';
      try {
        encodeResponse(rsp);
      } catch (err) {
        wireError = (err as Error).message;
      }
      expect(() => encodeResponseFast(rsp)).toThrow(wireError);
    }
  });
});
