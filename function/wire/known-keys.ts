/**
 * What is known about very large maps without looking at them again: on an object with hundreds
 * of thousands of keys (a dictionary-mode object in V8), `Object.keys` sorts its keys every time,
 * and copying one costs about as much as decoding it.
 *
 * - Decoded: the Struct decoder built it, so it is a plain object (Object.prototype) whose own
 *   properties are all enumerable data properties with string keys. A record parse may then hand
 *   it on as it is (schema/record.ts) where zod would build an equal copy.
 * - A key list: `Object.keys(obj)` exactly (same keys, same order), recorded by whoever
 *   enumerated or built the object (the Struct decoder as it fills a large map, schema/record.ts,
 *   render/labels.ts), for the record parse, the rules and the response encoder.
 *
 * Both stay true only while no key is added to or deleted from the object. Nothing in the function
 * writes into a decoded request or a parsed record: the renderer copies on write, the handler
 * copies the desired map. Readers of a list still look each value up (values may have changed) and
 * skip one read as undefined as if absent.
 *
 * WeakSet and WeakMap: what is known lives exactly as long as its object.
 */
const decoded = new WeakSet<object>();
const lists = new WeakMap<object, readonly string[]>();

export function markDecoded(obj: object): void {
  decoded.add(obj);
}

/** Whether the Struct decoder built `obj` (and marked it: large maps only). */
export const isDecoded = (obj: object): boolean => decoded.has(obj);

export function recordKeys(obj: object, keys: readonly string[]): void {
  lists.set(obj, keys);
}

/** `Object.keys(obj)` when it was recorded; undefined for any other object. */
export const knownKeys = (obj: object): readonly string[] | undefined => lists.get(obj);

/**
 * Whether V8 keeps `key` as an array index (an element): a canonical decimal integer below
 * 2^32 - 1. `Object.keys` lists those first, in numeric order, and every other key after them in
 * insertion order; a key list recorded for an object built in JavaScript must follow that.
 */
export function isArrayIndex(key: string): boolean {
  const n = key.length;
  if (n === 0 || n > 10) return false;
  const first = key.charCodeAt(0);
  if (first < 48 || first > 57) return false;
  if (first === 48) return n === 1;
  for (let i = 1; i < n; i++) {
    const c = key.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return n < 10 || Number(key) < 4294967295;
}
