/** Plain JSON objects as they arrive in requests and leave in responses. */
export type Json = Record<string, unknown>;

/** A JSON object: not null, not an array. */
export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `obj[key] = value` as an own data property: with `key === '__proto__'` (an earlier step or a
 * request may carry such a key) plain assignment would replace the object's prototype instead.
 */
export function setOwn(obj: Json, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}
