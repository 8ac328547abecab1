/**
 * fast-check arbitraries for RunFunction messages in the SDK's JavaScript shapes, for checking
 * function/wire against the SDK's generated codec.
 */
import fc from 'fast-check';

/** Any string, lone surrogates and all. */
export const anyString = fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 12 }));

export const hasProtoKey = (v: unknown): boolean => {
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (typeof x !== 'object' || x === null) continue;
    if (!Array.isArray(x) && Object.hasOwn(x, '__proto__')) return true;
    stack.push(...Object.values(x));
  }
  return false;
};

const jsonLeaf = fc.oneof(fc.constant(null), fc.boolean(), fc.double(), fc.integer(), anyString);

/** JSON objects as a google.protobuf.Struct carries them (numbers are doubles, any keys). */
export const jsonObject = (maxDepth = 4): fc.Arbitrary<Record<string, unknown>> =>
  fc.dictionary(anyString, fc.jsonValue({ maxDepth }).chain((v) => fc.oneof(fc.constant(v as unknown), jsonLeaf)), { maxKeys: 6 }) as fc.Arbitrary<
    Record<string, unknown>
  >;

const bytes = fc.uint8Array({ maxLength: 24 }).map((b) => Buffer.from(b));
const key = anyString;
const enumValue = fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constant(-1));
const optional = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

export const resource = fc.record({
  resource: optional(jsonObject()),
  connectionDetails: fc.dictionary(key, bytes, { maxKeys: 3 }),
  ready: enumValue,
});

export const state = fc.record({
  composite: optional(resource),
  resources: fc.dictionary(key, resource, { maxKeys: 4 }),
});

export const requestMessage = fc.record({
  meta: optional(fc.record({ tag: anyString, capabilities: fc.array(enumValue, { maxLength: 6 }) })),
  observed: optional(state),
  desired: optional(state),
  input: optional(jsonObject()),
  context: optional(jsonObject()),
  extraResources: fc.dictionary(key, fc.record({ items: fc.array(resource, { maxLength: 3 }) }), { maxKeys: 2 }),
  credentials: fc.dictionary(key, fc.record({ credentialData: optional(fc.record({ data: fc.dictionary(key, bytes, { maxKeys: 3 }) })) }), { maxKeys: 2 }),
  requiredResources: fc.dictionary(key, fc.record({ items: fc.array(resource, { maxLength: 3 }) }), { maxKeys: 2 }),
  requiredSchemas: fc.dictionary(key, fc.record({ openapiV3: optional(jsonObject()) }), { maxKeys: 2 }),
});

const selector = fc.record({
  apiVersion: anyString,
  kind: anyString,
  matchName: optional(anyString),
  matchLabels: optional(fc.record({ labels: fc.dictionary(key, anyString, { maxKeys: 3 }) })),
  namespace: optional(anyString),
});

export const responseMessage = fc.record({
  meta: optional(
    fc.record({
      tag: anyString,
      ttl: optional(fc.record({ seconds: fc.integer({ min: -1e12, max: 1e12 }), nanos: fc.integer({ min: -999_999_999, max: 999_999_999 }) })),
    }),
  ),
  desired: optional(state),
  results: fc.array(fc.record({ severity: enumValue, message: anyString, reason: optional(anyString), target: optional(enumValue) }), { maxLength: 3 }),
  context: optional(jsonObject()),
  requirements: optional(
    fc.record({
      extraResources: fc.dictionary(key, selector, { maxKeys: 2 }),
      resources: fc.dictionary(key, selector, { maxKeys: 2 }),
      schemas: fc.dictionary(key, fc.record({ apiVersion: anyString, kind: anyString }), { maxKeys: 2 }),
    }),
  ),
  conditions: fc.array(
    fc.record({ type: anyString, status: enumValue, reason: anyString, message: optional(anyString), target: optional(enumValue) }),
    { maxLength: 2 },
  ),
  output: optional(jsonObject()),
});

/** An object nested `depth` levels (the root counts as 1), alternating objects and arrays when `lists`. */
export function nested(depth: number, leaf: unknown = 'leaf', lists = false): unknown {
  let v: unknown = leaf;
  for (let i = 0; i < depth; i++) v = lists && i % 2 === 1 ? [v] : { a: v };
  return v;
}
