/** Comparing what two functions rendered, independent of key order. */

/** A JSON value with every object's keys sorted (arrays keep their order: it is meaningful). */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === 'object' && value !== null) {
    const obj = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(obj)
        .sort()
        .map((k) => [k, sortKeys(obj[k])]),
    );
  }
  return value;
}

/**
 * function-go-templating consumes its composition-resource-name annotation and leaves an empty
 * `metadata.annotations` behind; Crossplane treats that like no annotations.
 */
export function withoutEmptyAnnotations(resource: Record<string, unknown>): Record<string, unknown> {
  const meta = resource['metadata'];
  if (typeof meta !== 'object' || meta === null) return resource;
  const { annotations, ...rest } = meta as Record<string, unknown>;
  const empty = typeof annotations === 'object' && annotations !== null && Object.keys(annotations).length === 0;
  return empty ? { ...resource, metadata: rest } : resource;
}
