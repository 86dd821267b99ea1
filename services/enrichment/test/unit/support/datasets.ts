// The public data files the correctness tests replay. They live outside the
// repo (../shared/datasets, or STOCKSTREAM_DATASETS), so a test using one
// must report itself skipped, not passed, when the file is absent.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const DATASETS_DIR = process.env.STOCKSTREAM_DATASETS || '/work/shared/datasets';

export interface DatasetFile {
  path: string;
  /** node:test `skip` option: false when present, else the reason. */
  skip: string | false;
}

export function datasetFile(name: string): DatasetFile {
  const path = join(DATASETS_DIR, name);
  return { path, skip: existsSync(path) ? false : `${path} not found (set STOCKSTREAM_DATASETS to the public data directory)` };
}

/** Data rows (header dropped) of a simple CSV without quoting, split into cells; tolerates a BOM, CRLF and blank trailing lines. */
export function csvRows(path: string): { header: string[]; rows: string[][] } {
  const lines = readFileSync(path, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  const [head = '', ...rest] = lines;
  return { header: head.split(','), rows: rest.map((l) => l.split(',')) };
}
