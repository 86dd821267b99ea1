// Confluent-framed Avro written into a caller's buffer at a position, so that
// many values can share one buffer: AvroSerializer.encode allocates two
// buffers per value (avsc's toBuffer, then the frame) and copies twice.
import type avsc from 'avsc';
import { HEADER_BYTES, MAGIC_BYTE } from './wire-format.js';

export { HEADER_BYTES } from './wire-format.js';

/** A writer returns this when the buffer lacks room for the value. */
export const NO_ROOM = -1;

/** Writes an Avro body at `pos`; returns its end, or a negative number when the buffer is too short (avsc's convention). */
export type AvroBodyWriter = (buf: Buffer, pos: number, value: unknown) => number;

/** Writes a framed value at `pos`; returns its end, or NO_ROOM. */
export type FramedAvroWriter = (buf: Buffer, pos: number, value: unknown) => number;

/**
 * Writes what AvroSerializer.encode gives for `value` (magic byte, schema id,
 * Avro body) into `buf` at `pos`. avsc throws for invalid values, as the
 * serializer does. `writeBody` replaces avsc's writer (it must write the same bytes).
 */
export function framedAvroWriter(type: avsc.Type, schemaId: number, writeBody?: AvroBodyWriter): FramedAvroWriter {
  const body: AvroBodyWriter = writeBody ?? ((buf, pos, value) => type.encode(value, buf, pos));
  return (buf, pos, value) => {
    if (buf.length - pos <= HEADER_BYTES) return NO_ROOM;
    const end = body(buf, pos + HEADER_BYTES, value);
    if (end < 0) return NO_ROOM;
    buf[pos] = MAGIC_BYTE;
    buf.writeUInt32BE(schemaId, pos + 1);
    return end;
  };
}
