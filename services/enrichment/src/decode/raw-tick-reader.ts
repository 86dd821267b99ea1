// Reads raw ticks off the wire for the enrichment. Records written with the
// raw topic's own schema (the common case) are read by a decoder written for
// that one layout (common/serde/fast-avro-reader.ts): no union wrappers, and
// no UTF-8 decoding of the index symbol and source name, which repeat on
// every record. Anything else takes the generic Avro path.

import { AvroBodyReader, FastPathReader, LastUtf8, SOURCE_KINDS, SOURCE_REF_SHAPE, Utf8Interner, tryFast, type AvroDeserializer, type FastBodyDecoder, type RawTick, type RecordLayout } from '@stockstream/common';

/**
 * The fields of raw-tick.avsc in order, as the fast decoder reads them. If
 * the schema changes, the decoder is not used until it is updated: records
 * are then read the generic way, only slower.
 */
const LAYOUT: RecordLayout = [
  ['index', 'string'], ['date', 'int'], ['open', 'null|double'], ['high', 'null|double'], ['low', 'null|double'], ['close', 'null|double'],
  ['adjClose', 'null|double'], ['volume', 'null|long'], ['sourceCloseUsd', 'null|double'],
  ['source', SOURCE_REF_SHAPE], ['ingestedAt', 'long'],
];

/** Decodes the Avro body of one raw tick in LAYOUT into a new plain object (dead letters keep it). */
export class FastRawTickDecoder implements FastBodyDecoder<RawTick> {
  readonly layout = LAYOUT;
  private readonly r = new AvroBodyReader();
  private readonly interner = new Utf8Interner();
  private readonly index = new LastUtf8(this.interner);
  private readonly sourceName = new LastUtf8(this.interner);

  /** The tick in bytes [from, end), or undefined when they are not one tick of LAYOUT. */
  decode(buf: Buffer, from: number, end: number): RawTick | undefined {
    const r = this.r;
    r.reset(buf, from, end);
    return tryFast(() => {
      const tick: RawTick = {
        index: r.string(this.index),
        date: r.int(),
        open: r.nullableDouble(),
        high: r.nullableDouble(),
        low: r.nullableDouble(),
        close: r.nullableDouble(),
        adjClose: r.nullableDouble(),
        volume: r.nullableLong(),
        sourceCloseUsd: r.nullableDouble(),
        source: { kind: r.symbol(SOURCE_KINDS), name: r.string(this.sourceName), line: r.long() },
        ingestedAt: r.long(),
      };
      return r.atEnd ? tick : undefined;
    });
  }
}

/** The enrichment's reader of raw-topic values. */
export class RawTickReader extends FastPathReader<RawTick> {
  constructor(deserializer: AvroDeserializer<RawTick>) {
    super(deserializer, new FastRawTickDecoder());
  }
}
