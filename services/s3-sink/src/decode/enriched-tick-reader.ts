// Reads enriched ticks off the wire for the sink. Records written with the
// sink's own schema (the common case) are read by a decoder written for that
// one layout (common/serde/fast-avro-reader.ts) into one reused object with
// interned strings: no object per record, and no UTF-8 decoding of strings
// that repeat on every record. Anything else takes the generic Avro path.

import { AvroBodyReader, FastPathReader, LastUtf8, SOURCE_KINDS, SOURCE_REF_SHAPE, Utf8Interner, tryFast, type AvroDeserializer, type EnrichedTick, type FastBodyDecoder, type RecordLayout } from '@stockstream/common';

/**
 * The fields of enriched-tick.avsc in order, as the fast decoder reads them.
 * If the schema changes, the decoder is not used until it is updated:
 * records are then read the generic way, only slower.
 */
const LAYOUT: RecordLayout = [
  ['index', 'string'], ['date', 'int'], ['open', 'double'], ['high', 'double'], ['low', 'double'], ['close', 'double'],
  ['adjClose', 'double'], ['volume', 'long'], ['exchange', 'string'], ['region', 'string'], ['currency', 'string'],
  ['fxRate', 'double'], ['fxEffectiveDate', 'int'], ['closeUsd', 'double'],
  ['source', SOURCE_REF_SHAPE],
  ['rawTopic', 'string'], ['rawPartition', 'int'], ['rawOffset', 'long'], ['ingestedAt', 'long'], ['enrichedAt', 'long'],
  ['fxSource', 'null|string'],
];

/**
 * Decodes the Avro body of one enriched tick in LAYOUT into ONE REUSED
 * object: the sink copies each record into its column batch before reading
 * the next.
 */
export class FastEnrichedTickDecoder implements FastBodyDecoder<EnrichedTick> {
  readonly layout = LAYOUT;
  private readonly r = new AvroBodyReader();
  private readonly interner = new Utf8Interner();
  private readonly index = new LastUtf8(this.interner);
  private readonly exchange = new LastUtf8(this.interner);
  private readonly region = new LastUtf8(this.interner);
  private readonly currency = new LastUtf8(this.interner);
  private readonly sourceName = new LastUtf8(this.interner);
  private readonly rawTopic = new LastUtf8(this.interner);
  private readonly fxSource = new LastUtf8(this.interner);
  private readonly tick: EnrichedTick = {
    index: '', date: 0, open: 0, high: 0, low: 0, close: 0, adjClose: 0, volume: 0, exchange: '', region: '', currency: '',
    fxRate: 0, fxEffectiveDate: 0, closeUsd: 0, source: { kind: 'FILE', name: '', line: 0 }, rawTopic: '', rawPartition: 0, rawOffset: 0,
    ingestedAt: 0, enrichedAt: 0, fxSource: null,
  };

  /** The tick in bytes [from, end), or undefined when they are not one tick of LAYOUT. */
  decode(buf: Buffer, from: number, end: number): EnrichedTick | undefined {
    const r = this.r;
    const t = this.tick;
    r.reset(buf, from, end);
    const ok = tryFast(() => {
      t.index = r.string(this.index);
      t.date = r.int();
      t.open = r.double();
      t.high = r.double();
      t.low = r.double();
      t.close = r.double();
      t.adjClose = r.double();
      t.volume = r.long();
      t.exchange = r.string(this.exchange);
      t.region = r.string(this.region);
      t.currency = r.string(this.currency);
      t.fxRate = r.double();
      t.fxEffectiveDate = r.int();
      t.closeUsd = r.double();
      t.source.kind = r.symbol(SOURCE_KINDS);
      t.source.name = r.string(this.sourceName);
      t.source.line = r.long();
      t.rawTopic = r.string(this.rawTopic);
      t.rawPartition = r.int();
      t.rawOffset = r.long();
      t.ingestedAt = r.long();
      t.enrichedAt = r.long();
      t.fxSource = r.nullableString(this.fxSource);
      return r.atEnd;
    });
    return ok === true ? t : undefined;
  }
}

/** The sink's reader of enriched-topic values. A returned tick may be the fast decoder's reused object: use it before the next read(). */
export class EnrichedTickReader extends FastPathReader<EnrichedTick> {
  constructor(deserializer: AvroDeserializer<EnrichedTick>) {
    super(deserializer, new FastEnrichedTickDecoder());
  }
}
