import { test } from 'node:test';
import assert from 'node:assert/strict';
import { issueTextFromSlice, recordTextFromSlice } from '../../src/source/record-text.js';

test('a record is the last line of its slice, without blank rows before or its line end', () => {
  assert.equal(recordTextFromSlice('NYA,1,2\r\n', 0), 'NYA,1,2');
  assert.equal(recordTextFromSlice('\r\n\r\n,,,\r\nNYA,1,2\r\n', 0), 'NYA,1,2');
  assert.equal(recordTextFromSlice('NYA,1,2', 0), 'NYA,1,2');
  assert.equal(recordTextFromSlice('\nNYA,1,2\n', 0), 'NYA,1,2');
});

test('a record with line breaks keeps its lines exactly', () => {
  assert.equal(recordTextFromSlice('\n\nNYA,"a\r\nb\n\nc",1\n', 3), 'NYA,"a\r\nb\n\nc",1');
});

test('an unclosed quote starts after the blank lines before it', () => {
  assert.deepEqual(issueTextFromSlice('\r\n\nNYA,"x\nB,1\n\n', 8), { text: 'NYA,"x\nB,1', line: 10 });
  assert.deepEqual(issueTextFromSlice('NYA,"x', 3), { text: 'NYA,"x', line: 3 });
});
