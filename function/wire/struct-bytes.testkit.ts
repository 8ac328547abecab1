/**
 * google.protobuf.Struct bytes written by hand, for decoder tests that need bytes no protobuf
 * encoder writes (fields in any order, a key twice, a oneof sent twice, unknown fields).
 */
export const varint = (n: number): number[] => {
  const out: number[] = [];
  for (; n > 127; n >>>= 7) out.push((n & 127) | 128);
  out.push(n);
  return out;
};
/** A length-delimited field. */
export const len = (no: number, body: number[]) => [...varint((no << 3) | 2), ...varint(body.length), ...body];
const text = (s: string) => [...Buffer.from(s)];
// Value kinds (google/protobuf/struct.proto).
export const str = (s: string) => len(3, text(s));
export const bool = (b: boolean) => [...varint(4 << 3), b ? 1 : 0];
export const obj = (...entries: number[][]) => len(5, entries.flat());
export const list = (...values: number[][]) => len(6, values.flatMap((v) => len(1, v)));
export const unknown = [...varint(9 << 3), 7];
/** A Struct entry from its fields (1 = key, 2 = value) in the order given. */
export const entry = (...fields: number[][]) => len(1, fields.flat());
export const key = (k: string) => len(1, text(k));
export const value = (...kinds: number[][]) => len(2, kinds.flat());
