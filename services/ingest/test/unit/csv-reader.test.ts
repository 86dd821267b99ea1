import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvSplitter, MAX_RECORD_BYTES, readCsvBatches, type CsvEntry } from '../../src/source/csv-reader.js';

/** An entry as plain data: the reader's are valid only while it hands them over. */
type Entry = Omit<Extract<CsvEntry, { kind: 'record' }>, 'fields'> & { fields: string[] } | Extract<CsvEntry, { kind: 'syntax' }>;
const snapshot = (e: CsvEntry): Entry => (e.kind === 'record' ? { ...e, fields: e.fields.texts() } : e);

/** The entries of `text`, handed to the splitter in chunks of `chunk` bytes (as the file reader does). */
function split(text: string | Buffer, chunk = Infinity, firstLine = 1): Entry[] {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const splitter = new CsvSplitter(firstLine);
  const out: Entry[] = [];
  let data = Buffer.alloc(0);
  let dataStart = 0;
  for (let at = 0; ; at += chunk) {
    const eof = at >= bytes.length;
    data = Buffer.concat([data, bytes.subarray(at, Math.min(bytes.length, at + chunk))]);
    const p = splitter.split(data, 0, dataStart, eof, (entry) => out.push(snapshot(entry)));
    data = data.subarray(p);
    dataStart += p;
    if (eof) return out;
  }
}

/** Each entry as "line: fields" (records) or "line: !message" (issues), with its text from its byte range. */
function outline(text: string, entries: Entry[]): string[] {
  const bytes = Buffer.from(text);
  return entries.map((e) =>
    e.kind === 'record'
      ? `${e.line}+${e.lineBreaks}: ${JSON.stringify(e.fields)} ${JSON.stringify(bytes.toString('utf8', e.startByte, e.endByte))}`
      : `${e.line}: !${e.message} ${JSON.stringify(bytes.toString('utf8', e.startByte))}`,
  );
}

test('lines end in CRLF, LF or CR, mixed; the last may have no line end', () => {
  const text = 'a,b\r\nc,d\ne,f\rg,h';
  assert.deepEqual(outline(text, split(text)), [
    '1+0: ["a","b"] "a,b\\r\\n"',
    '2+0: ["c","d"] "c,d\\n"',
    '3+0: ["e","f"] "e,f\\r"',
    '4+0: ["g","h"] "g,h"',
  ]);
});

test('blank lines and rows of blank fields are skipped, but counted; fields keep their spaces; rows of any width', () => {
  const text = '\n\r\n,,,\n , \t,\na, b ,\nnull\n';
  assert.deepEqual(outline(text, split(text)), ['5+0: ["a"," b ",""] "a, b ,\\n"', '6+0: ["null"] "null\\n"']);
});

test('quotes: a quoted field holds commas and doubled quotes; a quote inside a field is text; text after a closing quote is kept as written', () => {
  const text = 'NYA,"1,5","say ""hi""",5"33,"",x\n"a"b,"c" d,e\n';
  assert.deepEqual(outline(text, split(text)), [
    '1+0: ["NYA","1,5","say \\"hi\\"","5\\"33","","x"] "NYA,\\"1,5\\",\\"say \\"\\"hi\\"\\"\\",5\\"33,\\"\\",x\\n"',
    '2+0: ["\\"a\\"b","\\"c\\" d","e"] "\\"a\\"b,\\"c\\" d,e\\n"',
  ]);
});

test('a quoted field may span lines: the record counts its line breaks (CRLF as one), the next record its line', () => {
  const text = 'h\r\nNYA,"1966\r\nx\n\ny",1\r\nB,2\n';
  assert.deepEqual(outline(text, split(text)), [
    '1+0: ["h"] "h\\r\\n"',
    '2+3: ["NYA","1966\\r\\nx\\n\\ny","1"] "NYA,\\"1966\\r\\nx\\n\\ny\\",1\\r\\n"',
    '6+0: ["B","2"] "B,2\\n"',
  ]);
});

test('a quote never closed is an issue from its record to the end of input', () => {
  const text = 'a,1\n\nNYA,"1966\nB,2\n\n';
  assert.deepEqual(outline(text, split(text)), ['1+0: ["a","1"] "a,1\\n"', '3: !a quote opened here is never closed "NYA,\\"1966\\nB,2\\n\\n"']);
});

test('the same entries however the input is cut into chunks', () => {
  const text = '\uFEFFIndex,Date\r\nNYA,"1,5"\r\n\r\nB,"x""y\ny"\rC,é\r\n,,\nD,"open';
  const whole = split(text);
  assert.equal(whole.length, 5);
  for (let chunk = 1; chunk <= 12; chunk++) assert.deepEqual(split(text, chunk), whole, `chunks of ${chunk}`);
});

test('a record longer than MAX_RECORD_BYTES aborts the read, naming its line', () => {
  assert.throws(() => split(`h\nok\nNYA,"${'x'.repeat(MAX_RECORD_BYTES)}\n`, 64 * 1024), /^Error: line 3: a record longer than 1048576 bytes; the file is corrupt \(unbalanced quote\?\)$/);
  assert.throws(() => split(`h\n${'x'.repeat(MAX_RECORD_BYTES + 1)}\n`), /^Error: line 2: /);
  assert.equal(split(`${'x'.repeat(MAX_RECORD_BYTES)}\n`).length, 1);
});

test('files: a UTF-8 byte order mark is skipped at the start only; ranges read from their line on; UTF-16 is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'csv-reader-test-'));
  try {
    const path = join(dir, 'f.csv');
    writeFileSync(path, '\uFEFFIndex,Date\nA,1\nB,2\nC,3\n');
    const read = async (range = {}) => {
      const entries: Entry[] = [];
      for await (const batch of readCsvBatches(path, { chunkBytes: 4, ...range }, snapshot)) entries.push(...batch);
      return entries.map((e) => (e.kind === 'record' ? `${e.line} ${e.fields.join('|')} ${e.startByte}-${e.endByte}` : e.message));
    };
    assert.deepEqual(await read(), ['1 Index|Date 3-14', '2 A|1 14-18', '3 B|2 18-22', '4 C|3 22-26']);
    assert.deepEqual(await read({ start: 18, endBefore: 22, firstLine: 3 }), ['3 B|2 18-22']);
    assert.deepEqual(await read({ start: 22, endBefore: 22 }), []);
    writeFileSync(path, Buffer.from('\uFEFFIndex,Date\n', 'utf16le'));
    await assert.rejects(read(), /f\.csv: the file is UTF-16 text; save it as UTF-8$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
