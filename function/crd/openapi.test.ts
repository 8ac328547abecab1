import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  assertStructural,
  collectValidations,
  constToEnum,
  dropEmptyProperties,
  dropKeys,
  dropSafeIntegerBounds,
  intOrString,
  objectOpenness,
  omitProperties,
  orderKeys,
  rejectReferences,
  SchemaConversionError,
  toStructural,
  typeFreeForm,
  zodToJsonSchema,
} from './openapi.js';

describe('small converters', () => {
  it('dropKeys removes JSON-Schema-only keys and propertyNames', () => {
    expect(dropKeys({ $schema: 'x', type: 'object', propertyNames: { type: 'string' }, title: 't' })).toEqual({ type: 'object' });
  });

  it('rejectReferences refuses $ref and definitions', () => {
    expect(() => rejectReferences({ $ref: '#/x' }, 'spec.a')).toThrow(SchemaConversionError);
    expect(() => rejectReferences({ $defs: {} }, '')).toThrow(/\(root\): \$defs/);
    expect(rejectReferences({ type: 'string' }, '')).toEqual({ type: 'string' });
  });

  it('dropSafeIntegerBounds removes only zod int bounds', () => {
    expect(dropSafeIntegerBounds({ type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER })).toEqual({ type: 'integer', minimum: 1 });
    expect(dropSafeIntegerBounds({ type: 'integer', minimum: Number.MIN_SAFE_INTEGER, maximum: 10 })).toEqual({ type: 'integer', maximum: 10 });
  });

  it('constToEnum turns literals into one-value enums', () => {
    expect(constToEnum({ type: 'string', const: 'a' })).toEqual({ type: 'string', enum: ['a'] });
    expect(constToEnum({ type: 'string' })).toEqual({ type: 'string' });
  });

  it('intOrString drops the anyOf and keeps the string pattern', () => {
    const node = { anyOf: [{ type: 'string', pattern: '^[0-9]+m?$' }, { type: 'number' }], 'x-kubernetes-int-or-string': true };
    expect(intOrString(node, 'q')).toEqual({ 'x-kubernetes-int-or-string': true, pattern: '^[0-9]+m?$' });
    expect(intOrString({ type: 'string' }, 'q')).toEqual({ type: 'string' });
  });

  it('objectOpenness: closed objects lose additionalProperties:false, open ones preserve unknown fields', () => {
    expect(objectOpenness({ type: 'object', properties: { a: {} }, additionalProperties: false }, '')).toEqual({ type: 'object', properties: { a: {} } });
    expect(objectOpenness({ type: 'object', additionalProperties: {} }, '')).toEqual({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    expect(objectOpenness({ type: 'object', additionalProperties: { type: 'string' } }, '')).toEqual({ type: 'object', additionalProperties: { type: 'string' } });
    expect(() => objectOpenness({ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } }, 'x')).toThrow(/cannot be combined/);
  });

  it('dropEmptyProperties and typeFreeForm', () => {
    expect(dropEmptyProperties({ type: 'object', properties: {} })).toEqual({ type: 'object' });
    expect(typeFreeForm({ 'x-kubernetes-preserve-unknown-fields': true })).toEqual({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
  });

  it('assertStructural requires a type and refuses typed unions', () => {
    expect(() => assertStructural({}, 'spec.x')).toThrow(/spec.x: every node/);
    expect(() => assertStructural({ anyOf: [{ type: 'string' }, { type: 'number' }] }, 'y')).toThrow(/anyOf with types/);
    expect(() => assertStructural({ type: ['string', 'null'] }, 'z')).toThrow(/type list/);
    expect(assertStructural({ 'x-kubernetes-int-or-string': true }, '')).toEqual({ 'x-kubernetes-int-or-string': true });
  });

  it('orderKeys puts description and type first and extensions last', () => {
    const ordered = orderKeys({ 'x-kubernetes-validations': [], properties: {}, type: 'object', description: 'd' });
    expect(Object.keys(ordered)).toEqual(['description', 'type', 'properties', 'x-kubernetes-validations']);
  });

  it('omitProperties removes keys from properties and required', () => {
    expect(omitProperties({ type: 'object', required: ['a', 'b'], properties: { a: {}, b: {} } }, ['b'])).toEqual({
      type: 'object',
      required: ['a'],
      properties: { a: {} },
    });
    expect(omitProperties({ type: 'object', required: ['b'], properties: { b: {} } }, ['b'])).toEqual({ type: 'object', properties: {} });
  });
});

describe('toStructural on zod schemas', () => {
  const convert = (schema: z.ZodType) => toStructural(zodToJsonSchema(schema, 'openapi-3.0'));

  it('strict objects, records, loose objects and free-form values', () => {
    const schema = z.strictObject({
      name: z.string().min(1),
      count: z.number().int().min(0).default(1),
      labels: z.record(z.string(), z.string()).optional(),
      extra: z.record(z.string(), z.unknown()).meta({ 'x-kubernetes-preserve-unknown-fields': true }).optional(),
      loose: z.looseObject({ a: z.string() }).optional(),
      kind: z.literal('X').optional(),
    });
    expect(convert(schema)).toEqual({
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 1 },
        count: { type: 'integer', default: 1, minimum: 0 },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        loose: { type: 'object', required: ['a'], properties: { a: { type: 'string' } }, 'x-kubernetes-preserve-unknown-fields': true },
        kind: { type: 'string', enum: ['X'] },
      },
    });
  });

  it('int-or-string quantities and list-map annotations', () => {
    const q = z.union([z.string().regex(/^[0-9]+$/), z.number()]).meta({ 'x-kubernetes-int-or-string': true });
    const schema = z.strictObject({
      q,
      env: z
        .array(z.strictObject({ name: z.string() }))
        .max(4)
        .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] }),
    });
    const out = convert(schema) as { properties: Record<string, unknown> };
    expect(out.properties['q']).toEqual({ pattern: '^[0-9]+$', 'x-kubernetes-int-or-string': true });
    expect(out.properties['env']).toEqual({
      type: 'array',
      maxItems: 4,
      items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
      'x-kubernetes-list-map-keys': ['name'],
      'x-kubernetes-list-type': 'map',
    });
  });

  it('refuses unions that are not int-or-string', () => {
    expect(() => convert(z.strictObject({ a: z.union([z.string(), z.number()]) }))).toThrow(/a: anyOf with types/);
  });

  it('collectValidations lists rules with the path of their node', () => {
    const schema = z.strictObject({
      items: z
        .array(z.strictObject({ p: z.string().meta({ 'x-kubernetes-validations': [{ rule: 'self != ""', message: 'm1' }] }) }))
        .meta({ 'x-kubernetes-validations': [{ rule: 'size(self) > 0', message: 'm2' }] }),
    });
    expect(collectValidations(convert(schema))).toEqual([
      { at: 'items', rule: 'size(self) > 0', message: 'm2' },
      { at: 'items[].p', rule: 'self != ""', message: 'm1' },
    ]);
  });
});
