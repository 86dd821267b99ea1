// Rows/s of the record writers on 100k rows (the default SINK_ROTATE_RECORDS), or on
// lake-sized files (e.g. 300 rows):
//   node services/s3-sink/dist/test/bench/writer-throughput.js [rows] [runs]
// Each writer is warmed up once, then timed over `runs` files; the median is printed.
import { JsonLinesRecordWriter } from '../../src/format/json-lines-record-writer.js';
import { DuckDbParquetWriter } from '../../src/format/duckdb-parquet-writer.js';
import { ParquetRecordWriter } from '../../src/format/parquet-record-writer.js';
import type { RecordWriter } from '../../src/format/record-writer.js';
import { manyRows } from '../unit/support/ticks.js';
import { ColumnBatch } from '../../src/format/column-batch.js';

const rows = Number(process.argv[2] ?? 100_000);
const runs = Number(process.argv[3] ?? 5);
const data = manyRows(rows);

async function measure(label: string, writer: RecordWriter): Promise<void> {
  await writer.write(ColumnBatch.of(data));
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    bytes = (await writer.write(ColumnBatch.of(data))).length;
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(
    `${label.padEnd(22)} ${String(Math.round(rows / (median / 1000))).padStart(9)} rows/s  median ${median.toFixed(0).padStart(5)} ms  ` +
      `min ${times[0]!.toFixed(0).padStart(5)} ms  file ${(bytes / 1024 / 1024).toFixed(2)} MiB (${(bytes / rows).toFixed(1)} B/row)`,
  );
  await writer.close?.();
}

console.log(`${rows} rows, ${runs} timed runs each (after one warm-up)`);
for (const compression of ['zstd', 'snappy', 'uncompressed'] as const) {
  await measure(`duckdb parquet ${compression}`, await DuckDbParquetWriter.create({ compression }));
}
for (const compression of ['snappy', 'uncompressed'] as const) await measure(`parquet ${compression}`, new ParquetRecordWriter(compression));
await measure('jsonl', new JsonLinesRecordWriter());
