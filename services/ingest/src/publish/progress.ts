// Where a source stands, kept in Kafka next to what it published: with
// --resume every transaction also writes how many of the source's items
// (ticks and dead-lettered rows, in the source's own order) it has taken so
// far, so the record and the position commit or vanish together. A restarted
// run (the same source, the same transactional id) reads the last committed
// position and skips that many items: a crash neither repeats nor loses a row.
// The idea is Kafka Connect's exactly-once source offsets (KIP-618).

/** The compacted topic of positions, one per raw topic. */
export function progressTopicFor(rawTopic: string): string {
  return `${rawTopic}.ingest-progress`;
}

export interface SourceProgress {
  /** Items of the source taken and committed, counted from its first item. */
  items: number;
}

export function encodeProgress(p: SourceProgress, now: number): Buffer {
  return Buffer.from(JSON.stringify({ items: p.items, committedAt: new Date(now).toISOString() }));
}

/** The position in one value, or undefined when the value is not one. */
export function decodeProgress(value: Buffer | null | undefined): SourceProgress | undefined {
  if (!value) return undefined;
  try {
    const v = JSON.parse(value.toString('utf8')) as { items?: unknown };
    return Number.isSafeInteger(v.items) && (v.items as number) >= 0 ? { items: v.items as number } : undefined;
  } catch {
    return undefined;
  }
}

/** The last committed position of `key` among the topic's messages in order; 0 items when there is none. */
export function resumePoint(messages: Iterable<{ key: Buffer | string | null | undefined; value: Buffer | null | undefined }>, key: string): SourceProgress {
  let last: SourceProgress = { items: 0 };
  for (const m of messages) {
    if (m.key === null || m.key === undefined || m.key.toString() !== key) continue;
    last = decodeProgress(m.value) ?? last;
  }
  return last;
}
