// Reading the service's JSON data files (index reference, default FX rates).
// Every error names the file and, where possible, the bad entry, because the
// reader of the message is an operator who supplied an override file.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inputFileError } from '@stockstream/common';

export class DataFileError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'DataFileError';
  }
}

/**
 * A file shipped in services/enrichment/data/. Resolved from this compiled
 * module (dist/src/reference/) rather than the working directory, so the
 * service finds its data wherever it is started from.
 */
export function shippedDataFile(name: string): string {
  return fileURLToPath(new URL(`../../../data/${name}`, import.meta.url));
}

/** A file's bytes; a missing or unreadable file is common's one plain sentence (InputFileError) naming it. */
export function readDataFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw inputFileError(file, err);
  }
}

export function readJsonFile(file: string): unknown {
  const text = readDataFile(file).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new DataFileError(file, `not valid JSON: ${(err as Error).message}`);
  }
}

/** The array under `key` of a top-level JSON object, e.g. { "indices": [...] }. */
export function entriesOf(file: string, json: unknown, key: string): unknown[] {
  const list = isObject(json) ? json[key] : undefined;
  if (!Array.isArray(list)) throw new DataFileError(file, `expected a JSON object with an array "${key}"`);
  if (list.length === 0) throw new DataFileError(file, `"${key}" is empty`);
  return list;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A required non-empty string field of entry `n` (1-based), trimmed. */
export function requiredString(file: string, where: string, entry: Record<string, unknown>, field: string): string {
  const v = entry[field];
  if (typeof v !== 'string' || v.trim() === '') {
    throw new DataFileError(file, `${where}: "${field}" must be a non-empty string, got ${JSON.stringify(v) ?? 'nothing'}`);
  }
  return v.trim();
}

export const CURRENCY_CODE = /^[A-Z]{3}$/;
