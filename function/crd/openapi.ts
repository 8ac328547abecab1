/**
 * zod → JSON Schema → Kubernetes structural OpenAPI v3 schema.
 *
 * zod 4 writes the JSON Schema (`z.toJSONSchema`); the small pure functions below rewrite each
 * node into what the API server accepts in a CRD or a Crossplane XRD
 * (https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema):
 * every node typed, no `$ref`/`$schema`/definitions, no `additionalProperties: false` (unknown
 * fields are pruned or, with strict field validation, rejected by the API server anyway), no
 * `anyOf` with types (int-or-string becomes `x-kubernetes-int-or-string`), free-form objects as
 * `type: object` + `x-kubernetes-preserve-unknown-fields`, no `propertyNames`.
 */
import { z } from 'zod';

export type SchemaNode = { [key: string]: unknown };

export class SchemaConversionError extends Error {
  constructor(at: string, message: string) {
    super(`${at === '' ? '(root)' : at}: ${message}`);
    this.name = 'SchemaConversionError';
  }
}

export type JsonSchemaTarget = 'draft-7' | 'openapi-3.0';

/** The JSON Schema of a zod schema as a user writes it (`io: 'input'`: defaults are optional). */
export function zodToJsonSchema(schema: z.ZodType, target: JsonSchemaTarget): SchemaNode {
  return z.toJSONSchema(schema, {
    target,
    io: 'input',
    unrepresentable: 'throw',
    cycles: 'throw',
    reused: 'inline',
  }) as SchemaNode;
}

const isNode = (v: unknown): v is SchemaNode => typeof v === 'object' && v !== null && !Array.isArray(v);

/** zod's bounds for `.int()`; they say nothing and Kubernetes integers are int64 anyway. */
const SAFE_INTEGER_BOUNDS: ReadonlyArray<readonly [string, number]> = [
  ['minimum', Number.MIN_SAFE_INTEGER],
  ['maximum', Number.MAX_SAFE_INTEGER],
];

/** Keys a structural schema must not carry (or that only matter to JSON Schema tools). */
export const DROPPED_KEYS = ['$schema', '$id', '$comment', 'id', 'title', 'examples', 'propertyNames'] as const;

export function dropKeys(node: SchemaNode, keys: readonly string[] = DROPPED_KEYS): SchemaNode {
  const out: SchemaNode = {};
  for (const [k, v] of Object.entries(node)) if (!keys.includes(k)) out[k] = v;
  return out;
}

export function rejectReferences(node: SchemaNode, at: string): SchemaNode {
  for (const key of ['$ref', '$defs', 'definitions']) {
    if (key in node) throw new SchemaConversionError(at, `${key} is not allowed in a structural schema (inline the schema)`);
  }
  return node;
}

export function dropSafeIntegerBounds(node: SchemaNode): SchemaNode {
  const out = { ...node };
  for (const [key, bound] of SAFE_INTEGER_BOUNDS) if (out[key] === bound) delete out[key];
  return out;
}

/** `const: x` (zod literals) → `enum: [x]`; OpenAPI v3.0 has no `const`. */
export function constToEnum(node: SchemaNode): SchemaNode {
  if (!('const' in node)) return node;
  const { const: value, ...rest } = node;
  return { ...rest, enum: [value] };
}

/**
 * An int-or-string node (zod `union([string, number])` with `x-kubernetes-int-or-string`):
 * the `anyOf` goes, the string branch's pattern stays (the API server applies `pattern` to string
 * values only).
 */
export function intOrString(node: SchemaNode, at: string): SchemaNode {
  if (node['x-kubernetes-int-or-string'] !== true) return node;
  const { anyOf, oneOf, type: _type, ...rest } = node;
  const branches = [...(Array.isArray(anyOf) ? anyOf : []), ...(Array.isArray(oneOf) ? oneOf : [])].filter(isNode);
  const patterns = branches.map((b) => b['pattern']).filter((p): p is string => typeof p === 'string');
  if (patterns.length > 1) throw new SchemaConversionError(at, 'int-or-string with more than one string pattern');
  return patterns[0] === undefined || 'pattern' in rest ? rest : { ...rest, pattern: patterns[0] };
}

const isOpen = (v: unknown): boolean => v === true || (isNode(v) && Object.keys(v).length === 0);

/**
 * Object openness: `additionalProperties: false` is dropped (structural schemas are closed by
 * default); `additionalProperties: {}`/`true` (zod `looseObject`, `record(string, unknown)`)
 * becomes `x-kubernetes-preserve-unknown-fields: true`; a typed `additionalProperties` (a map)
 * stays but may not sit beside `properties`.
 */
export function objectOpenness(node: SchemaNode, at: string): SchemaNode {
  if (!('additionalProperties' in node)) return node;
  const { additionalProperties, ...rest } = node;
  if (additionalProperties === false) return rest;
  if (isOpen(additionalProperties)) return { ...rest, 'x-kubernetes-preserve-unknown-fields': true };
  if (isNode(rest['properties']) && Object.keys(rest['properties']).length > 0) {
    throw new SchemaConversionError(at, 'properties and additionalProperties cannot be combined in a structural schema');
  }
  return node;
}

/** Empty `properties: {}` says nothing; the API server would keep it but it is noise. */
export function dropEmptyProperties(node: SchemaNode): SchemaNode {
  if (!isNode(node['properties']) || Object.keys(node['properties']).length > 0) return node;
  const { properties: _properties, ...rest } = node;
  return rest;
}

/** Free-form values (`z.unknown()`, preserve-unknown objects) must still carry `type: object`. */
export function typeFreeForm(node: SchemaNode): SchemaNode {
  if (node['x-kubernetes-preserve-unknown-fields'] === true && node['type'] === undefined) {
    return { type: 'object', ...node };
  }
  return node;
}

export function assertStructural(node: SchemaNode, at: string): SchemaNode {
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    const branches = node[key];
    if (Array.isArray(branches) && branches.some((b) => isNode(b) && 'type' in b)) {
      throw new SchemaConversionError(at, `${key} with types is not allowed in a structural schema`);
    }
  }
  if (node['not'] !== undefined) throw new SchemaConversionError(at, '`not` is not supported here');
  if (Array.isArray(node['type'])) throw new SchemaConversionError(at, 'a type list is not allowed in a structural schema');
  const typed =
    typeof node['type'] === 'string' ||
    node['x-kubernetes-int-or-string'] === true ||
    node['x-kubernetes-preserve-unknown-fields'] === true;
  if (!typed) throw new SchemaConversionError(at, 'every node of a structural schema needs a type');
  return node;
}

/** Fixed key order for a schema node: what a reader looks for first, Kubernetes extensions last. */
export const KEY_ORDER = [
  'description',
  'type',
  'format',
  'enum',
  'default',
  'nullable',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'exclusiveMinimum',
  'maximum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'required',
  'items',
  'properties',
  'additionalProperties',
  'anyOf',
  'oneOf',
  'allOf',
] as const;

export function orderKeys(node: SchemaNode): SchemaNode {
  const rank = (k: string) => {
    const i = (KEY_ORDER as readonly string[]).indexOf(k);
    return i === -1 ? KEY_ORDER.length : i;
  };
  const keys = Object.keys(node).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const out: SchemaNode = {};
  for (const k of keys) out[k] = node[k];
  return out;
}

/** Applies `f` to every subschema (properties, items, additionalProperties), bottom-up. */
export function mapChildren(node: SchemaNode, at: string, f: (child: SchemaNode, at: string) => SchemaNode): SchemaNode {
  const out = { ...node };
  if (isNode(node['properties'])) {
    const props: SchemaNode = {};
    for (const [k, v] of Object.entries(node['properties'])) {
      if (!isNode(v)) throw new SchemaConversionError(`${at}.${k}`, 'expected a schema object');
      props[k] = f(v, at === '' ? k : `${at}.${k}`);
    }
    out['properties'] = props;
  }
  if (isNode(node['items'])) out['items'] = f(node['items'], `${at}[]`);
  else if (Array.isArray(node['items'])) throw new SchemaConversionError(at, 'tuple items are not allowed in a structural schema');
  if (isNode(node['additionalProperties']) && Object.keys(node['additionalProperties']).length > 0) {
    out['additionalProperties'] = f(node['additionalProperties'], `${at}.*`);
  }
  return out;
}

/** One node, children first: the whole pipeline from zod's JSON Schema to structural OpenAPI. */
export function toStructural(node: SchemaNode, at = ''): SchemaNode {
  const withChildren = mapChildren(node, at, toStructural);
  let n = rejectReferences(withChildren, at);
  n = dropKeys(n);
  n = constToEnum(n);
  n = dropSafeIntegerBounds(n);
  n = intOrString(n, at);
  n = objectOpenness(n, at);
  n = dropEmptyProperties(n);
  n = typeFreeForm(n);
  return orderKeys(assertStructural(n, at));
}

/** The same object schema without some properties (and without them in `required`). */
export function omitProperties(node: SchemaNode, keys: readonly string[]): SchemaNode {
  const out = { ...node };
  if (isNode(node['properties'])) {
    out['properties'] = dropKeys(node['properties'], keys);
  }
  if (Array.isArray(node['required'])) {
    const required = node['required'].filter((k) => !keys.includes(String(k)));
    if (required.length > 0) out['required'] = required;
    else delete out['required'];
  }
  return out;
}

/** Every `x-kubernetes-validations` rule in a schema, with the path of the node carrying it. */
export function collectValidations(node: SchemaNode, at = ''): Array<{ at: string; rule: string; message: string }> {
  const found: Array<{ at: string; rule: string; message: string }> = [];
  const visit = (n: SchemaNode, path: string) => {
    const rules = n['x-kubernetes-validations'];
    if (Array.isArray(rules)) {
      for (const r of rules) if (isNode(r)) found.push({ at: path, rule: String(r['rule']), message: String(r['message']) });
    }
    mapChildren(n, path, (child, childAt) => {
      visit(child, childAt);
      return child;
    });
  };
  visit(node, at);
  return found;
}
