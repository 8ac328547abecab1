/**
 * The document JSON Schema (crds/asyncactor.schema.json) compiled once with ajv, and ajv's errors
 * turned into FieldIssues (path from the document root, one issue per unknown key).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { type FieldIssue, formatPath, type PathSegment } from '../schema/issues.js';
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
  return createAjv().compile(withoutTrivialPropertyNames(schema));
}

/** Keywords whose value is a map of subschemas (property names are not keywords there). */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
/** Keywords whose value is one subschema or a list of them. */
const SCHEMA_VALUES = new Set([
  'items', 'additionalItems', 'prefixItems', 'additionalProperties', 'propertyNames', 'contains', 'not', 'if', 'then', 'else',
  'allOf', 'anyOf', 'oneOf', 'unevaluatedItems', 'unevaluatedProperties',
]);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The schema without `propertyNames: {type: 'string'}`, which no instance can fail (an object's
 * keys are strings) but which ajv checks with a loop over every key: a second pass over each
 * map besides additionalProperties, most of ajv's time on a 300,000-key nodeSelector (the
 * generated schema has one per z.record). Only where `propertyNames` is a keyword: a property of
 * that name under `properties` stays.
 */
export function withoutTrivialPropertyNames(schema: unknown): object {
  return strip(schema) as object;
}

function strip(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strip);
  if (!isRecord(schema)) return schema;
  const out: Array<[string, unknown]> = [];
  for (const [keyword, value] of Object.entries(schema)) {
    if (keyword === 'propertyNames' && isRecord(value) && Object.keys(value).length === 1 && value['type'] === 'string') continue;
    if (SCHEMA_MAPS.has(keyword) && isRecord(value)) out.push([keyword, Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, strip(sub)]))]);
    else out.push([keyword, SCHEMA_VALUES.has(keyword) ? strip(value) : value]);
  }
  // fromEntries, not assignment: a `__proto__` key stays a key (ajv's strict mode sees it).
  return Object.fromEntries(out);
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

/** The segment an error adds to its instancePath: the unknown or missing key. */
function extraSegment(e: ErrorObject): string | undefined {
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties') return String(params['additionalProperty']);
  if (e.keyword === 'required') return String(params['missingProperty']);
  return undefined;
}

/** formatPath([...path, segment]) from formatPath(path), without copying the path. */
function appendKey(base: string, segment: string): string {
  const tail = formatPath([segment]);
  // '(root)' is the empty path only: a key segment formats quoted ('["(root)"]').
  if (base === '(root)') return tail;
  return tail.startsWith('[') ? base + tail : `${base}.${tail}`;
}

/**
 * ajv's errors read one at a time: which of them stand as issues, the formatted path of each, and
 * the issue itself only when asked. A document of 300,000 unknown keys has 300,000 errors of which
 * a report shows 100; building every issue (a path copy, a message, a detail object) and
 * formatting every path again cost more than ajv's own run.
 */
export interface AjvIssues {
  readonly count: number;
  /** False for a branch error of an anyOf or oneOf, folded into that error at the same place. */
  stands(i: number): boolean;
  /** formatPath of issue(i).path. */
  key(i: number): string;
  issue(i: number): FieldIssue;
}

export function readAjvErrors(errors: readonly ErrorObject[] | null | undefined, value: unknown): AjvIssues {
  const list = errors ?? [];
  const folds = (e: ErrorObject) => e.keyword === 'anyOf' || e.keyword === 'oneOf';
  const anyOfAt = new Set(list.filter(folds).map((e) => e.instancePath));
  // 300,000 unknown keys are 300,000 errors at one instancePath: resolve each pointer once.
  const at = new Map<string, { path: readonly PathSegment[]; value: unknown; key: string }>();
  const where = (e: ErrorObject) => {
    let found = at.get(e.instancePath);
    if (found === undefined) {
      const path = pointerToPath(e.instancePath, value);
      found = { path, value: valueAt(e.instancePath, value), key: formatPath(path) };
      at.set(e.instancePath, found);
    }
    return found;
  };
  const error = (i: number) => list[i] as ErrorObject;
  return {
    count: list.length,
    stands: (i) => folds(error(i)) || !anyOfAt.has(error(i).instancePath),
    key: (i) => {
      const e = error(i);
      const extra = extraSegment(e);
      return extra === undefined ? where(e).key : appendKey(where(e).key, extra);
    },
    issue: (i) => {
      const e = error(i);
      const found = where(e);
      const path = [...found.path];
      const extra = extraSegment(e);
      if (extra !== undefined) path.push(extra);
      // The keyword and its parameters (the pattern, the bound) for the JSON report's readers.
      return { path, rule: JSON_SCHEMA_RULE, message: message(e, found.value), detail: { keyword: e.keyword, ...(e.params as Record<string, unknown>) } };
    },
  };
}

/**
 * One issue per problem: unknown and missing keys at their own path; the branch errors of an
 * `anyOf` folded into the `anyOf` error at the same place.
 */
export function ajvErrorsToIssues(errors: readonly ErrorObject[] | null | undefined, value: unknown): FieldIssue[] {
  const read = readAjvErrors(errors, value);
  const out: FieldIssue[] = [];
  for (let i = 0; i < read.count; i++) if (read.stands(i)) out.push(read.issue(i));
  return out;
}
