const KEY_CACHE_LIMIT = 4096;

/**
 * Message keys as Buffers, made once per distinct key: a string key is
 * converted to bytes by the Kafka client on every produce. Bounded, for
 * callers whose keys are not a small set.
 */
export class KeyBuffers {
  private readonly buffers = new Map<string, Buffer>();

  get(key: string): Buffer {
    let buffer = this.buffers.get(key);
    if (buffer === undefined) {
      if (this.buffers.size >= KEY_CACHE_LIMIT) this.buffers.clear();
      buffer = Buffer.from(key, 'utf8');
      this.buffers.set(key, buffer);
    }
    return buffer;
  }
}
