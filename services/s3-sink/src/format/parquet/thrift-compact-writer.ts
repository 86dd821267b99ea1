// Thrift's compact protocol, write side only: the encoding of Parquet's page
// headers and file footer (parquet.thrift). Only the types those structures
// use: bool, i32, i64, binary/string, list and struct.

export const enum ThriftType {
  BoolTrue = 1,
  BoolFalse = 2,
  Byte = 3,
  I32 = 5,
  I64 = 6,
  Binary = 8,
  List = 9,
  Struct = 12,
}

/** The byte that ends a struct's fields. */
const STOP = 0;
/** A field header is one byte, (id delta << 4) | type, when the id is 1..15 above the previous one's; else the type byte, then the id as a zigzag varint. */
const MAX_SHORT_DELTA = 15;
/** A list header is one byte, (size << 4) | element type, up to this size; else 0xf0 | element type, then the size as a varint. */
const MAX_SHORT_LIST = 14;
const LONG_LIST = 0xf0;

/** A growable byte buffer. */
export class ByteSink {
  private buf: Buffer;
  length = 0;
  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** Unsigned LEB128 of a non-negative integer below 2^53. */
  varint(n: number): void {
    this.reserve(8);
    while (n >= 0x80) {
      this.buf[this.length++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.length++] = n;
  }

  uint32le(n: number): void {
    this.reserve(4);
    this.buf.writeUInt32LE(n, this.length);
    this.length += 4;
  }

  /** The bytes written so far (a view, valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

/** Zigzag of a safe integer, as the unsigned number varint() writes. */
function zigzag(n: number): number {
  if (!Number.isSafeInteger(n)) throw new RangeError(`thrift: ${n} is not a safe integer`);
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

/**
 * Writes one Thrift struct tree. Field ids must ascend within a struct (the
 * compact protocol encodes each as a delta from the previous one).
 */
export class CompactWriter {
  private lastField: number[] = [0];
  constructor(readonly out: ByteSink = new ByteSink()) {}

  private fieldHeader(id: number, type: number): void {
    const last = this.lastField[this.lastField.length - 1]!;
    const delta = id - last;
    if (delta > 0 && delta <= MAX_SHORT_DELTA) this.out.byte((delta << 4) | type);
    else {
      this.out.byte(type);
      this.out.varint(zigzag(id));
    }
    this.lastField[this.lastField.length - 1] = id;
  }

  i32(id: number, v: number): this {
    this.fieldHeader(id, ThriftType.I32);
    this.out.varint(zigzag(v));
    return this;
  }

  i64(id: number, v: number): this {
    this.fieldHeader(id, ThriftType.I64);
    this.out.varint(zigzag(v));
    return this;
  }

  /** An i8 (one raw byte). */
  i8(id: number, v: number): this {
    this.fieldHeader(id, ThriftType.Byte);
    this.out.byte(v & 0xff);
    return this;
  }

  bool(id: number, v: boolean): this {
    this.fieldHeader(id, v ? ThriftType.BoolTrue : ThriftType.BoolFalse);
    return this;
  }

  binary(id: number, v: Uint8Array | string): this {
    const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
    this.fieldHeader(id, ThriftType.Binary);
    this.out.varint(b.length);
    this.out.bytes(b);
    return this;
  }

  /** A struct field whose members `body` writes. */
  struct(id: number, body: (w: this) => void): this {
    this.fieldHeader(id, ThriftType.Struct);
    this.structBody(body);
    return this;
  }

  /** A list of structs, one `body` call per item. */
  structList<T>(id: number, items: readonly T[], body: (w: this, item: T) => void): this {
    this.listHeader(id, items.length, ThriftType.Struct);
    for (const item of items) this.structBody((w) => body(w, item));
    return this;
  }

  i32List(id: number, items: readonly number[]): this {
    this.listHeader(id, items.length, ThriftType.I32);
    for (const v of items) this.out.varint(zigzag(v));
    return this;
  }

  stringList(id: number, items: readonly string[]): this {
    this.listHeader(id, items.length, ThriftType.Binary);
    for (const s of items) {
      const b = Buffer.from(s, 'utf8');
      this.out.varint(b.length);
      this.out.bytes(b);
    }
    return this;
  }

  /** Ends the top-level struct (nested ones end themselves). */
  end(): Buffer {
    this.out.byte(STOP);
    return this.out.view();
  }

  private listHeader(id: number, size: number, elementType: number): void {
    this.fieldHeader(id, ThriftType.List);
    if (size <= MAX_SHORT_LIST) this.out.byte((size << 4) | elementType);
    else {
      this.out.byte(LONG_LIST | elementType);
      this.out.varint(size);
    }
  }

  private structBody(body: (w: this) => void): void {
    this.lastField.push(0);
    body(this);
    this.out.byte(STOP);
    this.lastField.pop();
  }
}
