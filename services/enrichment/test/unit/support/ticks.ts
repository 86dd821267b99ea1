import type { RawTick } from '@stockstream/common';
import { parseIsoDate } from '@stockstream/common';

export function day(iso: string): number {
  const d = parseIsoDate(iso);
  if (d === null) throw new Error(`bad test date ${iso}`);
  return d;
}

/** A valid HSI bar; override any field. */
export function rawTick(over: Partial<RawTick> = {}): RawTick {
  return {
    index: 'HSI',
    date: day('2021-05-28'),
    open: 29000,
    high: 29200,
    low: 28900,
    close: 29124.41,
    adjClose: 29124.41,
    volume: 1_500_000_000,
    sourceCloseUsd: null,
    source: { kind: 'FILE', name: 'indexData.csv', line: 42 },
    ingestedAt: 1_700_000_000_000,
    ...over,
  };
}

/** '' / 'null' -> null, else a number: how the public CSV writes prices. */
export function cell(text: string | undefined): number | null {
  return text === undefined || text === '' || text === 'null' ? null : Number(text);
}
