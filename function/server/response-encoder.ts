/**
 * A fast encoder for RunFunctionResponse, byte for byte what the SDK's generated code (and
 * function/wire's encoder) writes, several times faster on the function's own responses.
 *
 * How: protobuf is written back to front into one reusable scratch buffer, so a message's length
 * is known when its header is written, with no measuring pass and no per-object bookkeeping.
 * Fields go in reverse order, maps and lists in reverse iteration order, which yields exactly the
 * forward encoding.
 *
 * Scope: plain data as the handler builds it. Anything else (an object nested deeper than
 * FAST_MAX_DEPTH, a cycle, a value that is not JSON, negative or huge integers, label selectors or schema
 * requirements, a field of the wrong type) makes it give up and hand the whole response to the fallback encoder
 * (function/wire's, which is iterative and reports errors), so deep objects from an earlier step
 * cannot exhaust the stack and every error keeps its message.
 */
import type { RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { encodeResponse as wireEncodeResponse } from '../wire/codec.js';
import { isObject, type Json } from '../json.js';
import { knownKeys } from '../wire/known-keys.js';

/** Deeper objects go to the fallback encoder (which has no depth limit). */
export const FAST_MAX_DEPTH = 200;

class GiveUp extends Error {}
const giveUp = (): never => {
  throw new GiveUp();
};


/** Writes backwards: the encoded bytes occupy `buf[pos .. buf.length)`. */
class BackWriter {
  buf: Buffer;
  pos: number;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
    this.pos = size;
  }

  /** Bytes written so far (stable across growth, unlike positions). */
  get written(): number {
    return this.buf.length - this.pos;
  }

  reset(): void {
    this.pos = this.buf.length;
  }

  private grow(need: number): void {
    const used = this.buf.length - this.pos;
    const size = Math.max(this.buf.length * 2, used + need + 1024);
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, size - used, this.pos);
    this.buf = next;
    this.pos = size - used;
  }

  byte(b: number): void {
    if (this.pos < 1) this.grow(1);
    this.buf[--this.pos] = b;
  }

  /** An unsigned 32-bit varint (lengths, tags, non-negative int32). */
  varint(v: number): void {
    if (v < 0x80) {
      this.byte(v);
      return;
    }
    const n = v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
    if (this.pos < n) this.grow(n);
    let p = (this.pos -= n);
    let x = v >>> 0;
    while (x >= 0x80) {
      this.buf[p++] = (x & 0x7f) | 0x80;
      x >>>= 7;
    }
    this.buf[p] = x;
  }

  double(v: number): void {
    if (this.pos < 8) this.grow(8);
    this.pos -= 8;
    this.buf.writeDoubleLE(v, this.pos);
  }

  string(s: string): void {
    const n = s.length;
    if (n <= 64) {
      // Short strings: copy ASCII by hand (cheaper than a native call); anything else natively.
      if (this.pos < n) this.grow(n);
      const start = this.pos - n;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        this.buf[start + i] = c;
      }
      if (i === n) {
        this.pos = start;
        return;
      }
    }
    const len = Buffer.byteLength(s, 'utf8');
    if (this.pos < len) this.grow(len);
    this.pos -= len;
    this.buf.write(s, this.pos, len, 'utf8');
  }

  bytes(b: Uint8Array): void {
    if (this.pos < b.length) this.grow(b.length);
    this.pos -= b.length;
    this.buf.set(b, this.pos);
  }

  /** Length prefix and tag for a length-delimited field whose body was written since `start`. */
  close(start: number, tag: number): void {
    this.varint(this.written - start);
    this.byte(tag);
  }
}

// Tags (field number << 3 | wire type), all single bytes.
const T = {
  // google.protobuf.Struct / Value / ListValue
  structFields: 0x0a,
  entryKey: 0x0a,
  entryValue: 0x12,
  valueNull: 0x08,
  valueNumber: 0x11,
  valueString: 0x1a,
  valueBool: 0x20,
  valueStruct: 0x2a,
  valueList: 0x32,
  listValues: 0x0a,
} as const;

const isUint31 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 0x80000000;

function writeValue(w: BackWriter, v: unknown, depth: number): void {
  switch (typeof v) {
    case 'string':
      {
        const start = w.written;
        w.string(v);
        w.close(start, T.valueString);
      }
      return;
    case 'number':
      w.double(v);
      w.byte(T.valueNumber);
      return;
    case 'boolean':
      w.byte(v ? 1 : 0);
      w.byte(T.valueBool);
      return;
    case 'undefined':
      return;
    case 'object': {
      if (v === null) {
        w.byte(0);
        w.byte(T.valueNull);
        return;
      }
      const start = w.written;
      if (Array.isArray(v)) {
        writeListBody(w, v, depth + 1);
        w.close(start, T.valueList);
      } else {
        writeStructBody(w, v as Json, depth + 1);
        w.close(start, T.valueStruct);
      }
      return;
    }
    default:
      giveUp();
  }
}

function writeListBody(w: BackWriter, list: readonly unknown[], depth: number): void {
  if (depth > FAST_MAX_DEPTH) giveUp();
  for (let i = list.length - 1; i >= 0; i--) {
    const start = w.written;
    writeValue(w, list[i], depth);
    w.close(start, T.listValues);
  }
}

function writeStructBody(w: BackWriter, obj: Json, depth: number): void {
  if (depth > FAST_MAX_DEPTH) giveUp();
  // A list its builder recorded (a 300,000-key nodeSelector passes through as decoded): Object.keys
  // of a map that large sorts it. A listed key whose value is now undefined is skipped as absent.
  const keys = knownKeys(obj) ?? Object.keys(obj);
  for (let i = keys.length - 1; i >= 0; i--) {
    const key = keys[i] as string;
    const v = obj[key];
    if (v === undefined) continue;
    const entry = w.written;
    const value = w.written;
    writeValue(w, v, depth);
    w.close(value, T.entryValue);
    if (key.length > 0) {
      const k = w.written;
      w.string(key);
      w.close(k, T.entryKey);
    }
    w.close(entry, T.structFields);
  }
}

/** A singular google.protobuf.Struct field: written when set; must be an object. */
function structField(w: BackWriter, v: unknown, tag: number): void {
  if (v === undefined) return;
  if (!isObject(v)) giveUp();
  const start = w.written;
  writeStructBody(w, v as Json, 1);
  w.close(start, tag);
}

function stringField(w: BackWriter, v: unknown, tag: number, optional: boolean): void {
  if (v === undefined) return;
  if (typeof v !== 'string') giveUp();
  if (!optional && v === '') return;
  const start = w.written;
  w.string(v as string);
  w.close(start, tag);
}

function int32Field(w: BackWriter, v: unknown, tag: number, optional: boolean): void {
  if (v === undefined) return;
  if (!isUint31(v)) giveUp();
  if (!optional && v === 0) return;
  w.varint(v as number);
  w.byte(tag);
}

const entriesOf = (m: unknown): string[] => (isObject(m) ? Object.keys(m) : giveUp());

/** apiextensions.fn.proto.v1.Resource */
function writeResource(w: BackWriter, r: unknown): void {
  if (!isObject(r)) giveUp();
  const res = r as Json;
  int32Field(w, res['ready'], 0x18, false);
  const details = res['connectionDetails'];
  const keys = entriesOf(details);
  for (let i = keys.length - 1; i >= 0; i--) {
    const key = keys[i] as string;
    const v = (details as Json)[key];
    if (!(v instanceof Uint8Array)) giveUp();
    const entry = w.written;
    if ((v as Uint8Array).length > 0) {
      const value = w.written;
      w.bytes(v as Uint8Array);
      w.close(value, 0x12);
    }
    if (key.length > 0) {
      const k = w.written;
      w.string(key);
      w.close(k, 0x0a);
    }
    w.close(entry, 0x12);
  }
  structField(w, res['resource'], 0x0a);
}

/**
 * A map<string, Message> field (State.resources, Requirements' selector maps), entries as the SDK
 * writes them: the key unless empty, the value unless absent, each entry framed with `tag`.
 */
function messageMap(w: BackWriter, m: unknown, tag: number, body: (w: BackWriter, v: unknown) => void): void {
  const keys = entriesOf(m);
  for (let i = keys.length - 1; i >= 0; i--) {
    const key = keys[i] as string;
    const v = (m as Json)[key];
    const entry = w.written;
    if (v !== undefined) {
      const value = w.written;
      body(w, v);
      w.close(value, 0x12);
    }
    if (key.length > 0) {
      const k = w.written;
      w.string(key);
      w.close(k, 0x0a);
    }
    w.close(entry, tag);
  }
}

/** apiextensions.fn.proto.v1.State */
function writeState(w: BackWriter, s: unknown): void {
  if (!isObject(s)) giveUp();
  const state = s as Json;
  messageMap(w, state['resources'], 0x12, writeResource);
  const composite = state['composite'];
  if (composite !== undefined) {
    const start = w.written;
    writeResource(w, composite);
    w.close(start, 0x0a);
  }
}

/**
 * A repeated message field (conditions, results): written back to front like everything here,
 * each element's fields by `body` (highest field number first), then framed with `tag`.
 */
function repeatedMessage(w: BackWriter, list: unknown, tag: number, body: (m: Json) => void): void {
  if (!Array.isArray(list)) giveUp();
  const items = list as unknown[];
  for (let i = items.length - 1; i >= 0; i--) {
    const m = items[i];
    if (!isObject(m)) giveUp();
    const start = w.written;
    body(m as Json);
    w.close(start, tag);
  }
}

/** apiextensions.fn.proto.v1.ResourceSelector, selecting by name (labels go to the fallback). */
function writeSelector(w: BackWriter, sel: unknown): void {
  if (!isObject(sel)) giveUp();
  const s = sel as Json;
  if (s['matchLabels'] !== undefined) giveUp();
  stringField(w, s['namespace'], 0x2a, true);
  stringField(w, s['matchName'], 0x1a, true);
  stringField(w, s['kind'], 0x12, false);
  stringField(w, s['apiVersion'], 0x0a, false);
}

/** apiextensions.fn.proto.v1.Requirements; schema requirements go to the fallback. */
function writeRequirements(w: BackWriter, r: unknown): void {
  if (!isObject(r)) giveUp();
  const req = r as Json;
  if (entriesOf(req['schemas']).length > 0) giveUp();
  messageMap(w, req['resources'], 0x12, writeSelector);
  messageMap(w, req['extraResources'], 0x0a, writeSelector);
}

function writeResponse(w: BackWriter, rsp: Json): void {
  // 7 output
  structField(w, rsp['output'], 0x3a);
  // 6 conditions
  repeatedMessage(w, rsp['conditions'], 0x32, (cond) => {
    int32Field(w, cond['target'], 0x28, true);
    stringField(w, cond['message'], 0x22, true);
    stringField(w, cond['reason'], 0x1a, false);
    int32Field(w, cond['status'], 0x10, false);
    stringField(w, cond['type'], 0x0a, false);
  });
  // 5 requirements: every response to a Crossplane that advertises REQUIRED_RESOURCES carries the
  // pod references (render/reference-plan.ts), so they stay on the fast path.
  const requirements = rsp['requirements'];
  if (requirements !== undefined) {
    const start = w.written;
    writeRequirements(w, requirements);
    w.close(start, 0x2a);
  }
  // 4 context
  structField(w, rsp['context'], 0x22);
  // 3 results
  repeatedMessage(w, rsp['results'], 0x1a, (res) => {
    int32Field(w, res['target'], 0x20, true);
    stringField(w, res['reason'], 0x1a, true);
    stringField(w, res['message'], 0x12, false);
    int32Field(w, res['severity'], 0x08, false);
  });
  // 2 desired
  const desired = rsp['desired'];
  if (desired !== undefined) {
    const start = w.written;
    writeState(w, desired);
    w.close(start, 0x12);
  }
  // 1 meta
  const meta = rsp['meta'];
  if (meta !== undefined) {
    if (!isObject(meta)) giveUp();
    const m = meta as Json;
    const start = w.written;
    const ttl = m['ttl'];
    if (ttl !== undefined) {
      if (!isObject(ttl)) giveUp();
      const d = ttl as Json;
      const t = w.written;
      int32Field(w, d['nanos'], 0x10, false);
      int32Field(w, d['seconds'], 0x08, false);
      w.close(t, 0x12);
    }
    stringField(w, m['tag'], 0x0a, false);
    w.close(start, 0x0a);
  }
}

/** Reused between calls (encoding is synchronous); the result is always a fresh copy. */
let scratch = new BackWriter(64 * 1024);
const MAX_KEPT_SCRATCH = 4 * 1024 * 1024;

export type ResponseEncoder = (rsp: RunFunctionResponse) => Buffer;

/**
 * The fast path, or undefined when it gave up (the response is outside its scope). Exposed for
 * tests; servers use `encodeResponseFast`.
 */
export function tryEncodeResponseFast(rsp: RunFunctionResponse): Buffer | undefined {
  const w = scratch;
  w.reset();
  try {
    writeResponse(w, rsp as unknown as Json);
  } catch (err) {
    if (err instanceof GiveUp || err instanceof RangeError) return undefined;
    throw err;
  } finally {
    // A response that made the scratch buffer huge should not pin that memory.
    if (w.buf.length > MAX_KEPT_SCRATCH) scratch = new BackWriter(64 * 1024);
  }
  const out = Buffer.allocUnsafe(w.written);
  w.buf.copy(out, 0, w.pos);
  return out;
}

/** Byte-for-byte the SDK's encoding; falls back to `fallback` outside the fast path's scope. */
export function encodeResponseFast(rsp: RunFunctionResponse, fallback: ResponseEncoder = wireEncodeResponse): Buffer {
  return tryEncodeResponseFast(rsp) ?? fallback(rsp);
}
