// Names of the lake's objects. A key is a function of where its records came
// from — Kafka topic, partition, first and last offset — plus the lake
// partition they belong to, never of the time or the process that wrote it.
// Redoing the work after a crash therefore writes the same key and the PUT
// overwrites instead of adding a duplicate (the layout of Confluent's S3 sink:
// <topic>+<kafkaPartition>+<startOffset>.<ext>, here with the last offset too
// so that recovery can tell which offsets an object covers without opening it).
//
//   <prefix>/ticks/index=HSI/year=1999/ticks.enriched+3+00000000000000001234+00000000000000005678.parquet
//
// Offsets are zero-padded to 20 digits (Kafka offsets are signed 64-bit: at
// most 19 digits; 20 is the width of any 64-bit integer), so S3's
// lexicographic listing order equals numeric offset order.

export type LakeTable = 'ticks';

export interface ObjectKeyParts {
  /** Folder of the lake in the bucket, e.g. `lake`; '' for the bucket root. Slashes at either end are ignored. */
  prefix: string;
  table: LakeTable;
  /** From the Partitioner: `key=value` segments joined by '/', e.g. `index=HSI/year=1999`. */
  partitionPath: string;
  /** Kafka topic the records were read from (Kafka allows only [A-Za-z0-9._-], so '+' cannot occur). */
  topic: string;
  kafkaPartition: number;
  /** Offset of the first record in the object. */
  firstOffset: number;
  /** Offset of the last record in the object (inclusive). */
  lastOffset: number;
  /** Without the dot: `parquet`, `jsonl`. */
  extension: string;
}

export const OFFSET_DIGITS = 20;
const TABLES: readonly LakeTable[] = ['ticks'];
const TOPIC = /^[A-Za-z0-9._-]+$/;
const EXTENSION = /^[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*$/;
const FILE_NAME = /^([A-Za-z0-9._-]+)\+(\d+)\+(\d{20})\+(\d{20})\.([A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*)$/;

function checkIndex(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} must be a non-negative integer, got ${n}`);
}

function trimSlashes(s: string): string {
  return s.replace(/^\/+|\/+$/g, '');
}

function checkPartitionPath(path: string): void {
  const segments = path.split('/');
  if (path === '' || segments.some((s) => s === '' || !s.includes('='))) {
    throw new RangeError(`partition path must be key=value segments joined by '/', got ${JSON.stringify(path)}`);
  }
}

/** Offset as 20 zero-padded digits, so that string order = numeric order. */
export function formatOffset(offset: number): string {
  checkIndex('offset', offset);
  return String(offset).padStart(OFFSET_DIGITS, '0');
}

/** `<prefix>/<table>/`: everything of one table (for listing). */
export function tablePrefix(prefix: string, table: LakeTable): string {
  const p = trimSlashes(prefix);
  return p === '' ? `${table}/` : `${p}/${table}/`;
}

/**
 * `<prefix>/<table>/<partitionPath>/<topic>+<kafkaPartition>+`: the objects one
 * Kafka partition wrote into one lake partition, for recovery to list.
 */
export function kafkaPartitionPrefix(parts: Pick<ObjectKeyParts, 'prefix' | 'table' | 'partitionPath' | 'topic' | 'kafkaPartition'>): string {
  checkPartitionPath(parts.partitionPath);
  if (!TOPIC.test(parts.topic)) throw new RangeError(`topic must match ${TOPIC}, got ${JSON.stringify(parts.topic)}`);
  checkIndex('kafkaPartition', parts.kafkaPartition);
  return `${tablePrefix(parts.prefix, parts.table)}${parts.partitionPath}/${parts.topic}+${parts.kafkaPartition}+`;
}

export function objectKey(parts: ObjectKeyParts): string {
  checkIndex('firstOffset', parts.firstOffset);
  checkIndex('lastOffset', parts.lastOffset);
  if (parts.lastOffset < parts.firstOffset) throw new RangeError(`lastOffset ${parts.lastOffset} < firstOffset ${parts.firstOffset}`);
  if (!EXTENSION.test(parts.extension)) throw new RangeError(`extension must match ${EXTENSION}, got ${JSON.stringify(parts.extension)}`);
  return `${kafkaPartitionPrefix(parts)}${formatOffset(parts.firstOffset)}+${formatOffset(parts.lastOffset)}.${parts.extension}`;
}

/**
 * The parts of a key objectKey made, or null for any other object (foreign
 * files, temporary uploads, other tables), so recovery can list a prefix and
 * ignore what it did not write.
 */
export function parseObjectKey(key: string): ObjectKeyParts | null {
  const segments = key.split('/');
  const fileName = segments.pop();
  const m = fileName === undefined ? null : FILE_NAME.exec(fileName);
  if (!m) return null;
  // The partition path is the run of key=value segments right before the file;
  // the segment before it is the table and the rest is the prefix.
  let i = segments.length;
  while (i > 0 && segments[i - 1]!.includes('=')) i--;
  const partition = segments.slice(i);
  const table = segments[i - 1];
  if (partition.length === 0 || partition.some((s) => s === '') || table === undefined) return null;
  if (!(TABLES as readonly string[]).includes(table)) return null;
  const [, topic, kafkaPartition, first, last, extension] = m;
  const parts: ObjectKeyParts = {
    prefix: segments.slice(0, i - 1).join('/'),
    table: table as LakeTable,
    partitionPath: partition.join('/'),
    topic: topic!,
    kafkaPartition: Number(kafkaPartition),
    firstOffset: Number(first),
    lastOffset: Number(last),
    extension: extension!,
  };
  const numbers = [parts.kafkaPartition, parts.firstOffset, parts.lastOffset];
  if (numbers.some((n) => !Number.isSafeInteger(n)) || parts.lastOffset < parts.firstOffset) return null;
  // Only keys this module would produce: e.g. a partition number with leading zeros is foreign.
  return objectKey(parts) === key ? parts : null;
}

/**
 * `<prefix>/_stockstream/sink/<table>/<topic>+<kafkaPartition>.json`: the
 * sink's recovery checkpoint of one Kafka partition (pipeline/checkpoint.ts).
 * Outside the table's folder, so queries and the catalog never see it.
 */
export function checkpointKey(prefix: string, table: LakeTable, topic: string, kafkaPartition: number): string {
  if (!TOPIC.test(topic)) throw new RangeError(`topic must match ${TOPIC}, got ${JSON.stringify(topic)}`);
  checkIndex('kafkaPartition', kafkaPartition);
  const p = trimSlashes(prefix);
  return `${p === '' ? '' : `${p}/`}_stockstream/sink/${table}/${topic}+${kafkaPartition}.json`;
}
