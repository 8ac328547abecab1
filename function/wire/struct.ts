/**
 * google.protobuf.Struct / Value / ListValue as plain JSON, decoded and encoded with an explicit
 * stack instead of recursion.
 *
 * Why not the SDK's generated code: it recurses three calls per JSON level and refuses more than
 * 100 nested messages (`protobuf decode recursion limit exceeded`), i.e. about 32 levels of JSON
 * in an XR; its encoder overflows the JavaScript stack at about 1,200 levels. Crossplane's Go
 * side accepts objects far deeper than either (its decoder allows 10,000 nested messages, about
 * 5,000 JSON levels). Here depth costs heap, not stack, so only the message size bounds it.
 *
 * Output matches the SDK's (`Struct.unwrap(Struct.decode(...))`) on everything Crossplane sends,
 * with one deliberate difference: a key named `__proto__` is kept as an own key. The SDK's
 * assignment would instead set the object's prototype and drop the key, so an earlier step's
 * `data.__proto__` would silently vanish from the desired state.
 */
import { Reader, WIRE, WireError, Writer, utf8Length, varintSize } from './protobuf.js';
import { setOwn } from '../json.js';
import { recordDepthBound } from './depth.js';
import { isArrayIndex, markDecoded, recordKeys } from './known-keys.js';

export type Json = null | boolean | number | string | undefined | Json[] | { [key: string]: Json };
type Obj = Record<string, unknown>;

// Field numbers (google/protobuf/struct.proto).
const STRUCT_FIELDS = 1;
const ENTRY_KEY = 1;
const ENTRY_VALUE = 2;
const VALUE_NULL = 1;
const VALUE_NUMBER = 2;
const VALUE_STRING = 3;
const VALUE_BOOL = 4;
const VALUE_STRUCT = 5;
const VALUE_LIST = 6;
const LIST_VALUES = 1;

/** A Value whose kind is not set unwraps to undefined, as in the SDK. */
const UNSET = Symbol('unset');

/** An object being filled; `added` counts its entries so far, `keys` is its KeyList. */
type StructFrame = { kind: 'struct'; end: number; obj: Obj; added: number; keys: KeyList };

type Frame =
  | StructFrame
  | { kind: 'entry'; end: number; key: string; value: unknown }
  | { kind: 'value'; end: number; value: unknown }
  | { kind: 'list'; end: number; arr: unknown[] };

/**
 * Decodes a Struct message body occupying `reader.pos .. end` into a plain object: by the
 * recursive fast path when the bytes are in the canonical form every encoder writes, otherwise
 * (or deeper than FAST_DEPTH) by the general decoder from the start, which gives every case its
 * protobuf meaning (fields in any order, repeated, unknown) and its errors.
 */
export function decodeStruct(reader: Reader, end: number): Obj {
  const start = reader.pos;
  const fast = decodeStructFast(reader, end);
  if (fast !== undefined) return fast;
  reader.pos = start;
  return decodeStructGeneral(reader, end);
}

/** The general decoder alone (decodeStruct without its fast path), for tests comparing the two. */
export function decodeStructGeneral(reader: Reader, end: number): Obj {
  const size = end - reader.pos;
  const root: Obj = {};
  const stack: Frame[] = [structFrame(end, root)];
  // Objects and arrays open on the stack, and the most ever open: an upper bound on the nesting
  // depth of the result (a value replaced later only makes it larger than the truth), recorded so
  // that the request guard need not walk a 4 MiB object again to learn it is shallow.
  let open = 1;
  let most = 1;
  /** Frames inlineValue asks for when a value holds an object or a list. */
  const pending: Frame[] = [];
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as Frame;
    if (reader.pos >= top.end) {
      if (reader.pos > top.end) throw new WireError(`field overruns its message at byte ${reader.pos}`);
      stack.pop();
      if (top.kind === 'struct' || top.kind === 'list') open--;
      if (top.kind === 'struct' && top.added >= MARKED) marked(top.obj, top.keys);
      finish(top, stack[stack.length - 1]);
      continue;
    }
    const { no, wire } = reader.tag();
    switch (top.kind) {
      case 'struct':
        if (no === STRUCT_FIELDS && wire === WIRE.len) {
          // The entry read in place, without frames, as long as its value is a scalar (most
          // are): the same reads in the same order as through the frames below.
          const entryEnd = reader.lengthEnd();
          let key = '';
          let value: unknown = UNSET;
          while (reader.pos < entryEnd) {
            const field = reader.tag();
            if (field.no === ENTRY_KEY && field.wire === WIRE.len) {
              key = reader.string();
            } else if (field.no === ENTRY_VALUE && field.wire === WIRE.len) {
              const v = inlineValue(reader, reader.lengthEnd(), pending);
              if (v === PENDING) break;
              value = v === UNSET ? undefined : v;
            } else {
              reader.skip(field.wire);
            }
          }
          if (pending.length > 0) {
            // An object or list value: the rest of the entry is read through its frame.
            stack.push({ kind: 'entry', end: entryEnd, key, value: UNSET }, ...pending);
            pending.length = 0;
            if (++open > most) most = open;
            continue;
          }
          if (reader.pos > entryEnd) throw new WireError(`field overruns its message at byte ${reader.pos}`);
          // The SDK drops an entry whose value is unset; so do we.
          if (value !== UNSET && value !== undefined) put(top, key, value);
          continue;
        }
        break;
      case 'entry':
        if (no === ENTRY_KEY && wire === WIRE.len) {
          top.key = reader.string();
          continue;
        }
        if (no === ENTRY_VALUE && wire === WIRE.len) {
          stack.push({ kind: 'value', end: reader.lengthEnd(), value: UNSET });
          continue;
        }
        break;
      case 'list':
        if (no === LIST_VALUES && wire === WIRE.len) {
          const v = inlineValue(reader, reader.lengthEnd(), pending);
          if (v === PENDING) {
            stack.push(...pending);
            pending.length = 0;
            if (++open > most) most = open;
          } else {
            top.arr.push(v === UNSET ? undefined : v);
          }
          continue;
        }
        break;
      case 'value': {
        const frames = stack.length;
        if (readValueField(reader, top, no, wire, stack)) {
          if (stack.length > frames && ++open > most) most = open;
          continue;
        }
        break;
      }
    }
    reader.skip(wire);
  }
  // Only for Structs worth it: the guard walks one without a bound, which for a small one costs
  // less than a WeakMap entry (an earlier step's 30,000 small ConfigMaps were 30,000 entries that
  // the guard never reads: it looks at the XR and one desired resource).
  if (size >= BOUNDED_BYTES) recordDepthBound(root, most);
  return root;
}

/** Structs of at least this many bytes get a depth bound recorded. */
const BOUNDED_BYTES = 16 * 1024;

// ---------------------------------------------------------------------------------------------
// The fast path: one recursive call per object or list, the canonical tags compared as bytes
// (one-byte tags, each entry its key, if not empty, then its value, each Value exactly one kind). The general
// decoder's frames, tag objects and holders were most of a request's decode (about 2.5 times
// JSON.parse of the same document). Anything else, and any error, gives up (BAIL) and the general
// decoder starts over, so results and errors are the general decoder's by construction; the fast
// path only has to agree with it on canonical input (struct.test.ts compares the two).

/** Objects and lists nested deeper than this are left to the general decoder (no recursion limit). */
const FAST_DEPTH = 64;

const BAIL = Symbol('bail');
const TAG_STRUCT_FIELDS = (STRUCT_FIELDS << 3) | WIRE.len;
const TAG_ENTRY_KEY = (ENTRY_KEY << 3) | WIRE.len;
const TAG_ENTRY_VALUE = (ENTRY_VALUE << 3) | WIRE.len;
const TAG_NULL = (VALUE_NULL << 3) | WIRE.varint;
const TAG_NUMBER = (VALUE_NUMBER << 3) | WIRE.fixed64;
const TAG_STRING = (VALUE_STRING << 3) | WIRE.len;
const TAG_BOOL = (VALUE_BOOL << 3) | WIRE.varint;
const TAG_STRUCT = (VALUE_STRUCT << 3) | WIRE.len;
const TAG_LIST = (VALUE_LIST << 3) | WIRE.len;
const TAG_LIST_VALUES = (LIST_VALUES << 3) | WIRE.len;

/** The deepest nesting the current fast decode reached (root object 1), for the depth bound. */
let fastMost = 0;

/** The fast path alone: the object, or undefined where decodeStruct hands over to the general decoder. */
export function decodeStructFast(reader: Reader, end: number): Obj | undefined {
  const size = end - reader.pos;
  fastMost = 1;
  let root: Obj | typeof BAIL;
  try {
    root = fastStruct(reader, end, 1);
  } catch {
    return undefined;
  }
  if (root === BAIL) return undefined;
  if (size >= BOUNDED_BYTES) recordDepthBound(root, fastMost);
  return root;
}

function fastStruct(reader: Reader, end: number, depth: number): Obj | typeof BAIL {
  if (depth > fastMost) fastMost = depth;
  const buf = reader.buf;
  const obj: Obj = {};
  let added = 0;
  let keys: KeyList;
  while (reader.pos < end) {
    if (buf[reader.pos] !== TAG_STRUCT_FIELDS) return BAIL;
    reader.pos++;
    const entryEnd = reader.lengthEnd();
    if (entryEnd > end) return BAIL;
    // An empty key is the field's default, which an encoder leaves out.
    let key = '';
    if (buf[reader.pos] === TAG_ENTRY_KEY && reader.pos < entryEnd) {
      reader.pos++;
      key = reader.string();
    }
    // An entry without a value: the general decoder drops it (the SDK does too).
    if (reader.pos === entryEnd) continue;
    if (buf[reader.pos] !== TAG_ENTRY_VALUE) return BAIL;
    reader.pos++;
    const valueEnd = reader.lengthEnd();
    if (valueEnd !== entryEnd) return BAIL;
    const v = fastValue(reader, valueEnd, depth);
    if (v === BAIL) return BAIL;
    if (v === UNSET) continue;
    if (added >= MARKED && keys !== null) keys = withKey(keys, obj, key);
    setOwn(obj, key, v);
    added++;
  }
  if (reader.pos !== end) return BAIL;
  if (added >= MARKED) marked(obj, keys);
  return obj;
}

function fastList(reader: Reader, end: number, depth: number): unknown[] | typeof BAIL {
  if (depth > fastMost) fastMost = depth;
  const buf = reader.buf;
  const arr: unknown[] = [];
  while (reader.pos < end) {
    if (buf[reader.pos] !== TAG_LIST_VALUES) return BAIL;
    reader.pos++;
    const valueEnd = reader.lengthEnd();
    if (valueEnd > end) return BAIL;
    const v = fastValue(reader, valueEnd, depth);
    if (v === BAIL) return BAIL;
    arr.push(v === UNSET ? undefined : v);
  }
  if (reader.pos !== end) return BAIL;
  return arr;
}

/** A Value body of exactly one kind (UNSET when empty); BAIL for anything else. */
function fastValue(reader: Reader, end: number, depth: number): unknown {
  if (reader.pos === end) return UNSET;
  const tag = reader.buf[reader.pos];
  reader.pos++;
  let v: unknown;
  switch (tag) {
    case TAG_STRING:
      v = reader.string();
      break;
    case TAG_NUMBER:
      v = reader.double();
      break;
    case TAG_BOOL:
      v = reader.bool();
      break;
    case TAG_NULL:
      reader.int32();
      v = null;
      break;
    case TAG_STRUCT:
      if (depth >= FAST_DEPTH) return BAIL;
      v = fastStruct(reader, reader.lengthEnd(), depth + 1);
      break;
    case TAG_LIST:
      if (depth >= FAST_DEPTH) return BAIL;
      v = fastList(reader, reader.lengthEnd(), depth + 1);
      break;
    default:
      return BAIL;
  }
  if (v === BAIL || reader.pos !== end) return BAIL;
  return v;
}

/** inlineValue's answer for a value that holds an object or a list. */
const PENDING = Symbol('pending');

/**
 * Reads the Value body `reader.pos .. end` in place: its value (UNSET when no kind is set), the
 * last kind sent winning. Allocating two frames per scalar was most of the decoder's garbage. On
 * an object or list it stops and returns PENDING, with the Value's frame and the container's in
 * `pending` (in push order): the container and the rest of the Value are then read through them,
 * exactly as if the Value had had a frame from the start.
 */
function inlineValue(reader: Reader, end: number, pending: Frame[]): unknown {
  // One holder for every call, not a frame per Value: inlineValue never runs inside itself
  // (containers are read through frames), and `pending` is empty on entry.
  const held = scalarHolder;
  held.value = UNSET;
  while (reader.pos < end) {
    const { no, wire } = reader.tag();
    if (!readValueField(reader, held, no, wire, pending)) {
      reader.skip(wire);
    } else if (pending.length > 0) {
      // readValueField pushed the container's frame; the Value's own goes under it.
      pending.unshift({ kind: 'value', end, value: held.value });
      held.value = UNSET;
      return PENDING;
    }
  }
  // Not left in the holder: a module-level reference would keep the last request's string alive.
  const value = held.value;
  held.value = UNSET;
  if (reader.pos > end) throw new WireError(`field overruns its message at byte ${reader.pos}`);
  return value;
}

/** inlineValue's holder for the value read so far. */
const scalarHolder: { value: unknown } = { value: UNSET };

function readValueField(reader: Reader, frame: { value: unknown }, no: number, wire: number, stack: Frame[]): boolean {
  if (no === VALUE_NULL && wire === WIRE.varint) {
    reader.int32();
    frame.value = null;
  } else if (no === VALUE_NUMBER && wire === WIRE.fixed64) {
    frame.value = reader.double();
  } else if (no === VALUE_STRING && wire === WIRE.len) {
    frame.value = reader.string();
  } else if (no === VALUE_BOOL && wire === WIRE.varint) {
    frame.value = reader.bool();
  } else if (no === VALUE_STRUCT && wire === WIRE.len) {
    const obj: Obj = {};
    frame.value = obj;
    stack.push(structFrame(reader.lengthEnd(), obj));
  } else if (no === VALUE_LIST && wire === WIRE.len) {
    const arr: unknown[] = [];
    frame.value = arr;
    stack.push({ kind: 'list', end: reader.lengthEnd(), arr });
  } else {
    return false;
  }
  return true;
}

const structFrame = (end: number, obj: Obj): StructFrame => ({ kind: 'struct', end, obj, added: 0, keys: undefined });

/**
 * Objects with this many entries are marked as decoded (known-keys.ts), so that a record parse may
 * take one as it is instead of copying it. Below it a copy is cheap, and a mark per object would
 * cost more than it saves.
 */
const MARKED = 256;

/** `setOwn(frame.obj, key, value)`, counting the entry. */
function put(frame: StructFrame, key: string, value: unknown): void {
  if (frame.added >= MARKED && frame.keys !== null) frame.keys = withKey(frame.keys, frame.obj, key);
  setOwn(frame.obj, key, value);
  frame.added++;
}

/**
 * `Object.keys(obj)` of a large object being decoded, kept as its entries arrive, for the record
 * parse, the rules and the response encoder (wire/known-keys.ts): on an object of hundreds of
 * thousands of keys (dictionary mode) Object.keys sorts them every time, about 60 ms for 300,000
 * keys here, while keeping the list costs a lookup per key (the key is then already internalized
 * for the insert that follows). Undefined until the object has MARKED entries (the list then
 * starts as Object.keys of those), null once the order is not insertion order: V8 lists array-index
 * keys ("0", "17") first, in numeric order, so a map with one such key after the first MARKED is
 * left to Object.keys.
 */
type KeyList = string[] | null | undefined;

/** The key list once `key` is set on `obj` (called before it is). */
function withKey(keys: string[] | undefined, obj: Obj, key: string): KeyList {
  if (isArrayIndex(key)) return null;
  const list = keys ?? Object.keys(obj);
  // A key sent twice keeps its first place (its value is replaced, its order is not). Decoded
  // values are never undefined, so only a defined one needs the own-property check (an inherited
  // name such as "constructor" reads as defined).
  if (obj[key] === undefined || !Object.hasOwn(obj, key)) list.push(key);
  return list;
}

/** Marks a large decoded object, with its key list when one was kept. */
function marked(obj: Obj, keys: KeyList): void {
  markDecoded(obj);
  if (keys !== undefined && keys !== null) recordKeys(obj, keys);
}

/** Hands a completed frame's result to its parent. */
function finish(done: Frame, parent: Frame | undefined): void {
  if (done.kind === 'entry') {
    // The SDK drops an entry whose value is unset; so do we. An entry's parent is its object.
    if (done.value !== UNSET && done.value !== undefined && parent?.kind === 'struct') put(parent, done.key, done.value);
    return;
  }
  if (done.kind !== 'value' || parent === undefined) return;
  const value = done.value === UNSET ? undefined : done.value;
  if (parent.kind === 'entry') parent.value = value;
  else if (parent.kind === 'list') parent.arr.push(value);
}

// ---------------------------------------------------------------------------------------------
// Encoding: a measuring pass (post-order, iterative) records the body size of every object and
// array, then a writing pass (pre-order, iterative) emits the bytes into one exact-size buffer.
// Byte-for-byte what the SDK's `Struct.encode(Struct.wrap(obj))` writes.

const IN_PROGRESS = -1;

export class StructSizes {
  private readonly sizes = new Map<object, number>();

  /** Body size of the Struct (object) or ListValue (array) `node`; measures it if needed. */
  body(node: object): number {
    const known = this.sizes.get(node);
    if (known !== undefined && known !== IN_PROGRESS) return known;
    this.measure(node);
    return this.sizes.get(node) as number;
  }

  /** Body size of the Value message that wraps `v`. */
  valueBody(v: unknown): number {
    switch (typeof v) {
      case 'string': {
        const n = utf8Length(v);
        return 1 + varintSize(n) + n;
      }
      case 'number':
        return 9;
      case 'boolean':
        return 2;
      case 'undefined':
        return 0;
      case 'object': {
        if (v === null) return 2;
        const n = this.body(v);
        return 1 + varintSize(n) + n;
      }
      default:
        throw new WireError(`Unsupported any value type: ${typeof v}`);
    }
  }

  private measure(root: object): void {
    const stack: Array<{ node: object; expanded: boolean }> = [{ node: root, expanded: false }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { node: object; expanded: boolean };
      const state = this.sizes.get(top.node);
      if (!top.expanded) {
        if (state !== undefined && state !== IN_PROGRESS) {
          stack.pop();
          continue;
        }
        top.expanded = true;
        this.sizes.set(top.node, IN_PROGRESS);
        for (const child of children(top.node)) {
          if (typeof child !== 'object' || child === null) continue;
          const s = this.sizes.get(child);
          if (s === IN_PROGRESS) throw new WireError('cannot encode a value that contains itself');
          if (s === undefined) stack.push({ node: child, expanded: false });
        }
        continue;
      }
      stack.pop();
      this.sizes.set(top.node, this.ownBody(top.node));
    }
  }

  /** Body size from the (already measured) children. */
  private ownBody(node: object): number {
    let size = 0;
    if (Array.isArray(node)) {
      for (const v of node) {
        const n = this.valueBody(v);
        size += 1 + varintSize(n) + n;
      }
      return size;
    }
    for (const [k, v] of Object.entries(node)) {
      if (v === undefined) continue;
      const n = entryBody(this, k, v);
      size += 1 + varintSize(n) + n;
    }
    return size;
  }
}

function entryBody(sizes: StructSizes, key: string, v: unknown): number {
  const k = utf8Length(key);
  const n = sizes.valueBody(v);
  return (k === 0 ? 0 : 1 + varintSize(k) + k) + 1 + varintSize(n) + n;
}

const children = (node: object): unknown[] => (Array.isArray(node) ? node : Object.values(node));

type Task =
  | { kind: 'struct'; obj: object }
  | { kind: 'list'; arr: readonly unknown[] }
  | { kind: 'value'; v: unknown }
  | { kind: 'entry'; key: string; v: unknown }
  | { kind: 'item'; v: unknown };

/** Writes the body of the Struct for `obj` (the caller wrote its tag and length). */
export function writeStruct(w: Writer, sizes: StructSizes, obj: object): void {
  const stack: Task[] = [{ kind: 'struct', obj }];
  while (stack.length > 0) {
    const task = stack.pop() as Task;
    switch (task.kind) {
      case 'struct': {
        // In order: each entry's header, then its value (which may push more work).
        const entries = Object.entries(task.obj);
        for (let i = entries.length - 1; i >= 0; i--) {
          const [key, v] = entries[i] as [string, unknown];
          if (v !== undefined) stack.push({ kind: 'value', v }, { kind: 'entry', key, v });
        }
        break;
      }
      case 'list':
        for (let i = task.arr.length - 1; i >= 0; i--) {
          const v = task.arr[i];
          stack.push({ kind: 'value', v }, { kind: 'item', v });
        }
        break;
      case 'entry': {
        w.tag(STRUCT_FIELDS, WIRE.len);
        w.uint32(entryBody(sizes, task.key, task.v));
        const k = utf8Length(task.key);
        if (k > 0) {
          w.tag(ENTRY_KEY, WIRE.len);
          w.string(task.key, k);
        }
        w.tag(ENTRY_VALUE, WIRE.len);
        w.uint32(sizes.valueBody(task.v));
        break;
      }
      case 'item':
        w.tag(LIST_VALUES, WIRE.len);
        w.uint32(sizes.valueBody(task.v));
        break;
      case 'value':
        writeValueBody(w, sizes, task.v, stack);
        break;
    }
  }
}

function writeValueBody(w: Writer, sizes: StructSizes, v: unknown, stack: Task[]): void {
  switch (typeof v) {
    case 'string':
      w.tag(VALUE_STRING, WIRE.len);
      w.string(v, utf8Length(v));
      return;
    case 'number':
      w.tag(VALUE_NUMBER, WIRE.fixed64);
      w.double(v);
      return;
    case 'boolean':
      w.tag(VALUE_BOOL, WIRE.varint);
      w.uint32(v ? 1 : 0);
      return;
    case 'undefined':
      return;
    case 'object':
      if (v === null) {
        w.tag(VALUE_NULL, WIRE.varint);
        w.uint32(0);
      } else if (Array.isArray(v)) {
        w.tag(VALUE_LIST, WIRE.len);
        w.uint32(sizes.body(v));
        stack.push({ kind: 'list', arr: v });
      } else {
        w.tag(VALUE_STRUCT, WIRE.len);
        w.uint32(sizes.body(v));
        stack.push({ kind: 'struct', obj: v });
      }
      return;
    default:
      throw new WireError(`Unsupported any value type: ${typeof v}`);
  }
}
