/**
 * An offline stand-in for the API server's admission of an AsyncActor, in two layers:
 *
 * - CEL: the `x-kubernetes-validations` rules of the generated XRD, evaluated with
 *   @marcbachmann/cel-js on the object as the API server would see it (unknown fields pruned,
 *   schema defaults applied, integers as int64), each rule on the node that carries it with
 *   `self` bound to that node, and not at all where the node is absent (so `has()` on absent
 *   optional fields behaves as in Kubernetes). Transition rules (`oldSelf`) are not used.
 * - OpenAPI: the plain CRD's openAPIV3Schema run by ajv with Kubernetes' structural semantics
 *   added back: objects closed unless `x-kubernetes-preserve-unknown-fields` (strict field
 *   validation, kubectl's default), int-or-string, and `x-kubernetes-list-type: map` key
 *   uniqueness.
 *
 * Library gap: cel-js compiles `matches()` patterns as JavaScript regular expressions without the
 * `u` flag, so RE2's `\p{..}` classes do not work. The harness routes `matches` to `re2Matches`,
 * a function that compiles the same pattern with the `u` flag (equivalent to RE2 for the patterns
 * the rules use). Everything else (macros all/exists/exists_one/filter, has, size, startsWith,
 * contains, in, raw strings) is cel-js' own.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { Environment } from '@marcbachmann/cel-js';
import { isObject } from '../../function/json.js';

type Schema = { [key: string]: unknown };

const props = (s: Schema): Record<string, Schema> | undefined => (isObject(s['properties']) ? (s['properties'] as Record<string, Schema>) : undefined);

export interface CelViolation {
  /** Path of the node carrying the rule, `spec.stateProxy[1]` style. */
  readonly at: string;
  readonly rule: string;
  readonly message: string;
  /** Set when evaluation failed (the API server rejects then too). */
  readonly error?: string;
}

/** What Crossplane makes of the XRD's version schema (internal/xcrd.ForCompositeResource). */
export function crossplaneRootSchema(xrdVersionSchema: Schema): Schema {
  const p = props(xrdVersionSchema) ?? {};
  const spec = p['spec'] as Schema;
  const status = p['status'] as Schema;
  return {
    ...xrdVersionSchema,
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      // ObjectMeta is the API server's own; only name is capped (63) by Crossplane.
      metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { name: { type: 'string', maxLength: 63 } } },
      spec: {
        ...spec,
        properties: { ...(props(spec) ?? {}), crossplane: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
      status,
    },
  };
}

/** The object as validation sees it: pruned to the schema, defaulted, integers as bigint. */
export function prepare(value: unknown, schema: Schema): unknown {
  if (value === undefined || value === null) return value;
  const type = schema['type'];
  if ((type === 'integer' || schema['x-kubernetes-int-or-string'] === true) && typeof value === 'number' && Number.isInteger(value)) {
    return BigInt(value);
  }
  if (Array.isArray(value)) {
    const items = isObject(schema['items']) ? (schema['items'] as Schema) : undefined;
    return items === undefined ? value : value.map((v) => prepare(v, items));
  }
  if (!isObject(value)) return value;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const properties = props(schema);
  const additional = isObject(schema['additionalProperties']) ? (schema['additionalProperties'] as Schema) : undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const sub = properties?.[k] ?? additional;
    if (sub !== undefined) out[k] = prepare(v, sub);
    else if (preserve) out[k] = v;
  }
  for (const [k, sub] of Object.entries(properties ?? {})) {
    if (!(k in out) && sub['default'] !== undefined) out[k] = prepare(structuredClone(sub['default']), sub);
  }
  return out;
}

export function celEnvironment(): Environment {
  return new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false })
    .registerVariable('self', 'dyn')
    .registerFunction('string.re2Matches(string): bool', (s: string, re: string) => new RegExp(re, 'u').test(s));
}

/** The rule as cel-js runs it (see the note on `matches` above). */
export const adaptRule = (rule: string): string => rule.replace(/\.matches\(/g, '.re2Matches(');

export class CelAdmission {
  private readonly env = celEnvironment();
  private readonly compiled = new Map<string, ReturnType<Environment['parse']>>();

  constructor(private readonly root: Schema) {}

  private program(rule: string) {
    let p = this.compiled.get(rule);
    if (p === undefined) {
      p = this.env.parse(adaptRule(rule));
      this.compiled.set(rule, p);
    }
    return p;
  }

  /** Every rule that rejects the document (empty: CEL admits it). */
  evaluate(document: unknown): CelViolation[] {
    const out: CelViolation[] = [];
    this.visit(prepare(document, this.root), this.root, '', out);
    return out;
  }

  private visit(value: unknown, schema: Schema, at: string, out: CelViolation[]): void {
    if (value === undefined || value === null) return;
    const rules = schema['x-kubernetes-validations'];
    if (Array.isArray(rules)) {
      for (const r of rules as Array<{ rule: string; message: string }>) {
        try {
          if (this.program(r.rule)({ self: value }) !== true) out.push({ at, rule: r.rule, message: r.message });
        } catch (err) {
          out.push({ at, rule: r.rule, message: r.message, error: err instanceof Error ? err.message : String(err) });
        }
      }
    }
    if (Array.isArray(value)) {
      const items = isObject(schema['items']) ? (schema['items'] as Schema) : undefined;
      if (items !== undefined) value.forEach((v, i) => this.visit(v, items, `${at}[${i}]`, out));
      return;
    }
    if (!isObject(value)) return;
    const properties = props(schema);
    const additional = isObject(schema['additionalProperties']) ? (schema['additionalProperties'] as Schema) : undefined;
    for (const [k, v] of Object.entries(value)) {
      const sub = properties?.[k] ?? additional;
      if (sub !== undefined) this.visit(v, sub, at === '' ? k : `${at}.${k}`, out);
    }
  }
}

/** The CRD schema with Kubernetes' structural semantics spelt out for ajv. */
export function toAjvSchema(node: Schema, isRoot = true): Schema {
  const out: Schema = { ...node };
  const properties = props(node);
  if (properties !== undefined) {
    const p: Record<string, Schema> = {};
    for (const [k, v] of Object.entries(properties)) {
      // Root metadata is ObjectMeta, validated by the API server itself, never closed.
      p[k] = isRoot && k === 'metadata' ? { ...v, 'x-kubernetes-preserve-unknown-fields': true } : toAjvSchema(v, false);
    }
    out['properties'] = p;
  }
  if (isObject(node['items'])) out['items'] = toAjvSchema(node['items'] as Schema, false);
  if (isObject(node['additionalProperties'])) out['additionalProperties'] = toAjvSchema(node['additionalProperties'] as Schema, false);
  if (node['type'] === 'object' && node['x-kubernetes-preserve-unknown-fields'] !== true && out['additionalProperties'] === undefined) {
    out['additionalProperties'] = false;
  }
  if (node['x-kubernetes-int-or-string'] === true) out['anyOf'] = [{ type: 'integer' }, { type: 'string' }];
  return out;
}

function listMapKeyword(ajv: Ajv): void {
  ajv.addKeyword({ keyword: 'x-kubernetes-list-map-keys' });
  ajv.addKeyword({
    keyword: 'x-kubernetes-list-type',
    type: 'array',
    errors: false,
    validate: (listType: string, data: unknown[], parentSchema?: Schema) => {
      if (listType !== 'map' && listType !== 'set') return true;
      const keys = (parentSchema?.['x-kubernetes-list-map-keys'] as string[] | undefined) ?? [];
      const seen = new Set<string>();
      for (const item of data) {
        const id = listType === 'map' && isObject(item) ? JSON.stringify(keys.map((k) => item[k])) : JSON.stringify(item);
        if (seen.has(id)) return false;
        seen.add(id);
      }
      return true;
    },
  });
}

export function compileOpenApi(crdVersionSchema: Schema): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, useDefaults: true });
  for (const k of ['x-kubernetes-validations', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-int-or-string']) ajv.addKeyword({ keyword: k });
  listMapKeyword(ajv);
  return ajv.compile(toAjvSchema(crdVersionSchema));
}

export interface OpenApiResult {
  /** `path: keyword message` per problem; empty when the schema admits the document. */
  readonly problems: string[];
  /**
   * The API server skips every CEL rule when OpenAPI validation found a required, enum
   * (NotSupported), maxLength (TooLong), maxItems/maxProperties (TooMany) or type error
   * (apiextensions-apiserver, hasBlockingErr); pattern and minimum errors do not block.
   */
  readonly blocksCel: boolean;
}

const BLOCKING = new Set(['required', 'enum', 'maxLength', 'maxItems', 'maxProperties', 'type']);

export function openApiCheck(validate: ValidateFunction, document: unknown): OpenApiResult {
  const ok = validate(structuredClone(document));
  const errors = ok ? [] : (validate.errors ?? []);
  return {
    problems: errors.map((e) => `${e.instancePath || '/'}: ${e.keyword} ${e.message ?? ''}`),
    blocksCel: errors.some((e) => BLOCKING.has(e.keyword)),
  };
}
