import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDecimalText, parseStrictNumber } from '../../src/source/strict-number.js';

test('plain decimals parse exactly like Number()', () => {
  for (const text of ['0', '12', '-12', '+12', '528.690002', '-0.25', '1e3', '1.5E-3', '2e+2', '2.0e-2', '00012', '15398500000', '123400.0']) {
    assert.equal(parseStrictNumber(text), Number(text), text);
  }
});

test('long mantissas and signs too: the short cut for up to 15 digits gives what Number() gives', () => {
  for (const text of ['123456789012345', '1234567890123456', '0.1234567890123456', '9007199254740993', '99999999999999.9', '-0', '-0.0', '+0.5']) {
    assert.ok(Object.is(parseStrictNumber(text), Number(text)), text);
  }
});

test('the traps of Number() are not numbers', () => {
  for (const text of ['', ' ', ' 12', '12 ', '\t1', '0x1F', '0b1', '0o7', 'Infinity', '-Infinity', 'NaN', '1e', '1e+', 'e5',
    '.', '-', '+', '-.', '.5', '5.', '2913.', '-.5', '5.e3', '1_000', '1,000', '1.2.3', '12abc', 'abc', 'null', '--1', '1e5.5', '١٢']) {
    assert.ok(Number.isNaN(parseStrictNumber(text)), JSON.stringify(text));
    assert.equal(isDecimalText(text), false, JSON.stringify(text));
  }
});

test('overflow to Infinity is not a number', () => {
  assert.equal(isDecimalText('1e999'), true);
  assert.ok(Number.isNaN(parseStrictNumber('1e999')));
});
