import type { AvroSerializer } from './avro-serde.js';
import { NO_ROOM, framedAvroWriter, type FramedAvroWriter } from './framed-avro-writer.js';

const SLAB_BYTES = 64 * 1024;

/**
 * Confluent-framed Avro, written straight into a shared slab instead of two
 * fresh buffers per record (the serializer's toBuffer + frame). Each value is
 * a view of the slab that is never written again: a full slab is replaced, not
 * reused, so a value stays valid as long as anyone holds it (the Kafka client
 * copies what it produces). Output is byte for byte what `serializer.encode` gives.
 */
export class SlabEncoder<T> {
  private slab = Buffer.allocUnsafe(SLAB_BYTES);
  private pos = 0;

  constructor(
    private readonly serializer: AvroSerializer<T>,
    private readonly write: FramedAvroWriter = framedAvroWriter(serializer.type, serializer.schemaId),
  ) {}

  encode(value: T): Buffer {
    let start = this.pos;
    let end = this.write(this.slab, start, value);
    if (end === NO_ROOM) {
      this.slab = Buffer.allocUnsafe(SLAB_BYTES);
      start = 0;
      end = this.write(this.slab, 0, value);
      if (end === NO_ROOM) return this.serializer.encode(value); // larger than a slab
    }
    this.pos = end;
    return this.slab.subarray(start, end);
  }
}
