import type { AvroSerializer } from './avro-serde.js';
import { NO_ROOM, framedAvroWriter, type FramedAvroWriter } from './framed-avro-writer.js';

const SLAB_BYTES = 64 * 1024;

/**
 * Confluent-framed Avro, written straight into a shared slab instead of two
 * fresh buffers per record (the serializer's toBuffer + frame). Each value is
 * a view of a slab, valid until `recycle()`: a full slab is replaced, and
 * written again only after the caller said every value so far is done with
 * (the Kafka client copies what it produces). Output is byte for byte what
 * `serializer.encode` gives.
 */
export class SlabEncoder<T> {
  private slab: Buffer = Buffer.allocUnsafe(SLAB_BYTES);
  private pos = 0;
  /** Slabs filled since the last recycle(), and those free to be written again. */
  private readonly filled: Buffer[] = [];
  private readonly spare: Buffer[] = [];

  constructor(
    private readonly serializer: AvroSerializer<T>,
    private readonly write: FramedAvroWriter = framedAvroWriter(serializer.type, serializer.schemaId),
  ) {}

  encode(value: T): Buffer {
    let start = this.pos;
    let end = this.write(this.slab, start, value);
    if (end === NO_ROOM) {
      this.filled.push(this.slab);
      this.slab = this.spare.pop() ?? Buffer.allocUnsafe(SLAB_BYTES);
      start = 0;
      end = this.write(this.slab, 0, value);
      if (end === NO_ROOM) return this.serializer.encode(value); // larger than a slab
    }
    this.pos = end;
    return this.slab.subarray(start, end);
  }

  /**
   * Every value encoded so far is done with (produced: the client copied it)
   * and never read again; their slabs are written again from now on. Why:
   * V8 frees an ArrayBuffer's memory late (it lets tens of MB of them pile up
   * before a full collection), so a slab per 64 KiB of output was most of a
   * service's garbage, and of its peak memory.
   */
  recycle(): void {
    this.spare.push(...this.filled);
    this.filled.length = 0;
    this.pos = 0;
  }
}
