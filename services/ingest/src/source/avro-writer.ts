// Confluent-framed Avro written into a caller's buffer at a position, so that
// many values can share one buffer: AvroSerializer.encode allocates two
// buffers per value (avsc's toBuffer, then the frame) and copies twice.

import type avsc from 'avsc';
import { rawTickBodyWriter } from './raw-tick-writer.js';

/** The writer returns this when the buffer lacks room for the value. */
export const NO_ROOM = -1;

const MAGIC_BYTE = 0;
/** The Confluent wire format's header: magic byte, 4-byte schema id. */
export const HEADER_BYTES = 5;

/**
 * Writes what AvroSerializer.encode gives for `value` (magic byte, schema id,
 * Avro body) into `buf` at `pos`: returns the end, or NO_ROOM. avsc throws for
 * invalid values, as the serializer does.
 */
export function framedAvroWriter(type: avsc.Type, schemaId: number): (buf: Buffer, pos: number, value: unknown) => number {
  // RawTick, the bulk of what is written, has a writer of its own.
  const writeBody = rawTickBodyWriter(type) ?? ((buf: Buffer, pos: number, value: unknown) => type.encode(value, buf, pos));
  return (buf, pos, value) => {
    if (buf.length - pos <= HEADER_BYTES) return NO_ROOM;
    const end = writeBody(buf, pos + HEADER_BYTES, value);
    if (end < 0) return NO_ROOM; // avsc: minus the number of bytes missing
    buf[pos] = MAGIC_BYTE;
    buf.writeUInt32BE(schemaId, pos + 1);
    return end;
  };
}
