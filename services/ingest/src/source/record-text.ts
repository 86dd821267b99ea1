// The original text of rejected records, read back from the file by byte
// range. Rejections are rare, so reading them on demand is cheaper than
// keeping a raw copy of every record while parsing.

import { open, type FileHandle } from 'node:fs/promises';
import type { CsvRecord, CsvSyntaxIssue } from './csv-records.js';

/** Longest text kept for one rejection; a longer one is cut (only unclosed quotes get there). */
export const MAX_TEXT_BYTES = 1 << 20;

const LINE_BREAK = /\r\n|\r|\n/;

function withoutTrailingLineEnds(text: string): string {
  return text.replace(/[\r\n]+$/, '');
}

/** A record's text from the bytes since the previous record: its last 1 + lineBreaks lines. */
export function recordTextFromSlice(slice: string, lineBreaks: number): string {
  const body = withoutTrailingLineEnds(slice);
  const breaks = [...body.matchAll(/\r\n|\r|\n/g)];
  const before = breaks[breaks.length - 1 - lineBreaks]; // the line end just before the record
  return before === undefined ? body : body.slice((before.index ?? 0) + before[0].length);
}

/** An unclosed quote's text and its first line: the slice minus leading blank lines and trailing line ends. */
export function issueTextFromSlice(slice: string, firstLine: number): { text: string; line: number } {
  const leading = /^(?:\r\n|\r|\n)*/.exec(slice)?.[0] ?? '';
  const blankLines = leading.split(LINE_BREAK).length - 1;
  return { text: withoutTrailingLineEnds(slice.slice(leading.length)), line: firstLine + blankLines };
}

/** Reads slices of one file; opens it on first use. Call close() when done. */
export class RecordTextReader {
  private handle: Promise<FileHandle> | undefined;

  constructor(private readonly path: string) {}

  /** Bytes [from, to) as text, at most MAX_TEXT_BYTES of it: the head or the tail. */
  private async slice(from: number, to: number | undefined, keep: 'head' | 'tail'): Promise<string> {
    this.handle ??= open(this.path, 'r');
    const handle = await this.handle;
    const end = to ?? (await handle.stat()).size;
    const start = keep === 'tail' ? Math.max(from, end - MAX_TEXT_BYTES) : from;
    const buffer = Buffer.alloc(Math.max(0, Math.min(end - start, MAX_TEXT_BYTES)));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
    return buffer.toString('utf8', 0, bytesRead).replace(/^\uFEFF/, '');
  }

  async recordText(record: CsvRecord): Promise<string> {
    return recordTextFromSlice(await this.slice(record.startByte, record.endByte, 'tail'), record.lineBreaks);
  }

  /** `endBefore`: the end of the range the issue was read from (undefined: end of file). */
  async issueText(issue: CsvSyntaxIssue, endBefore: number | undefined): Promise<{ text: string; line: number }> {
    return issueTextFromSlice(await this.slice(issue.startByte, endBefore, 'head'), issue.firstLine);
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (handle !== undefined) await (await handle).close();
  }
}
