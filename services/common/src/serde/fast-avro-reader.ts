// Reading Avro records of one fixed layout without avsc, for the hot paths
// (the enrichment's raw ticks, the sink's enriched ticks): a decoder written
// for the layout reads the body straight into a plain object, strings
// interned (utf8-interner.ts). Only records written with the reader's own
// schema take it; any other writer schema, and any body the decoder does not
// take, goes through the generic AvroDeserializer, which also gives bad
// bodies their dead-letter reason.

import type avsc from 'avsc';
import { SOURCE_KINDS } from '../domain/ticks.js';
import type { AvroDeserializer } from './avro-serde.js';
import type { LastUtf8 } from './utf8-interner.js';
import { HEADER_BYTES, MAGIC_BYTE } from './wire-format.js';

/** Thrown by AvroBodyReader when the body is not what the decoder expects; the generic path then decides. */
export class NotFastError extends Error {}
const NOT_FAST = new NotFastError('not for the fast decoder');

/**
 * Avro's binary primitives over one body. Zig-zag varints are read as
 * JavaScript numbers, exactly; one a number cannot hold exactly (beyond
 * 2^53) throws NotFastError, as does reading past the end.
 */
export class AvroBodyReader {
  buf: Buffer = Buffer.alloc(0);
  pos = 0;
  /** Where the body ends (exclusive): the buffer may hold more than one body. */
  end = 0;

  /** Starts reading the body in bytes [from, end) of `buf`. */
  reset(buf: Buffer, from: number, end: number): void {
    this.buf = buf;
    this.pos = from;
    this.end = end;
  }

  /**
   * True when the body was read to its last byte. Reads do not stop at `end`
   * (the bytes after it belong to the next body, or are past the buffer): a
   * decoder checks this once, at the end, instead of on every read.
   */
  get atEnd(): boolean {
    return this.pos === this.end;
  }

  /** A zig-zag varint. Reading past the end gives `undefined` bytes, which end the loops; the position check catches that. */
  long(): number {
    const buf = this.buf;
    let pos = this.pos;
    let b = buf[pos++]!;
    // Up to 28 bits with integer arithmetic (lengths, ints, small longs)...
    let n = b & 0x7f;
    let shift = 7;
    while (b >= 0x80 && shift < 28) {
      b = buf[pos++]!;
      n |= (b & 0x7f) << shift;
      shift += 7;
    }
    if (b < 0x80 || b === undefined) {
      if (pos > this.end) throw NOT_FAST;
      this.pos = pos;
      return (n >>> 1) ^ -(n & 1);
    }
    // ...the rest (timestamps, offsets) with floating point.
    let f = n;
    let scale = 268_435_456; // 2^28
    do {
      b = buf[pos++]!;
      f += (b & 0x7f) * scale;
      scale *= 128;
    } while (b >= 0x80);
    // The sum is exact while it stays where a double holds it exactly: any integer below 2^53, and even ones
    // (non-negative values, zig-zag 2v) below 2^54. Past that, or past the end: the generic path decides.
    const odd = (n & 1) === 1;
    if (pos > this.end || (odd ? f > Number.MAX_SAFE_INTEGER : f >= 2 ** 54)) throw NOT_FAST;
    this.pos = pos;
    return odd ? -(f + 1) / 2 : f / 2;
  }

  int(): number {
    const n = this.long();
    if (n !== (n | 0)) throw NOT_FAST; // not an Avro int: let the generic path say why
    return n;
  }

  double(): number {
    const v = this.buf.readDoubleLE(this.pos); // RangeError past the end
    this.pos += 8;
    return v;
  }

  /** A string, interned through `column`. */
  string(column: LastUtf8): string {
    const length = this.long();
    const from = this.pos;
    const to = from + length;
    if (length < 0 || to > this.end) throw NOT_FAST;
    this.pos = to;
    return column.text(this.buf, from, to);
  }

  /** An enum symbol. */
  symbol<S extends string>(symbols: readonly S[]): S {
    const s = symbols[this.long()];
    if (s === undefined) throw NOT_FAST;
    return s;
  }

  /** A ["null", "double"] union. */
  nullableDouble(): number | null {
    const branch = this.long();
    if (branch === 0) return null;
    if (branch !== 1) throw NOT_FAST;
    return this.double();
  }

  /** A ["null", "string"] union, interned through `column`. */
  nullableString(column: LastUtf8): string | null {
    const branch = this.long();
    if (branch === 0) return null;
    if (branch !== 1) throw NOT_FAST;
    return this.string(column);
  }

  /** A ["null", "long"] union. */
  nullableLong(): number | null {
    const branch = this.long();
    if (branch === 0) return null;
    if (branch !== 1) throw NOT_FAST;
    return this.long();
  }
}

/** A type's shape as layouts write it: logical types read as their underlying type, unions as `a|b`. */
function shapeOf(schema: unknown): string {
  if (typeof schema === 'string') return schema;
  if (Array.isArray(schema)) return schema.map(shapeOf).join('|');
  const s = schema as { type: unknown; symbols?: string[]; fields?: { name: string; type: unknown }[] };
  if (s.type === 'enum') return `enum[${(s.symbols ?? []).join(',')}]`;
  if (s.type === 'record') return `record(${(s.fields ?? []).map((f) => `${f.name}:${shapeOf(f.type)}`).join(',')})`;
  return shapeOf(s.type);
}

/** A record layout: its fields in order, each with its shape (see shapeOf), e.g. ['open', 'null|double']. */
export type RecordLayout = readonly (readonly [name: string, shape: string])[];

/** The shape of SourceRef, the record both tick schemas embed as `source`. */
export const SOURCE_REF_SHAPE = `record(kind:enum[${SOURCE_KINDS.join(',')}],name:string,line:long)`;

/** True when `type` (a record type) has exactly the fields of `layout`, in that order. */
export function layoutMatches(type: avsc.Type, layout: RecordLayout): boolean {
  const fields = (type.schema() as { fields?: { name: string; type: unknown }[] }).fields ?? [];
  return fields.length === layout.length && fields.every((f, i) => f.name === layout[i]![0] && shapeOf(f.type) === layout[i]![1]);
}

/** A decoder written for one layout: the value of the body in bytes [from, end) of `buf`, or undefined when it does not take it. */
export interface FastBodyDecoder<T> {
  readonly layout: RecordLayout;
  decode(buf: Buffer, from: number, end: number): T | undefined;
}

/**
 * Reads Confluent-framed values: with `fast` when they were written with the
 * reader's own schema (known after the first value of a schema id, read the
 * generic way), with the generic deserializer otherwise. What a fast decoder
 * returns may be an object it reuses: see its documentation.
 */
export class FastPathReader<T> {
  private readonly fast: FastBodyDecoder<T> | undefined;
  /** Schema id -> whether its writer schema is the reader's own (so the fast decoder reads it). */
  private readonly sameSchema = new Map<number, boolean>();

  constructor(
    private readonly deserializer: AvroDeserializer<T>,
    fast: FastBodyDecoder<T>,
  ) {
    this.fast = layoutMatches(deserializer.readerType, fast.layout) ? fast : undefined;
  }

  /** Whether records of the reader's own schema take the fast path (false when the schema no longer has the decoder's layout). */
  get fastPathEnabled(): boolean {
    return this.fast !== undefined;
  }

  read(value: Buffer | null | undefined): T | Promise<T> {
    return value ? this.readAt(value, 0, value.length) : this.deserializer.decode(value);
  }

  /** The value in bytes [start, end) of `data` (a batch's buffer: message-batch.ts); start < 0 is a null value. */
  readAt(data: Buffer, start: number, end: number): T | Promise<T> {
    if (start < 0) return this.deserializer.decode(null);
    if (this.fast !== undefined && end - start > HEADER_BYTES && data[start] === MAGIC_BYTE) {
      const schemaId = data.readUInt32BE(start + 1);
      const same = this.sameSchema.get(schemaId);
      if (same === true) {
        const v = this.fast.decode(data, start + HEADER_BYTES, end);
        if (v !== undefined) return v;
      } else if (same === undefined) {
        return this.learn(schemaId, data.subarray(start, end));
      }
    }
    return this.deserializer.decode(start === 0 && end === data.length ? data : data.subarray(start, end));
  }

  /** The first value of a schema id: read the generic way, which also tells whether the fast decoder applies to the id. */
  private async learn(schemaId: number, value: Buffer): Promise<T> {
    const v = await this.deserializer.decode(value);
    this.sameSchema.set(schemaId, this.deserializer.isReaderSchema(schemaId) === true);
    return v;
  }
}

/** Runs a fast decode: NotFastError and reads past the end (RangeError) mean "not for the fast path". */
export function tryFast<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (err) {
    if (err instanceof NotFastError || err instanceof RangeError) return undefined;
    throw err;
  }
}
