// Hive-style escaping of partition values in paths (`key=value` folders).
//
// Hive (FileUtils.escapePathName) percent-encodes the characters that would
// break a path or its own parser (`/`, `=`, `%`, `:`, `^`, `#`, ...) as %XX
// with upper-case hex, and engines that read Hive layouts (Hive, Athena/Trino,
// Spark, DuckDB's hive_partitioning) decode %XX back. We are stricter than
// Hive: every byte outside [A-Za-z0-9._-] is encoded, because those are the
// only characters that are safe in S3 keys everywhere (no URL, SigV4 or shell
// quoting surprises) and stricter encoding still decodes to the same value.
// Non-ASCII characters are encoded as their UTF-8 bytes (as encodeURIComponent
// does), which is what DuckDB and Trino decode; Hive itself would emit one
// %XX per UTF-16 unit, but no index symbol in the data is non-ASCII.

/** Hive's marker for a null or empty partition value. */
export const HIVE_DEFAULT_PARTITION = '__HIVE_DEFAULT_PARTITION__';

const SAFE = /^[A-Za-z0-9._-]$/;

/** `^GSPC` → `%5EGSPC`, `000001.SS` unchanged, '' → __HIVE_DEFAULT_PARTITION__. */
export function escapePartitionValue(value: string): string {
  if (value === '') return HIVE_DEFAULT_PARTITION;
  let out = '';
  for (const ch of value) {
    if (SAFE.test(ch)) {
      out += ch;
      continue;
    }
    for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Inverse of escapePartitionValue (also decodes Hive's laxer escaping). */
export function unescapePartitionValue(escaped: string): string {
  if (escaped === HIVE_DEFAULT_PARTITION) return '';
  return decodeURIComponent(escaped);
}
