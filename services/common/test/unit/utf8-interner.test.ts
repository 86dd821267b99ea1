import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LastUtf8, Utf8Interner } from '../../src/serde/utf8-interner.js';

describe('Utf8Interner', () => {
  it('decodes UTF-8 as Buffer#toString does and returns one instance per distinct byte sequence', () => {
    const i = new Utf8Interner();
    const words = ['HSI', 'Hong Kong', '上海', 'Zürich', '', '🙂'];
    for (const w of words) {
      const b = Buffer.from(`xx${w}yy`);
      const s1 = i.text(b, 2, b.length - 2);
      const s2 = i.text(Buffer.from(w), 0, Buffer.byteLength(w));
      assert.equal(s1, w);
      assert.ok(Object.is(s1, s2));
    }
  });

  it('LastUtf8 answers from its last string, and from the interner for others', () => {
    const last = new LastUtf8(new Utf8Interner());
    const a = Buffer.from('HSIN225HSI');
    assert.equal(last.text(a, 0, 3), 'HSI');
    assert.equal(last.text(a, 3, 7), 'N225');
    assert.ok(Object.is(last.text(a, 7, 10), last.text(Buffer.from('HSI'), 0, 3)));
    assert.equal(last.text(a, 0, 0), '');
  });

  it('keeps working past its bound (starts afresh)', () => {
    const i = new Utf8Interner();
    for (let n = 0; n < 10_000; n++) assert.equal(i.text(Buffer.from(`s${n}`), 0, `s${n}`.length), `s${n}`);
  });
});
