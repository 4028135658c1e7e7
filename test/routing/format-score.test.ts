// decide() writes priority scores from integer parts (formatScore) because float-to-string
// was its slowest step; the trace must read exactly as String(Math.round(n * 1000) / 1000).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatScore } from '../../src/routing/decide.js';

test('formatScore writes what String(Math.round(n * 1000) / 1000) writes', () => {
  const samples = [0, -0, 1, 0.5, 0.05, 0.005, 0.0005, 0.0015, 1.0005, 2.675, 0.1 + 0.2, 3, 12345.678, -0.5, -1e-9, 1e12, 1e15, NaN, Infinity, -Infinity];
  for (let k = 0; k <= 3000; k++) samples.push(k / 1000, k / 1000 + 1e-9, k / 1000 - 1e-9, k / 1000 + 0.0004999, (k + 0.5) / 1000);
  let seed = 42;
  for (let i = 0; i < 20_000; i++) {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    samples.push((seed / 2_147_483_648) * 3);
  }
  for (const n of samples) assert.equal(formatScore(n), String(Math.round(n * 1000) / 1000), `n = ${n}`);
});
