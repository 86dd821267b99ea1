// Plain-data shapes of the Avro records in schemas/. Dates are epoch days and
// timestamps epoch milliseconds, exactly as they travel in Avro, so no
// conversion happens on the hot path.

/** The symbols of the SourceKind enum, in schema order. */
export const SOURCE_KINDS = ['FILE', 'GENERATOR'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export interface SourceRef {
  kind: SourceKind;
  /** File name (no directory) or generator run id. */
  name: string;
  /** 1-based physical line in the file, or generator sequence number. */
  line: number;
}

export interface RawTick {
  index: string;
  /** Days since 1970-01-01. */
  date: number;
  open: number | null;
  high: number | null;
  low: number | null;
  close: number | null;
  adjClose: number | null;
  volume: number | null;
  sourceCloseUsd: number | null;
  source: SourceRef;
  /** Epoch milliseconds. */
  ingestedAt: number;
}

export type Stage = 'INGEST' | 'ENRICHMENT' | 'SINK';

export interface DeadLetter {
  stage: Stage;
  reason: string;
  message: string;
  sourceTopic: string | null;
  sourcePartition: number | null;
  sourceOffset: number | null;
  sourceFile: string | null;
  sourceLine: number | null;
  originalText: string | null;
  originalBytes: Buffer | null;
  failedAt: number;
}

export interface EnrichedTick {
  index: string;
  date: number;
  open: number;
  high: number;
  low: number;
  close: number;
  adjClose: number;
  volume: number;
  exchange: string;
  region: string;
  currency: string;
  /** USD per unit of currency. */
  fxRate: number;
  /** Epoch days from which fxRate applies. */
  fxEffectiveDate: number;
  closeUsd: number;
  source: SourceRef;
  rawTopic: string;
  rawPartition: number;
  rawOffset: number;
  ingestedAt: number;
  enrichedAt: number;
  /**
   * Where fxRate comes from: the FxRate's source ('ecb'), 'fallback' or
   * 'identity' (USD); null in records of the first schema version, which
   * did not say.
   */
  fxSource: string | null;
}

/** Value of the compacted fx.rates topic (schemas/fx-rate.avsc): one rate taking effect on a date. */
export interface FxRate {
  currency: string;
  /** USD per unit of currency. */
  rateToUsd: number;
  /** Epoch days from which the rate applies. */
  effectiveDate: number;
  source: string;
}
