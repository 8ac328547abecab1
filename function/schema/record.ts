/**
 * `z.record(z.string(), value)` with a cheaper parse for the common case, same result.
 *
 * zod's record parse runs the key schema, a numeric-key test and the value schema (a payload
 * object and its checks) for every key, over `Reflect.ownKeys`: about 1.8 us a key here, so a
 * 4 MiB nodeSelector (300,000 keys) cost more than half a second before any rule ran. For keys
 * of a plain `z.string()` nothing of that can fail; and a value that `accepts` says the value
 * schema takes unchanged needs no run either. Everything else (values `accepts` does not vouch
 * for, symbol keys, zod's cycle memoizer at work, async) goes through zod's own code, so the
 * output and the issues (codes, paths, messages, order) are zod's. record.test.ts compares the
 * two on random maps.
 *
 * The schema itself (its `def`) is zod's record: the JSON Schema and the CRD are generated from
 * it unchanged.
 */
import { z } from 'zod';
import { isDecoded, knownKeys, recordKeys } from '../wire/known-keys.js';

type Payload = z.core.ParsePayload;
type Parse = (payload: Payload, ctx: z.core.ParseContext<z.core.$ZodIssue>) => Payload | Promise<Payload>;

/**
 * A record of string keys whose parse skips zod's per-key work where it cannot find anything.
 * `accepts(v)` must imply that `value` parses `v` to `v` itself without issues; it may be false
 * for values the schema takes (they are then parsed by zod).
 *
 * Call `.meta()`, `.describe()` or anything else that clones on the result of this function
 * only through `fastRecord`'s `wrap`: a clone is a fresh zod record with zod's parse.
 */
export function fastRecord<V extends z.ZodType>(
  value: V,
  accepts: (v: unknown) => boolean,
  wrap: (schema: z.ZodRecord<z.ZodString, V>) => z.ZodRecord<z.ZodString, V> = (s) => s,
): z.ZodRecord<z.ZodString, V> {
  const schema = wrap(z.record(z.string(), value));
  install(schema, value, accepts);
  return schema;
}

/**
 * `Object.keys(record)` for a record the fast parse returned, undefined when it is not known.
 * The parse records the key list of each large record it returns (the keys it inserted, in order,
 * or those of a map it returns as is; nothing writes to a parsed record, see wire/known-keys.ts).
 * A rule or the response encoder walking a 300,000-key map then need not enumerate it again:
 * Object.keys on an object that large (a dictionary-mode object) sorts its keys every time.
 */
export const parsedKeys = (record: object): readonly string[] | undefined => knownKeys(record);

/**
 * Records the parse builds with fewer keys get no key list: V8 keeps them in fast mode, where
 * Object.keys is cheap, and a WeakMap entry per record (19 for the usual actor: labels,
 * resources, probe handlers...) cost a fifth of the whole validation (bench/handler-profile.ts).
 */
export const KEY_LIST_MIN_KEYS = 128;

/** Whether the record parse would copy `input` unchanged: every value accepted, no `__proto__` key. */
function acceptsAll(input: Record<string, unknown>, keys: readonly string[], accepts: (v: unknown) => boolean): boolean {
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (key === '__proto__' || !accepts(input[key])) return false;
  }
  return true;
}

function install(schema: z.ZodType, value: z.ZodType, accepts: (v: unknown) => boolean): void {
  const internals = schema._zod as unknown as { parse: Parse; run: Parse };
  const zodParse = internals.parse;
  const zodRun = internals.run;
  // Checks on the record itself would make run differ from parse; none are used.
  if (zodRun !== zodParse) throw new Error('fastRecord: the record must not have checks of its own');
  const valueRun = (value._zod as unknown as { run: Parse });
  const fast: Parse = (payload, ctx) => {
    const input = payload.value;
    if (!z.core.util.isPlainObject(input)) return zodParse(payload, ctx);
    // A large map the wire decoder built: a plain object of enumerable data properties with string
    // keys (known-keys.ts), so no symbols to look for.
    const whole = isDecoded(input);
    // zod walks Reflect.ownKeys: a symbol key is an invalid_key issue there.
    if (!whole && Object.getOwnPropertySymbols(input).length > 0) return zodParse(payload, ctx);
    // Object.keys: the enumerable string keys in Reflect.ownKeys order, which is zod's order. A
    // list recorded by an earlier parse of this map is the same (nothing writes to parsed records).
    const keys = knownKeys(input) ?? Object.keys(input);
    const memo = z.core.globalConfig.memoizer;
    // Such a map whose every value is taken as it is, is returned as it is: zod's copy would have
    // the same keys, order, values and prototype, and for 300,000 keys the copy cost as much as
    // decoding them. Sharing is safe because nothing writes to a decoded request or to a parsed
    // record (the renderer copies on write; the pod's nodeSelector is this very map already).
    // `accepts` runs no schema, so the memoizer (which registers the output for the input, for a
    // cycle back to it) is still told before any value schema runs, of the output it will get.
    if (whole && acceptsAll(input, keys, accepts)) {
      if (memo !== undefined) memo.alloc(schema, payload, input, ctx);
      recordKeys(input, keys);
      return payload;
    }
    // As zod, before the values: its cycle memoizer registers the output object it is given.
    const out: Record<string, unknown> = memo === undefined ? {} : memo.alloc(schema, payload, {}, ctx);
    payload.value = out;
    let issues: z.core.$ZodRawIssue[] | undefined;
    let skipped = false;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      // zod leaves a __proto__ key out of its output (it would set the prototype).
      if (key === '__proto__') {
        skipped = true;
        continue;
      }
      const v = input[key];
      if (accepts(v)) {
        out[key] = v;
        continue;
      }
      const result = valueRun.run({ value: v, issues: [] }, ctx);
      // Our value schemas are synchronous; anything else gets zod's whole parse.
      if (result instanceof Promise) {
        payload.value = input;
        return zodParse(payload, ctx);
      }
      if (result.issues.length > 0) {
        issues ??= [];
        for (const issue of z.core.util.prefixIssues(key, result.issues)) issues.push(issue);
      }
      out[key] = result.value;
    }
    if (issues !== undefined) for (const issue of issues) payload.issues.push(issue);
    if (!skipped && keys.length >= KEY_LIST_MIN_KEYS) recordKeys(out, keys);
    return payload;
  };
  internals.parse = fast;
  internals.run = fast;
}
