// `per: week`: a usd/tokens budget whose window is the ISO week in UTC (Monday 00:00 to the
// next Monday), loaded from a policy file and enforced by the real gate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { windowBounds, windowLabel } from '../../src/budgets/windows.js';
import { createBudgetGate } from '../../src/budgets/gate.js';
import { parsePolicy } from '../../src/policy/load.js';
import { fakeClock } from '../helpers/policy.js';

test('a week runs from Monday 00:00 UTC to the next Monday, across month and year ends', () => {
  // Wednesday 2030-01-16 12:00 UTC
  assert.deepEqual(windowBounds('week', Date.UTC(2030, 0, 16, 12)), { start: Date.UTC(2030, 0, 14), end: Date.UTC(2030, 0, 21) });
  // Sunday 23:59:59.999 belongs to the week that began six days before; Monday 00:00 starts a new one.
  assert.equal(windowBounds('week', Date.UTC(2030, 0, 20, 23, 59, 59, 999)).start, Date.UTC(2030, 0, 14));
  assert.equal(windowBounds('week', Date.UTC(2030, 0, 21)).start, Date.UTC(2030, 0, 21));
  // Thursday 2026-01-01: the week began Monday 2025-12-29.
  assert.deepEqual(windowBounds('week', Date.UTC(2026, 0, 1, 8)), { start: Date.UTC(2025, 11, 29), end: Date.UTC(2026, 0, 5) });
  assert.equal(windowLabel('week', Date.UTC(2025, 11, 29)), 'w2025-12-29');
  assert.notEqual(windowLabel('week', Date.UTC(2025, 11, 29)), windowLabel('day', Date.UTC(2025, 11, 29)));
});

test('a `per: week` policy budget refuses within the week and admits again the next Monday', async () => {
  const { policy, diagnostics } = parsePolicy(
    'version: 1\nproviders: { m: { type: mock } }\nmodels: { x: { provider: m } }\nbudgets:\n  - { name: weekly, tokens: 100, per: week }\nstate: { store: memory }\n',
    'week.yaml',
    {},
  );
  assert.deepEqual(diagnostics, []);
  assert.equal(policy!.budgets[0]!.per, 'week');
  const clock = fakeClock(Date.UTC(2030, 0, 16, 12)); // a Wednesday
  const gate = createBudgetGate(policy!, { now: clock.now });
  try {
    const first = await gate.reserve({ provider: 'm', model: 'x', tokens: 100, usd: 0 });
    assert.equal(first.ok, true);
    if (first.ok) await first.reservation.settle({ tokens: 100, usd: 0 });
    clock.set(Date.UTC(2030, 0, 20, 23)); // Sunday night, same week
    const sunday = await gate.reserve({ provider: 'm', model: 'x', tokens: 1, usd: 0 });
    assert.equal(sunday.ok, false);
    if (!sunday.ok) assert.equal(sunday.resetsAt, Date.UTC(2030, 0, 21));
    clock.set(Date.UTC(2030, 0, 21, 0, 0, 1)); // Monday
    assert.equal((await gate.reserve({ provider: 'm', model: 'x', tokens: 100, usd: 0 })).ok, true);
  } finally {
    await gate.close();
  }
});
