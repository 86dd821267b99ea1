/** One object as a listing returns it. */
export interface StoredObject {
  key: string;
  size: number;
}

/**
 * Where finished files go (Confluent's Storage): an object store seen as a
 * flat key → bytes map. Puts are whole objects and overwrite, which is what
 * makes deterministic keys idempotent.
 */
export interface Storage {
  /** Stores body under key, replacing any object already there; resolves once it is durable. */
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** Every object whose key starts with prefix, in ascending key order. */
  list(prefix: string): AsyncIterable<StoredObject>;
  /** The object's bytes; rejects when it does not exist or cannot be read. */
  get(key: string): Promise<Buffer>;
  /** The object's bytes, or null when no object has that key (only then: any other failure rejects). */
  getIfExists(key: string): Promise<Buffer | null>;
  /** Whether an object has that key (a HEAD: no bytes move); a failure to find out rejects, never reads as false. */
  exists(key: string): Promise<boolean>;
  /** Removes an object; no error when it does not exist. */
  delete?(key: string): Promise<void>;
}
