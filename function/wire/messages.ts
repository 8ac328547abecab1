/**
 * The RunFunction messages (apiextensions.fn.proto.v1, run_function.proto) as data, and one
 * generic decoder and encoder over them. The messages themselves nest at most six deep; every
 * google.protobuf.Struct goes to the iterative codec in struct.ts, so no request can exhaust the
 * stack however deeply its objects nest.
 *
 * The JavaScript shapes are exactly those of the SDK's generated code (same property names and
 * defaults, Buffers for bytes), so the handler cannot tell the difference; `messages.test.ts`
 * checks that these tables name every field the SDK knows and that both codecs agree byte for
 * byte.
 */
import { Reader, WIRE, WireError, Writer, int64Size, utf8Length, varintSize } from './protobuf.js';
import { setOwn } from '../json.js';
import { StructSizes, decodeStruct, writeStruct } from './struct.js';
import { depthBound, recordDepthBound } from './depth.js';

export type FieldType =
  | { readonly t: 'string' }
  | { readonly t: 'bytes' }
  | { readonly t: 'int32' }
  | { readonly t: 'int64' }
  | { readonly t: 'struct' }
  | { readonly t: 'message'; readonly m: () => MessageType }
  | { readonly t: 'map'; readonly v: FieldType };

export interface Field {
  readonly no: number;
  readonly name: string;
  readonly type: FieldType;
  /** `repeated`: a JavaScript array (int32 accepts packed and unpacked encodings). */
  readonly repeated?: boolean;
  /** proto3 `optional` (or a oneof member): undefined when absent, written whenever set. */
  readonly optional?: boolean;
}

export interface MessageType {
  readonly name: string;
  readonly fields: readonly Field[];
}

const STRING = { t: 'string' } as const;
const BYTES = { t: 'bytes' } as const;
const INT32 = { t: 'int32' } as const;
const INT64 = { t: 'int64' } as const;
const STRUCT = { t: 'struct' } as const;
const msg = (m: () => MessageType): FieldType => ({ t: 'message', m });
const map = (v: FieldType): FieldType => ({ t: 'map', v });
const f = (no: number, name: string, type: FieldType, extra: Partial<Pick<Field, 'repeated' | 'optional'>> = {}): Field => ({ no, name, type, ...extra });

export const Duration: MessageType = { name: 'google.protobuf.Duration', fields: [f(1, 'seconds', INT64), f(2, 'nanos', INT32)] };

export const RequestMeta: MessageType = {
  name: 'RequestMeta',
  fields: [f(1, 'tag', STRING), f(2, 'capabilities', INT32, { repeated: true })],
};

export const Resource: MessageType = {
  name: 'Resource',
  fields: [f(1, 'resource', STRUCT), f(2, 'connectionDetails', map(BYTES)), f(3, 'ready', INT32)],
};

export const State: MessageType = {
  name: 'State',
  fields: [f(1, 'composite', msg(() => Resource)), f(2, 'resources', map(msg(() => Resource)))],
};

export const Resources: MessageType = { name: 'Resources', fields: [f(1, 'items', msg(() => Resource), { repeated: true })] };

export const CredentialData: MessageType = { name: 'CredentialData', fields: [f(1, 'data', map(BYTES))] };

export const Credentials: MessageType = { name: 'Credentials', fields: [f(1, 'credentialData', msg(() => CredentialData))] };

export const Schema: MessageType = { name: 'Schema', fields: [f(1, 'openapiV3', STRUCT)] };

export const RunFunctionRequest: MessageType = {
  name: 'RunFunctionRequest',
  fields: [
    f(1, 'meta', msg(() => RequestMeta)),
    f(2, 'observed', msg(() => State)),
    f(3, 'desired', msg(() => State)),
    f(4, 'input', STRUCT),
    f(5, 'context', STRUCT),
    f(6, 'extraResources', map(msg(() => Resources))),
    f(7, 'credentials', map(msg(() => Credentials))),
    f(8, 'requiredResources', map(msg(() => Resources))),
    f(9, 'requiredSchemas', map(msg(() => Schema))),
  ],
};

export const ResponseMeta: MessageType = { name: 'ResponseMeta', fields: [f(1, 'tag', STRING), f(2, 'ttl', msg(() => Duration))] };

export const Result: MessageType = {
  name: 'Result',
  fields: [f(1, 'severity', INT32), f(2, 'message', STRING), f(3, 'reason', STRING, { optional: true }), f(4, 'target', INT32, { optional: true })],
};

export const Condition: MessageType = {
  name: 'Condition',
  fields: [
    f(1, 'type', STRING),
    f(2, 'status', INT32),
    f(3, 'reason', STRING),
    f(4, 'message', STRING, { optional: true }),
    f(5, 'target', INT32, { optional: true }),
  ],
};

export const MatchLabels: MessageType = { name: 'MatchLabels', fields: [f(1, 'labels', map(STRING))] };

export const ResourceSelector: MessageType = {
  name: 'ResourceSelector',
  fields: [
    f(1, 'apiVersion', STRING),
    f(2, 'kind', STRING),
    f(3, 'matchName', STRING, { optional: true }),
    f(4, 'matchLabels', msg(() => MatchLabels)),
    f(5, 'namespace', STRING, { optional: true }),
  ],
};

export const SchemaSelector: MessageType = { name: 'SchemaSelector', fields: [f(1, 'apiVersion', STRING), f(2, 'kind', STRING)] };

export const Requirements: MessageType = {
  name: 'Requirements',
  fields: [
    f(1, 'extraResources', map(msg(() => ResourceSelector))),
    f(2, 'resources', map(msg(() => ResourceSelector))),
    f(3, 'schemas', map(msg(() => SchemaSelector))),
  ],
};

export const RunFunctionResponse: MessageType = {
  name: 'RunFunctionResponse',
  fields: [
    f(1, 'meta', msg(() => ResponseMeta)),
    f(2, 'desired', msg(() => State)),
    f(3, 'results', msg(() => Result), { repeated: true }),
    f(4, 'context', STRUCT),
    f(5, 'requirements', msg(() => Requirements)),
    f(6, 'conditions', msg(() => Condition), { repeated: true }),
    f(7, 'output', STRUCT),
  ],
};

type Obj = Record<string, unknown>;

/** The value of an absent field, as the SDK's `createBase…()` sets it. */
function absent(field: Field): unknown {
  if (field.repeated) return [];
  if (field.optional) return undefined;
  switch (field.type.t) {
    case 'string':
      return '';
    case 'bytes':
      return Buffer.alloc(0);
    case 'int32':
    case 'int64':
      return 0;
    case 'map':
      return {};
    default:
      return undefined;
  }
}

/** A loop, not Object.fromEntries over a mapped array: an earlier step's 30,000 resources are 30,000 of these. */
export function emptyMessage(type: MessageType): Obj {
  const out: Obj = {};
  for (const field of type.fields) out[field.name] = absent(field);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Decoding

const wireOf = (type: FieldType): number => {
  switch (type.t) {
    case 'int32':
    case 'int64':
      return WIRE.varint;
    default:
      return WIRE.len;
  }
};

/**
 * Decodes the message body `reader.pos .. end` into `out` (a fresh message by default). Protobuf
 * merge semantics, as Go's decoder: a singular message field that occurs again merges into the
 * first copy, repeated fields append, map entries and scalars replace.
 */
export function decodeMessage(type: MessageType, reader: Reader, end: number, out: Obj = emptyMessage(type)): Obj {
  while (reader.pos < end) {
    const { no, wire } = reader.tag();
    const field = fieldsByNumber(type)[no];
    if (field === undefined) {
      reader.skip(wire);
      continue;
    }
    if (field.repeated && field.type.t === 'int32' && wire === WIRE.len) {
      // packed
      const list = out[field.name] as number[];
      const stop = reader.lengthEnd();
      const packed = new Reader(reader.buf, reader.pos, stop);
      while (packed.pos < stop) list.push(packed.int32());
      reader.pos = stop;
      continue;
    }
    if (wire !== wireOf(field.type)) {
      reader.skip(wire);
      continue;
    }
    if (field.type.t === 'map') {
      const [key, value] = decodeMapEntry(field.type.v, reader, reader.lengthEnd());
      setOwn(out[field.name] as Obj, key, value);
      continue;
    }
    const existing = out[field.name];
    if (!field.repeated && field.type.t === 'message' && existing !== undefined && existing !== null) {
      decodeMessage(field.type.m(), reader, reader.lengthEnd(), existing as Obj);
      continue;
    }
    if (!field.repeated && field.type.t === 'struct' && isStructObj(existing)) {
      // google.protobuf.Struct is a message whose one field is a map: a second copy adds its keys.
      const more = decodeValue(field.type, reader) as Obj;
      for (const [k, v] of Object.entries(more)) setOwn(existing, k, v);
      // The merged object nests as deep as the deeper of the two.
      const a = depthBound(existing);
      const b = depthBound(more);
      recordDepthBound(existing, a === undefined || b === undefined ? Number.POSITIVE_INFINITY : Math.max(a, b));
      continue;
    }
    const value = decodeValue(field.type, reader);
    if (field.repeated) (out[field.name] as unknown[]).push(value);
    else out[field.name] = value;
  }
  if (reader.pos !== end) throw new WireError(`${type.name} overruns its length at byte ${reader.pos}`);
  return out;
}

const numbered = new WeakMap<MessageType, ReadonlyArray<Field | undefined>>();

/** The fields of `type` indexed by number (a lookup per field read, not a search with a closure). */
function fieldsByNumber(type: MessageType): ReadonlyArray<Field | undefined> {
  let table = numbered.get(type);
  if (table === undefined) {
    const byNo: Array<Field | undefined> = [];
    for (const field of type.fields) byNo[field.no] = field;
    table = byNo;
    numbered.set(type, table);
  }
  return table;
}

function decodeValue(type: FieldType, reader: Reader): unknown {
  switch (type.t) {
    case 'string':
      return reader.string();
    case 'bytes':
      return Buffer.from(reader.bytes());
    case 'int32':
      return reader.int32();
    case 'int64':
      return reader.int64();
    case 'struct': {
      const end = reader.lengthEnd();
      const obj = decodeStruct(reader, end);
      if (reader.pos !== end) throw new WireError(`Struct overruns its length at byte ${reader.pos}`);
      return obj;
    }
    case 'message':
      return decodeMessage(type.m(), reader, reader.lengthEnd());
    case 'map':
      throw new WireError('a map cannot be a map value');
  }
}

function decodeMapEntry(valueType: FieldType, reader: Reader, end: number): [string, unknown] {
  let key = '';
  // As Go: an absent key or value is its type's default; for a message value, an empty message.
  let value: unknown = valueType.t === 'message' ? undefined : absent({ no: 2, name: 'value', type: valueType });
  while (reader.pos < end) {
    const { no, wire } = reader.tag();
    if (no === 1 && wire === WIRE.len) key = reader.string();
    else if (no === 2 && wire === wireOf(valueType)) {
      if (valueType.t === 'message' && value !== undefined) decodeMessage(valueType.m(), reader, reader.lengthEnd(), value as Obj);
      else value = decodeValue(valueType, reader);
    } else reader.skip(wire);
  }
  if (value === undefined && valueType.t === 'message') value = emptyMessage(valueType.m());
  if (reader.pos !== end) throw new WireError(`map entry overruns its length at byte ${reader.pos}`);
  return [key, value];
}

const isStructObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);

export function decode(type: MessageType, bytes: Uint8Array): Obj {
  const reader = new Reader(bytes);
  return decodeMessage(type, reader, bytes.length);
}

// ---------------------------------------------------------------------------------------------
// Encoding: the same two passes as struct.ts. Message sizes are memoised per object so that the
// writing pass never measures twice.

class Sizes {
  readonly struct = new StructSizes();
  private readonly messages = new Map<object, number>();

  message(type: MessageType, m: Obj): number {
    const known = this.messages.get(m);
    if (known !== undefined) return known;
    let size = 0;
    for (const field of type.fields) size += this.field(field, m[field.name]);
    this.messages.set(m, size);
    return size;
  }

  field(field: Field, value: unknown): number {
    const tag = varintSize(field.no << 3);
    if (field.repeated && field.type.t === 'int32') {
      const n = packedSize(value as number[]);
      return tag + varintSize(n) + n;
    }
    if (field.repeated) {
      let size = 0;
      for (const v of value as unknown[]) size += tag + this.lengthPrefixed(field.type, v);
      return size;
    }
    if (field.type.t === 'map') {
      let size = 0;
      for (const [k, v] of Object.entries(value as Obj)) {
        const n = this.entry(field.type.v, k, v);
        size += tag + varintSize(n) + n;
      }
      return size;
    }
    return present(field, value) ? tag + this.lengthPrefixed(field.type, value) : 0;
  }

  entry(valueType: FieldType, key: string, value: unknown): number {
    const k = utf8Length(key);
    const valueField: Field = { no: 2, name: 'value', type: valueType };
    return (k === 0 ? 0 : 1 + varintSize(k) + k) + (present(valueField, value) ? 1 + this.lengthPrefixed(valueType, value) : 0);
  }

  /** The value's bytes after its tag: a varint, or a length prefix and the body. */
  lengthPrefixed(type: FieldType, v: unknown): number {
    switch (type.t) {
      case 'int32':
        return varintSize(v as number);
      case 'int64':
        return int64Size(v as number);
      case 'string': {
        const n = utf8Length(v as string);
        return varintSize(n) + n;
      }
      case 'bytes': {
        const n = (v as Uint8Array).length;
        return varintSize(n) + n;
      }
      case 'struct': {
        const n = this.struct.body(structObject(v));
        return varintSize(n) + n;
      }
      case 'message': {
        const n = this.message(type.m(), v as Obj);
        return varintSize(n) + n;
      }
      case 'map':
        throw new WireError('a map cannot be a map value');
    }
  }
}

/** Repeated int32 (enums) are packed, and, as the SDK writes them, present even when empty. */
const packedSize = (values: readonly number[]): number => values.reduce((n, v) => n + varintSize(v), 0);

/** The SDK's rules for writing a singular field: proto3 defaults are skipped. */
function present(field: Field, v: unknown): boolean {
  if (v === undefined) return false;
  if (field.optional) return true;
  switch (field.type.t) {
    case 'string':
      return v !== '';
    case 'int32':
    case 'int64':
      return v !== 0;
    case 'bytes':
      return (v as Uint8Array).length !== 0;
    default:
      return true;
  }
}

function structObject(v: unknown): object {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new WireError(`a Struct must be an object, not ${Array.isArray(v) ? 'an array' : typeof v}`);
  return v;
}

function writeMessage(w: Writer, sizes: Sizes, type: MessageType, m: Obj): void {
  for (const field of type.fields) {
    const value = m[field.name];
    if (field.repeated && field.type.t === 'int32') {
      const values = value as number[];
      w.tag(field.no, WIRE.len);
      w.uint32(packedSize(values));
      for (const v of values) w.int32(v);
    } else if (field.repeated) {
      for (const v of value as unknown[]) writeField(w, sizes, field.no, field.type, v);
    } else if (field.type.t === 'map') {
      const valueField: Field = { no: 2, name: 'value', type: field.type.v };
      for (const [k, v] of Object.entries(value as Obj)) {
        w.tag(field.no, WIRE.len);
        w.uint32(sizes.entry(field.type.v, k, v));
        const kl = utf8Length(k);
        if (kl > 0) {
          w.tag(1, WIRE.len);
          w.string(k, kl);
        }
        if (present(valueField, v)) writeField(w, sizes, 2, field.type.v, v);
      }
    } else if (present(field, value)) {
      writeField(w, sizes, field.no, field.type, value);
    }
  }
}

function writeField(w: Writer, sizes: Sizes, no: number, type: FieldType, v: unknown): void {
  switch (type.t) {
    case 'int32':
      w.tag(no, WIRE.varint);
      w.int32(v as number);
      return;
    case 'int64':
      w.tag(no, WIRE.varint);
      w.int64(v as number);
      return;
    case 'string':
      w.tag(no, WIRE.len);
      w.string(v as string, utf8Length(v as string));
      return;
    case 'bytes':
      w.tag(no, WIRE.len);
      w.bytes(v as Uint8Array);
      return;
    case 'struct': {
      const obj = structObject(v);
      w.tag(no, WIRE.len);
      w.uint32(sizes.struct.body(obj));
      writeStruct(w, sizes.struct, obj);
      return;
    }
    case 'message': {
      const type2 = type.m();
      w.tag(no, WIRE.len);
      w.uint32(sizes.message(type2, v as Obj));
      writeMessage(w, sizes, type2, v as Obj);
      return;
    }
    case 'map':
      throw new WireError('a map cannot be a map value');
  }
}

export function encode(type: MessageType, m: Obj): Buffer {
  const sizes = new Sizes();
  const total = sizes.message(type, m);
  const w = new Writer(total);
  writeMessage(w, sizes, type, m);
  if (w.pos !== total) throw new WireError(`encoded ${w.pos} bytes, measured ${total}`);
  return w.buf;
}
