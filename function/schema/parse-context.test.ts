/**
 * The first parse in a thread runs zod's interpreter (parse-context.ts), later ones zod's compiled
 * fast path: both must give the same result, or a server's first answer would differ from its
 * later ones to the same request. Compared on the corpus, the examples and generated actors, valid
 * and mutated into invalid ones (hostile keys such as __proto__ included).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { z } from 'zod';
import { asyncActorDocument } from './async-actor.js';
import { zodMessage } from './messages.js';
import { firstParseInterpreted } from './parse-context.js';
import { stepInput } from '../input/schema.js';
import { exampleFiles, invalidFiles, validFiles } from '../../test/corpus/corpus.js';
import { mutate, mutation, stepInput as stepInputArb, validActor } from '../../test/support/actor-arbitraries.js';
import { fcParams } from '../../test/support/fc.js';

/** Everything a caller sees of a parse, key order included. */
function observe(schema: z.ZodType, value: unknown, jitless: boolean) {
  const r = schema.safeParse(value, { error: zodMessage, jitless });
  return r.success
    ? { ok: true, data: JSON.stringify(r.data), keys: keyOrder(r.data) }
    : { ok: false, issues: r.error.issues.map((i) => ({ ...i, input: undefined })) };
}

/** Own keys of every object in the output, in order (JSON.stringify would drop __proto__ ones). */
function keyOrder(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(keyOrder);
  if (typeof v !== 'object' || v === null) return v;
  return Reflect.ownKeys(v).map((k) => [String(k), keyOrder((v as Record<PropertyKey, unknown>)[k])]);
}

function same(schema: z.ZodType, value: unknown): void {
  expect(observe(schema, value, true)).toEqual(observe(schema, value, false));
}

describe('firstParseInterpreted', () => {
  it('gives the interpreter to the first parse only, with the same error map throughout', () => {
    const next = firstParseInterpreted(zodMessage);
    expect(next()).toEqual({ error: zodMessage, jitless: true });
    expect(next()).toEqual({ error: zodMessage });
    expect(next()).toEqual({ error: zodMessage });
  });

  it('interpreter and compiled parse agree on every corpus file and example', () => {
    const files = [...validFiles(), ...invalidFiles(), ...exampleFiles()];
    let docs = 0;
    for (const f of files) {
      for (const d of YAML.parseAllDocuments(f.text)) {
        const doc: unknown = d.toJS();
        if (typeof doc !== 'object' || doc === null || (doc as { kind?: unknown }).kind !== 'AsyncActor') continue;
        same(asyncActorDocument, doc);
        docs++;
      }
    }
    expect(docs).toBeGreaterThan(50);
  });

  it('interpreter and compiled parse agree on generated actors, valid and mutated', () => {
    fc.assert(
      fc.property(validActor(8), fc.array(mutation, { maxLength: 4 }), ({ xr }, mutations) => {
        same(asyncActorDocument, mutate(xr, mutations));
      }),
      fcParams(300),
    );
  });

  it('interpreter and compiled parse agree on step inputs, valid and mutated', () => {
    fc.assert(
      fc.property(stepInputArb, fc.array(mutation, { maxLength: 3 }), (input, mutations) => {
        same(stepInput, mutate(input as Record<string, unknown>, mutations));
      }),
      fcParams(300),
    );
  });
});
