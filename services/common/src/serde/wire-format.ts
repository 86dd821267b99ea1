// Confluent wire format: magic byte 0, 4-byte big-endian schema id, Avro body.
export const MAGIC_BYTE = 0;
export const HEADER_BYTES = 5;

export function frame(schemaId: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  out[0] = MAGIC_BYTE;
  out.writeUInt32BE(schemaId, 1);
  body.copy(out, HEADER_BYTES);
  return out;
}

export type Unframed = { ok: true; schemaId: number; body: Buffer } | { ok: false; reason: 'not_framed'; message: string };

export function unframe(buf: Buffer | null | undefined): Unframed {
  if (!buf || buf.length < HEADER_BYTES) {
    return { ok: false, reason: 'not_framed', message: `value of ${buf?.length ?? 0} bytes is shorter than the 5-byte Confluent header` };
  }
  if (buf[0] !== MAGIC_BYTE) {
    return { ok: false, reason: 'not_framed', message: `value starts with byte ${buf[0]}, not the Confluent magic byte 0` };
  }
  return { ok: true, schemaId: buf.readUInt32BE(1), body: buf.subarray(HEADER_BYTES) };
}
