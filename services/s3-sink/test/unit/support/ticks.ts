import type { EnrichedTick } from '@stockstream/common';

const MS_PER_DAY = 86_400_000;

/** Epoch day of a `YYYY-MM-DD` date (UTC). */
export function epochDay(iso: string): number {
  return Date.parse(`${iso}T00:00:00Z`) / MS_PER_DAY;
}

export function tick(overrides: Partial<EnrichedTick> = {}): EnrichedTick {
  return {
    index: 'HSI',
    date: epochDay('1999-03-15'),
    open: 10_000.5,
    high: 10_100.25,
    low: 9_900.125,
    close: 10_050.0625,
    adjClose: 10_050.0625,
    volume: 1_234_567,
    exchange: 'Hong Kong Stock Exchange',
    region: 'Hong Kong',
    currency: 'HKD',
    fxRate: 0.13,
    fxEffectiveDate: epochDay('1970-01-01'),
    closeUsd: 10_050.0625 * 0.13,
    source: { kind: 'FILE', name: 'indexData.csv', line: 2 },
    rawTopic: 'ticks.raw',
    rawPartition: 3,
    rawOffset: 41,
    ingestedAt: Date.parse('2024-05-01T12:34:56.789Z'),
    enrichedAt: Date.parse('2024-05-01T12:34:57.001Z'),
    fxSource: 'ecb',
    ...overrides,
  };
}

/** Rows that exercise the edges of every column type. */
export function edgeRows(): EnrichedTick[] {
  return [
    tick(),
    tick({
      index: '^GSPC', date: epochDay('1965-01-04'), fxEffectiveDate: epochDay('1900-01-01'), open: 0.1 + 0.2, high: 1e-300, low: -1.5, close: 1.7976931348623157e308,
      adjClose: 5e-324, volume: Number.MAX_SAFE_INTEGER, source: { kind: 'GENERATOR', name: 'run-7f3a', line: 0 }, rawPartition: 0, rawOffset: 0,
      ingestedAt: Date.parse('1969-12-31T23:59:59.999Z'), enrichedAt: 0, fxSource: null,
    }),
    tick({
      index: '000001.SS', exchange: 'Shanghai "Stock" Exchange, \'SSE\'', region: 'China — 上海', currency: 'CNY', fxRate: 0.14, volume: 0,
      source: { kind: 'FILE', name: 'weird name,with\ncomma.csv', line: 9_007_199_254_740_991 }, rawTopic: 'it.x-1.raw', rawPartition: 2_147_483_647,
      rawOffset: 9_007_199_254_740_000, date: epochDay('2021-06-03'), ingestedAt: Date.parse('2099-12-31T23:59:59.999Z'), fxSource: 'fallback — 上海',
    }),
  ];
}

/** n plausible rows (for sizes and throughput). */
export function manyRows(n: number): EnrichedTick[] {
  const indices = ['HSI', 'NYA', '^GSPC', '000001.SS', 'N225', 'GDAXI'];
  const out: EnrichedTick[] = new Array(n);
  const start = epochDay('1965-01-04');
  for (let i = 0; i < n; i++) {
    const close = 1000 + Math.sin(i / 100) * 200 + (i % 97) / 7;
    out[i] = tick({
      index: indices[i % indices.length]!, date: start + Math.floor(i / indices.length), open: close - 3.5, high: close + 10.25, low: close - 12.75, close,
      adjClose: close, volume: (i * 7919) % 1_000_000_000, closeUsd: close * 0.13, source: { kind: 'FILE', name: 'indexData.csv', line: i + 2 },
      rawPartition: i % 6, rawOffset: Math.floor(i / 6), ingestedAt: 1_714_566_896_789 + i, enrichedAt: 1_714_566_897_001 + i,
      // Runs of records of the first schema version (no fxSource) between records of the second, as in a lake written across the change.
      fxSource: i % 1000 < 300 ? null : i % 3 === 0 ? 'fallback' : 'ecb',
    });
  }
  return out;
}
