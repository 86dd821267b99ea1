// Reference data per index symbol: which exchange, region and currency. The
// currency decides which FX rate converts the close to USD.
import { CURRENCY_CODE, DataFileError, entriesOf, isObject, readJsonFile, requiredString, shippedDataFile } from './data-file.js';

export interface IndexInfo {
  exchange: string;
  region: string;
  /** ISO 4217 code of the index levels. */
  currency: string;
}

/** Index symbol (exactly as in the source, e.g. 000001.SS) -> reference data. */
export type IndexReference = ReadonlyMap<string, IndexInfo>;

/** The 14 indices of the public set (indexInfo.csv), shipped with the service. */
export const SHIPPED_INDEX_REFERENCE_FILE = shippedDataFile('indices.json');

/**
 * Reads and validates an index reference file: { "indices": [ { "index",
 * "exchange", "region", "currency" }, ... ] }. Defaults to the shipped file;
 * the service passes INDEX_REFERENCE_FILE when set. Throws DataFileError.
 */
export function loadIndexReference(file: string = SHIPPED_INDEX_REFERENCE_FILE): IndexReference {
  return parseIndexReference(readJsonFile(file), file);
}

/** Validates parsed JSON; `file` only labels errors. */
export function parseIndexReference(json: unknown, file: string): IndexReference {
  const reference = new Map<string, IndexInfo>();
  entriesOf(file, json, 'indices').forEach((entry, i) => {
    let where = `entry ${i + 1}`;
    if (!isObject(entry)) throw new DataFileError(file, `${where}: expected an object, got ${JSON.stringify(entry)}`);
    const index = requiredString(file, where, entry, 'index');
    where += ` (index ${index})`;
    const info: IndexInfo = {
      exchange: requiredString(file, where, entry, 'exchange'),
      region: requiredString(file, where, entry, 'region'),
      currency: requiredString(file, where, entry, 'currency'),
    };
    if (!CURRENCY_CODE.test(info.currency)) {
      throw new DataFileError(file, `${where}: currency ${JSON.stringify(info.currency)} is not an ISO 4217 code (3 uppercase letters)`);
    }
    // A second entry would silently decide which currency wins.
    if (reference.has(index)) throw new DataFileError(file, `${where}: index ${index} is listed twice`);
    reference.set(index, info);
  });
  return reference;
}
