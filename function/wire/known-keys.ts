/**
 * Exact own-key lists of very large maps, kept beside them so that nobody has to enumerate them
 * again: on an object with hundreds of thousands of keys (a dictionary-mode object in V8),
 * `Object.keys` sorts its keys every time, about as costly as building the object.
 *
 * A list is recorded by whoever built the object (the Struct decoder, fastRecord) and is
 * `Object.keys(obj)` exactly: same keys, same order. It stays exact only while no key is added to
 * or deleted from the object; nothing in the function writes into a decoded request or a parsed
 * record (the renderer copies on write, the handler copies the desired map), and the one writer in
 * function/wire (merging a repeated Struct field) forgets the list of the object it extends.
 * Readers must still look each value up: values may have changed, and one read as undefined is
 * to be skipped as if absent.
 *
 * A WeakMap: a list lives exactly as long as its object.
 */
const lists = new WeakMap<object, readonly string[]>();

export function recordKeys(obj: object, keys: readonly string[]): void {
  lists.set(obj, keys);
}

/** `Object.keys(obj)` when a builder recorded it; undefined for any other object. */
export const knownKeys = (obj: object): readonly string[] | undefined => lists.get(obj);

/** For a writer that adds keys to an object whose list may be recorded. */
export function forgetKeys(obj: object): void {
  lists.delete(obj);
}

/**
 * Whether `key` may be an array index, which `Object.keys` lists before every other key, in
 * numeric order, not in insertion order: a builder that lists keys as it inserts them gives up on
 * such a map. Conservative: any key starting with a digit.
 */
export function mayBeIndex(key: string): boolean {
  const c = key.charCodeAt(0);
  return c >= 0x30 && c <= 0x39;
}
