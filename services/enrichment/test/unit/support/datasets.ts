// The public data files the correctness tests replay. They live outside the
// repository (STOCKSTREAM_DATASETS names their folder), so a test using one
// must report itself skipped, not passed, when the file is absent.
import { readFileSync } from 'node:fs';

export { datasetFile, type DatasetFile } from '@stockstream/common/testing';

/** Data rows (header dropped) of a simple CSV without quoting, split into cells; tolerates a BOM, CRLF and blank trailing lines. */
export function csvRows(path: string): { header: string[]; rows: string[][] } {
  const lines = readFileSync(path, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  const [head = '', ...rest] = lines;
  return { header: head.split(','), rows: rest.map((l) => l.split(',')) };
}
