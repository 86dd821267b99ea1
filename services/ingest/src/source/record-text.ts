// The original text of rejected records, read back from the file by byte
// range. Rejections are rare, so reading them on demand is cheaper than
// keeping a raw copy of every record while parsing.

import { open, type FileHandle } from 'node:fs/promises';
import type { CsvRecord, CsvSyntaxIssue } from './csv-reader.js';

/** Longest text kept for one rejection; a longer one is cut (only unclosed quotes get there). */
export const MAX_TEXT_BYTES = 1 << 20;

function withoutTrailingLineEnds(text: string): string {
  return text.replace(/[\r\n]+$/, '');
}

/** Reads slices of one file; opens it on first use. Call close() when done. */
export class RecordTextReader {
  private handle: Promise<FileHandle> | undefined;

  constructor(private readonly path: string) {}

  /** Bytes [from, to) as text, at most MAX_TEXT_BYTES of it, without the line ends it ends in. */
  private async text(from: number, to: number | undefined): Promise<string> {
    this.handle ??= open(this.path, 'r');
    const handle = await this.handle;
    const end = to ?? (await handle.stat()).size;
    const buffer = Buffer.alloc(Math.max(0, Math.min(end - from, MAX_TEXT_BYTES)));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, from);
    return withoutTrailingLineEnds(buffer.toString('utf8', 0, bytesRead));
  }

  recordText(record: CsvRecord): Promise<string> {
    return this.text(record.startByte, record.endByte);
  }

  /** `endBefore`: the end of the range the issue was read from (undefined: end of file). */
  issueText(issue: CsvSyntaxIssue, endBefore: number | undefined): Promise<string> {
    return this.text(issue.startByte, endBefore);
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (handle !== undefined) await (await handle).close();
  }
}
