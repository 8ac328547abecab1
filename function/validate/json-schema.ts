/**
 * The document JSON Schema (crds/asyncactor.schema.json) compiled once with ajv, and ajv's errors
 * turned into FieldIssues (path from the document root, one issue per unknown key).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { FieldIssue, PathSegment } from '../schema/issues.js';
import { patternMessage } from '../schema/messages.js';

/** Kubernetes extensions in the schema: annotations only for ajv (strict mode must know them). */
export const KUBERNETES_KEYWORDS = [
  'x-kubernetes-validations',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-embedded-resource',
] as const;

export const JSON_SCHEMA_RULE = 'json-schema';

export type DocumentValidator = ValidateFunction;

export function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  for (const keyword of KUBERNETES_KEYWORDS) ajv.addKeyword({ keyword });
  return ajv;
}

export function compileDocumentSchema(schema: object): DocumentValidator {
  return createAjv().compile(schema);
}

/** `/spec/stateProxy/0/mount` → `['spec', 'stateProxy', 0, 'mount']` (indices of arrays as numbers). */
export function pointerToPath(pointer: string, value: unknown): PathSegment[] {
  if (pointer === '') return [];
  const out: PathSegment[] = [];
  let node: unknown = value;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^(0|[1-9][0-9]*)$/.test(key)) {
      out.push(Number(key));
      node = node[Number(key)];
    } else {
      out.push(key);
      node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return out;
}

/** The value a JSON pointer names in the document (undefined when it is not there). */
function valueAt(pointer: string, value: unknown): unknown {
  let node: unknown = value;
  for (const segment of pointerToPath(pointer, value)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

function message(e: ErrorObject, value: unknown): string {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'pattern':
      return patternMessage(String(params['pattern']), value);
    case 'additionalProperties':
      return `unknown field ${JSON.stringify(params['additionalProperty'])}`;
    case 'required':
      return 'required field is missing';
    case 'enum':
      return `must be one of: ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(params['allowedValue'])}`;
    default:
      return e.message ?? e.keyword;
  }
}

/**
 * One issue per problem: unknown and missing keys at their own path; the branch errors of an
 * `anyOf` folded into the `anyOf` error at the same place.
 */
export function ajvErrorsToIssues(errors: readonly ErrorObject[] | null | undefined, value: unknown): FieldIssue[] {
  if (errors === null || errors === undefined) return [];
  const anyOfAt = new Set(errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.instancePath));
  // 300,000 unknown keys are 300,000 errors at one instancePath: resolve each pointer once.
  const at = new Map<string, { path: readonly PathSegment[]; value: unknown }>();
  const out: FieldIssue[] = [];
  for (const e of errors) {
    if (e.keyword !== 'anyOf' && e.keyword !== 'oneOf' && anyOfAt.has(e.instancePath)) continue;
    let where = at.get(e.instancePath);
    if (where === undefined) {
      where = { path: pointerToPath(e.instancePath, value), value: valueAt(e.instancePath, value) };
      at.set(e.instancePath, where);
    }
    const path = [...where.path];
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'additionalProperties') path.push(String(params['additionalProperty']));
    if (e.keyword === 'required') path.push(String(params['missingProperty']));
    const text = message(e, where.value);
    // The keyword and its parameters (the pattern, the bound) for the JSON report's readers.
    out.push({ path, rule: JSON_SCHEMA_RULE, message: text, detail: { keyword: e.keyword, ...params } });
  }
  return out;
}
