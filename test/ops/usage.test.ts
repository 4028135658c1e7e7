// `mcp-route usage` against an audit file written by a real run: its totals equal the sums of
// the audit lines for every --by; a torn last line is skipped; --since filters; a large file
// is read as a stream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectHost, sample, e2e, tempDir, writePolicy } from '../e2e/harness.js';
import { runCli, runNode, CLI } from '../helpers/cli.js';
import { summariseAudit, parseSince } from '../../src/audit/usage-report.js';

const POLICY = `
version: 1
providers:
  canned: { type: mock, responses: [{ text: "an answer of some length" }] }
  other: { type: mock, responses: [{ text: "short" }] }
models:
  cheap: { provider: canned, cost: { input: 1, output: 2 } }
  dear: { provider: other, cost: { input: 10, output: 30 } }
defaults: { models: [cheap, dear] }
rules:
  - { name: refuse-secret, when: { systemPrompt: secret }, action: deny, message: no }
  - { name: use-dear, when: { hints: dear }, models: [dear] }
budgets:
  - { name: three-dear, scope: { model: dear }, rpm: 3, onExceed: reject }
`;

test('usage totals equal the sums of the audit lines, for every --by', { ...e2e, timeout: 120_000 }, async () => {
  const dir = tempDir();
  const audit = join(dir, 'audit.jsonl');
  const host = await connectHost(['--policy', writePolicy(dir, POLICY.replace('budgets:', `audit: { path: ${JSON.stringify(audit)} }\nbudgets:`))]);
  try {
    for (let i = 0; i < 3; i++) assert.equal((await sample(host.client, { prompt: `hello ${i}` })).ok, true);
    for (let i = 0; i < 5; i++) await sample(host.client, { prompt: 'x', hints: ['dear'] });
    assert.equal((await sample(host.client, { prompt: 'x', systemPrompt: 'a secret' })).ok, false);
  } finally {
    await host.close();
  }
  const lines = readFileSync(audit, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, 9);
  const sum = (f: (l: any) => number) => lines.reduce((a, l) => a + f(l), 0);
  const expected = {
    requests: 9,
    ok: sum((l) => (l.outcome === 'ok' ? 1 : 0)),
    refused: 1,
    budget: 2,
    inputTokens: sum((l) => l.usage?.inputTokens ?? 0),
    outputTokens: sum((l) => l.usage?.outputTokens ?? 0),
    usd: sum((l) => l.costUsd ?? 0),
  };
  assert.equal(expected.ok, 6);
  for (const by of ['server', 'model', 'provider', 'rule', 'day', 'via']) {
    const r = await runCli(['usage', '--audit', audit, '--by', by, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    const { total, rows } = report;
    for (const k of ['requests', 'ok', 'refused', 'budget', 'inputTokens', 'outputTokens'] as const) assert.equal(total[k], expected[k], `${by}: ${k}`);
    assert.ok(Math.abs(total.usd - expected.usd) < 1e-12, `${by}: usd`);
    // Rows partition the total.
    for (const k of ['requests', 'ok', 'inputTokens'] as const)
      assert.equal(
        rows.reduce((a: number, row: any) => a + row[k], 0),
        total[k],
        `${by}: rows add up`,
      );
  }
  const byModel = JSON.parse((await runCli(['usage', '--audit', audit, '--by', 'model', '--format', 'json'])).stdout);
  assert.deepEqual(byModel.rows.map((r: any) => [r.key, r.requests]).sort(), [
    ['(none)', 3],
    ['canned/cheap', 3],
    ['other/dear', 3],
  ]);
  const text = await runCli(['usage', '--audit', audit, '--by', 'rule']);
  assert.match(text.stdout, /use-dear/);
  assert.match(text.stdout, /^total\s+9\s+6\s+1\s+2\s+0\s+0/m);

  // A torn last line (a process killed mid-write) is skipped and reported.
  appendFileSync(audit, '{"time":"2026-11-27T00:00:00Z","outcome":"o');
  const torn = JSON.parse((await runCli(['usage', '--audit', audit, '--format', 'json'])).stdout);
  assert.equal(torn.total.requests, 9);
  assert.equal(torn.skippedLines, 1);
});

test('--since and --until select by the audit time; a bad time is a usage error', async () => {
  const at = (t: string, outcome = 'ok') => JSON.stringify({ time: t, server: 's', outcome, usage: { inputTokens: 1, outputTokens: 1 }, costUsd: 0.5 });
  const lines = [at('2026-11-01T10:00:00Z'), at('2026-11-02T10:00:00Z'), at('2026-11-03T10:00:00Z', 'failed'), at('2026-11-03T11:00:00Z', 'dry-run'), 'null', '[1]', '{"time":"not a time"}'];
  const r = await summariseAudit(lines, { by: 'day', since: Date.parse('2026-11-02'), until: Date.parse('2026-11-03T12:00:00Z') });
  assert.deepEqual(
    r.rows.map((x) => [x.key, x.requests, x.ok, x.failed, x.dryRun]),
    [
      ['2026-11-02', 1, 1, 0, 0],
      ['2026-11-03', 2, 0, 1, 1],
    ],
  );
  assert.equal(r.total.usd, 1.5);
  assert.equal(r.skippedLines, 3);
  const now = Date.parse('2026-11-27T00:00:00Z');
  assert.equal(parseSince('24h', now), now - 86_400_000);
  assert.equal(parseSince('2w', now), now - 14 * 86_400_000);
  assert.throws(() => parseSince('yesterday', now), /30m, 24h, 7d/);
  const bad = await runCli(['usage', '--audit', '/nonexistent', '--since', 'soon']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /"soon" is not a time/);
  const missing = await runCli(['usage', '--audit', join(tempDir(), 'none.jsonl')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no audit file/);
});

test('a large audit file is read as a stream: 150 MB with a 64 MB heap', { timeout: 120_000 }, async () => {
  const path = join(tempDir(), 'big.jsonl');
  const line = `${JSON.stringify({ time: '2026-11-20T10:00:00Z', server: 'big', provider: 'p', model: 'm', rule: null, outcome: 'ok', usage: { inputTokens: 100, outputTokens: 20 }, costUsd: 0.001, candidates: ['p/m'], attempts: [{ provider: 'p', model: 'm', ok: true, duration: 12 }], durationMs: 12.5, pad: 'x'.repeat(200) })}\n`;
  const n = Math.ceil((150 * 1024 * 1024) / line.length);
  const out = createWriteStream(path);
  const chunk = line.repeat(1000);
  for (let i = 0; i < n / 1000; i++) if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  await new Promise<void>((r) => out.end(() => r()));
  const r = await runNode(['--max-old-space-size=64', CLI, 'usage', '--audit', path, '--format', 'json'], { timeoutMs: 110_000 });
  assert.equal(r.code, 0, r.stderr.slice(0, 500));
  assert.equal(JSON.parse(r.stdout).total.requests, Math.ceil(n / 1000) * 1000);
});
