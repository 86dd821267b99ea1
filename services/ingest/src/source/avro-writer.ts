// The framed Avro writer of the raw topic: the shared one (common/serde),
// with RawTick's hand-written body writer when the registered type is exactly
// RawTick (see raw-tick-writer.ts).
// The subpath, not the package index: this runs in the encode worker, which must not load the Kafka client's
// native module (it registers once per process, and the main thread has it).
import { framedAvroWriter, type FramedAvroWriter } from '@stockstream/common/framed-avro';
import type avsc from 'avsc';
import { rawTickBodyWriter } from './raw-tick-writer.js';

export { HEADER_BYTES, NO_ROOM } from '@stockstream/common/framed-avro';

export function rawFramedWriter(type: avsc.Type, schemaId: number): FramedAvroWriter {
  return framedAvroWriter(type, schemaId, rawTickBodyWriter(type) ?? undefined);
}
