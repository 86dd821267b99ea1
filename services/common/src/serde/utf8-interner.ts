// Strings of the lake's text columns repeat endlessly (14 index symbols, a
// few exchanges, one raw topic): turning their UTF-8 bytes into a new JS
// string for every record, to look the same string up in a file's
// dictionary a moment later, was a large part of the sink's per-record cost.
// The interner hands out one string per distinct byte sequence instead.

/** Distinct strings kept at most; past it the table starts afresh (a stream of ever-new strings still works, only slower). */
const MAX_ENTRIES = 4096;

export interface Entry {
  bytes: Uint8Array;
  text: string;
}

function sameBytes(a: Uint8Array, b: Uint8Array, from: number, to: number): boolean {
  if (a.length !== to - from) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[from + i]) return false;
  return true;
}

/** FNV-1a over the bytes: cheap for the short strings it sees. */
function hashOf(b: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193);
  return h >>> 0;
}

/** One string per distinct UTF-8 byte sequence (decoded as Buffer#toString('utf8') does). */
export class Utf8Interner {
  private readonly table = new Map<number, Entry[]>();
  private size = 0;

  /** The string of bytes [from, to) of `buf`. */
  text(buf: Buffer, from: number, to: number): string {
    return this.entry(buf, from, to).text;
  }

  /** The entry (bytes and string) of bytes [from, to) of `buf`. */
  entry(buf: Buffer, from: number, to: number): Entry {
    const h = hashOf(buf, from, to);
    const bucket = this.table.get(h);
    if (bucket !== undefined) {
      for (const e of bucket) if (sameBytes(e.bytes, buf, from, to)) return e;
    }
    const text = buf.toString('utf8', from, to);
    if (this.size >= MAX_ENTRIES) {
      this.table.clear();
      this.size = 0;
    }
    const entry = { bytes: Uint8Array.prototype.slice.call(buf, from, to), text };
    const fresh = this.table.get(h);
    if (fresh === undefined) this.table.set(h, [entry]);
    else fresh.push(entry);
    this.size++;
    return entry;
  }
}

/** A column's last string: consecutive records mostly repeat it, so one byte comparison usually answers. */
export class LastUtf8 {
  private last: Entry | undefined;

  constructor(private readonly interner: Utf8Interner) {}

  text(buf: Buffer, from: number, to: number): string {
    const last = this.last;
    if (last !== undefined && sameBytes(last.bytes, buf, from, to)) return last.text;
    const e = this.interner.entry(buf, from, to);
    this.last = e;
    return e.text;
  }
}
