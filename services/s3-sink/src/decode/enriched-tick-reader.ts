// Reads enriched ticks off the wire for the sink. Records written with the
// sink's own schema (the common case: same schema id as the reader's) are
// read by a decoder written for that one layout, into one reused object with
// interned strings: no object per record and no UTF-8 decoding of strings
// that repeat on every record. Anything else (another schema version, a body
// the fast decoder does not take) goes through the generic Avro path, which
// also gives bad bodies their dead-letter reason.

import type avsc from 'avsc';
import { HEADER_BYTES, MAGIC_BYTE, type AvroDeserializer, type EnrichedTick } from '@stockstream/common';
import { LastUtf8, Utf8Interner } from './utf8-interner.js';

/**
 * The fields of enriched-tick.avsc in order, as the fast decoder reads them.
 * If the schema changes, the decoder is not used (see layoutMatches) until it
 * is updated: records are then read the generic way, only slower.
 */
const LAYOUT: readonly (readonly [string, string])[] = [
  ['index', 'string'], ['date', 'int'], ['open', 'double'], ['high', 'double'], ['low', 'double'], ['close', 'double'],
  ['adjClose', 'double'], ['volume', 'long'], ['exchange', 'string'], ['region', 'string'], ['currency', 'string'],
  ['fxRate', 'double'], ['fxEffectiveDate', 'int'], ['closeUsd', 'double'],
  ['source', 'record(kind:enum[FILE,GENERATOR],name:string,line:long)'],
  ['rawTopic', 'string'], ['rawPartition', 'int'], ['rawOffset', 'long'], ['ingestedAt', 'long'], ['enrichedAt', 'long'],
];

/** A type's shape as LAYOUT writes it (logical types read as their underlying type). */
function shapeOf(schema: unknown): string {
  if (typeof schema === 'string') return schema;
  const s = schema as { type: unknown; symbols?: string[]; fields?: { name: string; type: unknown }[] };
  if (s.type === 'enum') return `enum[${(s.symbols ?? []).join(',')}]`;
  if (s.type === 'record') return `record(${(s.fields ?? []).map((f) => `${f.name}:${shapeOf(f.type)}`).join(',')})`;
  return shapeOf(s.type);
}

/** True when `type` (a record type) has exactly the fields the fast decoder reads, in that order. */
export function layoutMatches(type: avsc.Type): boolean {
  const fields = (type.schema() as { fields?: { name: string; type: unknown }[] }).fields ?? [];
  return fields.length === LAYOUT.length && fields.every((f, i) => f.name === LAYOUT[i]![0] && shapeOf(f.type) === LAYOUT[i]![1]);
}

const SOURCE_KINDS = ['FILE', 'GENERATOR'] as const;

/** Thrown inside the fast decoder when the body is not what it expects; the generic path then decides. */
class NotFast extends Error {}
const NOT_FAST = new NotFast();

/**
 * Decodes the Avro body of one enriched tick in LAYOUT into a reused
 * object. Zig-zag varints are read as JavaScript numbers, exactly; one that
 * a number cannot hold exactly is left to the generic path.
 */
export class FastEnrichedTickDecoder {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private readonly interner = new Utf8Interner();
  private readonly index = new LastUtf8(this.interner);
  private readonly exchange = new LastUtf8(this.interner);
  private readonly region = new LastUtf8(this.interner);
  private readonly currency = new LastUtf8(this.interner);
  private readonly sourceName = new LastUtf8(this.interner);
  private readonly rawTopic = new LastUtf8(this.interner);
  private readonly tick: EnrichedTick = {
    index: '', date: 0, open: 0, high: 0, low: 0, close: 0, adjClose: 0, volume: 0, exchange: '', region: '', currency: '',
    fxRate: 0, fxEffectiveDate: 0, closeUsd: 0, source: { kind: 'FILE', name: '', line: 0 }, rawTopic: '', rawPartition: 0, rawOffset: 0,
    ingestedAt: 0, enrichedAt: 0,
  };

  /** The tick in bytes [from, buf.length), or undefined when they are not one tick of LAYOUT. The object is reused by the next call. */
  decode(buf: Buffer, from: number): EnrichedTick | undefined {
    this.buf = buf;
    this.pos = from;
    const t = this.tick;
    try {
      t.index = this.string(this.index);
      t.date = this.int();
      t.open = this.double();
      t.high = this.double();
      t.low = this.double();
      t.close = this.double();
      t.adjClose = this.double();
      t.volume = this.long();
      t.exchange = this.string(this.exchange);
      t.region = this.string(this.region);
      t.currency = this.string(this.currency);
      t.fxRate = this.double();
      t.fxEffectiveDate = this.int();
      t.closeUsd = this.double();
      const kind = SOURCE_KINDS[this.int()];
      if (kind === undefined) return undefined;
      t.source.kind = kind;
      t.source.name = this.string(this.sourceName);
      t.source.line = this.long();
      t.rawTopic = this.string(this.rawTopic);
      t.rawPartition = this.int();
      t.rawOffset = this.long();
      t.ingestedAt = this.long();
      t.enrichedAt = this.long();
    } catch (err) {
      if (err === NOT_FAST || err instanceof RangeError) return undefined; // RangeError: read past the end
      throw err;
    }
    return this.pos === buf.length ? t : undefined;
  }

  /**
   * A zig-zag varint, as a number. Reading past the end gives `undefined`
   * bytes, which end the loop; the position check after it catches that.
   */
  private long(): number {
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
      if (pos > buf.length) throw NOT_FAST;
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
    if (pos > buf.length || (odd ? f > Number.MAX_SAFE_INTEGER : f >= 2 ** 54)) throw NOT_FAST;
    this.pos = pos;
    return odd ? -(f + 1) / 2 : f / 2;
  }

  private int(): number {
    const n = this.long();
    if (n !== (n | 0)) throw NOT_FAST; // not an Avro int: let the generic path say why
    return n;
  }

  private double(): number {
    const v = this.buf.readDoubleLE(this.pos); // RangeError past the end
    this.pos += 8;
    return v;
  }

  private string(column: LastUtf8): string {
    const length = this.long();
    const from = this.pos;
    const to = from + length;
    if (length < 0 || to > this.buf.length) throw NOT_FAST;
    this.pos = to;
    return column.text(this.buf, from, to);
  }
}

/**
 * The sink's reader of enriched-topic values: the fast decoder for records
 * written with the reader's own schema, the generic deserializer for the
 * rest. A returned tick may be the fast decoder's reused object: use it
 * before the next read().
 */
export class EnrichedTickReader {
  private readonly fast: FastEnrichedTickDecoder | undefined;
  /** Schema id -> whether its writer schema is the reader's own (so the fast decoder reads it). */
  private readonly sameSchema = new Map<number, boolean>();

  constructor(private readonly deserializer: AvroDeserializer<EnrichedTick>) {
    this.fast = layoutMatches(deserializer.readerType) ? new FastEnrichedTickDecoder() : undefined;
  }

  /** Whether records of the reader's own schema take the fast path. */
  get fastPathEnabled(): boolean {
    return this.fast !== undefined;
  }

  read(value: Buffer | null | undefined): EnrichedTick | Promise<EnrichedTick> {
    if (this.fast !== undefined && value && value.length > HEADER_BYTES && value[0] === MAGIC_BYTE) {
      const schemaId = value.readUInt32BE(1);
      const same = this.sameSchema.get(schemaId);
      if (same === true) {
        const tick = this.fast.decode(value, HEADER_BYTES);
        if (tick !== undefined) return tick;
      } else if (same === undefined) {
        return this.learn(schemaId, value);
      }
    }
    return this.deserializer.decode(value);
  }

  /** The first record of a schema id: read the generic way, which also tells whether the fast decoder applies to the id. */
  private async learn(schemaId: number, value: Buffer): Promise<EnrichedTick> {
    const tick = await this.deserializer.decode(value);
    this.sameSchema.set(schemaId, this.deserializer.isReaderSchema(schemaId) === true);
    return tick;
  }
}
