import type avsc from 'avsc';
import type { SchemaRegistryClient } from './schema-registry.js';
import { UnknownSchemaIdError } from './schema-registry.js';
import { frame, unframe } from './wire-format.js';

/** Encodes values of one schema into Confluent-framed Avro. */
export class AvroSerializer<T> {
  constructor(readonly type: avsc.Type, readonly schemaId: number) {}

  encode(value: T): Buffer {
    return frame(this.schemaId, this.type.toBuffer(value));
  }
}

export type DecodeFailureReason = 'not_framed' | 'unknown_schema_id' | 'avro_decode_error';

/** Why a message value could not be decoded: poison, not a crash. */
export class DecodeError extends Error {
  override name = 'DecodeError';
  constructor(readonly reason: DecodeFailureReason, message: string) {
    super(message);
  }
}

/**
 * Decodes Confluent-framed Avro written with any registered schema into the
 * reader schema, resolving schema evolution. Once a writer schema is cached
 * decoding is synchronous, which keeps the hot path free of promises.
 */
export class AvroDeserializer<T> {
  private readonly resolvers = new Map<number, avsc.Resolver | 'same'>();

  constructor(private readonly registry: SchemaRegistryClient, readonly readerType: avsc.Type) {}

  decode(buf: Buffer | null | undefined): T | Promise<T> {
    const u = unframe(buf);
    if (!u.ok) throw new DecodeError('not_framed', u.message);
    const resolver = this.resolvers.get(u.schemaId);
    if (resolver !== undefined) return this.read(u.body, resolver);
    return this.prepare(u.schemaId).then((r) => this.read(u.body, r));
  }

  /**
   * Whether records of `schemaId` are written with the reader schema itself
   * (no resolution needed); undefined until a record of that id was decoded.
   */
  isReaderSchema(schemaId: number): boolean | undefined {
    const r = this.resolvers.get(schemaId);
    return r === undefined ? undefined : r === 'same';
  }

  private async prepare(schemaId: number): Promise<avsc.Resolver | 'same'> {
    let writer: avsc.Type;
    try {
      writer = await this.registry.writerType(schemaId);
    } catch (err) {
      if (err instanceof UnknownSchemaIdError) throw new DecodeError('unknown_schema_id', err.message);
      throw err; // registry down: not the message's fault
    }
    let resolver: avsc.Resolver | 'same';
    try {
      resolver = writer.equals(this.readerType) ? 'same' : this.readerType.createResolver(writer);
    } catch (err) {
      throw new DecodeError('avro_decode_error', `writer schema ${schemaId} cannot be read as ${this.readerType.name}: ${(err as Error).message}`);
    }
    this.resolvers.set(schemaId, resolver);
    return resolver;
  }

  private read(body: Buffer, resolver: avsc.Resolver | 'same'): T {
    try {
      return (resolver === 'same' ? this.readerType.fromBuffer(body) : this.readerType.fromBuffer(body, resolver)) as T;
    } catch (err) {
      throw new DecodeError('avro_decode_error', `Avro body does not decode: ${(err as Error).message}`);
    }
  }
}
