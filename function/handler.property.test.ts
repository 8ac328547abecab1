/**
 * Property tests of RunFunction through the server's own decode/answer/encode path (issue 5,
 * item 1). A fast slice; `npx tsx bench/fuzz.ts` runs the same properties at 100,000+ cases.
 * Seeded (test/support/fc.ts): a failure prints the seed and counterexample path to replay.
 */
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  earlierComposite,
  earlierResources,
  mutate,
  mutation,
  stepInput,
  validActor,
} from '../test/support/actor-arbitraries.js';
import { fcParams } from '../test/support/fc.js';
import { buildRequest, earlierViolations, fatals, hostileViolations, serve, validActorViolations } from '../test/support/invariants.js';

describe('(a) valid actors render a pod that keeps the contract', () => {
  it('no FATAL; one connector per mount; unique names <= 63; mounts env parses back; CONNECTOR_SOCKET first; deterministic bytes', () => {
    fc.assert(
      fc.property(validActor(), fc.option(stepInput, { nil: undefined }), (gen, input) => {
        expect(validActorViolations(gen, input)).toEqual([]);
      }),
      fcParams(250),
    );
  });

  it('the same at the schema limit of 32 mounts', () => {
    fc.assert(
      fc.property(validActor(32, 24), stepInput, (gen, input) => {
        expect(validActorViolations(gen, input)).toEqual([]);
      }),
      fcParams(25),
    );
  });
});

describe('(b) hostile XRs: never throws, FATAL names the fields, no prototype pollution', () => {
  it('random JSON objects as the XR', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 6 }), earlierResources('deployment'), (xr, earlier) => {
        expect(hostileViolations(JSON.parse(JSON.stringify(xr)), earlier)).toEqual([]);
      }),
      fcParams(200),
    );
  });

  it('valid actors mutated at random paths (wrong types, huge and unicode strings, NUL, deep nesting, __proto__ keys)', () => {
    fc.assert(
      fc.property(validActor(4), fc.array(mutation, { minLength: 1, maxLength: 3 }), earlierResources('deployment'), (gen, mutations, earlier) => {
        expect(hostileViolations(mutate(gen.xr, mutations), earlier)).toEqual([]);
      }),
      fcParams(300),
    );
  });
});

describe('(c) earlier steps\' desired state comes back untouched', () => {
  it('resources under other keys and the composite (status merged, nothing lost)', () => {
    fc.assert(
      fc.property(validActor(3), earlierResources('deployment'), earlierComposite, (gen, earlier, composite) => {
        const { rsp } = serve(buildRequest({ xr: gen.xr, desired: earlier, composite }));
        expect(fatals(rsp)).toEqual([]);
        expect(earlierViolations(earlier, rsp, 'deployment')).toEqual([]);
        const out = rsp.desired?.composite?.resource as Record<string, unknown>;
        expect(out['metadata']).toEqual(composite.metadata ?? undefined);
        const status = (out['status'] ?? {}) as Record<string, unknown>;
        for (const [k, v] of Object.entries(composite.status ?? {})) {
          if (!['actor', 'mounts', 'stateProxy'].includes(k)) expect(isDeepStrictEqual(status[k], v), k).toBe(true);
        }
      }),
      fcParams(200),
    );
  });

  it('an earlier step\'s Deployment keeps every field it had besides what the state proxy adds', () => {
    const extra = fc.dictionary(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.string({ minLength: 1, maxLength: 6 })), fc.jsonValue({ maxDepth: 2 }), {
      maxKeys: 3,
    });
    fc.assert(
      fc.property(validActor(3), extra, extra, (gen, specExtra, podExtra) => {
        const own = (o: Record<string, unknown>) => JSON.parse(JSON.stringify(o)) as Record<string, unknown>;
        const deployment = {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'custom' },
          spec: {
            ...own(specExtra),
            replicas: 2,
            template: { spec: { ...own(podExtra), containers: [{ name: 'asya-runtime', image: 'x:1' }] } },
          },
        };
        const { rsp } = serve(buildRequest({ xr: gen.xr, desired: { deployment } }));
        expect(fatals(rsp)).toEqual([]);
        const out = rsp.desired?.resources['deployment']?.resource as { spec: Record<string, unknown> & { template: { spec: Record<string, unknown> } } };
        for (const [k, v] of Object.entries(deployment.spec)) {
          if (k !== 'template') expect(isDeepStrictEqual(out.spec[k], v), `spec.${k}`).toBe(true);
        }
        for (const [k, v] of Object.entries(deployment.spec.template.spec)) {
          if (!['containers', 'initContainers', 'volumes', 'securityContext'].includes(k)) expect(isDeepStrictEqual(out.spec.template.spec[k], v), `template.spec.${k}`).toBe(true);
        }
        expect(Object.getPrototypeOf(out.spec)).toBe(Object.prototype);
        expect(Object.getPrototypeOf(out.spec.template.spec)).toBe(Object.prototype);
      }),
      fcParams(150),
    );
  });
});
