// `mcp-route budgets` end to end: the built CLI reads the same sqlite file a router wrote.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { loadPolicyFile } from '../../src/policy/load.js';
import { createBudgetGate } from '../../src/budgets/gate.js';

let dir: string;
let policyPath: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mcp-route-cli-budgets-'));
  policyPath = join(dir, 'policy.yaml');
  writeFileSync(
    policyPath,
    `version: 1
providers:
  canned: { type: mock }
models:
  demo-small: { provider: canned, cost: { input: 1, output: 2 } }
budgets:
  - name: daily-spend
    usd: 5
    per: day
  - name: per-server
    scope: server
    concurrency: 4
state:
  store: sqlite
  path: ${JSON.stringify(join(dir, 'state', 'budgets.sqlite'))}
`,
  );
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('mcp-route budgets', () => {
  it('prints used, reserved and remaining from the store a router wrote, as a table and as JSON', async () => {
    const gate = createBudgetGate(loadPolicyFile(policyPath, {}));
    const spent = await gate.reserve({ server: 'github', provider: 'canned', model: 'demo-small', tokens: 100, usd: 2 });
    assert.ok(spent.ok);
    await spent.reservation.settle({ tokens: 80, usd: 1.25 });
    const inFlight = await gate.reserve({ server: 'github', provider: 'canned', model: 'demo-small', tokens: 100, usd: 0.5 });
    assert.ok(inFlight.ok);
    try {
      const text = await runCli(['budgets', '--policy', policyPath]);
      assert.equal(text.code, 0, text.stderr);
      const daily = text.stdout.split('\n').find((l) => l.startsWith('daily-spend'));
      assert.ok(daily, text.stdout);
      assert.match(daily, /global\s+usd\/day\s+\$5\.00\s+\$1\.25\s+\$0\.50\s+\$3\.25\s+\d{4}-\d\d-\d\dT00:00:00Z/);
      assert.match(text.stdout, /per-server\s+server=github\s+concurrency\s+4\s+0\s+1\s+3/);

      const json = await runCli(['budgets', '--policy', policyPath, '--format', 'json', '--server', 'slack']);
      assert.equal(json.code, 0, json.stderr);
      const parsed = JSON.parse(json.stdout) as { store: string; budgets: Array<{ name: string; scope: string; used: number; reserved: number; remaining: number }> };
      assert.equal(parsed.store, 'sqlite');
      const spend = parsed.budgets.find((b) => b.name === 'daily-spend')!;
      assert.deepEqual([spend.used, spend.reserved, spend.remaining], [1.25, 0.5, 3.25]);
      const slack = parsed.budgets.find((b) => b.name === 'per-server')!;
      assert.deepEqual([slack.scope, slack.reserved], ['server=slack', 0]);
    } finally {
      await inFlight.reservation.release();
      await gate.close();
    }
  });

  it('--reset NAME clears that budget in the store and prints the table; an unknown name exits 1 listing the budgets', async () => {
    const gate = createBudgetGate(loadPolicyFile(policyPath, {}));
    try {
      const spent = await gate.reserve({ server: 'github', provider: 'canned', model: 'demo-small', tokens: 100, usd: 2 });
      assert.ok(spent.ok);
      await spent.reservation.settle({ tokens: 80, usd: 4.5 });
    } finally {
      await gate.close();
    }
    const r = await runCli(['budgets', '--policy', policyPath, '--reset', 'daily-spend']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^mcp-route budgets: reset budget "daily-spend": [1-9]\d* counter\(s\) cleared in sqlite .*budgets\.sqlite\n$/);
    assert.match(r.stdout, /daily-spend\s+global\s+usd\/day\s+\$5\.00\s+\$0\.00\s+\$0\.00\s+\$5\.00/);
    const unknown = await runCli(['budgets', '--policy', policyPath, '--reset', 'daily']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^mcp-route budgets: no budget named "daily" in .*policy\.yaml; its budgets: "daily-spend", "per-server"\n$/);
  });

  it('exits 1 with a positioned message on an invalid policy', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'version: 1\nbudgets:\n  - name: x\n    usd: lots\n');
    const r = await runCli(['budgets', '--policy', bad]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /bad\.yaml:4:\d+/);
  });

  it('shows an example in --help', async () => {
    const r = await runCli(['budgets', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /mcp-route budgets --policy prod\.yaml/);
  });
});
