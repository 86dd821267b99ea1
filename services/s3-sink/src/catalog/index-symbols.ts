// The index symbols the lake can hold: those of the enrichment service's
// reference data (services/enrichment/data/indices.json, or the file
// INDEX_REFERENCE_FILE points enrichment at), because enrichment dead-letters
// every tick whose index is not listed there. Read at run time so that adding
// an index to the reference file and re-registering the table is all it takes.
import { readInputFile } from '@stockstream/common';
import { fileURLToPath } from 'node:url';

/** services/enrichment/data/indices.json, resolved from this compiled module (dist/src/catalog/). */
export const SHIPPED_INDEX_FILE = fileURLToPath(new URL('../../../../enrichment/data/indices.json', import.meta.url));

export class IndexFileError extends Error {
  constructor(readonly file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'IndexFileError';
  }
}

/** The `index` of every entry of { "indices": [ { "index": ... }, ... ] }, in file order. */
export function parseIndexSymbols(json: unknown, file: string): string[] {
  const list = typeof json === 'object' && json !== null ? (json as Record<string, unknown>).indices : undefined;
  if (!Array.isArray(list)) throw new IndexFileError(file, 'expected a JSON object with an array "indices"');
  if (list.length === 0) throw new IndexFileError(file, '"indices" is empty');
  const symbols: string[] = [];
  list.forEach((entry: unknown, i) => {
    const index = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>).index : undefined;
    if (typeof index !== 'string' || index.trim() === '') {
      throw new IndexFileError(file, `entry ${i + 1}: "index" must be a non-empty string, got ${JSON.stringify(index) ?? 'nothing'}`);
    }
    const symbol = index.trim(); // as enrichment reads it
    if (symbols.includes(symbol)) throw new IndexFileError(file, `entry ${i + 1}: index ${symbol} is listed twice`);
    symbols.push(symbol);
  });
  return symbols;
}

/** The file's symbols; InputFileError when it cannot be read, IndexFileError when its content is wrong. */
export function loadIndexSymbols(file: string = SHIPPED_INDEX_FILE): string[] {
  const text = readInputFile(file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new IndexFileError(file, `not valid JSON: ${(err as Error).message}`);
  }
  return parseIndexSymbols(json, file);
}
