// The Avro body of a RawTick (schemas/raw-tick.avsc), written by hand:
// avsc's generic writer checks and dispatches field by field (a branch
// lookup per union, Buffer.byteLength per string), which was most of the
// encoding time of a replay. It serves a type of exactly that schema only,
// and values it can check cheaply (ASCII strings, plain numbers); anything
// else goes to avsc, which also throws for invalid values. Output is byte
// for byte avsc's: the tests compare both.

import avsc from 'avsc';

/** The schema written for; docs left out, they do not change the encoding. */
const RAW_TICK_SCHEMA = {
  type: 'record',
  name: 'RawTick',
  namespace: 'io.stockstream.ticks',
  fields: [
    { name: 'index', type: 'string' },
    { name: 'date', type: { type: 'int', logicalType: 'date' } },
    { name: 'open', type: ['null', 'double'] },
    { name: 'high', type: ['null', 'double'] },
    { name: 'low', type: ['null', 'double'] },
    { name: 'close', type: ['null', 'double'] },
    { name: 'adjClose', type: ['null', 'double'] },
    { name: 'volume', type: ['null', 'long'] },
    { name: 'sourceCloseUsd', type: ['null', 'double'] },
    {
      name: 'source',
      type: {
        type: 'record',
        name: 'SourceRef',
        fields: [
          { name: 'kind', type: { type: 'enum', name: 'SourceKind', symbols: ['FILE', 'GENERATOR'] } },
          { name: 'name', type: 'string' },
          { name: 'line', type: 'long' },
        ],
      },
    },
    { name: 'ingestedAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
} as const;

/** How avsc reads each field with default options: no logical types, unions unwrapped. */
const TYPE_NAMES = ['string', 'int', ...Array<string>(7).fill('union:unwrapped'), 'record', 'long'];
const SOURCE_TYPE_NAMES = ['enum', 'string', 'long'];

/** True when `type` encodes values exactly as RAW_TICK_SCHEMA read by avsc with default options. */
export function isRawTickType(type: avsc.Type): boolean {
  const expected = avsc.Type.forSchema(RAW_TICK_SCHEMA as unknown as avsc.Schema);
  if (!type.fingerprint('sha256').equals(expected.fingerprint('sha256'))) return false;
  const fields = (type as avsc.types.RecordType).fields;
  const source = fields[9]?.type as avsc.types.RecordType | undefined;
  return fields.every((f, i) => f.type.typeName === TYPE_NAMES[i]) && source !== undefined && source.fields.every((f, i) => f.type.typeName === SOURCE_TYPE_NAMES[i]);
}

/** Bounds of avsc's long: it refuses anything beyond (isSafeLong). */
const MAX_LONG = 9007199254740990;
/** Strings of at most this length have a 1- or 2-byte length prefix. */
const MAX_STRING = 8191;
/** Bytes of everything but the two strings' characters, at most: prefixes, int, 6 nullable doubles, nullable long, enum, 2 longs. */
const FIXED_BYTES = 2 + 2 + 5 + 6 * 9 + 11 + 1 + 10 + 10;

function isLong(n: unknown): n is number {
  return typeof n === 'number' && n % 1 === 0 && n >= -MAX_LONG && n <= MAX_LONG;
}

/** A long (or int) as Avro writes it: zigzag, then 7 bits a byte; avsc's arithmetic, so -0 and large values come out alike. */
export function writeLong(buf: Buffer | Uint8Array, pos: number, n: number): number {
  if (n >= -1073741824 && n < 1073741824) {
    let m = n >= 0 ? n << 1 : (~n << 1) | 1;
    while (m > 0x7f) {
      buf[pos++] = (m & 0x7f) | 0x80;
      m >>= 7;
    }
    buf[pos++] = m;
  } else {
    let f = n >= 0 ? n * 2 : -n * 2 - 1;
    while (f >= 128) {
      buf[pos++] = (f & 0x7f) | 0x80;
      f /= 128;
    }
    buf[pos++] = f & 0x7f;
  }
  return pos;
}

/** An ASCII string with its length; -1 when a character is not ASCII (left to avsc). */
function writeAscii(buf: Buffer, pos: number, s: string): number {
  const n = s.length;
  pos = writeLong(buf, pos, n);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return -1;
    buf[pos++] = c;
  }
  return pos;
}

/** A double's bytes, little-endian as Avro writes it on every platform Node runs on (checked below). */
const DOUBLE = new Float64Array(1);
const DOUBLE_BYTES = new Uint8Array(DOUBLE.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A ["null", "double"] value; -1 when it is neither. Room is checked by the caller. */
function writeNullableDouble(buf: Buffer, pos: number, v: unknown): number {
  if (v === null) {
    buf[pos] = 0;
    return pos + 1;
  }
  if (typeof v !== 'number') return -1;
  buf[pos] = 2; // branch 1, zigzag
  if (!LITTLE_ENDIAN) {
    buf.writeDoubleLE(v, pos + 1);
    return pos + 9;
  }
  // Byte by byte instead of writeDoubleLE: no bounds checks, and no call into the Buffer module per value.
  DOUBLE[0] = v;
  buf[pos + 1] = DOUBLE_BYTES[0] as number;
  buf[pos + 2] = DOUBLE_BYTES[1] as number;
  buf[pos + 3] = DOUBLE_BYTES[2] as number;
  buf[pos + 4] = DOUBLE_BYTES[3] as number;
  buf[pos + 5] = DOUBLE_BYTES[4] as number;
  buf[pos + 6] = DOUBLE_BYTES[5] as number;
  buf[pos + 7] = DOUBLE_BYTES[6] as number;
  buf[pos + 8] = DOUBLE_BYTES[7] as number;
  return pos + 9;
}

interface TickShape {
  index: unknown;
  date: unknown;
  open: unknown;
  high: unknown;
  low: unknown;
  close: unknown;
  adjClose: unknown;
  volume: unknown;
  sourceCloseUsd: unknown;
  source: { kind: unknown; name: unknown; line: unknown } | null;
  ingestedAt: unknown;
}

/** The body of `value` at `pos`, its end; -1 for anything but a plain RawTick that surely fits. */
function writePlainTick(buf: Buffer, pos: number, value: unknown): number {
  const t = value as TickShape;
  const { index, date, source } = t;
  if (typeof index !== 'string' || index.length > MAX_STRING || typeof date !== 'number' || date !== (date | 0)) return -1;
  if (typeof source !== 'object' || source === null) return -1;
  const { kind, name, line } = source;
  if (typeof name !== 'string' || name.length > MAX_STRING || !isLong(line) || !isLong(t.ingestedAt)) return -1;
  if (buf.length - pos < FIXED_BYTES + index.length + name.length) return -1;
  const volume = t.volume;
  if (volume !== null && !isLong(volume)) return -1;
  const kindIndex = kind === 'FILE' ? 0 : kind === 'GENERATOR' ? 1 : -1;
  if (kindIndex < 0) return -1;

  if ((pos = writeAscii(buf, pos, index)) < 0) return -1;
  pos = writeLong(buf, pos, date);
  if ((pos = writeNullableDouble(buf, pos, t.open)) < 0) return -1;
  if ((pos = writeNullableDouble(buf, pos, t.high)) < 0) return -1;
  if ((pos = writeNullableDouble(buf, pos, t.low)) < 0) return -1;
  if ((pos = writeNullableDouble(buf, pos, t.close)) < 0) return -1;
  if ((pos = writeNullableDouble(buf, pos, t.adjClose)) < 0) return -1;
  if (volume === null) {
    buf[pos++] = 0;
  } else {
    buf[pos++] = 2;
    pos = writeLong(buf, pos, volume);
  }
  if ((pos = writeNullableDouble(buf, pos, t.sourceCloseUsd)) < 0) return -1;
  buf[pos++] = kindIndex << 1;
  if ((pos = writeAscii(buf, pos, name)) < 0) return -1;
  pos = writeLong(buf, pos, line);
  return writeLong(buf, pos, t.ingestedAt as number);
}

/**
 * A writer of RawTick bodies for `type` (what type.encode does: the end, or
 * minus the bytes missing), or undefined when `type` is not RawTick's.
 */
export function rawTickBodyWriter(type: avsc.Type): ((buf: Buffer, pos: number, value: unknown) => number) | undefined {
  if (!isRawTickType(type)) return undefined;
  return (buf, pos, value) => {
    const end = writePlainTick(buf, pos, value);
    return end >= 0 ? end : type.encode(value, buf, pos);
  };
}
