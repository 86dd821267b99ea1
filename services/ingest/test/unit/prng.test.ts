import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32, normalSource } from '../../src/source/prng.js';

test('mulberry32 is seeded and uniform in [0, 1)', () => {
  const a = mulberry32(123);
  const b = mulberry32(123);
  const c = mulberry32(124);
  const first = Array.from({ length: 5 }, a);
  assert.deepEqual(first, Array.from({ length: 5 }, b));
  assert.notDeepEqual(first, Array.from({ length: 5 }, c));
  let sum = 0;
  const n = 100_000;
  for (let i = 0; i < n; i++) {
    const u = a();
    assert.ok(u >= 0 && u < 1);
    sum += u;
  }
  assert.ok(Math.abs(sum / n - 0.5) < 0.01);
});

test('normalSource has mean 0 and standard deviation 1', () => {
  const normal = normalSource(mulberry32(99));
  const n = 200_000;
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const z = normal();
    assert.ok(Number.isFinite(z));
    sum += z;
    squares += z * z;
  }
  const mean = sum / n;
  assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
  assert.ok(Math.abs(Math.sqrt(squares / n - mean * mean) - 1) < 0.01);
});
