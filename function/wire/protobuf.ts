/**
 * The protobuf wire format, just what RunFunction needs: varints, fixed 64-bit doubles,
 * length-delimited fields and skipping unknown fields. No recursion anywhere, so no input can
 * exhaust the stack; every read is bounds-checked and malformed bytes raise a WireError.
 */

export class WireError extends Error {
  override name = 'WireError';
}

export const WIRE = { varint: 0, fixed64: 1, len: 2, startGroup: 3, endGroup: 4, fixed32: 5 } as const;

// Lossless and strict, as Go's proto3 decoder and the SDK's: a leading U+FEFF is data an earlier
// step produced (the default decoder strips it), and bytes that are not UTF-8 are refused rather
// than silently replaced with U+FFFD.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true, fatal: true });
/** Strings up to this many bytes are tried as ASCII first (measured: faster below about 64). */
const SHORT_STRING = 64;

/** Slots of the recent-strings cache (a power of two). */
const RECENT_STRINGS = 4096;
const recent: Array<string | undefined> = new Array<string | undefined>(RECENT_STRINGS).fill(undefined);

/** Whether `s` (all ASCII) has the characters of `buf[start .. start + s.length)`. */
function sameAscii(s: string, buf: Uint8Array, start: number): boolean {
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) !== buf[start + k]) return false;
  return true;
}

/**
 * The characters of ASCII bytes `buf[start .. end)`, at most 8 of them: one call with the codes,
 * not a concatenation per character (measured three times faster on 7-character keys).
 */
function shortAscii(b: Uint8Array, s: number, end: number): string {
  // Indexed reads written out, no helper closure: tsx wraps every closure in a naming helper, which
  // made this slower than the concatenation under `npx tsx`.
  switch (end - s) {
    case 0:
      return '';
    case 1:
      return String.fromCharCode(b[s] as number);
    case 2:
      return String.fromCharCode(b[s] as number, b[s + 1] as number);
    case 3:
      return String.fromCharCode(b[s] as number, b[s + 1] as number, b[s + 2] as number);
    case 4:
      return String.fromCharCode(b[s] as number, b[s + 1] as number, b[s + 2] as number, b[s + 3] as number);
    case 5:
      return String.fromCharCode(b[s] as number, b[s + 1] as number, b[s + 2] as number, b[s + 3] as number, b[s + 4] as number);
    case 6:
      return String.fromCharCode(b[s] as number, b[s + 1] as number, b[s + 2] as number, b[s + 3] as number, b[s + 4] as number, b[s + 5] as number);
    case 7:
      return String.fromCharCode(b[s] as number, b[s + 1] as number, b[s + 2] as number, b[s + 3] as number, b[s + 4] as number, b[s + 5] as number, b[s + 6] as number);
    default:
      return String.fromCharCode(b[s] as number, b[s + 1] as number, b[s + 2] as number, b[s + 3] as number, b[s + 4] as number, b[s + 5] as number, b[s + 6] as number, b[s + 7] as number);
  }
}

/** Up to this many ASCII bytes go through shortAscii; longer ones through Buffer's latin1 decoding. */
const SHORT_ASCII = 8;

export class Reader {
  pos: number;
  private view: DataView | undefined;
  /** `buf` as a Buffer (the same memory), for latin1 decoding of ASCII strings. */
  private latin: Buffer | undefined;

  constructor(
    readonly buf: Uint8Array,
    pos = 0,
    readonly end = buf.length,
  ) {
    this.pos = pos;
  }

  /** The low 32 bits of a varint of up to 10 bytes (protobuf truncates int32 and enums this way). */
  varint32(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireError(`truncated varint at byte ${this.pos}`);
      const b = this.buf[this.pos++] as number;
      if (shift < 32) result |= (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) === 0) return result;
    }
    throw new WireError(`varint longer than 10 bytes at byte ${this.pos}`);
  }

  uint32(): number {
    return this.varint32() >>> 0;
  }

  /** A signed 64-bit varint as a number (exact within ±2^53, like the SDK's). */
  int64(): number {
    let result = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireError(`truncated varint at byte ${this.pos}`);
      const b = this.buf[this.pos++] as number;
      result |= BigInt(b & 0x7f) << BigInt(7 * i);
      if ((b & 0x80) === 0) return Number(BigInt.asIntN(64, result));
    }
    throw new WireError(`varint longer than 10 bytes at byte ${this.pos}`);
  }

  int32(): number {
    return this.varint32() | 0;
  }

  bool(): boolean {
    return this.varint32() !== 0;
  }

  double(): number {
    if (this.end - this.pos < 8) throw new WireError(`truncated double at byte ${this.pos}`);
    // One view per reader, not one per number: a request can hold 300,000 of them.
    this.view ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** The end offset of a length-delimited field whose length prefix is next. */
  lengthEnd(): number {
    const len = this.uint32();
    const end = this.pos + len;
    if (end > this.end) throw new WireError(`length ${len} at byte ${this.pos} runs past the end of its message`);
    return end;
  }

  bytes(): Uint8Array {
    const end = this.lengthEnd();
    const out = this.buf.subarray(this.pos, end);
    this.pos = end;
    return out;
  }

  string(): string {
    const at = this.pos;
    const end = this.lengthEnd();
    const start = this.pos;
    // Most strings in a request (keys, names, images) are short ASCII: building them by hand
    // skips a subarray and a native call. ASCII is valid UTF-8, so strictness is unchanged; any
    // other byte goes to the fatal decoder.
    if (end - start <= SHORT_STRING) {
      const buf = this.buf;
      // Keys and enum-like values repeat (thousands of "name", "path", "Exists"): the last string
      // seen with the same bytes' hash is handed out again when its characters match, which
      // allocates nothing and gives an object insert a string V8 has already internalized.
      let h = end - start;
      let i = start;
      for (; i < end; i++) {
        const c = buf[i] as number;
        if (c >= 0x80) break;
        h = (Math.imul(h, 31) + c) | 0;
      }
      if (i === end) {
        this.pos = end;
        const slot = (h ^ (h >>> 15)) & (RECENT_STRINGS - 1);
        const seen = recent[slot];
        if (seen !== undefined && seen.length === end - start && sameAscii(seen, buf, start)) return seen;
        // Not a concatenation per character: from 13 characters on, V8 builds a rope of one-character
        // pieces (measured ten times slower than latin1 decoding on 24-character strings). ASCII
        // decodes the same as latin1.
        let s: string;
        if (end - start <= SHORT_ASCII) s = shortAscii(buf, start, end);
        else {
          this.latin ??= Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
          s = this.latin.toString('latin1', start, end);
        }
        recent[slot] = s;
        return s;
      }
    }
    this.pos = end;
    try {
      return utf8.decode(this.buf.subarray(start, end));
    } catch {
      throw new WireError(`a string field at byte ${at} is not valid UTF-8`);
    }
  }

  /** Field number and wire type of the next tag. */
  tag(): { no: number; wire: number } {
    const at = this.pos;
    const tag = this.uint32();
    const no = tag >>> 3;
    const wire = tag & 7;
    if (no === 0) throw new WireError(`invalid field number 0 at byte ${at}`);
    if (wire === WIRE.endGroup) throw new WireError(`unexpected end-group tag at byte ${at}`);
    if (wire > WIRE.fixed32) throw new WireError(`invalid wire type ${wire} at byte ${at}`);
    return { no, wire };
  }

  /** Skips one field's value (groups iteratively, however deeply they nest). */
  skip(wire: number): void {
    let groups = 0;
    let w = wire;
    for (;;) {
      switch (w) {
        case WIRE.varint:
          this.varint32();
          break;
        case WIRE.fixed64:
          this.advance(8);
          break;
        case WIRE.len:
          this.pos = this.lengthEnd();
          break;
        case WIRE.fixed32:
          this.advance(4);
          break;
        case WIRE.startGroup:
          groups++;
          break;
        case WIRE.endGroup:
          groups--;
          break;
        default:
          throw new WireError(`invalid wire type ${w} at byte ${this.pos}`);
      }
      if (groups === 0) return;
      if (this.pos >= this.end) throw new WireError('unterminated group');
      w = this.uint32() & 7;
    }
  }

  private advance(n: number): void {
    if (this.end - this.pos < n) throw new WireError(`truncated field at byte ${this.pos}`);
    this.pos += n;
  }
}

/** Bytes a varint of this unsigned 32-bit value takes. */
export function varintSize(v: number): number {
  if (v < 0) return 10; // negative int32: sign-extended to 64 bits
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  return 5;
}

export const int64Size = (v: number): number => {
  let u = BigInt.asUintN(64, BigInt(Math.trunc(v)));
  let n = 1;
  while (u >= 0x80n) {
    u >>= 7n;
    n++;
  }
  return n;
};

/** Writes into a buffer of exactly the size the measuring pass computed. */
export class Writer {
  pos = 0;
  readonly buf: Buffer;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  uint32(v: number): void {
    let x = v >>> 0;
    while (x >= 0x80) {
      this.buf[this.pos++] = (x & 0x7f) | 0x80;
      x >>>= 7;
    }
    this.buf[this.pos++] = x;
  }

  /** int32 and enums: negative values are sign-extended to ten bytes, as protobuf requires. */
  int32(v: number): void {
    if (v >= 0) this.uint32(v);
    else this.int64(v);
  }

  int64(v: number): void {
    let u = BigInt.asUintN(64, BigInt(Math.trunc(v)));
    while (u >= 0x80n) {
      this.buf[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.pos++] = Number(u);
  }

  tag(no: number, wire: number): void {
    this.uint32((no << 3) | wire);
  }

  double(v: number): void {
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  /** A string whose UTF-8 length (`len`) the caller already measured. */
  string(s: string, len: number): void {
    this.uint32(len);
    this.pos += this.buf.write(s, this.pos, len, 'utf8');
  }

  bytes(b: Uint8Array): void {
    this.uint32(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}

export const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');
