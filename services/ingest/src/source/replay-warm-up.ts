// A replay of a file the size of indexData.csv (51k rows) is over in well
// under a second, and left alone V8 spends most of it in unoptimized code:
// reading, splitting, parsing, merging by date and encoding each start in the
// interpreter and are optimized only once they have run a while. Measured
// (--cpu-prof, 2 cores): pass 2 of indexData.csv took ~400 ms on the encode
// worker, ~8 us a row, while the same code warm takes a fraction of that.
//
// So while the worker waits anyway — the main thread connects to Kafka and
// registers the schemas — it runs the very same code over a small synthetic
// file of the public format, then throws the result away. No row of the real
// file is read before the replay starts; nothing of the warm-up is sent.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avsc from 'avsc';
// Not the package's index: that loads the Kafka client, which may be loaded once per process, by the main thread.
import { loadSchema } from '@stockstream/common/schema-files';
import { formatDate } from '@stockstream/common/dates';
import { readCsvFileBatches } from './csv-file-source.js';
import { BatchEncoder } from './encoded-batches.js';
import { DEFAULT_START_DATE } from './generator.js';
import { DEFAULT_INDICES } from './index-profiles.js';
import { mulberry32 } from './prng.js';
import { nextTradingDay } from './trading-calendar.js';

/** Rows of the synthetic file: enough for V8 to optimize the hot functions, little enough to finish while the service connects. */
export const WARM_UP_ROWS = 12_000;

/**
 * The synthetic file's text: rows of the public format for the 14 indices,
 * index by index (as the public file is laid out) in weekday date order,
 * prices like the file's (six decimals), one row in 97 all `null`. Values are
 * drawn from small pools: building the text must cost far less than the
 * warm-up it feeds.
 */
export function warmUpCsv(rows: number): string {
  const random = mulberry32(7);
  const prices = Array.from({ length: 251 }, () => (10 + random() * 30_000).toFixed(6));
  const volumes = Array.from({ length: 61 }, (_, i) => (i === 0 ? '0' : String(Math.floor(random() * 5e9))));
  const perIndex = Math.ceil(rows / DEFAULT_INDICES.length);
  const lines = ['Index,Date,Open,High,Low,Close,Adj Close,Volume'];
  let n = 0;
  for (const index of DEFAULT_INDICES) {
    let day = DEFAULT_START_DATE;
    for (let i = 0; i < perIndex && n < rows; i++, n++) {
      const date = formatDate(day);
      day = nextTradingDay(day);
      if (n % 97 === 0) {
        lines.push(`${index},${date},null,null,null,null,null,null`);
        continue;
      }
      const p = (k: number) => prices[(n * 7 + k * 13) % prices.length];
      lines.push(`${index},${date},${p(0)},${p(1)},${p(2)},${p(3)},${p(3)},${volumes[n % volumes.length]}`);
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * Reads and encodes the synthetic file in date order as a replay would, and
 * discards it. Stops early once `stop()` says the real work may begin, so it
 * never delays it by more than one batch. Returns the rows it went through.
 */
export async function warmUpReplay(stop: () => boolean, rows = WARM_UP_ROWS): Promise<number> {
  if (stop()) return 0;
  const dir = mkdtempSync(join(tmpdir(), 'stockstream-warm-up-'));
  const path = join(dir, 'warm-up.csv');
  let seen = 0;
  try {
    writeFileSync(path, warmUpCsv(rows));
    // The real clock, not a constant: a timestamp of today is no small integer, and code optimized for 0 would be
    // thrown away (deoptimized) at the first real row.
    const encoder = new BatchEncoder(avsc.Type.forSchema(loadSchema('rawTick') as avsc.Schema), 1, Date.now);
    for await (const items of readCsvFileBatches(path, { order: 'date', now: Date.now })) {
      encoder.add(items);
      seen += items.length;
      if (stop()) break; // leaving the loop closes the file
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return seen;
}
